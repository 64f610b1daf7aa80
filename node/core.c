/* core.c: the core thread's loop, sessions, turn commit and fan-out. See core.h. */
#include "node/core.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <event2/event.h>

#include "node/oframe.h"
#include "proto/log.h"
#include "storage/store.h"

static const struct core_route {
	enum wire_kind	 kind;
	int		 auth;		/* requires a logged-in session */
	core_handler	*fn;
} core_routes[] = {
	{ WK_REGISTER, 0, user_register },
	{ WK_LOGIN, 0, user_login },
	{ WK_ROLE_GRANT, 1, user_role_grant },
	{ WK_GROUP_CREATE, 1, group_create },
	{ WK_GROUP_LIST, 1, group_list },
	{ WK_GROUP_MEMBERS, 1, group_members },
	{ WK_INVITE_CREATE, 1, group_invite_create },
	{ WK_JOIN, 1, group_join },
	{ WK_MODERATE, 1, mod_moderate },
	{ WK_MOD_LOG, 1, mod_log },
	{ WK_FLAG, 1, mod_flag },
	{ WK_FLAGS_GET, 1, mod_flags_get },
	{ WK_QUEUE_INFO, 1, case_queue_info },
	{ WK_REPORT, 1, case_report },
	{ WK_CASE_LIST, 1, case_list },
	{ WK_CASE_GET, 1, case_get },
	{ WK_CASE_ACT, 1, case_act },
	{ WK_STATS_GET, 1, case_stats },
	{ WK_WARN_ISSUE, 1, warn_issue },
	{ WK_WARN_LIST, 1, warn_list },
	{ WK_SEND, 1, msg_send },
	{ WK_HISTORY, 1, msg_history },
	{ WK_KEYS_GET, 1, keys_get },
	{ WK_KEYS_PUT, 1, keys_put },
	{ WK_KEYS_NEEDED, 1, keys_needed },
	{ WK_SUBSCRIBE, 1, group_subscribe },
};

static void	core_wake_cb(evutil_socket_t, short, void *);
static void	core_deadline_cb(evutil_socket_t, short, void *);
static void	core_turn_end(struct core *);
static void	core_signal_cb(evutil_socket_t, short, void *);

int
core_init(struct core *c, struct event_base *base, struct store *st,
    const struct node_conf *conf, const struct node_ident *ident, struct queue *in,
    struct queue *out)
{
	memset(c, 0, sizeof *c);
	c->base = base;
	c->st = st;
	c->conf = conf;
	c->ident = ident;
	c->in = in;
	c->out = out;
	c->nslots = conf->max_sessions;
	if ((c->sess = calloc(c->nslots, sizeof *c->sess)) == NULL)
		return -1;
	c->wake = event_new(base, -1, 0, core_wake_cb, c);
	c->sigint = evsignal_new(base, SIGINT, core_signal_cb, c);
	c->sigterm = evsignal_new(base, SIGTERM, core_signal_cb, c);
	c->deadline_ev = evtimer_new(base, core_deadline_cb, c);
	if (c->wake == NULL || c->deadline_ev == NULL || c->sigint == NULL || c->sigterm == NULL ||
	    evsignal_add(c->sigint, NULL) == -1 || evsignal_add(c->sigterm, NULL) == -1) {
		core_free(c);
		return -1;
	}
	return 0;
}

static void
core_session_free(struct core_session *s)
{
	if (s == NULL)
		return;
	free(s->groups);
	free(s);
}

void
core_free(struct core *c)
{
	uint32_t i;

	if (c->txn != NULL)
		store_abort(c->txn);
	c->txn = NULL;

	for (i = 0; c->sess != NULL && i < c->nslots; i++)
		core_session_free(c->sess[i]);
	free(c->sess);
	free(c->subs);
	free(c->fan);
	free(c->rates);
	if (c->wake != NULL)
		event_free(c->wake);
	if (c->sigint != NULL)
		event_free(c->sigint);
	if (c->sigterm != NULL)
		event_free(c->sigterm);
	if (c->deadline_ev != NULL)
		event_free(c->deadline_ev);
	c->deadline_ev = NULL;
	c->sess = NULL;
	c->subs = NULL;
	c->fan = NULL;
	c->rates = NULL;
	c->wake = c->sigint = c->sigterm = NULL;
}

void
core_wake(struct core *c)
{
	/* Thread-safe with evthread_use_pthreads(), which main() calls first. */
	event_active(c->wake, EV_READ, 0);
}

