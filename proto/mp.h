/*
 * mp.h: strict msgpack reading and writing helpers shared by proto/'s decoders.
 *
 * msgpack-c packs canonical bytes but has no limits when unpacking: it allocates a
 * container's declared element count before reading any element. Decoders of flat
 * arrays therefore check the array header byte themselves and read the elements one
 * scalar at a time with mp_next_scalar(), which refuses containers by their first
 * byte. Neither msgpack-c nor libsodium validates UTF-8, so that check is here too.
 */
#ifndef YISHI_MP_H
#define YISHI_MP_H

#include <stddef.h>
#include <stdint.h>

#include <msgpack.h>

#define MP_FIXARRAY(n)	(0x90 | (n))
#define MP_FIXMAP(n)	(0x80 | (n))

/* A msgpack write target over a fixed buffer: encoders that never allocate. */
struct mp_fixbuf {
	uint8_t	*p;
	size_t	 len;
	size_t	 cap;
	int	 overflow;
};
int	 mp_fixbuf_write(void *data, const char *buf, size_t len);

/*
 * Unpack the scalar at buf[*off] and require type want; advances *off. str and bin
 * objects point into buf. Returns 0 or -1 (containers, truncation, other types).
 */
int	 mp_next_scalar(const uint8_t *buf, size_t len, size_t *off, msgpack_unpacked *u,
	    msgpack_object_type want) __attribute__((warn_unused_result));

/*
 * The fields of a canonical array, one mp_next_scalar() each, 0 or -1: a str copied
 * NUL-terminated into dst (shorter than cap; an empty str is fine), a bin of exactly n
 * bytes, a positive integer, and a str that must equal the context tag ctx.
 */
int	 mp_next_str(const uint8_t *b, size_t len, size_t *off, msgpack_unpacked *u, char *dst,
	    size_t cap) __attribute__((warn_unused_result));
int	 mp_next_bin(const uint8_t *b, size_t len, size_t *off, msgpack_unpacked *u,
	    uint8_t *dst, size_t n) __attribute__((warn_unused_result));
int	 mp_next_uint(const uint8_t *b, size_t len, size_t *off, msgpack_unpacked *u,
	    uint64_t *v) __attribute__((warn_unused_result));
int	 mp_next_context(const uint8_t *b, size_t len, size_t *off, msgpack_unpacked *u,
	    const char *ctx, size_t ctxlen) __attribute__((warn_unused_result));

/*
 * Walk buf as exactly one msgpack object without unpacking it: 0 if it is whole,
 * nothing follows it, and no container declares more elements than bytes remain, so
 * msgpack-c may then unpack it without allocating from a hostile count. -1 otherwise.
 */
int	 mp_scan(const uint8_t *buf, size_t len) __attribute__((warn_unused_result));

/*
 * Length of the longest prefix of p[0..len) made of whole, valid UTF-8 characters
 * without NUL (RFC 3629: no overlong forms, surrogates or code points past U+10FFFF).
 */
size_t	 mp_utf8_prefix(const uint8_t *p, size_t len);
int	 mp_utf8_valid(const uint8_t *p, size_t len);

#endif
