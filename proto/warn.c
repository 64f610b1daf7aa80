/*
 * warn.c: federation certificates and signed warnings. See warn.h; the byte layouts
 * are in docs/warnings.md.
 *
 * Decoders read with a sticky-error reader: the top-level and nested array headers
 * are parsed here (fixarray or array16 only, counts bounded before anything is
 * stored) and every element is a scalar read by mp_next_scalar(), so msgpack-c never
 * allocates from a count an attacker chose. What decodes is then re-encoded and
 * compared byte for byte, which is where every shape rule (warn_valid) is enforced.
 */
#include "proto/warn.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <msgpack.h>
#include <sodium.h>

#include "proto/mp.h"

#define ISSUER_CONTEXT	"yishi/issuer/1"
#define NODE_CONTEXT	"yishi/nodecert/1"
#define WARN_CONTEXT	"yishi/warn/1"
#define CONTEXT_LEN(s)	(sizeof(s) - 1)
#define ISSUER_FIELDS	6
#define NODE_FIELDS	8
#define CERT_FIELDS	2
#define WARN_FIELDS	29
#define TEXT_FIELDS	9
#define ENV_FIELDS	3
#define DEG_E7(d)	((int64_t)(d) * 10000000)
#define RADIUS_MAX	((uint64_t)20000 * 10000000)
#define TIME_MAX	253402300800000ULL	/* 10000-01-01: CAP years have 4 digits */

const char *const warn_status_names[WSTAT__COUNT] = {
	"Actual", "Exercise", "System", "Test", "Draft",
};
const char *const warn_msgtype_names[WMSG__COUNT] = { "Alert", "Update", "Cancel" };
const char *const warn_urgency_names[WURG__COUNT] = {
	"Immediate", "Expected", "Future", "Past", "Unknown",
};
const char *const warn_severity_names[WSEV__COUNT] = {
	"Extreme", "Severe", "Moderate", "Minor", "Unknown",
};
const char *const warn_certainty_names[WCTN__COUNT] = {
	"Observed", "Likely", "Possible", "Unlikely", "Unknown",
};
const char *const warn_category_names[WCAT__COUNT] = {
	"Geo", "Met", "Safety", "Security", "Rescue", "Fire", "Health", "Env", "Transport",
	"Infra", "CBRNE", "Other",
};
const char *const warn_response_names[WRESP__COUNT] = {
	"Shelter", "Evacuate", "Prepare", "Execute", "Avoid", "Monitor", "Assess", "AllClear",
	"None",
};

static const char *const warn_results[WARN__RESULTS] = {
	[WARN_OK] = "valid",
	[WARN_EENCODING] = "malformed or non-canonical encoding",
	[WARN_EUNCERTIFIED] = "certificate not signed by the federation root",
	[WARN_EKIND] = "wrong kind of certificate",
	[WARN_ECERT_EXPIRED] = "certificate expired",
	[WARN_ECERT_NOT_YET] = "certificate not yet valid",
	[WARN_ESIGNATURE] = "bad signature",
	[WARN_EAREA] = "area outside the issuer's areas",
	[WARN_EEXPIRED] = "warning expired",
};

static const uint8_t warn_zero[YISHI_PK_BYTES];

const char *
warn_result_str(int r)
{
	if (r < 0 || r >= WARN__RESULTS)
		return "unknown result";
	return warn_results[r];
}

int
warn_name_parse(const char *const *names, int count, const char *s)
{
	int i;

	for (i = 0; i < count; i++)
		if (strcasecmp(names[i], s) == 0)
			return i;
	return -1;
}

/* Character rules. */

/* CAP identifiers and senders: visible ASCII without comma, < or &. */
static int
warn_token_ok(const char *s, size_t min, size_t max)
{
	size_t n = strnlen(s, max + 1), i;

	if (n < min || n > max)
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] <= 0x20 || s[i] >= 0x7f || s[i] == ',' || s[i] == '<' || s[i] == '&')
			return 0;
	return 1;
}

/*
 * UTF-8 text with no control characters but those allowed (tab, LF, CR for text),
 * and without U+FFFE and U+FFFF, which XML cannot carry.
 */
static int
warn_utf8_ok(const char *s, size_t min, size_t max, const char *allowed)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t n = strnlen(s, max + 1), i;

	if (n < min || n > max || !mp_utf8_valid(p, n))
		return 0;
	for (i = 0; i < n; i++) {
		if ((p[i] < 0x20 || p[i] == 0x7f) && strchr(allowed, p[i]) == NULL)
			return 0;
		if (p[i] == 0xef && i + 2 < n && p[i + 1] == 0xbf && (p[i + 2] & 0xfe) == 0xbe)
			return 0;
	}
	return 1;
}

#define warn_line_ok(s, min, max)	warn_utf8_ok(s, min, max, "")
#define warn_text_ok(s, max)		warn_utf8_ok(s, 0, max, "\t\n\r")

/* Audience tags: a line without spaces. */
static int
warn_tag_ok(const char *s)
{
	return warn_line_ok(s, 1, WARN_TAG_MAX) && strchr(s, ' ') == NULL;
}

static int
warn_fraud_ok(const char *s)
{
	size_t n = strnlen(s, WARN_FRAUD_MAX + 1), i;

	if (n > WARN_FRAUD_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return 0;
	return 1;
}

/* "" or an xs:language tag: [a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*. */
static int
warn_lang_ok(const char *s)
{
	size_t	n = strnlen(s, WARN_LANG_MAX + 1), i, run = 0;
	int	first = 1;

	if (n > WARN_LANG_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] == '-') {
			if (run == 0)
				return 0;
			first = 0;
			run = 0;
		} else if ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		    (!first && s[i] >= '0' && s[i] <= '9')) {
			if (++run > 8)
				return 0;
		} else
			return 0;
	}
	return n == 0 || run > 0;
}

int
warn_area_valid(const char *code)
{
	size_t n = strnlen(code, WARN_AREA_LEN + 1), i;

	if (n < WARN_AREA_MIN || n > WARN_AREA_LEN)
		return 0;
	for (i = 0; i < n; i++)
		if (code[i] < '0' || code[i] > '9')
			return 0;
	return 1;
}

