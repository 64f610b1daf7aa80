/*
 * protoexamples.c: the example frames of docs/protocol.md, built with wire_encode from
 * fixed known-answer values and printed as the document shows them.
 *
 *     protoexamples [SECTION]
 *
 * For every example it prints a line "== SECTION KIND", a caption with the frame's
 * size, the msgpack-JSON rendering in a plain fenced block and the exact bytes in a
 * fenced block tagged hex (the blocks tests/unit/test_docs.c decodes). With SECTION
 * ("4.2.4") only that section's examples are printed.
 *
 * Identities are seeded as in the known-answer tests: A 00..1f (Alice), the node B
 * 20..3f, C 40..5f (Bob), D 60..7f (a police officer and station admin), E 80..9f
 * (Carol), F a0..bf (the parent level's anti-fraud reader). Signatures are Ed25519, so
 * deterministic; the random bytes of boxes, seals and nonces come from a fixed
 * deterministic generator installed before libsodium starts, so every run prints the
 * same bytes and every box opens with the keys named here.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "proto/case.h"
#include "proto/crypto.h"
#include "proto/modev.h"
#include "proto/warn.h"
#include "proto/wire.h"
#include "tests/unit/seeded.h"

#define PX_TS		1700000000000ULL	/* the documents' fixed time */
#define PX_WARN_T0	1795494747000ULL	/* the warning known answer's time */
#define PX_DAY		86400000ULL
#define PX_WIDTH	96			/* msgpack-JSON line width */

static struct ident	 px_a, px_b, px_c, px_d, px_e, px_f;
static uint8_t		 px_gid[16], px_mid[16], px_token[16], px_case[16];
static uint8_t		 px_salt[16], px_created[16];	/* group_create's salt and id */
static const char	*px_only;
static int		 px_failed;

/* A deterministic randombytes: a ChaCha20 stream keyed by a fixed seed and a counter. */
static uint64_t	px_rng_ctr;

static const char *
px_rng_name(void)
{
	return "protoexamples";
}

static void
px_rng_buf(void *buf, size_t len)
{
	uint8_t	seed[randombytes_SEEDBYTES] = "yishi protocol examples, fixed";

	memcpy(seed + 24, &px_rng_ctr, sizeof(px_rng_ctr));
	px_rng_ctr++;
	randombytes_buf_deterministic(buf, len, seed);
}

static uint32_t
px_rng_random(void)
{
	uint32_t	v;

	px_rng_buf(&v, sizeof(v));
	return v;
}

static struct randombytes_implementation px_rng = {
	.implementation_name = px_rng_name,
	.random = px_rng_random,
	.buf = px_rng_buf,
};

static void
px_seeded(struct ident *id, uint8_t base)
{
	if (ident_seeded(id, base) != 0) {
		fprintf(stderr, "protoexamples: bad seed %02x\n", base);
		exit(1);
	}
}

static void
px_fill(uint8_t *p, size_t len, uint8_t base)
{
	size_t	i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(base + i);
}

/* msgpack-JSON rendering, wrapped at PX_WIDTH columns between map entries. */
struct px_out {
	char	 buf[1 << 16];
	size_t	 len;
	size_t	 col;
};

static void
px_put(struct px_out *o, const char *fmt, ...)
{
	va_list	ap;
	int	n;
	char	*nl;

	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, sizeof(o->buf) - o->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(o->buf) - o->len) {
		fprintf(stderr, "protoexamples: rendering too long\n");
		exit(1);
	}
	nl = memchr(o->buf + o->len, '\n', (size_t)n);
	o->col = nl != NULL ? (size_t)(o->buf + o->len + n - nl - 1) : o->col + (size_t)n;
	o->len += (size_t)n;
}

/* Columns a UTF-8 string takes: one per character, two for CJK. */
static size_t
px_cols(const char *p, size_t len)
{
	size_t	i, n = 0;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];

		if ((c & 0xc0) == 0x80)
			continue;
		n += c >= 0xe0 ? 2 : 1;
	}
	return n;
}

static void	px_render(struct px_out *, const msgpack_object *);

/* Columns a map entry takes up to its first line break, with the comma after it. */
static size_t
px_width(const msgpack_object_kv *kv)
{
	struct px_out	*t;
	size_t		 w;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		exit(1);
	px_render(t, &kv->key);
	px_put(t, ":");
	px_render(t, &kv->val);
	w = strchr(t->buf, '\n') != NULL ? PX_WIDTH / 2 : t->col + 1;
	free(t);
	return w;
}

static void
px_render(struct px_out *o, const msgpack_object *v)
{
	char		 hex[65];
	uint32_t	 i, n;

	switch (v->type) {
	case MSGPACK_OBJECT_POSITIVE_INTEGER:
		px_put(o, "%llu", (unsigned long long)v->via.u64);
		break;
	case MSGPACK_OBJECT_BOOLEAN:
		px_put(o, "%s", v->via.boolean ? "true" : "false");
		break;
	case MSGPACK_OBJECT_STR:
		px_put(o, "\"%.*s\"", (int)v->via.str.size, v->via.str.ptr);
		o->col -= v->via.str.size - px_cols(v->via.str.ptr, v->via.str.size);
		break;
	case MSGPACK_OBJECT_BIN:
		n = v->via.bin.size;
		if (n <= 16)
			px_put(o, "<bin %u: %s>", n,
			    hex_encode(hex, (const uint8_t *)v->via.bin.ptr, n));
		else {
			px_put(o, "<bin %u: %s...", n,
			    hex_encode(hex, (const uint8_t *)v->via.bin.ptr, 4));
			px_put(o, "%s>", hex_encode(hex, (const uint8_t *)v->via.bin.ptr + n - 3, 3));
		}
		break;
	case MSGPACK_OBJECT_ARRAY:
		px_put(o, "[");
		for (i = 0; i < v->via.array.size; i++) {
			if (i > 0) {
				px_put(o, ",");
				/* A record breaks before it when its first field would not fit. */
				if (v->via.array.ptr[i].type == MSGPACK_OBJECT_MAP &&
				    v->via.array.ptr[i].via.map.size > 0 && o->col + 1 +
				    px_width(&v->via.array.ptr[i].via.map.ptr[0]) > PX_WIDTH)
					px_put(o, "\n ");
			}
			px_render(o, &v->via.array.ptr[i]);
		}
		px_put(o, "]");
		break;
	case MSGPACK_OBJECT_MAP:
		px_put(o, "{");
		for (i = 0; i < v->via.map.size; i++) {
			if (i > 0) {
				px_put(o, ",");
				if (o->col + px_width(&v->via.map.ptr[i]) > PX_WIDTH)
					px_put(o, "\n ");
			}
			px_render(o, &v->via.map.ptr[i].key);
			px_put(o, ":");
			px_render(o, &v->via.map.ptr[i].val);
		}
		px_put(o, "}");
		break;
	default:
		px_put(o, "?");
		break;
	}
}

