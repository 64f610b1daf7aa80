/*
 * test_warn.c: federation certificates and signed warnings: known-answer bytes,
 * every refusal of warn_verify (uncertified key, expired or not-yet-valid
 * certificate at sent or now, an issuer outside its areas, any flipped byte, the
 * wrong root, the wrong kind), area coverage, supersession, CAP times, and strict
 * decoding (truncation, trailing bytes, non-canonical forms, hostile counts).
 */
#define _GNU_SOURCE	/* memmem */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <msgpack.h>
#include <sodium.h>

#include "proto/crypto.h"
#include "proto/warn.h"
#include "tests/unit/check.h"
#include "tests/unit/seeded.h"

#define T0	1795494747000ULL	/* a fixed "now" (2026-11-24) */
#define DAY	86400000ULL

static struct ident root, issuer, other, fake_root;


static struct warn_cert
issuer_cert(const struct ident *who, uint64_t nb, uint64_t na)
{
	struct warn_cert c;

	memset(&c, 0, sizeof c);
	c.kind = WCK_ISSUER;
	memcpy(c.pk, who->pk, 32);
	snprintf(c.name, sizeof c.name, "宁波市反诈中心");
	snprintf(c.areas[0], sizeof c.areas[0], "3302");
	snprintf(c.areas[1], sizeof c.areas[1], "330381");
	c.nareas = 2;
	c.not_before = nb;
	c.not_after = na;
	return c;
}

static size_t
make_cert(const struct ident *by, const struct warn_cert *c, uint8_t *out)
{
	size_t len = warn_cert_make(by, c, out, WARN_CERT_MAX);

	CHECK(len > 0);
	return len;
}

/* A small fraud warning (fixed, for the known answer). */
static void
small_warning(struct warning *w)
{
	memset(w, 0, sizeof *w);
	snprintf(w->identifier, sizeof w->identifier, "NB-2026-0001");
	snprintf(w->sender, sizeof w->sender, "fzzx@nbgaj.example");
	w->sent_ms = T0;
	w->tz_min = 480;
	w->status = WSTAT_ACTUAL;
	w->msg_type = WMSG_ALERT;
	w->categories = 1u << WCAT_SECURITY;
	snprintf(w->fraud_type, sizeof w->fraud_type, "fake-service");
	w->urgency = WURG_IMMEDIATE;
	w->severity = WSEV_SEVERE;
	w->certainty = WCTN_LIKELY;
	snprintf(w->audience[0], sizeof w->audience[0], "elderly");
	w->naudience = 1;
	w->expires_ms = T0 + DAY;
	snprintf(w->areas[0], sizeof w->areas[0], "330281");
	w->nareas = 1;
	w->ntexts = 1;
	snprintf(w->texts[0].language, sizeof w->texts[0].language, "zh-CN");
	snprintf(w->texts[0].event, sizeof w->texts[0].event, "冒充客服诈骗");
	snprintf(w->texts[0].headline, sizeof w->texts[0].headline, "警惕冒充快递客服退款");
	snprintf(w->texts[0].description, sizeof w->texts[0].description,
	    "近期出现冒充快递客服以理赔为由诱导转账的诈骗。");
	snprintf(w->texts[0].instruction, sizeof w->texts[0].instruction, "拨打96110咨询。");
}

/* Every field at its bound: the bounds in warn.h must fit WARN_BODY_MAX. */
static void
full_warning(struct warning *w)
{
	int i;

	small_warning(w);
	memset(w->identifier, 'I', WARN_ID_MAX);
	memset(w->sender, 'S', WARN_SENDER_MAX);
	w->msg_type = WMSG_UPDATE;
	for (i = 0; i < WARN_REFS_MAX; i++) {
		memset(w->refs[i], 'r', WARN_SENDER_MAX);
		w->refs[i][WARN_SENDER_MAX] = ',';
		memset(w->refs[i] + WARN_SENDER_MAX + 1, 'i', WARN_ID_MAX);
		memcpy(w->refs[i] + WARN_SENDER_MAX + 1 + WARN_ID_MAX,
		    ",2026-01-01T00:00:00+08:00", WARN_TIME_LEN + 1);
		CHECK(strlen(w->refs[i]) == WARN_REF_MAX);
	}
	w->nrefs = WARN_REFS_MAX;
	for (i = 0; i < WARN_CODES_MAX; i++)
		memset(w->codes[i], 'c', WARN_CODE_MAX);
	w->ncodes = WARN_CODES_MAX;
	memset(w->source, 's', WARN_SOURCE_MAX);
	w->categories = (1u << WCAT__COUNT) - 1;
	memset(w->fraud_type, 'f', WARN_FRAUD_MAX);
	for (i = 0; i < WARN_PAIRS_MAX; i++) {
		memset(w->event_codes[i].name, 'n', WARN_PAIR_NAME_MAX);
		memset(w->event_codes[i].value, 'v', WARN_PAIR_VALUE_MAX);
		w->params[i] = w->event_codes[i];
	}
	w->nevent_codes = w->nparams = WARN_PAIRS_MAX;
	for (i = 0; i < WARN_GEOCODES_MAX; i++)
		w->geocodes[i] = w->event_codes[0];
	w->ngeocodes = WARN_GEOCODES_MAX;
	w->responses = (1u << WRESP__COUNT) - 1;
	for (i = 0; i < WARN_AUDIENCE_MAX; i++) {
		memset(w->audience[i], 'a', WARN_TAG_MAX);
		w->audience[i][0] = (char)('A' + i);
	}
	w->naudience = WARN_AUDIENCE_MAX;
	for (i = 0; i < WARN_AREAS_MAX; i++)
		snprintf(w->areas[i], sizeof w->areas[i], "3302%08d", i);
	w->nareas = WARN_AREAS_MAX;
	for (i = 0; i < WARN_POLY_MAX; i++) {
		w->polygon[i].lat = -900000000 + i;
		w->polygon[i].lon = -1800000000 + i;
	}
	w->polygon[WARN_POLY_MAX - 1] = w->polygon[0];
	w->npolygon = WARN_POLY_MAX;
	w->has_circle = 1;
	w->circle.lat = 299000000;
	w->circle.lon = 1215000000;
	w->circle_radius = 200000000000ULL;
	w->has_target = 1;
	memcpy(w->target_area, w->areas[0], WARN_AREA_LEN + 1);
	memset(w->target_station, 0x5a, 32);
	for (i = 0; i < WARN_TEXTS_MAX; i++) {
		struct warn_text *t = &w->texts[i];

		snprintf(t->language, sizeof t->language, "zh-Hans-CN");
		memset(t->event, 'e', WARN_EVENT_MAX);
		memset(t->sender_name, 'n', WARN_SENDER_NAME_MAX);
		memset(t->headline, 'h', WARN_HEADLINE_MAX);
		memset(t->description, 'd', WARN_DESC_MAX);
		memset(t->instruction, 'i', WARN_INSTR_MAX);
		memset(t->contact, 'c', WARN_CONTACT_MAX);
		memset(t->web, 'w', WARN_WEB_MAX);
		memset(t->area_desc, 'a', WARN_AREA_DESC_MAX);
	}
	w->ntexts = WARN_TEXTS_MAX;
}

