/*
 * oframe.h: an encoded outgoing frame, shared by reference.
 *
 * A group message goes to every online member as the same bytes, so it is encoded
 * once and each recipient session holds a reference. The buffer keeps LWS_PRE bytes
 * of headroom in front of the payload for lws_write(). References may be taken and
 * dropped from either thread.
 */
#ifndef YISHI_OFRAME_H
#define YISHI_OFRAME_H

#include <stdatomic.h>
#include <stddef.h>

#include <msgpack.h>

struct oframe {
	atomic_uint	 ref;
	size_t		 len;		/* payload bytes at data + OFRAME_PRE */
	unsigned char	 data[];
};

/* Copy the payload of sb into a new frame with one reference; NULL on ENOMEM. */
struct oframe	*oframe_new(const msgpack_sbuffer *sb);
struct oframe	*oframe_ref(struct oframe *f);
void		 oframe_unref(struct oframe *f);
unsigned char	*oframe_payload(struct oframe *f);

#endif
