/*
 * mod.c: moderation. Every action arrives as an event signed by the moderator (the
 * edge has checked the signature against the event's actor); this file checks the
 * actor's authority, applies the action, appends the event to the group's audit log
 * (or the station's, for station-wide actions) and tells the group.
 *
 * Removing a member starts a new key epoch. The node cannot make the new key; it
 * names the actor the epoch's rotator, whose client seeds the key to the remaining
 * members (keys.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/core.h"
#include "node/oframe.h"
#include "proto/log.h"
#include "proto/modev.h"
#include "storage/store.h"

#define MOD_MUTE_MAX_SECS	(30ULL * 24 * 3600)
#define MOD_SLOW_MAX_SECS	86400

static const uint8_t mod_zero[32];

static int
mod_is_moderator(const struct member_rec *m)
{
	return strcmp(m->state, "member") == 0 &&
	    (strcmp(m->role, "owner") == 0 || strcmp(m->role, "moderator") == 0);
}

/*
 * Append the event to gid's log, with heir (NULL: none) when it hands on the
 * group's ownership; *seq gets its position. 0 or -1 (storage error).
 */
static int
mod_log_put(struct core *c, const uint8_t gid[16], const struct mod_event *ev,
    const struct wire_frame *f, const uint8_t *heir, uint64_t *seq)
{
	struct modlog_rec l;
	uint64_t last;

	if (store_modlog_last(c->st, c->txn, gid, &last) != 0)
		return -1;
	memset(&l, 0, sizeof l);
	memcpy(l.gid, gid, 16);
	l.seq = last + 1;
	l.ts_ms = node_now_ms();
	l.ev = f->r.f[WF_EV].p;
	l.evlen = f->r.f[WF_EV].len;
	l.sig = f->r.f[WF_SIG].p;
	if (heir != NULL)
		memcpy(l.heir, heir, 32);
	if (store_modlog_put(c->st, c->txn, &l) != 0 ||
	    store_modid_put(c->st, c->txn, gid, ev->id, l.seq) != 0)
		return -1;
	*seq = l.seq;
	return 0;
}

/* Append the event to gid's log; returns its seq or 0 (error held). */
static uint64_t
mod_log_append(struct core *c, struct core_session *s, uint64_t rid, const uint8_t gid[16],
    const struct mod_event *ev, const struct wire_frame *f)
{
	uint64_t seq;

	if (mod_log_put(c, gid, ev, f, NULL, &seq) != 0) {
		core_error(c, s, rid, WE_INTERNAL, "storage error");
		return 0;
	}
	return seq;
}

/* The event frame every subscribed member (and a removed target) receives. */
static struct oframe *
mod_event_frame(const uint8_t *gid, uint64_t seq, const struct wire_frame *f)
{
	struct wire_rec r;

	wire_rec_init(&r, &wire_kinds[WK_EV_MOD]);
	if (gid != NULL)
		wire_set_bin(&r, WF_GROUP, gid, 16);
	wire_set_uint(&r, WF_SEQ, seq);
	wire_set_bin(&r, WF_EV, f->r.f[WF_EV].p, f->r.f[WF_EV].len);
	wire_set_bin(&r, WF_SIG, f->r.f[WF_SIG].p, YISHI_SIG_BYTES);
	wire_set_uint(&r, WF_TS, node_now_ms());
	return core_encode(WK_EV_MOD, &r);
}

/*
 * Remove user from g (loaded in the turn's transaction): the member record goes,
 * the epoch advances and rotator seeds its key. The user's sessions stop hearing g.
 */
int
mod_remove_member(struct core *c, struct group_rec *g, const uint8_t user[32],
    const uint8_t rotator[32])
{
	struct member_rec m;
	int rc, was_member;

	if ((rc = store_member_get(c->st, c->txn, g->gid, user, &m)) != 0)
		return rc;
	was_member = strcmp(m.state, "member") == 0;
	if (store_member_del(c->st, c->txn, g->gid, user) < 0)
		return -1;
	if (was_member) {
		if (g->count > 0)
			g->count--;
		g->epoch++;
		memcpy(g->rotator, rotator, 32);
	}
	if (store_group_put(c->st, c->txn, g) != 0)
		return -1;
	core_user_left(c, user, g->gid);
	return 0;
}

