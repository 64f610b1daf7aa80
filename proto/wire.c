/*
 * wire.c: the msgpack frame codec that follows the table in wire_schema.c.
 *
 * Decoding copies the frame, checks its structure (mp_scan), unpacks it with
 * msgpack-c and validates every value, nested records included, against the
 * schema of its kind, so that a frame handed to a caller is valid throughout.
 * Encoding validates a record the same way before writing a byte, then writes
 * "t", "rid" and the fields in schema order so equal records give equal bytes.
 */
#include "proto/wire.h"
#include "proto/mp.h"

#include <stdlib.h>
#include <string.h>

#include "proto/log.h"

#define WIRE_ERROR_MSG_MAX	256	/* bytes of text in an error frame, as k_error says */

static int	wire_rec_decode(const msgpack_object_map *, const struct wire_schema *, int,
		    struct wire_rec *);
static int	wire_rec_pack_map(msgpack_packer *, const struct wire_rec *,
		    const struct wire_schema *);

static const struct {
	int		 code;
	const char	*name;
	const char	*text;
} wire_errs[] = {
	{ WE_OK,		"ok",		"Success." },
	{ WE_MALFORMED,		"malformed",	"The frame is not a well-formed msgpack map." },
	{ WE_UNKNOWN_KIND,	"unknown_kind",	"The frame kind is not accepted here." },
	{ WE_UNKNOWN_FIELD,	"unknown_field", "The frame has an unknown or repeated field." },
	{ WE_BAD_TYPE,		"bad_type",	"A field has the wrong type." },
	{ WE_BAD_VALUE,		"bad_value",	"A field value is out of bounds." },
	{ WE_MISSING_FIELD,	"missing_field", "A required field is missing." },
	{ WE_TOO_LARGE,		"too_large",	"The frame is too large." },
	{ WE_AUTH_REQUIRED,	"auth_required", "Log in first." },
	{ WE_AUTH_FAILED,	"auth_failed",	"Login failed: bad signature or unknown user." },
	{ WE_FORBIDDEN,		"forbidden",	"Your role does not allow this." },
	{ WE_NOT_FOUND,		"not_found",	"No such user, group, invite or message." },
	{ WE_EXISTS,		"exists",	"It already exists." },
	{ WE_NOT_MEMBER,	"not_member",	"You are not a member of this group." },
	{ WE_BAD_SIGNATURE,	"bad_signature", "A signature does not verify." },
	{ WE_STALE_EPOCH,	"stale_epoch",	"The group key epoch is not current." },
	{ WE_RATE_LIMITED,	"rate_limited",	"Too many requests; retry later." },
	{ WE_GROUP_FULL,	"group_full",	"The group is full." },
	{ WE_BAD_CODE,		"bad_code",	"The enrollment code is wrong or already used." },
	{ WE_INVALID,		"invalid",	"The request is well formed but not valid." },
	{ WE_PENDING,		"pending",	"The join request awaits approval." },
	{ WE_EXPIRED,		"expired",	"The invite has expired." },
	{ WE_MUTED,		"muted",	"A moderator muted you in this group for now." },
	{ WE_BANNED,		"banned",	"You are banned from this group or station." },
	{ WE_INTERNAL,		"internal",	"The node failed internally; nothing was accepted." },
};

const char *
wire_err_name(int code)
{
	size_t	i;

	for (i = 0; i < sizeof(wire_errs) / sizeof(wire_errs[0]); i++)
		if (wire_errs[i].code == code)
			return wire_errs[i].name;
	return "unknown";
}

const char *
wire_err_text(int code)
{
	size_t	i;

	for (i = 0; i < sizeof(wire_errs) / sizeof(wire_errs[0]); i++)
		if (wire_errs[i].code == code)
			return wire_errs[i].text;
	return "Unknown error.";
}

static const struct wire_fspec *
wire_fspec_find(const struct wire_schema *s, enum wire_field field)
{
	int	i;

	for (i = 0; i < s->nfields; i++)
		if (s->fields[i].field == field)
			return &s->fields[i];
	return NULL;
}

static int
wire_key_is(const msgpack_object *k, const char *name)
{
	size_t	len = strlen(name);

	return k->via.str.size == len && memcmp(k->via.str.ptr, name, len) == 0;
}

static const struct wire_fspec *
wire_fspec_lookup(const struct wire_schema *s, const msgpack_object *k)
{
	int	i;

	for (i = 0; i < s->nfields; i++)
		if (wire_key_is(k, wire_field_names[s->fields[i].field]))
			return &s->fields[i];
	return NULL;
}