int
warn_area_covers(const char (*areas)[WARN_AREA_LEN + 1], int n, const char *code)
{
	int i;

	if (!warn_area_valid(code))
		return 0;
	for (i = 0; i < n; i++)
		if (warn_area_valid(areas[i]) && strncmp(areas[i], code, strlen(areas[i])) == 0)
			return 1;
	return 0;
}

/* A list of 1..max distinct valid area codes (0.. when empty_ok). */
static int
warn_areas_ok(const char (*areas)[WARN_AREA_LEN + 1], int n, int empty_ok)
{
	int i, j;

	if (n < (empty_ok ? 0 : 1) || n > WARN_AREAS_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		if (!warn_area_valid(areas[i]))
			return 0;
		for (j = 0; j < i; j++)
			if (strcmp(areas[i], areas[j]) == 0)
				return 0;
	}
	return 1;
}

/* CAP times. */

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian; H. Hinnant's days_from_civil). */
static int64_t
warn_days(int64_t y, unsigned m, unsigned d)
{
	int64_t		era;
	unsigned	yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* The inverse, for formatting. */
static void
warn_civil(int64_t z, int *y, unsigned *m, unsigned *d)
{
	int64_t		era;
	unsigned	doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)((int64_t)yoe + era * 400 + (*m <= 2));
}

char *
warn_time_format(char *buf, uint64_t ms, int tz_min)
{
	int64_t		t, days, secs;
	unsigned	m, d;
	int		y, off;
	char		tmp[80];

	if (tz_min < -720 || tz_min > 840)
		tz_min = 0;
	off = tz_min < 0 ? -tz_min : tz_min;
	t = (int64_t)(ms / 1000) + (int64_t)tz_min * 60;
	days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
	secs = t - days * 86400;
	warn_civil(days, &y, &m, &d);
	/* CAP: UTC is written -00:00. Out-of-range input gives a wrong time, not overflow. */
	snprintf(tmp, sizeof tmp, "%04d-%02u-%02uT%02d:%02d:%02d%c%02d:%02d",
	    y % 10000, m, d, (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60),
	    tz_min > 0 ? '+' : '-', off / 60 % 100, off % 60);
	memcpy(buf, tmp, WARN_TIME_LEN);
	buf[WARN_TIME_LEN] = '\0';
	return buf;
}