/*
 * Encode kind k, check that it decodes strictly in its direction, and print it under
 * section sec with the caption (which ends where the byte count goes).
 */
static void
px_frame(const char *sec, enum wire_kind k, uint64_t rid, const struct wire_rec *r,
    const char *caption)
{
	msgpack_sbuffer		 sb;
	msgpack_unpacked	 up;
	struct wire_frame	 f;
	struct px_out		*o;
	size_t			 i, off = 0;
	int			 e;

	if (px_only != NULL && strcmp(px_only, sec) != 0)
		return;
	msgpack_sbuffer_init(&sb);
	if ((e = wire_encode(k, rid, r, &sb)) != WE_OK) {
		fprintf(stderr, "protoexamples: %s %s: encode: %s\n", sec, wire_kinds[k].name,
		    wire_err_name(e));
		px_failed = 1;
		msgpack_sbuffer_destroy(&sb);
		return;
	}
	if ((e = wire_decode(sb.data, sb.size, wire_kinds[k].dir, &f)) != WE_OK) {
		fprintf(stderr, "protoexamples: %s %s: decode: %s\n", sec, wire_kinds[k].name,
		    wire_err_name(e));
		px_failed = 1;
	} else
		wire_frame_free(&f);
	if ((o = calloc(1, sizeof(*o))) == NULL)
		exit(1);
	msgpack_unpacked_init(&up);
	if (msgpack_unpack_next(&up, sb.data, sb.size, &off) != MSGPACK_UNPACK_SUCCESS)
		exit(1);
	px_render(o, &up.data);
	msgpack_unpacked_destroy(&up);
	printf("== %s %s\n%s (%zu bytes):\n\n```\n%s\n```\n\n```hex\n", sec, wire_kinds[k].name,
	    caption, sb.size, o->buf);
	for (i = 0; i < sb.size; i++)
		printf("%02x%s", (uint8_t)sb.data[i],
		    (i % 32 == 31 || i + 1 == sb.size) ? "\n" : "");
	printf("```\n\n");
	free(o);
	msgpack_sbuffer_destroy(&sb);
}

static void
px_rec(struct wire_rec *r, enum wire_kind k)
{
	wire_rec_init(r, &wire_kinds[k]);
}

/* The records below are many; static storage keeps main's frame small. */
static struct wire_rec	px_r, px_el[4], px_el2[2];

/* 4.1.5: role_grant and its ok with the grantee's certificate. */
static void
px_session(void)
{
	static uint8_t	cert[YISHI_CERT_MAX];
	int		n;

	px_rec(&px_r, WK_ROLE_GRANT);
	wire_set_bin(&px_r, WF_USER, px_d.pk, 32);
	wire_set_str(&px_r, WF_ROLE, "police");
	px_frame("4.1.5", WK_ROLE_GRANT, 4, &px_r, "Example, Alice (admin) makes D a police officer");
	if ((n = cert_role_make(&px_b, px_d.pk, "王警官", "police", PX_TS, cert, sizeof(cert))) < 0)
		exit(1);
	px_rec(&px_r, WK_OK);
	wire_set_bin(&px_r, WF_CERT, cert, (size_t)n);
	px_frame("4.1.5", WK_OK, 4, &px_r,
	    "The reply, with D's new certificate (name \"王警官\", issued at 1700000000000)");
}