/*
 * Clear only the slots schema s uses: a scratch record for validation is never read
 * elsewhere, and clearing all WF__COUNT slots per array element would cost more than
 * decoding it.
 */
static void
wire_rec_reset(struct wire_rec *r, const struct wire_schema *s)
{
	int	i;

	r->schema = s;
	for (i = 0; i < s->nfields; i++)
		memset(&r->f[s->fields[i].field], 0, sizeof(r->f[0]));
}

/* Check one msgpack value against its field spec and store it in v. */
static int
wire_val_decode(const msgpack_object *o, const struct wire_fspec *fs, struct wire_val *v)
{
	struct wire_rec	 scratch;
	uint32_t	 i;
	int		 e;

	switch (fs->type) {
	case WT_UINT:
		if (o->type != MSGPACK_OBJECT_POSITIVE_INTEGER)
			return WE_BAD_TYPE;
		if (o->via.u64 < fs->min || o->via.u64 > fs->max)
			return WE_BAD_VALUE;
		v->u = o->via.u64;
		break;
	case WT_BOOL:
		if (o->type != MSGPACK_OBJECT_BOOLEAN)
			return WE_BAD_TYPE;
		v->u = o->via.boolean ? 1 : 0;
		break;
	case WT_STR:
	case WT_BIN:
		if (o->type != (fs->type == WT_STR ? MSGPACK_OBJECT_STR : MSGPACK_OBJECT_BIN))
			return WE_BAD_TYPE;
		/* str and bin share a layout in msgpack_object. */
		if (o->via.bin.size < fs->min || o->via.bin.size > fs->max)
			return WE_BAD_VALUE;
		if (fs->type == WT_STR &&
		    !mp_utf8_valid((const uint8_t *)o->via.str.ptr, o->via.str.size))
			return WE_BAD_VALUE;
		v->p = (const uint8_t *)o->via.bin.ptr;
		v->len = o->via.bin.size;
		break;
	case WT_ARRAY:
		if (o->type != MSGPACK_OBJECT_ARRAY)
			return WE_BAD_TYPE;
		if (o->via.array.size < fs->min || o->via.array.size > fs->max)
			return WE_BAD_VALUE;
		/*
		 * Validate every element now so a decoded frame is valid throughout;
		 * wire_array_get() decodes them again, without allocating, on demand.
		 */
		for (i = 0; i < o->via.array.size; i++) {
			if (o->via.array.ptr[i].type != MSGPACK_OBJECT_MAP)
				return WE_BAD_TYPE;
			wire_rec_reset(&scratch, fs->elem);
			e = wire_rec_decode(&o->via.array.ptr[i].via.map, fs->elem, 0, &scratch);
			if (e != WE_OK)
				return e;
		}
		v->arr = o->via.array.ptr;
		v->len = o->via.array.size;
		break;
	default:
		return WE_INTERNAL;	/* a broken table */
	}
	v->present = 1;
	return WE_OK;
}

/*
 * Decode map m against schema s into r, whose slots for s must be clear. In a frame
 * (top), "t" and "rid" were read by the caller and are skipped; in a record they are
 * unknown fields like any other key.
 */
static int
wire_rec_decode(const msgpack_object_map *m, const struct wire_schema *s, int top,
    struct wire_rec *r)
{
	const struct wire_fspec	*fs;
	const msgpack_object	*k;
	uint32_t		 i;
	int			 e;

	for (i = 0; i < m->size; i++) {
		k = &m->ptr[i].key;
		if (k->type != MSGPACK_OBJECT_STR)
			return WE_MALFORMED;
		if (top && (wire_key_is(k, "t") || wire_key_is(k, "rid")))
			continue;
		if ((fs = wire_fspec_lookup(s, k)) == NULL || r->f[fs->field].present)
			return WE_UNKNOWN_FIELD;
		if ((e = wire_val_decode(&m->ptr[i].val, fs, &r->f[fs->field])) != WE_OK)
			return e;
	}
	for (i = 0; i < s->nfields; i++)
		if (s->fields[i].required && !r->f[s->fields[i].field].present)
			return WE_MISSING_FIELD;
	return WE_OK;
}

/*
 * Read "t" and "rid" of frame map m before anything else, so that rid can be
 * reported even when the rest of the frame is rejected.
 */
