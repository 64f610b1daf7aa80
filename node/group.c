/*
 * group.c: groups, membership, invites and subscriptions.
 *
 * The node keeps membership and policy; content keys never reach it. A member who
 * joins gets no key from the node: the node announces a "needs" event to the
 * group's online members, and a member's client boxes the current epoch key to the
 * newcomer (keys.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "node/core.h"
#include "node/oframe.h"
#include "proto/log.h"
#include "storage/store.h"

int
group_require_member(struct core *c, struct core_session *s, uint64_t rid, const uint8_t *gid,
    struct group_rec *g, struct member_rec *m)
{
	MDB_txn *txn;
	int rc;

	if ((txn = core_txn(c)) == NULL) {
		core_error(c, s, rid, WE_INTERNAL, "storage unavailable");
		return -1;
	}
	if ((rc = store_group_get(c->st, txn, gid, g)) == STORE_NOTFOUND) {
		core_error(c, s, rid, WE_NOT_FOUND, "no such group on this node");
		return -1;
	} else if (rc != 0) {
		core_error(c, s, rid, WE_INTERNAL, "storage error");
		return -1;
	}
	rc = store_member_get(c->st, txn, gid, s->user, m);
	if (rc < 0) {
		core_error(c, s, rid, WE_INTERNAL, "storage error");
		return -1;
	}
	if (rc == STORE_NOTFOUND || strcmp(m->state, "member") != 0) {
		core_error(c, s, rid, rc == STORE_NOTFOUND ? WE_NOT_MEMBER : WE_PENDING,
		    rc == STORE_NOTFOUND ? "you are not a member of this group" :
		    "your request to join this group awaits approval");
		return -1;
	}
	return 0;
}

static int
group_area_ok(const char *area)
{
	size_t i, n = strlen(area);

	if (n < 2 || n > WIRE_MAX_AREA)
		return 0;
	for (i = 0; i < n; i++)
		if (area[i] < '0' || area[i] > '9')
			return 0;
	return 1;
}

static void
group_reply_joined(struct core *c, struct core_session *s, uint64_t rid,
    const struct group_rec *g, const char *state)
{
	struct wire_rec r;

	wire_rec_init(&r, &wire_kinds[WK_JOINED]);
	wire_set_bin(&r, WF_GROUP, g->gid, 16);
	wire_set_str(&r, WF_NAME, g->name);
	wire_set_str(&r, WF_STATE, state);
	wire_set_uint(&r, WF_EPOCH, g->epoch);
	core_reply(c, s, rid, WK_JOINED, &r);
}

void
group_announce_need(struct core *c, const struct group_rec *g, const uint8_t user[32])
{
	struct wire_rec r, need;
	struct oframe *f;

	wire_rec_init(&need, &wire_records[WR_NEED]);
	wire_set_bin(&need, WF_GROUP, g->gid, 16);
	wire_set_uint(&need, WF_EPOCH, g->epoch);
	wire_set_bin(&need, WF_USER, user, 32);
	wire_rec_init(&r, &wire_kinds[WK_NEEDS]);
	wire_set_array(&r, WF_NEEDS, &need, 1);
	if ((f = core_encode(WK_NEEDS, &r)) == NULL)
		return;
	core_group_event(c, g->gid, f);
	oframe_unref(f);
}

int
group_admit(struct core *c, MDB_txn *txn, struct group_rec *g, const uint8_t user[32],
    const char *role)
{
	struct member_rec m;

	memset(&m, 0, sizeof m);
	memcpy(m.gid, g->gid, 16);
	memcpy(m.user, user, 32);
	snprintf(m.role, sizeof m.role, "%s", role);
	snprintf(m.state, sizeof m.state, "member");
	m.joined_ms = node_now_ms();
	m.joined_seq = g->last_seq;
	g->count++;
	if (store_member_put(c->st, txn, &m) != 0 || store_group_put(c->st, txn, g) != 0)
		return -1;
	core_user_joined(c, user, g->gid);
	return 0;
}

void
group_create(struct core *c, struct core_session *s, struct wire_frame *f, struct qitem *it)
{
	struct group_rec g;
	struct key_rec k;
	MDB_txn *txn;
	int rc;

	(void)it;
	if (!role_can_found_group(s->role)) {
		core_error(c, s, f->rid, WE_FORBIDDEN,
		    "only police, mediators and the station admin found groups (your role: %s)", s->role);
		return;
	}
	memset(&g, 0, sizeof g);
	wire_str(&f->r, WF_AREA, g.area, sizeof g.area);
	if (!group_area_ok(g.area)) {
		core_error(c, s, f->rid, WE_BAD_VALUE, "an area code is 2 to %d digits",
		    WIRE_MAX_AREA);
		return;
	}
	if ((txn = core_txn(c)) == NULL) {
		core_error(c, s, f->rid, WE_INTERNAL, "storage unavailable");
		return;
	}
	memcpy(g.gid, f->r.f[WF_GROUP].p, 16);
	group_id_derive(s->user, f->r.f[WF_SALT].p, k.gid);
	if (memcmp(k.gid, g.gid, 16) != 0) {
		core_error(c, s, f->rid, WE_BAD_VALUE,
		    "the group id must be derived from your key and the salt");
		return;
	}
	if ((rc = store_group_get(c->st, txn, g.gid, &g)) != STORE_NOTFOUND) {
		core_error(c, s, f->rid, rc == 0 ? WE_EXISTS : WE_INTERNAL,
		    rc == 0 ? "a group with this id exists" : "storage error");
		return;
	}
	memcpy(g.gid, f->r.f[WF_GROUP].p, 16);
	wire_str(&f->r, WF_NAME, g.name, sizeof g.name);
	wire_str(&f->r, WF_AREA, g.area, sizeof g.area);
	g.approval = wire_has(&f->r, WF_APPROVAL) && wire_u(&f->r, WF_APPROVAL);
	memcpy(g.owner, s->user, 32);
	memcpy(g.founder, s->user, 32);
	memcpy(g.salt, f->r.f[WF_SALT].p, 16);
	g.epoch = 1;
	g.max_members = c->conf->max_group;
	g.created_ms = node_now_ms();
	memset(&k, 0, sizeof k);
	memcpy(k.gid, g.gid, 16);
	k.epoch = 1;
	memcpy(k.to, s->user, 32);
	memcpy(k.from, s->user, 32);
	memcpy(k.box, f->r.f[WF_BOX].p, YISHI_KEYBOX_BYTES);
	if (group_admit(c, txn, &g, s->user, "owner") != 0 ||
	    store_key_put(c->st, txn, &k) != 0) {
		core_error(c, s, f->rid, WE_INTERNAL, "storage error");
		return;
	}
	log_info("group %s: founded by %s (area %s%s)", g.name, s->name, g.area,
	    g.approval ? ", joins need approval" : "");
	group_reply_joined(c, s, f->rid, &g, "member");
}

void
group_list(struct core *c, struct core_session *s, struct wire_frame *f, struct qitem *it)
{
	struct core_gids v = { NULL, 0, 0 };
	struct group_rec *g = NULL;
	struct member_rec *m = NULL;
	struct wire_rec *recs = NULL, r;
	MDB_txn *txn;
	size_t i, n = 0;

	(void)it;
	if ((txn = core_txn(c)) == NULL ||
	    store_user_groups_iter(c->st, txn, s->user, core_gids_add, &v) < 0) {
		core_error(c, s, f->rid, WE_INTERNAL, "storage error");
		goto out;
	}
	g = calloc(v.n + 1, sizeof *g);
	m = calloc(v.n + 1, sizeof *m);
	recs = calloc(v.n + 1, sizeof *recs);
	if (g == NULL || m == NULL || recs == NULL) {
		core_error(c, s, f->rid, WE_INTERNAL, "out of memory");
		goto out;
	}
	for (i = 0; i < v.n; i++) {
		if (store_group_get(c->st, txn, v.gid[i], &g[n]) != 0 ||
		    store_member_get(c->st, txn, v.gid[i], s->user, &m[n]) != 0)
			continue;
		wire_rec_init(&recs[n], &wire_records[WR_GROUP]);
		wire_set_bin(&recs[n], WF_GROUP, g[n].gid, 16);
		wire_set_str(&recs[n], WF_NAME, g[n].name);
		wire_set_str(&recs[n], WF_AREA, g[n].area);
		wire_set_uint(&recs[n], WF_EPOCH, g[n].epoch);
		wire_set_str(&recs[n], WF_ROLE, m[n].role);
		wire_set_str(&recs[n], WF_STATE, m[n].state);
		wire_set_uint(&recs[n], WF_COUNT, g[n].count);
		wire_set_bool(&recs[n], WF_APPROVAL, g[n].approval);
		wire_set_bin(&recs[n], WF_FOUNDER, g[n].founder, 32);
		wire_set_bin(&recs[n], WF_SALT, g[n].salt, 16);
		wire_set_uint(&recs[n], WF_SLOW, g[n].slow_secs);
		wire_set_bool(&recs[n], WF_ANNOUNCE, g[n].announce_only);
		wire_set_bool(&recs[n], WF_INVITE_MODS, g[n].invite_mods);
		wire_set_uint(&recs[n], WF_PINNED, g[n].pinned_seq);
		n++;
	}
	wire_rec_init(&r, &wire_kinds[WK_GROUPS]);
	wire_set_array(&r, WF_GROUPS, recs, (uint32_t)n);
	core_reply(c, s, f->rid, WK_GROUPS, &r);
out:
	free(v.gid);
	free(g);
	free(m);
	free(recs);
}

struct group_members_acc {
	struct member_rec	*m;
	size_t			 n, cap;
};

static int
group_members_add(const struct member_rec *m, void *arg)
{
	struct group_members_acc *a = arg;
	struct member_rec *nm;

	if ((nm = node_grow(a->m, a->n, &a->cap, sizeof *nm)) == NULL)
		return -1;
	a->m = nm;
	a->m[a->n++] = *m;
	return a->n >= WIRE_MAX_ARRAY;
}

void
group_members(struct core *c, struct core_session *s, struct wire_frame *f, struct qitem *it)
{
	struct group_members_acc a = { NULL, 0, 0 };
	struct group_rec g;
	struct member_rec me;
	struct user_rec *u = NULL;
	struct wire_rec *recs = NULL, r;
	const uint8_t *gid = f->r.f[WF_GROUP].p;
	size_t i;

	(void)it;
	if (group_require_member(c, s, f->rid, gid, &g, &me) != 0)
		return;
	if (store_member_iter(c->st, c->txn, gid, group_members_add, &a) < 0) {
		core_error(c, s, f->rid, WE_INTERNAL, "storage error");
		goto out;
	}
	u = calloc(a.n + 1, sizeof *u);
	recs = calloc(a.n + 1, sizeof *recs);
	if (u == NULL || recs == NULL) {
		core_error(c, s, f->rid, WE_INTERNAL, "out of memory");
		goto out;
	}
	for (i = 0; i < a.n; i++) {
		if (store_user_get(c->st, c->txn, a.m[i].user, &u[i]) != 0) {
			snprintf(u[i].name, sizeof u[i].name, "?");
			snprintf(u[i].role, sizeof u[i].role, "resident");
		}
		wire_rec_init(&recs[i], &wire_records[WR_MEMBER]);
		wire_set_bin(&recs[i], WF_USER, a.m[i].user, 32);
		wire_set_str(&recs[i], WF_NAME, u[i].name);
		wire_set_str(&recs[i], WF_ROLE, a.m[i].role);
		wire_set_str(&recs[i], WF_SROLE, u[i].role);
		wire_set_str(&recs[i], WF_STATE, a.m[i].state);
		wire_set_uint(&recs[i], WF_MUTED, a.m[i].muted_until_ms > node_now_ms() ?
		    a.m[i].muted_until_ms : 0);
	}
	wire_rec_init(&r, &wire_kinds[WK_MEMBERS]);
	wire_set_bin(&r, WF_GROUP, gid, 16);
	wire_set_array(&r, WF_MEMBERS, recs, (uint32_t)a.n);
	core_reply(c, s, f->rid, WK_MEMBERS, &r);
out:
	free(a.m);
	free(u);
	free(recs);
}

void
group_invite_create(struct core *c, struct core_session *s, struct wire_frame *f,
    struct qitem *it)
{
	struct invite_rec inv;
	struct group_rec g;
	struct member_rec me;
	struct wire_rec r;

	(void)it;
	if (group_require_member(c, s, f->rid, f->r.f[WF_GROUP].p, &g, &me) != 0)
		return;
	if (g.invite_mods && strcmp(me.role, "member") == 0) {
		core_error(c, s, f->rid, WE_FORBIDDEN, "in %s only moderators invite", g.name);
		return;
	}
	memset(&inv, 0, sizeof inv);
	randombytes_buf(inv.token, sizeof inv.token);
	memcpy(inv.gid, g.gid, 16);
	memcpy(inv.by, s->user, 32);
	inv.created_ms = node_now_ms();
	inv.expires_ms = inv.created_ms + NODE_INVITE_TTL_MS;
	if (store_invite_put(c->st, c->txn, &inv) != 0) {
		core_error(c, s, f->rid, WE_INTERNAL, "storage error");
		return;
	}
	wire_rec_init(&r, &wire_kinds[WK_INVITE]);
	wire_set_bin(&r, WF_GROUP, g.gid, 16);
	wire_set_bin(&r, WF_TOKEN, inv.token, 16);
	wire_set_uint(&r, WF_TS, inv.expires_ms);
	core_reply(c, s, f->rid, WK_INVITE, &r);
}

void
group_join(struct core *c, struct core_session *s, struct wire_frame *f, struct qitem *it)
{
	struct invite_rec inv;
	struct group_rec g;
	struct member_rec m;
	struct ban_rec ban;
	MDB_txn *txn;
	int rc;

	(void)it;
	if ((txn = core_txn(c)) == NULL) {
		core_error(c, s, f->rid, WE_INTERNAL, "storage unavailable");
		return;
	}
	if ((rc = store_invite_get(c->st, txn, f->r.f[WF_TOKEN].p, &inv)) != 0) {
		core_error(c, s, f->rid, rc == STORE_NOTFOUND ? WE_NOT_FOUND : WE_INTERNAL,
		    rc == STORE_NOTFOUND ? "no such invite on this node" : "storage error");
		return;
	}
	if (inv.expires_ms < node_now_ms()) {
		core_error(c, s, f->rid, WE_EXPIRED, "this invite has expired: ask for a new link");
		return;
	}
	if (store_group_get(c->st, txn, inv.gid, &g) != 0) {
		core_error(c, s, f->rid, WE_NOT_FOUND, "the invited group no longer exists");
		return;
	}
	if (store_ban_get(c->st, txn, g.gid, s->user, &ban) == 0) {
		core_error(c, s, f->rid, WE_BANNED, "you are banned from %s", g.name);
		return;
	}
	rc = store_member_get(c->st, txn, g.gid, s->user, &m);
	if (rc == 0 && strcmp(m.state, "member") == 0) {
		core_error(c, s, f->rid, WE_EXISTS, "you are already a member of %s", g.name);
		return;
	} else if (rc == 0) {
		group_reply_joined(c, s, f->rid, &g, m.state);
		return;
	} else if (rc < 0) {
		core_error(c, s, f->rid, WE_INTERNAL, "storage error");
		return;
	}
	if (g.approval) {
		memset(&m, 0, sizeof m);
		memcpy(m.gid, g.gid, 16);
		memcpy(m.user, s->user, 32);
		snprintf(m.role, sizeof m.role, "member");
		snprintf(m.state, sizeof m.state, "pending");
		m.joined_ms = node_now_ms();
		if (store_member_put(c->st, txn, &m) != 0) {
			core_error(c, s, f->rid, WE_INTERNAL, "storage error");
			return;
		}
		log_info("group %s: %s asks to join", g.name, s->name);
		group_reply_joined(c, s, f->rid, &g, "pending");
		return;
	}
	if (g.count >= g.max_members) {
		core_error(c, s, f->rid, WE_GROUP_FULL, "%s has reached its limit of %u members",
		    g.name, g.max_members);
		return;
	}
	if (group_admit(c, txn, &g, s->user, "member") != 0) {
		core_error(c, s, f->rid, WE_INTERNAL, "storage error");
		return;
	}
	log_info("group %s: %s joined (%u members)", g.name, s->name, g.count);
	group_reply_joined(c, s, f->rid, &g, "member");
	group_announce_need(c, &g, s->user);
}

void
group_subscribe(struct core *c, struct core_session *s, struct wire_frame *f, struct qitem *it)
{
	struct group_rec g;
	struct member_rec me;
	struct core_gids v = { NULL, 0, 0 };
	MDB_txn *txn;
	size_t i;

	(void)it;
	core_session_clear_groups(c, s);
	s->subscribed = 0;	/* until this subscription succeeds */
	if (wire_has(&f->r, WF_GROUP)) {
		if (group_require_member(c, s, f->rid, f->r.f[WF_GROUP].p, &g, &me) != 0)
			return;
		if (core_session_add_group(c, s, g.gid) != 0) {
			core_error(c, s, f->rid, WE_INTERNAL, "out of memory");
			return;
		}
	} else {
		if ((txn = core_txn(c)) == NULL ||
		    store_user_groups_iter(c->st, txn, s->user, core_gids_add, &v) < 0) {
			free(v.gid);
			core_error(c, s, f->rid, WE_INTERNAL, "storage error");
			return;
		}
		for (i = 0; i < v.n; i++)
			if (store_member_get(c->st, txn, v.gid[i], s->user, &me) == 0 &&
			    strcmp(me.state, "member") == 0)
				(void)core_session_add_group(c, s, v.gid[i]);
		free(v.gid);
	}
	s->subscribed = 1;
	s->sub_all = !wire_has(&f->r, WF_GROUP);
	core_reply_ok(c, s, f->rid);
}