/* Pack [cert, body, sig] by hand, for envelopes warn_sign would not make. */
static size_t
pack_env(const uint8_t *cert, size_t certlen, const uint8_t *body, size_t bodylen,
    const uint8_t *sig, uint8_t *out, size_t cap)
{
	msgpack_sbuffer	sb;
	msgpack_packer	pk;
	size_t		len;

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_array(&pk, 3);
	msgpack_pack_bin_with_body(&pk, cert, certlen);
	msgpack_pack_bin_with_body(&pk, body, bodylen);
	msgpack_pack_bin_with_body(&pk, sig, 64);
	len = sb.size <= cap ? sb.size : 0;
	if (len)
		memcpy(out, sb.data, len);
	msgpack_sbuffer_destroy(&sb);
	return len;
}

/* Sign w (as is) with key by, carrying cert. */
static size_t
forge(const struct ident *by, const uint8_t *cert, size_t certlen, const struct warning *w,
    uint8_t *out)
{
	uint8_t	*body = malloc(WARN_BODY_MAX), sig[64];
	size_t	 len, n;

	len = warn_encode(w, body, WARN_BODY_MAX);
	CHECK(len > 0);
	crypto_sign_detached(sig, NULL, body, len, by->sk);
	n = pack_env(cert, certlen, body, len, sig, out, WARN_ENVELOPE_MAX);
	free(body);
	return n;
}

static int
verify(const uint8_t *root_pk, uint64_t now, const uint8_t *env, size_t len)
{
	struct warning		*w = malloc(sizeof *w);
	struct warn_cert	 c;
	int			 rv = warn_verify(root_pk, now, env, len, w, &c);

	free(w);
	return rv;
}

