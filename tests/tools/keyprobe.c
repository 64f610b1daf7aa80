/*
 * keyprobe.c: which epoch keys a member holds, shown only as fingerprints, and
 * whether those keys open a group's messages.
 *
 *     keyprobe --home DIR G
 *     keyprobe --home DIR --hold READER_DIR G SINCE
 *
 * The first form logs in as DIR's user, fetches the keys the node holds for them
 * in group G (32 hex) and prints one line per key: "epoch N fp HEX", where HEX is
 * a keyed BLAKE2b-128 of the key (crypto_generichash, key "yishi/keyprobe/1"),
 * never the key. A refused keys_get prints "refused NAME" and exits 1.
 *
 * The second form is a removed member's client kept running: it fetches and
 * prints DIR's keys as above, then "held N", and waits for a line on stdin (the
 * removal and the messages happen meanwhile). It then asks for DIR's keys again
 * and adds whatever the node still gives ("refetch N" or "refetch refused NAME"),
 * logs in as READER_DIR (a member who may read G's history; the ciphertexts are
 * no secret from the node either), and tries every held key on every message of G
 * after SINCE: "msg SEQ epoch E opened" or "msg SEQ epoch E sealed", then
 * "opened X of Y". Exit status: 0 if the run completed, 1 if a login or a request
 * failed, 2 for bad usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "client/account.h"
#include "client/keyring.h"
#include "client/post.h"
#include "client/session.h"
#include "proto/crypto.h"
#include "proto/wire.h"

#define KEYPROBE_FP_BYTES	16
#define KEYPROBE_FP_CTX		"yishi/keyprobe/1"

/* Keys held across the wait, with their epochs. */
struct keyprobe_held {
	struct keyring_key	*k;
	size_t			 n, cap;
};

static void
keyprobe_usage(void)
{
	fprintf(stderr, "usage: keyprobe --home DIR G\n"
	    "       keyprobe --home DIR --hold READER_DIR G SINCE\n");
	exit(2);
}

static void
keyprobe_print_fp(uint32_t epoch, const uint8_t key[YISHI_KEY_BYTES])
{
	uint8_t fp[KEYPROBE_FP_BYTES];
	char hex[2 * KEYPROBE_FP_BYTES + 1];

	crypto_generichash(fp, sizeof fp, key, YISHI_KEY_BYTES,
	    (const uint8_t *)KEYPROBE_FP_CTX, strlen(KEYPROBE_FP_CTX));
	printf("epoch %u fp %s\n", epoch, hex_encode(hex, fp, sizeof fp));
}

/* Add the key unless an identical one is held already; -1 if out of memory. */
static int
keyprobe_hold(struct keyprobe_held *h, const struct keyring_key *k)
{
	struct keyring_key *nk;
	size_t i;

	for (i = 0; i < h->n; i++)
		if (sodium_memcmp(h->k[i].key, k->key, YISHI_KEY_BYTES) == 0)
			return 0;
	if (h->n == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 8;
		if ((nk = sodium_allocarray(h->cap, sizeof *nk)) == NULL)
			return -1;
		if (h->n > 0)
			memcpy(nk, h->k, h->n * sizeof *nk);
		sodium_free(h->k);
		h->k = nk;
	}
	h->k[h->n++] = *k;
	return 0;
}

/*
 * Log in as home, fetch its keys of gid, print them and hold them. 0, 1 if the
 * node refused the keys_get (printed as "PREFIX refused NAME"), -1 on failure.
 */
static int
keyprobe_fetch(const char *home, const uint8_t gid[YISHI_GID_BYTES],
    struct keyprobe_held *h, const char *prefix)
{
	struct account a;
	struct session *s;
	struct keyring kr;
	struct cerr e;
	size_t i;
	int rc = 0;

	memset(&e, 0, sizeof e);
	if (account_load(&a, home, &e) != 0 ||
	    (s = account_connect(&a, NULL, ACCOUNT_LOGIN, NULL, &e)) == NULL) {
		fprintf(stderr, "keyprobe: %s: %s\n", home, e.msg);
		return -1;
	}
	keyring_init(&kr, gid);
	if (keyring_fetch(&kr, s, &a.me, &e) == -1) {
		if (e.code > 0 && e.code < CE_USAGE) {
			printf("%s%srefused %s\n", prefix, *prefix ? " " : "",
			    wire_err_name(e.code));
			rc = 1;
		} else {
			fprintf(stderr, "keyprobe: keys_get: %s\n", e.msg);
			rc = -1;
		}
	} else {
		if (*prefix)
			printf("%s %zu\n", prefix, kr.n);
		for (i = 0; i < kr.n && rc == 0; i++) {
			keyprobe_print_fp(kr.keys[i].epoch, kr.keys[i].key);
			if (h != NULL && keyprobe_hold(h, &kr.keys[i]) == -1)
				rc = -1;
		}
	}
	keyring_clear(&kr);
	session_free(s);
	account_wipe(&a);
	return rc;
}

