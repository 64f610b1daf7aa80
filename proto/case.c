/* case.c: reports, case entries and agreements. See case.h. */
#include "proto/case.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "proto/mp.h"

#define REPORT_CONTEXT		"yishi/report/1"
#define CASE_CONTEXT		"yishi/case/1"
#define AGREEMENT_CONTEXT	"yishi/agreement/1"
#define CONTEXT_LEN(s)		(sizeof(s) - 1)
#define REPORT_FIELDS		10
#define CASE_FIELDS		7
#define AGREEMENT_FIELDS	6

const char *const report_kind_names[RK__COUNT] = { "fraud", "dispute", "non-police" };
const char *const case_queue_names[CQ__COUNT] = { "anti-fraud", "mediation", "transfer" };
const char *const case_action_names[CA__COUNT] = {
	"claim", "progress", "note", "resolve", "reject", "escalate", "transfer", "mediate",
	"agree", "sign",
};

static int
case_name_parse(const char *const *names, int n, const char *s)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

int
report_kind_parse(const char *s)
{
	return case_name_parse(report_kind_names, RK__COUNT, s);
}

int
case_queue_parse(const char *s)
{
	return case_name_parse(case_queue_names, CQ__COUNT, s);
}

int
case_action_parse(const char *s)
{
	return case_name_parse(case_action_names, CA__COUNT, s);
}

int
report_kind_queue(int kind)
{
	switch (kind) {
	case RK_FRAUD:
		return CQ_ANTIFRAUD;
	case RK_DISPUTE:
		return CQ_MEDIATION;
	default:
		return CQ_TRANSFER;
	}
}

/* A string field: valid UTF-8 without NUL and shorter than its buffer. */
static int
case_str_ok(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);

	return n < cap && mp_utf8_valid((const uint8_t *)s, n);
}

static int
case_area_ok(const char *a)
{
	size_t i, n = strlen(a);

	if (n < 2 || n > 12)
		return 0;
	for (i = 0; i < n; i++)
		if (a[i] < '0' || a[i] > '9')
			return 0;
	return 1;
}

size_t
report_meta_encode(const struct report_meta *m, uint8_t *out, size_t outlen)
{
	struct mp_fixbuf fb = { out, 0, outlen, 0 };
	msgpack_packer pk;
	const char *kind;

	if (m->kind < 0 || m->kind >= RK__COUNT || m->urgent > 1 || !case_area_ok(m->area) ||
	    !case_str_ok(m->fraud_type, sizeof m->fraud_type))
		return 0;
	kind = report_kind_names[m->kind];
	msgpack_packer_init(&pk, &fb, mp_fixbuf_write);
	msgpack_pack_array(&pk, REPORT_FIELDS);
	msgpack_pack_str_with_body(&pk, REPORT_CONTEXT, CONTEXT_LEN(REPORT_CONTEXT));
	msgpack_pack_bin_with_body(&pk, m->id, CASE_ID_BYTES);
	msgpack_pack_bin_with_body(&pk, m->reporter, YISHI_PK_BYTES);
	msgpack_pack_str_with_body(&pk, kind, strlen(kind));
	msgpack_pack_uint64(&pk, m->urgent);
	msgpack_pack_str_with_body(&pk, m->area, strlen(m->area));
	msgpack_pack_uint64(&pk, m->ts_ms);
	msgpack_pack_str_with_body(&pk, m->fraud_type, strlen(m->fraud_type));
	msgpack_pack_bin_with_body(&pk, m->ref_group, YISHI_GID_BYTES);
	msgpack_pack_uint64(&pk, m->ref_seq);
	return fb.overflow ? 0 : fb.len;
}

