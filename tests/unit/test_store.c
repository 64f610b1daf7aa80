/* test_store.c: the store keeps what it was given, in key order, and says why it cannot open. */
#define _XOPEN_SOURCE 700	/* nftw() */
#include <sys/stat.h>

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lmdb.h>

#include "storage/store.h"
#include "tests/unit/check.h"

static char test_root[] = "/tmp/test_store.XXXXXX";
static int test_n;

/* A fresh, not yet existing directory under the test root. */
static const char *
test_dir(void)
{
	static char path[256];

	snprintf(path, sizeof path, "%s/s%d", test_root, test_n++);
	return path;
}

static void
test_fill(uint8_t *p, size_t n, uint8_t seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + i * 7);
}

static struct store *
test_create(const char *dir)
{
	struct store *st = NULL;
	char err[512];

	if (store_open(&st, dir, STORE_CREATE, err, sizeof err) == -1) {
		fprintf(stderr, "create %s: %s\n", dir, err);
		exit(1);
	}
	return st;
}

static void
test_open_close(void)
{
	struct store *st;
	char err[512];
	const char *dir = test_dir();
	char empty[300];

	st = test_create(dir);
	store_close(st);
	err[0] = '\0';
	CHECK_EQ(store_open(&st, dir, 0, err, sizeof err), 0);
	store_close(st);
	CHECK_EQ(store_open(&st, dir, STORE_RDONLY, err, sizeof err), 0);
	store_close(st);

	CHECK_EQ(store_open(&st, dir, STORE_CREATE, err, sizeof err), -1);
	CHECK(st == NULL);
	CHECK(strstr(err, "a store already exists in") != NULL);
	CHECK(strstr(err, dir) != NULL);
	/* The refused create must not have damaged the existing store. */
	CHECK_EQ(store_open(&st, dir, 0, err, sizeof err), 0);
	store_close(st);

	dir = test_dir();
	err[0] = '\0';
	CHECK_EQ(store_open(&st, dir, 0, err, sizeof err), -1);
	CHECK(strstr(err, "does not exist") != NULL);
	CHECK(strstr(err, "yishi-node init") != NULL);
	CHECK(access(dir, F_OK) == -1);

	snprintf(empty, sizeof empty, "%s", test_dir());
	CHECK_EQ(mkdir(empty, 0700), 0);
	err[0] = '\0';
	CHECK_EQ(store_open(&st, empty, 0, err, sizeof err), -1);
	CHECK(strstr(err, "no store in") != NULL);
	CHECK(strstr(err, "yishi-node init") != NULL);
	/* Opening must not have created one. */
	CHECK_EQ(store_open(&st, empty, 0, err, sizeof err), -1);
	CHECK(strstr(err, "no store in") != NULL);

	/* Creating under a missing parent fails with the system's reason. */
	snprintf(empty, sizeof empty, "%s/missing/child", test_root);
	err[0] = '\0';
	CHECK_EQ(store_open(&st, empty, STORE_CREATE, err, sizeof err), -1);
	CHECK(strstr(err, "No such file or directory") != NULL);
}

