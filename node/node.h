/*
 * node.h: the station node's configuration and the objects its two threads share.
 *
 * yishi-node runs two threads (DESIGN.md): the edge (libwebsockets: sessions, frame
 * decode, signature checks) and the core (libevent: every decision and every LMDB
 * write). They exchange owned items through two queues (queue.h) and refcounted
 * encoded frames (oframe.h); nothing else is shared.
 */
#ifndef YISHI_NODE_H
#define YISHI_NODE_H

#include <stddef.h>
#include <stdint.h>

#include "proto/crypto.h"

#define NODE_DEFAULT_MAX_GROUP		500	/* members per group */
#define NODE_DEFAULT_RATE_PER_MIN	60	/* messages per user per minute, sustained */
#define NODE_DEFAULT_RATE_BURST		30	/* messages a user may send at once */
#define NODE_DEFAULT_GROUP_RATE_PER_MIN	600	/* messages into one group per minute */
#define NODE_DEFAULT_GROUP_RATE_BURST	120
#define NODE_DEFAULT_MAX_SESSIONS	20000
#define NODE_DEFAULT_NEWCOMER_SLOW	2	/* seconds between a newcomer's messages */
#define NODE_NEWCOMER_MS		(10ULL * 60 * 1000)	/* how long one is a newcomer */
#define NODE_INVITE_TTL_MS		(7ULL * 24 * 3600 * 1000)
#define NODE_SESSION_QUEUE_MAX		(8u << 20)	/* bytes queued to one slow client */

#define NODE_MAX_ESCALATE	8
#define NODE_MAX_DEPTS		32

struct node_conf {
	const char	*data_dir;
	char		 host[64];
	int		 port;		/* 0: let the kernel choose */
	uint32_t	 max_group;
	uint32_t	 rate_per_min;
	uint32_t	 rate_burst;
	uint32_t	 group_rate_per_min;
	uint32_t	 group_rate_burst;
	uint32_t	 max_sessions;
	uint32_t	 newcomer_slow;	/* seconds between messages in a member's first minutes */
	uint64_t	 deadline_s[3][2];	/* claim deadline by report kind, [urgent] */
	uint8_t		 escalate_to[NODE_MAX_ESCALATE][32];	/* parent-level readers */
	int		 nescalate;
	char		 depts[NODE_MAX_DEPTS][65];	/* transfer destinations */
	int		 ndepts;
	char		 parent[65];	/* the parent node, by name, for the outbox */
	uint8_t		 root[32];	/* federation root public key, for warnings */
	int		 has_root;
	int		 verbose;
};

/* Identity and descriptive settings loaded from the store at start. */
struct node_ident {
	struct ident	id;
	char		name[65];
	char		area[13];
};

/*
 * Make room for one more element in a growable array holding n elements of size
 * bytes, with capacity *cap (doubling, from 16). Returns the array, moved if it had
 * to grow, or NULL when memory runs out (the array is then untouched).
 */
void		*node_grow(void *arr, size_t n, size_t *cap, size_t size)
		    __attribute__((warn_unused_result));

/*
 * Every setting at its default: the limits above, the claim deadlines (fraud 1 h,
 * urgent 3 min; dispute 24 h, urgent 1 h; non-police 3 days, urgent 1 day), the
 * departments non-police cases go to, and "bureau" as the parent. Command-line
 * options override them.
 */
void		 node_conf_defaults(struct node_conf *conf);

/* Milliseconds since the Unix epoch. */
uint64_t	 node_now_ms(void);

#endif