static void
px_groups(void)
{
	static uint8_t	box[YISHI_KEYBOX_BYTES], key[YISHI_KEY_BYTES];

	/* 4.2.1 */
	epoch_key_new(key);
	if (keybox_seal(&px_a, px_a.pk, px_created, 1, key, box) != 0)
		exit(1);
	px_rec(&px_r, WK_GROUP_CREATE);
	wire_set_bin(&px_r, WF_GROUP, px_created, 16);
	wire_set_bin(&px_r, WF_SALT, px_salt, 16);
	wire_set_str(&px_r, WF_NAME, "城东社区警民议事厅");
	wire_set_str(&px_r, WF_AREA, "330281");
	wire_set_bool(&px_r, WF_APPROVAL, 1);
	wire_set_bin(&px_r, WF_BOX, box, sizeof(box));
	px_frame("4.2.1", WK_GROUP_CREATE, 2, &px_r,
	    "Example, Alice founds a group that needs approval, salt c0..cf; the group id is\n"
	    "`group_id_derive(A, salt)` and the box holds the epoch-1 key boxed to herself");

	/* 4.2.2 */
	px_rec(&px_r, WK_JOINED);
	wire_set_bin(&px_r, WF_GROUP, px_gid, 16);
	wire_set_str(&px_r, WF_NAME, "城东社区警民议事厅");
	wire_set_str(&px_r, WF_STATE, "member");
	wire_set_uint(&px_r, WF_EPOCH, 7);
	px_frame("4.2.2", WK_JOINED, 11, &px_r,
	    "Example, the reply to the `join` of 4.2.6 in a group without approval, at epoch 7");

	/* 4.2.3 */
	px_rec(&px_r, WK_GROUP_LIST);
	px_frame("4.2.3", WK_GROUP_LIST, 3, &px_r, "Example, the request");
	wire_rec_init(&px_el[0], &wire_records[WR_GROUP]);
	wire_set_bin(&px_el[0], WF_GROUP, px_created, 16);
	wire_set_str(&px_el[0], WF_NAME, "城东社区警民议事厅");
	wire_set_str(&px_el[0], WF_AREA, "330281");
	wire_set_uint(&px_el[0], WF_EPOCH, 1);
	wire_set_str(&px_el[0], WF_ROLE, "owner");
	wire_set_str(&px_el[0], WF_STATE, "member");
	wire_set_uint(&px_el[0], WF_COUNT, 1);
	wire_set_bool(&px_el[0], WF_APPROVAL, 1);
	wire_set_bin(&px_el[0], WF_FOUNDER, px_a.pk, 32);
	wire_set_bin(&px_el[0], WF_SALT, px_salt, 16);
	wire_set_uint(&px_el[0], WF_SLOW, 0);
	wire_set_bool(&px_el[0], WF_ANNOUNCE, 0);
	wire_set_bool(&px_el[0], WF_INVITE_MODS, 0);
	wire_set_uint(&px_el[0], WF_PINNED, 0);
	px_rec(&px_r, WK_GROUPS);
	wire_set_array(&px_r, WF_GROUPS, px_el, 1);
	px_frame("4.2.3", WK_GROUPS, 3, &px_r,
	    "The reply: Alice's one group, the one founded in 4.2.1");

	/* 4.2.4 */
	px_rec(&px_r, WK_GROUP_MEMBERS);
	wire_set_bin(&px_r, WF_GROUP, px_gid, 16);
	px_frame("4.2.4", WK_GROUP_MEMBERS, 5, &px_r, "Example, the request");
	wire_rec_init(&px_el[0], &wire_records[WR_MEMBER]);
	wire_set_bin(&px_el[0], WF_USER, px_a.pk, 32);
	wire_set_str(&px_el[0], WF_NAME, "Alice");
	wire_set_str(&px_el[0], WF_ROLE, "owner");
	wire_set_str(&px_el[0], WF_SROLE, "admin");
	wire_set_str(&px_el[0], WF_STATE, "member");
	wire_set_uint(&px_el[0], WF_MUTED, 0);
	wire_rec_init(&px_el[1], &wire_records[WR_MEMBER]);
	wire_set_bin(&px_el[1], WF_USER, px_c.pk, 32);
	wire_set_str(&px_el[1], WF_NAME, "Bob");
	wire_set_str(&px_el[1], WF_ROLE, "member");
	wire_set_str(&px_el[1], WF_SROLE, "resident");
	wire_set_str(&px_el[1], WF_STATE, "member");
	wire_set_uint(&px_el[1], WF_MUTED, PX_TS + 3600000);
	wire_rec_init(&px_el[2], &wire_records[WR_MEMBER]);
	wire_set_bin(&px_el[2], WF_USER, px_e.pk, 32);
	wire_set_str(&px_el[2], WF_NAME, "Carol");
	wire_set_str(&px_el[2], WF_ROLE, "member");
	wire_set_str(&px_el[2], WF_SROLE, "resident");
	wire_set_str(&px_el[2], WF_STATE, "pending");
	wire_set_uint(&px_el[2], WF_MUTED, 0);
	px_rec(&px_r, WK_MEMBERS);
	wire_set_bin(&px_r, WF_GROUP, px_gid, 16);
	wire_set_array(&px_r, WF_MEMBERS, px_el, 3);
	px_frame("4.2.4", WK_MEMBERS, 5, &px_r,
	    "The reply: Alice the owner, Bob muted for an hour, Carol's pending request");

	/* 4.2.5 */
	px_rec(&px_r, WK_INVITE_CREATE);
	wire_set_bin(&px_r, WF_GROUP, px_gid, 16);
	px_frame("4.2.5", WK_INVITE_CREATE, 6, &px_r, "Example, the request");
	px_rec(&px_r, WK_INVITE);
	wire_set_bin(&px_r, WF_GROUP, px_gid, 16);
	wire_set_bin(&px_r, WF_TOKEN, px_token, 16);
	wire_set_uint(&px_r, WF_TS, PX_TS + 7 * PX_DAY);
	px_frame("4.2.5", WK_INVITE, 6, &px_r,
	    "The reply, token d0..df, valid 7 days from 1700000000000");

	/* 4.2.6 */
	px_rec(&px_r, WK_JOIN);
	wire_set_bin(&px_r, WF_TOKEN, px_token, 16);
	px_frame("4.2.6", WK_JOIN, 11, &px_r,
	    "Example, joining with the token of 4.2.5 (the reply is the `joined` of 4.2.2)");

	/* 4.2.8 */
	px_rec(&px_r, WK_SUBSCRIBE);
	wire_set_bin(&px_r, WF_GROUP, px_gid, 16);
	px_frame("4.2.8", WK_SUBSCRIBE, 12, &px_r, "Example, one group");
	px_rec(&px_r, WK_SUBSCRIBE);
	px_frame("4.2.8", WK_SUBSCRIBE, 13, &px_r, "Example, every group of the caller");
}

/* The send example of 4.3.1, whose header, nonce, ciphertext and signature 4.3.4 reuses. */
static const char px_send_hex[] =
    "86a174a473656e64a372696407a3686472c4529601c410a0a1a2a3a4a5a6a7a8"
    "a9aaabacadaeaf07c42003a107bff3ce10be1d70dd18e74bc09967e4d6309ba5"
    "0d5f1ddc8664125531b8cf0000018bcfe56800c410b0b1b2b3b4b5b6b7b8b9ba"
    "bbbcbdbebfa56e6f6e6365c418808182838485868788898a8b8c8d8e8f909192"
    "9394959697a26374c419effeb1a707c83b1cf9a69e00d7661651beff1b93af93"
    "fb3b9ba3736967c44078e319ff8c9537ff6d205476c86f01ad34fe319513562f"
    "c60a6da6575e2c8744bfd5fd079af8ff8a876e0585a803599a58b89ee57d63b4"
    "5e3af5154ef191360f";