static void
test_certs(void)
{
	struct warn_cert	c, d;
	uint8_t			cert[WARN_CERT_MAX], bad[WARN_CERT_MAX + 8];
	char			hex[2 * WARN_CERT_MAX + 1];
	size_t			len, i;

	c = issuer_cert(&issuer, T0 - DAY, T0 + 365 * DAY);
	len = make_cert(&root, &c, cert);
	hex_encode(hex, cert, len);
	/* Known answer: [bin body, bin sig], body = ["yishi/issuer/1", pk, name, [areas], nb, na]. */
	CHECK(strcmp(hex,
	    "92c46796ae79697368692f6973737565722f31c4202543b92ff1095511476adc8369db6ddc93"
	    "3665a11978dda1404ee1066ca9559db5e5ae81e6b3a2e5b882e58f8de8af88e4b8ade5bf8392"
	    "a433333032a6333330333831cf000001a206ad3f78cf000001a96384c778c440d1bd7e23928b"
	    "a66129de4a85859b445b37fe119cd54378b5d5fa5c0d3b302e525af4b5052f14406d21fd5bd8"
	    "d40a885fd0d4fc2e0c78b84e32db79647563ae03") == 0 ||
	    (fprintf(stderr, "cert: %s\n", hex), 0));
	CHECK(warn_cert_decode(cert, len, &d) == WARN_OK);
	CHECK(d.kind == WCK_ISSUER && d.nareas == 2 && strcmp(d.areas[1], "330381") == 0);
	CHECK(warn_cert_verify(root.pk, WCK_ISSUER, T0, cert, len, &d) == WARN_OK);
	CHECK(strcmp(d.name, "宁波市反诈中心") == 0 && d.not_after == T0 + 365 * DAY);
	CHECK(warn_cert_verify(fake_root.pk, WCK_ISSUER, T0, cert, len, &d) ==
	    WARN_EUNCERTIFIED);
	CHECK(warn_cert_verify(root.pk, WCK_NODE, T0, cert, len, &d) == WARN_EKIND);
	CHECK(warn_cert_verify(root.pk, WCK_ISSUER, T0 + 366 * DAY, cert, len, &d) ==
	    WARN_ECERT_EXPIRED);
	CHECK(warn_cert_verify(root.pk, WCK_ISSUER, T0 - 2 * DAY, cert, len, &d) ==
	    WARN_ECERT_NOT_YET);
	/* Boundaries are inclusive. */
	CHECK(warn_cert_verify(root.pk, WCK_ISSUER, T0 + 365 * DAY, cert, len, &d) == WARN_OK);
	CHECK(warn_cert_verify(root.pk, WCK_ISSUER, T0 - DAY, cert, len, &d) == WARN_OK);

	/* Every flipped bit, every truncation, a trailing byte. */
	for (i = 0; i < len * 8; i++) {
		memcpy(bad, cert, len);
		bad[i / 8] ^= (uint8_t)(1u << (i % 8));
		CHECK(warn_cert_verify(root.pk, WCK_ISSUER, T0, bad, len, &d) != WARN_OK);
	}
	for (i = 0; i < len; i++)
		CHECK(warn_cert_decode(cert, i, &d) == WARN_EENCODING);
	memcpy(bad, cert, len);
	bad[len] = 0xc0;
	CHECK(warn_cert_decode(bad, len + 1, &d) == WARN_EENCODING);

	/* Node certificates. */
	memset(&c, 0, sizeof c);
	c.kind = WCK_NODE;
	memcpy(c.pk, other.pk, 32);
	snprintf(c.name, sizeof c.name, "慈溪市公安局某派出所");
	snprintf(c.areas[0], sizeof c.areas[0], "330282");
	c.nareas = 1;
	c.has_parent = 1;
	memcpy(c.parent, issuer.pk, 32);
	snprintf(c.endpoint, sizeof c.endpoint, "wss://cx.example:7443");
	c.not_before = T0;
	c.not_after = T0 + DAY;
	len = make_cert(&root, &c, cert);
	CHECK(warn_cert_verify(root.pk, WCK_NODE, T0, cert, len, &d) == WARN_OK);
	CHECK(d.has_parent && memcmp(d.parent, issuer.pk, 32) == 0 &&
	    strcmp(d.endpoint, "wss://cx.example:7443") == 0);
	CHECK(warn_cert_verify(root.pk, WCK_ISSUER, T0, cert, len, &d) == WARN_EKIND);
	c.has_parent = 0;
	memset(c.parent, 0, 32);
	c.endpoint[0] = '\0';
	len = make_cert(&root, &c, cert);
	CHECK(warn_cert_verify(root.pk, WCK_NODE, T0, cert, len, &d) == WARN_OK && !d.has_parent);

	/* What make refuses to sign. */
	c = issuer_cert(&issuer, T0, T0 + DAY);
	snprintf(c.areas[1], sizeof c.areas[1], "3302");
	CHECK(warn_cert_make(&root, &c, cert, sizeof cert) == 0);		/* duplicate */
	c = issuer_cert(&issuer, T0, T0 + DAY);
	snprintf(c.areas[1], sizeof c.areas[1], "3");
	CHECK(warn_cert_make(&root, &c, cert, sizeof cert) == 0);		/* 1 digit */
	c = issuer_cert(&issuer, T0, T0 + DAY);
	c.nareas = 0;
	CHECK(warn_cert_make(&root, &c, cert, sizeof cert) == 0);
	c = issuer_cert(&issuer, T0 + DAY, T0);
	CHECK(warn_cert_make(&root, &c, cert, sizeof cert) == 0);		/* ends first */
	c = issuer_cert(&issuer, T0, T0 + DAY);
	snprintf(c.endpoint, sizeof c.endpoint, "wss://x");
	CHECK(warn_cert_make(&root, &c, cert, sizeof cert) == 0);		/* issuer+endpoint */
	c = issuer_cert(&issuer, T0, T0 + DAY);
	c.name[0] = '\0';
	CHECK(warn_cert_make(&root, &c, cert, sizeof cert) == 0);
	c = issuer_cert(&issuer, T0, T0 + DAY);
	snprintf(c.name, sizeof c.name, "a\nb");
	CHECK(warn_cert_make(&root, &c, cert, sizeof cert) == 0);
}

