/*
 * test_crypto.c: proto/crypto.c against fixed vectors and every rejection it
 * promises. The signatures and public keys below were cross-checked with OpenSSL
 * (openssl pkeyutl -sign -rawin); the msgpack bytes by hand against the spec.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <msgpack.h>
#include <sodium.h>

#include "proto/crypto.h"
#include "tests/unit/check.h"

/* Seed 0x00..0x1f: the user "A"; seed 0x20..0x3f: the node "B". */
#define A_PK_HEX	"03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8"
#define B_PK_HEX	"29acbae141bccaf0b22e1a94d34d0bc7361e526d0bfe12c89794bc9322966dd7"

/* auth_sign(A, node B, challenge 0x40..0x5f). */
#define AUTH_SIG_HEX	"ecbdf1b0311956fce28a592472038088ae3020d7cf1c36208804d020cab5a7ce" \
			"1716f6681ee02ab54871a1890e2d667013e8aeb4531110f1c4e271d4affcc10d"

/* [1, a0..af, 7, A, 1700000000000, b0..bf] */
#define HDR_HEX		"96" "01" "c410" "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf" "07" \
			"c420" A_PK_HEX "cf0000018bcfe56800" \
			"c410" "b0b1b2b3b4b5b6b7b8b9babbbcbdbebf"

/* cert_role_make(B, A, "Alice", "admin", 1700000000000) */
#define CERT_BODY_HEX	"96" "ac" "7969736869 2f726f6c652f31" "c420" B_PK_HEX "c420" A_PK_HEX \
			"a5416c696365" "a561646d696e" "cf0000018bcfe56800"
#define CERT_SIG_HEX	"e13554e7e8061650104dc12ac685cac88f1b1c3b048de7a5fd905f2f1ecdc399" \
			"c86f82e86e18a919208cad72eb80db1ab4b66f9c39d49a1936a4ac7d13914d04"

#define BODY_HEX	"81" "a474657874" "a26869"	/* {"text": "hi"} */

#define TS		1700000000000ULL

/* A literal body that body_decode must refuse. */
#define BODY_REJECT(s)	CHECK(body_decode(s, sizeof(s) - 1, text, sizeof(text)) == -1)
#define TEXT_MAX	4096

static struct ident	a, b, c;
static uint8_t		challenge[YISHI_CHALLENGE_BYTES];

static size_t	 unhex(uint8_t *, size_t, const char *);
static void	 seed_ident(struct ident *, uint8_t);
static void	 fixed_hdr(struct msg_hdr *);
static void	 test_hex(void);
static void	 test_ident(void);
static void	 test_auth(void);
static void	 test_cert(void);
static void	 test_keybox(void);
static void	 test_hdr(void);
static void	 test_body(void);
static void	 test_msg(void);

/* Hex with spaces allowed, for readable vectors; returns the byte count. */
static size_t
unhex(uint8_t *out, size_t cap, const char *s)
{
	size_t	bin;

	if (sodium_hex2bin(out, cap, s, strlen(s), " ", &bin, NULL) != 0) {
		fprintf(stderr, "bad test vector %s\n", s);
		exit(2);
	}
	return (bin);
}

static void
seed_ident(struct ident *id, uint8_t first)
{
	uint8_t	seed[crypto_sign_SEEDBYTES], pk[crypto_sign_PUBLICKEYBYTES];
	uint8_t	sk[crypto_sign_SECRETKEYBYTES];
	size_t	i;

	for (i = 0; i < sizeof(seed); i++)
		seed[i] = (uint8_t)(first + i);
	crypto_sign_seed_keypair(pk, sk, seed);
	if (ident_from_sk(id, sk) != 0) {
		fprintf(stderr, "ident_from_sk failed on a fresh key\n");
		exit(2);
	}
	sodium_memzero(sk, sizeof(sk));
}

static void
fixed_hdr(struct msg_hdr *h)
{
	size_t	i;

	for (i = 0; i < YISHI_GID_BYTES; i++)
		h->group[i] = (uint8_t)(0xa0 + i);
	for (i = 0; i < YISHI_MID_BYTES; i++)
		h->id[i] = (uint8_t)(0xb0 + i);
	h->epoch = 7;
	memcpy(h->sender, a.pk, YISHI_PK_BYTES);
	h->ts_ms = TS;
}