static void
px_messages(void)
{
	static uint8_t		 send[sizeof(px_send_hex) / 2];
	struct wire_frame	 f;
	int			 i;

	if (hex_decode(send, sizeof(send), px_send_hex) != 0 ||
	    wire_decode(send, sizeof(send), WIRE_DIR_C2N, &f) != WE_OK) {
		fprintf(stderr, "protoexamples: the send example does not decode\n");
		exit(1);
	}
	wire_rec_init(&px_el[0], &wire_records[WR_MSG]);
	wire_set_uint(&px_el[0], WF_SEQ, 42);
	for (i = 0; i < 4; i++) {
		enum wire_field fl = (enum wire_field[]){ WF_HDR, WF_NONCE, WF_CT, WF_SIG }[i];

		wire_set_bin(&px_el[0], fl, f.r.f[fl].p, f.r.f[fl].len);
	}
	wire_set_str(&px_el[0], WF_SENDER_NAME, "Alice");
	wire_set_uint(&px_el[0], WF_TS, PX_TS + 123);
	wire_rec_init(&px_el[1], &wire_records[WR_MSG]);
	wire_set_uint(&px_el[1], WF_SEQ, 43);
	wire_set_str(&px_el[1], WF_SENDER_NAME, "");
	wire_set_uint(&px_el[1], WF_TS, PX_TS + 60000);
	wire_set_bin(&px_el[1], WF_FROM, px_a.pk, 32);
	wire_set_str(&px_el[1], WF_REASON, "spam");
	px_rec(&px_r, WK_MSGS);
	wire_set_bin(&px_r, WF_GROUP, px_gid, 16);
	wire_set_array(&px_r, WF_MSGS, px_el, 2);
	wire_set_bool(&px_r, WF_MORE, 0);
	px_frame("4.3.4", WK_MSGS, 8, &px_r,
	    "Example, the reply to the `history` of 4.3.3: the message of 4.3.1 (seq 42), then\n"
	    "a tombstone (seq 43, redacted by Alice a minute later, reason \"spam\")");
	wire_frame_free(&f);
}

static void
px_keys(void)
{
	static uint8_t	box[2][YISHI_KEYBOX_BYTES], key[YISHI_KEY_BYTES];

	epoch_key_new(key);
	if (keybox_seal(&px_c, px_a.pk, px_gid, 7, key, box[0]) != 0 ||
	    keybox_seal(&px_a, px_e.pk, px_gid, 7, key, box[1]) != 0)
		exit(1);

	/* 4.4.1 */
	px_rec(&px_r, WK_KEYS_GET);
	wire_set_bin(&px_r, WF_GROUP, px_gid, 16);
	px_frame("4.4.1", WK_KEYS_GET, 13, &px_r, "Example, the request");
	wire_rec_init(&px_el[0], &wire_records[WR_KEY]);
	wire_set_uint(&px_el[0], WF_EPOCH, 7);
	wire_set_bin(&px_el[0], WF_FROM, px_c.pk, 32);
	wire_set_bin(&px_el[0], WF_BOX, box[0], YISHI_KEYBOX_BYTES);
	px_rec(&px_r, WK_KEYS);
	wire_set_bin(&px_r, WF_GROUP, px_gid, 16);
	wire_set_array(&px_r, WF_KEYS, px_el, 1);
	px_frame("4.4.1", WK_KEYS, 13, &px_r,
	    "The reply: the epoch-7 key, boxed to Alice by Bob");

	/* 4.4.2 */
	wire_rec_init(&px_el[0], &wire_records[WR_KEY]);
	wire_set_bin(&px_el[0], WF_TO, px_e.pk, 32);
	wire_set_bin(&px_el[0], WF_BOX, box[1], YISHI_KEYBOX_BYTES);
	px_rec(&px_r, WK_KEYS_PUT);
	wire_set_bin(&px_r, WF_GROUP, px_gid, 16);
	wire_set_uint(&px_r, WF_EPOCH, 7);
	wire_set_array(&px_r, WF_KEYS, px_el, 1);
	px_frame("4.4.2", WK_KEYS_PUT, 5, &px_r,
	    "Example, Alice boxes the epoch-7 key to Carol, the new member");

	/* 4.4.3 */
	px_rec(&px_r, WK_KEYS_NEEDED);
	wire_set_bin(&px_r, WF_GROUP, px_gid, 16);
	px_frame("4.4.3", WK_KEYS_NEEDED, 14, &px_r, "Example, one group");

	/* 4.4.4 and 4.5.3 */
	wire_rec_init(&px_el[0], &wire_records[WR_NEED]);
	wire_set_bin(&px_el[0], WF_GROUP, px_gid, 16);
	wire_set_uint(&px_el[0], WF_EPOCH, 7);
	wire_set_bin(&px_el[0], WF_USER, px_e.pk, 32);
	px_rec(&px_r, WK_NEEDS);
	wire_set_array(&px_r, WF_NEEDS, px_el, 1);
	px_frame("4.4.4", WK_NEEDS, 14, &px_r,
	    "Example, the reply to the `keys_needed` of 4.4.3: Carol lacks the epoch-7 key");
	px_frame("4.5.3", WK_NEEDS, 0, &px_r,
	    "Example, the event when Carol is admitted at epoch 7");
}

/* A signed moderation event body into ev; returns its length. */
static size_t
px_modev(const struct ident *actor, int action, const uint8_t *group, const uint8_t *target,
    const char *reason, uint64_t ts, uint8_t idbase, uint8_t *ev, uint8_t sig[64])
{
	struct mod_event	m;
	size_t			n;

	memset(&m, 0, sizeof(m));
	if (group != NULL)
		memcpy(m.group, group, 16);
	m.action = action;
	memcpy(m.actor, actor->pk, 32);
	if (target != NULL)
		memcpy(m.target, target, 32);
	snprintf(m.reason, sizeof(m.reason), "%s", reason);
	m.ts_ms = ts;
	px_fill(m.id, 16, idbase);
	if ((n = mod_event_encode(&m, ev, MOD_EVENT_MAX)) == 0)
		exit(1);
	mod_event_sign(actor, ev, n, sig);
	return n;
}