/* Non-canonical and hostile certificate bodies, properly signed by the root. */
static void
test_cert_strict(void)
{
	struct warn_cert	c, d;
	uint8_t			cert[WARN_CERT_MAX], body[WARN_CERT_MAX], sig[64];
	uint8_t			out[WARN_CERT_MAX + 16];
	const uint8_t		*p;
	size_t			len, blen, olen;
	msgpack_sbuffer		sb;
	msgpack_packer		pk;
	int			i;

	c = issuer_cert(&issuer, T0, T0 + DAY);
	len = make_cert(&root, &c, cert);
	/* The body: bin8 at offset 1 (0xc4, len). */
	CHECK(cert[1] == 0xc4 && len == 3 + (size_t)cert[2] + 2 + 64);
	blen = cert[2];
	p = cert + 3;

#define RESIGN_AND_CHECK(b, n) do {						\
	crypto_sign_detached(sig, NULL, (b), (n), root.sk);			\
	msgpack_sbuffer_init(&sb);						\
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);			\
	msgpack_pack_array(&pk, 2);						\
	msgpack_pack_bin_with_body(&pk, (b), (n));				\
	msgpack_pack_bin_with_body(&pk, sig, 64);				\
	olen = sb.size < sizeof out ? sb.size : 0;				\
	memcpy(out, sb.data, olen);						\
	msgpack_sbuffer_destroy(&sb);						\
	CHECK(warn_cert_verify(root.pk, WCK_ISSUER, T0, out, olen, &d) ==	\
	    WARN_EENCODING);							\
} while (0)

	/* Control: the same construction of the canonical body verifies. */
	memcpy(body, p, blen);
	crypto_sign_detached(sig, NULL, body, blen, root.sk);
	CHECK(memcmp(sig, cert + 3 + blen + 2, 64) == 0);

	/* array16 header for 6 fields instead of fixarray. */
	body[0] = 0xdc;
	body[1] = 0x00;
	body[2] = 0x06;
	memcpy(body + 3, p + 1, blen - 1);
	RESIGN_AND_CHECK(body, blen + 2);
	/* The context as str8 instead of fixstr. */
	body[0] = p[0];
	body[1] = 0xd9;
	body[2] = 14;
	memcpy(body + 3, p + 2, blen - 2);
	RESIGN_AND_CHECK(body, blen + 1);
	/* Hostile area counts: array32 of 2^32-1 and array16 of 65535. */
	{
		static const uint8_t hostile32[] = { 0x96, 0xae, 'y', 'i', 's', 'h', 'i', '/',
		    'i', 's', 's', 'u', 'e', 'r', '/', '1' };
		size_t n = sizeof hostile32;

		memcpy(body, hostile32, n);
		body[n++] = 0xc4;
		body[n++] = 32;
		memcpy(body + n, issuer.pk, 32);
		n += 32;
		body[n++] = 0xa1;
		body[n++] = 'x';
		memcpy(body + n, "\xdd\xff\xff\xff\xff", 5);
		RESIGN_AND_CHECK(body, n + 5);
		memcpy(body + n, "\xdc\xff\xff", 3);
		RESIGN_AND_CHECK(body, n + 3);
		/* 65 areas. */
		body[n] = 0xdc;
		body[n + 1] = 0;
		body[n + 2] = 65;
		for (i = 0; i < 65; i++)
			memcpy(body + n + 3 + 5 * i, "\xa4" "3302", 5);
		memcpy(body + n + 3 + 5 * 65, "\x01\x02", 2);
		RESIGN_AND_CHECK(body, n + 3 + 5 * 65 + 2);
		/* A nested container where a string should be. */
		memcpy(body + n, "\x91\x91\xa4" "3302\x01\x02", 9);
		RESIGN_AND_CHECK(body, n + 9);
	}
#undef RESIGN_AND_CHECK
	/* Hostile headers of the wrapper itself. */
	CHECK(warn_cert_decode("\xdd\xff\xff\xff\xff", 5, &d) == WARN_EENCODING);
	CHECK(warn_cert_decode("\x92\xc6\xff\xff\xff\xff", 6, &d) == WARN_EENCODING);
	CHECK(warn_cert_decode("\x91", 1, &d) == WARN_EENCODING);
}

