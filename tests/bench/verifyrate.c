/*
 * verifyrate.c: how many message signatures one CPU of this machine verifies per
 * second: the ceiling of signed-message ingest for a node on that CPU.
 *
 *     verifyrate [--seconds S]
 *
 * Seals one message as a client does (msg_hdr_encode, body_encode, msg_seal with a
 * 300-byte text), then calls msg_verify, the node's own check, in a loop for S
 * seconds (default 2) and prints one JSON object: {"verifies_per_s", "us_per_verify"}.
 * Run it pinned to the CPU the node runs on (tests/bench/run does).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "proto/crypto.h"

#define VR_TEXT		300

static double
vr_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seconds", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 }
	};
	struct ident id;
	struct msg_hdr h;
	msgpack_sbuffer body;
	uint8_t hdr[YISHI_HDR_MAX], nonce[YISHI_NONCE_BYTES], sig[YISHI_SIG_BYTES];
	uint8_t key[YISHI_KEY_BYTES], ct[VR_TEXT + 64];
	char text[VR_TEXT];
	double seconds = 2, t0, t;
	size_t hdrlen, ctlen;
	unsigned long n = 0;
	int ch;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch != 's' || (seconds = atof(optarg)) <= 0) {
			fprintf(stderr, "usage: verifyrate [--seconds S]\n");
			return 2;
		}
	}
	if (crypto_init() != 0 || ident_new(&id) != 0)
		return 1;
	memset(&h, 0, sizeof h);
	randombytes_buf(h.group, sizeof h.group);
	randombytes_buf(h.id, sizeof h.id);
	h.epoch = 1;
	memcpy(h.sender, id.pk, YISHI_PK_BYTES);
	h.ts_ms = 1;
	hdrlen = msg_hdr_encode(&h, hdr);
	memset(text, 'x', sizeof text);
	epoch_key_new(key);
	msgpack_sbuffer_init(&body);
	if (body_encode(text, sizeof text, &body) != 0 || body.size + YISHI_TAG_BYTES > sizeof ct) {
		fprintf(stderr, "verifyrate: cannot encode the body\n");
		return 1;
	}
	msg_seal(&id, hdr, hdrlen, key, body.data, body.size, nonce, ct, sig);
	ctlen = body.size + YISHI_TAG_BYTES;
	t0 = vr_now();
	do {
		if (msg_verify(id.pk, hdr, hdrlen, nonce, ct, ctlen, sig) != 0) {
			fprintf(stderr, "verifyrate: the signature does not verify\n");
			return 1;
		}
		n++;
	} while ((n & 255) != 0 || (t = vr_now() - t0) < seconds);
	printf("{\"verifies_per_s\":%.0f,\"us_per_verify\":%.1f}\n", (double)n / t, t * 1e6 / (double)n);
	msgpack_sbuffer_destroy(&body);
	ident_wipe(&id);
	return 0;
}