static int
test_eq_str(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

static void
test_records(void)
{
	struct store *st;
	MDB_txn *txn;
	struct node_meta nm, nm2;
	struct user_rec u, u2;
	struct group_rec g, g2;
	struct member_rec m, m2;
	struct key_rec k, k2;
	struct invite_rec in, in2;
	struct msg_rec msg, msg2;
	uint8_t hdr[5], nonce[24], ct[300], sig[64], absent[32];
	uint64_t seq;

	st = test_create(test_dir());
	CHECK_EQ(store_begin(st, 1, &txn), 0);
	CHECK_EQ(store_meta_get(st, txn, &nm2), STORE_NOTFOUND);

	memset(&nm, 0, sizeof nm);
	test_fill(nm.sk, sizeof nm.sk, 1);
	memset(nm.name, 'n', 64);
	strcpy(nm.area, "110105001001");
	nm.created_ms = 1700000000123ULL;
	test_fill(nm.enroll_hash, sizeof nm.enroll_hash, 2);
	nm.enroll_used = 1;
	CHECK_EQ(store_meta_put(st, txn, &nm), 0);
	CHECK_EQ(store_meta_get(st, txn, &nm2), 0);
	CHECK(memcmp(&nm, &nm2, sizeof nm) == 0);

	memset(&u, 0, sizeof u);
	test_fill(u.pk, 32, 3);
	strcpy(u.name, "Wang Fang");
	strcpy(u.role, "auxiliary");
	u.created_ms = UINT64_MAX;
	CHECK_EQ(store_user_put(st, txn, &u), 0);
	CHECK_EQ(store_user_get(st, txn, u.pk, &u2), 0);
	CHECK(memcmp(u.pk, u2.pk, 32) == 0);
	CHECK(test_eq_str(u2.name, "Wang Fang"));
	CHECK(test_eq_str(u2.role, "auxiliary"));
	CHECK(u2.created_ms == UINT64_MAX);
	test_fill(absent, 32, 99);
	CHECK_EQ(store_user_get(st, txn, absent, &u2), STORE_NOTFOUND);

	/* A name that does not fit its array is refused, not truncated. */
	memset(u.name, 'x', sizeof u.name);
	CHECK_EQ(store_user_put(st, txn, &u), -1);

	memset(&g, 0, sizeof g);
	test_fill(g.gid, 16, 4);
	strcpy(g.name, "Building 3");
	strcpy(g.area, "110105");
	g.approval = 1;
	test_fill(g.owner, 32, 5);
	g.epoch = 70000;
	g.last_seq = 1ULL << 40;
	g.count = 12;
	g.max_members = 500;
	g.created_ms = 42;
	CHECK_EQ(store_group_put(st, txn, &g), 0);
	CHECK_EQ(store_group_get(st, txn, g.gid, &g2), 0);
	CHECK(memcmp(g.gid, g2.gid, 16) == 0 && memcmp(g.owner, g2.owner, 32) == 0);
	CHECK(test_eq_str(g2.name, "Building 3") && test_eq_str(g2.area, "110105"));
	CHECK_EQ(g2.approval, 1);
	CHECK_EQ(g2.epoch, 70000);
	CHECK(g2.last_seq == 1ULL << 40);
	CHECK_EQ(g2.count, 12);
	CHECK_EQ(g2.max_members, 500);
	CHECK_EQ(g2.created_ms, 42);
	CHECK_EQ(store_group_get(st, txn, absent, &g2), STORE_NOTFOUND);

	memset(&m, 0, sizeof m);
	memcpy(m.gid, g.gid, 16);
	memcpy(m.user, u.pk, 32);
	strcpy(m.role, "moderator");
	strcpy(m.state, "pending");
	m.joined_ms = 77;
	m.joined_seq = 300;
	CHECK_EQ(store_member_put(st, txn, &m), 0);
	CHECK_EQ(store_member_get(st, txn, g.gid, u.pk, &m2), 0);
	CHECK(memcmp(m2.gid, g.gid, 16) == 0 && memcmp(m2.user, u.pk, 32) == 0);
	CHECK(test_eq_str(m2.role, "moderator") && test_eq_str(m2.state, "pending"));
	CHECK_EQ(m2.joined_ms, 77);
	CHECK_EQ(m2.joined_seq, 300);
	CHECK_EQ(store_member_get(st, txn, g.gid, absent, &m2), STORE_NOTFOUND);

	memset(&k, 0, sizeof k);
	memcpy(k.gid, g.gid, 16);
	k.epoch = 3;
	test_fill(k.to, 32, 6);
	test_fill(k.from, 32, 7);
	test_fill(k.box, 72, 8);
	CHECK_EQ(store_key_put(st, txn, &k), 0);
	CHECK_EQ(store_key_get(st, txn, g.gid, 3, k.to, &k2), 0);
	CHECK(memcmp(&k, &k2, sizeof k) == 0);
	CHECK_EQ(store_key_get(st, txn, g.gid, 4, k.to, &k2), STORE_NOTFOUND);

	memset(&in, 0, sizeof in);
	test_fill(in.token, 16, 9);
	memcpy(in.gid, g.gid, 16);
	test_fill(in.by, 32, 10);
	in.created_ms = 5;
	in.expires_ms = 6;
	CHECK_EQ(store_invite_put(st, txn, &in), 0);
	CHECK_EQ(store_invite_get(st, txn, in.token, &in2), 0);
	CHECK(memcmp(&in, &in2, sizeof in) == 0);
	CHECK_EQ(store_invite_get(st, txn, absent, &in2), STORE_NOTFOUND);

	test_fill(hdr, sizeof hdr, 11);
	test_fill(nonce, sizeof nonce, 12);
	test_fill(ct, sizeof ct, 13);
	test_fill(sig, sizeof sig, 14);
	memset(&msg, 0, sizeof msg);
	memcpy(msg.gid, g.gid, 16);
	msg.seq = 258;
	msg.ts_ms = 1700000000999ULL;
	test_fill(msg.sender, 32, 15);
	test_fill(msg.id, 16, 16);
	msg.hdr = hdr;
	msg.hdrlen = sizeof hdr;
	msg.nonce = nonce;
	msg.ct = ct;
	msg.ctlen = sizeof ct;
	msg.sig = sig;
	CHECK_EQ(store_msg_put(st, txn, &msg), 0);
	CHECK_EQ(store_commit(txn), 0);

	/* Read back in a new read txn: the pointers must be into the map, not our arrays. */
	CHECK_EQ(store_begin(st, 0, &txn), 0);
	CHECK_EQ(store_msg_get(st, txn, g.gid, 258, &msg2), 0);
	CHECK(memcmp(msg2.gid, g.gid, 16) == 0);
	CHECK(msg2.seq == 258 && msg2.ts_ms == 1700000000999ULL);
	CHECK(memcmp(msg2.sender, msg.sender, 32) == 0 && memcmp(msg2.id, msg.id, 16) == 0);
	CHECK_EQ(msg2.hdrlen, sizeof hdr);
	CHECK_EQ(msg2.ctlen, sizeof ct);
	CHECK(msg2.hdr != hdr && memcmp(msg2.hdr, hdr, sizeof hdr) == 0);
	CHECK(memcmp(msg2.nonce, nonce, 24) == 0);
	CHECK(memcmp(msg2.ct, ct, sizeof ct) == 0);
	CHECK(memcmp(msg2.sig, sig, 64) == 0);
	CHECK_EQ(store_msg_get(st, txn, g.gid, 2, &msg2), STORE_NOTFOUND);
	CHECK_EQ(store_msg_by_id(st, txn, g.gid, msg.id, &seq), 0);
	CHECK_EQ(seq, 258);
	CHECK_EQ(store_msg_by_id(st, txn, g.gid, absent, &seq), STORE_NOTFOUND);
	CHECK_EQ(store_msg_by_id(st, txn, absent, msg.id, &seq), STORE_NOTFOUND);
	CHECK_EQ(store_meta_get(st, txn, &nm2), 0);
	CHECK(memcmp(&nm, &nm2, sizeof nm) == 0);
	store_abort(txn);

	/* An empty header is legal (no NULL pointer trouble on either side). */
	CHECK_EQ(store_begin(st, 1, &txn), 0);
	msg.seq = 259;
	msg.hdr = NULL;
	msg.hdrlen = 0;
	CHECK_EQ(store_msg_put(st, txn, &msg), 0);
	CHECK_EQ(store_msg_get(st, txn, g.gid, 259, &msg2), 0);
	CHECK_EQ(msg2.hdrlen, 0);
	CHECK_EQ(msg2.ctlen, sizeof ct);
	/* A msg_rec without a nonce cannot be stored. */
	msg.seq = 260;
	msg.nonce = NULL;
	CHECK_EQ(store_msg_put(st, txn, &msg), -1);
	store_abort(txn);
	store_close(st);
}

static void
test_durable(void)
{
	const char *dir = test_dir();
	struct store *st;
	MDB_txn *txn;
	struct user_rec u, u2;
	char err[512];

	st = test_create(dir);
	memset(&u, 0, sizeof u);
	test_fill(u.pk, 32, 20);
	strcpy(u.name, "kept");
	strcpy(u.role, "resident");
	CHECK_EQ(store_begin(st, 1, &txn), 0);
	CHECK_EQ(store_user_put(st, txn, &u), 0);
	CHECK_EQ(store_commit(txn), 0);

	/* Aborted: nothing of it stays. */
	test_fill(u.pk, 32, 21);
	strcpy(u.name, "dropped");
	CHECK_EQ(store_begin(st, 1, &txn), 0);
	CHECK_EQ(store_user_put(st, txn, &u), 0);
	CHECK_EQ(store_user_get(st, txn, u.pk, &u2), 0);
	store_abort(txn);
	CHECK_EQ(store_begin(st, 0, &txn), 0);
	CHECK_EQ(store_user_get(st, txn, u.pk, &u2), STORE_NOTFOUND);
	store_abort(txn);
	store_close(st);

	CHECK_EQ(store_open(&st, dir, STORE_RDONLY, err, sizeof err), 0);
	CHECK_EQ(store_begin(st, 1, &txn), -1);
	CHECK_EQ(store_begin(st, 0, &txn), 0);
	test_fill(u.pk, 32, 20);
	CHECK_EQ(store_user_get(st, txn, u.pk, &u2), 0);
	CHECK(test_eq_str(u2.name, "kept"));
	test_fill(u.pk, 32, 21);
	CHECK_EQ(store_user_get(st, txn, u.pk, &u2), STORE_NOTFOUND);
	store_abort(txn);
	store_close(st);
}

struct test_seqs {
	uint64_t	seqs[16];
	int		n;
	int		stop_at;	/* stop after this many, 0: never */
	int		bad;
};

static int
test_msg_cb(const struct msg_rec *m, void *arg)
{
	struct test_seqs *s = arg;

	if (s->n < 16)
		s->seqs[s->n++] = m->seq;
	/* Every field belongs to the seq the callback is told about. */
	if (m->ctlen != 1 || m->ct[0] != (uint8_t)m->seq)
		s->bad++;
	return s->stop_at && s->n == s->stop_at ? 7 : 0;
}

static void
test_msgs(void)
{
	static const uint64_t order[] = { 300, 2, 256, 1, 255, 65536, 3, 257 };
	struct store *st;
	MDB_txn *txn;
	struct msg_rec m;
	struct test_seqs s;
	uint8_t other[16], nonce[24] = { 0 }, sig[64] = { 0 }, ct[1];
	uint64_t n;
	size_t i;

	st = test_create(test_dir());
	CHECK_EQ(store_begin(st, 1, &txn), 0);
	memset(&m, 0, sizeof m);
	test_fill(m.gid, 16, 30);
	m.nonce = nonce;
	m.sig = sig;
	m.ct = ct;
	m.ctlen = 1;
	for (i = 0; i < sizeof order / sizeof order[0]; i++) {
		m.seq = order[i];
		ct[0] = (uint8_t)m.seq;
		m.id[0] = (uint8_t)i;
		CHECK_EQ(store_msg_put(st, txn, &m), 0);
	}
	/* A neighbouring group whose messages must never show up. */
	memcpy(other, m.gid, 16);
	other[15]++;
	memcpy(m.gid, other, 16);
	m.seq = 4;
	ct[0] = 4;
	CHECK_EQ(store_msg_put(st, txn, &m), 0);
	test_fill(m.gid, 16, 30);
	CHECK_EQ(store_commit(txn), 0);

	CHECK_EQ(store_begin(st, 0, &txn), 0);
	memset(&s, 0, sizeof s);
	CHECK_EQ(store_msg_iter(st, txn, m.gid, 0, test_msg_cb, &s), 0);
	CHECK_EQ(s.n, 8);
	CHECK(s.seqs[0] == 1 && s.seqs[1] == 2 && s.seqs[2] == 3 && s.seqs[3] == 255);
	CHECK(s.seqs[4] == 256 && s.seqs[5] == 257 && s.seqs[6] == 300 && s.seqs[7] == 65536);
	CHECK_EQ(s.bad, 0);

	memset(&s, 0, sizeof s);
	CHECK_EQ(store_msg_iter(st, txn, m.gid, 255, test_msg_cb, &s), 0);
	CHECK_EQ(s.n, 4);
	CHECK(s.seqs[0] == 256 && s.seqs[3] == 65536);

	memset(&s, 0, sizeof s);
	s.stop_at = 2;
	CHECK_EQ(store_msg_iter(st, txn, m.gid, 2, test_msg_cb, &s), 7);
	CHECK_EQ(s.n, 2);
	CHECK(s.seqs[0] == 3 && s.seqs[1] == 255);

	memset(&s, 0, sizeof s);
	CHECK_EQ(store_msg_iter(st, txn, m.gid, 65536, test_msg_cb, &s), 0);
	CHECK_EQ(s.n, 0);
	CHECK_EQ(store_msg_iter(st, txn, m.gid, UINT64_MAX, test_msg_cb, &s), 0);
	CHECK_EQ(s.n, 0);

	memset(&s, 0, sizeof s);
	CHECK_EQ(store_msg_iter(st, txn, other, 0, test_msg_cb, &s), 0);
	CHECK_EQ(s.n, 1);
	CHECK_EQ(s.seqs[0], 4);

	m.id[0] = 5;	/* the id of seq 65536 */
	CHECK_EQ(store_msg_by_id(st, txn, m.gid, m.id, &n), 0);
	CHECK_EQ(n, 65536);

	CHECK_EQ(store_count(st, txn, "msgs", &n), 0);
	CHECK_EQ(n, 9);
	CHECK_EQ(store_count(st, txn, "msgids", &n), 0);
	CHECK_EQ(n, 9);
	CHECK_EQ(store_count(st, txn, "users", &n), 0);
	CHECK_EQ(n, 0);
	CHECK_EQ(store_count(st, txn, "nosuch", &n), -1);
	store_abort(txn);
	store_close(st);
}

struct test_list {
	uint8_t		first[16][32];	/* member user or gid, first bytes compared */
	uint32_t	epochs[16];
	int		n;
	int		bad;
};

static int
test_member_cb(const struct member_rec *m, void *arg)
{
	struct test_list *l = arg;

	if (l->n < 16)
		memcpy(l->first[l->n++], m->user, 32);
	if (m->joined_seq != m->user[0])
		l->bad++;
	return 0;
}

static int
test_ugroup_cb(const uint8_t gid[16], void *arg)
{
	struct test_list *l = arg;

	if (l->n < 16)
		memcpy(l->first[l->n++], gid, 16);
	return 0;
}

static int
test_key_cb(const struct key_rec *k, void *arg)
{
	struct test_list *l = arg;

	if (l->n < 16) {
		l->epochs[l->n] = k->epoch;
		memcpy(l->first[l->n++], k->to, 32);
	}
	if (k->from[0] != (uint8_t)k->epoch)
		l->bad++;
	return 0;
}

static void
test_members_keys(void)
{
	struct store *st;
	MDB_txn *txn;
	struct member_rec m;
	struct key_rec k;
	struct test_list l;
	uint8_t g1[16], g2[16], users[3][32], to[32];
	int i;

	/* g2 shares g1's first 15 bytes: a prefix test on too few bytes would mix them. */
	memset(g1, 0xab, 16);
	memcpy(g2, g1, 16);
	g2[15] = 0xac;
	for (i = 0; i < 3; i++)
		memset(users[i], 0x10 * (i + 1), 32);

	st = test_create(test_dir());
	CHECK_EQ(store_begin(st, 1, &txn), 0);
	memset(&m, 0, sizeof m);
	strcpy(m.role, "member");
	strcpy(m.state, "member");
	for (i = 2; i >= 0; i--) {
		memcpy(m.gid, g1, 16);
		memcpy(m.user, users[i], 32);
		m.joined_seq = users[i][0];
		CHECK_EQ(store_member_put(st, txn, &m), 0);
	}
	memcpy(m.gid, g2, 16);
	memcpy(m.user, users[0], 32);
	m.joined_seq = users[0][0];
	CHECK_EQ(store_member_put(st, txn, &m), 0);

	memset(&l, 0, sizeof l);
	CHECK_EQ(store_member_iter(st, txn, g1, test_member_cb, &l), 0);
	CHECK_EQ(l.n, 3);
	CHECK(l.first[0][0] == 0x10 && l.first[1][0] == 0x20 && l.first[2][0] == 0x30);
	CHECK_EQ(l.bad, 0);
	memset(&l, 0, sizeof l);
	CHECK_EQ(store_member_iter(st, txn, g2, test_member_cb, &l), 0);
	CHECK_EQ(l.n, 1);

	memset(&l, 0, sizeof l);
	CHECK_EQ(store_user_groups_iter(st, txn, users[0], test_ugroup_cb, &l), 0);
	CHECK_EQ(l.n, 2);
	CHECK(memcmp(l.first[0], g1, 16) == 0 && memcmp(l.first[1], g2, 16) == 0);

	CHECK_EQ(store_member_del(st, txn, g1, users[0]), 0);
	CHECK_EQ(store_member_del(st, txn, g1, users[0]), STORE_NOTFOUND);
	CHECK_EQ(store_member_get(st, txn, g1, users[0], &m), STORE_NOTFOUND);
	memset(&l, 0, sizeof l);
	CHECK_EQ(store_user_groups_iter(st, txn, users[0], test_ugroup_cb, &l), 0);
	CHECK_EQ(l.n, 1);
	CHECK(memcmp(l.first[0], g2, 16) == 0);
	memset(&l, 0, sizeof l);
	CHECK_EQ(store_member_iter(st, txn, g1, test_member_cb, &l), 0);
	CHECK_EQ(l.n, 2);
	memset(&l, 0, sizeof l);
	CHECK_EQ(store_user_groups_iter(st, txn, users[1], test_ugroup_cb, &l), 0);
	CHECK_EQ(l.n, 1);

	/* Key records: epochs 1, 2, 256 for several recipients, including ones around `to`. */
	memset(to, 0x20, 32);
	memset(&k, 0, sizeof k);
	{
		static const uint32_t epochs[] = { 256, 1, 2 };
		static const uint8_t tos[] = { 0x30, 0x10, 0x20 };
		int e, t;

		for (e = 0; e < 3; e++)
			for (t = 0; t < 3; t++) {
				if (epochs[e] == 2 && tos[t] == 0x20)
					continue;	/* a gap: `to` has no key in epoch 2 */
				memcpy(k.gid, g1, 16);
				k.epoch = epochs[e];
				memset(k.to, tos[t], 32);
				memset(k.from, (uint8_t)k.epoch, 32);
				CHECK_EQ(store_key_put(st, txn, &k), 0);
			}
		memcpy(k.gid, g2, 16);
		k.epoch = 1;
		memcpy(k.to, to, 32);
		memset(k.from, 1, 32);
		CHECK_EQ(store_key_put(st, txn, &k), 0);
	}
	memset(&l, 0, sizeof l);
	CHECK_EQ(store_key_iter(st, txn, g1, to, test_key_cb, &l), 0);
	CHECK_EQ(l.n, 2);
	CHECK_EQ(l.epochs[0], 1);
	CHECK_EQ(l.epochs[1], 256);
	CHECK(memcmp(l.first[0], to, 32) == 0 && memcmp(l.first[1], to, 32) == 0);
	CHECK_EQ(l.bad, 0);
	memset(to, 0x30, 32);
	memset(&l, 0, sizeof l);
	CHECK_EQ(store_key_iter(st, txn, g1, to, test_key_cb, &l), 0);
	CHECK_EQ(l.n, 3);
	CHECK(l.epochs[0] == 1 && l.epochs[1] == 2 && l.epochs[2] == 256);
	memset(to, 0x40, 32);
	memset(&l, 0, sizeof l);
	CHECK_EQ(store_key_iter(st, txn, g1, to, test_key_cb, &l), 0);
	CHECK_EQ(l.n, 0);
	CHECK_EQ(store_commit(txn), 0);
	store_close(st);
}

/* Write one raw value into a named db of a closed store, behind the store's back. */
static int
test_raw_put(const char *dir, const char *db, const void *k, size_t klen, const void *v,
    size_t vlen)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val key, val;
	int rc;

	if (mdb_env_create(&env) != 0)
		return -1;
	mdb_env_set_maxdbs(env, 16);
	if ((rc = mdb_env_open(env, dir, 0, 0600)) == 0 &&
	    (rc = mdb_txn_begin(env, NULL, 0, &txn)) == 0) {
		key.mv_data = (void *)k;
		key.mv_size = klen;
		val.mv_data = (void *)v;
		val.mv_size = vlen;
		if ((rc = mdb_dbi_open(txn, db, 0, &dbi)) == 0 &&
		    (rc = mdb_put(txn, dbi, &key, &val, 0)) == 0)
			rc = mdb_txn_commit(txn);
		else
			mdb_txn_abort(txn);
	}
	mdb_env_close(env);
	return rc == 0 ? 0 : -1;
}