static void
test_warnings(void)
{
	struct warning		*w = calloc(1, sizeof *w), *back = calloc(1, sizeof *back);
	struct warn_cert	 c, cn, got;
	uint8_t			*env = malloc(WARN_ENVELOPE_MAX), *bad = malloc(WARN_ENVELOPE_MAX);
	uint8_t			*body = malloc(WARN_BODY_MAX), cert[WARN_CERT_MAX];
	uint8_t			 cert2[WARN_CERT_MAX], h[32];
	char			*hex = malloc(2 * WARN_ENVELOPE_MAX + 1);
	size_t			 len, clen, clen2, blen, i;
	int			 rv;

	c = issuer_cert(&issuer, T0 - DAY, T0 + 365 * DAY);
	clen = make_cert(&root, &c, cert);
	small_warning(w);
	blen = warn_encode(w, body, WARN_BODY_MAX);
	CHECK(blen > 0);
	CHECK(body[0] == 0xdc && body[1] == 0 && body[2] == 29);
	CHECK(body[3] == 0xac && memcmp(body + 4, "yishi/warn/1", 12) == 0);
	len = warn_sign(&issuer, cert, clen, w, env, WARN_ENVELOPE_MAX);
	CHECK(len > 0);
	/* Known answer: the body is fixed, Ed25519 deterministic: pin the envelope hash. */
	crypto_generichash(h, sizeof h, env, len, NULL, 0);
	hex_encode(hex, h, sizeof h);
	CHECK(strcmp(hex, "dbe55a745d63b8f3b8b85d7171fe88fa76eb02762d0a2615a4a9d701cce06da5") == 0 ||
	    (fprintf(stderr, "env hash: %s len %zu\n", hex,
	    len), 0));
	hex_encode(hex, body, blen);
	CHECK(strcmp(hex,
	    "dc001dac79697368692f7761726e2f31ac4e422d323032362d30303031c42000000000000000"
	    "00000000000000000000000000000000000000000000000000b2667a7a78406e6267616a2e65"
	    "78616d706c65cf000001a20bd39b78cd01e0a641637475616ca5416c6572749090a091a85365"
	    "637572697479ac66616b652d736572766963659090a9496d6d656469617465a6536576657265"
	    "a64c696b656c7991a7656c6465726c790000cf000001a210f9f7789091a63333303238319090"
	    "90909199a57a682d434eb2e58692e58585e5aea2e69c8de8af88e9aa97a0bee8ada6e68395e5"
	    "8692e58585e5bfabe98092e5aea2e69c8de98080e6acbed945e8bf91e69c9fe587bae78eb0e5"
	    "8692e58585e5bfabe98092e5aea2e69c8de4bba5e79086e8b594e4b8bae794b1e8afb1e5afbc"
	    "e8bdace8b4a6e79a84e8af88e9aa97e38082b4e68ba8e689933936313130e592a8e8afa2e380"
	    "82a0a0a0") == 0 ||
	    (fprintf(stderr, "body: %s\n", hex), 0));

	CHECK(verify(root.pk, T0, env, len) == WARN_OK);
	rv = warn_verify(root.pk, T0 + 10, env, len, back, &got);
	CHECK(rv == WARN_OK);
	CHECK(memcmp(back->issuer, issuer.pk, 32) == 0);
	CHECK(strcmp(got.name, "宁波市反诈中心") == 0);
	CHECK(strcmp(back->texts[0].headline, w->texts[0].headline) == 0);
	CHECK(warn_matches_area(back, "330281") && warn_matches_area(back, "330281001") &&
	    !warn_matches_area(back, "3302") && !warn_matches_area(back, "330282"));
	/* A stored envelope read back without the checks: the same warning; a wrapper
	 * that is not canonical or is cut short is refused. */
	memset(back, 0xee, sizeof *back);
	CHECK(warn_env_body(env, len, back) == 0 &&
	    strcmp(back->identifier, "NB-2026-0001") == 0 &&
	    memcmp(back->issuer, issuer.pk, 32) == 0);
	CHECK(warn_env_body(env, len - 1, back) == -1);
	CHECK(warn_env_body(env, 0, back) == -1);
	/* Expired: authentic, reported separately, still filled. */
	rv = warn_verify(root.pk, T0 + DAY, env, len, back, &got);
	CHECK(rv == WARN_EEXPIRED && strcmp(back->identifier, "NB-2026-0001") == 0);
	CHECK(verify(root.pk, T0 + DAY - 1, env, len) == WARN_OK);

	/* Wrong root; a certificate signed by another key (an uncertified issuer). */
	CHECK(verify(fake_root.pk, T0, env, len) == WARN_EUNCERTIFIED);
	clen2 = make_cert(&fake_root, &c, cert2);
	len = warn_sign(&issuer, cert2, clen2, w, env, WARN_ENVELOPE_MAX);
	CHECK(verify(root.pk, T0, env, len) == WARN_EUNCERTIFIED);
	/* A real certificate, but the warning signed by someone else. */
	memcpy(w->issuer, issuer.pk, 32);
	len = forge(&other, cert, clen, w, env);
	CHECK(verify(root.pk, T0, env, len) == WARN_ESIGNATURE);
	memcpy(w->issuer, other.pk, 32);
	len = forge(&other, cert, clen, w, env);
	CHECK(verify(root.pk, T0, env, len) == WARN_ESIGNATURE);
	/* warn_sign refuses a certificate naming another key. */
	CHECK(warn_sign(&other, cert, clen, w, env, WARN_ENVELOPE_MAX) == 0);
	/* A node certificate does not let its node issue warnings. */
	cn = c;
	cn.kind = WCK_NODE;
	clen2 = make_cert(&root, &cn, cert2);
	memcpy(w->issuer, issuer.pk, 32);
	len = forge(&issuer, cert2, clen2, w, env);
	CHECK(verify(root.pk, T0, env, len) == WARN_EKIND);

	/* Certificate validity at now and at sent. */
	c = issuer_cert(&issuer, T0 - 10 * DAY, T0 - DAY);
	clen2 = make_cert(&root, &c, cert2);
	len = warn_sign(&issuer, cert2, clen2, w, env, WARN_ENVELOPE_MAX);
	CHECK(verify(root.pk, T0, env, len) == WARN_ECERT_EXPIRED);
	c = issuer_cert(&issuer, T0 + DAY, T0 + 10 * DAY);
	clen2 = make_cert(&root, &c, cert2);
	len = warn_sign(&issuer, cert2, clen2, w, env, WARN_ENVELOPE_MAX);
	CHECK(verify(root.pk, T0, env, len) == WARN_ECERT_NOT_YET);
	/* Backdated: the certificate is valid now but was not when the warning says it was sent. */
	CHECK(verify(root.pk, T0 + 2 * DAY, env, len) == WARN_ECERT_NOT_YET);
	/* Post-dated past the certificate's end. */
	c = issuer_cert(&issuer, T0 - DAY, T0 + DAY);
	clen2 = make_cert(&root, &c, cert2);
	w->sent_ms = T0 + 2 * DAY;
	w->expires_ms = T0 + 3 * DAY;
	len = warn_sign(&issuer, cert2, clen2, w, env, WARN_ENVELOPE_MAX);
	CHECK(verify(root.pk, T0, env, len) == WARN_ECERT_EXPIRED);
	small_warning(w);

	/* Areas: outside, one of several outside, none, a target outside. */
	snprintf(w->areas[0], sizeof w->areas[0], "3303");
	len = warn_sign(&issuer, cert, clen, w, env, WARN_ENVELOPE_MAX);
	CHECK(verify(root.pk, T0, env, len) == WARN_EAREA);
	snprintf(w->areas[0], sizeof w->areas[0], "330381001");
	snprintf(w->areas[1], sizeof w->areas[1], "33");
	w->nareas = 2;
	len = warn_sign(&issuer, cert, clen, w, env, WARN_ENVELOPE_MAX);
	CHECK(verify(root.pk, T0, env, len) == WARN_EAREA);
	w->nareas = 1;
	len = warn_sign(&issuer, cert, clen, w, env, WARN_ENVELOPE_MAX);
	CHECK(verify(root.pk, T0, env, len) == WARN_OK);
	w->nareas = 0;
	len = warn_sign(&issuer, cert, clen, w, env, WARN_ENVELOPE_MAX);
	CHECK(len > 0 && verify(root.pk, T0, env, len) == WARN_EAREA);
	small_warning(w);
	w->has_target = 1;
	snprintf(w->target_area, sizeof w->target_area, "330281102");
	memcpy(w->target_station, other.pk, 32);
	len = warn_sign(&issuer, cert, clen, w, env, WARN_ENVELOPE_MAX);
	CHECK(verify(root.pk, T0, env, len) == WARN_OK);
	rv = warn_verify(root.pk, T0, env, len, back, NULL);
	CHECK(rv == WARN_OK && back->has_target &&
	    memcmp(back->target_station, other.pk, 32) == 0);
	snprintf(w->target_area, sizeof w->target_area, "330282");	/* not in the areas */
	CHECK(warn_sign(&issuer, cert, clen, w, env, WARN_ENVELOPE_MAX) == 0);

	/* One flipped bit anywhere in the envelope: never accepted. */
	small_warning(w);
	len = warn_sign(&issuer, cert, clen, w, env, WARN_ENVELOPE_MAX);
	for (i = 0; i < len * 8; i++) {
		memcpy(bad, env, len);
		bad[i / 8] ^= (uint8_t)(1u << (i % 8));
		rv = verify(root.pk, T0, bad, len);
		CHECK(rv != WARN_OK && rv != WARN_EEXPIRED);
	}
	/* Truncated anywhere, or a byte too many. */
	for (i = 0; i < len; i++)
		CHECK(verify(root.pk, T0, env, i) == WARN_EENCODING);
	memcpy(bad, env, len);
	bad[len] = 0;
	CHECK(verify(root.pk, T0, bad, len + 1) == WARN_EENCODING);
	free(w);
	free(back);
	free(env);
	free(bad);
	free(body);
	free(hex);
}

