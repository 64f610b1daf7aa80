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

/* Typed reads of one scalar each: see mp.h. */
int
mp_next_str(const uint8_t *b, size_t len, size_t *off, msgpack_unpacked *u, char *dst,
    size_t cap)
{
	const msgpack_object *o = &u->data;

	if (mp_next_scalar(b, len, off, u, MSGPACK_OBJECT_STR) != 0 || o->via.str.size >= cap)
		return -1;
	if (o->via.str.size > 0)	/* msgpack-c gives an empty str a NULL pointer */
		memcpy(dst, o->via.str.ptr, o->via.str.size);
	dst[o->via.str.size] = '\0';
	return 0;
}

int
mp_next_bin(const uint8_t *b, size_t len, size_t *off, msgpack_unpacked *u, uint8_t *dst,
    size_t n)
{
	const msgpack_object *o = &u->data;

	if (mp_next_scalar(b, len, off, u, MSGPACK_OBJECT_BIN) != 0 || o->via.bin.size != n)
		return -1;
	memcpy(dst, o->via.bin.ptr, n);
	return 0;
}

int
mp_next_uint(const uint8_t *b, size_t len, size_t *off, msgpack_unpacked *u, uint64_t *v)
{
	if (mp_next_scalar(b, len, off, u, MSGPACK_OBJECT_POSITIVE_INTEGER) != 0)
		return -1;
	*v = u->data.via.u64;
	return 0;
}

int
mp_next_context(const uint8_t *b, size_t len, size_t *off, msgpack_unpacked *u,
    const char *ctx, size_t ctxlen)
{
	const msgpack_object *o = &u->data;

	return mp_next_scalar(b, len, off, u, MSGPACK_OBJECT_STR) == 0 &&
	    o->via.str.size == ctxlen && memcmp(o->via.str.ptr, ctx, ctxlen) == 0 ? 0 : -1;
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


/*
 * Check the structure of a msgpack value in p[0..len): complete, no trailing bytes,
 * and no container declaring more elements than bytes remain. msgpack-c's C API has
 * no unpack limits and allocates a container's declared element count before
 * reading the elements, so without this walk a 5-byte frame claiming 2^32 elements
 * would make the node allocate ~100 GB. It is a loop over a pending-object count,
 * so it needs no stack; msgpack-c itself bounds the nesting depth.
 */
int
mp_scan(const uint8_t *p, size_t len)
{
	size_t		pos = 0, hdr, body, n;
	uint64_t	pending = 1;
	uint8_t		c;

	while (pending > 0) {
		if (pos >= len)
			return -1;
		c = p[pos];
		hdr = 1;
		body = 0;
		n = 0;
		if (c <= 0x7f || c >= 0xe0 || c == 0xc0 || c == 0xc2 || c == 0xc3)
			;
		else if (c <= 0x8f)
			n = 2 * (size_t)(c & 0x0f);
		else if (c <= 0x9f)
			n = c & 0x0f;
		else if (c <= 0xbf)
			body = c & 0x1f;
		else {
			/* Fixed-size scalars, then length-prefixed strings and containers. */
			static const uint8_t fixed[] = {
				[0xca - 0xc4] = 4, [0xcb - 0xc4] = 8,
				[0xcc - 0xc4] = 1, [0xcd - 0xc4] = 2, [0xce - 0xc4] = 4,
				[0xcf - 0xc4] = 8, [0xd0 - 0xc4] = 1, [0xd1 - 0xc4] = 2,
				[0xd2 - 0xc4] = 4, [0xd3 - 0xc4] = 8, [0xd4 - 0xc4] = 2,
				[0xd5 - 0xc4] = 3, [0xd6 - 0xc4] = 5, [0xd7 - 0xc4] = 9,
				[0xd8 - 0xc4] = 17,
			};
			size_t		lenbytes = 0, extra = 0, k;
			uint64_t	v = 0;

			switch (c) {
			case 0xc4: case 0xd9: lenbytes = 1; break;
			case 0xc5: case 0xda: lenbytes = 2; break;
			case 0xc6: case 0xdb: lenbytes = 4; break;
			case 0xc7: lenbytes = 1; extra = 1; break;
			case 0xc8: lenbytes = 2; extra = 1; break;
			case 0xc9: lenbytes = 4; extra = 1; break;
			case 0xdc: case 0xde: lenbytes = 2; break;
			case 0xdd: case 0xdf: lenbytes = 4; break;
			case 0xc1:
				return -1;	/* never used */
			default:
				body = fixed[c - 0xc4];
				break;
			}
			if (lenbytes > 0) {
				if (len - pos - 1 < lenbytes)
					return -1;
				for (k = 0; k < lenbytes; k++)
					v = (v << 8) | p[pos + 1 + k];
				hdr += lenbytes;
				if (c == 0xdc || c == 0xdd)
					n = v;
				else if (c == 0xde || c == 0xdf)
					n = 2 * v;
				else
					body = v + extra;
			}
		}
		if (len - pos < hdr || len - pos - hdr < body)
			return -1;
		pos += hdr + body;
		pending--;
		/* Every element takes at least one byte. */
		if (n > len - pos || pending + n > len - pos)
			return -1;
		pending += n;
	}
	return pos == len ? 0 : -1;
}