/* The search for the heir of a group whose owner is banned from the station. */
struct mod_heir {
	struct member_rec	best;
	int			found;
};

/*
 * The succession rule (docs/protocol.md 5.7), which clients replaying the log
 * check: a remaining moderator before any plain member, then the earliest
 * joined_ms, then the lowest user id.
 */
static int
mod_heir_before(const struct member_rec *m, const struct member_rec *b)
{
	int mm = strcmp(m->role, "moderator") == 0, bm = strcmp(b->role, "moderator") == 0;

	if (mm != bm)
		return mm;
	if (m->joined_ms != b->joined_ms)
		return m->joined_ms < b->joined_ms;
	return memcmp(m->user, b->user, 32) < 0;
}

static int
mod_heir_cb(const struct member_rec *m, void *arg)
{
	struct mod_heir *h = arg;

	if (strcmp(m->state, "member") != 0 || strcmp(m->role, "owner") == 0)
		return 0;
	if (!h->found || mod_heir_before(m, &h->best)) {
		h->best = *m;
		h->found = 1;
	}
	return 0;
}

/*
 * Station-wide ban (ev, sent as f): out of every group; each group's owner seeds
 * its next epoch. A banned owner can no longer seed or moderate, so ownership
 * passes to an heir by the succession rule, who also seeds the new epoch. Each
 * group's log gets the admin's signed event, naming the heir where there is one,
 * and its subscribers hear it: clients replaying the log apply the same removal
 * and succession.
 */
static int
mod_station_remove(struct core *c, const struct mod_event *ev, const struct wire_frame *f)
{
	struct core_gids v = { NULL, 0, 0 };
	struct group_rec g;
	struct mod_heir h;
	struct oframe *out;
	const uint8_t *user = ev->target;
	uint64_t seq;
	size_t i;
	int rc = 0;

	if (store_user_groups_iter(c->st, c->txn, user, core_gids_add, &v) < 0)
		return -1;
	for (i = 0; i < v.n && rc == 0; i++) {
		if (store_group_get(c->st, c->txn, v.gid[i], &g) != 0)
			continue;
		memset(&h, 0, sizeof h);
		if (memcmp(g.owner, user, 32) == 0) {
			if (store_member_iter(c->st, c->txn, g.gid, mod_heir_cb, &h) < 0) {
				rc = -1;
				break;
			}
			if (h.found) {
				snprintf(h.best.role, sizeof h.best.role, "owner");
				memcpy(g.owner, h.best.user, 32);
				if (store_member_put(c->st, c->txn, &h.best) != 0) {
					rc = -1;
					break;
				}
				log_info("group %s: owner banned from the station; ownership "
				    "passes to the earliest-joined remaining %s", g.name,
				    "moderator or member");
			}
		}
		if (mod_remove_member(c, &g, user, g.owner) < 0 ||
		    mod_log_put(c, g.gid, ev, f, h.found ? h.best.user : NULL, &seq) != 0) {
			rc = -1;
			break;
		}
		if ((out = mod_event_frame(g.gid, seq, f)) != NULL) {
			core_group_event(c, g.gid, out);
			oframe_unref(out);
		}
	}
	free(v.gid);
	return rc;
}

static int
mod_ban(struct core *c, const uint8_t gid[16], const struct mod_event *ev)
{
	struct ban_rec b;

	memset(&b, 0, sizeof b);
	memcpy(b.gid, gid, 16);
	memcpy(b.user, ev->target, 32);
	memcpy(b.by, ev->actor, 32);
	snprintf(b.reason, sizeof b.reason, "%s", ev->reason);
	b.ts_ms = node_now_ms();
	return store_ban_put(c->st, c->txn, &b);
}