/* Decoded metadata must re-encode to the signed bytes. */
int
report_meta_decode(const void *buf, size_t len, struct report_meta *m)
{
	const uint8_t *b = buf;
	uint8_t re[REPORT_META_MAX];
	struct report_meta t;
	msgpack_unpacked u;
	char kind[16];
	uint64_t urgent;
	size_t off = 1;
	int rv = -1;

	if (len == 0 || len > REPORT_META_MAX || b[0] != MP_FIXARRAY(REPORT_FIELDS))
		return -1;
	memset(&t, 0, sizeof t);
	msgpack_unpacked_init(&u);
	if (mp_next_context(b, len, &off, &u, REPORT_CONTEXT, CONTEXT_LEN(REPORT_CONTEXT)) ||
	    mp_next_bin(b, len, &off, &u, t.id, CASE_ID_BYTES) ||
	    mp_next_bin(b, len, &off, &u, t.reporter, YISHI_PK_BYTES) ||
	    mp_next_str(b, len, &off, &u, kind, sizeof kind) ||
	    (t.kind = report_kind_parse(kind)) < 0 ||
	    mp_next_uint(b, len, &off, &u, &urgent) || urgent > 1 ||
	    mp_next_str(b, len, &off, &u, t.area, sizeof t.area) ||
	    mp_next_uint(b, len, &off, &u, &t.ts_ms) ||
	    mp_next_str(b, len, &off, &u, t.fraud_type, sizeof t.fraud_type) ||
	    mp_next_bin(b, len, &off, &u, t.ref_group, YISHI_GID_BYTES) ||
	    mp_next_uint(b, len, &off, &u, &t.ref_seq) || off != len)
		goto out;
	t.urgent = (uint8_t)urgent;
	if (report_meta_encode(&t, re, sizeof re) != len || memcmp(re, b, len) != 0)
		goto out;
	*m = t;
	rv = 0;
out:
	msgpack_unpacked_destroy(&u);
	return rv;
}

void
report_meta_sign(const struct ident *reporter, const uint8_t *meta, size_t len,
    uint8_t sig[YISHI_SIG_BYTES])
{
	crypto_sign_detached(sig, NULL, meta, len, reporter->sk);
}

int
report_meta_verify(const uint8_t reporter[YISHI_PK_BYTES], const uint8_t *meta, size_t len,
    const uint8_t sig[YISHI_SIG_BYTES])
{
	return crypto_sign_verify_detached(sig, meta, len, reporter) == 0 ? 0 : -1;
}

static void
case_pack_str(msgpack_packer *pk, const char *k, const char *v)
{
	msgpack_pack_str_with_body(pk, k, strlen(k));
	msgpack_pack_str_with_body(pk, v, strlen(v));
}

int
report_body_encode(const struct report_body *b, msgpack_sbuffer *sb)
{
	msgpack_packer pk;
	size_t total;
	int i, n = 1;

	if (!case_str_ok(b->text, sizeof b->text) || b->text[0] == '\0' ||
	    !case_str_ok(b->amount, sizeof b->amount) ||
	    b->naccounts < 0 || b->naccounts > REPORT_LIST_MAX ||
	    b->nphones < 0 || b->nphones > REPORT_LIST_MAX)
		return -1;
	for (i = 0; i < b->naccounts; i++)
		if (!case_str_ok(b->accounts[i], sizeof b->accounts[i]))
			return -1;
	for (i = 0; i < b->nphones; i++)
		if (!case_str_ok(b->phones[i], sizeof b->phones[i]))
			return -1;
	if (b->nattachments < 0 || b->nattachments > REPORT_ATTACH_MAX)
		return -1;
	for (i = 0, total = 0; i < b->nattachments; i++) {
		const struct report_attachment *a = &b->attachments[i];

		if (!case_str_ok(a->name, sizeof a->name) || a->name[0] == '\0' ||
		    strchr(a->name, '/') != NULL || (a->len > 0 && a->data == NULL))
			return -1;
		total += a->len;
	}
	if (total > REPORT_ATTACH_BYTES)
		return -1;
	n += b->nattachments > 0;
	n += b->amount[0] != '\0';
	n += b->naccounts > 0;
	n += b->nphones > 0;
	msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, n);
	case_pack_str(&pk, "text", b->text);
	if (b->amount[0] != '\0')
		case_pack_str(&pk, "amount", b->amount);
	if (b->naccounts > 0) {
		msgpack_pack_str_with_body(&pk, "accounts", 8);
		msgpack_pack_array(&pk, b->naccounts);
		for (i = 0; i < b->naccounts; i++)
			msgpack_pack_str_with_body(&pk, b->accounts[i], strlen(b->accounts[i]));
	}
	if (b->nphones > 0) {
		msgpack_pack_str_with_body(&pk, "phones", 6);
		msgpack_pack_array(&pk, b->nphones);
		for (i = 0; i < b->nphones; i++)
			msgpack_pack_str_with_body(&pk, b->phones[i], strlen(b->phones[i]));
	}
	if (b->nattachments > 0) {
		msgpack_pack_str_with_body(&pk, "attachments", 11);
		msgpack_pack_array(&pk, (size_t)b->nattachments);
		for (i = 0; i < b->nattachments; i++) {
			msgpack_pack_array(&pk, 2);
			msgpack_pack_str_with_body(&pk, b->attachments[i].name,
			    strlen(b->attachments[i].name));
			msgpack_pack_bin_with_body(&pk, b->attachments[i].data, b->attachments[i].len);
		}
	}
	return 0;
}