static void
test_encoding_rules(void)
{
	struct warning	*w = calloc(1, sizeof *w), *back = calloc(1, sizeof *back);
	uint8_t		*body = malloc(WARN_BODY_MAX), *env = malloc(WARN_ENVELOPE_MAX);
	uint8_t		 cert[WARN_CERT_MAX];
	struct warn_cert c;
	size_t		 len, i;

	/* The bounds fit. */
	full_warning(w);
	len = warn_encode(w, body, WARN_BODY_MAX);
	CHECK(len > 0 && len <= WARN_BODY_MAX);
	CHECK(warn_decode(body, len, back) == 0);
	CHECK(memcmp(back, w, sizeof *w) == 0);
	c = issuer_cert(&issuer, T0 - DAY, T0 + DAY);
	snprintf(c.areas[0], sizeof c.areas[0], "33");
	i = make_cert(&root, &c, cert);
	memcpy(w->issuer, issuer.pk, 32);
	len = warn_sign(&issuer, cert, i, w, env, WARN_ENVELOPE_MAX);
	CHECK(len > 0 && len <= WARN_ENVELOPE_MAX);
	CHECK(verify(root.pk, T0, env, len) == WARN_OK);
	/* One past each bound is refused. */
	full_warning(w);
	w->texts[3].description[WARN_DESC_MAX] = 'd';
	CHECK(warn_encode(w, body, WARN_BODY_MAX) == 0);
	full_warning(w);
	w->identifier[WARN_ID_MAX] = 'I';
	CHECK(warn_encode(w, body, WARN_BODY_MAX) == 0);
	full_warning(w);
	w->nareas = WARN_AREAS_MAX + 1;
	CHECK(warn_encode(w, body, WARN_BODY_MAX) == 0);

	/* Shape rules. */
#define REFUSED(stmt) do {						\
	small_warning(w);						\
	stmt;								\
	CHECK(warn_encode(w, body, WARN_BODY_MAX) == 0);		\
} while (0)
	small_warning(w);
	CHECK(warn_encode(w, body, WARN_BODY_MAX) > 0);
	REFUSED(w->sent_ms += 1);				/* not whole seconds */
	REFUSED(w->expires_ms += 500);
	REFUSED(w->msg_type = WMSG_CANCEL);			/* no references */
	REFUSED(snprintf(w->identifier, sizeof w->identifier, "a,b"));
	REFUSED(snprintf(w->identifier, sizeof w->identifier, "a b"));
	REFUSED(w->identifier[0] = '\0');
	REFUSED(snprintf(w->fraud_type, sizeof w->fraud_type, "Fake"));
	REFUSED(w->categories = 0);
	REFUSED(w->categories = 1u << WCAT__COUNT);
	REFUSED(w->tz_min = 900);
	REFUSED(w->status = WSTAT__COUNT);
	REFUSED(snprintf(w->texts[0].language, sizeof w->texts[0].language, "zh_CN"));
	REFUSED(snprintf(w->texts[0].language, sizeof w->texts[0].language, "-zh"));
	REFUSED(w->texts[0].event[0] = '\0');
	REFUSED(snprintf(w->texts[0].headline, sizeof w->texts[0].headline, "a\033[2Jb"));
	REFUSED(snprintf(w->texts[0].headline, sizeof w->texts[0].headline, "\xef\xbf\xbf"));
	REFUSED(snprintf(w->texts[0].headline, sizeof w->texts[0].headline, "\xc0\xaf"));
	REFUSED(w->ntexts = 0);					/* info fields left set */
	REFUSED(snprintf(w->areas[0], sizeof w->areas[0], "33a"));
	REFUSED((snprintf(w->areas[1], sizeof w->areas[1], "330281"), w->nareas = 2));
	REFUSED((snprintf(w->audience[1], sizeof w->audience[1], "elderly"), w->naudience = 2));
	REFUSED(snprintf(w->audience[0], sizeof w->audience[0], "old people"));
	REFUSED(w->npolygon = 3);
	REFUSED((w->npolygon = 4, w->polygon[3].lat = 5));	/* not closed */
	REFUSED((w->npolygon = 4, w->polygon[0].lat = w->polygon[3].lat = 900000001));
	REFUSED((w->has_circle = 1, w->circle_radius = 200000000001ULL));
	REFUSED(w->circle.lat = 5);				/* without has_circle */
	REFUSED(w->has_target = 1);				/* no target area */
	REFUSED(w->target_station[0] = 1);
	REFUSED((w->msg_type = WMSG_UPDATE, w->nrefs = 1,
	    snprintf(w->refs[0], sizeof w->refs[0], "a,b")));
	REFUSED((w->msg_type = WMSG_UPDATE, w->nrefs = 1,
	    snprintf(w->refs[0], sizeof w->refs[0], "a,b,2026-02-30T00:00:00+08:00")));