static void
test_hex(void)
{
	uint8_t	bin[4], want[4] = { 0x00, 0xab, 0xcd, 0xff };
	char	hex[2 * sizeof(bin) + 1];

	CHECK(strcmp(hex_encode(hex, want, sizeof(want)), "00abcdff") == 0);
	CHECK(hex_decode(bin, sizeof(bin), hex) == 0);
	CHECK(memcmp(bin, want, sizeof(bin)) == 0);
	CHECK(hex_decode(bin, sizeof(bin), "00ABCDFF") == 0);
	CHECK(memcmp(bin, want, sizeof(bin)) == 0);
	CHECK(hex_decode(bin, 0, "") == 0);

	CHECK(hex_decode(bin, sizeof(bin), "00abcdf") == -1);		/* odd */
	CHECK(hex_decode(bin, sizeof(bin), "00abcd") == -1);		/* short */
	CHECK(hex_decode(bin, sizeof(bin), "00abcdff00") == -1);	/* long */
	CHECK(hex_decode(bin, sizeof(bin), "00abcdfg") == -1);		/* bad char */
	CHECK(hex_decode(bin, sizeof(bin), "00ab cdff") == -1);		/* separator */
	CHECK(hex_decode(bin, sizeof(bin), "00ab:dff") == -1);
	CHECK(hex_decode(bin, sizeof(bin), "0xabcdff") == -1);
	CHECK(hex_decode(bin, sizeof(bin), "") == -1);
}

static void
test_ident(void)
{
	struct ident	t, n1, n2;
	uint8_t		pk[YISHI_PK_BYTES], sk[YISHI_SK_BYTES];
	size_t		i;

	/* Known answers, and the X25519 halves agree with libsodium's conversion. */
	unhex(pk, sizeof(pk), A_PK_HEX);
	CHECK(memcmp(a.pk, pk, sizeof(pk)) == 0);
	unhex(pk, sizeof(pk), B_PK_HEX);
	CHECK(memcmp(b.pk, pk, sizeof(pk)) == 0);
	crypto_scalarmult_base(pk, a.xsk);
	CHECK(memcmp(pk, a.xpk, sizeof(pk)) == 0);

	CHECK(ident_new(&n1) == 0);
	CHECK(ident_new(&n2) == 0);
	CHECK(memcmp(n1.pk, n2.pk, YISHI_PK_BYTES) != 0);
	crypto_scalarmult_base(pk, n1.xsk);
	CHECK(memcmp(pk, n1.xpk, sizeof(pk)) == 0);

	CHECK(ident_from_sk(&t, n1.sk) == 0);
	CHECK(memcmp(&t, &n1, sizeof(t)) == 0);

	/* A secret key whose pk half belongs to someone else. */
	memcpy(sk, n1.sk, 32);
	memcpy(sk + 32, n2.pk, 32);
	CHECK(ident_from_sk(&t, sk) == -1);
	for (i = 0; i < sizeof(t.pk); i++)
		CHECK(t.pk[i] == 0);	/* wiped on failure */
	memcpy(sk, n1.sk, sizeof(sk));
	sk[63] ^= 0x01;
	CHECK(ident_from_sk(&t, sk) == -1);

	ident_wipe(&n1);
	for (i = 0; i < sizeof(n1.sk); i++)
		CHECK(n1.sk[i] == 0);
	ident_wipe(&n2);
	sodium_memzero(sk, sizeof(sk));
}

static void
test_auth(void)
{
	uint8_t	sig[YISHI_SIG_BYTES], want[YISHI_SIG_BYTES], ch2[YISHI_CHALLENGE_BYTES];

	auth_sign(&a, b.pk, challenge, sig);
	unhex(want, sizeof(want), AUTH_SIG_HEX);
	CHECK(memcmp(sig, want, sizeof(sig)) == 0);
	CHECK(auth_verify(a.pk, b.pk, challenge, sig) == 0);

	CHECK(auth_verify(a.pk, c.pk, challenge, sig) == -1);	/* other node */
	CHECK(auth_verify(c.pk, b.pk, challenge, sig) == -1);	/* other user */
	memcpy(ch2, challenge, sizeof(ch2));
	ch2[31] ^= 0x80;
	CHECK(auth_verify(a.pk, b.pk, ch2, sig) == -1);
	sig[10] ^= 0x04;
	CHECK(auth_verify(a.pk, b.pk, challenge, sig) == -1);
}