static void
test_damage(void)
{
	const char *dir;
	struct store *st;
	MDB_txn *txn;
	struct user_rec u;
	struct msg_rec m;
	struct test_seqs s;
	char err[512], path[300];
	uint8_t junk[4096], pk[32], mkey[24];
	static const uint8_t v99[] = { 0x63 };
	/* A user_rec array whose name claims 200 bytes that are not there. */
	static const uint8_t short_str[] = { 0x94, 0xc4, 0x20 };
	/* An array32 header claiming 4 billion fields. */
	static const uint8_t huge[] = { 0xdd, 0xff, 0xff, 0xff, 0xff, 0x00 };
	int fd, i;

	/* Garbage over the first page: LMDB refuses the file. */
	dir = test_dir();
	store_close(test_create(dir));
	snprintf(path, sizeof path, "%s/data.mdb", dir);
	for (i = 0; i < (int)sizeof junk; i++)
		junk[i] = (uint8_t)(i * 31 + 17);
	fd = open(path, O_WRONLY);
	CHECK(fd != -1);
	CHECK_EQ(pwrite(fd, junk, sizeof junk, 0), (long long)sizeof junk);
	close(fd);
	err[0] = '\0';
	CHECK_EQ(store_open(&st, dir, 0, err, sizeof err), -1);
	CHECK(strstr(err, "is damaged or not a Yishi store (lmdb: ") != NULL);
	CHECK_EQ(store_open(&st, dir, STORE_RDONLY, err, sizeof err), -1);
	CHECK(strstr(err, "is damaged") != NULL);

	/* An empty data.mdb (an init that died) is damaged, and stays empty. */
	dir = test_dir();
	CHECK_EQ(mkdir(dir, 0700), 0);
	snprintf(path, sizeof path, "%s/data.mdb", dir);
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	close(fd);
	CHECK_EQ(store_open(&st, dir, 0, err, sizeof err), -1);
	CHECK(strstr(err, "is damaged") != NULL);

	/* Schema 99, written by raw LMDB. */
	dir = test_dir();
	store_close(test_create(dir));
	CHECK_EQ(test_raw_put(dir, "meta", "schema", 6, v99, sizeof v99), 0);
	err[0] = '\0';
	CHECK_EQ(store_open(&st, dir, 0, err, sizeof err), -1);
	CHECK(strstr(err, "has schema version 99; this yishi-node reads version 2") != NULL);

	/* Damaged record values: -1, no crash, the store stays usable. */
	dir = test_dir();
	store_close(test_create(dir));
	memset(pk, 0x55, sizeof pk);
	CHECK_EQ(test_raw_put(dir, "users", pk, sizeof pk, short_str, sizeof short_str), 0);
	memset(mkey, 0x66, 16);
	memset(mkey + 16, 0, 8);
	mkey[23] = 1;
	CHECK_EQ(test_raw_put(dir, "msgs", mkey, sizeof mkey, huge, sizeof huge), 0);
	CHECK_EQ(store_open(&st, dir, 0, err, sizeof err), 0);
	CHECK_EQ(store_begin(st, 0, &txn), 0);
	CHECK_EQ(store_user_get(st, txn, pk, &u), -1);
	CHECK_EQ(store_msg_get(st, txn, mkey, 1, &m), -1);
	memset(&s, 0, sizeof s);
	CHECK_EQ(store_msg_iter(st, txn, mkey, 0, test_msg_cb, &s), -1);
	CHECK_EQ(s.n, 0);
	store_abort(txn);
	store_close(st);

	/* A valid record filed under another key is damaged too. */
	dir = test_dir();
	st = test_create(dir);
	memset(&u, 0, sizeof u);
	memset(u.pk, 0x77, 32);
	strcpy(u.name, "moved");
	strcpy(u.role, "resident");
	CHECK_EQ(store_begin(st, 1, &txn), 0);
	CHECK_EQ(store_user_put(st, txn, &u), 0);
	CHECK_EQ(store_commit(txn), 0);
	store_close(st);
	{
		MDB_env *env;
		MDB_dbi dbi;
		MDB_val key, val;
		uint8_t copy[256], other[32];

		memset(other, 0x78, 32);
		CHECK_EQ(mdb_env_create(&env), 0);
		mdb_env_set_maxdbs(env, 16);
		CHECK_EQ(mdb_env_open(env, dir, 0, 0600), 0);
		CHECK_EQ(mdb_txn_begin(env, NULL, 0, &txn), 0);
		CHECK_EQ(mdb_dbi_open(txn, "users", 0, &dbi), 0);
		key.mv_data = u.pk;
		key.mv_size = 32;
		CHECK_EQ(mdb_get(txn, dbi, &key, &val), 0);
		CHECK(val.mv_size <= sizeof copy);
		memcpy(copy, val.mv_data, val.mv_size);
		val.mv_data = copy;
		key.mv_data = other;
		CHECK_EQ(mdb_put(txn, dbi, &key, &val, 0), 0);
		CHECK_EQ(mdb_txn_commit(txn), 0);
		mdb_env_close(env);

		CHECK_EQ(store_open(&st, dir, 0, err, sizeof err), 0);
		CHECK_EQ(store_begin(st, 0, &txn), 0);
		CHECK_EQ(store_user_get(st, txn, u.pk, &u), 0);
		CHECK_EQ(store_user_get(st, txn, other, &u), -1);
		store_abort(txn);
		store_close(st);
	}
}

