/*
 * test_wire.c: the frame codec. Every kind round-trips byte for byte, and every
 * rejection the decoder promises in wire.h has a frame that triggers it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/wire.h"
#include "tests/unit/check.h"

/* Backing store for generated string and binary values; reset per test. */
static uint8_t	pool[64 * 1024];
static size_t	pool_used;

static struct wire_rec	elems[WF__COUNT][2];	/* generated array elements, per field */

static void	gen_rec(struct wire_rec *, const struct wire_schema *, int, int);

static const uint8_t *
gen_bytes(size_t len, int type, int salt)
{
	uint8_t	*p = pool + pool_used;
	size_t	 i;

	if (pool_used + len > sizeof(pool)) {
		fprintf(stderr, "test pool exhausted\n");
		exit(2);
	}
	pool_used += len;
	for (i = 0; i < len; i++)
		p[i] = type == WT_STR ? (uint8_t)('a' + (i + (size_t)salt) % 26) :
		    (uint8_t)(i * 31 + (size_t)salt);
	/* A two-byte character, so strings exercise the UTF-8 check. */
	if (type == WT_STR && len >= 3) {
		p[1] = 0xc3;
		p[2] = 0xa9;
	}
	return p;
}

/* A valid value for fs, varied by salt; arrays get two generated records. */
static void
gen_val(struct wire_rec *r, const struct wire_fspec *fs, int salt, int nested)
{
	uint64_t	len;
	int		i;

	switch (fs->type) {
	case WT_UINT:
		wire_set_uint(r, fs->field, fs->min + (fs->max - fs->min) / (uint64_t)(2 + salt));
		break;
	case WT_BOOL:
		wire_set_bool(r, fs->field, salt == 0);
		break;
	case WT_STR:
	case WT_BIN:
		len = fs->min == fs->max ? fs->min : fs->min + 5 + (uint64_t)salt;
		if (len > fs->max)
			len = fs->max;
		wire_set_bin(r, fs->field, gen_bytes(len, fs->type, salt), len);
		break;
	case WT_ARRAY:
		if (nested) {
			fprintf(stderr, "nested arrays are not generated\n");
			exit(2);
		}
		for (i = 0; i < 2; i++)
			gen_rec(&elems[fs->field][i], fs->elem, i + 1, 1);
		wire_set_array(r, fs->field, elems[fs->field], 2);
		break;
	}
}

static void
gen_rec(struct wire_rec *r, const struct wire_schema *s, int salt, int nested)
{
	int	i;

	wire_rec_init(r, s);
	for (i = 0; i < s->nfields; i++)
		gen_val(r, &s->fields[i], salt, nested);
}

/* Compare decoded record d with built record b, field by field, per schema s. */
static void
compare_rec(const struct wire_rec *d, const struct wire_rec *b, const struct wire_schema *s)
{
	const struct wire_fspec	*fs;
	struct wire_rec		 e;
	uint32_t		 j;
	int			 i;

	for (i = 0; i < WF__COUNT; i++)
		CHECK_EQ(wire_has(d, i), wire_has(b, i));
	for (i = 0; i < s->nfields; i++) {
		fs = &s->fields[i];
		if (!wire_has(b, fs->field))
			continue;
		switch (fs->type) {
		case WT_UINT:
		case WT_BOOL:
			CHECK(wire_u(d, fs->field) == wire_u(b, fs->field));
			break;
		case WT_STR:
		case WT_BIN:
			CHECK_EQ(d->f[fs->field].len, b->f[fs->field].len);
			CHECK(d->f[fs->field].len == b->f[fs->field].len &&
			    memcmp(d->f[fs->field].p, b->f[fs->field].p, b->f[fs->field].len) == 0);
			break;
		case WT_ARRAY:
			CHECK_EQ(d->f[fs->field].len, b->f[fs->field].len);
			for (j = 0; j < d->f[fs->field].len && j < b->f[fs->field].len; j++) {
				CHECK_EQ(wire_array_get(&d->f[fs->field], j, fs->elem, &e), WE_OK);
				compare_rec(&e, &b->f[fs->field].recs[j], fs->elem);
			}
			break;
		}
	}
}

static void
test_roundtrip_all_kinds(void)
{
	struct wire_rec		 b;
	struct wire_frame	 f;
	msgpack_sbuffer		 sb1, sb2;
	int			 k;

	for (k = 0; k < WK__COUNT; k++) {
		pool_used = 0;
		gen_rec(&b, &wire_kinds[k], 0, 0);
		msgpack_sbuffer_init(&sb1);
		msgpack_sbuffer_init(&sb2);
		CHECK_EQ(wire_encode(k, 1000 + k, &b, &sb1), WE_OK);
		CHECK_EQ(wire_decode(sb1.data, sb1.size, wire_kinds[k].dir, &f), WE_OK);
		if (f.buf != NULL) {
			CHECK_EQ(f.kind, k);
			CHECK(f.rid == (uint64_t)(1000 + k));
			CHECK(f.r.schema == &wire_kinds[k]);
			compare_rec(&f.r, &b, &wire_kinds[k]);
			CHECK_EQ(wire_encode(k, f.rid, &b, &sb2), WE_OK);
			CHECK(sb1.size == sb2.size && memcmp(sb1.data, sb2.data, sb1.size) == 0);
			wire_frame_free(&f);
		} else
			fprintf(stderr, "kind %s does not round-trip\n", wire_kinds[k].name);
		msgpack_sbuffer_destroy(&sb1);
		msgpack_sbuffer_destroy(&sb2);
	}
}