/* Station-wide actions: station admins only. */
static void
mod_station(struct core *c, struct core_session *s, struct wire_frame *f,
    const struct mod_event *ev)
{
	struct user_rec u;
	struct oframe *out;
	struct wire_rec r;
	uint64_t seq;
	int rc;

	if (strcmp(s->role, "admin") != 0) {
		core_error(c, s, f->rid, WE_FORBIDDEN, "only the station admin bans station-wide");
		return;
	}
	if ((rc = store_user_get(c->st, c->txn, ev->target, &u)) != 0) {
		core_error(c, s, f->rid, rc < 0 ? WE_INTERNAL : WE_NOT_FOUND,
		    rc < 0 ? "storage error" : "no such user on this node");
		return;
	}
	if (memcmp(ev->target, s->user, 32) == 0) {
		core_error(c, s, f->rid, WE_INVALID, "an admin cannot ban themselves");
		return;
	}
	if (ev->action == MA_STATION_BAN)
		rc = mod_ban(c, mod_zero, ev) != 0 || mod_station_remove(c, ev, f) != 0;
	else
		rc = store_ban_del(c->st, c->txn, mod_zero, ev->target) < 0;
	if (rc != 0 || (seq = mod_log_append(c, s, f->rid, mod_zero, ev, f)) == 0) {
		if (rc != 0)
			core_error(c, s, f->rid, WE_INTERNAL, "storage error");
		return;
	}
	log_info("station: %s %s by %s (%s)", mod_action_names[ev->action], u.name, s->name,
	    ev->reason);
	if ((out = mod_event_frame(NULL, seq, f)) != NULL) {
		core_user_event(c, ev->target, out);
		oframe_unref(out);
	}
	if (ev->action == MA_STATION_BAN)
		core_user_kick(c, ev->target);
	wire_rec_init(&r, &wire_kinds[WK_OK]);
	wire_set_uint(&r, WF_SEQ, seq);
	core_reply(c, s, f->rid, WK_OK, &r);
}

/* May actor (member record a) act on target (member record t) with this action? */
static const char *
mod_authority(int action, const struct member_rec *a, const struct member_rec *t)
{
	int owner = strcmp(a->role, "owner") == 0;

	if (!mod_is_moderator(a))
		return "only the group's moderators may do this";
	switch (action) {
	case MA_PROMOTE:
	case MA_DEMOTE:
	case MA_TRANSFER:
		if (!owner)
			return "only the group's owner may change roles";
		break;
	case MA_MUTE:
	case MA_KICK:
	case MA_BAN:
		if (t != NULL && strcmp(t->role, "owner") == 0)
			return "nobody may do this to the group's owner";
		if (t != NULL && !owner && strcmp(t->role, "moderator") == 0)
			return "only the owner may do this to a moderator";
		break;
	default:
		break;
	}
	return NULL;
}