static void
px_moderation(void)
{
	static uint8_t	kick[MOD_EVENT_MAX], ban[MOD_EVENT_MAX], note[MOD_NOTE_MAX];
	uint8_t		ksig[64], bsig[64];
	size_t		klen, blen, nlen;
	const uint64_t	kts = 1795494747478ULL, bts = 1795494800000ULL;

	/* The known answer of 5.7: A kicks C, reason "广告 spam". */
	klen = px_modev(&px_a, MA_KICK, px_gid, px_c.pk, "广告 spam", kts, 0x00, kick, ksig);
	/* The station admin D bans A, the group's owner; E inherits it. */
	blen = px_modev(&px_d, MA_STATION_BAN, NULL, px_a.pk, "fraud ring", bts, 0x10, ban, bsig);

	/* 4.6.1 */
	px_rec(&px_r, WK_MODERATE);
	wire_set_bin(&px_r, WF_EV, kick, klen);
	wire_set_bin(&px_r, WF_SIG, ksig, 64);
	px_frame("4.6.1", WK_MODERATE, 12, &px_r,
	    "Example, the `kick` of the known answer in 5.7 (Alice removes Bob)");
	px_rec(&px_r, WK_OK);
	wire_set_uint(&px_r, WF_SEQ, 6);
	wire_set_uint(&px_r, WF_EPOCH, 8);
	px_frame("4.6.1", WK_OK, 12, &px_r,
	    "The reply: the event is the log's sixth, and the group moves from epoch 7 to 8");

	/* 4.6.2 */
	px_rec(&px_r, WK_MOD_LOG);
	wire_set_bin(&px_r, WF_GROUP, px_gid, 16);
	wire_set_uint(&px_r, WF_SINCE, 5);
	wire_set_uint(&px_r, WF_LIMIT, 100);
	px_frame("4.6.2", WK_MOD_LOG, 15, &px_r, "Example, the request");
	wire_rec_init(&px_el[0], &wire_records[WR_MODEV]);
	wire_set_uint(&px_el[0], WF_SEQ, 6);
	wire_set_bin(&px_el[0], WF_EV, kick, klen);
	wire_set_bin(&px_el[0], WF_SIG, ksig, 64);
	wire_set_uint(&px_el[0], WF_TS, kts + 22);
	wire_rec_init(&px_el[1], &wire_records[WR_MODEV]);
	wire_set_uint(&px_el[1], WF_SEQ, 7);
	wire_set_bin(&px_el[1], WF_EV, ban, blen);
	wire_set_bin(&px_el[1], WF_SIG, bsig, 64);
	wire_set_uint(&px_el[1], WF_TS, bts + 31);
	wire_set_bin(&px_el[1], WF_USER, px_e.pk, 32);
	px_rec(&px_r, WK_MODLOG);
	wire_set_bin(&px_r, WF_GROUP, px_gid, 16);
	wire_set_array(&px_r, WF_EVENTS, px_el, 2);
	wire_set_bool(&px_r, WF_MORE, 0);
	px_frame("4.6.2", WK_MODLOG, 15, &px_r,
	    "The reply: the `kick` of 4.6.1 (seq 6), then a `station-ban` of Alice, the owner, by\n"
	    "the station admin D (seq 7; its `group` is all zero, reason \"fraud ring\", id 10..1f),\n"
	    "whose record names Carol as the heir in `user`");

	/* 4.6.3: Bob flags message 42 to Alice, the owner. */
	nlen = mod_note_seal(&px_c, px_a.pk, px_gid, 42, "诈骗链接", note);
	if (nlen == 0)
		exit(1);
	wire_rec_init(&px_el[0], &wire_records[WR_NOTE]);
	wire_set_bin(&px_el[0], WF_TO, px_a.pk, 32);
	wire_set_bin(&px_el[0], WF_NOTE, note, nlen);
	px_rec(&px_r, WK_FLAG);
	wire_set_bin(&px_r, WF_GROUP, px_gid, 16);
	wire_set_uint(&px_r, WF_SEQ, 42);
	wire_set_array(&px_r, WF_NOTES, px_el, 1);
	px_frame("4.6.3", WK_FLAG, 16, &px_r,
	    "Example, Bob reports message 42 to Alice, the group's only moderator, reason\n"
	    "\"诈骗链接\" boxed to her (5.8)");

	/* 4.6.4 */
	px_rec(&px_r, WK_FLAGS_GET);
	wire_set_bin(&px_r, WF_GROUP, px_gid, 16);
	px_frame("4.6.4", WK_FLAGS_GET, 17, &px_r, "Example, Alice asks for her notes");
	wire_rec_init(&px_el[0], &wire_records[WR_NOTE]);
	wire_set_bin(&px_el[0], WF_FROM, px_c.pk, 32);
	wire_set_uint(&px_el[0], WF_SEQ, 42);
	wire_set_bin(&px_el[0], WF_NOTE, note, nlen);
	wire_set_uint(&px_el[0], WF_TS, PX_TS + 456);
	px_rec(&px_r, WK_FLAGS);
	wire_set_bin(&px_r, WF_GROUP, px_gid, 16);
	wire_set_array(&px_r, WF_NOTES, px_el, 1);
	px_frame("4.6.4", WK_FLAGS, 17, &px_r, "The reply: Bob's note of 4.6.3");

	/* 4.6.5 */
	px_rec(&px_r, WK_EV_MOD);
	wire_set_bin(&px_r, WF_GROUP, px_gid, 16);
	wire_set_uint(&px_r, WF_SEQ, 6);
	wire_set_bin(&px_r, WF_EV, kick, klen);
	wire_set_bin(&px_r, WF_SIG, ksig, 64);
	wire_set_uint(&px_r, WF_TS, kts + 22);
	px_frame("4.6.5", WK_EV_MOD, 0, &px_r, "Example, the `kick` of 4.6.1 pushed to the group");
	px_rec(&px_r, WK_EV_FLAGGED);
	wire_set_bin(&px_r, WF_GROUP, px_gid, 16);
	wire_set_uint(&px_r, WF_SEQ, 42);
	wire_set_bin(&px_r, WF_FROM, px_c.pk, 32);
	wire_set_bin(&px_r, WF_NOTE, note, nlen);
	wire_set_uint(&px_r, WF_TS, PX_TS + 456);
	px_frame("4.6.5", WK_EV_FLAGGED, 0, &px_r, "Example, Bob's flag of 4.6.3 reaching Alice");
}

