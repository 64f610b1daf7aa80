/*
 * edge.h: the edge thread: libwebsockets sessions, frame decode, signature checks.
 *
 * The edge owns every connection. It decodes each WebSocket message strictly
 * (wire_decode), answers malformed frames itself with an error frame, verifies login
 * and message signatures (so the core thread spends no time on Ed25519), and queues
 * what remains for the core. Frames from the core arrive on the out queue and are
 * written in order, one per writeable callback.
 */
#ifndef YISHI_EDGE_H
#define YISHI_EDGE_H

#include <pthread.h>
#include <stdint.h>

#include "node/node.h"
#include "node/queue.h"

struct lws_context;
struct lws_vhost;
struct edge_sess;
struct edgeloop;
struct core;

struct edge {
	struct lws_context	 *ctx;
	struct lws_vhost	 *vh;
	struct edgeloop		 *loop;		/* the loop lws runs on (edgeloop.h) */
	pthread_t		  thread;
	int			  running;
	int			  port;		/* the port actually bound */
	const struct node_conf	 *conf;
	const struct node_ident	 *ident;
	struct core		 *core;
	struct queue		 *in;		/* edge -> core */
	struct queue		 *out;		/* core -> edge */
	struct edge_sess	**slots;	/* by slot index */
	uint32_t		 *gens;		/* generation of each slot */
	uint32_t		 *free_slots;	/* stack of free slot indexes */
	uint32_t		  nfree, nslots;
	msgpack_sbuffer		  batch;	/* scratch for batch frames, LWS_PRE first */
	unsigned char		  pre[64];	/* zeros: the LWS_PRE headroom */
};

/*
 * Create the listening context (in the calling thread, so a port in use is reported
 * before anything starts). Returns 0, or -1 with a sentence for the operator in err.
 */
int	 edge_init(struct edge *e, const struct node_conf *conf, const struct node_ident *ident,
	    struct core *core, struct queue *in, struct queue *out, char *err, size_t errlen)
	    __attribute__((warn_unused_result));
/* Start servicing in the edge thread. */
int	 edge_start(struct edge *e) __attribute__((warn_unused_result));
/* Wake the edge to drain its out queue. Thread-safe (lws_cancel_service). */
void	 edge_wake(void *e);
/* Stop the thread, close every session, free everything. */
void	 edge_stop(struct edge *e);

#endif