static void
test_cert(void)
{
	uint8_t			cert[YISHI_CERT_MAX], want[YISHI_CERT_MAX], t[YISHI_CERT_MAX + 1];
	uint8_t			body[YISHI_CERT_MAX], sig[YISHI_SIG_BYTES];
	struct role_cert	rc;
	char			longname[66];
	size_t			i, bodylen;
	int			n;

	/* Known answer: 0x92, bin8 body, bin8 signature. */
	n = cert_role_make(&b, a.pk, "Alice", "admin", TS, cert, sizeof(cert));
	bodylen = unhex(body, sizeof(body), CERT_BODY_HEX);
	CHECK_EQ(bodylen, 103);
	unhex(sig, sizeof(sig), CERT_SIG_HEX);
	want[0] = 0x92;
	want[1] = 0xc4;
	want[2] = (uint8_t)bodylen;
	memcpy(want + 3, body, bodylen);
	want[3 + bodylen] = 0xc4;
	want[4 + bodylen] = YISHI_SIG_BYTES;
	memcpy(want + 5 + bodylen, sig, sizeof(sig));
	CHECK_EQ(n, 5 + bodylen + YISHI_SIG_BYTES);
	CHECK(n > 0 && memcmp(cert, want, (size_t)n) == 0);

	memset(&rc, 0xee, sizeof(rc));
	CHECK(cert_role_verify(b.pk, cert, (size_t)n, &rc) == 0);
	CHECK(memcmp(rc.node, b.pk, YISHI_PK_BYTES) == 0);
	CHECK(memcmp(rc.user, a.pk, YISHI_PK_BYTES) == 0);
	CHECK(strcmp(rc.name, "Alice") == 0);
	CHECK(strcmp(rc.role, "admin") == 0);
	CHECK(rc.issued_ms == TS);

	CHECK(cert_role_verify(c.pk, cert, (size_t)n, &rc) == -1);
	CHECK(cert_role_verify(b.pk, cert, (size_t)n - 1, &rc) == -1);
	CHECK(cert_role_verify(b.pk, cert, 0, &rc) == -1);
	for (i = 0; i < (size_t)n; i++) {
		memcpy(t, cert, (size_t)n);
		t[i] ^= 0x01;
		CHECK(cert_role_verify(b.pk, t, (size_t)n, &rc) == -1);
	}
	memcpy(t, cert, (size_t)n);
	t[n] = 0x00;
	CHECK(cert_role_verify(b.pk, t, (size_t)n + 1, &rc) == -1);

	/* Signed by the node, but the body is not canonical: issued as uint64 0. */
	{
		uint8_t	nb[YISHI_CERT_MAX], ns[YISHI_SIG_BYTES];
		size_t	nl = bodylen;

		memcpy(nb, body, bodylen);
		memcpy(nb + nl - 9, "\xcf\0\0\0\0\0\0\0\x05", 9);
		crypto_sign_detached(ns, NULL, nb, nl, b.sk);
		t[0] = 0x92;
		t[1] = 0xc4;
		t[2] = (uint8_t)nl;
		memcpy(t + 3, nb, nl);
		t[3 + nl] = 0xc4;
		t[4 + nl] = YISHI_SIG_BYTES;
		memcpy(t + 5 + nl, ns, sizeof(ns));
		CHECK(cert_role_verify(b.pk, t, 5 + nl + sizeof(ns), &rc) == -1);
		/* Same body with a canonical 0x05 verifies: the test above is not vacuous. */
		nb[nl - 9] = 0x05;
		nl -= 8;
		crypto_sign_detached(ns, NULL, nb, nl, b.sk);
		t[2] = (uint8_t)nl;
		memcpy(t + 3, nb, nl);
		t[3 + nl] = 0xc4;
		t[4 + nl] = YISHI_SIG_BYTES;
		memcpy(t + 5 + nl, ns, sizeof(ns));
		CHECK(cert_role_verify(b.pk, t, 5 + nl + sizeof(ns), &rc) == 0);
		CHECK(rc.issued_ms == 5);
		/* The outer array with a bin16 header for the body is not canonical either. */
		memmove(t + 4, t + 3, 2 + nl + sizeof(ns));
		t[1] = 0xc5;
		t[2] = 0x00;
		t[3] = (uint8_t)nl;
		CHECK(cert_role_verify(b.pk, t, 6 + nl + sizeof(ns), &rc) == -1);

		/* Signed by B but naming C as the issuing node. */
		memcpy(nb, body, bodylen);
		memcpy(nb + 16, c.pk, YISHI_PK_BYTES);
		crypto_sign_detached(ns, NULL, nb, bodylen, b.sk);
		t[0] = 0x92;
		t[1] = 0xc4;
		t[2] = (uint8_t)bodylen;
		memcpy(t + 3, nb, bodylen);
		t[3 + bodylen] = 0xc4;
		t[4 + bodylen] = YISHI_SIG_BYTES;
		memcpy(t + 5 + bodylen, ns, sizeof(ns));
		CHECK(cert_role_verify(b.pk, t, 5 + bodylen + sizeof(ns), &rc) == -1);
		CHECK(cert_role_verify(c.pk, t, 5 + bodylen + sizeof(ns), &rc) == -1);
	}

	/* Field bounds when making. */
	memset(longname, 'x', 64);
	longname[64] = '\0';
	CHECK(cert_role_make(&b, a.pk, longname, "r", 0, cert, sizeof(cert)) > 0);
	longname[64] = 'x';
	longname[65] = '\0';
	CHECK(cert_role_make(&b, a.pk, longname, "r", 0, cert, sizeof(cert)) == -1);
	CHECK(cert_role_make(&b, a.pk, "", "r", 0, cert, sizeof(cert)) == -1);
	CHECK(cert_role_make(&b, a.pk, "n", "", 0, cert, sizeof(cert)) == -1);
	CHECK(cert_role_make(&b, a.pk, "n", "0123456789abcdef", 0, cert, sizeof(cert)) > 0);
	CHECK(cert_role_make(&b, a.pk, "n", "0123456789abcdefg", 0, cert, sizeof(cert)) == -1);
	CHECK(cert_role_make(&b, a.pk, "\xc0\xaf", "r", 0, cert, sizeof(cert)) == -1);
	CHECK(cert_role_make(&b, a.pk, "Alice", "admin", TS, cert, (size_t)n - 1) == -1);
	CHECK(cert_role_make(&b, a.pk, "Alice", "admin", TS, cert, (size_t)n) == n);
}

