/*
 * keys.c: storing and serving epoch keys boxed member to member.
 *
 * The node only relays boxes it cannot open. It checks that the boxer and every
 * recipient are members and that the epoch is current, keeps the first box per
 * (group, epoch, recipient), and tells recipients when theirs arrived.
 */
#include <stdlib.h>
#include <string.h>

#include "node/core.h"
#include "node/oframe.h"
#include "proto/log.h"
#include "storage/store.h"

struct keys_acc {
	struct key_rec	*k;
	size_t		 n, cap;
};

static int
keys_acc_add(const struct key_rec *k, void *arg)
{
	struct keys_acc *a = arg;
	struct key_rec *nk;

	if ((nk = node_grow(a->k, a->n, &a->cap, sizeof *nk)) == NULL)
		return -1;
	a->k = nk;
	a->k[a->n++] = *k;
	return a->n >= WIRE_MAX_ARRAY;
}

void
keys_get(struct core *c, struct core_session *s, struct wire_frame *f, struct qitem *it)
{
	struct keys_acc a = { NULL, 0, 0 };
	struct group_rec g;
	struct member_rec me;
	struct wire_rec *recs = NULL, r;
	size_t i;

	(void)it;
	if (group_require_member(c, s, f->rid, f->r.f[WF_GROUP].p, &g, &me) != 0)
		return;
	if (store_key_iter(c->st, c->txn, g.gid, s->user, keys_acc_add, &a) < 0 ||
	    (recs = calloc(a.n + 1, sizeof *recs)) == NULL) {
		core_error(c, s, f->rid, WE_INTERNAL, "storage error");
		goto out;
	}
	for (i = 0; i < a.n; i++) {
		wire_rec_init(&recs[i], &wire_records[WR_KEY]);
		wire_set_uint(&recs[i], WF_EPOCH, a.k[i].epoch);
		wire_set_bin(&recs[i], WF_FROM, a.k[i].from, 32);
		wire_set_bin(&recs[i], WF_BOX, a.k[i].box, YISHI_KEYBOX_BYTES);
	}
	wire_rec_init(&r, &wire_kinds[WK_KEYS]);
	wire_set_bin(&r, WF_GROUP, g.gid, 16);
	wire_set_array(&r, WF_KEYS, recs, (uint32_t)a.n);
	core_reply(c, s, f->rid, WK_KEYS, &r);
out:
	free(a.k);
	free(recs);
}

void
keys_put(struct core *c, struct core_session *s, struct wire_frame *f, struct qitem *it)
{
	struct group_rec g;
	struct member_rec me, m;
	struct key_rec k, old;
	struct wire_rec e, r;
	struct oframe *ev;
	const struct wire_val *v = &f->r.f[WF_KEYS];
	uint32_t i;
	int rc;

	(void)it;
	if (group_require_member(c, s, f->rid, f->r.f[WF_GROUP].p, &g, &me) != 0)
		return;
	if (wire_u(&f->r, WF_EPOCH) != g.epoch) {
		core_error(c, s, f->rid, WE_STALE_EPOCH, "the group is at key epoch %u", g.epoch);
		return;
	}
	/*
	 * One key per epoch: a holder boxes the key it has; only the epoch's rotator (who
	 * removed a member) may seed a key nobody holds yet.
	 */
	if ((rc = store_key_get(c->st, c->txn, g.gid, g.epoch, s->user, &old)) < 0) {
		core_error(c, s, f->rid, WE_INTERNAL, "storage error");
		return;
	}
	if (rc == STORE_NOTFOUND && memcmp(g.rotator, s->user, 32) != 0) {
		core_error(c, s, f->rid, WE_FORBIDDEN,
		    "you hold no key for epoch %u of this group to give", g.epoch);
		return;
	}
	/* Check every recipient first so the frame is taken whole or not at all. */
	for (i = 0; i < v->len; i++) {
		if (wire_array_get(v, i, &wire_records[WR_KEY], &e) != WE_OK ||
		    !wire_has(&e, WF_TO)) {
			core_error(c, s, f->rid, WE_MISSING_FIELD, "keys[%u] needs a 'to'", i);
			return;
		}
		rc = store_member_get(c->st, c->txn, g.gid, e.f[WF_TO].p, &m);
		if (rc != 0 || strcmp(m.state, "member") != 0) {
			core_error(c, s, f->rid, rc < 0 ? WE_INTERNAL : WE_NOT_MEMBER,
			    "keys[%u] is addressed to someone who is not a member", i);
			return;
		}
	}
	wire_rec_init(&r, &wire_kinds[WK_EV_KEY]);
	wire_set_bin(&r, WF_GROUP, g.gid, 16);
	wire_set_uint(&r, WF_EPOCH, g.epoch);
	ev = core_encode(WK_EV_KEY, &r);
	for (i = 0; i < v->len; i++) {
		if (wire_array_get(v, i, &wire_records[WR_KEY], &e) != WE_OK)
			continue;
		if (store_key_get(c->st, c->txn, g.gid, g.epoch, e.f[WF_TO].p, &old) == 0)
			continue;	/* the first box stays */
		memset(&k, 0, sizeof k);
		memcpy(k.gid, g.gid, 16);
		k.epoch = g.epoch;
		memcpy(k.to, e.f[WF_TO].p, 32);
		memcpy(k.from, s->user, 32);
		memcpy(k.box, e.f[WF_BOX].p, YISHI_KEYBOX_BYTES);
		if (store_key_put(c->st, c->txn, &k) != 0) {
			oframe_unref(ev);
			core_error(c, s, f->rid, WE_INTERNAL, "storage error");
			return;
		}
		if (ev != NULL)
			core_user_event(c, k.to, ev);
	}
	oframe_unref(ev);
	core_reply_ok(c, s, f->rid);
}