static int
wire_frame_head(const msgpack_object_map *m, int dir, struct wire_frame *f)
{
	const msgpack_object	*k, *v, *t = NULL, *rid = NULL;
	uint32_t		 i;
	int			 nt = 0, nrid = 0, kind;

	for (i = 0; i < m->size; i++) {
		k = &m->ptr[i].key;
		v = &m->ptr[i].val;
		if (k->type != MSGPACK_OBJECT_STR)
			continue;	/* rejected by wire_rec_decode */
		if (wire_key_is(k, "t") && nt++ == 0)
			t = v;
		else if (wire_key_is(k, "rid") && nrid++ == 0) {
			rid = v;
			if (v->type == MSGPACK_OBJECT_POSITIVE_INTEGER)
				f->rid = v->via.u64;
		}
	}
	for (i = 0; i < m->size; i++)
		if (m->ptr[i].key.type != MSGPACK_OBJECT_STR)
			return WE_MALFORMED;
	if (nrid > 1 || nt > 1)
		return WE_UNKNOWN_FIELD;
	if (rid != NULL && rid->type != MSGPACK_OBJECT_POSITIVE_INTEGER)
		return WE_BAD_TYPE;
	if (rid != NULL && rid->via.u64 == 0)
		return WE_BAD_VALUE;	/* 0 means "no rid"; absent is the way to say it */
	if (t == NULL)
		return WE_MISSING_FIELD;
	if (t->type != MSGPACK_OBJECT_STR)
		return WE_BAD_TYPE;
	for (kind = 0; kind < WK__COUNT; kind++) {
		if ((wire_kinds[kind].dir & dir) == 0 || !wire_key_is(t, wire_kinds[kind].name))
			continue;
		f->kind = (enum wire_kind)kind;
		return WE_OK;
	}
	return WE_UNKNOWN_KIND;
}

int
wire_decode(const void *buf, size_t len, int dir, struct wire_frame *f)
{
	size_t	off = 0;
	int	e;

	memset(f, 0, sizeof(*f));
	msgpack_unpacked_init(&f->up);
	if (len > WIRE_MAX_IN_CLIENT)
		return WE_TOO_LARGE;
	if (len == 0)
		return WE_MALFORMED;
	if (mp_scan(buf, len) != 0)
		return WE_MALFORMED;
	if ((f->buf = malloc(len)) == NULL) {
		log_warn("%s: malloc %zu", __func__, len);
		return WE_INTERNAL;
	}
	memcpy(f->buf, buf, len);
	if (msgpack_unpack_next(&f->up, f->buf, len, &off) != MSGPACK_UNPACK_SUCCESS ||
	    off != len)
		e = WE_MALFORMED;	/* nesting too deep, or out of memory */
	else if (f->up.data.type != MSGPACK_OBJECT_MAP)
		e = WE_MALFORMED;
	else if ((e = wire_frame_head(&f->up.data.via.map, dir, f)) == WE_OK) {
		wire_rec_init(&f->r, &wire_kinds[f->kind]);
		e = wire_rec_decode(&f->up.data.via.map, f->r.schema, 1, &f->r);
	}
	if (e != WE_OK) {
		uint64_t	rid = f->rid;

		wire_frame_free(f);
		f->rid = rid;
	}
	return e;
}

void
wire_frame_free(struct wire_frame *f)
{
	msgpack_unpacked_destroy(&f->up);
	free(f->buf);
	memset(f, 0, sizeof(*f));
}

int
wire_array_get(const struct wire_val *v, uint32_t i, const struct wire_schema *s,
    struct wire_rec *out)
{
	const msgpack_object	*o;

	wire_rec_init(out, s);
	if (!v->present || v->arr == NULL || i >= v->len)
		return WE_BAD_VALUE;
	o = &v->arr[i];
	if (o->type != MSGPACK_OBJECT_MAP)
		return WE_BAD_TYPE;
	return wire_rec_decode(&o->via.map, s, 0, out);
}

void
wire_rec_init(struct wire_rec *r, const struct wire_schema *s)
{
	memset(r, 0, sizeof(*r));
	r->schema = s;
}

void
wire_set_uint(struct wire_rec *r, enum wire_field f, uint64_t v)
{
	if ((unsigned)f >= WF__COUNT)
		return;
	memset(&r->f[f], 0, sizeof(r->f[f]));
	r->f[f].present = 1;
	r->f[f].u = v;
}

void
wire_set_bool(struct wire_rec *r, enum wire_field f, int v)
{
	wire_set_uint(r, f, v != 0);
}

