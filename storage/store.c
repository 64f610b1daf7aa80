/* store.c: see store.h. */
#include "storage/store.h"
#include "storage/store_codec.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <msgpack.h>
#include <sodium.h>

#include "proto/log.h"

/* The named databases; the order is the dbi array's index. */
enum store_db {
	DB_META,
	DB_USERS,
	DB_GROUPS,
	DB_MEMBERS,
	DB_UGROUPS,
	DB_MSGS,
	DB_MSGIDS,
	DB_KEYS,
	DB_INVITES,
	DB_BANS,
	DB_MODLOG,
	DB_MODIDS,
	DB_TOMBS,
	DB_FLAGS,
	DB_CASES,
	DB_REPORTS,
	DB_SEALS,
	DB_CASELOG,
	DB_DEADLINES,
	DB_OUTBOX,
	DB_WARNINGS,
	DB__COUNT
};

static const char *const store_db_names[DB__COUNT] = {
	"meta", "users", "groups", "members", "ugroups", "msgs", "msgids", "keys", "invites",
	"bans", "modlog", "modids", "tombs", "flags", "cases", "reports", "seals", "caselog",
	"deadlines", "outbox", "warnings"
};

#define STORE_KEY_MAX	88	/* gid(16) || to(32) || seq(8) || from(32), the longest key */

/* The encoding buffer, reused by every put; see store_buf_write(). */
struct store_buf {
	uint8_t		*data;
	size_t		 len;
	size_t		 cap;
};

struct store {
	MDB_env		*env;
	MDB_dbi		 dbi[DB__COUNT];
	int		 rdonly;
	char		 dir[PATH_MAX];	/* the data directory, for store_purge() */
	struct store_buf buf;		/* only touched under the single write txn */
};

/*
 * Record layouts: one table per record type, fields in struct order. The codec and
 * the key builder both follow these tables, so a layout is declared once.
 */
enum store_ftype {
	SF_BIN,		/* uint8_t[size], bin of exactly size bytes */
	SF_STR,		/* char[size], str shorter than size */
	SF_U8,
	SF_U32,
	SF_U64,
	SF_PTR,		/* const uint8_t *, bin of any length, length in the uint32_t at lenoff */
	SF_PTRN		/* const uint8_t *, bin of exactly size bytes */
};

struct store_field {
	uint8_t		 type;
	size_t		 off;
	size_t		 size;
	size_t		 lenoff;
};

#define FSZ(t, f)	sizeof(((struct t *)0)->f)
#define FBIN(t, f)	{ SF_BIN, offsetof(struct t, f), FSZ(t, f), 0 }
#define FSTR(t, f)	{ SF_STR, offsetof(struct t, f), FSZ(t, f), 0 }
#define FU8(t, f)	{ SF_U8, offsetof(struct t, f), 1, 0 }
#define FU32(t, f)	{ SF_U32, offsetof(struct t, f), 4, 0 }
#define FU64(t, f)	{ SF_U64, offsetof(struct t, f), 8, 0 }
#define FPTR(t, f, l)	{ SF_PTR, offsetof(struct t, f), 0, offsetof(struct t, l) }
#define FPTRN(t, f, n)	{ SF_PTRN, offsetof(struct t, f), n, 0 }

static const struct store_field store_node_fields[] = {
	FBIN(node_meta, sk), FSTR(node_meta, name), FSTR(node_meta, area),
	FU64(node_meta, created_ms), FBIN(node_meta, enroll_hash), FU8(node_meta, enroll_used)
};
static const struct store_field store_user_fields[] = {
	FBIN(user_rec, pk), FSTR(user_rec, name), FSTR(user_rec, role), FU64(user_rec, created_ms)
};
static const struct store_field store_group_fields[] = {
	FBIN(group_rec, gid), FSTR(group_rec, name), FSTR(group_rec, area), FU8(group_rec, approval),
	FBIN(group_rec, owner), FU32(group_rec, epoch), FU64(group_rec, last_seq),
	FU32(group_rec, count), FU32(group_rec, max_members), FU64(group_rec, created_ms),
	FU32(group_rec, slow_secs), FU8(group_rec, announce_only), FU8(group_rec, invite_mods),
	FU64(group_rec, pinned_seq), FBIN(group_rec, rotator), FBIN(group_rec, founder),
	FBIN(group_rec, salt)
};
static const struct store_field store_member_fields[] = {
	FBIN(member_rec, gid), FBIN(member_rec, user), FSTR(member_rec, role),
	FSTR(member_rec, state), FU64(member_rec, joined_ms), FU64(member_rec, joined_seq),
	FU64(member_rec, muted_until_ms), FU64(member_rec, last_sent_ms)
};
static const struct store_field store_msg_fields[] = {
	FBIN(msg_rec, gid), FU64(msg_rec, seq), FU64(msg_rec, ts_ms), FBIN(msg_rec, sender),
	FBIN(msg_rec, id), FPTR(msg_rec, hdr, hdrlen), FPTRN(msg_rec, nonce, 24),
	FPTR(msg_rec, ct, ctlen), FPTRN(msg_rec, sig, 64)
};
static const struct store_field store_key_fields[] = {
	FBIN(key_rec, gid), FU32(key_rec, epoch), FBIN(key_rec, to), FBIN(key_rec, from),
	FBIN(key_rec, box)
};
static const struct store_field store_invite_fields[] = {
	FBIN(invite_rec, token), FBIN(invite_rec, gid), FBIN(invite_rec, by),
	FU64(invite_rec, created_ms), FU64(invite_rec, expires_ms)
};

static const struct store_field store_ban_fields[] = {
	FBIN(ban_rec, gid), FBIN(ban_rec, user), FBIN(ban_rec, by), FSTR(ban_rec, reason),
	FU64(ban_rec, ts_ms)
};
static const struct store_field store_modlog_fields[] = {
	FBIN(modlog_rec, gid), FU64(modlog_rec, seq), FU64(modlog_rec, ts_ms),
	FPTR(modlog_rec, ev, evlen), FPTRN(modlog_rec, sig, 64), FBIN(modlog_rec, heir)
};
static const struct store_field store_tomb_fields[] = {
	FBIN(tomb_rec, gid), FU64(tomb_rec, seq), FU64(tomb_rec, ts_ms), FBIN(tomb_rec, by),
	FSTR(tomb_rec, reason)
};
static const struct store_field store_flag_fields[] = {
	FBIN(flag_rec, gid), FBIN(flag_rec, to), FU64(flag_rec, seq), FBIN(flag_rec, from),
	FU64(flag_rec, ts_ms), FPTR(flag_rec, note, notelen)
};

static const struct store_field store_case_fields[] = {
	FBIN(case_rec, id), FU8(case_rec, kind), FU8(case_rec, queue), FU8(case_rec, urgent),
	FSTR(case_rec, area), FSTR(case_rec, fraud_type), FBIN(case_rec, reporter),
	FU64(case_rec, created_ms), FU64(case_rec, deadline_ms), FSTR(case_rec, state),
	FBIN(case_rec, handler), FU64(case_rec, claimed_ms), FSTR(case_rec, dept),
	FSTR(case_rec, outcome), FU64(case_rec, logseq), FU64(case_rec, agree_seq),
	FBIN(case_rec, mediator_room)
};
static const struct store_field store_report_fields[] = {
	FBIN(report_rec, id), FPTR(report_rec, meta, metalen), FPTRN(report_rec, sig, 64),
	FPTR(report_rec, body, bodylen)
};
static const struct store_field store_caselog_fields[] = {
	FBIN(caselog_rec, id), FU64(caselog_rec, seq), FU64(caselog_rec, ts_ms),
	FPTR(caselog_rec, entry, entrylen), FPTRN(caselog_rec, sig, 64),
	FPTR(caselog_rec, body, bodylen)
};
static const struct store_field store_outbox_fields[] = {
	FU64(outbox_rec, seq), FSTR(outbox_rec, dest), FBIN(outbox_rec, id),
	FU64(outbox_rec, ts_ms), FPTR(outbox_rec, payload, payloadlen)
};

static const struct store_field store_warn_fields[] = {
	FBIN(warn_rec, wid), FU64(warn_rec, ts_ms), FU64(warn_rec, expires_ms),
	FSTR(warn_rec, state), FPTR(warn_rec, env, envlen)
};

struct store_rtype {
	const struct store_field *fields;
	uint8_t		 nfields;
	uint8_t		 db;
	size_t		 size;
	uint8_t		 keyf[4];	/* fields whose concatenation is the key */
	uint8_t		 nkeyf;		/* 0: the key is the fixed string fixkey */
	const char	*fixkey;
};

#define NF(a)	(uint8_t)(sizeof(a) / sizeof((a)[0]))

