/*
 * queue.h: the two one-way queues between the edge and core threads.
 *
 * Items are owned: whoever pushes gives the item away, whoever pops frees it
 * (queue_item_free). A push reports whether the queue was empty, so the pusher
 * wakes the other thread once per batch, not once per item.
 */
#ifndef YISHI_QUEUE_H
#define YISHI_QUEUE_H

#include <pthread.h>
#include <stdint.h>

#include "proto/crypto.h"
#include "proto/wire.h"

struct oframe;

enum qitem_type {
	QI_OPEN,	/* edge -> core: a session connected */
	QI_CLOSE,	/* edge -> core: a session is gone */
	QI_FRAME,	/* edge -> core: a decoded, pre-checked request */
	QI_SEND,	/* core -> edge: send frame to session */
	QI_KICK,	/* core -> edge: send frame (if any), then close the session */
	QI_FANOUT,	/* core -> edge: send one frame to each of sids[0..nsids) */
};

/* Session ids: slot index in the low 32 bits, slot generation in the high 32 bits. */
typedef uint64_t sid_t;
#define SID_SLOT(s)	((uint32_t)(s))
#define SID_GEN(s)	((uint32_t)((s) >> 32))
#define SID_MAKE(slot, gen)	(((uint64_t)(gen) << 32) | (slot))

struct qitem {
	struct qitem		*next;
	enum qitem_type		 type;
	sid_t			 sid;
	struct wire_frame	*frame;		/* QI_FRAME */
	struct msg_hdr		 hdr;		/* QI_FRAME of kind send: decoded, signature checked */
	struct oframe		*out;		/* QI_SEND, QI_KICK: one reference */
	int			 is_reply;	/* a reply: answers one request of the session */
	uint64_t		 rid;		/* the request a reply answers */
	sid_t			*sids;		/* QI_FANOUT: recipients (owned) */
	uint32_t		 nsids;
};

struct queue {
	pthread_mutex_t	 lock;
	struct qitem	*head, *tail;
};

void		 queue_init(struct queue *q);
void		 queue_destroy(struct queue *q);	/* frees what is left */
/* Append; returns 1 if the queue was empty before. */
int		 queue_push(struct queue *q, struct qitem *it);
/* Take every item, in order; NULL when empty. */
struct qitem	*queue_take_all(struct queue *q);
struct qitem	*queue_item_new(enum qitem_type type, sid_t sid);
void		 queue_item_free(struct qitem *it);

#endif