#undef REFUSED
	/* A CAP cancel without info: everything info-level empty. */
	small_warning(w);
	memset(&w->categories, 0, (size_t)((char *)&w->texts - (char *)&w->categories));
	w->urgency = WURG_UNKNOWN;
	w->severity = WSEV_UNKNOWN;
	w->certainty = WCTN_UNKNOWN;
	w->ntexts = 0;
	w->msg_type = WMSG_CANCEL;
	w->nrefs = 1;
	snprintf(w->refs[0], sizeof w->refs[0], "a@b,X-1,2026-01-01T00:00:00-00:00");
	len = warn_encode(w, body, WARN_BODY_MAX);
	CHECK(len > 0 && warn_decode(body, len, back) == 0 && back->ntexts == 0);

	/* Strict decoding of bodies. */
	small_warning(w);
	len = warn_encode(w, body, WARN_BODY_MAX);
	for (i = 0; i < len; i++)
		CHECK(warn_decode(body, i, back) == -1);
	body[len] = 0xc0;
	CHECK(warn_decode(body, len + 1, back) == -1);
	CHECK(warn_decode(body, len, back) == 0);
	/* The status spelled in lower case: a non-canonical name. */
	{
		uint8_t *p = memmem(body, len, "\xa6" "Actual", 7);

		CHECK(p != NULL);
		if (p != NULL) {
			p[1] = 'a';
			CHECK(warn_decode(body, len, back) == -1);
			p[1] = 'A';
		}
	}
	/* Hostile counts in place of the references array (offset after status, msgType). */
	{
		uint8_t *p = memmem(body, len, "\xa5" "Alert", 6), *q = malloc(len + 8);
		size_t off = (size_t)(p - body) + 6;

		CHECK(p != NULL && body[off] == 0x90);
		memcpy(q, body, off);
		memcpy(q + off, "\xdd\xff\xff\xff\xff", 5);
		memcpy(q + off + 5, body + off + 1, len - off - 1);
		CHECK(warn_decode(q, len + 4, back) == -1);
		memcpy(q + off, "\xdc\xff\xff", 3);
		memcpy(q + off + 3, body + off + 1, len - off - 1);
		CHECK(warn_decode(q, len + 2, back) == -1);
		/* array16 of 0: the non-canonical spelling of an empty array. */
		memcpy(q + off, "\xdc\x00\x00", 3);
		CHECK(warn_decode(q, len + 2, back) == -1);
		/* A map where an array belongs (containers are never read by msgpack-c). */
		memcpy(q, body, len);
		q[off] = 0x80;
		CHECK(warn_decode(q, len, back) == -1);
		free(q);
	}
	CHECK(warn_decode("\xdd\xff\xff\xff\xff", 5, back) == -1);
	CHECK(warn_decode("\xdc\x00\x1d", 3, back) == -1);
	free(w);
	free(back);
	free(body);
	free(env);
}