static const struct store_rtype store_rtypes[STORE_REC__COUNT] = {
	[STORE_REC_NODE] = { store_node_fields, NF(store_node_fields), DB_META,
	    sizeof(struct node_meta), { 0 }, 0, "node" },
	[STORE_REC_USER] = { store_user_fields, NF(store_user_fields), DB_USERS,
	    sizeof(struct user_rec), { 0 }, 1, NULL },
	[STORE_REC_GROUP] = { store_group_fields, NF(store_group_fields), DB_GROUPS,
	    sizeof(struct group_rec), { 0 }, 1, NULL },
	[STORE_REC_MEMBER] = { store_member_fields, NF(store_member_fields), DB_MEMBERS,
	    sizeof(struct member_rec), { 0, 1 }, 2, NULL },
	[STORE_REC_MSG] = { store_msg_fields, NF(store_msg_fields), DB_MSGS,
	    sizeof(struct msg_rec), { 0, 1 }, 2, NULL },
	[STORE_REC_KEY] = { store_key_fields, NF(store_key_fields), DB_KEYS,
	    sizeof(struct key_rec), { 0, 1, 2 }, 3, NULL },
	[STORE_REC_INVITE] = { store_invite_fields, NF(store_invite_fields), DB_INVITES,
	    sizeof(struct invite_rec), { 0 }, 1, NULL },
	[STORE_REC_BAN] = { store_ban_fields, NF(store_ban_fields), DB_BANS,
	    sizeof(struct ban_rec), { 0, 1 }, 2, NULL },
	[STORE_REC_MODLOG] = { store_modlog_fields, NF(store_modlog_fields), DB_MODLOG,
	    sizeof(struct modlog_rec), { 0, 1 }, 2, NULL },
	[STORE_REC_TOMB] = { store_tomb_fields, NF(store_tomb_fields), DB_TOMBS,
	    sizeof(struct tomb_rec), { 0, 1 }, 2, NULL },
	[STORE_REC_FLAG] = { store_flag_fields, NF(store_flag_fields), DB_FLAGS,
	    sizeof(struct flag_rec), { 0, 1, 2, 3 }, 4, NULL },
	[STORE_REC_CASE] = { store_case_fields, NF(store_case_fields), DB_CASES,
	    sizeof(struct case_rec), { 0 }, 1, NULL },
	[STORE_REC_REPORT] = { store_report_fields, NF(store_report_fields), DB_REPORTS,
	    sizeof(struct report_rec), { 0 }, 1, NULL },
	[STORE_REC_CASELOG] = { store_caselog_fields, NF(store_caselog_fields), DB_CASELOG,
	    sizeof(struct caselog_rec), { 0, 1 }, 2, NULL },
	[STORE_REC_OUTBOX] = { store_outbox_fields, NF(store_outbox_fields), DB_OUTBOX,
	    sizeof(struct outbox_rec), { 0 }, 1, NULL },
	[STORE_REC_WARN] = { store_warn_fields, NF(store_warn_fields), DB_WARNINGS,
	    sizeof(struct warn_rec), { 0 }, 1, NULL },
};

static void
store_be32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static void
store_be64(uint8_t *p, uint64_t v)
{
	store_be32(p, v >> 32);
	store_be32(p + 4, (uint32_t)v);
}

static uint64_t
store_load_be(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	while (n-- > 0)
		v = v << 8 | *p++;
	return v;
}

/*
 * The decoder reads the flat record shape directly instead of through
 * msgpack_unpack(): msgpack-c's C unpacker allocates an array's element storage from
 * the count in its header before reading any element (a 5-byte array32 header in a
 * damaged value asks for 64 GiB) and has no limit option. Our values only hold uint,
 * str and bin inside one array, so the reader below accepts exactly that, allocates
 * nothing, and leaves str/bin in place in the map. The fuzz target checks it against
 * msgpack_unpack() on every input it accepts.
 */
struct store_rd {
	const uint8_t	*p;
	const uint8_t	*end;
};

static int
store_rd_take(struct store_rd *rd, size_t n, const uint8_t **out)
{
	if ((size_t)(rd->end - rd->p) < n)
		return -1;
	*out = rd->p;
	rd->p += n;
	return 0;
}

/* Read a header byte and the big-endian length or value of width n that follows it. */
static int
store_rd_num(struct store_rd *rd, size_t n, uint64_t *v)
{
	const uint8_t *b;

	if (store_rd_take(rd, n, &b) == -1)
		return -1;
	*v = store_load_be(b, n);
	return 0;
}

static int
store_rd_array(struct store_rd *rd, uint64_t *n)
{
	const uint8_t *b;

	if (store_rd_take(rd, 1, &b) == -1)
		return -1;
	if (*b >= 0x90 && *b <= 0x9f) {
		*n = *b & 0x0f;
		return 0;
	}
	if (*b == 0xdc)
		return store_rd_num(rd, 2, n);
	if (*b == 0xdd)
		return store_rd_num(rd, 4, n);
	return -1;
}

static int
store_rd_uint(struct store_rd *rd, uint64_t *v)
{
	const uint8_t *b;

	if (store_rd_take(rd, 1, &b) == -1)
		return -1;
	if (*b <= 0x7f) {
		*v = *b;
		return 0;
	}
	if (*b >= 0xcc && *b <= 0xcf)
		return store_rd_num(rd, (size_t)1 << (*b - 0xcc), v);
	return -1;
}

/* A str (bin == 0) or bin (bin == 1): its bytes stay in the input. */
static int
store_rd_raw(struct store_rd *rd, int bin, const uint8_t **data, uint64_t *len)
{
	const uint8_t *b;
	int rc;

	if (store_rd_take(rd, 1, &b) == -1)
		return -1;
	if (!bin && *b >= 0xa0 && *b <= 0xbf) {
		*len = *b & 0x1f;
		rc = 0;
	} else if (!bin && *b >= 0xd9 && *b <= 0xdb)
		rc = store_rd_num(rd, (size_t)1 << (*b - 0xd9), len);
	else if (bin && *b >= 0xc4 && *b <= 0xc6)
		rc = store_rd_num(rd, (size_t)1 << (*b - 0xc4), len);
	else
		return -1;
	if (rc == -1 || *len > SIZE_MAX)
		return -1;
	return store_rd_take(rd, (size_t)*len, data);
}

static int
store_rd_field(struct store_rd *rd, const struct store_field *f, uint8_t *rec)
{
	const uint8_t *data;
	uint64_t v;

	switch (f->type) {
	case SF_BIN:
		if (store_rd_raw(rd, 1, &data, &v) == -1 || v != f->size)
			return -1;
		memcpy(rec + f->off, data, f->size);
		return 0;
	case SF_STR:
		if (store_rd_raw(rd, 0, &data, &v) == -1 || v >= f->size ||
		    memchr(data, '\0', (size_t)v) != NULL)
			return -1;
		memcpy(rec + f->off, data, (size_t)v);
		rec[f->off + v] = '\0';
		return 0;
	case SF_U8:
	case SF_U32:
	case SF_U64:
		if (store_rd_uint(rd, &v) == -1)
			return -1;
		if (f->type == SF_U8) {
			if (v > UINT8_MAX)
				return -1;
			rec[f->off] = (uint8_t)v;
		} else if (f->type == SF_U32) {
			uint32_t v32 = (uint32_t)v;

			if (v > UINT32_MAX)
				return -1;
			memcpy(rec + f->off, &v32, sizeof v32);
		} else
			memcpy(rec + f->off, &v, sizeof v);
		return 0;
	case SF_PTR:
	case SF_PTRN:
		if (store_rd_raw(rd, 1, &data, &v) == -1)
			return -1;
		if (f->type == SF_PTRN && v != f->size)
			return -1;
		if (f->type == SF_PTR) {
			uint32_t len32 = (uint32_t)v;

			if (v > UINT32_MAX)
				return -1;
			memcpy(rec + f->lenoff, &len32, sizeof len32);
		}
		memcpy(rec + f->off, &data, sizeof data);
		return 0;
	}
	return -1;
}

size_t
store_record_size(int which)
{
	if (which < 0 || which >= STORE_REC__COUNT)
		return 0;
	return store_rtypes[which].size;
}

int
store_record_decode(int which, const void *val, size_t len, void *out)
{
	const struct store_rtype *rt;
	struct store_rd rd;
	uint64_t n;
	uint8_t i;

	if (which < 0 || which >= STORE_REC__COUNT)
		return -1;
	rt = &store_rtypes[which];
	memset(out, 0, rt->size);
	rd.p = val;
	rd.end = rd.p + len;
	if (store_rd_array(&rd, &n) == -1 || n != rt->nfields)
		return -1;
	for (i = 0; i < rt->nfields; i++)
		if (store_rd_field(&rd, &rt->fields[i], out) == -1)
			return -1;
	return rd.p == rd.end ? 0 : -1;
}