static void
px_handler(struct wire_rec *r, const struct ident *who, const char *name)
{
	wire_rec_init(r, &wire_records[WR_HANDLER]);
	wire_set_bin(r, WF_USER, who->pk, 32);
	wire_set_str(r, WF_NAME, name);
}

/* The claimed case record's fields, shared by case_list's record and case_get's reply. */
static void
px_case_fields(struct wire_rec *r, uint64_t created, uint64_t claimed)
{
	wire_set_bin(r, WF_CASE, px_case, 16);
	wire_set_str(r, WF_KIND, "fraud");
	wire_set_str(r, WF_QUEUE, "anti-fraud");
	wire_set_bool(r, WF_URGENT, 0);
	wire_set_str(r, WF_AREA, "330281");
	wire_set_str(r, WF_FRAUD_TYPE, "investment");
	wire_set_str(r, WF_STATE, "claimed");
	wire_set_uint(r, WF_TS, created);
	wire_set_uint(r, WF_DEADLINE, created + 3600000);
	wire_set_bin(r, WF_REPORTER, px_a.pk, 32);
	wire_set_bin(r, WF_HANDLER, px_d.pk, 32);
	wire_set_uint(r, WF_CLAIMED, claimed);
}

static void
px_cases(void)
{
	static uint8_t		meta[REPORT_META_MAX], body[256], seal[3][REPORT_SEAL_BYTES];
	static uint8_t		entry[CASE_ENTRY_MAX];
	static struct report_body rb;
	struct report_meta	m;
	struct case_entry	ce;
	msgpack_sbuffer		pt;
	uint8_t			msig[64], esig[64], key[YISHI_KEY_BYTES];
	size_t			mlen, blen, elen;
	const uint64_t		created = PX_TS + 100, claimed = PX_TS + 600100;

	/* 4.7.1 */
	px_rec(&px_r, WK_QUEUE_INFO);
	wire_set_str(&px_r, WF_KIND, "fraud");
	px_frame("4.7.1", WK_QUEUE_INFO, 20, &px_r, "Example, the request");
	px_handler(&px_el[0], &px_d, "王警官");
	px_handler(&px_el2[0], &px_f, "区反诈中心");
	wire_rec_init(&px_el[1], &wire_records[WR_DEPT]);
	wire_set_str(&px_el[1], WF_NAME, "市场监管所");
	px_rec(&px_r, WK_QUEUE);
	wire_set_str(&px_r, WF_KIND, "fraud");
	wire_set_str(&px_r, WF_QUEUE, "anti-fraud");
	wire_set_array(&px_r, WF_HANDLERS, &px_el[0], 1);
	wire_set_array(&px_r, WF_ESCALATION, px_el2, 1);
	wire_set_array(&px_r, WF_DEPTS, &px_el[1], 1);
	wire_set_uint(&px_r, WF_DEADLINE, 3600000);
	px_frame("4.7.1", WK_QUEUE, 20, &px_r,
	    "The reply: one police officer (D), one escalation reader (F), one department, the\n"
	    "default one-hour claim deadline");

	/* 4.7.2: Alice reports an investment fraud; the body is sealed to D, F and herself. */
	memset(&m, 0, sizeof(m));
	memcpy(m.id, px_case, 16);
	memcpy(m.reporter, px_a.pk, 32);
	m.kind = RK_FRAUD;
	snprintf(m.area, sizeof(m.area), "330281");
	m.ts_ms = PX_TS;
	snprintf(m.fraud_type, sizeof(m.fraud_type), "investment");
	if ((mlen = report_meta_encode(&m, meta, sizeof(meta))) == 0)
		exit(1);
	report_meta_sign(&px_a, meta, mlen, msig);
	memset(&rb, 0, sizeof(rb));
	snprintf(rb.text, sizeof(rb.text), "有人拉我进群荐股，已转账两万元。");
	snprintf(rb.amount, sizeof(rb.amount), "20000");
	msgpack_sbuffer_init(&pt);
	if (report_body_encode(&rb, &pt) != 0 || pt.size + 40 > sizeof(body))
		exit(1);
	report_seal_body(meta, mlen, (const uint8_t *)pt.data, pt.size, key, body);
	blen = pt.size + 40;
	msgpack_sbuffer_destroy(&pt);
	if (report_seal_key(key, px_d.pk, seal[0]) != 0 ||
	    report_seal_key(key, px_f.pk, seal[1]) != 0 ||
	    report_seal_key(key, px_a.pk, seal[2]) != 0)
		exit(1);
	sodium_memzero(key, sizeof(key));
	wire_rec_init(&px_el[0], &wire_records[WR_SEALREC]);
	wire_set_bin(&px_el[0], WF_TO, px_d.pk, 32);
	wire_set_bin(&px_el[0], WF_SEAL, seal[0], REPORT_SEAL_BYTES);
	wire_rec_init(&px_el[1], &wire_records[WR_SEALREC]);
	wire_set_bin(&px_el[1], WF_TO, px_f.pk, 32);
	wire_set_bin(&px_el[1], WF_SEAL, seal[1], REPORT_SEAL_BYTES);
	wire_rec_init(&px_el[2], &wire_records[WR_SEALREC]);
	wire_set_bin(&px_el[2], WF_TO, px_a.pk, 32);
	wire_set_bin(&px_el[2], WF_SEAL, seal[2], REPORT_SEAL_BYTES);
	px_rec(&px_r, WK_REPORT);
	wire_set_bin(&px_r, WF_META, meta, mlen);
	wire_set_bin(&px_r, WF_SIG, msig, 64);
	wire_set_bin(&px_r, WF_BODY, body, blen);
	wire_set_array(&px_r, WF_SEALS, px_el, 3);
	px_frame("4.7.2", WK_REPORT, 21, &px_r,
	    "Example, Alice reports an investment fraud (case id e0..ef, area 330281, not urgent,\n"
	    "no reference; body text \"有人拉我进群荐股，已转账两万元。\", amount \"20000\"), sealed to the\n"
	    "handler D, the escalation reader F and herself");
	px_rec(&px_r, WK_REPORTED);
	wire_set_bin(&px_r, WF_CASE, px_case, 16);
	wire_set_str(&px_r, WF_QUEUE, "anti-fraud");
	wire_set_uint(&px_r, WF_DEADLINE, created + 3600000);
	px_frame("4.7.2", WK_REPORTED, 21, &px_r,
	    "The reply: stored at 1700000000100, to be claimed within the hour");

	/* 4.7.5: D claims it. */
	memset(&ce, 0, sizeof(ce));
	memcpy(ce.case_id, px_case, 16);
	ce.action = CA_CLAIM;
	memcpy(ce.actor, px_d.pk, 32);
	ce.ts_ms = claimed - 50;
	px_fill(ce.id, 16, 0x20);
	if ((elen = case_entry_encode(&ce, entry, sizeof(entry))) == 0)
		exit(1);
	case_entry_sign(&px_d, entry, elen, esig);
	px_rec(&px_r, WK_CASE_ACT);
	wire_set_bin(&px_r, WF_ENTRY, entry, elen);
	wire_set_bin(&px_r, WF_SIG, esig, 64);
	px_frame("4.7.5", WK_CASE_ACT, 24, &px_r,
	    "Example, D claims the case of 4.7.2 (entry id 20..2f, arg \"\")");
	px_rec(&px_r, WK_OK);
	wire_set_uint(&px_r, WF_SEQ, 1);
	px_frame("4.7.5", WK_OK, 24, &px_r, "The reply: the first entry of the case's log");
	px_rec(&px_r, WK_EV_CASE);
	wire_set_bin(&px_r, WF_CASE, px_case, 16);
	wire_set_uint(&px_r, WF_SEQ, 1);
	wire_set_bin(&px_r, WF_ENTRY, entry, elen);
	wire_set_bin(&px_r, WF_SIG, esig, 64);
	wire_set_uint(&px_r, WF_TS, claimed);
	px_frame("4.7.5", WK_EV_CASE, 0, &px_r, "The event the reporter and the handlers receive");

	/* 4.7.3 */
	px_rec(&px_r, WK_CASE_LIST);
	wire_set_str(&px_r, WF_QUEUE, "anti-fraud");
	wire_set_str(&px_r, WF_STATE, "claimed");
	px_frame("4.7.3", WK_CASE_LIST, 22, &px_r, "Example, D lists the claimed anti-fraud cases");
	wire_rec_init(&px_el[0], &wire_records[WR_CASEREC]);
	px_case_fields(&px_el[0], created, claimed);
	px_rec(&px_r, WK_CASES);
	wire_set_array(&px_r, WF_CASES, px_el, 1);
	px_frame("4.7.3", WK_CASES, 22, &px_r, "The reply: the case of 4.7.2, claimed by D");

	/* 4.7.4 */
	px_rec(&px_r, WK_CASE_GET);
	wire_set_bin(&px_r, WF_CASE, px_case, 16);
	px_frame("4.7.4", WK_CASE_GET, 23, &px_r, "Example, D opens the case");
	wire_rec_init(&px_el[0], &wire_records[WR_CASEENT]);
	wire_set_uint(&px_el[0], WF_SEQ, 1);
	wire_set_bin(&px_el[0], WF_ENTRY, entry, elen);
	wire_set_bin(&px_el[0], WF_SIG, esig, 64);
	wire_set_uint(&px_el[0], WF_TS, claimed);
	px_rec(&px_r, WK_CASE);
	px_case_fields(&px_r, created, claimed);
	wire_set_bin(&px_r, WF_META, meta, mlen);
	wire_set_bin(&px_r, WF_SIG, msig, 64);
	wire_set_bin(&px_r, WF_BODY, body, blen);
	wire_set_bin(&px_r, WF_SEAL, seal[0], REPORT_SEAL_BYTES);
	wire_set_array(&px_r, WF_LOG, px_el, 1);
	px_frame("4.7.4", WK_CASE, 23, &px_r,
	    "The reply: the report of 4.7.2 with D's seal, and the claim of 4.7.5 as its log");

	/* 4.7.6 */
	px_rec(&px_r, WK_STATS_GET);
	wire_set_uint(&px_r, WF_SINCE, PX_TS - 7 * PX_DAY);
	px_frame("4.7.6", WK_STATS_GET, 25, &px_r, "Example, the figures of the last week");
	wire_rec_init(&px_el[0], &wire_records[WR_STAT]);
	wire_set_str(&px_el[0], WF_WEEK, "2023-W46");
	wire_set_str(&px_el[0], WF_KIND, "fraud");
	wire_set_str(&px_el[0], WF_AREA, "330281");
	wire_set_str(&px_el[0], WF_FRAUD_TYPE, "investment");
	wire_set_str(&px_el[0], WF_STATE, "claimed");
	wire_set_uint(&px_el[0], WF_COUNT, 1);
	wire_set_uint(&px_el[0], WF_CLAIMED, 1);
	wire_set_uint(&px_el[0], WF_IN_TIME, 1);
	wire_set_uint(&px_el[0], WF_CLAIM_MS, claimed - created);
	px_rec(&px_r, WK_STATS);
	wire_set_array(&px_r, WF_ROWS, px_el, 1);
	px_frame("4.7.6", WK_STATS, 25, &px_r,
	    "The reply: the one case of 4.7.2, claimed ten minutes after it was reported");
}

