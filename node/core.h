/*
 * core.h: the core thread: every decision and every durable write.
 *
 * The core runs a libevent loop. Each turn it takes every request the edge queued,
 * dispatches each to its handler (user.c, group.c, msg.c, keys.c), and commits all
 * their writes in ONE LMDB transaction. Replies and events produced in the turn are
 * held until that commit returned, then handed to the edge: nothing is acknowledged
 * before it is on disk. If the commit fails, every reply of the turn becomes an
 * "internal" error and the sessions involved are closed.
 */
#ifndef YISHI_CORE_H
#define YISHI_CORE_H

#include <stdint.h>

#include <lmdb.h>

#include "node/node.h"
#include "node/queue.h"
#include "proto/wire.h"

struct event_base;
struct store;
struct oframe;

#define CORE_ROLE_MAX	17

struct core_session {
	sid_t		 sid;
	int		 authed;
	uint8_t		 user[32];
	char		 name[65];
	char		 role[CORE_ROLE_MAX];	/* station role */
	int		 subscribed;
	int		 sub_all;		/* subscribed to all the user's groups */
	uint8_t		(*groups)[16];		/* subscribed groups the user is a member of */
	uint32_t	 ngroups, capgroups;
};

/* One subscription: session slot listens to group gid. Kept sorted for bsearch. */
struct core_sub {
	uint8_t		 gid[16];
	uint32_t	 slot;
};

struct core_rate {
	uint8_t		 user[32];
	double		 tokens;
	uint64_t	 last_ms;
};

struct core {
	struct event_base	*base;
	struct event		*wake;
	struct event		*sigint, *sigterm;
	struct event		*deadline_ev;	/* the next case deadline */
	uint64_t		 deadline_at;	/* when it fires, 0 if not armed */
	struct store		*st;
	MDB_txn			*txn;		/* this turn's write transaction, lazily begun */
	const struct node_conf	*conf;
	const struct node_ident	*ident;
	struct queue		*in;		/* edge -> core */
	struct queue		*out;		/* core -> edge */
	void			(*wake_edge)(void *);
	void			*wake_edge_arg;
	struct core_session	**sess;		/* by slot */
	uint32_t		 nslots;
	struct qitem		*pend, *pend_tail;	/* held until commit */
	struct core_sub		*subs;		/* sorted by (gid, slot): who hears a group */
	size_t			 nsubs, capsubs;
	sid_t			*fan;		/* scratch: recipients of one fan-out */
	size_t			 capfan;
	struct core_rate	*rates;		/* sorted by user, for bsearch */
	size_t			 nrates, caprates;
	uint64_t		 turns, commits;
};

/* Handler of one request kind. rid is the request id to put in the reply. */
typedef void core_handler(struct core *c, struct core_session *s, struct wire_frame *f,
    struct qitem *it);

/* Set up and run the loop until SIGINT/SIGTERM or core_stop(); returns 0 on a clean stop. */
int	 core_init(struct core *c, struct event_base *base, struct store *st,
	    const struct node_conf *conf, const struct node_ident *ident, struct queue *in,
	    struct queue *out) __attribute__((warn_unused_result));
void	 core_free(struct core *c);
/* Called by the edge thread after pushing to c->in: wakes the core. Thread-safe. */
void	 core_wake(struct core *c);

/* The turn's write transaction, begun on first use; NULL if LMDB refused. */
MDB_txn	*core_txn(struct core *c);

/* Encode and hold a reply (kind k, fields r) to session s for request rid. */
void	 core_reply(struct core *c, struct core_session *s, uint64_t rid, enum wire_kind k,
	    const struct wire_rec *r);