int
store_record_pack(int which, const void *rec, msgpack_packer *pk)
{
	const struct store_rtype *rt;
	const struct store_field *f;
	const uint8_t *r = rec, *ptr;
	uint64_t v;
	uint32_t v32;
	size_t len;
	uint8_t i;
	int rc;

	if (which < 0 || which >= STORE_REC__COUNT)
		return -1;
	rt = &store_rtypes[which];
	if (msgpack_pack_array(pk, rt->nfields) != 0)
		return -1;
	for (i = 0; i < rt->nfields; i++) {
		f = &rt->fields[i];
		switch (f->type) {
		case SF_BIN:
			rc = msgpack_pack_bin_with_body(pk, r + f->off, f->size);
			break;
		case SF_STR:
			len = strnlen((const char *)r + f->off, f->size);
			if (len == f->size)
				return -1;
			rc = msgpack_pack_str_with_body(pk, r + f->off, len);
			break;
		case SF_U8:
			rc = msgpack_pack_uint64(pk, r[f->off]);
			break;
		case SF_U32:
			memcpy(&v32, r + f->off, sizeof v32);
			rc = msgpack_pack_uint64(pk, v32);
			break;
		case SF_U64:
			memcpy(&v, r + f->off, sizeof v);
			rc = msgpack_pack_uint64(pk, v);
			break;
		case SF_PTR:
		case SF_PTRN:
			memcpy(&ptr, r + f->off, sizeof ptr);
			len = f->size;
			if (f->type == SF_PTR) {
				memcpy(&v32, r + f->lenoff, sizeof v32);
				len = v32;
			}
			if (ptr == NULL && len > 0)
				return -1;
			rc = msgpack_pack_bin(pk, len);
			/* An empty bin may come with a NULL pointer; memcpy(NULL, 0) is undefined. */
			if (rc == 0 && len > 0)
				rc = msgpack_pack_bin_body(pk, ptr, len);
			break;
		default:
			return -1;
		}
		if (rc != 0)
			return -1;
	}
	return 0;
}

/*
 * msgpack_packer write callback. Not msgpack_sbuffer: its realloc() would leave the
 * node's secret key behind in freed memory, so growing copies, wipes and frees.
 */
static int
store_buf_write(void *data, const char *buf, size_t len)
{
	struct store_buf *b = data;
	uint8_t *n;
	size_t cap;

	if (b->cap - b->len < len) {
		if (len > SIZE_MAX / 2 - b->len)
			return -1;
		cap = b->cap ? b->cap : 256;
		while (cap - b->len < len)
			cap *= 2;
		if ((n = malloc(cap)) == NULL)
			return -1;
		if (b->data != NULL) {
			memcpy(n, b->data, b->len);
			sodium_memzero(b->data, b->cap);
			free(b->data);
		}
		b->data = n;
		b->cap = cap;
	}
	memcpy(b->data + b->len, buf, len);
	b->len += len;
	return 0;
}

static void
store_buf_free(struct store_buf *b)
{
	if (b->data != NULL) {
		sodium_memzero(b->data, b->cap);
		free(b->data);
	}
	memset(b, 0, sizeof *b);
}

/* The key of a record: its key fields concatenated, numbers big-endian. */
static size_t
store_key_of(int which, const void *rec, uint8_t key[STORE_KEY_MAX])
{
	const struct store_rtype *rt = &store_rtypes[which];
	const struct store_field *f;
	const uint8_t *r = rec;
	uint64_t v;
	uint32_t v32;
	size_t len = 0;
	uint8_t i;

	if (rt->nkeyf == 0) {
		len = strlen(rt->fixkey);
		memcpy(key, rt->fixkey, len);
		return len;
	}
	for (i = 0; i < rt->nkeyf; i++) {
		f = &rt->fields[rt->keyf[i]];
		switch (f->type) {
		case SF_BIN:
			memcpy(key + len, r + f->off, f->size);
			len += f->size;
			break;
		case SF_U32:
			memcpy(&v32, r + f->off, sizeof v32);
			store_be32(key + len, v32);
			len += 4;
			break;
		case SF_U64:
			memcpy(&v, r + f->off, sizeof v);
			store_be64(key + len, v);
			len += 8;
			break;
		default:
			fatalx("store: record %d has a key field of type %d", which, f->type);
		}
	}
	return len;
}

/* Decode a value found under key; a record whose own key fields disagree is damaged too. */
static int
store_rec_decode(int which, const MDB_val *key, const MDB_val *val, void *out)
{
	uint8_t k[STORE_KEY_MAX];

	if (store_record_decode(which, val->mv_data, val->mv_size, out) == -1 ||
	    store_key_of(which, out, k) != key->mv_size ||
	    memcmp(k, key->mv_data, key->mv_size) != 0) {
		log_warnx("store: damaged %s record", store_db_names[store_rtypes[which].db]);
		return -1;
	}
	return 0;
}

static int
store_get_raw(struct store *st, MDB_txn *txn, int db, MDB_val *key, MDB_val *val)
{
	int rc;

	if ((rc = mdb_get(txn, st->dbi[db], key, val)) == MDB_NOTFOUND)
		return STORE_NOTFOUND;
	if (rc != 0) {
		log_warnx("store: get %s: %s", store_db_names[db], mdb_strerror(rc));
		return -1;
	}
	return 0;
}

static int
store_put_raw(struct store *st, MDB_txn *txn, int db, MDB_val *key, MDB_val *val)
{
	int rc;

	if ((rc = mdb_put(txn, st->dbi[db], key, val, 0)) != 0) {
		log_warnx("store: put %s: %s", store_db_names[db], mdb_strerror(rc));
		return -1;
	}
	return 0;
}

static int
store_del_raw(struct store *st, MDB_txn *txn, int db, MDB_val *key)
{
	int rc;

	if ((rc = mdb_del(txn, st->dbi[db], key, NULL)) == MDB_NOTFOUND)
		return STORE_NOTFOUND;
	if (rc != 0) {
		log_warnx("store: del %s: %s", store_db_names[db], mdb_strerror(rc));
		return -1;
	}
	return 0;
}

/*
 * Look up the record whose key fields are set in rec and decode it over rec. The
 * getters build rec in a local so that a key argument may point into the output
 * (store_user_get(st, txn, u.pk, &u)).
 */
static int
store_rec_get(struct store *st, MDB_txn *txn, int which, void *rec)
{
	uint8_t k[STORE_KEY_MAX];
	MDB_val key, val;
	int rc;

	key.mv_size = store_key_of(which, rec, k);
	key.mv_data = k;
	if ((rc = store_get_raw(st, txn, store_rtypes[which].db, &key, &val)) != 0)
		return rc;
	return store_rec_decode(which, &key, &val, rec);
}

static int
store_rec_put(struct store *st, MDB_txn *txn, int which, const void *rec)
{
	uint8_t k[STORE_KEY_MAX];
	msgpack_packer pk;
	MDB_val key, val;
	int rc;

	st->buf.len = 0;
	msgpack_packer_init(&pk, &st->buf, store_buf_write);
	if (store_record_pack(which, rec, &pk) == -1) {
		log_warnx("store: cannot encode %s record",
		    store_db_names[store_rtypes[which].db]);
		rc = -1;
	} else {
		key.mv_size = store_key_of(which, rec, k);
		key.mv_data = k;
		val.mv_size = st->buf.len;
		val.mv_data = st->buf.data;
		rc = store_put_raw(st, txn, store_rtypes[which].db, &key, &val);
	}
	if (which == STORE_REC_NODE && st->buf.data != NULL)
		sodium_memzero(st->buf.data, st->buf.len);
	return rc;
}

/*
 * Walk the keys of db that start with prefix, from start (a key at or after the
 * prefix), calling fn with each; fn's non-zero return stops the walk and is returned.
 */
static int
store_walk(struct store *st, MDB_txn *txn, int db, const uint8_t *prefix, size_t plen,
    const uint8_t *start, size_t slen, int (*fn)(MDB_val *, MDB_val *, void *), void *arg)
{
	MDB_cursor *cur;
	MDB_val key, val;
	int rc, ret = 0;

	if ((rc = mdb_cursor_open(txn, st->dbi[db], &cur)) != 0) {
		log_warnx("store: cursor %s: %s", store_db_names[db], mdb_strerror(rc));
		return -1;
	}
	key.mv_data = (void *)start;
	key.mv_size = slen;
	/* No start key: the whole database (LMDB refuses an empty key to MDB_SET_RANGE). */
	for (rc = mdb_cursor_get(cur, &key, &val, slen == 0 ? MDB_FIRST : MDB_SET_RANGE); rc == 0;
	    rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT)) {
		if (plen > 0 && (key.mv_size < plen || memcmp(key.mv_data, prefix, plen) != 0))
			break;
		if ((ret = fn(&key, &val, arg)) != 0)
			break;
	}
	if (rc != 0 && rc != MDB_NOTFOUND) {
		log_warnx("store: cursor %s: %s", store_db_names[db], mdb_strerror(rc));
		ret = -1;
	}
	mdb_cursor_close(cur);
	return ret;
}

static int
store_open_fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
store_open_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static int
store_lmdb_damaged(int rc)
{
	return rc == MDB_INVALID || rc == MDB_VERSION_MISMATCH || rc == MDB_CORRUPTED ||
	    rc == MDB_PAGE_NOTFOUND || rc == MDB_NOTFOUND || rc == MDB_INCOMPATIBLE;
}