static void
test_keybox(void)
{
	uint8_t	key[YISHI_KEY_BYTES], got[YISHI_KEY_BYTES], box[YISHI_KEYBOX_BYTES];
	uint8_t	t[YISHI_KEYBOX_BYTES], gid[YISHI_GID_BYTES], gid2[YISHI_GID_BYTES];
	uint8_t	k[crypto_box_BEFORENMBYTES], ad[17 + YISHI_GID_BYTES + 4];
	uint8_t	zero[YISHI_PK_BYTES];
	size_t	i;

	CHECK_EQ(YISHI_KEYBOX_BYTES, 72);
	epoch_key_new(key);
	epoch_key_new(got);
	CHECK(memcmp(key, got, sizeof(key)) != 0);
	memset(gid, 0x5a, sizeof(gid));
	memcpy(gid2, gid, sizeof(gid));
	gid2[15] ^= 1;

	CHECK(keybox_seal(&a, b.pk, gid, 0x01020304, key, box) == 0);
	memset(got, 0, sizeof(got));
	CHECK(keybox_open(&b, a.pk, gid, 0x01020304, box, got) == 0);
	CHECK(memcmp(key, got, sizeof(key)) == 0);

	/* The documented layout: nonce || AEAD(key, AD = context || gid || epoch BE). */
	CHECK(crypto_box_beforenm(k, a.xpk, b.xsk) == 0);
	memcpy(ad, "yishi/epoch-key/1", 17);
	memcpy(ad + 17, gid, sizeof(gid));
	memcpy(ad + 33, "\x01\x02\x03\x04", 4);
	memset(got, 0, sizeof(got));
	CHECK(crypto_aead_xchacha20poly1305_ietf_decrypt(got, NULL, NULL, box + 24, 48,
	    ad, sizeof(ad), box, k) == 0);
	CHECK(memcmp(key, got, sizeof(key)) == 0);

	CHECK(keybox_open(&c, a.pk, gid, 0x01020304, box, got) == -1);	/* recipient */
	CHECK(keybox_open(&b, c.pk, gid, 0x01020304, box, got) == -1);	/* sender */
	CHECK(keybox_open(&b, a.pk, gid2, 0x01020304, box, got) == -1);
	CHECK(keybox_open(&b, a.pk, gid, 0x01020305, box, got) == -1);
	CHECK(keybox_open(&b, a.pk, gid, 0x04030201, box, got) == -1);
	for (i = 0; i < sizeof(box); i++) {
		memcpy(t, box, sizeof(box));
		t[i] ^= 0x20;
		CHECK(keybox_open(&b, a.pk, gid, 0x01020304, t, got) == -1);
	}
	/* A recipient key that is not a valid Ed25519 point. */
	memset(zero, 0, sizeof(zero));
	CHECK(keybox_seal(&a, zero, gid, 1, key, box) == -1);
	sodium_memzero(k, sizeof(k));
}

