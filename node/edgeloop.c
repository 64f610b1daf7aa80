/* edgeloop.c: see edgeloop.h. */
#include "node/edgeloop.h"

#include <stdlib.h>

#include <ev.h>

struct edgeloop {
	struct ev_loop	*loop;
	ev_async	 stop_w;
	ev_timer	 turn_w;	/* bounds edgeloop_run_once()'s wait */
};

static void
edgeloop_stop_cb(struct ev_loop *loop, ev_async *w, int revents)
{
	(void)w;
	(void)revents;
	ev_break(loop, EVBREAK_ALL);
}

static void
edgeloop_turn_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)w;
	(void)revents;	/* firing is what ends the wait */
}

struct edgeloop *
edgeloop_new(void)
{
	struct edgeloop *l;

	if ((l = calloc(1, sizeof *l)) == NULL)
		return NULL;
	/* EVFLAG_NOSIGMASK: signals belong to the core thread; libev leaves them alone. */
	if ((l->loop = ev_loop_new(EVFLAG_AUTO | EVFLAG_NOSIGMASK)) == NULL) {
		free(l);
		return NULL;
	}
	ev_async_init(&l->stop_w, edgeloop_stop_cb);
	ev_async_start(l->loop, &l->stop_w);
	ev_timer_init(&l->turn_w, edgeloop_turn_cb, 0., 0.);
	return l;
}

void *
edgeloop_foreign(struct edgeloop *l)
{
	return l->loop;
}

const char *
edgeloop_backend(const struct edgeloop *l)
{
	switch (ev_backend(l->loop)) {
	case EVBACKEND_EPOLL:
		return "epoll";
	case EVBACKEND_POLL:
		return "poll";
	case EVBACKEND_SELECT:
		return "select";
	default:
		return "other";
	}
}

void
edgeloop_run(struct edgeloop *l)
{
	ev_run(l->loop, 0);
}

void
edgeloop_run_once(struct edgeloop *l, long long timeout_us)
{
	ev_timer_set(&l->turn_w, timeout_us > 0 ? (ev_tstamp)timeout_us / 1e6 : 0., 0.);
	ev_timer_start(l->loop, &l->turn_w);
	ev_run(l->loop, EVRUN_ONCE);
	ev_timer_stop(l->loop, &l->turn_w);
}

void
edgeloop_stop(struct edgeloop *l)
{
	ev_async_send(l->loop, &l->stop_w);
}

void
edgeloop_free(struct edgeloop *l)
{
	if (l == NULL)
		return;
	ev_async_stop(l->loop, &l->stop_w);
	ev_timer_stop(l->loop, &l->turn_w);
	ev_run(l->loop, EVRUN_NOWAIT);
	ev_loop_destroy(l->loop);
	free(l);
}