static void
core_signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct core *c = arg;

	(void)what;
	log_info("received %s, shutting down", sig == SIGINT ? "SIGINT" : "SIGTERM");
	event_base_loopbreak(c->base);
}

MDB_txn *
core_txn(struct core *c)
{
	if (c->txn == NULL && store_begin(c->st, 1, &c->txn) != 0) {
		c->txn = NULL;
		return NULL;
	}
	return c->txn;
}

static void
core_hold(struct core *c, enum qitem_type type, sid_t sid, struct oframe *f, int is_reply)
{
	struct qitem *it;

	it = queue_item_new(type, sid);
	it->out = f;
	it->is_reply = is_reply;
	if (c->pend_tail == NULL)
		c->pend = it;
	else
		c->pend_tail->next = it;
	c->pend_tail = it;
}

struct oframe *
core_encode(enum wire_kind k, const struct wire_rec *r)
{
	msgpack_sbuffer sb;
	struct oframe *f = NULL;
	int rc;

	msgpack_sbuffer_init(&sb);
	if ((rc = wire_encode(k, 0, r, &sb)) != WE_OK)
		log_warnx("core: cannot encode %s: %s", wire_kinds[k].name, wire_err_name(rc));
	else if ((f = oframe_new(&sb)) == NULL)
		log_warnx("core: out of memory encoding %s", wire_kinds[k].name);
	msgpack_sbuffer_destroy(&sb);
	return f;
}

void
core_reply(struct core *c, struct core_session *s, uint64_t rid, enum wire_kind k,
    const struct wire_rec *r)
{
	msgpack_sbuffer sb;
	struct oframe *f;
	int rc;

	msgpack_sbuffer_init(&sb);
	if ((rc = wire_encode(k, rid, r, &sb)) != WE_OK) {
		log_warnx("core: cannot encode %s reply: %s", wire_kinds[k].name,
		    wire_err_name(rc));
		msgpack_sbuffer_clear(&sb);
		wire_encode_error(rid, WE_INTERNAL, "the node could not encode its reply", &sb);
	}
	if ((f = oframe_new(&sb)) != NULL) {
		core_hold(c, QI_SEND, s->sid, f, 1);
		c->pend_tail->rid = rid;
	}
	msgpack_sbuffer_destroy(&sb);
}

void
core_reply_ok(struct core *c, struct core_session *s, uint64_t rid)
{
	struct wire_rec r;

	wire_rec_init(&r, &wire_kinds[WK_OK]);
	core_reply(c, s, rid, WK_OK, &r);
}

void
core_error(struct core *c, struct core_session *s, uint64_t rid, int code, const char *fmt, ...)
{
	msgpack_sbuffer sb;
	struct oframe *f;
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	log_debug("session %llx: error %s: %s", (unsigned long long)s->sid, wire_err_name(code),
	    msg);
	msgpack_sbuffer_init(&sb);
	wire_encode_error(rid, code, msg, &sb);
	if ((f = oframe_new(&sb)) != NULL) {
		core_hold(c, QI_SEND, s->sid, f, 1);
		c->pend_tail->rid = rid;
	}
	msgpack_sbuffer_destroy(&sb);
}

void
core_event(struct core *c, struct core_session *s, struct oframe *f)
{
	core_hold(c, QI_SEND, s->sid, oframe_ref(f), 0);
}

int
core_gids_add(const uint8_t gid[16], void *arg)
{
	struct core_gids *v = arg;
	uint8_t (*ng)[16];

	if ((ng = node_grow(v->gid, v->n, &v->cap, sizeof *ng)) == NULL)
		return -1;
	v->gid = ng;
	memcpy(v->gid[v->n++], gid, 16);
	return v->n >= WIRE_MAX_ARRAY;	/* a user in more groups sees the first 1000 */
}

int
core_session_in_group(const struct core_session *s, const uint8_t gid[16])
{
	uint32_t i;

	for (i = 0; i < s->ngroups; i++)
		if (memcmp(s->groups[i], gid, 16) == 0)
			return 1;
	return 0;
}

static int
core_sub_cmp(const uint8_t gid[16], uint32_t slot, const struct core_sub *e)
{
	int d = memcmp(gid, e->gid, 16);

	if (d != 0)
		return d;
	return slot < e->slot ? -1 : slot > e->slot;
}