void
mod_moderate(struct core *c, struct core_session *s, struct wire_frame *f, struct qitem *it)
{
	struct mod_event ev;
	struct group_rec g;
	struct member_rec me, t, *tp = NULL;
	struct msg_rec m;
	struct tomb_rec tomb;
	struct ban_rec ban;
	struct wire_rec r;
	struct oframe *out;
	const char *why;
	uint64_t seq, now = node_now_ms();
	int rc, removed = 0;

	(void)it;
	if (mod_event_decode(f->r.f[WF_EV].p, f->r.f[WF_EV].len, &ev) != 0) {
		core_error(c, s, f->rid, WE_BAD_VALUE, "malformed moderation event");
		return;
	}
	if (memcmp(ev.actor, s->user, 32) != 0) {
		core_error(c, s, f->rid, WE_FORBIDDEN, "the event is signed for another user");
		return;
	}
	if (ev.ts_ms + MOD_CLOCK_SKEW_MS < now || ev.ts_ms > now + MOD_CLOCK_SKEW_MS) {
		core_error(c, s, f->rid, WE_INVALID,
		    "the event's time is more than 10 minutes from the node's clock");
		return;
	}
	if (core_txn(c) == NULL) {
		core_error(c, s, f->rid, WE_INTERNAL, "storage unavailable");
		return;
	}
	if ((rc = store_modid_get(c->st, c->txn, ev.group, ev.id, &seq)) == 0) {
		core_error(c, s, f->rid, WE_EXISTS, "this event was already applied (#%llu): "
		    "replays are refused", (unsigned long long)seq);
		return;
	} else if (rc < 0) {
		core_error(c, s, f->rid, WE_INTERNAL, "storage error");
		return;
	}
	if (mod_action_is_station(ev.action)) {
		mod_station(c, s, f, &ev);
		return;
	}
	if (group_require_member(c, s, f->rid, ev.group, &g, &me) != 0)
		return;
	if (mod_action_has_target(ev.action)) {
		rc = store_member_get(c->st, c->txn, g.gid, ev.target, &t);
		if (rc < 0) {
			core_error(c, s, f->rid, WE_INTERNAL, "storage error");
			return;
		}
		if (rc == 0)
			tp = &t;
	}
	if ((why = mod_authority(ev.action, &me, tp)) != NULL) {
		core_error(c, s, f->rid, WE_FORBIDDEN, "%s (your role in %s: %s)", why, g.name,
		    me.role);
		return;
	}
	if (mod_action_has_target(ev.action) && memcmp(ev.target, s->user, 32) == 0) {
		core_error(c, s, f->rid, WE_INVALID, "moderators do not act on themselves");
		return;
	}

	rc = 0;
	switch (ev.action) {
	case MA_APPROVE:
	case MA_REFUSE:
		if (tp == NULL || strcmp(t.state, "pending") != 0) {
			core_error(c, s, f->rid, WE_NOT_FOUND, "no pending request from this user");
			return;
		}
		if (ev.action == MA_REFUSE) {
			rc = store_member_del(c->st, c->txn, g.gid, ev.target) < 0;
			break;
		}
		if (g.count >= g.max_members) {
			core_error(c, s, f->rid, WE_GROUP_FULL,
			    "%s has reached its limit of %u members", g.name, g.max_members);
			return;
		}
		rc = group_admit(c, c->txn, &g, ev.target, "member") != 0;
		if (rc == 0)
			group_announce_need(c, &g, ev.target);
		break;
	case MA_MUTE:
	case MA_UNMUTE:
	case MA_PROMOTE:
	case MA_DEMOTE:
	case MA_TRANSFER:
		if (tp == NULL || strcmp(t.state, "member") != 0) {
			core_error(c, s, f->rid, WE_NOT_FOUND, "this user is not a member of %s",
			    g.name);
			return;
		}
		if (ev.action == MA_MUTE) {
			if (ev.arg == 0 || ev.arg > MOD_MUTE_MAX_SECS) {
				core_error(c, s, f->rid, WE_INVALID, "a mute lasts 1 s to 30 days");
				return;
			}
			t.muted_until_ms = now + ev.arg * 1000;
		} else if (ev.action == MA_UNMUTE)
			t.muted_until_ms = 0;
		else if (ev.action == MA_PROMOTE)
			snprintf(t.role, sizeof t.role, "moderator");
		else if (ev.action == MA_DEMOTE) {
			if (strcmp(t.role, "moderator") != 0) {
				core_error(c, s, f->rid, WE_INVALID, "this member is not a moderator");
				return;
			}
			snprintf(t.role, sizeof t.role, "member");
		} else {
			snprintf(t.role, sizeof t.role, "owner");
			snprintf(me.role, sizeof me.role, "moderator");
			memcpy(g.owner, ev.target, 32);
			rc = store_member_put(c->st, c->txn, &me) != 0 ||
			    store_group_put(c->st, c->txn, &g) != 0;
		}
		rc = rc || store_member_put(c->st, c->txn, &t) != 0;
		break;
	case MA_KICK:
	case MA_BAN:
		if (tp == NULL && ev.action == MA_KICK) {
			core_error(c, s, f->rid, WE_NOT_FOUND, "this user is not in %s", g.name);
			return;
		}
		if (ev.action == MA_BAN)
			rc = mod_ban(c, g.gid, &ev) != 0;
		if (rc == 0 && tp != NULL) {
			rc = mod_remove_member(c, &g, ev.target, s->user) != 0;
			removed = 1;
		}
		break;
	case MA_UNBAN:
		if (store_ban_get(c->st, c->txn, g.gid, ev.target, &ban) != 0) {
			core_error(c, s, f->rid, WE_NOT_FOUND, "this user is not banned from %s",
			    g.name);
			return;
		}
		rc = store_ban_del(c->st, c->txn, g.gid, ev.target) < 0;
		break;
	case MA_REDACT:
	case MA_PIN:
		if (store_msg_get(c->st, c->txn, g.gid, ev.arg, &m) != 0) {
			core_error(c, s, f->rid, WE_NOT_FOUND, "no message #%llu in %s",
			    (unsigned long long)ev.arg, g.name);
			return;
		}
		if (ev.action == MA_PIN) {
			g.pinned_seq = ev.arg;
			rc = store_group_put(c->st, c->txn, &g) != 0;
			break;
		}
		memset(&tomb, 0, sizeof tomb);
		memcpy(tomb.gid, g.gid, 16);
		tomb.seq = ev.arg;
		tomb.ts_ms = now;
		memcpy(tomb.by, ev.actor, 32);
		snprintf(tomb.reason, sizeof tomb.reason, "%s", ev.reason);
		rc = store_msg_del(c->st, c->txn, g.gid, ev.arg) != 0 ||
		    store_tomb_put(c->st, c->txn, &tomb) != 0;
		if (rc == 0 && g.pinned_seq == ev.arg) {
			g.pinned_seq = 0;
			rc = store_group_put(c->st, c->txn, &g) != 0;
		}
		break;
	case MA_UNPIN:
		g.pinned_seq = 0;
		rc = store_group_put(c->st, c->txn, &g) != 0;
		break;
	case MA_SLOW:
		if (ev.arg > MOD_SLOW_MAX_SECS) {
			core_error(c, s, f->rid, WE_INVALID, "slow mode is 0 (off) to 86400 s");
			return;
		}
		g.slow_secs = (uint32_t)ev.arg;
		rc = store_group_put(c->st, c->txn, &g) != 0;
		break;
	case MA_ANNOUNCE_ONLY:
	case MA_INVITE_POLICY:
		if (ev.arg > 1) {
			core_error(c, s, f->rid, WE_INVALID, "the argument is 0 (off) or 1 (on)");
			return;
		}
		if (ev.action == MA_ANNOUNCE_ONLY)
			g.announce_only = (uint8_t)ev.arg;
		else
			g.invite_mods = (uint8_t)ev.arg;
		rc = store_group_put(c->st, c->txn, &g) != 0;
		break;
	default:
		core_error(c, s, f->rid, WE_INVALID, "unknown moderation action");
		return;
	}
	if (rc != 0) {
		core_error(c, s, f->rid, WE_INTERNAL, "storage error");
		return;
	}
	if ((seq = mod_log_append(c, s, f->rid, g.gid, &ev, f)) == 0)
		return;
	log_info("group %s: %s by %s%s%s", g.name, mod_action_names[ev.action], s->name,
	    ev.reason[0] ? ": " : "", ev.reason);
	if ((out = mod_event_frame(g.gid, seq, f)) != NULL) {
		core_group_event(c, g.gid, out);
		if (removed)
			core_user_event(c, ev.target, out);
		oframe_unref(out);
	}
	wire_rec_init(&r, &wire_kinds[WK_OK]);
	wire_set_uint(&r, WF_SEQ, seq);
	wire_set_uint(&r, WF_EPOCH, g.epoch);
	core_reply(c, s, f->rid, WK_OK, &r);
}