/* Only the required fields, and no rid: optional fields stay absent after decoding. */
static void
test_roundtrip_required_only(void)
{
	struct wire_rec		 b;
	struct wire_frame	 f;
	msgpack_sbuffer		 sb;
	int			 k, i;

	for (k = 0; k < WK__COUNT; k++) {
		const struct wire_schema *s = &wire_kinds[k];

		pool_used = 0;
		gen_rec(&b, s, 0, 0);
		for (i = 0; i < s->nfields; i++)
			if (!s->fields[i].required)
				b.f[s->fields[i].field].present = 0;
		msgpack_sbuffer_init(&sb);
		CHECK_EQ(wire_encode(k, 0, &b, &sb), WE_OK);
		CHECK_EQ(wire_decode(sb.data, sb.size, s->dir, &f), WE_OK);
		if (f.buf != NULL) {
			CHECK(f.rid == 0);
			compare_rec(&f.r, &b, s);
			wire_frame_free(&f);
		}
		msgpack_sbuffer_destroy(&sb);
	}
}

/*
 * Hand-built frames. A frame is written as a map header and key/value pairs with
 * the pack helpers below, then decoded.
 */
static msgpack_sbuffer	sb;
static msgpack_packer	pk;

static void
fr_begin(uint32_t n)
{
	msgpack_sbuffer_clear(&sb);
	msgpack_pack_map(&pk, n);
}

static void
p_str(const char *s)
{
	msgpack_pack_str(&pk, strlen(s));
	msgpack_pack_str_body(&pk, s, strlen(s));
}

static void
p_strn(const void *s, size_t n)
{
	msgpack_pack_str(&pk, n);
	msgpack_pack_str_body(&pk, s, n);
}

static void
p_bin(size_t n, uint8_t fill)
{
	uint8_t	b[512];

	memset(b, fill, sizeof(b));
	msgpack_pack_bin(&pk, n);
	msgpack_pack_bin_body(&pk, b, n);
}

static void
kv_str(const char *k, const char *v)
{
	p_str(k);
	p_str(v);
}

static void
kv_bin(const char *k, size_t n)
{
	p_str(k);
	p_bin(n, 7);
}

static void
kv_uint(const char *k, uint64_t v)
{
	p_str(k);
	msgpack_pack_uint64(&pk, v);
}

static int
dec_dir(int dir, uint64_t *rid)
{
	struct wire_frame	f;
	int			e;

	e = wire_decode(sb.data, sb.size, dir, &f);
	if (rid != NULL)
		*rid = f.rid;
	if (e == WE_OK)
		wire_frame_free(&f);
	else
		CHECK(f.buf == NULL && f.up.zone == NULL);	/* freed on failure */
	return e;
}

static int
dec(void)
{
	return dec_dir(WIRE_DIR_C2N, NULL);
}

/* A valid login frame with n extra pairs still to be written by the caller. */
static void
login_begin(uint32_t extra)
{
	fr_begin(3 + extra);
	kv_str("t", "login");
	kv_bin("user", 32);
	kv_bin("sig", 64);
}

static void
test_direction(void)
{
	login_begin(0);
	CHECK_EQ(dec_dir(WIRE_DIR_C2N, NULL), WE_OK);
	CHECK_EQ(dec_dir(WIRE_DIR_N2C, NULL), WE_UNKNOWN_KIND);
	CHECK_EQ(dec_dir(WIRE_DIR_N2C | WIRE_DIR_C2N, NULL), WE_OK);

	fr_begin(2);
	kv_str("t", "key");
	kv_bin("group", 16);
	CHECK_EQ(dec_dir(WIRE_DIR_C2N, NULL), WE_UNKNOWN_KIND);
}