/* Turn an LMDB failure during open into the operator's sentence. */
static int
store_open_lmdb_fail(char *err, size_t errlen, const char *dir, const char *what, int rc)
{
	if (store_lmdb_damaged(rc))
		return store_open_fail(err, errlen, "the store in %s is damaged or not a Yishi "
		    "store (lmdb: %s)", dir, mdb_strerror(rc));
	return store_open_fail(err, errlen, "cannot %s the store in %s: %s", what, dir,
	    mdb_strerror(rc));
}

/*
 * Check what is on disk before LMDB sees it, so the operator hears "run init" rather
 * than an LMDB code, and so that opening never creates a store by accident.
 */
static int
store_open_check(const char *dir, const char *path, int flags, int *made_dir, char *err,
    size_t errlen)
{
	struct stat sb;
	int fd;

	if (stat(dir, &sb) == -1) {
		if (errno != ENOENT)
			return store_open_fail(err, errlen, "cannot open data directory %s: %s",
			    dir, strerror(errno));
		if (!(flags & STORE_CREATE))
			return store_open_fail(err, errlen, "data directory %s does not exist: "
			    "run 'yishi-node init --data %s' first", dir, dir);
		if (mkdir(dir, 0700) == -1)
			return store_open_fail(err, errlen, "cannot create data directory %s: %s",
			    dir, strerror(errno));
		*made_dir = 1;
	} else if (!S_ISDIR(sb.st_mode))
		return store_open_fail(err, errlen, "data directory %s is not a directory", dir);

	if (flags & STORE_CREATE) {
		/* O_EXCL makes the "already exists" check and the creation one step. */
		if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) == -1) {
			if (errno == EEXIST)
				return store_open_fail(err, errlen, "a store already exists in %s; "
				    "refusing to overwrite it", dir);
			return store_open_fail(err, errlen, "cannot create the store in %s: %s",
			    dir, strerror(errno));
		}
		close(fd);
		return 0;
	}
	if (stat(path, &sb) == -1) {
		if (errno == ENOENT)
			return store_open_fail(err, errlen, "no store in %s: run 'yishi-node "
			    "init --data %s' first", dir, dir);
		return store_open_fail(err, errlen, "cannot open the store in %s: %s", dir,
		    strerror(errno));
	}
	/* LMDB would quietly format an empty file; an empty file is an init that died. */
	if (sb.st_size == 0)
		return store_open_fail(err, errlen, "the store in %s is damaged or not a "
		    "Yishi store (data.mdb is empty)", dir);
	return 0;
}

/*
 * LMDB maps data.mdb and follows its meta page without checking the file's length:
 * a file cut short (a copy that stopped half-way, a full disk during a restore)
 * faults with SIGBUS at the first page past its end. mdb_env_open() reads only the
 * two meta pages, with pread(), and refuses a file too short to hold them; so check
 * here, before any transaction reads a page, that every page the meta names is there.
 */
static int
store_open_length(struct store *st, const char *dir, char *err, size_t errlen)
{
	MDB_envinfo info;
	MDB_stat ms;
	struct stat sb;
	mdb_filehandle_t fd;
	uint64_t need;
	int rc;

	if ((rc = mdb_env_get_fd(st->env, &fd)) != 0 || (rc = mdb_env_info(st->env, &info)) != 0 ||
	    (rc = mdb_env_stat(st->env, &ms)) != 0)
		return store_open_lmdb_fail(err, errlen, dir, "open", rc);
	if (fstat(fd, &sb) == -1)
		return store_open_fail(err, errlen, "cannot open the store in %s: %s", dir,
		    strerror(errno));
	need = ((uint64_t)info.me_last_pgno + 1) * ms.ms_psize;
	if ((uint64_t)sb.st_size < need)
		return store_open_fail(err, errlen, "the store in %s is damaged or not a Yishi "
		    "store (data.mdb is cut short: %lld bytes of %llu)", dir,
		    (long long)sb.st_size, (unsigned long long)need);
	return 0;
}

/* Open every named database and check or write the schema version, in one txn. */
static int
store_open_dbs(struct store *st, const char *dir, int create, char *err, size_t errlen)
{
	MDB_txn *txn;
	MDB_val key, val;
	struct store_rd rd;
	uint64_t version;
	int i, rc;

	rc = mdb_txn_begin(st->env, NULL, st->rdonly ? MDB_RDONLY : 0, &txn);
	if (rc != 0)
		return store_open_lmdb_fail(err, errlen, dir, "read", rc);
	for (i = 0; i < DB__COUNT; i++) {
		rc = mdb_dbi_open(txn, store_db_names[i], create ? MDB_CREATE : 0, &st->dbi[i]);
		if (rc != 0)
			goto fail;
	}
	key.mv_data = (void *)"schema";
	key.mv_size = strlen("schema");
	if (create) {
		msgpack_packer pk;

		st->buf.len = 0;
		msgpack_packer_init(&pk, &st->buf, store_buf_write);
		if (msgpack_pack_uint64(&pk, STORE_SCHEMA_VERSION) != 0) {
			rc = ENOMEM;
			goto fail;
		}
		val.mv_data = st->buf.data;
		val.mv_size = st->buf.len;
		if ((rc = mdb_put(txn, st->dbi[DB_META], &key, &val, 0)) != 0)
			goto fail;
	} else {
		if ((rc = mdb_get(txn, st->dbi[DB_META], &key, &val)) != 0)
			goto fail;
		rd.p = val.mv_data;
		rd.end = rd.p + val.mv_size;
		if (store_rd_uint(&rd, &version) == -1 || rd.p != rd.end) {
			mdb_txn_abort(txn);
			return store_open_fail(err, errlen, "the store in %s is damaged or not a "
			    "Yishi store (unreadable schema version)", dir);
		}
		if (version != STORE_SCHEMA_VERSION) {
			mdb_txn_abort(txn);
			return store_open_fail(err, errlen, "the store in %s has schema version "
			    "%llu; this yishi-node reads version %d", dir,
			    (unsigned long long)version, STORE_SCHEMA_VERSION);
		}
	}
	/* Commit, not abort: dbi handles opened in an aborted txn are discarded. */
	if ((rc = mdb_txn_commit(txn)) != 0)
		return store_open_lmdb_fail(err, errlen, dir, create ? "write" : "read", rc);
	return 0;
fail:
	mdb_txn_abort(txn);
	return store_open_lmdb_fail(err, errlen, dir, create ? "write" : "read", rc);
}

/* Open the LMDB environment in st->dir and its databases; on failure st->env is NULL. */
static int
store_env_open(struct store *st, int create, char *err, size_t errlen)
{
	const char *dir = st->dir;
	int rc, dead;

	if ((rc = mdb_env_create(&st->env)) != 0) {
		st->env = NULL;
		return store_open_lmdb_fail(err, errlen, dir, "open", rc);
	}
	if ((rc = mdb_env_set_maxdbs(st->env, DB__COUNT)) != 0 ||
	    (rc = mdb_env_set_mapsize(st->env, STORE_MAP_SIZE)) != 0 ||
	    (rc = mdb_env_open(st->env, dir, MDB_NOTLS | (st->rdonly ? MDB_RDONLY : 0),
	    0600)) != 0) {
		store_open_lmdb_fail(err, errlen, dir, "open", rc);
		goto fail;
	}
	if (store_open_length(st, dir, err, errlen) == -1)
		goto fail;
	/* Reader slots of processes that died would otherwise pin old pages forever. */
	if ((rc = mdb_reader_check(st->env, &dead)) != 0)
		log_warnx("store: reader check: %s", mdb_strerror(rc));
	else if (dead > 0)
		log_info("store: cleared %d stale reader slots", dead);
	if (store_open_dbs(st, dir, create, err, errlen) == -1)
		goto fail;
	return 0;
fail:
	mdb_env_close(st->env);
	st->env = NULL;
	return -1;
}

int
store_open(struct store **stp, const char *dir, int flags, char *err, size_t errlen)
{
	struct store *st;
	char path[PATH_MAX], lock[PATH_MAX];
	int made_dir = 0, made_file = 0;

	*stp = NULL;
	if ((flags & STORE_CREATE) && (flags & STORE_RDONLY))
		return store_open_fail(err, errlen, "cannot create a store read-only");
	if ((size_t)snprintf(path, sizeof path, "%s/data.mdb", dir) >= sizeof path ||
	    (size_t)snprintf(lock, sizeof lock, "%s/lock.mdb", dir) >= sizeof lock)
		return store_open_fail(err, errlen, "data directory name too long: %s", dir);
	if (store_open_check(dir, path, flags, &made_dir, err, errlen) == -1) {
		if (made_dir)
			rmdir(dir);
		return -1;
	}
	made_file = (flags & STORE_CREATE) != 0;

	if ((st = calloc(1, sizeof *st)) == NULL) {
		store_open_fail(err, errlen, "cannot open the store in %s: %s", dir,
		    strerror(errno));
		goto fail;
	}
	st->rdonly = (flags & STORE_RDONLY) != 0;
	snprintf(st->dir, sizeof st->dir, "%s", dir);
	if (store_env_open(st, (flags & STORE_CREATE) != 0, err, errlen) == -1)
		goto fail;
	*stp = st;
	return 0;

fail:
	if (st != NULL) {
		store_buf_free(&st->buf);
		free(st);
	}
	/* A failed init leaves nothing behind, so the next init does not find a half store. */
	if (made_file) {
		unlink(path);
		unlink(lock);
	}
	if (made_dir)
		rmdir(dir);
	return -1;
}