struct mod_page {
	struct wire_rec		*recs;
	uint8_t			(*heirs)[32];	/* recs[i]'s heir, set once the page is full */
	size_t			 n, cap, hcap, limit;
	int			 more;
};

static int
mod_page_add(const struct modlog_rec *l, void *arg)
{
	struct mod_page *p = arg;
	struct wire_rec *nr;
	uint8_t (*nh)[32];

	if (p->n == p->limit) {
		p->more = 1;
		return 1;
	}
	/* The pointers stay valid: nothing writes until the reply is encoded. */
	if ((nr = node_grow(p->recs, p->n, &p->cap, sizeof *nr)) == NULL)
		return -1;
	p->recs = nr;
	if ((nh = node_grow(p->heirs, p->n, &p->hcap, sizeof *nh)) == NULL)
		return -1;
	p->heirs = nh;
	wire_rec_init(&p->recs[p->n], &wire_records[WR_MODEV]);
	wire_set_uint(&p->recs[p->n], WF_SEQ, l->seq);
	wire_set_bin(&p->recs[p->n], WF_EV, l->ev, l->evlen);
	wire_set_bin(&p->recs[p->n], WF_SIG, l->sig, YISHI_SIG_BYTES);
	wire_set_uint(&p->recs[p->n], WF_TS, l->ts_ms);
	/* The iterator's record is reused: keep the heir, point at it once heirs stops moving. */
	memcpy(p->heirs[p->n], l->heir, 32);
	p->n++;
	return 0;
}