static void
test_areas_refs_times(void)
{
	char		 areas[3][WARN_AREA_LEN + 1] = { "3302", "330381", "11" };
	struct warning	*a = calloc(1, sizeof *a), *b = calloc(1, sizeof *b);
	char		 ref[WARN_REF_MAX + 1], s[WARN_SENDER_MAX + 1], id[WARN_ID_MAX + 1];
	char		 t[WARN_TIME_LEN + 1];
	uint64_t	 ms;
	int		 tz;

	CHECK(warn_area_covers(areas, 3, "3302"));
	CHECK(warn_area_covers(areas, 3, "330281"));
	CHECK(warn_area_covers(areas, 3, "330381001002"));
	CHECK(warn_area_covers(areas, 3, "110101"));
	CHECK(!warn_area_covers(areas, 3, "33"));		/* coarser than every code */
	CHECK(!warn_area_covers(areas, 3, "3303"));
	CHECK(!warn_area_covers(areas, 3, "330382"));
	CHECK(!warn_area_covers(areas, 3, "3302x"));
	CHECK(!warn_area_covers(areas, 3, ""));
	CHECK(!warn_area_covers(areas, 3, "3302810010021"));	/* 13 digits */
	CHECK(!warn_area_covers(areas, 0, "3302"));
	CHECK(warn_area_valid("33") && !warn_area_valid("3") && !warn_area_valid("-33"));

	/* Times. */
	CHECK(warn_time_parse("2003-06-17T14:57:00-07:00", &ms, &tz) == 0);
	CHECK(ms == 1055887020000ULL && tz == -420);
	CHECK(strcmp(warn_time_format(t, ms, tz), "2003-06-17T14:57:00-07:00") == 0);
	CHECK(strcmp(warn_time_format(t, ms, 0), "2003-06-17T21:57:00-00:00") == 0);
	CHECK(strcmp(warn_time_format(t, ms, 480), "2003-06-18T05:57:00+08:00") == 0);
	CHECK(warn_time_parse("2024-02-29T00:00:00+08:00", &ms, &tz) == 0);
	CHECK(warn_time_parse("2023-02-29T00:00:00+08:00", &ms, &tz) == -1);
	CHECK(warn_time_parse("2003-06-17T14:57:00Z", &ms, &tz) == -1);
	CHECK(warn_time_parse("2003-06-17T24:00:00-07:00", &ms, &tz) == -1);
	CHECK(warn_time_parse("2003-06-17T14:57:00.5-07:00", &ms, &tz) == -1);
	CHECK(warn_time_parse("1969-12-31T23:59:59-00:00", &ms, &tz) == -1);
	CHECK(warn_time_parse("1970-01-01T08:00:00+08:00", &ms, &tz) == 0 && ms == 0);
	CHECK(warn_time_parse("2003-06-17T14:57:00+15:00", &ms, &tz) == -1);

	/* References and supersession. */
	small_warning(a);
	memcpy(a->issuer, issuer.pk, 32);
	CHECK(warn_ref_make(a, ref) == 0);
	CHECK(strcmp(ref, "fzzx@nbgaj.example,NB-2026-0001,2026-11-24T12:32:27+08:00") == 0 ||
	    (fprintf(stderr, "ref %s\n", ref), 0));
	CHECK(warn_ref_split(ref, s, id, &ms) == 0 && strcmp(id, "NB-2026-0001") == 0 &&
	    ms == T0);
	CHECK(warn_ref_split("a,b,c,d", s, id, &ms) == -1);
	CHECK(warn_ref_split(",b,2026-11-24T12:32:27+08:00", s, id, &ms) == -1);
	small_warning(b);
	memcpy(b->issuer, issuer.pk, 32);
	snprintf(b->identifier, sizeof b->identifier, "NB-2026-0002");
	b->msg_type = WMSG_CANCEL;
	b->sent_ms = T0 + 1000;
	memcpy(b->refs[0], ref, sizeof ref);
	b->nrefs = 1;
	CHECK(warn_supersedes(b, a));
	CHECK(!warn_supersedes(a, b));
	memcpy(b->issuer, other.pk, 32);		/* another issuer cannot */
	CHECK(!warn_supersedes(b, a));
	memcpy(b->issuer, issuer.pk, 32);
	b->msg_type = WMSG_ALERT;
	CHECK(!warn_supersedes(b, a));
	b->msg_type = WMSG_UPDATE;
	snprintf(a->sender, sizeof a->sender, "someone@else");
	CHECK(!warn_supersedes(b, a));
	free(a);
	free(b);
	CHECK(strcmp(warn_result_str(WARN_EAREA), "area outside the issuer's areas") == 0);
	CHECK(warn_name_parse(warn_severity_names, WSEV__COUNT, "severe") == WSEV_SEVERE);
}

int
main(void)
{
	if (crypto_init() != 0)
		return 1;
	seeded(&root, 0x00);
	seeded(&issuer, 0x40);
	seeded(&other, 0x80);
	seeded(&fake_root, 0xc0);
	test_certs();
	test_cert_strict();
	test_warnings();
	test_encoding_rules();
	test_areas_refs_times();
	return check_done("test_warn");
}
