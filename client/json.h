/*
 * json.h: one JSON object per output line, for `yishi --json`.
 *
 * Hand-written because the client only ever emits JSON, never parses it: a string
 * escaper and a few appenders are smaller than a dependency. Strings are escaped
 * per RFC 8259; bytes that are not valid UTF-8 (a sender's text is not trusted to
 * be) become U+FFFD, so every line is valid JSON.
 */
#ifndef YISHI_CLIENT_JSON_H
#define YISHI_CLIENT_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct json {
	char	*buf;
	size_t	 len, cap;
	int	 nfields;
	int	 oom;
};

/* Start an object. */
void	 json_begin(struct json *j);
/* Append "key": value. A NULL string is written as null. */
void	 json_str(struct json *j, const char *key, const char *val);
void	 json_strn(struct json *j, const char *key, const char *val, size_t len);
void	 json_uint(struct json *j, const char *key, uint64_t val);
void	 json_bool(struct json *j, const char *key, int val);
void	 json_null(struct json *j, const char *key);
/* Close the object, write it and a newline to out, flush, and free j's buffer. */
int	 json_end(struct json *j, FILE *out);

/*
 * Append len bytes of s to a NUL-terminated buffer dst of dstlen bytes, with
 * invalid UTF-8 replaced by U+FFFD and control characters (which could drive a
 * terminal) by ctl if it is not NUL, else kept. Used for plain output too.
 */
void	 json_sanitize(char *dst, size_t dstlen, const char *s, size_t len, int ctl);

#endif