void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	if (st->env != NULL)
		mdb_env_close(st->env);
	store_buf_free(&st->buf);
	free(st);
}

int
store_begin(struct store *st, int write, MDB_txn **txn)
{
	int rc;

	*txn = NULL;
	if (write && st->rdonly) {
		log_warnx("store: write transaction on a read-only store");
		return -1;
	}
	if ((rc = mdb_txn_begin(st->env, NULL, write ? 0 : MDB_RDONLY, txn)) != 0) {
		log_warnx("store: begin: %s", mdb_strerror(rc));
		*txn = NULL;
		return -1;
	}
	return 0;
}

int
store_commit(MDB_txn *txn)
{
	int rc;

	if ((rc = mdb_txn_commit(txn)) != 0) {
		log_warnx("store: commit: %s", mdb_strerror(rc));
		return -1;
	}
	return 0;
}

void
store_abort(MDB_txn *txn)
{
	if (txn != NULL)
		mdb_txn_abort(txn);
}

int
store_meta_get(struct store *st, MDB_txn *txn, struct node_meta *m)
{
	return store_rec_get(st, txn, STORE_REC_NODE, m);
}

int
store_meta_put(struct store *st, MDB_txn *txn, const struct node_meta *m)
{
	return store_rec_put(st, txn, STORE_REC_NODE, m);
}

int
store_user_get(struct store *st, MDB_txn *txn, const uint8_t pk[32], struct user_rec *u)
{
	struct user_rec tmp;
	int rc;

	memset(&tmp, 0, sizeof tmp);
	memcpy(tmp.pk, pk, sizeof tmp.pk);
	rc = store_rec_get(st, txn, STORE_REC_USER, &tmp);
	*u = tmp;
	return rc;
}

int
store_user_put(struct store *st, MDB_txn *txn, const struct user_rec *u)
{
	return store_rec_put(st, txn, STORE_REC_USER, u);
}

int
store_group_get(struct store *st, MDB_txn *txn, const uint8_t gid[16], struct group_rec *g)
{
	struct group_rec tmp;
	int rc;

	memset(&tmp, 0, sizeof tmp);
	memcpy(tmp.gid, gid, sizeof tmp.gid);
	rc = store_rec_get(st, txn, STORE_REC_GROUP, &tmp);
	*g = tmp;
	return rc;
}

int
store_group_put(struct store *st, MDB_txn *txn, const struct group_rec *g)
{
	return store_rec_put(st, txn, STORE_REC_GROUP, g);
}

int
store_member_get(struct store *st, MDB_txn *txn, const uint8_t gid[16], const uint8_t user[32],
    struct member_rec *m)
{
	struct member_rec tmp;
	int rc;

	memset(&tmp, 0, sizeof tmp);
	memcpy(tmp.gid, gid, sizeof tmp.gid);
	memcpy(tmp.user, user, sizeof tmp.user);
	rc = store_rec_get(st, txn, STORE_REC_MEMBER, &tmp);
	*m = tmp;
	return rc;
}

static void
store_ugroups_key(uint8_t k[48], const uint8_t gid[16], const uint8_t user[32])
{
	memcpy(k, user, 32);
	memcpy(k + 32, gid, 16);
}

int
store_member_put(struct store *st, MDB_txn *txn, const struct member_rec *m)
{
	uint8_t k[48];
	MDB_val key, val;

	if (store_rec_put(st, txn, STORE_REC_MEMBER, m) == -1)
		return -1;
	store_ugroups_key(k, m->gid, m->user);
	key.mv_data = k;
	key.mv_size = sizeof k;
	val.mv_data = NULL;
	val.mv_size = 0;
	return store_put_raw(st, txn, DB_UGROUPS, &key, &val);
}

int
store_member_del(struct store *st, MDB_txn *txn, const uint8_t gid[16], const uint8_t user[32])
{
	uint8_t k[48];
	MDB_val key;
	int rc, rc2;

	memcpy(k, gid, 16);
	memcpy(k + 16, user, 32);
	key.mv_data = k;
	key.mv_size = sizeof k;
	if ((rc = store_del_raw(st, txn, DB_MEMBERS, &key)) == -1)
		return -1;
	/* Removed even if the member record was already gone, so the index heals. */
	store_ugroups_key(k, gid, user);
	if ((rc2 = store_del_raw(st, txn, DB_UGROUPS, &key)) == -1)
		return -1;
	return rc == 0 || rc2 == 0 ? 0 : STORE_NOTFOUND;
}

/* One member or message iteration: the record is decoded into rec, then handed to cb. */
struct store_iter {
	int		 which;
	union {
		struct member_rec member;
		struct msg_rec	 msg;
		struct modlog_rec modlog;
		struct tomb_rec	 tomb;
		struct flag_rec	 flag;
		struct case_rec	 kase;
		struct user_rec	 user;
		struct warn_rec	 warn;
		struct caselog_rec caselog;
		struct outbox_rec outbox;
	}		 rec;
	int		(*member_cb)(const struct member_rec *, void *);
	int		(*msg_cb)(const struct msg_rec *, void *);
	int		(*modlog_cb)(const struct modlog_rec *, void *);
	int		(*tomb_cb)(const struct tomb_rec *, void *);
	int		(*flag_cb)(const struct flag_rec *, void *);
	int		(*case_cb)(const struct case_rec *, void *);
	int		(*user_cb)(const struct user_rec *, void *);
	int		(*warn_cb)(const struct warn_rec *, void *);
	int		(*caselog_cb)(const struct caselog_rec *, void *);
	int		(*outbox_cb)(const struct outbox_rec *, void *);
	void		*arg;
};

static int
store_iter_rec(MDB_val *key, MDB_val *val, void *arg)
{
	struct store_iter *it = arg;

	if (store_rec_decode(it->which, key, val, &it->rec) == -1)
		return -1;
	switch (it->which) {
	case STORE_REC_MEMBER:
		return it->member_cb(&it->rec.member, it->arg);
	case STORE_REC_MODLOG:
		return it->modlog_cb(&it->rec.modlog, it->arg);
	case STORE_REC_TOMB:
		return it->tomb_cb(&it->rec.tomb, it->arg);
	case STORE_REC_FLAG:
		return it->flag_cb(&it->rec.flag, it->arg);
	case STORE_REC_CASE:
		return it->case_cb(&it->rec.kase, it->arg);
	case STORE_REC_USER:
		return it->user_cb(&it->rec.user, it->arg);
	case STORE_REC_WARN:
		return it->warn_cb(&it->rec.warn, it->arg);
	case STORE_REC_CASELOG:
		return it->caselog_cb(&it->rec.caselog, it->arg);
	case STORE_REC_OUTBOX:
		return it->outbox_cb(&it->rec.outbox, it->arg);
	default:
		return it->msg_cb(&it->rec.msg, it->arg);
	}
}

int
store_member_iter(struct store *st, MDB_txn *txn, const uint8_t gid[16],
    int (*cb)(const struct member_rec *, void *), void *arg)
{
	struct store_iter it;

	memset(&it, 0, sizeof it);
	it.which = STORE_REC_MEMBER;
	it.member_cb = cb;
	it.arg = arg;
	return store_walk(st, txn, DB_MEMBERS, gid, 16, gid, 16, store_iter_rec, &it);
}

struct store_ugroups_iter {
	int		(*cb)(const uint8_t gid[16], void *);
	void		*arg;
};

static int
store_ugroups_rec(MDB_val *key, MDB_val *val, void *arg)
{
	struct store_ugroups_iter *it = arg;

	(void)val;
	if (key->mv_size != 48) {
		log_warnx("store: damaged ugroups record");
		return -1;
	}
	return it->cb((const uint8_t *)key->mv_data + 32, it->arg);
}

int
store_user_groups_iter(struct store *st, MDB_txn *txn, const uint8_t user[32],
    int (*cb)(const uint8_t gid[16], void *), void *arg)
{
	struct store_ugroups_iter it = { cb, arg };

	return store_walk(st, txn, DB_UGROUPS, user, 32, user, 32, store_ugroups_rec, &it);
}

int
store_msg_put(struct store *st, MDB_txn *txn, const struct msg_rec *m)
{
	uint8_t k[32], seq[8];
	MDB_val key, val;

	if (store_rec_put(st, txn, STORE_REC_MSG, m) == -1)
		return -1;
	memcpy(k, m->gid, 16);
	memcpy(k + 16, m->id, 16);
	store_be64(seq, m->seq);
	key.mv_data = k;
	key.mv_size = sizeof k;
	val.mv_data = seq;
	val.mv_size = sizeof seq;
	return store_put_raw(st, txn, DB_MSGIDS, &key, &val);
}

int
store_msg_get(struct store *st, MDB_txn *txn, const uint8_t gid[16], uint64_t seq,
    struct msg_rec *m)
{
	struct msg_rec tmp;
	int rc;

