/*
 * warns.h: what the `yishi warn` commands keep and check on the client side.
 *
 * Two small files in the home directory (home.h), each replaced atomically:
 *     warn-root	the federation root public key, 64 hex digits and a newline:
 *			pinned with `--root HEX`, or on first use from the root a node
 *			advertises (trust on first use, as node keys are pinned)
 *     warn-cert	the home's issuer certificate (`yishi warn cert FILE`), binary
 * A warning is verified with warn_verify() against that root, never against what a
 * node says about it: the node is a relay, not an authority.
 */
#ifndef YISHI_CLIENT_WARNS_H
#define YISHI_CLIENT_WARNS_H

#include <stddef.h>
#include <stdint.h>

#include "client/cerr.h"
#include "proto/warn.h"

#define WARNS_ID_BYTES		16	/* the node's key of a warning, and its case id */
#define WARNS_HEX_ID		(2 * WARNS_ID_BYTES + 1)
#define WARNS_ID_PREFIX_MIN	6	/* hex digits of an id prefix on the command line */
#define WARNS_LIST_MAX		(WARN_AREAS_MAX * (WARN_AREA_LEN + 1) + 1)	/* "a,b,.." */

/*
 * The id of a warning: BLAKE2b-128 of issuer key, sender and NUL, identifier and NUL,
 * the key the node stores it by (node/warn.c) and the id of the case a high-risk alert
 * opens. Unique per issuer, sender and identifier.
 */
void	 warns_id(const struct warning *w, uint8_t id[WARNS_ID_BYTES]);

/*
 * Read a whole file of at most max bytes into a buffer the caller frees; -1 with e
 * set (CE_IO, or CE_INPUT if it is larger).
 */
int	 warns_file_read(const char *path, size_t max, uint8_t **buf, size_t *len,
	    struct cerr *e) __attribute__((warn_unused_result));
/* Replace path with len bytes, mode 0600 or 0644, atomically. -1 with e set. */
int	 warns_file_write(const char *path, const void *buf, size_t len, int mode,
	    struct cerr *e) __attribute__((warn_unused_result));

/* The root pinned in the home dir: 1 and root, 0 if none, -1 with e set. */
int	 warns_root_load(const char *dir, uint8_t root[YISHI_PK_BYTES], struct cerr *e)
	    __attribute__((warn_unused_result));
int	 warns_root_save(const char *dir, const uint8_t root[YISHI_PK_BYTES], struct cerr *e)
	    __attribute__((warn_unused_result));

/*
 * An issuer certificate from path (binary, or the hex `yishi-admin issuer` prints), or
 * with path NULL the one stored in dir; into cert (WARN_CERT_MAX bytes), decoded into
 * *c. -1 with e set (CE_INPUT when there is none or it is not an issuer certificate).
 */
int	 warns_cert_load(const char *dir, const char *path, uint8_t *cert, size_t *len,
	    struct warn_cert *c, struct cerr *e) __attribute__((warn_unused_result));
int	 warns_cert_save(const char *dir, const uint8_t *cert, size_t len, struct cerr *e)
	    __attribute__((warn_unused_result));

/*
 * A time given as a CAP time ("2025-06-01T18:00:00+08:00"), a day ("2025-06-01",
 * the end of it, UTC) or a duration from now ("90s", "30m", "2h", "3d"); whole
 * seconds. -1 if it is none of these.
 */
int	 warns_when(const char *s, uint64_t now_ms, uint64_t *ms)
	    __attribute__((warn_unused_result));
/* The local UTC offset in minutes, clamped to what CAP allows. */
int	 warns_tz_min(uint64_t ms);

/*
 * Split a comma-separated list into n slots of width bytes (NUL included); empty
 * items are refused. Returns the count, or -1 (too many, too long, empty).
 */
int	 warns_split(const char *s, char *slots, int n, size_t width);
/* Join n slots of width bytes with commas into out (WARNS_LIST_MAX bytes is enough for areas). */
char	*warns_join(char *out, size_t outlen, const char *slots, int n, size_t width);

#endif
