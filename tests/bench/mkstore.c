/*
 * mkstore.c: fill a node's store with many messages, fast, for the restart benchmark.
 *
 *     mkstore --data DIR [--messages N] [--groups G] [--per-commit K]
 *
 * DIR must hold a store made by `yishi-node init`. Adds one police owner, G groups
 * and N messages spread round-robin over the groups, through storage/store.h (the
 * node's own record format and indexes, msgids included), K messages per commit.
 * Restart time is about what the node reads when it starts, not about ingest, so
 * the messages are written directly: each has a real canonical header (group, epoch,
 * sender, time, a unique id) and ciphertext and signature of the real sizes for a
 * 300-byte text, filled with random bytes (a node never opens them).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <sodium.h>

#include "proto/crypto.h"
#include "storage/store.h"

#define MK_CT_BYTES	325	/* body of a 300-byte text + the AEAD tag */

static uint64_t
mk_now_ms(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (uint64_t)tv.tv_sec * 1000 + (uint64_t)tv.tv_usec / 1000;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "data", required_argument, NULL, 'd' },
		{ "messages", required_argument, NULL, 'n' },
		{ "groups", required_argument, NULL, 'g' },
		{ "per-commit", required_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 }
	};
	const char *dir = NULL;
	unsigned long long n = 1000000, i;
	int ngroups = 10, per = 10000, ch, g;
	struct store *st;
	struct group_rec *groups;
	struct user_rec u;
	struct member_rec mem;
	struct msg_rec m;
	struct msg_hdr h;
	struct ident owner;
	MDB_txn *txn;
	uint8_t hdr[YISHI_HDR_MAX], nonce[YISHI_NONCE_BYTES], sig[YISHI_SIG_BYTES];
	uint8_t ct[MK_CT_BYTES];
	char err[512];
	uint64_t t0 = mk_now_ms();

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'd': dir = optarg; break;
		case 'n': n = strtoull(optarg, NULL, 10); break;
		case 'g': ngroups = atoi(optarg); break;
		case 'k': per = atoi(optarg); break;
		default: goto usage;
		}
	}
	if (dir == NULL || ngroups < 1 || per < 1 || optind != argc)
		goto usage;
	if (crypto_init() != 0 || ident_new(&owner) != 0)
		return 1;
	if (store_open(&st, dir, 0, err, sizeof err) != 0) {
		fprintf(stderr, "mkstore: %s\n", err);
		return 1;
	}
	if ((groups = calloc((size_t)ngroups, sizeof *groups)) == NULL)
		return 1;
	if (store_begin(st, 1, &txn) != 0)
		goto fail;
	memset(&u, 0, sizeof u);
	memcpy(u.pk, owner.pk, 32);
	snprintf(u.name, sizeof u.name, "bench officer");
	snprintf(u.role, sizeof u.role, "police");
	u.created_ms = mk_now_ms();
	if (store_user_put(st, txn, &u) != 0)
		goto fail;
	for (g = 0; g < ngroups; g++) {
		randombytes_buf(groups[g].gid, 16);
		snprintf(groups[g].name, sizeof groups[g].name, "stored %d", g);
		snprintf(groups[g].area, sizeof groups[g].area, "330281");
		memcpy(groups[g].owner, owner.pk, 32);
		groups[g].epoch = 1;
		groups[g].count = 1;
		groups[g].max_members = 500;
		groups[g].created_ms = mk_now_ms();
		memset(&mem, 0, sizeof mem);
		memcpy(mem.gid, groups[g].gid, 16);
		memcpy(mem.user, owner.pk, 32);
		snprintf(mem.role, sizeof mem.role, "owner");
		snprintf(mem.state, sizeof mem.state, "member");
		mem.joined_ms = groups[g].created_ms;
		if (store_member_put(st, txn, &mem) != 0)
			goto fail;
	}
	for (i = 0; i < n; i++) {
		struct group_rec *gr = &groups[i % (unsigned)ngroups];

		memset(&h, 0, sizeof h);
		memcpy(h.group, gr->gid, 16);
		h.epoch = 1;
		memcpy(h.sender, owner.pk, 32);
		h.ts_ms = mk_now_ms();
		randombytes_buf(h.id, sizeof h.id);
		randombytes_buf(nonce, sizeof nonce);
		randombytes_buf(ct, sizeof ct);
		randombytes_buf(sig, sizeof sig);
		memset(&m, 0, sizeof m);
		memcpy(m.gid, gr->gid, 16);
		m.seq = ++gr->last_seq;
		m.ts_ms = h.ts_ms;
		memcpy(m.sender, owner.pk, 32);
		memcpy(m.id, h.id, 16);
		m.hdrlen = (uint32_t)msg_hdr_encode(&h, hdr);
		m.hdr = hdr;
		m.nonce = nonce;
		m.ct = ct;
		m.ctlen = sizeof ct;
		m.sig = sig;
		if (store_msg_put(st, txn, &m) != 0)
			goto fail;
		if ((i + 1) % (unsigned)per == 0) {
			for (g = 0; g < ngroups; g++)
				if (store_group_put(st, txn, &groups[g]) != 0)
					goto fail;
			if (store_commit(txn) != 0 || store_begin(st, 1, &txn) != 0) {
				txn = NULL;
				goto fail;
			}
		}
	}
	for (g = 0; g < ngroups; g++)
		if (store_group_put(st, txn, &groups[g]) != 0)
			goto fail;
	if (store_commit(txn) != 0) {
		txn = NULL;
		goto fail;
	}
	store_close(st);
	ident_wipe(&owner);
	free(groups);
	fprintf(stderr, "mkstore: %llu messages in %d groups written to %s in %.1f s\n", n,
	    ngroups, dir, (mk_now_ms() - t0) / 1000.0);
	return 0;
fail:
	fprintf(stderr, "mkstore: cannot write the store in %s\n", dir);
	if (txn != NULL)
		store_abort(txn);
	store_close(st);
	free(groups);
	return 1;
usage:
	fprintf(stderr, "usage: mkstore --data DIR [--messages N] [--groups G] [--per-commit K]\n");
	return 2;
}