	memset(&tmp, 0, sizeof tmp);
	memcpy(tmp.gid, gid, sizeof tmp.gid);
	tmp.seq = seq;
	rc = store_rec_get(st, txn, STORE_REC_MSG, &tmp);
	*m = tmp;
	return rc;
}

int
store_msg_by_id(struct store *st, MDB_txn *txn, const uint8_t gid[16], const uint8_t id[16],
    uint64_t *seq)
{
	uint8_t k[32];
	MDB_val key, val;
	int rc;

	memcpy(k, gid, 16);
	memcpy(k + 16, id, 16);
	key.mv_data = k;
	key.mv_size = sizeof k;
	if ((rc = store_get_raw(st, txn, DB_MSGIDS, &key, &val)) != 0)
		return rc;
	if (val.mv_size != 8) {
		log_warnx("store: damaged msgids record");
		return -1;
	}
	*seq = store_load_be(val.mv_data, 8);
	return 0;
}

int
store_msg_iter(struct store *st, MDB_txn *txn, const uint8_t gid[16], uint64_t since,
    int (*cb)(const struct msg_rec *, void *), void *arg)
{
	struct store_iter it;
	uint8_t start[24];

	if (since == UINT64_MAX)
		return 0;
	memset(&it, 0, sizeof it);
	it.which = STORE_REC_MSG;
	it.msg_cb = cb;
	it.arg = arg;
	memcpy(start, gid, 16);
	store_be64(start + 16, since + 1);
	return store_walk(st, txn, DB_MSGS, gid, 16, start, sizeof start, store_iter_rec, &it);
}

int
store_key_get(struct store *st, MDB_txn *txn, const uint8_t gid[16], uint32_t epoch,
    const uint8_t to[32], struct key_rec *k)
{
	struct key_rec tmp;
	int rc;

	memset(&tmp, 0, sizeof tmp);
	memcpy(tmp.gid, gid, sizeof tmp.gid);
	tmp.epoch = epoch;
	memcpy(tmp.to, to, sizeof tmp.to);
	rc = store_rec_get(st, txn, STORE_REC_KEY, &tmp);
	*k = tmp;
	return rc;
}

int
store_key_put(struct store *st, MDB_txn *txn, const struct key_rec *k)
{
	return store_rec_put(st, txn, STORE_REC_KEY, k);
}

/*
 * Keys are gid || epoch || to, so one recipient's records are one per epoch, spread
 * among everyone else's: seek to (epoch, to) in each epoch instead of reading them all.
 */
int
store_key_iter(struct store *st, MDB_txn *txn, const uint8_t gid[16], const uint8_t to[32],
    int (*cb)(const struct key_rec *, void *), void *arg)
{
	struct key_rec k;
	MDB_cursor *cur;
	MDB_val key, val;
	uint8_t seek[52];
	const uint8_t *kp;
	uint32_t epoch;
	int rc, cmp, ret = 0;

	if ((rc = mdb_cursor_open(txn, st->dbi[DB_KEYS], &cur)) != 0) {
		log_warnx("store: cursor keys: %s", mdb_strerror(rc));
		return -1;
	}
	memcpy(seek, gid, 16);
	store_be32(seek + 16, 0);
	memcpy(seek + 20, to, 32);
	key.mv_data = seek;
	key.mv_size = sizeof seek;
	rc = mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE);
	while (rc == 0) {
		kp = key.mv_data;
		if (key.mv_size < 16 || memcmp(kp, gid, 16) != 0)
			break;
		if (key.mv_size != sizeof seek) {
			log_warnx("store: damaged keys record");
			ret = -1;
			break;
		}
		epoch = (uint32_t)store_load_be(kp + 16, 4);
		if ((cmp = memcmp(kp + 20, to, 32)) == 0) {
			if ((ret = store_rec_decode(STORE_REC_KEY, &key, &val, &k)) != 0 ||
			    (ret = cb(&k, arg)) != 0)
				break;
			rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT);
			continue;
		}
		if (cmp > 0) {
			if (epoch == UINT32_MAX)
				break;
			epoch++;
		}
		store_be32(seek + 16, epoch);
		key.mv_data = seek;
		key.mv_size = sizeof seek;
		rc = mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE);
	}
	if (rc != 0 && rc != MDB_NOTFOUND) {
		log_warnx("store: cursor keys: %s", mdb_strerror(rc));
		ret = -1;
	}
	mdb_cursor_close(cur);
	return ret;
}

int
store_invite_get(struct store *st, MDB_txn *txn, const uint8_t token[16], struct invite_rec *i)
{
	struct invite_rec tmp;
	int rc;

	memset(&tmp, 0, sizeof tmp);
	memcpy(tmp.token, token, sizeof tmp.token);
	rc = store_rec_get(st, txn, STORE_REC_INVITE, &tmp);
	*i = tmp;
	return rc;
}

int
store_invite_put(struct store *st, MDB_txn *txn, const struct invite_rec *i)
{
	return store_rec_put(st, txn, STORE_REC_INVITE, i);
}

int
store_count(struct store *st, MDB_txn *txn, const char *dbname, uint64_t *n)
{
	MDB_stat ms;
	int i, rc;

	for (i = 0; i < DB__COUNT; i++)
		if (strcmp(store_db_names[i], dbname) == 0)
			break;
	if (i == DB__COUNT) {
		log_warnx("store: count: no database %s", dbname);
		return -1;
	}
	if ((rc = mdb_stat(txn, st->dbi[i], &ms)) != 0) {
		log_warnx("store: count %s: %s", dbname, mdb_strerror(rc));
		return -1;
	}
	*n = ms.ms_entries;
	return 0;
}

int
store_ban_get(struct store *st, MDB_txn *txn, const uint8_t gid[16], const uint8_t user[32],
    struct ban_rec *b)
{
	struct ban_rec tmp;
	int rc;

	memset(&tmp, 0, sizeof tmp);
	memcpy(tmp.gid, gid, 16);
	memcpy(tmp.user, user, 32);
	if ((rc = store_rec_get(st, txn, STORE_REC_BAN, &tmp)) == 0)
		*b = tmp;
	return rc;
}

int
store_ban_put(struct store *st, MDB_txn *txn, const struct ban_rec *b)
{
	return store_rec_put(st, txn, STORE_REC_BAN, b);
}

int
store_ban_del(struct store *st, MDB_txn *txn, const uint8_t gid[16], const uint8_t user[32])
{
	uint8_t k[48];
	MDB_val key;

	memcpy(k, gid, 16);
	memcpy(k + 16, user, 32);
	key.mv_data = k;
	key.mv_size = sizeof k;
	return store_del_raw(st, txn, DB_BANS, &key);
}

int
store_modlog_put(struct store *st, MDB_txn *txn, const struct modlog_rec *m)
{
	return store_rec_put(st, txn, STORE_REC_MODLOG, m);
}

static int
store_modlog_last_cb(MDB_val *key, MDB_val *val, void *arg)
{
	(void)val;
	if (key->mv_size == 24)
		*(uint64_t *)arg = store_load_be((const uint8_t *)key->mv_data + 16, 8);
	return 0;
}

/* The log is short next to the messages; walking it to its end is cheap enough. */
int
store_modlog_last(struct store *st, MDB_txn *txn, const uint8_t gid[16], uint64_t *seq)
{
	*seq = 0;
	return store_walk(st, txn, DB_MODLOG, gid, 16, gid, 16, store_modlog_last_cb, seq) < 0 ?
	    -1 : 0;
}

int
store_modlog_iter(struct store *st, MDB_txn *txn, const uint8_t gid[16], uint64_t since,
    int (*cb)(const struct modlog_rec *, void *), void *arg)
{
	struct store_iter it;
	uint8_t start[24];

	if (since == UINT64_MAX)
		return 0;
	memset(&it, 0, sizeof it);
	it.which = STORE_REC_MODLOG;
	it.modlog_cb = cb;
	it.arg = arg;
	memcpy(start, gid, 16);
	store_be64(start + 16, since + 1);
	return store_walk(st, txn, DB_MODLOG, gid, 16, start, sizeof start, store_iter_rec, &it);
}

int
store_modid_get(struct store *st, MDB_txn *txn, const uint8_t gid[16], const uint8_t id[16],
    uint64_t *seq)
{
	uint8_t k[32];
	MDB_val key, val;
	int rc;

	memcpy(k, gid, 16);
	memcpy(k + 16, id, 16);
	key.mv_data = k;
	key.mv_size = sizeof k;
	if ((rc = store_get_raw(st, txn, DB_MODIDS, &key, &val)) != 0)
		return rc;
	if (val.mv_size != 8) {
		log_warnx("store: damaged modids record");
		return -1;
	}
	*seq = store_load_be(val.mv_data, 8);
	return 0;
}

int
store_modid_put(struct store *st, MDB_txn *txn, const uint8_t gid[16], const uint8_t id[16],
    uint64_t seq)
{
	uint8_t k[32], v[8];
	MDB_val key, val;

	memcpy(k, gid, 16);
	memcpy(k + 16, id, 16);
	store_be64(v, seq);
	key.mv_data = k;
	key.mv_size = sizeof k;
	val.mv_data = v;
	val.mv_size = sizeof v;
	return store_put_raw(st, txn, DB_MODIDS, &key, &val);
}