/* Try every held key on message m; 1 if one opens it. */
static int
keyprobe_try(const struct keyprobe_held *h, const struct wire_rec *m,
    const uint8_t gid[YISHI_GID_BYTES], uint32_t epoch)
{
	struct keyring_key one;
	struct keyring kr;
	struct post p;
	size_t i;
	int opened = 0;

	for (i = 0; i < h->n && !opened; i++) {
		/* Label each key with the message's epoch, so a key reused is found. */
		one = h->k[i];
		one.epoch = epoch;
		kr.keys = &one;
		kr.n = 1;
		memcpy(kr.gid, gid, YISHI_GID_BYTES);
		post_open(&p, m, gid, &kr);
		opened = p.ok;
		sodium_memzero(&one, sizeof one);
		sodium_memzero(p.text, sizeof p.text);
	}
	return opened;
}

/* Read gid's history after since as reader and try the held keys on it. */
static int
keyprobe_messages(const char *reader, const uint8_t gid[YISHI_GID_BYTES], uint64_t since,
    const struct keyprobe_held *h)
{
	struct account a;
	struct session *s;
	struct wire_frame *f;
	struct wire_rec r, m;
	struct cerr e;
	uint32_t i, epoch;
	uint64_t seq;
	unsigned long tried = 0, opened = 0;
	int more = 1, rc = 0, ok;

	memset(&e, 0, sizeof e);
	if (account_load(&a, reader, &e) != 0 ||
	    (s = account_connect(&a, NULL, ACCOUNT_LOGIN, NULL, &e)) == NULL) {
		fprintf(stderr, "keyprobe: %s: %s\n", reader, e.msg);
		return -1;
	}
	while (more && rc == 0) {
		wire_rec_init(&r, &wire_kinds[WK_HISTORY]);
		wire_set_bin(&r, WF_GROUP, gid, YISHI_GID_BYTES);
		wire_set_uint(&r, WF_SINCE, since);
		if ((f = session_call(s, WK_HISTORY, &r, WK_MSGS, &e)) == NULL) {
			fprintf(stderr, "keyprobe: history: %s\n", e.msg);
			rc = -1;
			break;
		}
		more = wire_has(&f->r, WF_MORE) && wire_u(&f->r, WF_MORE) != 0 &&
		    f->r.f[WF_MSGS].len > 0;
		for (i = 0; i < f->r.f[WF_MSGS].len; i++) {
			if (wire_array_get(&f->r.f[WF_MSGS], i, &wire_records[WR_MSG], &m) != WE_OK)
				continue;
			seq = wire_u(&m, WF_SEQ);
			if (seq > since)
				since = seq;
			if ((epoch = post_epoch(&m)) == 0)
				continue;	/* a tombstone */
			ok = keyprobe_try(h, &m, gid, epoch);
			printf("msg %llu epoch %u %s\n", (unsigned long long)seq, epoch,
			    ok ? "opened" : "sealed");
			tried++;
			opened += ok;
		}
		session_frame_free(f);
	}
	if (rc == 0)
		printf("opened %lu of %lu\n", opened, tried);
	session_free(s);
	account_wipe(&a);
	return rc;
}

int
main(int argc, char **argv)
{
	struct keyprobe_held h = { NULL, 0, 0 };
	uint8_t gid[YISHI_GID_BYTES];
	const char *home = NULL, *reader = NULL, *ghex;
	char line[64], *end;
	unsigned long long since = 0;
	int i, rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 1; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		if (strcmp(argv[i], "--home") == 0 && i + 1 < argc)
			home = argv[++i];
		else if (strcmp(argv[i], "--hold") == 0 && i + 1 < argc)
			reader = argv[++i];
		else
			keyprobe_usage();
	}
	if (home == NULL || argc - i != (reader != NULL ? 2 : 1))
		keyprobe_usage();
	ghex = argv[i];
	if (strlen(ghex) != 2 * YISHI_GID_BYTES || hex_decode(gid, sizeof gid, ghex) != 0)
		keyprobe_usage();
	if (reader != NULL) {
		since = strtoull(argv[i + 1], &end, 10);
		if (*argv[i + 1] == '\0' || *end != '\0')
			keyprobe_usage();
	}
	if (crypto_init() == -1)
		return 1;
	if (reader == NULL)
		return keyprobe_fetch(home, gid, NULL, "") == 0 ? 0 : 1;

	if (keyprobe_fetch(home, gid, &h, "") != 0)
		return 1;
	printf("held %zu\n", h.n);
	if (fgets(line, sizeof line, stdin) == NULL)
		fprintf(stderr, "keyprobe: stdin closed; probing now\n");
	if ((rc = keyprobe_fetch(home, gid, &h, "refetch")) == -1 ||
	    keyprobe_messages(reader, gid, since, &h) == -1)
		rc = -1;
	sodium_free(h.k);
	return rc == -1 ? 1 : 0;
}