/* Lengths past UINT32_MAX become UINT32_MAX, which every bound rejects at encoding. */
void
wire_set_bin(struct wire_rec *r, enum wire_field f, const void *p, size_t len)
{
	if ((unsigned)f >= WF__COUNT)
		return;
	memset(&r->f[f], 0, sizeof(r->f[f]));
	r->f[f].present = 1;
	r->f[f].p = p;
	r->f[f].len = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len;
}

/* A NULL s leaves the field absent. */
void
wire_set_str(struct wire_rec *r, enum wire_field f, const char *s)
{
	if (s == NULL) {
		if ((unsigned)f < WF__COUNT)
			memset(&r->f[f], 0, sizeof(r->f[f]));
		return;
	}
	wire_set_bin(r, f, s, strlen(s));
}

void
wire_set_array(struct wire_rec *r, enum wire_field f, const struct wire_rec *recs, uint32_t n)
{
	if ((unsigned)f >= WF__COUNT)
		return;
	memset(&r->f[f], 0, sizeof(r->f[f]));
	r->f[f].present = 1;
	r->f[f].recs = recs;
	r->f[f].len = n;
}

void
wire_str(const struct wire_rec *r, enum wire_field f, char *dst, size_t dstlen)
{
	const struct wire_fspec	*fs;
	size_t			 n;

	if (dstlen == 0)
		return;
	if ((unsigned)f >= WF__COUNT || !r->f[f].present || r->f[f].p == NULL) {
		dst[0] = '\0';
		return;
	}
	n = r->f[f].len;
	if (n > dstlen - 1) {
		n = dstlen - 1;
		/* Do not cut a string in the middle of a character. */
		fs = r->schema != NULL ? wire_fspec_find(r->schema, f) : NULL;
		if (fs != NULL && fs->type == WT_STR)
			while (n > 0 && (r->f[f].p[n] & 0xc0) == 0x80)
				n--;
	}
	memcpy(dst, r->f[f].p, n);
	dst[n] = '\0';
}

/*
 * Check record r against schema s as the receiver would: no field outside s, every
 * value within bounds, every required field present.
 */
static int
wire_rec_check(const struct wire_rec *r, const struct wire_schema *s)
{
	const struct wire_fspec	*fs;
	const struct wire_val	*v;
	int			 i, nset = 0, nknown = 0, e;
	uint32_t		 j;

	for (i = 0; i < WF__COUNT; i++)
		nset += r->f[i].present != 0;
	for (i = 0; i < s->nfields; i++)
		nknown += r->f[s->fields[i].field].present != 0;
	if (nset != nknown)
		return WE_UNKNOWN_FIELD;
	for (i = 0; i < s->nfields; i++) {
		fs = &s->fields[i];
		v = &r->f[fs->field];
		if (!v->present)
			continue;
		switch (fs->type) {
		case WT_UINT:
			if (v->u < fs->min || v->u > fs->max)
				return WE_BAD_VALUE;
			break;
		case WT_BOOL:
			if (v->u > 1)
				return WE_BAD_VALUE;
			break;
		case WT_STR:
		case WT_BIN:
			if (v->p == NULL && v->len != 0)
				return WE_BAD_TYPE;
			if (v->len < fs->min || v->len > fs->max)
				return WE_BAD_VALUE;
			if (fs->type == WT_STR && !mp_utf8_valid(v->p, v->len))
				return WE_BAD_VALUE;
			break;
		case WT_ARRAY:
			if (v->recs == NULL && v->len != 0)
				return WE_BAD_TYPE;	/* a decoded array: convert it first */
			if (v->len < fs->min || v->len > fs->max)
				return WE_BAD_VALUE;
			for (j = 0; j < v->len; j++)
				if ((e = wire_rec_check(&v->recs[j], fs->elem)) != WE_OK)
					return e;
			break;
		default:
			return WE_INTERNAL;
		}
	}
	for (i = 0; i < s->nfields; i++)
		if (s->fields[i].required && !r->f[s->fields[i].field].present)
			return WE_MISSING_FIELD;
	return WE_OK;
}

static int
wire_pack_key(msgpack_packer *pk, const char *key)
{
	size_t	len = strlen(key);

	if (msgpack_pack_str(pk, len) != 0 || msgpack_pack_str_body(pk, key, len) != 0)
		return -1;
	return 0;
}

static uint32_t
wire_rec_count(const struct wire_rec *r, const struct wire_schema *s)
{
	uint32_t	n = 0;
	int		i;

	for (i = 0; i < s->nfields; i++)
		n += r->f[s->fields[i].field].present != 0;
	return n;
}