int
store_tomb_get(struct store *st, MDB_txn *txn, const uint8_t gid[16], uint64_t seq,
    struct tomb_rec *t)
{
	struct tomb_rec tmp;
	int rc;

	memset(&tmp, 0, sizeof tmp);
	memcpy(tmp.gid, gid, 16);
	tmp.seq = seq;
	if ((rc = store_rec_get(st, txn, STORE_REC_TOMB, &tmp)) == 0)
		*t = tmp;
	return rc;
}

int
store_tomb_put(struct store *st, MDB_txn *txn, const struct tomb_rec *t)
{
	return store_rec_put(st, txn, STORE_REC_TOMB, t);
}

int
store_tomb_iter(struct store *st, MDB_txn *txn, const uint8_t gid[16], uint64_t since,
    int (*cb)(const struct tomb_rec *, void *), void *arg)
{
	struct store_iter it;
	uint8_t start[24];

	if (since == UINT64_MAX)
		return 0;
	memset(&it, 0, sizeof it);
	it.which = STORE_REC_TOMB;
	it.tomb_cb = cb;
	it.arg = arg;
	memcpy(start, gid, 16);
	store_be64(start + 16, since + 1);
	return store_walk(st, txn, DB_TOMBS, gid, 16, start, sizeof start, store_iter_rec, &it);
}

/*
 * The meta record "purge" counts the messages deleted since data.mdb was last written
 * afresh by store_purge(); absent means none.
 */
#define STORE_PURGE_KEY		"purge"

static int
store_purge_get(struct store *st, MDB_txn *txn, uint64_t *n)
{
	MDB_val key, val;
	struct store_rd rd;
	int rc;

	*n = 0;
	key.mv_data = (void *)STORE_PURGE_KEY;
	key.mv_size = strlen(STORE_PURGE_KEY);
	if ((rc = store_get_raw(st, txn, DB_META, &key, &val)) != 0)
		return rc == STORE_NOTFOUND ? 0 : -1;
	rd.p = val.mv_data;
	rd.end = rd.p + val.mv_size;
	if (store_rd_uint(&rd, n) == -1 || rd.p != rd.end) {
		log_warnx("store: damaged meta record %s", STORE_PURGE_KEY);
		return -1;
	}
	return 0;
}

static int
store_purge_put(struct store *st, MDB_txn *txn, uint64_t n)
{
	msgpack_packer pk;
	MDB_val key, val;

	st->buf.len = 0;
	msgpack_packer_init(&pk, &st->buf, store_buf_write);
	if (msgpack_pack_uint64(&pk, n) != 0) {
		log_warnx("store: cannot encode meta record %s", STORE_PURGE_KEY);
		return -1;
	}
	key.mv_data = (void *)STORE_PURGE_KEY;
	key.mv_size = strlen(STORE_PURGE_KEY);
	val.mv_data = st->buf.data;
	val.mv_size = st->buf.len;
	return store_put_raw(st, txn, DB_META, &key, &val);
}

int
store_msg_del(struct store *st, MDB_txn *txn, const uint8_t gid[16], uint64_t seq)
{
	uint8_t k[24];
	MDB_val key;
	uint64_t n;
	int rc;

	memcpy(k, gid, 16);
	store_be64(k + 16, seq);
	key.mv_data = k;
	key.mv_size = sizeof k;
	if ((rc = store_del_raw(st, txn, DB_MSGS, &key)) != 0)
		return rc;
	/* In the same transaction: a deletion that is committed is also counted. */
	if (store_purge_get(st, txn, &n) == -1 || store_purge_put(st, txn, n + 1) == -1)
		return -1;
	return 0;
}

int
store_purge_pending(struct store *st, uint64_t *n)
{
	MDB_txn *txn;
	int rc;

	*n = 0;
	if (store_begin(st, 0, &txn) == -1)
		return -1;
	rc = store_purge_get(st, txn, n);
	store_abort(txn);
	return rc;
}

/* Records per write transaction while copying: bounds the dirty pages held in memory. */
#define STORE_PURGE_BATCH	10000

/*
 * Write every live record of st into a new LMDB file at path, leaving out the purge
 * count. The records are put one by one into a file that never held anything else,
 * so no page of it, free or in use, can carry a byte of a deleted record. (A
 * compacting mdb_env_copy2() would not do: it copies overflow pages whole, slack
 * included, and the slack of a page LMDB wrote from a reused buffer holds stale bytes.)
 */
static int
store_purge_copy(struct store *st, const char *path, char *err, size_t errlen)
{
	MDB_env *env;
	MDB_txn *rtxn = NULL, *wtxn = NULL;
	MDB_cursor *cur;
	MDB_dbi dbi;
	MDB_val key, val;
	size_t n = 0;
	int i, rc;

	if ((rc = mdb_env_create(&env)) != 0)
		return store_open_fail(err, errlen, "cannot rewrite the store in %s: %s", st->dir,
		    mdb_strerror(rc));
	/* No lock file: nothing else knows of this file yet. Synced once, at the end. */
	if ((rc = mdb_env_set_maxdbs(env, DB__COUNT)) != 0 ||
	    (rc = mdb_env_set_mapsize(env, STORE_MAP_SIZE)) != 0 ||
	    (rc = mdb_env_open(env, path, MDB_NOSUBDIR | MDB_NOLOCK | MDB_NOSYNC, 0600)) != 0 ||
	    (rc = mdb_txn_begin(st->env, NULL, MDB_RDONLY, &rtxn)) != 0 ||
	    (rc = mdb_txn_begin(env, NULL, 0, &wtxn)) != 0)
		goto fail;
	for (i = 0; i < DB__COUNT; i++) {
		if ((rc = mdb_dbi_open(wtxn, store_db_names[i], MDB_CREATE, &dbi)) != 0 ||
		    (rc = mdb_cursor_open(rtxn, st->dbi[i], &cur)) != 0)
			goto fail;
		for (rc = mdb_cursor_get(cur, &key, &val, MDB_FIRST); rc == 0;
		    rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT)) {
			if (i == DB_META && key.mv_size == strlen(STORE_PURGE_KEY) &&
			    memcmp(key.mv_data, STORE_PURGE_KEY, key.mv_size) == 0)
				continue;
			if ((rc = mdb_put(wtxn, dbi, &key, &val, MDB_APPEND)) != 0)
				break;
			if (++n % STORE_PURGE_BATCH == 0 &&
			    ((rc = mdb_txn_commit(wtxn)) != 0 ||
			    (rc = mdb_txn_begin(env, NULL, 0, &wtxn)) != 0)) {
				wtxn = NULL;
				break;
			}
		}
		mdb_cursor_close(cur);
		if (rc != MDB_NOTFOUND)
			goto fail;
	}
	mdb_txn_abort(rtxn);
	rc = mdb_txn_commit(wtxn);
	wtxn = NULL;
	if (rc != 0 || (rc = mdb_env_sync(env, 1)) != 0)
		goto fail;
	mdb_env_close(env);
	return 0;
fail:
	if (wtxn != NULL)
		mdb_txn_abort(wtxn);
	if (rtxn != NULL)
		mdb_txn_abort(rtxn);
	mdb_env_close(env);
	return store_open_fail(err, errlen, "cannot rewrite the store in %s: %s", st->dir,
	    mdb_strerror(rc));
}

