/* oframe.c: see oframe.h. */
#include "node/oframe.h"

#include <stdlib.h>
#include <string.h>

#include <libwebsockets.h>

struct oframe *
oframe_new(const msgpack_sbuffer *sb)
{
	struct oframe *f;

	f = malloc(sizeof *f + LWS_PRE + sb->size);
	if (f == NULL)
		return NULL;
	atomic_init(&f->ref, 1);
	f->len = sb->size;
	memcpy(f->data + LWS_PRE, sb->data, sb->size);
	return f;
}

struct oframe *
oframe_ref(struct oframe *f)
{
	atomic_fetch_add_explicit(&f->ref, 1, memory_order_relaxed);
	return f;
}

void
oframe_unref(struct oframe *f)
{
	if (f != NULL && atomic_fetch_sub_explicit(&f->ref, 1, memory_order_acq_rel) == 1)
		free(f);
}

unsigned char *
oframe_payload(struct oframe *f)
{
	return f->data + LWS_PRE;
}