static void
test_malformed(void)
{
	struct wire_frame	f;
	static const uint8_t	huge_array[] = { 0xdd, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t	huge_map[] = { 0xdf, 0x7f, 0xff, 0xff, 0xff, 0xa1, 't' };
	static const uint8_t	huge_str[] = { 0x81, 0xdb, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t	never[] = { 0x81, 0xa1, 't', 0xc1 };
	uint8_t			deep[200];
	size_t			len;

	/* Not a map. */
	msgpack_sbuffer_clear(&sb);
	msgpack_pack_array(&pk, 0);
	CHECK_EQ(dec(), WE_MALFORMED);
	msgpack_sbuffer_clear(&sb);
	p_str("login");
	CHECK_EQ(dec(), WE_MALFORMED);

	/* Empty input. */
	CHECK_EQ(wire_decode("", 0, WIRE_DIR_C2N, &f), WE_MALFORMED);

	/* Trailing bytes after a valid frame. */
	login_begin(0);
	msgpack_pack_nil(&pk);
	CHECK_EQ(dec(), WE_MALFORMED);

	/* Truncated: every proper prefix of a valid frame. */
	login_begin(0);
	len = sb.size;
	for (sb.size = 0; sb.size < len; sb.size++)
		CHECK_EQ(dec(), WE_MALFORMED);
	sb.size = len;
	CHECK_EQ(dec(), WE_OK);

	/* Declared sizes far beyond the input, rejected before anything is allocated. */
	CHECK_EQ(wire_decode(huge_array, sizeof(huge_array), WIRE_DIR_C2N, &f), WE_MALFORMED);
	CHECK_EQ(wire_decode(huge_map, sizeof(huge_map), WIRE_DIR_C2N, &f), WE_MALFORMED);
	CHECK_EQ(wire_decode(huge_str, sizeof(huge_str), WIRE_DIR_C2N, &f), WE_MALFORMED);
	CHECK_EQ(wire_decode(never, sizeof(never), WIRE_DIR_C2N, &f), WE_MALFORMED);

	/* Nesting deeper than msgpack-c's stack. */
	memset(deep, 0x91, sizeof(deep));
	deep[sizeof(deep) - 1] = 0xc0;
	CHECK_EQ(wire_decode(deep, sizeof(deep), WIRE_DIR_C2N, &f), WE_MALFORMED);

	/* A key that is not a string. */
	login_begin(1);
	msgpack_pack_uint8(&pk, 1);
	msgpack_pack_uint8(&pk, 1);
	CHECK_EQ(dec(), WE_MALFORMED);
}

static void
test_too_large(void)
{
	struct wire_frame	 f;
	uint8_t			*big;

	big = calloc(1, WIRE_MAX_IN_CLIENT + 1);
	CHECK(big != NULL);
	if (big == NULL)
		return;
	big[0] = 0x80;
	CHECK_EQ(wire_decode(big, WIRE_MAX_IN_CLIENT + 1, WIRE_DIR_C2N, &f), WE_TOO_LARGE);
	free(big);
}

static void
test_t(void)
{
	/* Missing. */
	fr_begin(2);
	kv_bin("user", 32);
	kv_bin("sig", 64);
	CHECK_EQ(dec(), WE_MISSING_FIELD);

	/* Not a string. */
	fr_begin(3);
	kv_bin("t", 5);
	kv_bin("user", 32);
	kv_bin("sig", 64);
	CHECK_EQ(dec(), WE_BAD_TYPE);
	fr_begin(1);
	kv_uint("t", 15);
	CHECK_EQ(dec(), WE_BAD_TYPE);

	/* Unknown, and a known name with a different length. */
	fr_begin(1);
	kv_str("t", "nope");
	CHECK_EQ(dec(), WE_UNKNOWN_KIND);
	fr_begin(1);
	kv_str("t", "logi");
	CHECK_EQ(dec(), WE_UNKNOWN_KIND);
	fr_begin(1);
	kv_str("t", "group_list");
	CHECK_EQ(dec(), WE_OK);

	/* Repeated, even with the same value. */
	login_begin(1);
	kv_str("t", "login");
	CHECK_EQ(dec(), WE_UNKNOWN_FIELD);
}

static void
test_rid(void)
{
	uint64_t	rid;

	login_begin(1);
	kv_uint("rid", UINT64_MAX);
	CHECK_EQ(dec_dir(WIRE_DIR_C2N, &rid), WE_OK);
	CHECK(rid == UINT64_MAX);

	login_begin(1);
	kv_str("rid", "7");
	CHECK_EQ(dec(), WE_BAD_TYPE);
	login_begin(1);
	p_str("rid");
	msgpack_pack_int64(&pk, -7);
	CHECK_EQ(dec(), WE_BAD_TYPE);
	login_begin(1);
	kv_uint("rid", 0);
	CHECK_EQ(dec(), WE_BAD_VALUE);
	login_begin(2);
	kv_uint("rid", 5);
	kv_uint("rid", 5);
	CHECK_EQ(dec(), WE_UNKNOWN_FIELD);

	/* A valid rid is reported however the rest fails, even when it comes last. */
	fr_begin(4);
	kv_str("t", "login");
	kv_bin("user", 31);
	kv_bin("sig", 64);
	kv_uint("rid", 42);
	CHECK_EQ(dec_dir(WIRE_DIR_C2N, &rid), WE_BAD_VALUE);
	CHECK(rid == 42);
	fr_begin(2);
	kv_uint("rid", 43);
	kv_str("t", "nope");
	CHECK_EQ(dec_dir(WIRE_DIR_C2N, &rid), WE_UNKNOWN_KIND);
	CHECK(rid == 43);
	fr_begin(2);
	kv_uint("rid", 44);
	kv_bin("user", 32);
	CHECK_EQ(dec_dir(WIRE_DIR_C2N, &rid), WE_MISSING_FIELD);
	CHECK(rid == 44);
	/* A failing decode without a rid reports 0. */
	fr_begin(1);
	kv_str("t", "nope");
	CHECK_EQ(dec_dir(WIRE_DIR_C2N, &rid), WE_UNKNOWN_KIND);
	CHECK(rid == 0);
}

static void
test_fields(void)
{
	/* Unknown field, and a field of another kind. */
	login_begin(1);
	kv_uint("bogus", 1);
	CHECK_EQ(dec(), WE_UNKNOWN_FIELD);
	login_begin(1);
	kv_bin("group", 16);
	CHECK_EQ(dec(), WE_UNKNOWN_FIELD);

	/* Repeated field. */
	login_begin(1);
	kv_bin("user", 32);
	CHECK_EQ(dec(), WE_UNKNOWN_FIELD);

	/* Missing required field. */
	fr_begin(2);
	kv_str("t", "login");
	kv_bin("user", 32);
	CHECK_EQ(dec(), WE_MISSING_FIELD);
	/* An optional field may be absent. */
	fr_begin(2);
	kv_str("t", "history");
	kv_bin("group", 16);
	CHECK_EQ(dec(), WE_OK);
}

/* A history frame (group, since: uint, limit: uint 1..1000) with one value to vary. */
static void
history_begin(void)
{
	fr_begin(3);
	kv_str("t", "history");
	kv_bin("group", 16);
}

/* A group_create frame missing only the value of "approval" (bool). */
static void
create_begin(void)
{
	fr_begin(7);
	kv_str("t", "group_create");
	kv_bin("group", 16);
	kv_bin("salt", 16);
	kv_str("name", "x");
	kv_str("area", "330281");
	kv_bin("box", 72);
	p_str("approval");
}

/* A register frame (user, sig, name: str 1..64, enroll: str) missing only "name". */
static void
register_begin(void)
{
	fr_begin(4);
	kv_str("t", "register");
	kv_bin("user", 32);
	kv_bin("sig", 64);
	p_str("name");
}

/* keys_put (group, epoch, keys: 1..1000 key records) missing only "keys". */
static void
keys_put_begin(void)
{
	fr_begin(4);
	kv_str("t", "keys_put");
	kv_bin("group", 16);
	kv_uint("epoch", 3);
	p_str("keys");
}

static void
test_bad_type(void)
{
	/* WT_UINT */
	history_begin();
	kv_str("limit", "5");
	CHECK_EQ(dec(), WE_BAD_TYPE);
	history_begin();
	p_str("since");
	msgpack_pack_int64(&pk, -1);
	CHECK_EQ(dec(), WE_BAD_TYPE);
	history_begin();
	p_str("since");
	msgpack_pack_double(&pk, 1.0);
	CHECK_EQ(dec(), WE_BAD_TYPE);
	history_begin();
	p_str("since");
	msgpack_pack_true(&pk);
	CHECK_EQ(dec(), WE_BAD_TYPE);
	/* ...but any encoding of a non-negative integer is one. */
	history_begin();
	p_str("since");
	msgpack_pack_int8(&pk, 5);
	CHECK_EQ(dec(), WE_OK);

	/* WT_BOOL */
	create_begin();
	msgpack_pack_uint8(&pk, 1);
	CHECK_EQ(dec(), WE_BAD_TYPE);
	create_begin();
	msgpack_pack_nil(&pk);
	CHECK_EQ(dec(), WE_BAD_TYPE);
	create_begin();
	msgpack_pack_false(&pk);
	CHECK_EQ(dec(), WE_OK);

	/* WT_STR */
	register_begin();
	p_bin(5, 'a');
	CHECK_EQ(dec(), WE_BAD_TYPE);

	/* WT_BIN */
	fr_begin(3);
	kv_str("t", "login");
	p_str("user");
	p_strn("0123456789abcdef0123456789abcdef", 32);
	kv_bin("sig", 64);
	CHECK_EQ(dec(), WE_BAD_TYPE);

	/* WT_ARRAY */
	keys_put_begin();
	msgpack_pack_map(&pk, 0);
	CHECK_EQ(dec(), WE_BAD_TYPE);
	keys_put_begin();
	p_bin(72, 1);
	CHECK_EQ(dec(), WE_BAD_TYPE);
}

static void
test_bad_value(void)
{
	/* WT_UINT bounds: limit 1..1000, epoch 1..2^32-1. */
	history_begin();
	kv_uint("limit", 0);
	CHECK_EQ(dec(), WE_BAD_VALUE);
	history_begin();
	kv_uint("limit", WIRE_MAX_ARRAY + 1);
	CHECK_EQ(dec(), WE_BAD_VALUE);
	history_begin();
	kv_uint("limit", WIRE_MAX_ARRAY);
	CHECK_EQ(dec(), WE_OK);
	fr_begin(4);
	kv_str("t", "keys_put");
	kv_bin("group", 16);
	kv_uint("epoch", (uint64_t)UINT32_MAX + 1);
	p_str("keys");
	msgpack_pack_array(&pk, 1);
	msgpack_pack_map(&pk, 1);
	kv_bin("box", 72);
	CHECK_EQ(dec(), WE_BAD_VALUE);

	/* WT_STR length: name 1..64. */
	register_begin();
	p_str("");
	CHECK_EQ(dec(), WE_BAD_VALUE);
	register_begin();
	p_strn("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 65);
	CHECK_EQ(dec(), WE_BAD_VALUE);
	register_begin();
	p_strn("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 64);
	CHECK_EQ(dec(), WE_OK);

	/* WT_BIN length: user is exactly 32. */
	fr_begin(3);
	kv_str("t", "login");
	kv_bin("user", 31);
	kv_bin("sig", 64);
	CHECK_EQ(dec(), WE_BAD_VALUE);
	fr_begin(3);
	kv_str("t", "login");
	kv_bin("user", 33);
	kv_bin("sig", 64);
	CHECK_EQ(dec(), WE_BAD_VALUE);
	fr_begin(3);
	kv_str("t", "login");
	kv_bin("user", 0);
	kv_bin("sig", 64);
	CHECK_EQ(dec(), WE_BAD_VALUE);
}

static void
test_utf8(void)
{
	static const struct {
		const char	*s;
		size_t		 len;
		int		 ok;
	} cases[] = {
		{ "caf\xc3\xa9", 5, 1 },
		{ "\xe2\x82\xac", 3, 1 },		/* U+20AC */
		{ "\xf0\x9f\x98\x80", 4, 1 },		/* U+1F600 */
		{ "\xf4\x8f\xbf\xbf", 4, 1 },		/* U+10FFFF */
		{ "\xed\x9f\xbf", 3, 1 },		/* U+D7FF */
		{ "\xee\x80\x80", 3, 1 },		/* U+E000 */
		{ "\xc0\x80", 2, 0 },			/* overlong NUL */
		{ "\xc1\xbf", 2, 0 },			/* overlong */
		{ "\xe0\x80\xaf", 3, 0 },		/* overlong '/' */
		{ "\xe0\x9f\xbf", 3, 0 },		/* overlong U+7FF */
		{ "\xf0\x8f\xbf\xbf", 4, 0 },		/* overlong U+FFFF */
		{ "\xed\xa0\x80", 3, 0 },		/* surrogate U+D800 */
		{ "\xed\xbf\xbf", 3, 0 },		/* surrogate U+DFFF */
		{ "\xf4\x90\x80\x80", 4, 0 },		/* U+110000 */
		{ "\xf5\x80\x80\x80", 4, 0 },
		{ "\xff", 1, 0 },
		{ "a\x80", 2, 0 },			/* lone continuation */
		{ "\xe2\x82", 2, 0 },			/* truncated */
		{ "\xe2\x82" "a", 3, 0 },		/* interrupted */
		{ "\xc3", 1, 0 },
		{ "a\0b", 3, 0 },			/* NUL */
		{ "\0", 1, 0 },
	};
	size_t	i;
	int	e;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		register_begin();
		p_strn(cases[i].s, cases[i].len);
		e = dec();
		if (e != (cases[i].ok ? WE_OK : WE_BAD_VALUE))
			fprintf(stderr, "utf8 case %zu: %s\n", i, wire_err_name(e));
		CHECK_EQ(e, cases[i].ok ? WE_OK : WE_BAD_VALUE);
	}
}

static void
test_arrays(void)
{
	struct wire_frame	f;
	struct wire_rec		e;
	int			i;

	/* Two valid key records; the second carries only the required box. */
	keys_put_begin();
	msgpack_pack_array(&pk, 2);
	msgpack_pack_map(&pk, 2);
	kv_uint("epoch", 9);
	kv_bin("box", 72);
	msgpack_pack_map(&pk, 1);
	kv_bin("box", 72);
	CHECK_EQ(wire_decode(sb.data, sb.size, WIRE_DIR_C2N, &f), WE_OK);
	if (f.buf != NULL) {
		CHECK_EQ(f.r.f[WF_KEYS].len, 2);
		CHECK_EQ(wire_array_get(&f.r.f[WF_KEYS], 0, &wire_records[WR_KEY], &e), WE_OK);
		CHECK(wire_has(&e, WF_EPOCH) && wire_u(&e, WF_EPOCH) == 9);
		CHECK_EQ(wire_array_get(&f.r.f[WF_KEYS], 1, &wire_records[WR_KEY], &e), WE_OK);
		CHECK(!wire_has(&e, WF_EPOCH) && wire_has(&e, WF_BOX) && e.f[WF_BOX].len == 72);
		CHECK_EQ(wire_array_get(&f.r.f[WF_KEYS], 2, &wire_records[WR_KEY], &e),
		    WE_BAD_VALUE);
		wire_frame_free(&f);
	}

	/* Count bounds: keys_put needs 1..1000. */
	keys_put_begin();
	msgpack_pack_array(&pk, 0);
	CHECK_EQ(dec(), WE_BAD_VALUE);
	keys_put_begin();
	msgpack_pack_array(&pk, WIRE_MAX_ARRAY + 1);
	for (i = 0; i < WIRE_MAX_ARRAY + 1; i++) {
		msgpack_pack_map(&pk, 1);
		kv_bin("box", 72);
	}
	CHECK_EQ(dec(), WE_BAD_VALUE);
	keys_put_begin();
	msgpack_pack_array(&pk, WIRE_MAX_ARRAY);
	for (i = 0; i < WIRE_MAX_ARRAY; i++) {
		msgpack_pack_map(&pk, 1);
		kv_bin("box", 72);
	}
	CHECK_EQ(dec(), WE_OK);

	/* A bad element after a good one: wrong length, missing field, not a map. */
	keys_put_begin();
	msgpack_pack_array(&pk, 2);
	msgpack_pack_map(&pk, 1);
	kv_bin("box", 72);
	msgpack_pack_map(&pk, 1);
	kv_bin("box", 71);
	CHECK_EQ(dec(), WE_BAD_VALUE);
	keys_put_begin();
	msgpack_pack_array(&pk, 2);
	msgpack_pack_map(&pk, 1);
	kv_bin("box", 72);
	msgpack_pack_map(&pk, 1);
	kv_uint("epoch", 1);
	CHECK_EQ(dec(), WE_MISSING_FIELD);
	keys_put_begin();
	msgpack_pack_array(&pk, 2);
	msgpack_pack_map(&pk, 1);
	kv_bin("box", 72);
	p_bin(72, 0);
	CHECK_EQ(dec(), WE_BAD_TYPE);

	/* Records carry neither "t" nor "rid", and repeat no key. */
	keys_put_begin();
	msgpack_pack_array(&pk, 1);
	msgpack_pack_map(&pk, 2);
	kv_str("t", "key");
	kv_bin("box", 72);
	CHECK_EQ(dec(), WE_UNKNOWN_FIELD);
	keys_put_begin();
	msgpack_pack_array(&pk, 1);
	msgpack_pack_map(&pk, 2);
	kv_uint("rid", 1);
	kv_bin("box", 72);
	CHECK_EQ(dec(), WE_UNKNOWN_FIELD);
	keys_put_begin();
	msgpack_pack_array(&pk, 1);
	msgpack_pack_map(&pk, 2);
	kv_bin("box", 72);
	kv_bin("box", 72);
	CHECK_EQ(dec(), WE_UNKNOWN_FIELD);
	/* A non-string key inside a record. */
	keys_put_begin();
	msgpack_pack_array(&pk, 1);
	msgpack_pack_map(&pk, 2);
	kv_bin("box", 72);
	msgpack_pack_nil(&pk);
	msgpack_pack_nil(&pk);
	CHECK_EQ(dec(), WE_MALFORMED);
}

/* Decoding is independent of key order; re-encoding puts fields in schema order. */
static void
test_canonical(void)
{
	struct wire_frame	f;
	msgpack_sbuffer		out, ref;
	struct wire_rec		r;
	uint8_t			user[32], sig[64];

	fr_begin(4);
	kv_bin("sig", 64);
	kv_uint("rid", 9);
	kv_bin("user", 32);
	kv_str("t", "login");
	msgpack_sbuffer_init(&out);
	msgpack_sbuffer_init(&ref);
	CHECK_EQ(wire_decode(sb.data, sb.size, WIRE_DIR_C2N, &f), WE_OK);
	if (f.buf != NULL) {
		CHECK_EQ(wire_encode(f.kind, f.rid, &f.r, &out), WE_OK);
		wire_frame_free(&f);
	}
	memset(user, 7, sizeof(user));
	memset(sig, 7, sizeof(sig));
	wire_rec_init(&r, &wire_kinds[WK_LOGIN]);
	wire_set_bin(&r, WF_SIG, sig, sizeof(sig));
	wire_set_bin(&r, WF_USER, user, sizeof(user));
	CHECK_EQ(wire_encode(WK_LOGIN, 9, &r, &ref), WE_OK);
	CHECK(out.size == ref.size && memcmp(out.data, ref.data, ref.size) == 0);
	/* "t" comes first, then "rid". */
	CHECK(ref.size > 8 && memcmp(ref.data, "\x84\xa1t\xa5login\xa3rid\x09", 13) == 0);
	msgpack_sbuffer_destroy(&out);
	msgpack_sbuffer_destroy(&ref);
}

static void
test_encode_refuses(void)
{
	struct wire_rec	r, keys[1];
	msgpack_sbuffer	out;
	uint8_t		user[33], sig[64], box[72];

	memset(user, 1, sizeof(user));
	memset(sig, 2, sizeof(sig));
	memset(box, 3, sizeof(box));
	msgpack_sbuffer_init(&out);

	/* A missing required field, and nothing appended. */
	wire_rec_init(&r, &wire_kinds[WK_LOGIN]);
	wire_set_bin(&r, WF_USER, user, 32);
	CHECK_EQ(wire_encode(WK_LOGIN, 1, &r, &out), WE_MISSING_FIELD);
	CHECK_EQ(out.size, 0);

	/* A field the kind does not have. */
	wire_set_bin(&r, WF_SIG, sig, sizeof(sig));
	CHECK_EQ(wire_encode(WK_LOGIN, 1, &r, &out), WE_OK);
	out.size = 0;
	wire_set_uint(&r, WF_EPOCH, 1);
	CHECK_EQ(wire_encode(WK_LOGIN, 1, &r, &out), WE_UNKNOWN_FIELD);
	wire_set_str(&r, WF_EPOCH, NULL);
	CHECK_EQ(wire_encode(WK_LOGIN, 1, &r, &out), WE_OK);
	out.size = 0;
	wire_set_uint(&r, WF_RID, 1);
	CHECK_EQ(wire_encode(WK_LOGIN, 1, &r, &out), WE_UNKNOWN_FIELD);
	CHECK_EQ(out.size, 0);

	/* Bounds. */
	wire_rec_init(&r, &wire_kinds[WK_LOGIN]);
	wire_set_bin(&r, WF_USER, user, 33);
	wire_set_bin(&r, WF_SIG, sig, sizeof(sig));
	CHECK_EQ(wire_encode(WK_LOGIN, 1, &r, &out), WE_BAD_VALUE);
	wire_rec_init(&r, &wire_kinds[WK_REGISTER]);
	wire_set_bin(&r, WF_USER, user, 32);
	wire_set_bin(&r, WF_SIG, sig, sizeof(sig));
	wire_set_str(&r, WF_NAME, "bad \xc0\x80 name");
	CHECK_EQ(wire_encode(WK_REGISTER, 1, &r, &out), WE_BAD_VALUE);
	wire_set_str(&r, WF_NAME, "");
	CHECK_EQ(wire_encode(WK_REGISTER, 1, &r, &out), WE_BAD_VALUE);
	wire_set_str(&r, WF_NAME, "ok");
	wire_set_bool(&r, WF_ENROLL, 1);	/* a uint where a string belongs */
	CHECK_EQ(wire_encode(WK_REGISTER, 1, &r, &out), WE_BAD_VALUE);
	CHECK_EQ(out.size, 0);
	wire_rec_init(&r, &wire_kinds[WK_HISTORY]);
	wire_set_bin(&r, WF_GROUP, user, 16);
	wire_set_uint(&r, WF_LIMIT, WIRE_MAX_ARRAY + 1);
	CHECK_EQ(wire_encode(WK_HISTORY, 1, &r, &out), WE_BAD_VALUE);

	/* Records inside arrays are checked too, and so is their count. */
	wire_rec_init(&r, &wire_kinds[WK_KEYS_PUT]);
	wire_set_bin(&r, WF_GROUP, user, 16);
	wire_set_uint(&r, WF_EPOCH, 2);
	wire_set_array(&r, WF_KEYS, keys, 0);
	CHECK_EQ(wire_encode(WK_KEYS_PUT, 1, &r, &out), WE_BAD_VALUE);
	wire_rec_init(&keys[0], &wire_records[WR_KEY]);
	wire_set_bin(&keys[0], WF_BOX, box, 71);
	wire_set_array(&r, WF_KEYS, keys, 1);
	CHECK_EQ(wire_encode(WK_KEYS_PUT, 1, &r, &out), WE_BAD_VALUE);
	wire_set_bin(&keys[0], WF_BOX, box, 72);
	wire_set_bin(&keys[0], WF_GROUP, box, 16);
	CHECK_EQ(wire_encode(WK_KEYS_PUT, 1, &r, &out), WE_UNKNOWN_FIELD);
	CHECK_EQ(out.size, 0);
	keys[0].f[WF_GROUP].present = 0;
	CHECK_EQ(wire_encode(WK_KEYS_PUT, 1, &r, &out), WE_OK);
	CHECK(out.size > 0);

	/* An unknown kind. */
	CHECK_EQ(wire_encode(WK__COUNT, 1, &r, &out), WE_UNKNOWN_KIND);
	msgpack_sbuffer_destroy(&out);
}

static void
test_encode_error(void)
{
	struct wire_frame	f;
	msgpack_sbuffer		out;
	char			msg[400], got[400];

	msgpack_sbuffer_init(&out);

	/* 255 ASCII bytes then a 2-byte character that would end at byte 257. */
	memset(msg, 'a', 255);
	memcpy(msg + 255, "\xc3\xa9tail", 7);
	wire_encode_error(77, WE_NOT_FOUND, msg, &out);
	CHECK_EQ(wire_decode(out.data, out.size, WIRE_DIR_N2C, &f), WE_OK);
	if (f.buf != NULL) {
		CHECK_EQ(f.kind, WK_ERROR);
		CHECK(f.rid == 77);
		CHECK(wire_u(&f.r, WF_CODE) == WE_NOT_FOUND);
		CHECK_EQ(f.r.f[WF_MSG].len, 255);
		wire_frame_free(&f);
	}

	/* 254 bytes then the character fits exactly. */
	msgpack_sbuffer_clear(&out);
	memcpy(msg + 254, "\xc3\xa9tail", 7);
	wire_encode_error(0, WE_EXISTS, msg, &out);
	CHECK_EQ(wire_decode(out.data, out.size, WIRE_DIR_N2C, &f), WE_OK);
	if (f.buf != NULL) {
		CHECK(f.rid == 0);
		CHECK_EQ(f.r.f[WF_MSG].len, 256);
		wire_str(&f.r, WF_MSG, got, sizeof(got));
		CHECK(strlen(got) == 256 && memcmp(got + 254, "\xc3\xa9", 2) == 0);
		/* wire_str truncates, and not inside a character. */
		wire_str(&f.r, WF_MSG, got, 256);
		CHECK_EQ(strlen(got), 254);
		wire_str(&f.r, WF_MSG, got, 3);
		CHECK(strcmp(got, "aa") == 0);
		wire_frame_free(&f);
	}

	/* Short text is kept; a NULL text becomes the code's text; invalid bytes are cut. */
	msgpack_sbuffer_clear(&out);
	wire_encode_error(1, WE_FORBIDDEN, NULL, &out);
	CHECK_EQ(wire_decode(out.data, out.size, WIRE_DIR_N2C, &f), WE_OK);
	if (f.buf != NULL) {
		wire_str(&f.r, WF_MSG, got, sizeof(got));
		CHECK(strcmp(got, wire_err_text(WE_FORBIDDEN)) == 0);
		wire_frame_free(&f);
	}
	msgpack_sbuffer_clear(&out);
	wire_encode_error(1, 0, "ok\xff" "bad", &out);
	CHECK_EQ(wire_decode(out.data, out.size, WIRE_DIR_N2C, &f), WE_OK);
	if (f.buf != NULL) {
		wire_str(&f.r, WF_MSG, got, sizeof(got));
		CHECK(strcmp(got, "ok") == 0);
		CHECK(wire_u(&f.r, WF_CODE) == WE_INTERNAL);
		wire_frame_free(&f);
	}
	msgpack_sbuffer_destroy(&out);
}

static void
test_err_names(void)
{
	static const struct {
		int		 code;
		const char	*name;
	} names[] = {
		{ WE_MALFORMED, "malformed" }, { WE_UNKNOWN_KIND, "unknown_kind" },
		{ WE_UNKNOWN_FIELD, "unknown_field" }, { WE_BAD_TYPE, "bad_type" },
		{ WE_BAD_VALUE, "bad_value" }, { WE_MISSING_FIELD, "missing_field" },
		{ WE_TOO_LARGE, "too_large" }, { WE_AUTH_REQUIRED, "auth_required" },
		{ WE_AUTH_FAILED, "auth_failed" }, { WE_FORBIDDEN, "forbidden" },
		{ WE_NOT_FOUND, "not_found" }, { WE_EXISTS, "exists" },
		{ WE_NOT_MEMBER, "not_member" }, { WE_BAD_SIGNATURE, "bad_signature" },
		{ WE_STALE_EPOCH, "stale_epoch" }, { WE_RATE_LIMITED, "rate_limited" },
		{ WE_GROUP_FULL, "group_full" }, { WE_BAD_CODE, "bad_code" },
		{ WE_INVALID, "invalid" }, { WE_PENDING, "pending" },
		{ WE_EXPIRED, "expired" }, { WE_INTERNAL, "internal" },
	};
	const char	*unknown_text = wire_err_text(9999);
	size_t		 i, j;

	CHECK(strcmp(wire_err_name(9999), "unknown") == 0);
	CHECK(strcmp(wire_err_name(-1), "unknown") == 0);
	CHECK(strcmp(wire_err_name(8), "unknown") == 0);
	CHECK(unknown_text != NULL && unknown_text[0] != '\0');
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		CHECK(strcmp(wire_err_name(names[i].code), names[i].name) == 0);
		CHECK(wire_err_text(names[i].code)[0] != '\0');
		CHECK(strcmp(wire_err_text(names[i].code), unknown_text) != 0);
		for (j = 0; j < i; j++)
			CHECK(strcmp(wire_err_text(names[i].code),
			    wire_err_text(names[j].code)) != 0);
	}
}

int
main(void)
{
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);

	test_roundtrip_all_kinds();
	test_roundtrip_required_only();
	test_direction();
	test_malformed();
	test_too_large();
	test_t();
	test_rid();
	test_fields();
	test_bad_type();
	test_bad_value();
	test_utf8();
	test_arrays();
	test_canonical();
	test_encode_refuses();
	test_encode_error();
	test_err_names();

	msgpack_sbuffer_destroy(&sb);
	return check_done("wire");
}