/* [[name, data], ...]: at most REPORT_ATTACH_MAX pairs, headers read here. */
static int
case_next_attachments(const uint8_t *b, size_t len, size_t *off, msgpack_unpacked *u,
    struct report_body *t)
{
	const msgpack_object *o = &u->data;
	size_t total = 0;
	int i, count;

	if (*off >= len || (b[*off] & 0xf0) != 0x90)
		return -1;
	count = b[(*off)++] & 0x0f;
	if (count == 0 || count > REPORT_ATTACH_MAX)
		return -1;
	for (i = 0; i < count; i++) {
		struct report_attachment *a = &t->attachments[i];

		if (*off >= len || b[(*off)++] != MP_FIXARRAY(2) ||
		    mp_next_str(b, len, off, u, a->name, sizeof a->name) != 0 ||
		    a->name[0] == '\0' || strchr(a->name, '/') != NULL ||
		    !mp_utf8_valid((const uint8_t *)a->name, strlen(a->name)) ||
		    mp_next_scalar(b, len, off, u, MSGPACK_OBJECT_BIN) != 0)
			return -1;
		a->data = (const uint8_t *)o->via.bin.ptr;
		a->len = o->via.bin.size;
		if ((total += a->len) > REPORT_ATTACH_BYTES)
			return -1;
	}
	t->nattachments = count;
	return 0;
}

/* A list of at most REPORT_LIST_MAX strings: its header is read here, not by msgpack-c. */
static int
case_next_strlist(const uint8_t *b, size_t len, size_t *off, msgpack_unpacked *u, char *dst,
    size_t stride, size_t cap, int *n)
{
	int i, count;

	if (*off >= len || (b[*off] & 0xf0) != 0x90)
		return -1;
	count = b[(*off)++] & 0x0f;
	if (count == 0 || count > REPORT_LIST_MAX)
		return -1;
	for (i = 0; i < count; i++)
		if (mp_next_str(b, len, off, u, dst + (size_t)i * stride, cap) != 0 ||
		    !mp_utf8_valid((const uint8_t *)dst + (size_t)i * stride,
		    strlen(dst + (size_t)i * stride)))
			return -1;
	*n = count;
	return 0;
}

/*
 * The body is what a reporter wrote; a handler's client decodes it strictly: a map of
 * "text" and optional "amount", "accounts", "phones", "attachments", each once,
 * nothing else. Attachment data point into buf.
 */
