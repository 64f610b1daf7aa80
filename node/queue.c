/* queue.c: see queue.h. */
#include "node/queue.h"

#include <stdlib.h>

#include "node/oframe.h"
#include "proto/log.h"

void
queue_init(struct queue *q)
{
	pthread_mutex_init(&q->lock, NULL);
	q->head = q->tail = NULL;
}

void
queue_destroy(struct queue *q)
{
	struct qitem *it, *next;

	for (it = queue_take_all(q); it != NULL; it = next) {
		next = it->next;
		queue_item_free(it);
	}
	pthread_mutex_destroy(&q->lock);
}

int
queue_push(struct queue *q, struct qitem *it)
{
	int was_empty;

	it->next = NULL;
	pthread_mutex_lock(&q->lock);
	was_empty = q->head == NULL;
	if (was_empty)
		q->head = it;
	else
		q->tail->next = it;
	q->tail = it;
	pthread_mutex_unlock(&q->lock);
	return was_empty;
}

struct qitem *
queue_take_all(struct queue *q)
{
	struct qitem *it;

	pthread_mutex_lock(&q->lock);
	it = q->head;
	q->head = q->tail = NULL;
	pthread_mutex_unlock(&q->lock);
	return it;
}

struct qitem *
queue_item_new(enum qitem_type type, sid_t sid)
{
	struct qitem *it;

	if ((it = calloc(1, sizeof *it)) == NULL)
		fatal("queue_item_new");
	it->type = type;
	it->sid = sid;
	return it;
}

void
queue_item_free(struct qitem *it)
{
	if (it->frame != NULL) {
		wire_frame_free(it->frame);
		free(it->frame);
	}
	oframe_unref(it->out);
	free(it->sids);
	free(it);
}