/*
 * A data.mdb cut short at any page past the meta pages is refused as damaged, read-write
 * and read-only, instead of faulting on a page past its end; cut inside the second
 * meta page, LMDB itself refuses it.
 */
static void
test_truncated(void)
{
	static const struct {
		off_t		 at;	/* negative: that many bytes off the end */
		const char	*why;
	} cuts[] = {
		{ 4096, "(lmdb: " }, { 8192, "(data.mdb is cut short: 8192 bytes of " },
		{ 12288, "cut short" }, { 16384, "cut short" }, { 20480, "cut short" },
		{ -4096, "cut short" }
	};
	struct store *st;
	MDB_txn *txn;
	struct msg_rec m;
	struct stat sb;
	char err[512], path[300];
	uint8_t nonce[24] = { 0 }, sig[64] = { 0 }, ct[300];
	const char *dir;
	size_t i;

	for (i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
		dir = test_dir();
		st = test_create(dir);
		CHECK_EQ(store_begin(st, 1, &txn), 0);
		memset(&m, 0, sizeof m);
		test_fill(m.gid, 16, 40);
		m.nonce = nonce;
		m.sig = sig;
		m.ct = ct;
		m.ctlen = sizeof ct;
		for (m.seq = 1; m.seq <= 100; m.seq++) {
			test_fill(ct, sizeof ct, (uint8_t)m.seq);
			m.id[0] = (uint8_t)m.seq;
			CHECK_EQ(store_msg_put(st, txn, &m), 0);
		}
		CHECK_EQ(store_commit(txn), 0);
		store_close(st);

		snprintf(path, sizeof path, "%s/data.mdb", dir);
		CHECK_EQ(stat(path, &sb), 0);
		CHECK(sb.st_size > 24576);
		CHECK_EQ(truncate(path, cuts[i].at > 0 ? cuts[i].at : sb.st_size + cuts[i].at), 0);
		err[0] = '\0';
		CHECK_EQ(store_open(&st, dir, 0, err, sizeof err), -1);
		CHECK(st == NULL);
		CHECK(strstr(err, "is damaged or not a Yishi store") != NULL);
		CHECK(strstr(err, dir) != NULL);
		CHECK(strstr(err, cuts[i].why) != NULL);
		err[0] = '\0';
		CHECK_EQ(store_open(&st, dir, STORE_RDONLY, err, sizeof err), -1);
		CHECK(strstr(err, cuts[i].why) != NULL);
	}
}