void
mod_log(struct core *c, struct core_session *s, struct wire_frame *f, struct qitem *it)
{
	struct mod_page p;
	struct group_rec g;
	struct member_rec me;
	struct wire_rec r;
	const uint8_t *gid = mod_zero;
	size_t i;

	(void)it;
	if (wire_has(&f->r, WF_GROUP)) {
		gid = f->r.f[WF_GROUP].p;
		if (group_require_member(c, s, f->rid, gid, &g, &me) != 0)
			return;
		if (!mod_is_moderator(&me) && strcmp(s->role, "admin") != 0) {
			core_error(c, s, f->rid, WE_FORBIDDEN,
			    "the audit log is for the group's moderators and station admins");
			return;
		}
	} else if (strcmp(s->role, "admin") != 0) {
		core_error(c, s, f->rid, WE_FORBIDDEN, "the station log is for station admins");
		return;
	} else if (core_txn(c) == NULL) {
		core_error(c, s, f->rid, WE_INTERNAL, "storage unavailable");
		return;
	}
	memset(&p, 0, sizeof p);
	p.limit = wire_has(&f->r, WF_LIMIT) ? wire_u(&f->r, WF_LIMIT) : WIRE_MAX_ARRAY;
	if (store_modlog_iter(c->st, c->txn, gid,
	    wire_has(&f->r, WF_SINCE) ? wire_u(&f->r, WF_SINCE) : 0, mod_page_add, &p) < 0) {
		free(p.recs);
		free(p.heirs);
		core_error(c, s, f->rid, WE_INTERNAL, "storage error or out of memory");
		return;
	}
	for (i = 0; i < p.n; i++)
		if (memcmp(p.heirs[i], mod_zero, 32) != 0)
			wire_set_bin(&p.recs[i], WF_USER, p.heirs[i], 32);
	wire_rec_init(&r, &wire_kinds[WK_MODLOG]);
	if (gid != mod_zero)
		wire_set_bin(&r, WF_GROUP, gid, 16);
	wire_set_array(&r, WF_EVENTS, p.recs, (uint32_t)p.n);
	wire_set_bool(&r, WF_MORE, p.more);
	core_reply(c, s, f->rid, WK_MODLOG, &r);
	free(p.recs);
	free(p.heirs);
}