/* The envelope of the warnings known answer (docs/warnings.md, tests/unit/test_warn.c). */
static size_t
px_envelope(uint8_t *env, size_t envlen, struct ident *root)
{
	static struct warning	w;
	static uint8_t		cert[WARN_CERT_MAX];
	struct ident		issuer;
	struct warn_cert	c;
	size_t			clen, n;

	px_seeded(root, 0x00);
	px_seeded(&issuer, 0x40);
	memset(&c, 0, sizeof(c));
	c.kind = WCK_ISSUER;
	memcpy(c.pk, issuer.pk, 32);
	snprintf(c.name, sizeof(c.name), "宁波市反诈中心");
	snprintf(c.areas[0], sizeof(c.areas[0]), "3302");
	snprintf(c.areas[1], sizeof(c.areas[1]), "330381");
	c.nareas = 2;
	c.not_before = PX_WARN_T0 - PX_DAY;
	c.not_after = PX_WARN_T0 + 365 * PX_DAY;
	if ((clen = warn_cert_make(root, &c, cert, sizeof(cert))) == 0)
		exit(1);
	memset(&w, 0, sizeof(w));
	snprintf(w.identifier, sizeof(w.identifier), "NB-2026-0001");
	snprintf(w.sender, sizeof(w.sender), "fzzx@nbgaj.example");
	w.sent_ms = PX_WARN_T0;
	w.tz_min = 480;
	w.status = WSTAT_ACTUAL;
	w.msg_type = WMSG_ALERT;
	w.categories = 1u << WCAT_SECURITY;
	snprintf(w.fraud_type, sizeof(w.fraud_type), "fake-service");
	w.urgency = WURG_IMMEDIATE;
	w.severity = WSEV_SEVERE;
	w.certainty = WCTN_LIKELY;
	snprintf(w.audience[0], sizeof(w.audience[0]), "elderly");
	w.naudience = 1;
	w.expires_ms = PX_WARN_T0 + PX_DAY;
	snprintf(w.areas[0], sizeof(w.areas[0]), "330281");
	w.nareas = 1;
	w.ntexts = 1;
	snprintf(w.texts[0].language, sizeof(w.texts[0].language), "zh-CN");
	snprintf(w.texts[0].event, sizeof(w.texts[0].event), "冒充客服诈骗");
	snprintf(w.texts[0].headline, sizeof(w.texts[0].headline), "警惕冒充快递客服退款");
	snprintf(w.texts[0].description, sizeof(w.texts[0].description),
	    "近期出现冒充快递客服以理赔为由诱导转账的诈骗。");
	snprintf(w.texts[0].instruction, sizeof(w.texts[0].instruction), "拨打96110咨询。");
	n = warn_sign(&issuer, cert, clen, &w, env, envlen);
	ident_wipe(&issuer);
	if (n == 0)
		exit(1);
	return n;
}