static void
test_hdr(void)
{
	struct msg_hdr	h, d;
	uint8_t		out[YISHI_HDR_MAX], want[YISHI_HDR_MAX], t[YISHI_HDR_MAX + 2];
	size_t		n, wl;

	fixed_hdr(&h);
	n = msg_hdr_encode(&h, out);
	wl = unhex(want, sizeof(want), HDR_HEX);
	CHECK_EQ(n, 82);
	CHECK(n == wl && memcmp(out, want, n) == 0);

	memset(&d, 0, sizeof(d));
	CHECK(msg_hdr_decode(out, n, &d) == 0);
	CHECK(memcmp(d.group, h.group, sizeof(h.group)) == 0);
	CHECK(d.epoch == 7);
	CHECK(memcmp(d.sender, a.pk, YISHI_PK_BYTES) == 0);
	CHECK(d.ts_ms == TS);
	CHECK(memcmp(d.id, h.id, sizeof(h.id)) == 0);

	/* Extreme values round trip in their shortest forms. */
	h.epoch = UINT32_MAX;
	h.ts_ms = 0;
	n = msg_hdr_encode(&h, out);
	CHECK_EQ(n, 78);
	CHECK(out[20] == 0xce && out[59] == 0x00);
	CHECK(msg_hdr_decode(out, n, &d) == 0 && d.epoch == UINT32_MAX && d.ts_ms == 0);
	h.ts_ms = UINT64_MAX;
	n = msg_hdr_encode(&h, out);
	CHECK(msg_hdr_decode(out, n, &d) == 0 && d.ts_ms == UINT64_MAX);

	/* Epoch 7 is at byte 20; ts at 55..63; id header at 64. */
	memcpy(t, want, wl);
	t[1] = 0x02;					/* version 2 */
	CHECK(msg_hdr_decode(t, wl, &d) == -1);
	memcpy(t, want, wl);
	t[0] = 0x95;					/* array of 5 */
	CHECK(msg_hdr_decode(t, wl, &d) == -1);
	t[0] = 0x97;					/* array of 7 */
	t[wl] = 0x00;
	CHECK(msg_hdr_decode(t, wl + 1, &d) == -1);
	t[0] = 0xdc;					/* array16 of 6 */
	memmove(t + 3, want + 1, wl - 1);
	t[1] = 0x00;
	t[2] = 0x06;
	CHECK(msg_hdr_decode(t, wl + 2, &d) == -1);

	/* 0xcc 0x07 instead of 0x07 for the epoch. */
	memcpy(t, want, 20);
	t[20] = 0xcc;
	memcpy(t + 21, want + 20, wl - 20);
	CHECK(msg_hdr_decode(t, wl + 1, &d) == -1);
	/* 0xcc 0x01 for the version. */
	t[0] = 0x96;
	t[1] = 0xcc;
	memcpy(t + 2, want + 1, wl - 1);
	CHECK(msg_hdr_decode(t, wl + 1, &d) == -1);
	/* The version as signed int8. */
	t[1] = 0xd0;
	CHECK(msg_hdr_decode(t, wl + 1, &d) == -1);

	/* Epoch above UINT32_MAX, encoded canonically as uint64. */
	memcpy(t, want, 20);
	memcpy(t + 20, "\xcf\0\0\0\x01\0\0\0\0", 9);
	memcpy(t + 29, want + 21, wl - 21);
	CHECK(msg_hdr_decode(t, wl + 8, &d) == -1);

	/* Group id of 15 bytes. */
	memcpy(t, want, wl);
	t[3] = 0x0f;
	CHECK(msg_hdr_decode(t, wl, &d) == -1);
	memcpy(t, want, 3);
	t[3] = 0x0f;
	memcpy(t + 4, want + 5, wl - 5);
	CHECK(msg_hdr_decode(t, wl - 1, &d) == -1);
	/* Group id as str instead of bin. */
	memcpy(t, want, wl);
	t[2] = 0xd9;
	CHECK(msg_hdr_decode(t, wl, &d) == -1);
	/* Message id header bin16 with length 16. */
	memcpy(t, want, 64);
	t[64] = 0xc5;
	t[65] = 0x00;
	t[66] = 0x10;
	memcpy(t + 67, want + 66, 16);
	CHECK(msg_hdr_decode(t, wl + 1, &d) == -1);

	/* Trailing byte, truncation, nested container. */
	memcpy(t, want, wl);
	t[wl] = 0xc0;
	CHECK(msg_hdr_decode(t, wl + 1, &d) == -1);
	CHECK(msg_hdr_decode(want, wl - 1, &d) == -1);
	CHECK(msg_hdr_decode(want, 0, &d) == -1);
	CHECK(msg_hdr_decode("\x96\xdd\xff\xff\xff\xff", 6, &d) == -1);
	CHECK(msg_hdr_decode("\x96\x91\x01", 3, &d) == -1);
	/* d is untouched by the failures: still the UINT64_MAX one. */
	CHECK(d.ts_ms == UINT64_MAX);
}

