/* mp.c: see mp.h. */
#include "proto/mp.h"

#include <string.h>

int
mp_fixbuf_write(void *data, const char *buf, size_t len)
{
	struct mp_fixbuf	*fb = data;

	if (fb->overflow || len > fb->cap - fb->len) {
		fb->overflow = 1;
		return -1;
	}
	memcpy(fb->p + fb->len, buf, len);
	fb->len += len;
	return 0;
}

/*
 * Unpack the next element at *off and require it to be a scalar of type want.
 * msgpack-c allocates a container's element array as soon as it reads the count,
 * so five bytes (0xdd ff ff ff ff) would ask for ~100 GB. None of our shapes nests
 * a container, so containers are refused by their first byte before msgpack-c sees
 * them; the top-level header byte is checked by the callers. Scalars (str, bin)
 * point into buf and allocate nothing.
 */
int
mp_next_scalar(const uint8_t *buf, size_t len, size_t *off, msgpack_unpacked *u,
    msgpack_object_type want)
{
	uint8_t	c;

	if (*off >= len)
		return -1;
	c = buf[*off];
	if ((c >= 0x80 && c <= 0x9f) || (c >= 0xdc && c <= 0xdf))
		return -1;
	if (msgpack_unpack_next(u, (const char *)buf, len, off) != MSGPACK_UNPACK_SUCCESS)
		return -1;
	if (u->data.type != want)
		return -1;
	return 0;
}

/*
 * Length of the longest prefix of p[0..len) made of whole, valid UTF-8 characters
 * without NUL: overlong forms, surrogates and code points past U+10FFFF end it.
 */
size_t
mp_utf8_prefix(const uint8_t *p, size_t len)
{
	size_t		i = 0, n, k;
	uint32_t	cp, lo;
	uint8_t		c;

	while (i < len) {
		c = p[i];
		if (c == 0)
			break;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			cp = c & 0x1f;
			lo = 0x80;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			cp = c & 0x0f;
			lo = 0x800;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			cp = c & 0x07;
			lo = 0x10000;
		} else
			break;
		if (len - i <= n)
			break;
		for (k = 1; k <= n; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				break;
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		if (k <= n || cp < lo || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			break;
		i += n + 1;
	}
	return i;
}

int
mp_utf8_valid(const uint8_t *p, size_t len)
{
	return mp_utf8_prefix(p, len) == len;
}