int
report_body_decode(const void *buf, size_t len, struct report_body *out)
{
	const uint8_t *b = buf;
	struct report_body *t;
	msgpack_unpacked u;
	char key[16];
	size_t off = 1;
	int i, n, seen = 0, rv = -1;

	if (len == 0 || (b[0] & 0xf0) != 0x80 || (n = b[0] & 0x0f) == 0 || n > 5)
		return -1;
	t = out;
	memset(t, 0, sizeof *t);
	msgpack_unpacked_init(&u);
	for (i = 0; i < n; i++) {
		if (mp_next_str(b, len, &off, &u, key, sizeof key) != 0)
			goto out;
		if (strcmp(key, "text") == 0 && !(seen & 1)) {
			seen |= 1;
			if (mp_next_str(b, len, &off, &u, t->text, sizeof t->text) != 0)
				goto out;
		} else if (strcmp(key, "amount") == 0 && !(seen & 2)) {
			seen |= 2;
			if (mp_next_str(b, len, &off, &u, t->amount, sizeof t->amount) != 0)
				goto out;
		} else if (strcmp(key, "accounts") == 0 && !(seen & 4)) {
			seen |= 4;
			if (case_next_strlist(b, len, &off, &u, t->accounts[0],
			    sizeof t->accounts[0], sizeof t->accounts[0], &t->naccounts) != 0)
				goto out;
		} else if (strcmp(key, "phones") == 0 && !(seen & 8)) {
			seen |= 8;
			if (case_next_strlist(b, len, &off, &u, t->phones[0], sizeof t->phones[0],
			    sizeof t->phones[0], &t->nphones) != 0)
				goto out;
		} else if (strcmp(key, "attachments") == 0 && !(seen & 16)) {
			seen |= 16;
			if (case_next_attachments(b, len, &off, &u, t) != 0)
				goto out;
		} else
			goto out;
	}
	if (off != len || !(seen & 1) || t->text[0] == '\0' ||
	    !mp_utf8_valid((const uint8_t *)t->text, strlen(t->text)) ||
	    !mp_utf8_valid((const uint8_t *)t->amount, strlen(t->amount)))
		goto out;
	rv = 0;
out:
	msgpack_unpacked_destroy(&u);
	if (rv != 0)
		memset(t, 0, sizeof *t);
	return rv;
}

void
report_seal_body(const uint8_t *meta, size_t metalen, const uint8_t *pt, size_t ptlen,
    uint8_t key[YISHI_KEY_BYTES], uint8_t *out)
{
	crypto_aead_xchacha20poly1305_ietf_keygen(key);
	randombytes_buf(out, YISHI_NONCE_BYTES);
	crypto_aead_xchacha20poly1305_ietf_encrypt(out + YISHI_NONCE_BYTES, NULL, pt, ptlen,
	    meta, metalen, NULL, out, key);
}

int
report_open_body(const uint8_t key[YISHI_KEY_BYTES], const uint8_t *meta, size_t metalen,
    const uint8_t *body, size_t bodylen, uint8_t *pt)
{
	if (bodylen < YISHI_NONCE_BYTES + YISHI_TAG_BYTES)
		return -1;
	return crypto_aead_xchacha20poly1305_ietf_decrypt(pt, NULL, NULL,
	    body + YISHI_NONCE_BYTES, bodylen - YISHI_NONCE_BYTES, meta, metalen, body, key) == 0 ?
	    0 : -1;
}

int
report_seal_key(const uint8_t key[YISHI_KEY_BYTES], const uint8_t to_pk[YISHI_PK_BYTES],
    uint8_t seal[REPORT_SEAL_BYTES])
{
	uint8_t xpk[crypto_box_PUBLICKEYBYTES];

	if (crypto_sign_ed25519_pk_to_curve25519(xpk, to_pk) != 0)
		return -1;
	return crypto_box_seal(seal, key, YISHI_KEY_BYTES, xpk) == 0 ? 0 : -1;
}

int
report_open_key(const struct ident *me, const uint8_t seal[REPORT_SEAL_BYTES],
    uint8_t key[YISHI_KEY_BYTES])
{
	return crypto_box_seal_open(key, seal, REPORT_SEAL_BYTES, me->xpk, me->xsk) == 0 ? 0 : -1;
}

size_t
case_entry_encode(const struct case_entry *e, uint8_t *out, size_t outlen)
{
	struct mp_fixbuf fb = { out, 0, outlen, 0 };
	msgpack_packer pk;
	const char *name;

	if (e->action < 0 || e->action >= CA__COUNT || !case_str_ok(e->arg, sizeof e->arg))
		return 0;
	name = case_action_names[e->action];
	msgpack_packer_init(&pk, &fb, mp_fixbuf_write);
	msgpack_pack_array(&pk, CASE_FIELDS);
	msgpack_pack_str_with_body(&pk, CASE_CONTEXT, CONTEXT_LEN(CASE_CONTEXT));
	msgpack_pack_bin_with_body(&pk, e->case_id, CASE_ID_BYTES);
	msgpack_pack_str_with_body(&pk, name, strlen(name));
	msgpack_pack_bin_with_body(&pk, e->actor, YISHI_PK_BYTES);
	msgpack_pack_str_with_body(&pk, e->arg, strlen(e->arg));
	msgpack_pack_uint64(&pk, e->ts_ms);
	msgpack_pack_bin_with_body(&pk, e->id, sizeof e->id);
	return fb.overflow ? 0 : fb.len;
}

