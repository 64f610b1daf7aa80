/* json.c: see json.h. */
#include "client/json.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define JSON_REPLACEMENT	"\xef\xbf\xbd"	/* U+FFFD in UTF-8 */

static void
json_put(struct json *j, const char *p, size_t len)
{
	char *nbuf;
	size_t ncap;

	if (j->oom)
		return;
	if (j->len + len + 1 > j->cap) {
		ncap = j->cap ? j->cap : 256;
		while (ncap < j->len + len + 1)
			ncap *= 2;
		if ((nbuf = realloc(j->buf, ncap)) == NULL) {
			j->oom = 1;
			return;
		}
		j->buf = nbuf;
		j->cap = ncap;
	}
	memcpy(j->buf + j->len, p, len);
	j->len += len;
	j->buf[j->len] = '\0';
}

/*
 * Length of the valid UTF-8 sequence at s (at most len bytes), or 0 if invalid:
 * no overlongs, no surrogates, nothing above U+10FFFF (RFC 3629).
 */
static size_t
json_utf8_len(const unsigned char *s, size_t len)
{
	unsigned char c = s[0];
	size_t n, i;
	unsigned char lo = 0x80, hi = 0xbf;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else
		return 0;
	if (n > len)
		return 0;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

static void
json_escape(struct json *j, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	char esc[8];
	size_t i = 0, n;

	json_put(j, "\"", 1);
	while (i < len) {
		if ((n = json_utf8_len(p + i, len - i)) == 0) {
			json_put(j, JSON_REPLACEMENT, 3);
			i++;
			continue;
		}
		if (n > 1) {
			json_put(j, s + i, n);
			i += n;
			continue;
		}
		switch (p[i]) {
		case '"':
			json_put(j, "\\\"", 2);
			break;
		case '\\':
			json_put(j, "\\\\", 2);
			break;
		case '\n':
			json_put(j, "\\n", 2);
			break;
		case '\r':
			json_put(j, "\\r", 2);
			break;
		case '\t':
			json_put(j, "\\t", 2);
			break;
		default:
			if (p[i] < 0x20 || p[i] == 0x7f) {
				snprintf(esc, sizeof esc, "\\u%04x", p[i]);
				json_put(j, esc, 6);
			} else
				json_put(j, s + i, 1);
			break;
		}
		i++;
	}
	json_put(j, "\"", 1);
}

static void
json_key(struct json *j, const char *key)
{
	if (j->nfields++ > 0)
		json_put(j, ", ", 2);
	json_escape(j, key, strlen(key));
	json_put(j, ": ", 2);
}

void
json_begin(struct json *j)
{
	memset(j, 0, sizeof *j);
	json_put(j, "{", 1);
}

void
json_strn(struct json *j, const char *key, const char *val, size_t len)
{
	json_key(j, key);
	if (val == NULL)
		json_put(j, "null", 4);
	else
		json_escape(j, val, len);
}

void
json_str(struct json *j, const char *key, const char *val)
{
	json_strn(j, key, val, val != NULL ? strlen(val) : 0);
}

void
json_uint(struct json *j, const char *key, uint64_t val)
{
	char num[24];

	json_key(j, key);
	snprintf(num, sizeof num, "%" PRIu64, val);
	json_put(j, num, strlen(num));
}

void
json_bool(struct json *j, const char *key, int val)
{
	json_key(j, key);
	json_put(j, val ? "true" : "false", val ? 4 : 5);
}

void
json_null(struct json *j, const char *key)
{
	json_key(j, key);
	json_put(j, "null", 4);
}

int
json_end(struct json *j, FILE *out)
{
	int rc = -1;

	json_put(j, "}\n", 2);
	if (!j->oom && fwrite(j->buf, 1, j->len, out) == j->len && fflush(out) == 0)
		rc = 0;
	free(j->buf);
	memset(j, 0, sizeof *j);
	return rc;
}

void
json_sanitize(char *dst, size_t dstlen, const char *s, size_t len, int ctl)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, o = 0, n;

	if (dstlen == 0)
		return;
	while (i < len) {
		if ((n = json_utf8_len(p + i, len - i)) == 0) {
			if (o + 3 >= dstlen)
				break;
			memcpy(dst + o, JSON_REPLACEMENT, 3);
			o += 3;
			i++;
			continue;
		}
		if (o + n >= dstlen)
			break;
		if (n == 1 && ctl != 0 && (p[i] < 0x20 || p[i] == 0x7f))
			dst[o] = (char)ctl;
		else
			memcpy(dst + o, s + i, n);
		o += n;
		i += n;
	}
	dst[o] = '\0';
}