/* One member lacking the current key, as the store yields it. */
struct keys_need {
	uint8_t		 gid[16];
	uint32_t	 epoch;
	uint8_t		 user[32];
};

struct keys_needs {
	struct core		*c;
	uint32_t		 epoch;		/* of the group being walked */
	struct keys_need	*v;
	size_t			 n, cap;
};

static int
keys_needs_add(const struct member_rec *m, void *arg)
{
	struct keys_needs *nd = arg;
	struct keys_need *nv;
	struct key_rec k;

	if (strcmp(m->state, "member") != 0 ||
	    store_key_get(nd->c->st, nd->c->txn, m->gid, nd->epoch, m->user, &k) !=
	    STORE_NOTFOUND)
		return 0;
	if (nd->n == WIRE_MAX_ARRAY)
		return 1;
	if ((nv = node_grow(nd->v, nd->n, &nd->cap, sizeof *nv)) == NULL)
		return -1;
	nd->v = nv;
	memcpy(nd->v[nd->n].gid, m->gid, 16);
	nd->v[nd->n].epoch = nd->epoch;
	memcpy(nd->v[nd->n].user, m->user, 32);
	nd->n++;
	return 0;
}

void
keys_needed(struct core *c, struct core_session *s, struct wire_frame *f, struct qitem *it)
{
	struct keys_needs nd;
	struct core_gids v = { NULL, 0, 0 };
	struct group_rec g;
	struct member_rec me;
	struct key_rec k;
	struct wire_rec *recs = NULL, r;
	MDB_txn *txn;
	size_t i;

	(void)it;
	memset(&nd, 0, sizeof nd);
	nd.c = c;
	if ((txn = core_txn(c)) == NULL) {
		core_error(c, s, f->rid, WE_INTERNAL, "storage unavailable");
		goto out;
	}
	if (wire_has(&f->r, WF_GROUP)) {
		if (group_require_member(c, s, f->rid, f->r.f[WF_GROUP].p, &g, &me) != 0)
			goto out;
		if (core_gids_add(g.gid, &v) < 0) {
			core_error(c, s, f->rid, WE_INTERNAL, "out of memory");
			goto out;
		}
	} else if (store_user_groups_iter(c->st, txn, s->user, core_gids_add, &v) < 0) {
		core_error(c, s, f->rid, WE_INTERNAL, "storage error");
		goto out;
	}
	/*
	 * Only a member who holds the current key can box it for the others, and the
	 * epoch's rotator, who has to seed it: its own name in the list says so.
	 */
	for (i = 0; i < v.n; i++) {
		if (store_group_get(c->st, txn, v.gid[i], &g) != 0 ||
		    store_member_get(c->st, txn, v.gid[i], s->user, &me) != 0 ||
		    strcmp(me.state, "member") != 0 ||
		    (store_key_get(c->st, txn, v.gid[i], g.epoch, s->user, &k) != 0 &&
		    memcmp(g.rotator, s->user, 32) != 0))
			continue;
		nd.epoch = g.epoch;
		if (store_member_iter(c->st, txn, v.gid[i], keys_needs_add, &nd) < 0) {
			core_error(c, s, f->rid, WE_INTERNAL, "storage error");
			goto out;
		}
	}
	/* Reply records for what was found only: usually none or a few. */
	if ((recs = calloc(nd.n + 1, sizeof *recs)) == NULL) {
		core_error(c, s, f->rid, WE_INTERNAL, "out of memory");
		goto out;
	}
	for (i = 0; i < nd.n; i++) {
		wire_rec_init(&recs[i], &wire_records[WR_NEED]);
		wire_set_bin(&recs[i], WF_GROUP, nd.v[i].gid, 16);
		wire_set_uint(&recs[i], WF_EPOCH, nd.v[i].epoch);
		wire_set_bin(&recs[i], WF_USER, nd.v[i].user, 32);
	}
	wire_rec_init(&r, &wire_kinds[WK_NEEDS]);
	wire_set_array(&r, WF_NEEDS, recs, (uint32_t)nd.n);
	core_reply(c, s, f->rid, WK_NEEDS, &r);
out:
	free(v.gid);
	free(nd.v);
	free(recs);
}