int
case_entry_decode(const void *buf, size_t len, struct case_entry *e)
{
	const uint8_t *b = buf;
	uint8_t re[CASE_ENTRY_MAX];
	struct case_entry t;
	msgpack_unpacked u;
	char action[16];
	size_t off = 1;
	int rv = -1;

	if (len == 0 || len > CASE_ENTRY_MAX || b[0] != MP_FIXARRAY(CASE_FIELDS))
		return -1;
	memset(&t, 0, sizeof t);
	msgpack_unpacked_init(&u);
	if (mp_next_context(b, len, &off, &u, CASE_CONTEXT, CONTEXT_LEN(CASE_CONTEXT)) ||
	    mp_next_bin(b, len, &off, &u, t.case_id, CASE_ID_BYTES) ||
	    mp_next_str(b, len, &off, &u, action, sizeof action) ||
	    (t.action = case_action_parse(action)) < 0 ||
	    mp_next_bin(b, len, &off, &u, t.actor, YISHI_PK_BYTES) ||
	    mp_next_str(b, len, &off, &u, t.arg, sizeof t.arg) ||
	    mp_next_uint(b, len, &off, &u, &t.ts_ms) ||
	    mp_next_bin(b, len, &off, &u, t.id, sizeof t.id) || off != len)
		goto out;
	if (case_entry_encode(&t, re, sizeof re) != len || memcmp(re, b, len) != 0)
		goto out;
	*e = t;
	rv = 0;
out:
	msgpack_unpacked_destroy(&u);
	return rv;
}

void
case_entry_sign(const struct ident *actor, const uint8_t *body, size_t len,
    uint8_t sig[YISHI_SIG_BYTES])
{
	crypto_sign_detached(sig, NULL, body, len, actor->sk);
}

int
case_entry_verify(const uint8_t actor[YISHI_PK_BYTES], const uint8_t *body, size_t len,
    const uint8_t sig[YISHI_SIG_BYTES])
{
	return crypto_sign_verify_detached(sig, body, len, actor) == 0 ? 0 : -1;
}

size_t
agreement_encode(const struct agreement *a, uint8_t *out, size_t outlen)
{
	struct mp_fixbuf fb = { out, 0, outlen, 0 };
	msgpack_packer pk;
	int i;

	if (a->nparties < 1 || a->nparties > AGREEMENT_PARTIES_MAX ||
	    !case_str_ok(a->text, sizeof a->text) || a->text[0] == '\0')
		return 0;
	msgpack_packer_init(&pk, &fb, mp_fixbuf_write);
	msgpack_pack_array(&pk, AGREEMENT_FIELDS);
	msgpack_pack_str_with_body(&pk, AGREEMENT_CONTEXT, CONTEXT_LEN(AGREEMENT_CONTEXT));
	msgpack_pack_bin_with_body(&pk, a->case_id, CASE_ID_BYTES);
	msgpack_pack_bin_with_body(&pk, a->mediator, YISHI_PK_BYTES);
	msgpack_pack_array(&pk, (size_t)a->nparties);
	for (i = 0; i < a->nparties; i++)
		msgpack_pack_bin_with_body(&pk, a->parties[i], YISHI_PK_BYTES);
	msgpack_pack_str_with_body(&pk, a->text, strlen(a->text));
	msgpack_pack_uint64(&pk, a->ts_ms);
	return fb.overflow ? 0 : fb.len;
}

