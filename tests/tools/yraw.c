/*
 * yraw.c: signed requests as a user, without the `yishi` client's own checks.
 *
 *     yraw --home DIR [--epoch N] ACTION...
 *
 * Logs in to the home's node with the home's identity (the client library does
 * that part), then performs each ACTION in order on the one connection and prints
 * the node's reply as one line, in wsraw's form ("frame t=ack rid=2 seq=5",
 * "frame t=error code=15 rid=2 name=not_member msg=..."). Actions:
 *
 *     send G TEXT	seal TEXT for group G (32 hex) at epoch N (default 1) under a
 *			random key, which no member holds, sign it and send it
 *     badsig G TEXT	the same with one bit of the signature flipped
 *     history G	ask for G's messages; prints "frame t=msgs rid=R n=COUNT"
 *     replay G SEQ	fetch message SEQ of G and send it again, byte for byte, as ours
 *
 * The end-to-end tests use it to check what the node itself enforces (membership,
 * epochs, signatures, the sender named in the header, duplicates), which the client
 * would refuse before it ever asked. Exit status: 0 if every action got a reply,
 * 1 if the login or a request failed, 2 for bad usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/account.h"
#include "client/post.h"
#include "client/session.h"
#include "proto/crypto.h"
#include "proto/wire.h"

static void
yraw_usage(void)
{
	fprintf(stderr, "usage: yraw --home DIR [--epoch N] ACTION...\n"
	    "ACTION: send G TEXT | badsig G TEXT | history G | replay G SEQ\n");
	exit(2);
}

static void
yraw_print_str(const struct wire_rec *r, enum wire_field f)
{
	const struct wire_val *v = &r->f[f];
	uint32_t i;

	for (i = 0; i < v->len; i++) {
		if (v->p[i] < ' ' || v->p[i] == '\\' || v->p[i] == 0x7f)
			printf("\\x%02x", v->p[i]);
		else
			putchar(v->p[i]);
	}
}

/* Print a reply frame as one line (the same form as wsraw's). */
static void
yraw_print(const struct wire_frame *f)
{
	printf("frame t=%s", wire_kinds[f->kind].name);
	if (f->kind == WK_ERROR) {
		printf(" code=%llu rid=%llu name=%s msg=",
		    (unsigned long long)wire_u(&f->r, WF_CODE), (unsigned long long)f->rid,
		    wire_err_name((int)wire_u(&f->r, WF_CODE)));
		yraw_print_str(&f->r, WF_MSG);
	} else {
		printf(" rid=%llu", (unsigned long long)f->rid);
		if (wire_has(&f->r, WF_SEQ))
			printf(" seq=%llu", (unsigned long long)wire_u(&f->r, WF_SEQ));
		if (f->kind == WK_MSGS)
			printf(" n=%u", f->r.f[WF_MSGS].len);
	}
	printf("\n");
	fflush(stdout);
}

static void
yraw_gid(const char *hex, uint8_t gid[YISHI_GID_BYTES])
{
	if (strlen(hex) != 2 * YISHI_GID_BYTES || hex_decode(gid, YISHI_GID_BYTES, hex) != 0) {
		fprintf(stderr, "yraw: %s: a group id is 32 hex digits\n", hex);
		exit(2);
	}
}

/* Send a request and print its reply; -1 if there was none. */
static int
yraw_request(struct session *s, enum wire_kind k, const struct wire_rec *r)
{
	struct wire_frame *f;
	struct cerr e;

	memset(&e, 0, sizeof e);
	if ((f = session_request(s, k, r, &e)) == NULL) {
		printf("failed %s\n", e.msg);
		fprintf(stderr, "yraw: %s: %s\n", wire_kinds[k].name, e.msg);
		return -1;
	}
	yraw_print(f);
	session_frame_free(f);
	return 0;
}

static int
yraw_send(struct session *s, const struct account *a, const char *ghex, uint32_t epoch,
    const char *text, int badsig)
{
	struct post_sealed ps;
	struct wire_rec r;
	uint8_t gid[YISHI_GID_BYTES], key[YISHI_KEY_BYTES];

	yraw_gid(ghex, gid);
	epoch_key_new(key);
	if (post_seal(&ps, &a->me, gid, epoch, key, text, strlen(text)) != 0) {
		fprintf(stderr, "yraw: cannot seal the text\n");
		return -1;
	}
	if (badsig)
		ps.sig[0] ^= 1;
	post_sealed_rec(&ps, &r);
	return yraw_request(s, WK_SEND, &r);
}

