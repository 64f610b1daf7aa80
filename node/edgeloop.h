/*
 * edgeloop.h: the event loop the edge thread runs libwebsockets on.
 *
 * libwebsockets' default loop poll()s every connection on each wakeup, so with
 * thousands of idle residents connected each incoming frame costs a scan of all of
 * them (docs/benchmarks.md measured 75 % of the node's CPU there). Debian's
 * libwebsockets 4.1 has no libevent support but ships its libev plugin, so the edge
 * runs lws on a libev loop (epoll on Linux) that it owns as a "foreign" loop: each
 * wakeup then costs in proportion to the connections that are ready. The loop lives
 * in its own file because libev's and libevent's headers define the same names.
 */
#ifndef YISHI_EDGELOOP_H
#define YISHI_EDGELOOP_H

struct edgeloop;

/*
 * A new loop. The caller owns it (edgeloop_free). NULL when libev cannot create a
 * loop.
 */
struct edgeloop	*edgeloop_new(void) __attribute__((warn_unused_result));
/* The libev loop, for lws_context_creation_info.foreign_loops. */
void		*edgeloop_foreign(struct edgeloop *l);
/* The name of the kernel mechanism the loop waits with ("epoll", "poll", ...). */
const char	*edgeloop_backend(const struct edgeloop *l);
/* Run the loop in the calling thread until edgeloop_stop(). */
void		 edgeloop_run(struct edgeloop *l);
/*
 * One turn: wait at most timeout_us for something to happen, handle it, return (for
 * a caller with a loop of its own around it, as the benchmark's load generator).
 */
void		 edgeloop_run_once(struct edgeloop *l, long long timeout_us);
/*
 * Make edgeloop_run() return. Thread-safe, and safe in a signal handler (an ev_async
 * wakeup).
 */
void		 edgeloop_stop(struct edgeloop *l);
/*
 * Free the loop once no thread runs it and whatever used it (the lws context) is
 * destroyed; runs what those left pending first. NULL is accepted.
 */
void		 edgeloop_free(struct edgeloop *l);

#endif