int
agreement_decode(const void *buf, size_t len, struct agreement *out)
{
	static struct agreement t;	/* large: not on the stack */
	const uint8_t *b = buf;
	static uint8_t re[AGREEMENT_MAX];
	msgpack_unpacked u;
	size_t off = 1;
	int i, rv = -1;

	if (len == 0 || len > AGREEMENT_MAX || b[0] != MP_FIXARRAY(AGREEMENT_FIELDS))
		return -1;
	memset(&t, 0, sizeof t);
	msgpack_unpacked_init(&u);
	if (mp_next_context(b, len, &off, &u, AGREEMENT_CONTEXT,
	    CONTEXT_LEN(AGREEMENT_CONTEXT)) ||
	    mp_next_bin(b, len, &off, &u, t.case_id, CASE_ID_BYTES) ||
	    mp_next_bin(b, len, &off, &u, t.mediator, YISHI_PK_BYTES))
		goto out;
	/* The parties: a short array, its header read here. */
	if (off >= len || (b[off] & 0xf0) != 0x90)
		goto out;
	t.nparties = b[off++] & 0x0f;
	if (t.nparties < 1 || t.nparties > AGREEMENT_PARTIES_MAX)
		goto out;
	for (i = 0; i < t.nparties; i++)
		if (mp_next_bin(b, len, &off, &u, t.parties[i], YISHI_PK_BYTES))
			goto out;
	if (mp_next_str(b, len, &off, &u, t.text, sizeof t.text) ||
	    mp_next_uint(b, len, &off, &u, &t.ts_ms) || off != len)
		goto out;
	if (agreement_encode(&t, re, sizeof re) != len || memcmp(re, b, len) != 0)
		goto out;
	*out = t;
	rv = 0;
out:
	msgpack_unpacked_destroy(&u);
	return rv;
}

void
agreement_hash(const uint8_t *doc, size_t len, char hex[AGREEMENT_HASH_HEX])
{
	uint8_t h[32];

	crypto_generichash(h, sizeof h, doc, len, NULL, 0);
	sodium_bin2hex(hex, AGREEMENT_HASH_HEX, h, sizeof h);
}

/*
 * A signed entry of the file: exactly {"entry": bin, "sig": bin}, the entry decoding
 * as a case entry and naming the document's case and hash. The signature is checked
 * by the caller, who knows whose it must be.
 */
static int
agreement_file_entry(const msgpack_object *s, const struct agreement *a, const char *hash,
    struct case_entry *e, const msgpack_object **ent, const msgpack_object **sig)
{
	const msgpack_object *k, *v;
	uint32_t j;

	*ent = *sig = NULL;
	if (s->type != MSGPACK_OBJECT_MAP || s->via.map.size != 2)
		return -1;
	for (j = 0; j < 2; j++) {
		k = &s->via.map.ptr[j].key;
		v = &s->via.map.ptr[j].val;
		if (k->type != MSGPACK_OBJECT_STR || v->type != MSGPACK_OBJECT_BIN)
			return -1;
		if (k->via.str.size == 5 && memcmp(k->via.str.ptr, "entry", 5) == 0 &&
		    *ent == NULL)
			*ent = v;
		else if (k->via.str.size == 3 && memcmp(k->via.str.ptr, "sig", 3) == 0 &&
		    *sig == NULL)
			*sig = v;
		else
			return -1;
	}
	if ((*sig)->via.bin.size != YISHI_SIG_BYTES ||
	    case_entry_decode((*ent)->via.bin.ptr, (*ent)->via.bin.size, e) != 0 ||
	    memcmp(e->case_id, a->case_id, CASE_ID_BYTES) != 0 || strcmp(e->arg, hash) != 0)
		return -1;
	return 0;
}

static int
agreement_file_sig_ok(const struct case_entry *e, const msgpack_object *ent,
    const msgpack_object *sig)
{
	return case_entry_verify(e->actor, (const uint8_t *)ent->via.bin.ptr, ent->via.bin.size,
	    (const uint8_t *)sig->via.bin.ptr) == 0;
}

