/*
 * post.h: a group message as the client sees it: sealed for sending, checked and
 * opened for showing.
 *
 * Opening follows one order, so that nothing unverified is ever shown as text:
 * the header must decode canonically and name the group it was delivered in, the
 * sender's signature over header, nonce and ciphertext must verify, the key of the
 * header's epoch must be at hand, and the ciphertext and body must open.
 */
#ifndef YISHI_CLIENT_POST_H
#define YISHI_CLIENT_POST_H

#include <stddef.h>
#include <stdint.h>

#include "client/keyring.h"
#include "proto/crypto.h"
#include "proto/wire.h"

/* What a received message shows; text is valid only if ok. */
struct post {
	uint64_t	seq;
	uint64_t	ts;				/* node time, ms */
	char		sender_name[WIRE_MAX_NAME + 1];	/* as the node reports it */
	int		have_hdr;			/* hdr below decoded */
	struct msg_hdr	hdr;
	int		ok;
	int		nokey;				/* failed only for want of a key */
	int		redacted;			/* a tombstone: no text any more */
	uint8_t		redacted_by[YISHI_PK_BYTES];	/* the moderator who redacted it */
	char		reason[256 + 1];		/* and why, as the node reports it */
	char		redacted_by_name[WIRE_MAX_NAME + 1];	/* filled by the caller, or "" */
	char		error[128];
	char		text[WIRE_MAX_TEXT + 1];
};

/* A message sealed for sending, with the buffers a "send" record points into. */
struct post_sealed {
	struct msg_hdr	hdr;
	uint8_t		hdrbuf[YISHI_HDR_MAX];
	size_t		hdrlen;
	uint8_t		nonce[YISHI_NONCE_BYTES];
	uint8_t		ct[WIRE_MAX_CT];
	size_t		ctlen;
	uint8_t		sig[YISHI_SIG_BYTES];
};

/*
 * Seal text (len bytes, at most WIRE_MAX_TEXT) from me to group gid under the key
 * of epoch, with a fresh message id and the current time. -1 if text is too long.
 */
int	 post_seal(struct post_sealed *ps, const struct ident *me,
	    const uint8_t gid[YISHI_GID_BYTES], uint32_t epoch, const uint8_t key[YISHI_KEY_BYTES],
	    const char *text, size_t len) __attribute__((warn_unused_result));
/* Fill a "send" request record pointing into ps (which must outlive r). */
void	 post_sealed_rec(const struct post_sealed *ps, struct wire_rec *r);

/*
 * The epoch a received message (a "msgs" element or a "msg" event) is sealed
 * under, or 0 if its header does not decode (or it is a tombstone).
 */
uint32_t post_epoch(const struct wire_rec *m);
/*
 * Check and open received message m, delivered in group gid, with the keys in kr
 * (NULL: none). Always fills p; p->ok says whether p->text may be shown. A
 * redacted message (history keeps only seq, ts, who and why) sets p->redacted.
 */
void	 post_open(struct post *p, const struct wire_rec *m, const uint8_t gid[YISHI_GID_BYTES],
	    const struct keyring *kr);

#endif