void	 core_reply_ok(struct core *c, struct core_session *s, uint64_t rid);
void	 core_error(struct core *c, struct core_session *s, uint64_t rid, int code,
	    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Encode a frame once for sharing; NULL (logged) on failure. */
struct oframe *core_encode(enum wire_kind k, const struct wire_rec *r);
/* Hold an event frame for session s (takes a new reference). */
void	 core_event(struct core *c, struct core_session *s, struct oframe *f);
/* Hold f once for every session subscribed to gid (one queue item for all). */
void	 core_group_event(struct core *c, const uint8_t gid[16], struct oframe *f);
/* Hold f for every subscribed session of user. */
void	 core_user_event(struct core *c, const uint8_t user[32], struct oframe *f);
/* The user's sessions stop hearing gid (removed from the group). */
void	 core_user_left(struct core *c, const uint8_t user[32], const uint8_t gid[16]);
/* Close every session of user once what is queued for them is written. */
void	 core_user_kick(struct core *c, const uint8_t user[32]);
/* Tell the user's subscribed sessions that they are now a member of gid. */
void	 core_user_joined(struct core *c, const uint8_t user[32], const uint8_t gid[16]);

/* A growing list of group ids; core_gids_add is a store_user_groups_iter callback. */
struct core_gids {
	uint8_t		(*gid)[16];
	size_t		  n, cap;
};
int	 core_gids_add(const uint8_t gid[16], void *arg);

int	 core_session_in_group(const struct core_session *s, const uint8_t gid[16]);
/* Subscribe session s to gid (idempotent); -1 on ENOMEM. */
int	 core_session_add_group(struct core *c, struct core_session *s, const uint8_t gid[16]);
/* Drop every subscription of s. */
void	 core_session_clear_groups(struct core *c, struct core_session *s);

/*
 * Token buckets by 32-byte key (a user's key; a group id padded with zeros): 0 if
 * one more message may go now, else the ms until it may.
 */
uint64_t core_rate_take(struct core *c, const uint8_t key[32], uint32_t per_min, uint32_t burst);

/* Handlers, one per request kind. */
core_handler	user_register, user_login, user_role_grant;
core_handler	group_create, group_list, group_members, group_invite_create, group_join,
		group_subscribe;
core_handler	mod_moderate, mod_log, mod_flag, mod_flags_get;
core_handler	case_queue_info, case_report, case_list, case_get, case_act, case_stats;
core_handler	warn_issue, warn_list;
/*
 * Open an urgent fraud case for a high-risk alert about one person of this station:
 * reported by the node itself, its text sealed to the anti-fraud handlers. id is the
 * case id (the alert's). 0 or -1.
 */
int	 case_open_alert(struct core *c, const uint8_t id[16], const char *area,
	    const char *fraud_type, const char *headline, const char *text);

/* Cases: which station roles handle a queue; claim deadlines; the deadline sweep. */
int	 case_role_handles(const char *role, int queue);
uint64_t case_deadline_ms(const struct node_conf *conf, int kind, int urgent);
/* Escalate what is overdue (in the current turn); returns the next deadline or 0. */
uint64_t case_deadlines_run(struct core *c);
/* Make sure the deadline timer fires by ms. */
void	 core_deadline_arm(struct core *c, uint64_t ms);
/* Arm the deadline timer from the store at start; 0 or -1. */
int	 core_deadline_start(struct core *c);
core_handler	msg_send, msg_history;
core_handler	keys_get, keys_put, keys_needed;

/*
 * Load group gid and the session user's member record; 0 if they are a member, else
 * an error reply was held and -1 returned.
 */
struct group_rec;
struct member_rec;
int	 group_require_member(struct core *c, struct core_session *s, uint64_t rid,
	    const uint8_t *gid, struct group_rec *g, struct member_rec *m);
/* Admit user to g as role (member record, count, announcements); 0 or -1. */
int	 group_admit(struct core *c, MDB_txn *txn, struct group_rec *g, const uint8_t user[32],
	    const char *role);
/* Tell g's online members that user needs the current epoch key. */
void	 group_announce_need(struct core *c, const struct group_rec *g, const uint8_t user[32]);
/* Remove user from g: member record, count; a member's removal starts a new epoch
 * seeded by rotator. 0, STORE_NOTFOUND or -1. */
int	 mod_remove_member(struct core *c, struct group_rec *g, const uint8_t user[32],
	    const uint8_t rotator[32]);

/* Hash of an enrollment code as kept in node_meta. */
void	 user_enroll_hash(const char *code, uint8_t out[32]);

/* Role checks shared by handlers. */
int	 role_is_station(const char *role);	/* a valid station role name */
int	 role_can_found_group(const char *role);

#endif