int
agreement_file_verify(const void *buf, size_t len, struct agreement *a, char *why,
    size_t whylen)
{
	msgpack_unpacked u;
	const msgpack_object *k, *v, *doc = NULL, *agree = NULL, *signs = NULL;
	const msgpack_object *ent, *sig;
	char hash[AGREEMENT_HASH_HEX], hex[2 * YISHI_PK_BYTES + 1];
	int signed_by[AGREEMENT_PARTIES_MAX] = { 0 };
	struct case_entry e;
	uint32_t i;
	size_t off = 0;
	int p, rv = -1;

	/* The file is the verifier's own input: a short map, bounded by len. */
	msgpack_unpacked_init(&u);
	if (len == 0 || len > 64 * 1024 || (((const uint8_t *)buf)[0] & 0xf0) != 0x80 ||
	    mp_scan(buf, len) != 0 ||
	    msgpack_unpack_next(&u, buf, len, &off) != MSGPACK_UNPACK_SUCCESS || off != len ||
	    u.data.type != MSGPACK_OBJECT_MAP) {
		snprintf(why, whylen, "not a signed agreement file");
		goto out;
	}
	for (i = 0; i < u.data.via.map.size; i++) {
		k = &u.data.via.map.ptr[i].key;
		v = &u.data.via.map.ptr[i].val;
		if (k->type != MSGPACK_OBJECT_STR)
			break;
		if (k->via.str.size == 3 && memcmp(k->via.str.ptr, "doc", 3) == 0 && doc == NULL)
			doc = v;
		else if (k->via.str.size == 5 && memcmp(k->via.str.ptr, "agree", 5) == 0 &&
		    agree == NULL)
			agree = v;
		else if (k->via.str.size == 5 && memcmp(k->via.str.ptr, "signs", 5) == 0 &&
		    signs == NULL)
			signs = v;
		else
			break;
	}
	if (i != u.data.via.map.size || doc == NULL || doc->type != MSGPACK_OBJECT_BIN ||
	    agree == NULL || signs == NULL || signs->type != MSGPACK_OBJECT_ARRAY) {
		snprintf(why, whylen, "the file needs a doc, the mediator's agree and the "
		    "parties' signs, and nothing else");
		goto out;
	}
	if (agreement_decode(doc->via.bin.ptr, doc->via.bin.size, a) != 0) {
		snprintf(why, whylen, "the agreement document does not decode");
		goto out;
	}
	agreement_hash((const uint8_t *)doc->via.bin.ptr, doc->via.bin.size, hash);
	/* The mediator named in the document must have drafted it: its agree entry. */
	hex_encode(hex, a->mediator, YISHI_PK_BYTES);
	if (agreement_file_entry(agree, a, hash, &e, &ent, &sig) != 0 || e.action != CA_AGREE ||
	    memcmp(e.actor, a->mediator, YISHI_PK_BYTES) != 0 ||
	    !agreement_file_sig_ok(&e, ent, sig)) {
		snprintf(why, whylen, "mediator %.16s… has no valid agree entry for this document",
		    hex);
		goto out;
	}
	/* Every sign entry is a party's valid signature, one per party. */
	for (i = 0; i < signs->via.array.size; i++) {
		if (agreement_file_entry(&signs->via.array.ptr[i], a, hash, &e, &ent, &sig) != 0 ||
		    e.action != CA_SIGN) {
			snprintf(why, whylen, "sign %u is not a sign entry for this document",
			    (unsigned)i + 1);
			goto out;
		}
		for (p = 0; p < a->nparties; p++)
			if (memcmp(a->parties[p], e.actor, YISHI_PK_BYTES) == 0)
				break;
		if (p == a->nparties || signed_by[p] || !agreement_file_sig_ok(&e, ent, sig)) {
			snprintf(why, whylen, "sign %u is not a valid signature of a party that "
			    "has not signed yet", (unsigned)i + 1);
			goto out;
		}
		signed_by[p] = 1;
	}
	for (p = 0; p < a->nparties; p++) {
		if (!signed_by[p]) {
			hex_encode(hex, a->parties[p], YISHI_PK_BYTES);
			snprintf(why, whylen, "party %.16s… has no valid signature on this document",
			    hex);
			goto out;
		}
	}
	rv = 0;
out:
	msgpack_unpacked_destroy(&u);
	return rv;
}