/* Index of the first subscription >= (gid, slot). */
static size_t
core_sub_lower(const struct core *c, const uint8_t gid[16], uint32_t slot)
{
	size_t lo = 0, hi = c->nsubs, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (core_sub_cmp(gid, slot, &c->subs[mid]) > 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Subscriptions change when a session subscribes, joins or leaves; messages arrive
 * far more often. A sorted array gives the fan-out a contiguous run of slots per
 * group for the price of a memmove on each change.
 */
int
core_session_add_group(struct core *c, struct core_session *s, const uint8_t gid[16])
{
	uint8_t (*ng)[16];
	struct core_sub *nsub;
	uint32_t cap, slot = SID_SLOT(s->sid);
	size_t i;

	if (core_session_in_group(s, gid))
		return 0;
	if (s->ngroups == s->capgroups) {
		cap = s->capgroups ? s->capgroups * 2 : 4;
		if ((ng = reallocarray(s->groups, cap, sizeof *ng)) == NULL)
			return -1;
		s->groups = ng;
		s->capgroups = cap;
	}
	if (c->nsubs == c->capsubs) {
		size_t ncap = c->capsubs ? c->capsubs * 2 : 256;

		if ((nsub = reallocarray(c->subs, ncap, sizeof *nsub)) == NULL)
			return -1;
		c->subs = nsub;
		c->capsubs = ncap;
	}
	memcpy(s->groups[s->ngroups++], gid, 16);
	i = core_sub_lower(c, gid, slot);
	memmove(&c->subs[i + 1], &c->subs[i], (c->nsubs - i) * sizeof *c->subs);
	memcpy(c->subs[i].gid, gid, 16);
	c->subs[i].slot = slot;
	c->nsubs++;
	return 0;
}

static void
core_session_remove_group(struct core *c, struct core_session *s, const uint8_t gid[16])
{
	uint32_t g, slot = SID_SLOT(s->sid);
	size_t i;

	for (g = 0; g < s->ngroups; g++) {
		if (memcmp(s->groups[g], gid, 16) != 0)
			continue;
		i = core_sub_lower(c, gid, slot);
		if (i < c->nsubs && core_sub_cmp(gid, slot, &c->subs[i]) == 0) {
			memmove(&c->subs[i], &c->subs[i + 1],
			    (c->nsubs - i - 1) * sizeof *c->subs);
			c->nsubs--;
		}
		memmove(s->groups[g], s->groups[g + 1], (s->ngroups - g - 1) * 16);
		s->ngroups--;
		return;
	}
}

void
core_session_clear_groups(struct core *c, struct core_session *s)
{
	uint32_t g, slot = SID_SLOT(s->sid);
	size_t i;

	for (g = 0; g < s->ngroups; g++) {
		i = core_sub_lower(c, s->groups[g], slot);
		if (i < c->nsubs && core_sub_cmp(s->groups[g], slot, &c->subs[i]) == 0) {
			memmove(&c->subs[i], &c->subs[i + 1],
			    (c->nsubs - i - 1) * sizeof *c->subs);
			c->nsubs--;
		}
	}
	s->ngroups = 0;
}

void
core_group_event(struct core *c, const uint8_t gid[16], struct oframe *f)
{
	struct qitem *it;
	sid_t *sids;
	size_t i, n = 0;

	for (i = core_sub_lower(c, gid, 0); i < c->nsubs &&
	    memcmp(c->subs[i].gid, gid, 16) == 0; i++) {
		struct core_session *s = c->sess[c->subs[i].slot];

		if (s == NULL || !s->subscribed)
			continue;
		if (n == c->capfan) {
			size_t cap = c->capfan ? c->capfan * 2 : 512;
			sid_t *nf;

			if ((nf = reallocarray(c->fan, cap, sizeof *nf)) == NULL) {
				log_warnx("core: out of memory fanning out");
				return;
			}
			c->fan = nf;
			c->capfan = cap;
		}
		c->fan[n++] = s->sid;
	}
	if (n == 0)
		return;
	if ((sids = reallocarray(NULL, n, sizeof *sids)) == NULL) {
		log_warnx("core: out of memory fanning out");
		return;
	}
	memcpy(sids, c->fan, n * sizeof *sids);
	core_hold(c, QI_FANOUT, 0, oframe_ref(f), 0);
	it = c->pend_tail;
	it->sids = sids;
	it->nsids = (uint32_t)n;
}

void
core_user_event(struct core *c, const uint8_t user[32], struct oframe *f)
{
	uint32_t i;

	for (i = 0; i < c->nslots; i++) {
		struct core_session *s = c->sess[i];

		if (s != NULL && s->subscribed && s->authed && memcmp(s->user, user, 32) == 0)
			core_event(c, s, f);
	}
}

void
core_user_left(struct core *c, const uint8_t user[32], const uint8_t gid[16])
{
	uint32_t i;

	for (i = 0; i < c->nslots; i++) {
		struct core_session *s = c->sess[i];

		if (s != NULL && s->authed && memcmp(s->user, user, 32) == 0)
			core_session_remove_group(c, s, gid);
	}
}

void
core_user_kick(struct core *c, const uint8_t user[32])
{
	uint32_t i;

	for (i = 0; i < c->nslots; i++) {
		struct core_session *s = c->sess[i];

		if (s != NULL && s->authed && memcmp(s->user, user, 32) == 0) {
			core_session_clear_groups(c, s);
			s->authed = 0;
			core_hold(c, QI_KICK, s->sid, NULL, 0);
		}
	}
}

void
core_user_joined(struct core *c, const uint8_t user[32], const uint8_t gid[16])
{
	uint32_t i;

	for (i = 0; i < c->nslots; i++) {
		struct core_session *s = c->sess[i];

		if (s != NULL && s->sub_all && s->authed && memcmp(s->user, user, 32) == 0 &&
		    core_session_add_group(c, s, gid) == -1)
			log_warnx("core: out of memory adding a group to a session");
	}
}

static int
core_rate_cmp(const void *a, const void *b)
{
	return memcmp(a, b, 32);
}

uint64_t
core_rate_take(struct core *c, const uint8_t key[32], uint32_t per_min, uint32_t burst)
{
	struct core_rate *r, *nr;
	const uint8_t *user = key;
	double per_ms = per_min / 60000.0;
	uint64_t now = node_now_ms();
	size_t lo = 0, hi = c->nrates, mid;

	r = c->nrates == 0 ? NULL :
	    bsearch(user, c->rates, c->nrates, sizeof *c->rates, core_rate_cmp);
	if (r == NULL) {
		if (c->nrates == c->caprates) {
			size_t cap = c->caprates ? c->caprates * 2 : 64;

			if ((nr = reallocarray(c->rates, cap, sizeof *nr)) == NULL)
				return 0;	/* no memory to track: let it through */
			c->rates = nr;
			c->caprates = cap;
		}
		while (lo < hi) {
			mid = (lo + hi) / 2;
			if (memcmp(c->rates[mid].user, user, 32) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		memmove(&c->rates[lo + 1], &c->rates[lo], (c->nrates - lo) * sizeof *c->rates);
		c->nrates++;
		r = &c->rates[lo];
		memcpy(r->user, user, 32);
		r->tokens = burst;
		r->last_ms = now;
	}
	r->tokens += (double)(now - r->last_ms) * per_ms;
	if (r->tokens > burst)
		r->tokens = burst;
	r->last_ms = now;
	if (r->tokens >= 1.0) {
		r->tokens -= 1.0;
		return 0;
	}
	return (uint64_t)((1.0 - r->tokens) / per_ms) + 1;
}

static struct core_session *
core_session_get(struct core *c, sid_t sid)
{
	struct core_session *s;

	if (SID_SLOT(sid) >= c->nslots)
		return NULL;
	s = c->sess[SID_SLOT(sid)];
	return s != NULL && s->sid == sid ? s : NULL;
}

static void
core_dispatch(struct core *c, struct qitem *it)
{
	struct core_session *s;
	struct wire_frame *f = it->frame;
	size_t i;

	if ((s = core_session_get(c, it->sid)) == NULL)
		return;		/* closed while the frame was queued */
	for (i = 0; i < sizeof core_routes / sizeof core_routes[0]; i++) {
		const struct core_route *r = &core_routes[i];

		if (r->kind != f->kind)
			continue;
		if (r->auth && !s->authed) {
			core_error(c, s, f->rid, WE_AUTH_REQUIRED,
			    "log in first (send register or login)");
			return;
		}
		if (!r->auth && s->authed) {
			core_error(c, s, f->rid, WE_INVALID, "this session is already logged in");
			return;
		}
		r->fn(c, s, f, it);
		return;
	}
	core_error(c, s, f->rid, WE_UNKNOWN_KIND, "a node does not accept '%s' frames",
	    wire_kinds[f->kind].name);
}

static void
core_item(struct core *c, struct qitem *it)
{
	struct core_session *s;
	uint32_t slot = SID_SLOT(it->sid);

	switch (it->type) {
	case QI_OPEN:
		if (slot >= c->nslots)
			return;
		if (c->sess[slot] != NULL)
			core_session_clear_groups(c, c->sess[slot]);
		core_session_free(c->sess[slot]);
		if ((s = calloc(1, sizeof *s)) == NULL) {
			c->sess[slot] = NULL;
			core_hold(c, QI_KICK, it->sid, NULL, 0);
			return;
		}
		s->sid = it->sid;
		c->sess[slot] = s;
		return;
	case QI_CLOSE:
		if ((s = core_session_get(c, it->sid)) != NULL) {
			core_session_clear_groups(c, s);
			core_session_free(s);
			c->sess[slot] = NULL;
		}
		return;
	case QI_FRAME:
		core_dispatch(c, it);
		return;
	case QI_SEND:
	case QI_KICK:
	case QI_FANOUT:
		break;
	}
	log_warnx("core: unexpected queue item type %d", it->type);
}

/* Hand a list of held items to the edge; returns whether anything went. */
static int
core_release(struct core *c, struct qitem *it)
{
	struct qitem *next;
	int pushed = 0;

	for (; it != NULL; it = next) {
		next = it->next;
		queue_push(c->out, it);
		pushed = 1;
	}
	return pushed;
}

/* The commit failed: replies become errors that close their sessions; events go. */
static void
core_fail_pending(struct core *c, struct qitem *it)
{
	struct qitem *next;
	msgpack_sbuffer sb;

	for (; it != NULL; it = next) {
		next = it->next;
		if (!it->is_reply) {
			queue_item_free(it);
			continue;
		}
		oframe_unref(it->out);
		msgpack_sbuffer_init(&sb);
		wire_encode_error(it->rid, WE_INTERNAL, "the node failed to store; nothing "
		    "was accepted", &sb);
		it->out = oframe_new(&sb);
		msgpack_sbuffer_destroy(&sb);
		it->type = QI_KICK;
		queue_push(c->out, it);
	}
}

/* End of a turn: commit, then release what the turn produced. */
static void
core_turn_end(struct core *c)
{
	int pushed;

	if (c->txn != NULL && store_commit(c->txn) != 0) {
		c->txn = NULL;
		c->commits++;
		log_warnx("core: commit failed: refusing every request of this turn");
		core_fail_pending(c, c->pend);
		pushed = 1;
	} else {
		if (c->txn != NULL)
			c->commits++;
		c->txn = NULL;
		pushed = core_release(c, c->pend);
	}
	c->pend = c->pend_tail = NULL;
	if (pushed && c->wake_edge != NULL)
		c->wake_edge(c->wake_edge_arg);
}

static void
core_wake_cb(evutil_socket_t fd, short what, void *arg)
{
	struct core *c = arg;
	struct qitem *it, *next;

	(void)fd;
	(void)what;
	c->turns++;
	for (it = queue_take_all(c->in); it != NULL; it = next) {
		next = it->next;
		core_item(c, it);
		queue_item_free(it);
	}
	core_turn_end(c);
}

void
core_deadline_arm(struct core *c, uint64_t ms)
{
	struct timeval tv;
	uint64_t now = node_now_ms(), wait;

	if (ms == 0 || (c->deadline_at != 0 && c->deadline_at <= ms))
		return;
	wait = ms > now ? ms - now : 0;
	tv.tv_sec = (time_t)(wait / 1000);
	tv.tv_usec = (suseconds_t)(wait % 1000) * 1000;
	evtimer_add(c->deadline_ev, &tv);
	c->deadline_at = ms;
}

/* Deadlines are a core turn of their own: escalations commit like any request. */
static void
core_deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	struct core *c = arg;
	uint64_t next;

	(void)fd;
	(void)what;
	c->deadline_at = 0;
	next = case_deadlines_run(c);
	core_turn_end(c);
	core_deadline_arm(c, next);
}

int
core_deadline_start(struct core *c)
{
	uint8_t id[16];
	uint64_t ms;
	MDB_txn *txn;
	int rc;

	if (store_begin(c->st, 0, &txn) != 0)
		return -1;
	rc = store_deadline_first(c->st, txn, &ms, id);
	store_abort(txn);
	if (rc < 0)
		return -1;
	if (rc == 0)
		core_deadline_arm(c, ms);	/* past ones fire at once, across restarts */
	return 0;
}

int
role_is_station(const char *role)
{
	static const char *const roles[] = {
		"resident", "police", "auxiliary", "grid", "mediator", "admin",
	};
	size_t i;

	for (i = 0; i < sizeof roles / sizeof roles[0]; i++)
		if (strcmp(role, roles[i]) == 0)
			return 1;
	return 0;
}

int
role_can_found_group(const char *role)
{
	/* Mediators open the private rooms of their mediations as groups. */
	return strcmp(role, "police") == 0 || strcmp(role, "admin") == 0 ||
	    strcmp(role, "mediator") == 0;
}