static int
warn_digits(const char *s, int n, int *v)
{
	int i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

int
warn_time_parse(const char *s, uint64_t *ms, int *tz_min)
{
	static const unsigned mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int	y, mo, d, h, mi, se, oh, om, tz, leap;
	int64_t	t;

	if (strlen(s) != WARN_TIME_LEN || s[4] != '-' || s[7] != '-' || s[10] != 'T' ||
	    s[13] != ':' || s[16] != ':' || (s[19] != '+' && s[19] != '-') || s[22] != ':')
		return -1;
	if (warn_digits(s, 4, &y) || warn_digits(s + 5, 2, &mo) || warn_digits(s + 8, 2, &d) ||
	    warn_digits(s + 11, 2, &h) || warn_digits(s + 14, 2, &mi) ||
	    warn_digits(s + 17, 2, &se) || warn_digits(s + 20, 2, &oh) ||
	    warn_digits(s + 23, 2, &om))
		return -1;
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (mo < 1 || mo > 12 || d < 1 || (unsigned)d > mdays[mo - 1] ||
	    (mo == 2 && d == 29 && !leap) || h > 23 || mi > 59 || se > 59 || om > 59)
		return -1;
	tz = oh * 60 + om;
	if (s[19] == '-')
		tz = -tz;
	if (tz < -720 || tz > 840)
		return -1;
	t = warn_days(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + se - tz * 60;
	if (t < 0)
		return -1;
	*ms = (uint64_t)t * 1000;
	*tz_min = tz;
	return 0;
}

/* References. */

int
warn_ref_split(const char *ref, char *sender, char *identifier, uint64_t *sent_ms)
{
	const char	*c1, *c2;
	char		 sent[WARN_TIME_LEN + 1];
	size_t		 n = strnlen(ref, WARN_REF_MAX + 1);
	int		 tz;

	if (n > WARN_REF_MAX || (c1 = strchr(ref, ',')) == NULL ||
	    (c2 = strchr(c1 + 1, ',')) == NULL || strchr(c2 + 1, ',') != NULL)
		return -1;
	if (c1 - ref > WARN_SENDER_MAX || c2 - c1 - 1 > WARN_ID_MAX ||
	    strlen(c2 + 1) != WARN_TIME_LEN)
		return -1;
	memcpy(sender, ref, (size_t)(c1 - ref));
	sender[c1 - ref] = '\0';
	memcpy(identifier, c1 + 1, (size_t)(c2 - c1 - 1));
	identifier[c2 - c1 - 1] = '\0';
	memcpy(sent, c2 + 1, WARN_TIME_LEN + 1);
	if (!warn_token_ok(sender, 1, WARN_SENDER_MAX) ||
	    !warn_token_ok(identifier, 1, WARN_ID_MAX) ||
	    warn_time_parse(sent, sent_ms, &tz) != 0)
		return -1;
	return 0;
}

static int
warn_ref_ok(const char *ref)
{
	char		s[WARN_SENDER_MAX + 1], id[WARN_ID_MAX + 1];
	uint64_t	t;

	return warn_ref_split(ref, s, id, &t) == 0;
}

int
warn_ref_make(const struct warning *w, char *ref)
{
	char	t[WARN_TIME_LEN + 1];
	int	n;

	if (!warn_token_ok(w->sender, 1, WARN_SENDER_MAX) ||
	    !warn_token_ok(w->identifier, 1, WARN_ID_MAX))
		return -1;
	n = snprintf(ref, WARN_REF_MAX + 1, "%s,%s,%s", w->sender, w->identifier,
	    warn_time_format(t, w->sent_ms, w->tz_min));
	return n > 0 && n <= WARN_REF_MAX ? 0 : -1;
}

/* Certificates. */

static int
warn_cert_valid(const struct warn_cert *c)
{
	if (c->kind != WCK_ISSUER && c->kind != WCK_NODE)
		return 0;
	if (!warn_line_ok(c->name, 1, WARN_CERT_NAME_MAX) ||
	    !warn_areas_ok(c->areas, c->nareas, 0) || c->not_before > c->not_after)
		return 0;
	if (c->kind == WCK_ISSUER)
		return !c->has_parent && memcmp(c->parent, warn_zero, YISHI_PK_BYTES) == 0 &&
		    c->endpoint[0] == '\0';
	if (!c->has_parent && memcmp(c->parent, warn_zero, YISHI_PK_BYTES) != 0)
		return 0;
	return warn_token_ok(c->endpoint, 0, WARN_ENDPOINT_MAX);
}

static void
warn_pack_str(msgpack_packer *pk, const char *s)
{
	msgpack_pack_str_with_body(pk, s, strlen(s));
}

static size_t
warn_cert_body(const struct warn_cert *c, uint8_t *out, size_t outlen)
{
	struct mp_fixbuf	fb = { out, 0, outlen, 0 };
	msgpack_packer		pk;
	int			i;

	if (!warn_cert_valid(c))
		return 0;
	msgpack_packer_init(&pk, &fb, mp_fixbuf_write);
	if (c->kind == WCK_ISSUER) {
		msgpack_pack_array(&pk, ISSUER_FIELDS);
		warn_pack_str(&pk, ISSUER_CONTEXT);
	} else {
		msgpack_pack_array(&pk, NODE_FIELDS);
		warn_pack_str(&pk, NODE_CONTEXT);
	}
	msgpack_pack_bin_with_body(&pk, c->pk, YISHI_PK_BYTES);
	warn_pack_str(&pk, c->name);
	msgpack_pack_array(&pk, (size_t)c->nareas);
	for (i = 0; i < c->nareas; i++)
		warn_pack_str(&pk, c->areas[i]);
	if (c->kind == WCK_NODE) {
		msgpack_pack_bin_with_body(&pk, c->parent, c->has_parent ? YISHI_PK_BYTES : 0);
		warn_pack_str(&pk, c->endpoint);
	}
	msgpack_pack_uint64(&pk, c->not_before);
	msgpack_pack_uint64(&pk, c->not_after);
	return fb.overflow ? 0 : fb.len;
}

/* The [body, sig] or [cert, body, sig] wrapper: bins only. */
static size_t
warn_pack_bins(const uint8_t *const *p, const size_t *n, int count, uint8_t *out,
    size_t outlen)
{
	struct mp_fixbuf	fb = { out, 0, outlen, 0 };
	msgpack_packer		pk;
	int			i;

	msgpack_packer_init(&pk, &fb, mp_fixbuf_write);
	msgpack_pack_array(&pk, (size_t)count);
	for (i = 0; i < count; i++)
		msgpack_pack_bin_with_body(&pk, p[i], n[i]);
	return fb.overflow ? 0 : fb.len;
}

size_t
warn_cert_make(const struct ident *root, const struct warn_cert *c, uint8_t *out,
    size_t outlen)
{
	uint8_t		 body[WARN_CERT_MAX], sig[YISHI_SIG_BYTES];
	const uint8_t	*p[CERT_FIELDS] = { body, sig };
	size_t		 n[CERT_FIELDS], len;

	if ((len = warn_cert_body(c, body, sizeof body)) == 0)
		return 0;
	crypto_sign_detached(sig, NULL, body, len, root->sk);
	n[0] = len;
	n[1] = sizeof sig;
	len = warn_pack_bins(p, n, CERT_FIELDS, out, outlen > WARN_CERT_MAX ? WARN_CERT_MAX :
	    outlen);
	return len;
}

/* The sticky-error reader. */
struct warn_rd {
	const uint8_t		*b;
	size_t			 len, off;
	msgpack_unpacked	 u;
	int			 err;
};

static void
warn_rd_init(struct warn_rd *r, const void *buf, size_t len)
{
	r->b = buf;
	r->len = len;
	r->off = 0;
	r->err = 0;
	msgpack_unpacked_init(&r->u);
}

/* An array header (fixarray or array16; our bounds never need array32): its count. */
static size_t
warn_rd_array(struct warn_rd *r, size_t max)
{
	size_t	n;
	uint8_t	c;

	if (r->err || r->off >= r->len) {
		r->err = 1;
		return 0;
	}
	c = r->b[r->off];
	if ((c & 0xf0) == 0x90) {
		n = c & 0x0f;
		r->off++;
	} else if (c == 0xdc && r->len - r->off >= 3) {
		n = (size_t)r->b[r->off + 1] << 8 | r->b[r->off + 2];
		r->off += 3;
	} else {
		r->err = 1;
		return 0;
	}
	/* Every element takes at least one byte. */
	if (n > max || n > r->len - r->off) {
		r->err = 1;
		return 0;
	}
	return n;
}

static const msgpack_object *
warn_rd_next(struct warn_rd *r, msgpack_object_type type)
{
	if (r->err || mp_next_scalar(r->b, r->len, &r->off, &r->u, type) != 0) {
		r->err = 1;
		return NULL;
	}
	return &r->u.data;
}

/* A string into dst of cap bytes (NUL-terminated); the rules are checked on re-encode. */
static void
warn_rd_str(struct warn_rd *r, char *dst, size_t cap)
{
	const msgpack_object *o = warn_rd_next(r, MSGPACK_OBJECT_STR);

	dst[0] = '\0';
	if (o == NULL)
		return;
	if (o->via.str.size >= cap ||
	    !mp_utf8_valid((const uint8_t *)o->via.str.ptr, o->via.str.size)) {
		r->err = 1;
		return;
	}
	if (o->via.str.size > 0)	/* msgpack-c gives an empty str a NULL pointer */
		memcpy(dst, o->via.str.ptr, o->via.str.size);
	dst[o->via.str.size] = '\0';
}

static void
warn_rd_exact(struct warn_rd *r, const char *want)
{
	const msgpack_object *o = warn_rd_next(r, MSGPACK_OBJECT_STR);

	if (o != NULL && (o->via.str.size != strlen(want) ||
	    memcmp(o->via.str.ptr, want, o->via.str.size) != 0))
		r->err = 1;
}

/* A bin of exactly n bytes, or of 0 bytes when *present is not NULL. */
static void
warn_rd_bin(struct warn_rd *r, uint8_t *dst, size_t n, int *present)
{
	const msgpack_object *o = warn_rd_next(r, MSGPACK_OBJECT_BIN);

	if (o == NULL)
		return;
	if (present != NULL && o->via.bin.size == 0) {
		*present = 0;
		return;
	}
	if (o->via.bin.size != n) {
		r->err = 1;
		return;
	}
	memcpy(dst, o->via.bin.ptr, n);
	if (present != NULL)
		*present = 1;
}

static uint64_t
warn_rd_uint(struct warn_rd *r)
{
	const msgpack_object *o = warn_rd_next(r, MSGPACK_OBJECT_POSITIVE_INTEGER);

	return o != NULL ? o->via.u64 : 0;
}

/* A signed integer in [min, max]: positive or negative msgpack integer. */
static int64_t
warn_rd_int(struct warn_rd *r, int64_t min, int64_t max)
{
	const msgpack_object	*o;
	int64_t			 v;

	if (r->err || r->off >= r->len) {
		r->err = 1;
		return 0;
	}
	if ((r->b[r->off] >= 0xe0) || r->b[r->off] == 0xd0 || r->b[r->off] == 0xd1 ||
	    r->b[r->off] == 0xd2 || r->b[r->off] == 0xd3) {
		if ((o = warn_rd_next(r, MSGPACK_OBJECT_NEGATIVE_INTEGER)) == NULL)
			return 0;
		v = o->via.i64;
	} else {
		if ((o = warn_rd_next(r, MSGPACK_OBJECT_POSITIVE_INTEGER)) == NULL)
			return 0;
		if (o->via.u64 > (uint64_t)INT64_MAX) {
			r->err = 1;
			return 0;
		}
		v = (int64_t)o->via.u64;
	}
	if (v < min || v > max) {
		r->err = 1;
		return 0;
	}
	return v;
}

/* One of names[0..count), exactly as spelled there. */
static int
warn_rd_name(struct warn_rd *r, const char *const *names, int count)
{
	char	s[16];
	int	i;

	warn_rd_str(r, s, sizeof s);
	if (r->err)
		return 0;
	for (i = 0; i < count; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	r->err = 1;
	return 0;
}

static int
warn_rd_done(struct warn_rd *r)
{
	int ok = !r->err && r->off == r->len;

	msgpack_unpacked_destroy(&r->u);
	return ok;
}

static void
warn_rd_areas(struct warn_rd *r, char (*areas)[WARN_AREA_LEN + 1], int *n)
{
	size_t i, k = warn_rd_array(r, WARN_AREAS_MAX);

	for (i = 0; i < k && !r->err; i++)
		warn_rd_str(r, areas[i], WARN_AREA_LEN + 1);
	*n = (int)k;
}

static int
warn_cert_body_decode(const uint8_t *b, size_t len, struct warn_cert *c)
{
	struct warn_rd	r;
	size_t		n;

	memset(c, 0, sizeof *c);
	warn_rd_init(&r, b, len);
	n = warn_rd_array(&r, NODE_FIELDS);
	if (n == ISSUER_FIELDS) {
		c->kind = WCK_ISSUER;
		warn_rd_exact(&r, ISSUER_CONTEXT);
	} else if (n == NODE_FIELDS) {
		c->kind = WCK_NODE;
		warn_rd_exact(&r, NODE_CONTEXT);
	} else
		r.err = 1;
	warn_rd_bin(&r, c->pk, YISHI_PK_BYTES, NULL);
	warn_rd_str(&r, c->name, sizeof c->name);
	warn_rd_areas(&r, c->areas, &c->nareas);
	if (c->kind == WCK_NODE) {
		warn_rd_bin(&r, c->parent, YISHI_PK_BYTES, &c->has_parent);
		warn_rd_str(&r, c->endpoint, sizeof c->endpoint);
	}
	c->not_before = warn_rd_uint(&r);
	c->not_after = warn_rd_uint(&r);
	return warn_rd_done(&r) ? 0 : -1;
}

/*
 * Split [body, sig] and decode the body; both must be what warn_cert_make writes.
 * *body points into buf.
 */
static int
warn_cert_split(const void *buf, size_t len, struct warn_cert *c, const uint8_t **body,
    size_t *bodylen, uint8_t sig[YISHI_SIG_BYTES])
{
	struct warn_rd		 r;
	const msgpack_object	*o;
	uint8_t			 re[WARN_CERT_MAX];
	const uint8_t		*p[CERT_FIELDS];
	size_t			 n[CERT_FIELDS];
	int			 ok;

	if (len == 0 || len > WARN_CERT_MAX)
		return -1;
	warn_rd_init(&r, buf, len);
	if (warn_rd_array(&r, CERT_FIELDS) != CERT_FIELDS)
		r.err = 1;
	if ((o = warn_rd_next(&r, MSGPACK_OBJECT_BIN)) != NULL) {
		*body = (const uint8_t *)o->via.bin.ptr;
		*bodylen = o->via.bin.size;
	}
	warn_rd_bin(&r, sig, YISHI_SIG_BYTES, NULL);
	if (!warn_rd_done(&r) || *bodylen == 0 ||
	    warn_cert_body_decode(*body, *bodylen, c) != 0)
		return -1;
	ok = warn_cert_body(c, re, sizeof re) == *bodylen && memcmp(re, *body, *bodylen) == 0;
	p[0] = *body;
	p[1] = sig;
	n[0] = *bodylen;
	n[1] = YISHI_SIG_BYTES;
	ok = ok && warn_pack_bins(p, n, CERT_FIELDS, re, sizeof re) == len &&
	    memcmp(re, buf, len) == 0;
	return ok ? 0 : -1;
}

int
warn_cert_decode(const void *buf, size_t len, struct warn_cert *c)
{
	const uint8_t	*body = NULL;
	size_t		 bodylen = 0;
	uint8_t		 sig[YISHI_SIG_BYTES];

	return warn_cert_split(buf, len, c, &body, &bodylen, sig) == 0 ? WARN_OK :
	    WARN_EENCODING;
}

/* The validity period at t. */
static int
warn_cert_when(const struct warn_cert *c, uint64_t t)
{
	if (t < c->not_before)
		return WARN_ECERT_NOT_YET;
	if (t > c->not_after)
		return WARN_ECERT_EXPIRED;
	return WARN_OK;
}

/* Decode and check the root's signature and the kind. */
static int
warn_cert_check(const uint8_t *root_pk, int kind, const void *buf, size_t len,
    struct warn_cert *c)
{
	const uint8_t	*body = NULL;
	size_t		 bodylen = 0;
	uint8_t		 sig[YISHI_SIG_BYTES];

	if (warn_cert_split(buf, len, c, &body, &bodylen, sig) != 0)
		return WARN_EENCODING;
	if (crypto_sign_verify_detached(sig, body, bodylen, root_pk) != 0)
		return WARN_EUNCERTIFIED;
	if (c->kind != kind)
		return WARN_EKIND;
	return WARN_OK;
}

int
warn_cert_verify(const uint8_t root_pk[YISHI_PK_BYTES], int kind, uint64_t now_ms,
    const void *buf, size_t len, struct warn_cert *out)
{
	struct warn_cert	c;
	int			rv;

	if ((rv = warn_cert_check(root_pk, kind, buf, len, &c)) != WARN_OK)
		return rv;
	if ((rv = warn_cert_when(&c, now_ms)) != WARN_OK)
		return rv;
	*out = c;
	return WARN_OK;
}

/* Warnings. */

static int
warn_pairs_ok(const struct warn_pair *p, int n, int max)
{
	int i;

	if (n < 0 || n > max)
		return 0;
	for (i = 0; i < n; i++)
		if (!warn_line_ok(p[i].name, 1, WARN_PAIR_NAME_MAX) ||
		    !warn_text_ok(p[i].value, WARN_PAIR_VALUE_MAX))
			return 0;
	return 1;
}

static int
warn_point_ok(const struct warn_point *p)
{
	return p->lat >= -DEG_E7(90) && p->lat <= DEG_E7(90) &&
	    p->lon >= -DEG_E7(180) && p->lon <= DEG_E7(180);
}

static int
warn_text_valid(const struct warn_text *t)
{
	return warn_lang_ok(t->language) &&
	    warn_utf8_ok(t->event, 1, WARN_EVENT_MAX, "\t\n\r") &&
	    warn_text_ok(t->sender_name, WARN_SENDER_NAME_MAX) &&
	    warn_text_ok(t->headline, WARN_HEADLINE_MAX) &&
	    warn_text_ok(t->description, WARN_DESC_MAX) &&
	    warn_text_ok(t->instruction, WARN_INSTR_MAX) &&
	    warn_text_ok(t->contact, WARN_CONTACT_MAX) &&
	    warn_line_ok(t->web, 0, WARN_WEB_MAX) &&	/* xs:anyURI */
	    warn_text_ok(t->area_desc, WARN_AREA_DESC_MAX);
}

/* The info-level fields that a warning without texts must leave empty. */
static int
warn_info_empty(const struct warning *w)
{
	return w->categories == 0 && w->fraud_type[0] == '\0' && w->nevent_codes == 0 &&
	    w->responses == 0 && w->urgency == WURG_UNKNOWN && w->severity == WSEV_UNKNOWN &&
	    w->certainty == WCTN_UNKNOWN && w->naudience == 0 && w->effective_ms == 0 &&
	    w->onset_ms == 0 && w->expires_ms == 0 && w->nparams == 0 && w->nareas == 0 &&
	    w->ngeocodes == 0 && w->npolygon == 0 && !w->has_circle && !w->has_target;
}

/* Every rule of the encoding: the encoder refuses, the decoder re-encodes. */
static int
warn_valid(const struct warning *w)
{
	int i, j;

	if (!warn_token_ok(w->identifier, 1, WARN_ID_MAX) ||
	    !warn_token_ok(w->sender, 1, WARN_SENDER_MAX) || w->tz_min < -720 ||
	    w->tz_min > 840 || w->status < 0 || w->status >= WSTAT__COUNT || w->msg_type < 0 ||
	    w->msg_type >= WMSG__COUNT || w->urgency < 0 || w->urgency >= WURG__COUNT ||
	    w->severity < 0 || w->severity >= WSEV__COUNT || w->certainty < 0 ||
	    w->certainty >= WCTN__COUNT)
		return 0;
	/* CAP times are whole seconds. */
	if (w->sent_ms % 1000 || w->effective_ms % 1000 || w->onset_ms % 1000 ||
	    w->expires_ms % 1000)
		return 0;
	if (w->sent_ms >= TIME_MAX || w->effective_ms >= TIME_MAX || w->onset_ms >= TIME_MAX ||
	    w->expires_ms >= TIME_MAX)
		return 0;
	/* An Update or Cancel names what it supersedes. */
	if (w->nrefs < 0 || w->nrefs > WARN_REFS_MAX || (w->msg_type != WMSG_ALERT &&
	    w->nrefs == 0))
		return 0;
	for (i = 0; i < w->nrefs; i++)
		if (!warn_ref_ok(w->refs[i]))
			return 0;
	if (w->ncodes < 0 || w->ncodes > WARN_CODES_MAX)
		return 0;
	for (i = 0; i < w->ncodes; i++)
		if (!warn_line_ok(w->codes[i], 1, WARN_CODE_MAX))
			return 0;
	if (!warn_text_ok(w->source, WARN_SOURCE_MAX))
		return 0;
	if (w->categories >> WCAT__COUNT || w->responses >> WRESP__COUNT ||
	    !warn_fraud_ok(w->fraud_type) ||
	    !warn_pairs_ok(w->event_codes, w->nevent_codes, WARN_PAIRS_MAX) ||
	    !warn_pairs_ok(w->params, w->nparams, WARN_PAIRS_MAX) ||
	    !warn_pairs_ok(w->geocodes, w->ngeocodes, WARN_GEOCODES_MAX) ||
	    !warn_areas_ok(w->areas, w->nareas, 1))
		return 0;
	if (w->naudience < 0 || w->naudience > WARN_AUDIENCE_MAX)
		return 0;
	for (i = 0; i < w->naudience; i++) {
		if (!warn_tag_ok(w->audience[i]))
			return 0;
		for (j = 0; j < i; j++)
			if (strcmp(w->audience[i], w->audience[j]) == 0)
				return 0;
	}
	if (w->npolygon < 0 || w->npolygon > WARN_POLY_MAX || (w->npolygon > 0 &&
	    (w->npolygon < 4 || memcmp(&w->polygon[0], &w->polygon[w->npolygon - 1],
	    sizeof w->polygon[0]) != 0)))
		return 0;
	for (i = 0; i < w->npolygon; i++)
		if (!warn_point_ok(&w->polygon[i]))
			return 0;
	if (w->has_circle != 0 && w->has_circle != 1)
		return 0;
	if (w->has_circle ? !warn_point_ok(&w->circle) || w->circle_radius > RADIUS_MAX :
	    w->circle.lat != 0 || w->circle.lon != 0 || w->circle_radius != 0)
		return 0;
	if (w->has_target != 0 && w->has_target != 1)
		return 0;
	if (w->has_target ? !warn_area_valid(w->target_area) ||
	    !warn_area_covers(w->areas, w->nareas, w->target_area) :
	    w->target_area[0] != '\0' || memcmp(w->target_station, warn_zero,
	    YISHI_PK_BYTES) != 0)
		return 0;
	if (w->ntexts < 0 || w->ntexts > WARN_TEXTS_MAX)
		return 0;
	if (w->ntexts == 0)
		return warn_info_empty(w);
	if (w->categories == 0)
		return 0;
	for (i = 0; i < w->ntexts; i++)
		if (!warn_text_valid(&w->texts[i]))
			return 0;
	return 1;
}

static void
warn_pack_names(msgpack_packer *pk, const char *const *names, int count, uint32_t mask)
{
	int i, n = 0;

	for (i = 0; i < count; i++)
		n += (mask >> i) & 1;
	msgpack_pack_array(pk, (size_t)n);
	for (i = 0; i < count; i++)
		if ((mask >> i) & 1)
			warn_pack_str(pk, names[i]);
}

static void
warn_pack_pairs(msgpack_packer *pk, const struct warn_pair *p, int n)
{
	int i;

	msgpack_pack_array(pk, 2 * (size_t)n);
	for (i = 0; i < n; i++) {
		warn_pack_str(pk, p[i].name);
		warn_pack_str(pk, p[i].value);
	}
}

static void
warn_pack_strs(msgpack_packer *pk, const char *s, size_t stride, int n)
{
	int i;

	msgpack_pack_array(pk, (size_t)n);
	for (i = 0; i < n; i++)
		warn_pack_str(pk, s + (size_t)i * stride);
}

size_t
warn_encode(const struct warning *w, uint8_t *out, size_t outlen)
{
	struct mp_fixbuf	 fb = { out, 0, outlen, 0 };
	msgpack_packer		 pk;
	const struct warn_text	*t;
	int			 i;

	if (!warn_valid(w))
		return 0;
	msgpack_packer_init(&pk, &fb, mp_fixbuf_write);
	msgpack_pack_array(&pk, WARN_FIELDS);
	warn_pack_str(&pk, WARN_CONTEXT);
	warn_pack_str(&pk, w->identifier);
	msgpack_pack_bin_with_body(&pk, w->issuer, YISHI_PK_BYTES);
	warn_pack_str(&pk, w->sender);
	msgpack_pack_uint64(&pk, w->sent_ms);
	msgpack_pack_int64(&pk, w->tz_min);
	warn_pack_str(&pk, warn_status_names[w->status]);
	warn_pack_str(&pk, warn_msgtype_names[w->msg_type]);
	warn_pack_strs(&pk, w->refs[0], sizeof w->refs[0], w->nrefs);
	warn_pack_strs(&pk, w->codes[0], sizeof w->codes[0], w->ncodes);
	warn_pack_str(&pk, w->source);
	warn_pack_names(&pk, warn_category_names, WCAT__COUNT, w->categories);
	warn_pack_str(&pk, w->fraud_type);
	warn_pack_pairs(&pk, w->event_codes, w->nevent_codes);
	warn_pack_names(&pk, warn_response_names, WRESP__COUNT, w->responses);
	warn_pack_str(&pk, warn_urgency_names[w->urgency]);
	warn_pack_str(&pk, warn_severity_names[w->severity]);
	warn_pack_str(&pk, warn_certainty_names[w->certainty]);
	warn_pack_strs(&pk, w->audience[0], sizeof w->audience[0], w->naudience);
	msgpack_pack_uint64(&pk, w->effective_ms);
	msgpack_pack_uint64(&pk, w->onset_ms);
	msgpack_pack_uint64(&pk, w->expires_ms);
	warn_pack_pairs(&pk, w->params, w->nparams);
	warn_pack_strs(&pk, w->areas[0], sizeof w->areas[0], w->nareas);
	warn_pack_pairs(&pk, w->geocodes, w->ngeocodes);
	msgpack_pack_array(&pk, 2 * (size_t)w->npolygon);
	for (i = 0; i < w->npolygon; i++) {
		msgpack_pack_int32(&pk, w->polygon[i].lat);
		msgpack_pack_int32(&pk, w->polygon[i].lon);
	}
	msgpack_pack_array(&pk, w->has_circle ? 3 : 0);
	if (w->has_circle) {
		msgpack_pack_int32(&pk, w->circle.lat);
		msgpack_pack_int32(&pk, w->circle.lon);
		msgpack_pack_uint64(&pk, w->circle_radius);
	}
	msgpack_pack_array(&pk, w->has_target ? 2 : 0);
	if (w->has_target) {
		warn_pack_str(&pk, w->target_area);
		msgpack_pack_bin_with_body(&pk, w->target_station, YISHI_PK_BYTES);
	}
	msgpack_pack_array(&pk, (size_t)w->ntexts);
	for (i = 0; i < w->ntexts; i++) {
		t = &w->texts[i];
		msgpack_pack_array(&pk, TEXT_FIELDS);
		warn_pack_str(&pk, t->language);
		warn_pack_str(&pk, t->event);
		warn_pack_str(&pk, t->sender_name);
		warn_pack_str(&pk, t->headline);
		warn_pack_str(&pk, t->description);
		warn_pack_str(&pk, t->instruction);
		warn_pack_str(&pk, t->contact);
		warn_pack_str(&pk, t->web);
		warn_pack_str(&pk, t->area_desc);
	}
	return fb.overflow ? 0 : fb.len;
}

static uint32_t
warn_rd_mask(struct warn_rd *r, const char *const *names, int count)
{
	uint32_t	mask = 0;
	size_t		i, n = warn_rd_array(r, (size_t)count);

	for (i = 0; i < n && !r->err; i++)
		mask |= 1u << warn_rd_name(r, names, count);
	return mask;	/* duplicates and order are refused by the re-encoding */
}

static void
warn_rd_strs(struct warn_rd *r, char *s, size_t stride, int max, int *n)
{
	size_t i, k = warn_rd_array(r, (size_t)max);

	for (i = 0; i < k && !r->err; i++)
		warn_rd_str(r, s + i * stride, stride);
	*n = (int)k;
}

static void
warn_rd_pairs(struct warn_rd *r, struct warn_pair *p, int max, int *n)
{
	size_t i, k = warn_rd_array(r, 2 * (size_t)max);

	if (k % 2)
		r->err = 1;
	for (i = 0; i < k / 2 && !r->err; i++) {
		warn_rd_str(r, p[i].name, sizeof p[i].name);
		warn_rd_str(r, p[i].value, sizeof p[i].value);
	}
	*n = (int)(k / 2);
}

static void
warn_rd_point(struct warn_rd *r, struct warn_point *p)
{
	p->lat = (int32_t)warn_rd_int(r, -DEG_E7(90), DEG_E7(90));
	p->lon = (int32_t)warn_rd_int(r, -DEG_E7(180), DEG_E7(180));
}

int
warn_decode(const void *buf, size_t len, struct warning *w)
{
	struct warn_rd	 r;
	struct warn_text *t;
	uint8_t		*re;
	size_t		 i, n;
	int		 ok;

	memset(w, 0, sizeof *w);
	if (len == 0 || len > WARN_BODY_MAX)
		return -1;
	warn_rd_init(&r, buf, len);
	if (warn_rd_array(&r, WARN_FIELDS) != WARN_FIELDS)
		r.err = 1;
	warn_rd_exact(&r, WARN_CONTEXT);
	warn_rd_str(&r, w->identifier, sizeof w->identifier);
	warn_rd_bin(&r, w->issuer, YISHI_PK_BYTES, NULL);
	warn_rd_str(&r, w->sender, sizeof w->sender);
	w->sent_ms = warn_rd_uint(&r);
	w->tz_min = (int)warn_rd_int(&r, -720, 840);
	w->status = warn_rd_name(&r, warn_status_names, WSTAT__COUNT);
	w->msg_type = warn_rd_name(&r, warn_msgtype_names, WMSG__COUNT);
	warn_rd_strs(&r, w->refs[0], sizeof w->refs[0], WARN_REFS_MAX, &w->nrefs);
	warn_rd_strs(&r, w->codes[0], sizeof w->codes[0], WARN_CODES_MAX, &w->ncodes);
	warn_rd_str(&r, w->source, sizeof w->source);
	w->categories = warn_rd_mask(&r, warn_category_names, WCAT__COUNT);
	warn_rd_str(&r, w->fraud_type, sizeof w->fraud_type);
	warn_rd_pairs(&r, w->event_codes, WARN_PAIRS_MAX, &w->nevent_codes);
	w->responses = warn_rd_mask(&r, warn_response_names, WRESP__COUNT);
	w->urgency = warn_rd_name(&r, warn_urgency_names, WURG__COUNT);
	w->severity = warn_rd_name(&r, warn_severity_names, WSEV__COUNT);
	w->certainty = warn_rd_name(&r, warn_certainty_names, WCTN__COUNT);
	warn_rd_strs(&r, w->audience[0], sizeof w->audience[0], WARN_AUDIENCE_MAX,
	    &w->naudience);
	w->effective_ms = warn_rd_uint(&r);
	w->onset_ms = warn_rd_uint(&r);
	w->expires_ms = warn_rd_uint(&r);
	warn_rd_pairs(&r, w->params, WARN_PAIRS_MAX, &w->nparams);
	warn_rd_areas(&r, w->areas, &w->nareas);
	warn_rd_pairs(&r, w->geocodes, WARN_GEOCODES_MAX, &w->ngeocodes);
	n = warn_rd_array(&r, 2 * WARN_POLY_MAX);
	if (n % 2)
		r.err = 1;
	for (i = 0; i < n / 2 && !r.err; i++)
		warn_rd_point(&r, &w->polygon[i]);
	w->npolygon = (int)(n / 2);
	n = warn_rd_array(&r, 3);
	if (n == 3) {
		w->has_circle = 1;
		warn_rd_point(&r, &w->circle);
		w->circle_radius = warn_rd_uint(&r);
	} else if (n != 0)
		r.err = 1;
	n = warn_rd_array(&r, 2);
	if (n == 2) {
		w->has_target = 1;
		warn_rd_str(&r, w->target_area, sizeof w->target_area);
		warn_rd_bin(&r, w->target_station, YISHI_PK_BYTES, NULL);
	} else if (n != 0)
		r.err = 1;
	n = warn_rd_array(&r, WARN_TEXTS_MAX);
	for (i = 0; i < n && !r.err; i++) {
		t = &w->texts[i];
		if (warn_rd_array(&r, TEXT_FIELDS) != TEXT_FIELDS)
			r.err = 1;
		warn_rd_str(&r, t->language, sizeof t->language);
		warn_rd_str(&r, t->event, sizeof t->event);
		warn_rd_str(&r, t->sender_name, sizeof t->sender_name);
		warn_rd_str(&r, t->headline, sizeof t->headline);
		warn_rd_str(&r, t->description, sizeof t->description);
		warn_rd_str(&r, t->instruction, sizeof t->instruction);
		warn_rd_str(&r, t->contact, sizeof t->contact);
		warn_rd_str(&r, t->web, sizeof t->web);
		warn_rd_str(&r, t->area_desc, sizeof t->area_desc);
	}
	w->ntexts = (int)n;
	if (!warn_rd_done(&r))
		goto fail;
	/* One warning, one byte string: this is also where warn_valid() applies. */
	if ((re = malloc(len)) == NULL)
		goto fail;
	ok = warn_encode(w, re, len) == len && memcmp(re, buf, len) == 0;
	free(re);
	if (ok)
		return 0;
fail:
	memset(w, 0, sizeof *w);
	return -1;
}

size_t
warn_sign(const struct ident *issuer, const uint8_t *cert, size_t certlen,
    const struct warning *w, uint8_t *out, size_t outlen)
{
	struct warn_cert	 c;
	struct warning		*copy;
	uint8_t			*body, sig[YISHI_SIG_BYTES];
	const uint8_t		*p[ENV_FIELDS];
	size_t			 n[ENV_FIELDS], len = 0;

	if (warn_cert_decode(cert, certlen, &c) != WARN_OK || c.kind != WCK_ISSUER ||
	    memcmp(c.pk, issuer->pk, YISHI_PK_BYTES) != 0)
		return 0;
	copy = malloc(sizeof *copy);
	body = malloc(WARN_BODY_MAX);
	if (copy == NULL || body == NULL)
		goto out;
	*copy = *w;
	memcpy(copy->issuer, issuer->pk, YISHI_PK_BYTES);
	if ((n[1] = warn_encode(copy, body, WARN_BODY_MAX)) == 0)
		goto out;
	crypto_sign_detached(sig, NULL, body, n[1], issuer->sk);
	p[0] = cert;
	p[1] = body;
	p[2] = sig;
	n[0] = certlen;
	n[2] = sizeof sig;
	len = warn_pack_bins(p, n, ENV_FIELDS, out, outlen);
out:
	free(copy);
	free(body);
	return len;
}

/*
 * Split an envelope [bin cert, bin body, bin sig] strictly (canonical wrapper): the
 * cert and body point into env. WARN_OK or WARN_EENCODING.
 */
static int
warn_env_split(const void *env, size_t len, const uint8_t **cert, size_t *certlen,
    const uint8_t **body, size_t *bodylen, uint8_t sig[YISHI_SIG_BYTES])
{
	struct warn_rd		 r;
	const msgpack_object	*o;
	const uint8_t		*p[ENV_FIELDS];
	size_t			 n[ENV_FIELDS];
	uint8_t			*re;
	int			 ok;

	*cert = *body = NULL;
	*certlen = *bodylen = 0;
	if (len == 0 || len > WARN_ENVELOPE_MAX)
		return WARN_EENCODING;
	warn_rd_init(&r, env, len);
	if (warn_rd_array(&r, ENV_FIELDS) != ENV_FIELDS)
		r.err = 1;
	if ((o = warn_rd_next(&r, MSGPACK_OBJECT_BIN)) != NULL) {
		*cert = (const uint8_t *)o->via.bin.ptr;
		*certlen = o->via.bin.size;
	}
	if ((o = warn_rd_next(&r, MSGPACK_OBJECT_BIN)) != NULL) {
		*body = (const uint8_t *)o->via.bin.ptr;
		*bodylen = o->via.bin.size;
	}
	warn_rd_bin(&r, sig, YISHI_SIG_BYTES, NULL);
	if (!warn_rd_done(&r))
		return WARN_EENCODING;
	/* The wrapper is canonical too (bin8/16/32 chosen by length). */
	if ((re = malloc(len)) == NULL)
		return WARN_EENCODING;
	p[0] = *cert;
	p[1] = *body;
	p[2] = sig;
	n[0] = *certlen;
	n[1] = *bodylen;
	n[2] = YISHI_SIG_BYTES;
	ok = warn_pack_bins(p, n, ENV_FIELDS, re, len) == len && memcmp(re, env, len) == 0;
	free(re);
	return ok ? WARN_OK : WARN_EENCODING;
}

int
warn_env_body(const void *env, size_t len, struct warning *w)
{
	const uint8_t *cert, *body;
	uint8_t sig[YISHI_SIG_BYTES];
	size_t certlen, bodylen;

	memset(w, 0, sizeof *w);
	if (warn_env_split(env, len, &cert, &certlen, &body, &bodylen, sig) != WARN_OK)
		return -1;
	return warn_decode(body, bodylen, w) == 0 ? 0 : -1;
}

int
warn_verify(const uint8_t root_pk[YISHI_PK_BYTES], uint64_t now_ms, const void *env,
    size_t len, struct warning *w, struct warn_cert *cout)
{
	struct warn_cert	 c;
	const uint8_t		*cert, *body;
	uint8_t			 sig[YISHI_SIG_BYTES];
	size_t			 certlen, bodylen;
	int			 rv, i;

	memset(w, 0, sizeof *w);
	if ((rv = warn_env_split(env, len, &cert, &certlen, &body, &bodylen, sig)) != WARN_OK)
		return rv;
	if ((rv = warn_cert_check(root_pk, WCK_ISSUER, cert, certlen, &c)) != WARN_OK)
		return rv;
	if (warn_decode(body, bodylen, w) != 0)
		return WARN_EENCODING;
	rv = WARN_ESIGNATURE;
	if (memcmp(w->issuer, c.pk, YISHI_PK_BYTES) != 0 ||
	    crypto_sign_verify_detached(sig, body, bodylen, c.pk) != 0)
		goto fail;
	if ((rv = warn_cert_when(&c, w->sent_ms)) != WARN_OK ||
	    (rv = warn_cert_when(&c, now_ms)) != WARN_OK)
		goto fail;
	rv = WARN_EAREA;
	if (w->nareas == 0)
		goto fail;
	for (i = 0; i < w->nareas; i++)
		if (!warn_area_covers(c.areas, c.nareas, w->areas[i]))
			goto fail;
	if (w->has_target && !warn_area_covers(c.areas, c.nareas, w->target_area))
		goto fail;
	if (cout != NULL)
		*cout = c;
	if (w->expires_ms != 0 && w->expires_ms <= now_ms)
		return WARN_EEXPIRED;
	return WARN_OK;
fail:
	memset(w, 0, sizeof *w);
	return rv;
}

int
warn_matches_area(const struct warning *w, const char *code)
{
	return warn_area_covers(w->areas, w->nareas, code);
}

int
warn_supersedes(const struct warning *newer, const struct warning *older)
{
	char		sender[WARN_SENDER_MAX + 1], id[WARN_ID_MAX + 1];
	uint64_t	sent;
	int		i;

	if (newer->msg_type == WMSG_ALERT ||
	    memcmp(newer->issuer, older->issuer, YISHI_PK_BYTES) != 0 ||
	    newer->sent_ms < older->sent_ms)
		return 0;
	for (i = 0; i < newer->nrefs; i++)
		if (warn_ref_split(newer->refs[i], sender, id, &sent) == 0 &&
		    strcmp(sender, older->sender) == 0 && strcmp(id, older->identifier) == 0)
			return 1;
	return 0;
}
