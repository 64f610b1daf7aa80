/*
 * warn.c: signed warnings, accepted, kept and fanned out by area.
 *
 * A warning is public: signed by an issuer whose certificate chains to the
 * federation root (warn.h), not encrypted. The node verifies it (root signature,
 * validity, the issuer's areas, expiry), keeps it, marks what an update or cancel
 * supersedes, and pushes it to the users in its area (warn_for_user), the rule that
 * also decides what warn_list returns to them. A high-risk alert naming this station
 * opens an urgent case in the anti-fraud queue.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "node/core.h"
#include "node/oframe.h"
#include "proto/log.h"
#include "proto/warn.h"
#include "storage/store.h"

static const uint8_t warn_zero[32];

/* The store key of a warning: who issued it, under which sender name and id. */
static void
warn_wid(const uint8_t issuer[32], const char *sender, const char *identifier, uint8_t wid[16])
{
	crypto_generichash_state h;

	crypto_generichash_init(&h, NULL, 0, 16);
	crypto_generichash_update(&h, issuer, 32);
	crypto_generichash_update(&h, (const uint8_t *)sender, strlen(sender) + 1);
	crypto_generichash_update(&h, (const uint8_t *)identifier, strlen(identifier) + 1);
	crypto_generichash_final(&h, wid, 16);
}

static int
warn_refusal_code(int result)
{
	switch (result) {
	case WARN_EENCODING:
		return WE_BAD_VALUE;
	case WARN_EAREA:
		return WE_FORBIDDEN;
	case WARN_EEXPIRED:
		return WE_EXPIRED;
	default:
		return WE_BAD_SIGNATURE;
	}
}

struct warn_user {
	struct core		*c;
	const uint8_t		*user;
	const struct warning	*w;
};

static int
warn_user_group(const uint8_t gid[16], void *arg)
{
	struct warn_user *u = arg;
	struct member_rec m;
	struct group_rec g;

	return store_member_get(u->c->st, u->c->txn, gid, u->user, &m) == 0 &&
	    strcmp(m.state, "member") == 0 && store_group_get(u->c->st, u->c->txn, gid, &g) == 0 &&
	    warn_matches_area(u->w, g.area);
}

/*
 * The one rule for who gets warning w, pushed (fan-out) or listed: w's area covers
 * the station's area (where every user of this node enrolled: their registered
 * area) or the area of a group the user is a member of. Its issuer always gets it,
 * so a centre can update or cancel a warning for an area it does not live in.
 */
static int
warn_for_user(struct core *c, const uint8_t user[32], const struct warning *w)
{
	struct warn_user u = { c, user, w };

	if (memcmp(user, w->issuer, YISHI_PK_BYTES) == 0 ||
	    warn_matches_area(w, c->ident->area))
		return 1;
	return store_user_groups_iter(c->st, c->txn, user, warn_user_group, &u) > 0;
}

void
warn_issue(struct core *c, struct core_session *s, struct wire_frame *f, struct qitem *it)
{
	struct warning *w = NULL;
	struct warn_cert cert;
	struct warn_rec rec, old;
	struct wire_rec r;
	struct oframe *out;
	char sender[WARN_SENDER_MAX + 1], ident[WARN_ID_MAX + 1];
	uint8_t wid[16];
	uint64_t sent, now = node_now_ms();
	uint32_t i;
	int rc, n;

	(void)it;
	if (!c->conf->has_root) {
		core_error(c, s, f->rid, WE_INVALID, "this node has no federation root key "
		    "configured (yishi-node run --root), so it accepts no warnings");
		return;
	}
	if ((w = malloc(sizeof *w)) == NULL) {
		core_error(c, s, f->rid, WE_INTERNAL, "out of memory");
		return;
	}
	rc = warn_verify(c->conf->root, now, f->r.f[WF_ENV].p, f->r.f[WF_ENV].len, w, &cert);
	if (rc != WARN_OK) {
		core_error(c, s, f->rid, warn_refusal_code(rc), "warning refused: %s",
		    warn_result_str(rc));
		goto out;
	}
	if (core_txn(c) == NULL) {
		core_error(c, s, f->rid, WE_INTERNAL, "storage unavailable");
		goto out;
	}
	warn_wid(w->issuer, w->sender, w->identifier, wid);
	if ((rc = store_warn_get(c->st, c->txn, wid, &old)) != STORE_NOTFOUND) {
		core_error(c, s, f->rid, rc == 0 ? WE_EXISTS : WE_INTERNAL,
		    rc == 0 ? "this warning was already accepted" : "storage error");
		goto out;
	}
	/* An update or cancel supersedes what it references, from the same issuer only. */
	for (n = 0; n < w->nrefs; n++) {
		uint8_t rwid[16];

		if (warn_ref_split(w->refs[n], sender, ident, &sent) != 0)
			continue;
		warn_wid(w->issuer, sender, ident, rwid);
		if (store_warn_get(c->st, c->txn, rwid, &old) == 0 &&
		    strcmp(old.state, "active") == 0) {
			snprintf(old.state, sizeof old.state, "superseded");
			if (store_warn_put(c->st, c->txn, &old) != 0) {
				core_error(c, s, f->rid, WE_INTERNAL, "storage error");
				goto out;
			}
		}
	}
	memset(&rec, 0, sizeof rec);
	memcpy(rec.wid, wid, 16);
	rec.ts_ms = now;
	rec.expires_ms = w->expires_ms;
	snprintf(rec.state, sizeof rec.state, "%s", w->msg_type == WMSG_CANCEL ? "superseded" :
	    "active");
	rec.env = f->r.f[WF_ENV].p;
	rec.envlen = f->r.f[WF_ENV].len;
	if (store_warn_put(c->st, c->txn, &rec) != 0) {
		core_error(c, s, f->rid, WE_INTERNAL, "storage error");
		goto out;
	}
	/* 精准劝阻: a high-risk alert about one person of this station opens an urgent case. */
	if (w->msg_type == WMSG_ALERT && w->has_target &&
	    memcmp(w->target_station, c->ident->id.pk, 32) == 0 &&
	    case_open_alert(c, wid, w->target_area, w->fraud_type,
	    w->ntexts > 0 ? w->texts[0].headline : w->identifier,
	    w->ntexts > 0 ? w->texts[0].description : "") != 0) {
		core_error(c, s, f->rid, WE_INTERNAL, "could not open the alert's case");
		goto out;
	}
	log_info("warning %s from %s (%s) accepted", w->identifier, cert.name,
	    w->msg_type == WMSG_ALERT ? "alert" : w->msg_type == WMSG_UPDATE ? "update" : "cancel");
	wire_rec_init(&r, &wire_kinds[WK_EV_WARNING]);
	wire_set_bin(&r, WF_ENV, rec.env, rec.envlen);
	wire_set_uint(&r, WF_TS, now);
	if ((out = core_encode(WK_EV_WARNING, &r)) != NULL) {
		for (i = 0; i < c->nslots; i++) {
			struct core_session *t = c->sess[i];

			if (t != NULL && t->authed && t->subscribed &&
			    warn_for_user(c, t->user, w))
				core_event(c, t, out);
		}
		oframe_unref(out);
	}
	core_reply_ok(c, s, f->rid);
out:
	free(w);
}