static int
yraw_history(struct session *s, const char *ghex)
{
	struct wire_rec r;
	uint8_t gid[YISHI_GID_BYTES];

	yraw_gid(ghex, gid);
	wire_rec_init(&r, &wire_kinds[WK_HISTORY]);
	wire_set_bin(&r, WF_GROUP, gid, sizeof gid);
	return yraw_request(s, WK_HISTORY, &r);
}

static int
yraw_replay(struct session *s, const char *ghex, const char *seqs)
{
	struct wire_frame *f;
	struct wire_rec r, m;
	struct cerr e;
	uint8_t gid[YISHI_GID_BYTES];
	unsigned long long seq;
	char *end;
	int rc = -1;

	yraw_gid(ghex, gid);
	seq = strtoull(seqs, &end, 10);
	if (*seqs == '\0' || *end != '\0' || seq == 0)
		yraw_usage();
	wire_rec_init(&r, &wire_kinds[WK_HISTORY]);
	wire_set_bin(&r, WF_GROUP, gid, sizeof gid);
	wire_set_uint(&r, WF_SINCE, seq - 1);
	wire_set_uint(&r, WF_LIMIT, 1);
	memset(&e, 0, sizeof e);
	if ((f = session_call(s, WK_HISTORY, &r, WK_MSGS, &e)) == NULL) {
		printf("failed %s\n", e.msg);
		fprintf(stderr, "yraw: history: %s\n", e.msg);
		return -1;
	}
	if (f->r.f[WF_MSGS].len != 1 || wire_array_get(&f->r.f[WF_MSGS], 0,
	    &wire_records[WR_MSG], &m) != WE_OK || wire_u(&m, WF_SEQ) != seq) {
		printf("failed no message %llu\n", seq);
		fprintf(stderr, "yraw: replay: the node has no message %llu\n", seq);
		goto out;
	}
	/* The very bytes the node stored, as a new send from us. */
	wire_rec_init(&r, &wire_kinds[WK_SEND]);
	wire_set_bin(&r, WF_HDR, m.f[WF_HDR].p, m.f[WF_HDR].len);
	wire_set_bin(&r, WF_NONCE, m.f[WF_NONCE].p, m.f[WF_NONCE].len);
	wire_set_bin(&r, WF_CT, m.f[WF_CT].p, m.f[WF_CT].len);
	wire_set_bin(&r, WF_SIG, m.f[WF_SIG].p, m.f[WF_SIG].len);
	rc = yraw_request(s, WK_SEND, &r);
out:
	session_frame_free(f);
	return rc;
}

int
main(int argc, char **argv)
{
	struct account a;
	struct session *s;
	struct cerr e;
	const char *home = NULL;
	unsigned long epoch = 1;
	char *end;
	int i, status = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--home") == 0 && i + 1 < argc)
			home = argv[++i];
		else if (strcmp(argv[i], "--epoch") == 0 && i + 1 < argc) {
			epoch = strtoul(argv[++i], &end, 10);
			if (*end != '\0' || epoch == 0 || epoch > UINT32_MAX)
				yraw_usage();
		} else
			yraw_usage();
	}
	if (home == NULL || i == argc)
		yraw_usage();
	if (crypto_init() != 0) {
		fprintf(stderr, "yraw: cannot initialise libsodium\n");
		return 1;
	}
	memset(&e, 0, sizeof e);
	memset(&a, 0, sizeof a);
	if (account_load(&a, home, &e) != 0) {
		fprintf(stderr, "yraw: %s\n", e.msg);
		return 1;
	}
	if ((s = account_connect(&a, NULL, ACCOUNT_LOGIN, NULL, &e)) == NULL) {
		fprintf(stderr, "yraw: %s\n", e.msg);
		account_wipe(&a);
		return 1;
	}
	while (i < argc && status == 0) {
		if (strcmp(argv[i], "send") == 0 && i + 2 < argc) {
			status = yraw_send(s, &a, argv[i + 1], (uint32_t)epoch, argv[i + 2], 0);
			i += 3;
		} else if (strcmp(argv[i], "badsig") == 0 && i + 2 < argc) {
			status = yraw_send(s, &a, argv[i + 1], (uint32_t)epoch, argv[i + 2], 1);
			i += 3;
		} else if (strcmp(argv[i], "history") == 0 && i + 1 < argc) {
			status = yraw_history(s, argv[i + 1]);
			i += 2;
		} else if (strcmp(argv[i], "replay") == 0 && i + 2 < argc) {
			status = yraw_replay(s, argv[i + 1], argv[i + 2]);
			i += 3;
		} else
			yraw_usage();
	}
	session_free(s);
	account_wipe(&a);
	return status == 0 ? 0 : 1;
}