/* The file at path holds the n bytes at p somewhere. */
static int
test_file_has(const char *path, const uint8_t *p, size_t n)
{
	uint8_t *buf;
	size_t len, i;
	FILE *fp;
	int found = 0;

	if ((fp = fopen(path, "rb")) == NULL || fseek(fp, 0, SEEK_END) != 0)
		return -1;
	len = (size_t)ftell(fp);
	rewind(fp);
	if ((buf = malloc(len)) == NULL || fread(buf, 1, len, fp) != len) {
		free(buf);
		fclose(fp);
		return -1;
	}
	fclose(fp);
	for (i = 0; i + n <= len && !found; i++)
		found = memcmp(buf + i, p, n) == 0;
	free(buf);
	return found;
}

/*
 * Deleted messages are counted, and store_purge() leaves a data.mdb without a byte of
 * them (inline, one overflow page, several) and with everything else.
 */
static void
test_purge(void)
{
	static const uint32_t sizes[] = { 300, 3000, 20000 };
	struct store *st;
	MDB_txn *txn;
	struct msg_rec m, got;
	char err[512], path[300];
	uint8_t nonce[24] = { 0 }, sig[64] = { 0 }, ct[20000], id[16];
	const char *dir = test_dir();
	uint64_t n, seq;
	int gone;

	st = test_create(dir);
	snprintf(path, sizeof path, "%s/data.mdb", dir);
	CHECK_EQ(store_purge(st, &n, err, sizeof err), 0);
	CHECK_EQ(n, 0);

	/* Message k (1..60) has ciphertext of sizes[k % 3] bytes filled from seed k. */
	memset(&m, 0, sizeof m);
	test_fill(m.gid, 16, 50);
	m.nonce = nonce;
	m.sig = sig;
	m.ct = ct;
	CHECK_EQ(store_begin(st, 1, &txn), 0);
	for (seq = 1; seq <= 60; seq++) {
		m.seq = seq;
		m.ctlen = sizes[seq % 3];
		test_fill(ct, m.ctlen, (uint8_t)seq);
		ct[0] = ct[1] = (uint8_t)seq;	/* every message's bytes differ */
		m.id[0] = (uint8_t)seq;
		CHECK_EQ(store_msg_put(st, txn, &m), 0);
	}
	CHECK_EQ(store_commit(txn), 0);
	/* Delete one of each size, in two transactions. */
	for (seq = 10; seq <= 12; seq++) {
		CHECK_EQ(store_begin(st, 1, &txn), 0);
		CHECK_EQ(store_msg_del(st, txn, m.gid, seq), 0);
		CHECK_EQ(store_msg_del(st, txn, m.gid, 1000 + seq), STORE_NOTFOUND);
		CHECK_EQ(store_commit(txn), 0);
	}
	/* An aborted delete is not counted. */
	CHECK_EQ(store_begin(st, 1, &txn), 0);
	CHECK_EQ(store_msg_del(st, txn, m.gid, 20), 0);
	store_abort(txn);
	CHECK_EQ(store_purge_pending(st, &n), 0);
	CHECK_EQ(n, 3);

	/*
	 * The pages the last two commits freed cannot have been reused yet: what they
	 * deleted is still in the file, so the check below can see deleted bytes.
	 */
	for (seq = 11; seq <= 12; seq++) {
		test_fill(ct, sizes[seq % 3], (uint8_t)seq);
		ct[0] = ct[1] = (uint8_t)seq;
		CHECK_EQ(test_file_has(path, ct, 64), 1);
	}

	err[0] = '\0';
	CHECK_EQ(store_purge(st, &n, err, sizeof err), 0);
	CHECK_EQ(n, 3);
	CHECK(err[0] == '\0');
	for (seq = 1; seq <= 60; seq++) {
		test_fill(ct, sizes[seq % 3], (uint8_t)seq);
		ct[0] = ct[1] = (uint8_t)seq;
		CHECK_EQ(test_file_has(path, ct, 64), seq >= 10 && seq <= 12 ? 0 : 1);
	}
	snprintf(path, sizeof path, "%s/purge.mdb", dir);
	CHECK(access(path, F_OK) == -1);

	/* The store is open on the new file and holds the rest, the ids of all. */
	CHECK_EQ(store_purge_pending(st, &n), 0);
	CHECK_EQ(n, 0);
	CHECK_EQ(store_begin(st, 0, &txn), 0);
	for (seq = 1; seq <= 60; seq++) {
		gone = seq >= 10 && seq <= 12;
		CHECK_EQ(store_msg_get(st, txn, m.gid, seq, &got), gone ? STORE_NOTFOUND : 0);
		if (!gone)
			CHECK_EQ(got.ctlen, sizes[seq % 3]);
		memset(id, 0, sizeof id);
		id[0] = (uint8_t)seq;
		CHECK_EQ(store_msg_by_id(st, txn, m.gid, id, &n), 0);
		CHECK_EQ(n, seq);
	}
	store_abort(txn);
	CHECK_EQ(store_begin(st, 1, &txn), 0);
	m.seq = 61;
	m.ctlen = 10;
	m.id[0] = 61;
	CHECK_EQ(store_msg_put(st, txn, &m), 0);
	CHECK_EQ(store_commit(txn), 0);
	CHECK_EQ(store_purge(st, &n, err, sizeof err), 0);
	CHECK_EQ(n, 0);
	store_close(st);

	/* And reopens as a store of this schema; a read-only store is never rewritten. */
	CHECK_EQ(store_open(&st, dir, STORE_RDONLY, err, sizeof err), 0);
	CHECK_EQ(store_purge(st, &n, err, sizeof err), -1);
	store_close(st);
}

static int
test_rm(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)type;
	(void)ftw;
	return remove(path);
}

int
main(void)
{
	if (mkdtemp(test_root) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_open_close();
	test_records();
	test_durable();
	test_msgs();
	test_members_keys();
	test_damage();
	test_truncated();
	test_purge();
	nftw(test_root, test_rm, 16, FTW_DEPTH | FTW_PHYS);
	return check_done("store");
}