static void
test_body(void)
{
	msgpack_sbuffer	sb;
	uint8_t		want[16];
	char		text[TEXT_MAX + 1], big[TEXT_MAX + 1];
	size_t		wl;

	msgpack_sbuffer_init(&sb);
	CHECK(body_encode("hi", 2, &sb) == 0);
	wl = unhex(want, sizeof(want), BODY_HEX);
	CHECK(sb.size == wl && memcmp(sb.data, want, wl) == 0);
	CHECK(body_decode(sb.data, sb.size, text, sizeof(text)) == 0);
	CHECK(strcmp(text, "hi") == 0);
	msgpack_sbuffer_destroy(&sb);

	/* Largest text, and too long for the caller's buffer. */
	memset(big, 'a', TEXT_MAX);
	msgpack_sbuffer_init(&sb);
	CHECK(body_encode(big, TEXT_MAX, &sb) == 0);
	CHECK(body_decode(sb.data, sb.size, text, sizeof(text)) == 0);
	CHECK(strlen(text) == TEXT_MAX);
	CHECK(body_decode(sb.data, sb.size, text, TEXT_MAX) == -1);
	msgpack_sbuffer_destroy(&sb);
	CHECK(body_decode(want, wl, text, 3) == 0);
	CHECK(body_decode(want, wl, text, 2) == -1);

	/* Valid multi-byte UTF-8: U+00E9, U+4E16, U+1F600. */
	msgpack_sbuffer_init(&sb);
	CHECK(body_encode("\xc3\xa9\xe4\xb8\x96\xf0\x9f\x98\x80", 9, &sb) == 0);
	CHECK(body_decode(sb.data, sb.size, text, sizeof(text)) == 0);
	CHECK(strcmp(text, "\xc3\xa9\xe4\xb8\x96\xf0\x9f\x98\x80") == 0);
	msgpack_sbuffer_destroy(&sb);

	BODY_REJECT("\x91\xa2hi");	/* array */
	BODY_REJECT("\xa2hi");		/* bare str */
	BODY_REJECT("\x80");		/* empty map */
	BODY_REJECT("\x82\xa4text\xa2hi\xa4tex2\xa1x");	/* extra key */
	BODY_REJECT("\x81\xa4texT\xa2hi");		/* wrong key */
	BODY_REJECT("\x81\xa3tex\xa2hi");		/* wrong key */
	BODY_REJECT("\x81\xc4\x04text\xa2hi");	/* key as bin */
	BODY_REJECT("\x81\xa4text\xc4\x02hi");	/* text as bin */
	BODY_REJECT("\x81\xa4text\x05");		/* text as int */
	BODY_REJECT("\x81\xa4text\xa2hi\x00");	/* trailing byte */
	BODY_REJECT("\x81\xa4text\xd9\x02hi");	/* str8 for 2 bytes */
	BODY_REJECT("\x81\xa4text\xa2h");		/* truncated */
	BODY_REJECT("\x81\xa4text\xa2h\x00");	/* NUL */
	BODY_REJECT("\x81\xa4text\xa2\xc0\xaf");	/* overlong "/" */
	BODY_REJECT("\x81\xa4text\xa3\xe0\x80\xaf");	/* overlong, 3 bytes */
	BODY_REJECT("\x81\xa4text\xa3\xed\xa0\x80");	/* surrogate D800 */
	BODY_REJECT("\x81\xa4text\xa4\xf4\x90\x80\x80");	/* U+110000 */
	BODY_REJECT("\x81\xa4text\xa1\x80");		/* lone continuation */
	BODY_REJECT("\x81\xa4text\xa2\xc3x");	/* bad continuation */
	BODY_REJECT("\x81\xa4text\xa1\xff");		/* 0xff */
	BODY_REJECT("\x81\xa4text\xa1\xc3");		/* cut sequence */
	BODY_REJECT("\x81\xa4text\x91\xa2hi");	/* nested array */
	BODY_REJECT("\x81\xa4text\xdd\xff\xff\xff\xff"); /* huge array */
	/* A sequence cut by the end of the str, though the next byte would complete it. */
	CHECK(body_decode("\x81\xa4text\xa1\xc3\xa9", 8, text, sizeof(text)) == -1);
	BODY_REJECT("");				/* empty */
	/* The empty text is a valid body. */
	CHECK(body_decode("\x81\xa4text\xa0", 7, text, sizeof(text)) == 0 && text[0] == '\0');
}