static void
px_warnings(void)
{
	static uint8_t	env[WARN_ENVELOPE_MAX];
	struct ident	root;
	size_t		n;
	const uint64_t	accepted = PX_WARN_T0 + 60000;

	n = px_envelope(env, sizeof(env), &root);

	/* 4.8.1 */
	px_rec(&px_r, WK_WARN_ISSUE);
	wire_set_bin(&px_r, WF_ENV, env, n);
	px_frame("4.8.1", WK_WARN_ISSUE, 26, &px_r,
	    "Example, the known-answer envelope of warnings.md (root seed 00..1f, issuer seed\n"
	    "40..5f, identifier \"NB-2026-0001\", area 330281)");
	px_rec(&px_r, WK_EV_WARNING);
	wire_set_bin(&px_r, WF_ENV, env, n);
	wire_set_uint(&px_r, WF_TS, accepted);
	px_frame("4.8.1", WK_EV_WARNING, 0, &px_r,
	    "The event that follows, to the sessions in area 330281 (accepted at 1795494807000)");

	/* 4.8.2 */
	px_rec(&px_r, WK_WARN_LIST);
	px_frame("4.8.2", WK_WARN_LIST, 27, &px_r, "Example, the current warnings");
	wire_rec_init(&px_el[0], &wire_records[WR_WARN]);
	wire_set_bin(&px_el[0], WF_ENV, env, n);
	wire_set_uint(&px_el[0], WF_TS, accepted);
	wire_set_str(&px_el[0], WF_STATE, "active");
	px_rec(&px_r, WK_WARNINGS);
	wire_set_array(&px_r, WF_WARNINGS, px_el, 1);
	wire_set_bin(&px_r, WF_ROOT, root.pk, 32);
	px_frame("4.8.2", WK_WARNINGS, 27, &px_r,
	    "The reply: the warning of 4.8.1, and the node's root key");
	ident_wipe(&root);
}

int
main(int argc, char *argv[])
{
	if (argc > 2) {
		fprintf(stderr, "usage: protoexamples [SECTION]\n");
		return 2;
	}
	px_only = argc == 2 ? argv[1] : NULL;
	if (randombytes_set_implementation(&px_rng) != 0 || crypto_init() != 0) {
		fprintf(stderr, "protoexamples: cannot start libsodium\n");
		return 1;
	}
	px_seeded(&px_a, 0x00);
	px_seeded(&px_b, 0x20);
	px_seeded(&px_c, 0x40);
	px_seeded(&px_d, 0x60);
	px_seeded(&px_e, 0x80);
	px_seeded(&px_f, 0xa0);
	px_fill(px_gid, 16, 0xa0);
	px_fill(px_mid, 16, 0xb0);
	px_fill(px_salt, 16, 0xc0);
	px_fill(px_token, 16, 0xd0);
	px_fill(px_case, 16, 0xe0);
	group_id_derive(px_a.pk, px_salt, px_created);

	px_session();
	px_groups();
	px_messages();
	px_keys();
	px_moderation();
	px_cases();
	px_warnings();

	ident_wipe(&px_a);
	ident_wipe(&px_b);
	ident_wipe(&px_c);
	ident_wipe(&px_d);
	ident_wipe(&px_e);
	ident_wipe(&px_f);
	return px_failed;
}