void
mod_flag(struct core *c, struct core_session *s, struct wire_frame *f, struct qitem *it)
{
	const struct wire_val *v = &f->r.f[WF_NOTES];
	struct group_rec g;
	struct member_rec me, t;
	struct msg_rec m;
	struct flag_rec fl;
	struct wire_rec e, ev;
	struct oframe *out;
	uint64_t seq = wire_u(&f->r, WF_SEQ);
	uint32_t i;

	(void)it;
	if (group_require_member(c, s, f->rid, f->r.f[WF_GROUP].p, &g, &me) != 0)
		return;
	if (store_msg_get(c->st, c->txn, g.gid, seq, &m) != 0) {
		core_error(c, s, f->rid, WE_NOT_FOUND, "no message #%llu in %s",
		    (unsigned long long)seq, g.name);
		return;
	}
	for (i = 0; i < v->len; i++) {
		if (wire_array_get(v, i, &wire_records[WR_NOTE], &e) != WE_OK ||
		    !wire_has(&e, WF_TO)) {
			core_error(c, s, f->rid, WE_MISSING_FIELD, "notes[%u] needs a 'to'", i);
			return;
		}
		if (store_member_get(c->st, c->txn, g.gid, e.f[WF_TO].p, &t) != 0 ||
		    !mod_is_moderator(&t)) {
			core_error(c, s, f->rid, WE_INVALID,
			    "notes[%u] is addressed to someone who is not a moderator", i);
			return;
		}
	}
	for (i = 0; i < v->len; i++) {
		if (wire_array_get(v, i, &wire_records[WR_NOTE], &e) != WE_OK)
			continue;
		memset(&fl, 0, sizeof fl);
		memcpy(fl.gid, g.gid, 16);
		memcpy(fl.to, e.f[WF_TO].p, 32);
		fl.seq = seq;
		memcpy(fl.from, s->user, 32);
		fl.ts_ms = node_now_ms();
		fl.note = e.f[WF_NOTE].p;
		fl.notelen = e.f[WF_NOTE].len;
		if (store_flag_put(c->st, c->txn, &fl) != 0) {
			core_error(c, s, f->rid, WE_INTERNAL, "storage error");
			return;
		}
		wire_rec_init(&ev, &wire_kinds[WK_EV_FLAGGED]);
		wire_set_bin(&ev, WF_GROUP, g.gid, 16);
		wire_set_uint(&ev, WF_SEQ, seq);
		wire_set_bin(&ev, WF_FROM, s->user, 32);
		wire_set_bin(&ev, WF_NOTE, fl.note, fl.notelen);
		wire_set_uint(&ev, WF_TS, fl.ts_ms);
		if ((out = core_encode(WK_EV_FLAGGED, &ev)) != NULL) {
			core_user_event(c, fl.to, out);
			oframe_unref(out);
		}
	}
	log_info("group %s: message #%llu flagged to moderators by %s", g.name,
	    (unsigned long long)seq, s->name);
	core_reply_ok(c, s, f->rid);
}

struct mod_flags {
	struct flag_rec	*f;
	size_t		 n, cap;
};

static int
mod_flags_add(const struct flag_rec *fl, void *arg)
{
	struct mod_flags *a = arg;
	struct flag_rec *nf;

	if ((nf = node_grow(a->f, a->n, &a->cap, sizeof *nf)) == NULL)
		return -1;
	a->f = nf;
	a->f[a->n++] = *fl;
	return a->n >= WIRE_MAX_ARRAY;
}

void
mod_flags_get(struct core *c, struct core_session *s, struct wire_frame *f, struct qitem *it)
{
	struct mod_flags a = { NULL, 0, 0 };
	struct group_rec g;
	struct member_rec me;
	struct wire_rec *recs = NULL, r;
	size_t i;

	(void)it;
	if (group_require_member(c, s, f->rid, f->r.f[WF_GROUP].p, &g, &me) != 0)
		return;
	if (!mod_is_moderator(&me)) {
		core_error(c, s, f->rid, WE_FORBIDDEN, "flags are for the group's moderators");
		return;
	}
	if (store_flag_iter(c->st, c->txn, g.gid, s->user, mod_flags_add, &a) < 0 ||
	    (recs = calloc(a.n + 1, sizeof *recs)) == NULL) {
		core_error(c, s, f->rid, WE_INTERNAL, "storage error");
		goto out;
	}
	for (i = 0; i < a.n; i++) {
		wire_rec_init(&recs[i], &wire_records[WR_NOTE]);
		wire_set_bin(&recs[i], WF_FROM, a.f[i].from, 32);
		wire_set_uint(&recs[i], WF_SEQ, a.f[i].seq);
		wire_set_bin(&recs[i], WF_NOTE, a.f[i].note, a.f[i].notelen);
		wire_set_uint(&recs[i], WF_TS, a.f[i].ts_ms);
	}
	wire_rec_init(&r, &wire_kinds[WK_FLAGS]);
	wire_set_bin(&r, WF_GROUP, g.gid, 16);
	wire_set_array(&r, WF_NOTES, recs, (uint32_t)a.n);
	core_reply(c, s, f->rid, WK_FLAGS, &r);
out:
	free(a.f);
	free(recs);
}