static void
test_msg(void)
{
	struct msg_hdr	 h;
	uint8_t		 hdr[YISHI_HDR_MAX], key[YISHI_KEY_BYTES], key2[YISHI_KEY_BYTES];
	uint8_t		 nonce[YISHI_NONCE_BYTES], nonce2[YISHI_NONCE_BYTES];
	uint8_t		 sig[YISHI_SIG_BYTES], t[YISHI_HDR_MAX];
	uint8_t		 ct[TEXT_MAX + 64 + YISHI_TAG_BYTES], pt[TEXT_MAX + 64], ct2[sizeof(ct)];
	uint8_t		*m;
	const char	*text = "attack at dawn";
	size_t		 hl, ptlen = strlen(text), ctlen = ptlen + YISHI_TAG_BYTES, n, i;

	fixed_hdr(&h);
	hl = msg_hdr_encode(&h, hdr);
	epoch_key_new(key);
	epoch_key_new(key2);

	msg_seal(&a, hdr, hl, key, text, ptlen, nonce, ct, sig);
	CHECK(msg_verify(a.pk, hdr, hl, nonce, ct, ctlen, sig) == 0);
	memset(pt, 0, sizeof(pt));
	CHECK(msg_open(key, hdr, hl, nonce, ct, ctlen, pt, &n) == 0);
	CHECK(n == ptlen && memcmp(pt, text, ptlen) == 0);

	/* The documented layout: sig over "yishi/msg/1" || hdr || nonce || ct. */
	m = malloc(11 + hl + sizeof(nonce) + ctlen);
	CHECK(m != NULL);
	if (m != NULL) {
		memcpy(m, "yishi/msg/1", 11);
		memcpy(m + 11, hdr, hl);
		memcpy(m + 11 + hl, nonce, sizeof(nonce));
		memcpy(m + 11 + hl + sizeof(nonce), ct, ctlen);
		CHECK(crypto_sign_verify_detached(sig, m, 11 + hl + sizeof(nonce) + ctlen,
		    a.pk) == 0);
		free(m);
	}
	CHECK(crypto_aead_xchacha20poly1305_ietf_decrypt(pt, NULL, NULL, ct, ctlen, hdr, hl,
	    nonce, key) == 0);

	/* A second seal uses a fresh nonce. */
	msg_seal(&a, hdr, hl, key, text, ptlen, nonce2, ct2, sig);
	CHECK(memcmp(nonce, nonce2, sizeof(nonce)) != 0);
	CHECK(memcmp(ct, ct2, ctlen) != 0);
	msg_seal(&a, hdr, hl, key, text, ptlen, nonce, ct, sig);

	CHECK(msg_verify(c.pk, hdr, hl, nonce, ct, ctlen, sig) == -1);
	CHECK(msg_verify(a.pk, hdr, hl, nonce, ct, ctlen - 1, sig) == -1);
	CHECK(msg_verify(a.pk, hdr, hl - 1, nonce, ct, ctlen, sig) == -1);
	for (i = 0; i < hl; i++) {
		memcpy(t, hdr, hl);
		t[i] ^= 0x01;
		CHECK(msg_verify(a.pk, t, hl, nonce, ct, ctlen, sig) == -1);
	}
	for (i = 0; i < sizeof(nonce); i++) {
		memcpy(nonce2, nonce, sizeof(nonce));
		nonce2[i] ^= 0x01;
		CHECK(msg_verify(a.pk, hdr, hl, nonce2, ct, ctlen, sig) == -1);
	}
	for (i = 0; i < ctlen; i++) {
		memcpy(ct2, ct, ctlen);
		ct2[i] ^= 0x01;
		CHECK(msg_verify(a.pk, hdr, hl, nonce, ct2, ctlen, sig) == -1);
		CHECK(msg_open(key, hdr, hl, nonce, ct2, ctlen, pt, &n) == -1);
	}
	for (i = 0; i < sizeof(sig); i++) {
		uint8_t	s2[YISHI_SIG_BYTES];

		memcpy(s2, sig, sizeof(sig));
		s2[i] ^= 0x01;
		CHECK(msg_verify(a.pk, hdr, hl, nonce, ct, ctlen, s2) == -1);
	}
	CHECK(msg_verify(a.pk, hdr, hl, nonce, ct, ctlen, sig) == 0);

	CHECK(msg_open(key2, hdr, hl, nonce, ct, ctlen, pt, &n) == -1);
	h.epoch = 8;
	i = msg_hdr_encode(&h, t);
	CHECK(msg_open(key, t, i, nonce, ct, ctlen, pt, &n) == -1);
	CHECK(msg_open(key, hdr, hl, nonce2, ct, ctlen, pt, &n) == -1);
	CHECK(msg_open(key, hdr, hl, nonce, ct, YISHI_TAG_BYTES - 1, pt, &n) == -1);

	/* Empty plaintext and the largest body still round trip. */
	msg_seal(&a, hdr, hl, key, "", 0, nonce, ct, sig);
	CHECK(msg_verify(a.pk, hdr, hl, nonce, ct, YISHI_TAG_BYTES, sig) == 0);
	CHECK(msg_open(key, hdr, hl, nonce, ct, YISHI_TAG_BYTES, pt, &n) == 0 && n == 0);
	memset(pt, 'z', sizeof(pt));
	msg_seal(&a, hdr, hl, key, pt, sizeof(pt), nonce, ct, sig);
	CHECK(msg_verify(a.pk, hdr, hl, nonce, ct, sizeof(ct), sig) == 0);
	CHECK(msg_open(key, hdr, hl, nonce, ct, sizeof(ct), pt, &n) == 0 && n == sizeof(pt));
}

int
main(void)
{
	size_t	i;

	if (crypto_init() != 0) {
		fprintf(stderr, "crypto_init failed\n");
		return (2);
	}
	CHECK(crypto_init() == 0);	/* a second call is harmless */
	seed_ident(&a, 0x00);
	seed_ident(&b, 0x20);
	if (ident_new(&c) != 0)
		return (2);
	for (i = 0; i < sizeof(challenge); i++)
		challenge[i] = (uint8_t)(0x40 + i);

	test_hex();
	test_ident();
	test_auth();
	test_cert();
	test_keybox();
	test_hdr();
	test_body();
	test_msg();

	ident_wipe(&a);
	ident_wipe(&b);
	ident_wipe(&c);
	return (check_done("crypto"));
}