int
store_purge(struct store *st, uint64_t *purged, char *err, size_t errlen)
{
	char tmp[PATH_MAX], path[PATH_MAX], lock[PATH_MAX];
	uint64_t n;
	int fd;

	*purged = 0;
	if (st->rdonly)
		return store_open_fail(err, errlen, "cannot rewrite a store opened read-only");
	if (store_purge_pending(st, &n) == -1)
		return store_open_fail(err, errlen, "cannot read the store in %s", st->dir);
	if (n == 0)
		return 0;
	if ((size_t)snprintf(tmp, sizeof tmp, "%s/purge.mdb", st->dir) >= sizeof tmp ||
	    (size_t)snprintf(path, sizeof path, "%s/data.mdb", st->dir) >= sizeof path ||
	    (size_t)snprintf(lock, sizeof lock, "%s/lock.mdb", st->dir) >= sizeof lock)
		return store_open_fail(err, errlen, "data directory name too long: %s", st->dir);
	/* What a purge that was interrupted left behind; data.mdb still counts. */
	if (unlink(tmp) == -1 && errno != ENOENT)
		return store_open_fail(err, errlen, "cannot remove %s: %s", tmp, strerror(errno));
	if (store_purge_copy(st, tmp, err, errlen) == -1) {
		unlink(tmp);
		return -1;
	}

	/*
	 * Swap. A crash before the rename leaves the old file, still counting, and the
	 * next purge starts over; after it, the new file. The old lock file describes the
	 * old file's transactions: the new file gets a fresh one. A read-only process that
	 * has the store open keeps reading the old file until it closes it.
	 */
	mdb_env_close(st->env);
	st->env = NULL;
	if (rename(tmp, path) == -1) {
		store_open_fail(err, errlen, "cannot rewrite the store in %s: rename: %s",
		    st->dir, strerror(errno));
		unlink(tmp);
		return store_env_open(st, 0, err, errlen) == -1 ? -2 : -1;
	}
	if (unlink(lock) == -1 && errno != ENOENT)
		log_warn("store: cannot remove %s", lock);
	if ((fd = open(st->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		if (fsync(fd) == -1)
			log_warn("store: fsync %s", st->dir);
		close(fd);
	}
	if (store_env_open(st, 0, err, errlen) == -1)
		return -2;
	*purged = n;
	return 0;
}

int
store_flag_put(struct store *st, MDB_txn *txn, const struct flag_rec *f)
{
	return store_rec_put(st, txn, STORE_REC_FLAG, f);
}

int
store_flag_iter(struct store *st, MDB_txn *txn, const uint8_t gid[16], const uint8_t to[32],
    int (*cb)(const struct flag_rec *, void *), void *arg)
{
	struct store_iter it;
	uint8_t prefix[48];

	memset(&it, 0, sizeof it);
	it.which = STORE_REC_FLAG;
	it.flag_cb = cb;
	it.arg = arg;
	memcpy(prefix, gid, 16);
	memcpy(prefix + 16, to, 32);
	return store_walk(st, txn, DB_FLAGS, prefix, sizeof prefix, prefix, sizeof prefix,
	    store_iter_rec, &it);
}

int
store_case_get(struct store *st, MDB_txn *txn, const uint8_t id[16], struct case_rec *c)
{
	struct case_rec tmp;
	int rc;

	memset(&tmp, 0, sizeof tmp);
	memcpy(tmp.id, id, 16);
	if ((rc = store_rec_get(st, txn, STORE_REC_CASE, &tmp)) == 0)
		*c = tmp;
	return rc;
}

int
store_case_put(struct store *st, MDB_txn *txn, const struct case_rec *c)
{
	return store_rec_put(st, txn, STORE_REC_CASE, c);
}

int
store_case_iter(struct store *st, MDB_txn *txn, int (*cb)(const struct case_rec *, void *),
    void *arg)
{
	struct store_iter it;

	memset(&it, 0, sizeof it);
	it.which = STORE_REC_CASE;
	it.case_cb = cb;
	it.arg = arg;
	return store_walk(st, txn, DB_CASES, NULL, 0, NULL, 0, store_iter_rec, &it);
}

int
store_report_get(struct store *st, MDB_txn *txn, const uint8_t id[16], struct report_rec *r)
{
	struct report_rec tmp;
	int rc;

	memset(&tmp, 0, sizeof tmp);
	memcpy(tmp.id, id, 16);
	if ((rc = store_rec_get(st, txn, STORE_REC_REPORT, &tmp)) == 0)
		*r = tmp;
	return rc;
}

int
store_report_put(struct store *st, MDB_txn *txn, const struct report_rec *r)
{
	return store_rec_put(st, txn, STORE_REC_REPORT, r);
}

static void
store_seal_key(uint8_t k[56], const uint8_t id[16], uint64_t seq, const uint8_t to[32])
{
	memcpy(k, id, 16);
	store_be64(k + 16, seq);
	memcpy(k + 24, to, 32);
}

int
store_seal_put(struct store *st, MDB_txn *txn, const uint8_t id[16], uint64_t seq,
    const uint8_t to[32], const uint8_t seal[80])
{
	uint8_t k[56];
	MDB_val key, val;

	store_seal_key(k, id, seq, to);
	key.mv_data = k;
	key.mv_size = sizeof k;
	val.mv_data = (void *)seal;
	val.mv_size = 80;
	return store_put_raw(st, txn, DB_SEALS, &key, &val);
}

int
store_seal_get(struct store *st, MDB_txn *txn, const uint8_t id[16], uint64_t seq,
    const uint8_t to[32], uint8_t seal[80])
{
	uint8_t k[56];
	MDB_val key, val;
	int rc;

	store_seal_key(k, id, seq, to);
	key.mv_data = k;
	key.mv_size = sizeof k;
	if ((rc = store_get_raw(st, txn, DB_SEALS, &key, &val)) != 0)
		return rc;
	if (val.mv_size != 80) {
		log_warnx("store: damaged seals record");
		return -1;
	}
	memcpy(seal, val.mv_data, 80);
	return 0;
}

int
store_caselog_put(struct store *st, MDB_txn *txn, const struct caselog_rec *l)
{
	return store_rec_put(st, txn, STORE_REC_CASELOG, l);
}

int
store_caselog_iter(struct store *st, MDB_txn *txn, const uint8_t id[16],
    int (*cb)(const struct caselog_rec *, void *), void *arg)
{
	struct store_iter it;

	memset(&it, 0, sizeof it);
	it.which = STORE_REC_CASELOG;
	it.caselog_cb = cb;
	it.arg = arg;
	return store_walk(st, txn, DB_CASELOG, id, 16, id, 16, store_iter_rec, &it);
}

int
store_deadline_put(struct store *st, MDB_txn *txn, uint64_t ms, const uint8_t id[16])
{
	uint8_t k[24];
	MDB_val key, val;

	store_be64(k, ms);
	memcpy(k + 8, id, 16);
	key.mv_data = k;
	key.mv_size = sizeof k;
	val.mv_data = k;
	val.mv_size = 0;
	return store_put_raw(st, txn, DB_DEADLINES, &key, &val);
}

int
store_deadline_del(struct store *st, MDB_txn *txn, uint64_t ms, const uint8_t id[16])
{
	uint8_t k[24];
	MDB_val key;

	store_be64(k, ms);
	memcpy(k + 8, id, 16);
	key.mv_data = k;
	key.mv_size = sizeof k;
	return store_del_raw(st, txn, DB_DEADLINES, &key);
}

struct store_first {
	uint64_t	*ms;
	uint8_t		*id;
	int		 found;
};

static int
store_deadline_first_cb(MDB_val *key, MDB_val *val, void *arg)
{
	struct store_first *f = arg;

	(void)val;
	if (key->mv_size != 24)
		return -1;
	*f->ms = store_load_be(key->mv_data, 8);
	memcpy(f->id, (const uint8_t *)key->mv_data + 8, 16);
	f->found = 1;
	return 1;
}

int
store_deadline_first(struct store *st, MDB_txn *txn, uint64_t *ms, uint8_t id[16])
{
	struct store_first f = { ms, id, 0 };

	if (store_walk(st, txn, DB_DEADLINES, NULL, 0, NULL, 0, store_deadline_first_cb, &f) < 0)
		return -1;
	return f.found ? 0 : STORE_NOTFOUND;
}

static int
store_outbox_last_cb(const struct outbox_rec *o, void *arg)
{
	*(uint64_t *)arg = o->seq;
	return 0;
}

int
store_outbox_add(struct store *st, MDB_txn *txn, struct outbox_rec *o)
{
	uint64_t last = 0;

	if (store_outbox_iter(st, txn, store_outbox_last_cb, &last) < 0)
		return -1;
	o->seq = last + 1;
	return store_rec_put(st, txn, STORE_REC_OUTBOX, o);
}

int
store_outbox_iter(struct store *st, MDB_txn *txn, int (*cb)(const struct outbox_rec *, void *),
    void *arg)
{
	struct store_iter it;

	memset(&it, 0, sizeof it);
	it.which = STORE_REC_OUTBOX;
	it.outbox_cb = cb;
	it.arg = arg;
	return store_walk(st, txn, DB_OUTBOX, NULL, 0, NULL, 0, store_iter_rec, &it);
}

int
store_user_iter(struct store *st, MDB_txn *txn, int (*cb)(const struct user_rec *, void *),
    void *arg)
{
	struct store_iter it;

	memset(&it, 0, sizeof it);
	it.which = STORE_REC_USER;
	it.user_cb = cb;
	it.arg = arg;
	return store_walk(st, txn, DB_USERS, NULL, 0, NULL, 0, store_iter_rec, &it);
}

int
store_warn_get(struct store *st, MDB_txn *txn, const uint8_t wid[16], struct warn_rec *w)
{
	struct warn_rec tmp;
	int rc;

	memset(&tmp, 0, sizeof tmp);
	memcpy(tmp.wid, wid, 16);
	if ((rc = store_rec_get(st, txn, STORE_REC_WARN, &tmp)) == 0)
		*w = tmp;
	return rc;
}

int
store_warn_put(struct store *st, MDB_txn *txn, const struct warn_rec *w)
{
	return store_rec_put(st, txn, STORE_REC_WARN, w);
}

int
store_warn_iter(struct store *st, MDB_txn *txn, int (*cb)(const struct warn_rec *, void *),
    void *arg)
{
	struct store_iter it;

	memset(&it, 0, sizeof it);
	it.which = STORE_REC_WARN;
	it.warn_cb = cb;
	it.arg = arg;
	return store_walk(st, txn, DB_WARNINGS, NULL, 0, NULL, 0, store_iter_rec, &it);
}
