/*
 * outboxopen.c: what a parent-level reader can do with an escalated case waiting in
 * a station's outbox.
 *
 *     outboxopen --home DIR <PAYLOAD_HEX
 *
 * Reads one outbox payload in hex (the "payload" of `yishi-node outbox --json`): the
 * msgpack array [meta, sig, body, [[reader, seal], ...]] (docs/protocol.md). Checks
 * the reporter's signature on the metadata and prints "readers N" and one "reader
 * HEX" line per seal, then, as DIR's user, looks for a seal made for it: "sealed to
 * me" or "not sealed to me". With one, it opens the body key and the body (the
 * metadata as associated data) and prints "opened" and "text TEXT", or "does not
 * open". The end-to-end tests use it to check that the client seals reports to the
 * escalation readers the node publishes and that nobody else can read them.
 * Exit status: 0 if the body opened, 1 if it did not (no seal for us, or the seal or
 * body does not open), 2 for bad usage or a malformed payload.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <msgpack.h>
#include <sodium.h>

#include "client/cerr.h"
#include "client/home.h"
#include "proto/case.h"
#include "proto/crypto.h"

/* The hex of a payload: the largest body, its seals, the metadata and framing. */
#define OUTBOXOPEN_HEX_MAX	(2 * (REPORT_BODY_MAX + 256 * (REPORT_SEAL_BYTES + 40) + 1024))

static void
outboxopen_usage(void)
{
	fprintf(stderr, "usage: outboxopen --home DIR <PAYLOAD_HEX\n");
	exit(2);
}

static void
outboxopen_malformed(const char *what)
{
	fprintf(stderr, "outboxopen: malformed payload: %s\n", what);
	exit(2);
}

static int
outboxopen_bin(const msgpack_object *o, size_t len)
{
	return o->type == MSGPACK_OBJECT_BIN && (len == 0 || o->via.bin.size == len);
}

/* Open the body with the key sealed to me; prints what happened. 0 if it opened. */
static int
outboxopen_body(const struct ident *me, const uint8_t seal[REPORT_SEAL_BYTES],
    const msgpack_object *meta, const msgpack_object *body)
{
	static struct report_body b;
	uint8_t key[YISHI_KEY_BYTES], *pt;
	size_t ptlen;
	int rc;

	if (body->via.bin.size < YISHI_NONCE_BYTES + YISHI_TAG_BYTES)
		outboxopen_malformed("the body is truncated");
	if (report_open_key(me, seal, key) != 0) {
		printf("does not open\n");
		return -1;
	}
	ptlen = body->via.bin.size - YISHI_NONCE_BYTES - YISHI_TAG_BYTES;
	if ((pt = malloc(ptlen + 1)) == NULL) {
		sodium_memzero(key, sizeof key);
		fprintf(stderr, "outboxopen: out of memory\n");
		exit(2);
	}
	rc = report_open_body(key, (const uint8_t *)meta->via.bin.ptr, meta->via.bin.size,
	    (const uint8_t *)body->via.bin.ptr, body->via.bin.size, pt);
	sodium_memzero(key, sizeof key);
	if (rc != 0 || report_body_decode(pt, ptlen, &b) != 0) {
		printf("does not open\n");
		free(pt);
		return -1;
	}
	printf("opened\ntext %s\n", b.text);
	sodium_memzero(&b, sizeof b);
	sodium_memzero(pt, ptlen);
	free(pt);
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "home", required_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 }
	};
	static char hex[OUTBOXOPEN_HEX_MAX + 2];
	const msgpack_object *p, *meta, *sig, *body, *seals, *r;
	const uint8_t *mine = NULL;
	struct report_meta m;
	struct home h;
	struct ident me;
	struct cerr e;
	msgpack_unpacked u;
	char name[WIRE_MAX_NAME + 1], rhex[2 * YISHI_PK_BYTES + 1];
	uint8_t *buf;
	size_t n, len, off = 0;
	uint32_t i;
	const char *home = NULL;
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch != 'H')
			outboxopen_usage();
		home = optarg;
	}
	if (home == NULL || optind != argc)
		outboxopen_usage();
	if (crypto_init() != 0)
		return 2;
	memset(&e, 0, sizeof e);
	if (home_init(&h, home, &e) != 0 ||
	    home_ident_load(&h, &me, name, sizeof name, &e) != 0) {
		fprintf(stderr, "outboxopen: %s: %s\n", home, e.msg);
		return 2;
	}
	n = fread(hex, 1, sizeof hex - 1, stdin);
	while (n > 0 && (hex[n - 1] == '\n' || hex[n - 1] == '\r'))
		n--;
	hex[n] = '\0';
	if (n == 0 || n % 2 != 0 || n > OUTBOXOPEN_HEX_MAX || (buf = malloc(n / 2)) == NULL ||
	    hex_decode(buf, n / 2, hex) != 0)
		outboxopen_malformed("not hex, or too long");
	len = n / 2;

	msgpack_unpacked_init(&u);
	if (msgpack_unpack_next(&u, (const char *)buf, len, &off) != MSGPACK_UNPACK_SUCCESS ||
	    off != len)
		outboxopen_malformed("not one msgpack object");
	p = &u.data;
	if (p->type != MSGPACK_OBJECT_ARRAY || p->via.array.size != 4)
		outboxopen_malformed("not [meta, sig, body, seals]");
	meta = &p->via.array.ptr[0];
	sig = &p->via.array.ptr[1];
	body = &p->via.array.ptr[2];
	seals = &p->via.array.ptr[3];
	if (!outboxopen_bin(meta, 0) || !outboxopen_bin(sig, YISHI_SIG_BYTES) ||
	    !outboxopen_bin(body, 0) || seals->type != MSGPACK_OBJECT_ARRAY)
		outboxopen_malformed("a field of the wrong type");
	if (report_meta_decode(meta->via.bin.ptr, meta->via.bin.size, &m) != 0 ||
	    report_meta_verify(m.reporter, (const uint8_t *)meta->via.bin.ptr,
	    meta->via.bin.size, (const uint8_t *)sig->via.bin.ptr) != 0)
		outboxopen_malformed("the reporter's signature on the metadata does not verify");
	printf("readers %u\n", seals->via.array.size);
	for (i = 0; i < seals->via.array.size; i++) {
		r = &seals->via.array.ptr[i];
		if (r->type != MSGPACK_OBJECT_ARRAY || r->via.array.size != 2 ||
		    !outboxopen_bin(&r->via.array.ptr[0], YISHI_PK_BYTES) ||
		    !outboxopen_bin(&r->via.array.ptr[1], REPORT_SEAL_BYTES))
			outboxopen_malformed("a seal is not [reader, seal]");
		printf("reader %s\n", hex_encode(rhex,
		    (const uint8_t *)r->via.array.ptr[0].via.bin.ptr, YISHI_PK_BYTES));
		if (memcmp(r->via.array.ptr[0].via.bin.ptr, me.pk, YISHI_PK_BYTES) == 0)
			mine = (const uint8_t *)r->via.array.ptr[1].via.bin.ptr;
	}
	if (mine == NULL) {
		printf("not sealed to me\n");
		rc = 1;
	} else {
		printf("sealed to me\n");
		rc = outboxopen_body(&me, mine, meta, body) == 0 ? 0 : 1;
	}
	msgpack_unpacked_destroy(&u);
	free(buf);
	ident_wipe(&me);
	return rc;
}