struct warn_page {
	struct core		*c;
	struct core_session	*s;
	struct warning		*w;	/* scratch: the record being looked at */
	struct wire_rec		*recs;
	size_t			 n, cap;
	int			 all;
	uint64_t		 now;
};

static int
warn_page_add(const struct warn_rec *w, void *arg)
{
	struct warn_page *p = arg;
	struct wire_rec *nr;
	/* A literal: w is the iterator's one buffer, reused for the next record. */
	const char *state = strcmp(w->state, "superseded") == 0 ? "superseded" : "active";

	if (strcmp(state, "active") == 0 && w->expires_ms != 0 && w->expires_ms < p->now)
		state = "expired";
	if (!p->all && strcmp(state, "active") != 0)
		return 0;
	/* Stored warnings were verified when accepted: only their areas matter here. */
	if (warn_env_body(w->env, w->envlen, p->w) != 0 || !warn_for_user(p->c, p->s->user, p->w))
		return 0;
	if (p->n == WIRE_MAX_ARRAY)
		return 1;
	/* Records point into the store only, so the array may move as it grows. */
	if ((nr = node_grow(p->recs, p->n, &p->cap, sizeof *nr)) == NULL)
		return -1;
	p->recs = nr;
	wire_rec_init(&p->recs[p->n], &wire_records[WR_WARN]);
	wire_set_bin(&p->recs[p->n], WF_ENV, w->env, w->envlen);
	wire_set_uint(&p->recs[p->n], WF_TS, w->ts_ms);
	wire_set_str(&p->recs[p->n], WF_STATE, state);
	p->n++;
	return 0;
}

void
warn_list(struct core *c, struct core_session *s, struct wire_frame *f, struct qitem *it)
{
	struct warn_page p;
	struct wire_rec r;

	(void)it;
	memset(&p, 0, sizeof p);
	p.c = c;
	p.s = s;
	p.all = wire_has(&f->r, WF_ALL) && wire_u(&f->r, WF_ALL);
	p.now = node_now_ms();
	if ((p.w = malloc(sizeof *p.w)) == NULL || core_txn(c) == NULL ||
	    store_warn_iter(c->st, c->txn, warn_page_add, &p) < 0) {
		core_error(c, s, f->rid, WE_INTERNAL, "storage error");
		free(p.w);
		free(p.recs);
		return;
	}
	free(p.w);
	/* The pointers into the store stay valid: nothing is written before the reply. */
	wire_rec_init(&r, &wire_kinds[WK_WARNINGS]);
	wire_set_array(&r, WF_WARNINGS, p.recs, (uint32_t)p.n);
	if (c->conf->has_root && memcmp(c->conf->root, warn_zero, 32) != 0)
		wire_set_bin(&r, WF_ROOT, c->conf->root, 32);
	core_reply(c, s, f->rid, WK_WARNINGS, &r);
	free(p.recs);
}