/* Write the fields of r that s has, in schema order; r was checked. */
static int
wire_rec_pack(msgpack_packer *pk, const struct wire_rec *r, const struct wire_schema *s)
{
	const struct wire_fspec	*fs;
	const struct wire_val	*v;
	int			 i, rc;
	uint32_t		 j;

	for (i = 0; i < s->nfields; i++) {
		fs = &s->fields[i];
		v = &r->f[fs->field];
		if (!v->present)
			continue;
		if (wire_pack_key(pk, wire_field_names[fs->field]) != 0)
			return -1;
		switch (fs->type) {
		case WT_UINT:
			rc = msgpack_pack_uint64(pk, v->u);
			break;
		case WT_BOOL:
			rc = v->u ? msgpack_pack_true(pk) : msgpack_pack_false(pk);
			break;
		case WT_STR:
			rc = msgpack_pack_str(pk, v->len);
			if (rc == 0 && v->len > 0)
				rc = msgpack_pack_str_body(pk, v->p, v->len);
			break;
		case WT_BIN:
			rc = msgpack_pack_bin(pk, v->len);
			if (rc == 0 && v->len > 0)
				rc = msgpack_pack_bin_body(pk, v->p, v->len);
			break;
		case WT_ARRAY:
			rc = msgpack_pack_array(pk, v->len);
			for (j = 0; rc == 0 && j < v->len; j++)
				rc = wire_rec_pack_map(pk, &v->recs[j], fs->elem);
			break;
		default:
			rc = -1;
			break;
		}
		if (rc != 0)
			return -1;
	}
	return 0;
}

static int
wire_rec_pack_map(msgpack_packer *pk, const struct wire_rec *r, const struct wire_schema *s)
{
	if (msgpack_pack_map(pk, wire_rec_count(r, s)) != 0)
		return -1;
	return wire_rec_pack(pk, r, s);
}

/*
 * The fields of r are checked against the table's schema for k, not r->schema, so a
 * record built for another kind is refused field by field rather than trusted.
 */
int
wire_encode(enum wire_kind k, uint64_t rid, const struct wire_rec *r, msgpack_sbuffer *sb)
{
	const struct wire_schema	*s;
	struct wire_rec			 empty;
	msgpack_packer			 pk;
	size_t				 start = sb->size;
	int				 e;

	if ((unsigned)k >= WK__COUNT)
		return WE_UNKNOWN_KIND;
	s = &wire_kinds[k];
	if (r == NULL) {
		wire_rec_init(&empty, s);
		r = &empty;
	}
	if ((e = wire_rec_check(r, s)) != WE_OK)
		return e;
	msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
	if (msgpack_pack_map(&pk, 1 + (rid != 0) + wire_rec_count(r, s)) != 0 ||
	    wire_pack_key(&pk, "t") != 0 || wire_pack_key(&pk, s->name) != 0 ||
	    (rid != 0 && (wire_pack_key(&pk, "rid") != 0 ||
	    msgpack_pack_uint64(&pk, rid) != 0)) ||
	    wire_rec_pack(&pk, r, s) != 0) {
		log_warnx("%s: %s: out of memory", __func__, s->name);
		sb->size = start;	/* leave nothing half-written */
		return WE_INTERNAL;
	}
	return WE_OK;
}

/*
 * An unknown code becomes WE_INTERNAL, a NULL msg the code's text, and the message
 * is cut to its longest valid UTF-8 prefix of at most 256 bytes, so the frame always
 * passes the receiver's checks.
 */
void
wire_encode_error(uint64_t rid, int code, const char *msg, msgpack_sbuffer *sb)
{
	struct wire_rec	r;
	size_t		len;

	if (code < 1 || code > 65535)
		code = WE_INTERNAL;
	if (msg == NULL)
		msg = wire_err_text(code);
	len = strlen(msg);
	if (len > WIRE_ERROR_MSG_MAX)
		len = WIRE_ERROR_MSG_MAX;
	len = mp_utf8_prefix((const uint8_t *)msg, len);
	wire_rec_init(&r, &wire_kinds[WK_ERROR]);
	wire_set_uint(&r, WF_CODE, (uint64_t)code);
	wire_set_bin(&r, WF_MSG, msg, len);
	if (wire_encode(WK_ERROR, rid, &r, sb) != WE_OK)
		log_warnx("%s: cannot encode error %d", __func__, code);
}
