/*
 * case.c: citizen reports and the case queues.
 *
 * The node routes a report on its cleartext metadata only: kind to queue, and a claim
 * deadline by kind and urgency. The body, notes and agreements are sealed by clients
 * to the queue's handlers, the parent level's readers and the reporter; the node keeps
 * the seals and cannot open them. Every step of a case is an entry signed by whoever
 * took it, kept in the case's log and pushed to the reporter and the handlers. An
 * unclaimed case past its deadline is escalated by the node itself (an entry signed
 * with the node key) and waits in the durable outbox for the parent node.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "node/core.h"
#include "node/oframe.h"
#include "proto/case.h"
#include "proto/log.h"
#include "storage/store.h"

static const uint8_t case_zero[32];

int
case_role_handles(const char *role, int queue)
{
	if (strcmp(role, "admin") == 0)
		return 1;
	switch (queue) {
	case CQ_ANTIFRAUD:
		return strcmp(role, "police") == 0;
	case CQ_MEDIATION:
		return strcmp(role, "mediator") == 0;
	case CQ_TRANSFER:
		return strcmp(role, "police") == 0 || strcmp(role, "grid") == 0;
	}
	return 0;
}

static int
case_handles_any(const char *role)
{
	int q;

	for (q = 0; q < CQ__COUNT; q++)
		if (case_role_handles(role, q))
			return 1;
	return 0;
}

/* Does the user (by key) handle queue q, according to the store? */
static int
case_user_handles(struct core *c, const uint8_t pk[32], int q)
{
	struct user_rec u;

	return store_user_get(c->st, c->txn, pk, &u) == 0 && case_role_handles(u.role, q);
}

static int
case_is_escalation(const struct core *c, const uint8_t pk[32])
{
	int i;

	for (i = 0; i < c->conf->nescalate; i++)
		if (memcmp(c->conf->escalate_to[i], pk, 32) == 0)
			return 1;
	return 0;
}

uint64_t
case_deadline_ms(const struct node_conf *conf, int kind, int urgent)
{
	return conf->deadline_s[kind][urgent ? 1 : 0] * 1000;
}

/* Push a case event to the reporter's and the queue handlers' subscribed sessions. */
static void
case_notify(struct core *c, const struct case_rec *k, uint64_t seq, const uint8_t *entry,
    size_t entrylen, const uint8_t *sig)
{
	struct wire_rec r;
	struct oframe *f;
	uint32_t i;

	wire_rec_init(&r, &wire_kinds[WK_EV_CASE]);
	wire_set_bin(&r, WF_CASE, k->id, 16);
	wire_set_uint(&r, WF_SEQ, seq);
	wire_set_bin(&r, WF_ENTRY, entry, entrylen);
	wire_set_bin(&r, WF_SIG, sig, YISHI_SIG_BYTES);
	wire_set_uint(&r, WF_TS, node_now_ms());
	if ((f = core_encode(WK_EV_CASE, &r)) == NULL)
		return;
	for (i = 0; i < c->nslots; i++) {
		struct core_session *s = c->sess[i];

		if (s != NULL && s->authed && s->subscribed &&
		    (memcmp(s->user, k->reporter, 32) == 0 || case_role_handles(s->role, k->queue)))
			core_event(c, s, f);
	}
	oframe_unref(f);
}

struct case_users {
	struct user_rec	*u;
	size_t		 n, cap;
	int		 queue;
};

static int
case_users_add(const struct user_rec *u, void *arg)
{
	struct case_users *a = arg;
	struct user_rec *nu;

	if (!case_role_handles(u->role, a->queue))
		return 0;
	if ((nu = node_grow(a->u, a->n, &a->cap, sizeof *nu)) == NULL)
		return -1;
	a->u = nu;
	a->u[a->n++] = *u;
	return a->n >= WIRE_MAX_ARRAY;
}

void
case_queue_info(struct core *c, struct core_session *s, struct wire_frame *f, struct qitem *it)
{
	struct case_users a = { NULL, 0, 0, 0 };
	struct wire_rec r, *h = NULL, esc[NODE_MAX_ESCALATE], depts[NODE_MAX_DEPTS];
	char kind[16];
	int k, i;
	size_t j;

	(void)it;
	wire_str(&f->r, WF_KIND, kind, sizeof kind);
	if ((k = report_kind_parse(kind)) < 0) {
		core_error(c, s, f->rid, WE_BAD_VALUE,
		    "unknown report kind '%s' (fraud, dispute, non-police)", kind);
		return;
	}
	a.queue = report_kind_queue(k);
	if (core_txn(c) == NULL || store_user_iter(c->st, c->txn, case_users_add, &a) < 0 ||
	    (h = calloc(a.n + 1, sizeof *h)) == NULL) {
		core_error(c, s, f->rid, WE_INTERNAL, "storage error");
		goto out;
	}
	for (j = 0; j < a.n; j++) {
		wire_rec_init(&h[j], &wire_records[WR_HANDLER]);
		wire_set_bin(&h[j], WF_USER, a.u[j].pk, 32);
		wire_set_str(&h[j], WF_NAME, a.u[j].name);
	}
	for (i = 0; i < c->conf->nescalate; i++) {
		wire_rec_init(&esc[i], &wire_records[WR_HANDLER]);
		wire_set_bin(&esc[i], WF_USER, c->conf->escalate_to[i], 32);
		wire_set_str(&esc[i], WF_NAME, c->conf->parent);
	}
	for (i = 0; i < c->conf->ndepts; i++) {
		wire_rec_init(&depts[i], &wire_records[WR_DEPT]);
		wire_set_str(&depts[i], WF_NAME, c->conf->depts[i]);
	}
	wire_rec_init(&r, &wire_kinds[WK_QUEUE]);
	wire_set_str(&r, WF_KIND, report_kind_names[k]);
	wire_set_str(&r, WF_QUEUE, case_queue_names[a.queue]);
	wire_set_array(&r, WF_HANDLERS, h, (uint32_t)a.n);
	wire_set_array(&r, WF_ESCALATION, esc, (uint32_t)c->conf->nescalate);
	wire_set_array(&r, WF_DEPTS, depts, (uint32_t)c->conf->ndepts);
	wire_set_uint(&r, WF_DEADLINE, case_deadline_ms(c->conf, k, 0));
	core_reply(c, s, f->rid, WK_QUEUE, &r);
out:
	free(a.u);
	free(h);
}

/*
 * A report's reference must name a message the reporter can see: one stored (or
 * redacted since) in a group they are a member of. 0, or -1 with an error held.
 */
static int
case_ref_check(struct core *c, struct core_session *s, uint64_t rid, const struct report_meta *m)
{
	struct group_rec g;
	struct member_rec mem;
	struct msg_rec msg;
	struct tomb_rec t;
	char hex[33];

	if (m->ref_seq == 0 && memcmp(m->ref_group, case_zero, 16) == 0)
		return 0;
	hex_encode(hex, m->ref_group, 16);
	if (m->ref_seq == 0) {
		core_error(c, s, rid, WE_BAD_VALUE, "the report refers to group %s without a "
		    "message number", hex);
		return -1;
	}
	if (store_group_get(c->st, c->txn, m->ref_group, &g) != 0 ||
	    store_member_get(c->st, c->txn, m->ref_group, s->user, &mem) != 0 ||
	    strcmp(mem.state, "member") != 0) {
		core_error(c, s, rid, WE_NOT_MEMBER, "the report refers to group %s, which is "
		    "not a group of yours on this node", hex);
		return -1;
	}
	if (store_msg_get(c->st, c->txn, m->ref_group, m->ref_seq, &msg) != 0 &&
	    store_tomb_get(c->st, c->txn, m->ref_group, m->ref_seq, &t) != 0) {
		core_error(c, s, rid, WE_NOT_FOUND, "the report refers to message #%llu of "
		    "group %s, which does not exist", (unsigned long long)m->ref_seq, hex);
		return -1;
	}
	return 0;
}

void
case_report(struct core *c, struct core_session *s, struct wire_frame *f, struct qitem *it)
{
	const struct wire_val *seals = &f->r.f[WF_SEALS];
	struct report_meta m;
	struct case_rec k;
	struct report_rec rep;
	struct wire_rec e, r;
	uint32_t i, handlers = 0;
	int rc;

	(void)it;
	if (report_meta_decode(f->r.f[WF_META].p, f->r.f[WF_META].len, &m) != 0) {
		core_error(c, s, f->rid, WE_BAD_VALUE, "malformed report metadata");
		return;
	}
	if (memcmp(m.reporter, s->user, 32) != 0) {
		core_error(c, s, f->rid, WE_FORBIDDEN, "the report names another reporter");
		return;
	}
	if (report_meta_verify(m.reporter, f->r.f[WF_META].p, f->r.f[WF_META].len,
	    f->r.f[WF_SIG].p) != 0) {
		core_error(c, s, f->rid, WE_BAD_SIGNATURE, "the report's signature does not verify");
		return;
	}
	if (core_txn(c) == NULL) {
		core_error(c, s, f->rid, WE_INTERNAL, "storage unavailable");
		return;
	}
	if (case_ref_check(c, s, f->rid, &m) != 0)
		return;
	if ((rc = store_case_get(c->st, c->txn, m.id, &k)) != STORE_NOTFOUND) {
		core_error(c, s, f->rid, rc == 0 ? WE_EXISTS : WE_INTERNAL,
		    rc == 0 ? "a case with this id exists" : "storage error");
		return;
	}
	memset(&k, 0, sizeof k);
	memcpy(k.id, m.id, 16);
	k.kind = (uint8_t)m.kind;
	k.queue = (uint8_t)report_kind_queue(m.kind);
	for (i = 0; i < seals->len; i++) {
		const uint8_t *to;

		if (wire_array_get(seals, i, &wire_records[WR_SEALREC], &e) != WE_OK) {
			core_error(c, s, f->rid, WE_BAD_VALUE, "seals[%u] is malformed", i);
			return;
		}
		to = e.f[WF_TO].p;
		if (case_user_handles(c, to, k.queue))
			handlers++;
		else if (!case_is_escalation(c, to) && memcmp(to, s->user, 32) != 0) {
			core_error(c, s, f->rid, WE_INVALID, "seals[%u] is for someone who may not "
			    "read %s reports", i, case_queue_names[k.queue]);
			return;
		}
	}
	if (handlers == 0) {
		core_error(c, s, f->rid, WE_INVALID, "no handler of the %s queue could read this "
		    "report: seal it to the handlers queue_info lists (if none, the station has "
		    "no handler for this queue yet)", case_queue_names[k.queue]);
		return;
	}
	k.urgent = m.urgent;
	snprintf(k.area, sizeof k.area, "%s", m.area);
	snprintf(k.fraud_type, sizeof k.fraud_type, "%s", m.fraud_type);
	memcpy(k.reporter, m.reporter, 32);
	k.created_ms = node_now_ms();
	k.deadline_ms = k.created_ms + case_deadline_ms(c->conf, m.kind, m.urgent);
	snprintf(k.state, sizeof k.state, "new");
	memset(&rep, 0, sizeof rep);
	memcpy(rep.id, m.id, 16);
	rep.meta = f->r.f[WF_META].p;
	rep.metalen = f->r.f[WF_META].len;
	rep.sig = f->r.f[WF_SIG].p;
	rep.body = f->r.f[WF_BODY].p;
	rep.bodylen = f->r.f[WF_BODY].len;
	rc = store_case_put(c->st, c->txn, &k) != 0 || store_report_put(c->st, c->txn, &rep) != 0 ||
	    store_deadline_put(c->st, c->txn, k.deadline_ms, k.id) != 0;
	for (i = 0; rc == 0 && i < seals->len; i++)
		rc = wire_array_get(seals, i, &wire_records[WR_SEALREC], &e) != WE_OK ||
		    store_seal_put(c->st, c->txn, k.id, 0, e.f[WF_TO].p, e.f[WF_SEAL].p) != 0;
	if (rc != 0) {
		core_error(c, s, f->rid, WE_INTERNAL, "storage error");
		return;
	}
	log_info("case %02x%02x%02x%02x: %s%s report from %s for the %s queue (area %s)",
	    k.id[0], k.id[1], k.id[2], k.id[3], k.urgent ? "urgent " : "",
	    report_kind_names[k.kind], s->name, case_queue_names[k.queue], k.area);
	core_deadline_arm(c, k.deadline_ms);
	wire_rec_init(&r, &wire_kinds[WK_REPORTED]);
	wire_set_bin(&r, WF_CASE, k.id, 16);
	wire_set_str(&r, WF_QUEUE, case_queue_names[k.queue]);
	wire_set_uint(&r, WF_DEADLINE, k.deadline_ms);
	core_reply(c, s, f->rid, WK_REPORTED, &r);
}

/* The fields a case record and a case reply share. */
static void
case_rec_fields(struct wire_rec *r, const struct case_rec *k)
{
	wire_set_bin(r, WF_CASE, k->id, 16);
	wire_set_str(r, WF_KIND, report_kind_names[k->kind]);
	wire_set_str(r, WF_QUEUE, case_queue_names[k->queue]);
	wire_set_bool(r, WF_URGENT, k->urgent);
	wire_set_str(r, WF_AREA, k->area);
	wire_set_str(r, WF_FRAUD_TYPE, k->fraud_type);
	wire_set_str(r, WF_STATE, k->state);
	wire_set_uint(r, WF_TS, k->created_ms);
	wire_set_uint(r, WF_DEADLINE, k->deadline_ms);
	wire_set_bin(r, WF_REPORTER, k->reporter, 32);
	if (memcmp(k->handler, case_zero, 32) != 0) {
		wire_set_bin(r, WF_HANDLER, k->handler, 32);
		wire_set_uint(r, WF_CLAIMED, k->claimed_ms);
	}
	if (k->dept[0] != '\0')
		wire_set_str(r, WF_DEPT, k->dept);
}

struct case_sel {
	struct core_session	*s;
	int			 mine, queue;
	char			 state[17];
	struct case_rec		*k;
	size_t			 n, cap;
};

static int
case_sel_add(const struct case_rec *k, void *arg)
{
	struct case_sel *a = arg;
	struct case_rec *nk;

	if (a->mine ? memcmp(k->reporter, a->s->user, 32) != 0 :
	    !case_role_handles(a->s->role, k->queue))
		return 0;
	if ((a->queue >= 0 && k->queue != a->queue) ||
	    (a->state[0] != '\0' && strcmp(a->state, k->state) != 0))
		return 0;
	if ((nk = node_grow(a->k, a->n, &a->cap, sizeof *nk)) == NULL)
		return -1;
	a->k = nk;
	a->k[a->n++] = *k;
	return a->n >= WIRE_MAX_ARRAY;
}

void
case_list(struct core *c, struct core_session *s, struct wire_frame *f, struct qitem *it)
{
	struct case_sel a;
	struct wire_rec *recs = NULL, r;
	char q[17];
	size_t i;

	(void)it;
	memset(&a, 0, sizeof a);
	a.s = s;
	a.queue = -1;
	a.mine = (wire_has(&f->r, WF_MINE) && wire_u(&f->r, WF_MINE)) || !case_handles_any(s->role);
	if (wire_has(&f->r, WF_QUEUE)) {
		wire_str(&f->r, WF_QUEUE, q, sizeof q);
		if ((a.queue = case_queue_parse(q)) < 0) {
			core_error(c, s, f->rid, WE_BAD_VALUE,
			    "unknown queue '%s' (anti-fraud, mediation, transfer)", q);
			return;
		}
	}
	if (wire_has(&f->r, WF_STATE))
		wire_str(&f->r, WF_STATE, a.state, sizeof a.state);
	if (core_txn(c) == NULL || store_case_iter(c->st, c->txn, case_sel_add, &a) < 0 ||
	    (recs = calloc(a.n + 1, sizeof *recs)) == NULL) {
		core_error(c, s, f->rid, WE_INTERNAL, "storage error");
		goto out;
	}
	for (i = 0; i < a.n; i++) {
		wire_rec_init(&recs[i], &wire_records[WR_CASEREC]);
		case_rec_fields(&recs[i], &a.k[i]);
	}
	wire_rec_init(&r, &wire_kinds[WK_CASES]);
	wire_set_array(&r, WF_CASES, recs, (uint32_t)a.n);
	core_reply(c, s, f->rid, WK_CASES, &r);
out:
	free(a.k);
	free(recs);
}

/*
 * Load case id for session s, who must be its reporter, one of its queue's handlers,
 * or a party of its mediation agreement.
 */
static int
case_load(struct core *c, struct core_session *s, uint64_t rid, const uint8_t *id,
    struct case_rec *k)
{
	uint8_t party_seal[REPORT_SEAL_BYTES];
	int rc;

	if (core_txn(c) == NULL) {
		core_error(c, s, rid, WE_INTERNAL, "storage unavailable");
		return -1;
	}
	if ((rc = store_case_get(c->st, c->txn, id, k)) != 0) {
		core_error(c, s, rid, rc < 0 ? WE_INTERNAL : WE_NOT_FOUND,
		    rc < 0 ? "storage error" : "no such case on this node");
		return -1;
	}
	/* A party the mediation agreement was sealed to may read the case and sign. */
	if (memcmp(k->reporter, s->user, 32) != 0 && !case_role_handles(s->role, k->queue) &&
	    (k->agree_seq == 0 || store_seal_get(c->st, c->txn, k->id, k->agree_seq, s->user,
	    party_seal) != 0)) {
		core_error(c, s, rid, WE_FORBIDDEN, "only the reporter and the %s queue's "
		    "handlers may see this case", case_queue_names[k->queue]);
		return -1;
	}
	return 0;
}

/* A case's log as the reply carries it, with the caller's seal for sealed entries. */
struct case_logent {
	struct caselog_rec	 l;		/* points into the store */
	int			 has_seal;
	uint8_t			 seal[REPORT_SEAL_BYTES];
};

struct case_logp {
	struct core		*c;
	struct core_session	*s;
	struct case_logent	*v;
	size_t			 n, cap;
};

static int
case_log_add(const struct caselog_rec *l, void *arg)
{
	struct case_logp *p = arg;
	struct case_logent *nv;

	if (p->n == WIRE_MAX_ARRAY)
		return 1;
	if ((nv = node_grow(p->v, p->n, &p->cap, sizeof *nv)) == NULL)
		return -1;
	p->v = nv;
	p->v[p->n].l = *l;
	p->v[p->n].has_seal = l->bodylen > 0 && store_seal_get(p->c->st, p->c->txn, l->id,
	    l->seq, p->s->user, p->v[p->n].seal) == 0;
	p->n++;
	return 0;
}

void
case_get(struct core *c, struct core_session *s, struct wire_frame *f, struct qitem *it)
{
	struct case_logp p;
	struct case_rec k;
	struct report_rec rep;
	struct wire_rec *recs = NULL, r;
	uint8_t seal[REPORT_SEAL_BYTES];
	size_t i;

	(void)it;
	if (case_load(c, s, f->rid, f->r.f[WF_CASE].p, &k) != 0)
		return;
	if (store_report_get(c->st, c->txn, k.id, &rep) != 0) {
		core_error(c, s, f->rid, WE_INTERNAL, "storage error");
		return;
	}
	memset(&p, 0, sizeof p);
	p.c = c;
	p.s = s;
	if (store_caselog_iter(c->st, c->txn, k.id, case_log_add, &p) < 0 ||
	    (recs = calloc(p.n + 1, sizeof *recs)) == NULL) {
		core_error(c, s, f->rid, WE_INTERNAL, "storage error or out of memory");
		goto out;
	}
	/* Built once the log is complete: the records point into p.v, now fixed. */
	for (i = 0; i < p.n; i++) {
		const struct caselog_rec *l = &p.v[i].l;

		wire_rec_init(&recs[i], &wire_records[WR_CASEENT]);
		wire_set_uint(&recs[i], WF_SEQ, l->seq);
		wire_set_bin(&recs[i], WF_ENTRY, l->entry, l->entrylen);
		wire_set_bin(&recs[i], WF_SIG, l->sig, YISHI_SIG_BYTES);
		wire_set_uint(&recs[i], WF_TS, l->ts_ms);
		if (l->bodylen > 0)
			wire_set_bin(&recs[i], WF_BODY, l->body, l->bodylen);
		if (p.v[i].has_seal)
			wire_set_bin(&recs[i], WF_SEAL, p.v[i].seal, REPORT_SEAL_BYTES);
	}
	wire_rec_init(&r, &wire_kinds[WK_CASE]);
	case_rec_fields(&r, &k);
	wire_set_bin(&r, WF_META, rep.meta, rep.metalen);
	wire_set_bin(&r, WF_SIG, rep.sig, YISHI_SIG_BYTES);
	wire_set_bin(&r, WF_BODY, rep.body, rep.bodylen);
	if (store_seal_get(c->st, c->txn, k.id, 0, s->user, seal) == 0)
		wire_set_bin(&r, WF_SEAL, seal, sizeof seal);
	wire_set_array(&r, WF_LOG, recs, (uint32_t)p.n);
	core_reply(c, s, f->rid, WK_CASE, &r);
out:
	free(p.v);
	free(recs);
}

/* The outbox payload for the parent: [meta, sig, body, [[reader, seal], ...]]. */
static int
case_outbox_payload(struct core *c, const struct case_rec *k, msgpack_sbuffer *sb)
{
	struct report_rec rep;
	uint8_t seal[REPORT_SEAL_BYTES];
	msgpack_packer pk;
	int i, n = 0;

	if (store_report_get(c->st, c->txn, k->id, &rep) != 0)
		return -1;
	for (i = 0; i < c->conf->nescalate; i++)
		n += store_seal_get(c->st, c->txn, k->id, 0, c->conf->escalate_to[i], seal) == 0;
	msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
	msgpack_pack_array(&pk, 4);
	msgpack_pack_bin_with_body(&pk, rep.meta, rep.metalen);
	msgpack_pack_bin_with_body(&pk, rep.sig, YISHI_SIG_BYTES);
	msgpack_pack_bin_with_body(&pk, rep.body, rep.bodylen);
	msgpack_pack_array(&pk, (size_t)n);
	for (i = 0; i < c->conf->nescalate; i++) {
		if (store_seal_get(c->st, c->txn, k->id, 0, c->conf->escalate_to[i], seal) != 0)
			continue;
		msgpack_pack_array(&pk, 2);
		msgpack_pack_bin_with_body(&pk, c->conf->escalate_to[i], 32);
		msgpack_pack_bin_with_body(&pk, seal, sizeof seal);
	}
	return 0;
}

/*
 * Append a signed entry to the case log, update the case, and tell the reporter and
 * the handlers. body/seals: sealed content of the entry (notes, agreements).
 */
static uint64_t
case_log_append(struct core *c, struct case_rec *k, const uint8_t *entry, size_t entrylen,
    const uint8_t *sig, const uint8_t *id, const struct wire_frame *f)
{
	struct caselog_rec l;
	struct wire_rec e;
	uint32_t i;

	memset(&l, 0, sizeof l);
	memcpy(l.id, k->id, 16);
	l.seq = ++k->logseq;
	l.ts_ms = node_now_ms();
	l.entry = entry;
	l.entrylen = (uint32_t)entrylen;
	l.sig = sig;
	if (f != NULL && wire_has(&f->r, WF_BODY)) {
		l.body = f->r.f[WF_BODY].p;
		l.bodylen = f->r.f[WF_BODY].len;
	}
	if (store_caselog_put(c->st, c->txn, &l) != 0 ||
	    store_modid_put(c->st, c->txn, k->id, id, l.seq) != 0)
		return 0;
	for (i = 0; f != NULL && wire_has(&f->r, WF_SEALS) && i < f->r.f[WF_SEALS].len; i++)
		if (wire_array_get(&f->r.f[WF_SEALS], i, &wire_records[WR_SEALREC], &e) != WE_OK ||
		    store_seal_put(c->st, c->txn, k->id, l.seq, e.f[WF_TO].p, e.f[WF_SEAL].p) != 0)
			return 0;
	if (store_case_put(c->st, c->txn, k) != 0)
		return 0;
	case_notify(c, k, l.seq, entry, entrylen, sig);
	return l.seq;
}

static int
case_escalate_outbox(struct core *c, const struct case_rec *k)
{
	struct outbox_rec o;
	msgpack_sbuffer sb;
	int rc;

	msgpack_sbuffer_init(&sb);
	memset(&o, 0, sizeof o);
	snprintf(o.dest, sizeof o.dest, "%s", c->conf->parent);
	memcpy(o.id, k->id, 16);
	o.ts_ms = node_now_ms();
	rc = case_outbox_payload(c, k, &sb);
	if (rc == 0) {
		o.payload = (const uint8_t *)sb.data;
		o.payloadlen = (uint32_t)sb.size;
		rc = store_outbox_add(c->st, c->txn, &o);
	}
	msgpack_sbuffer_destroy(&sb);
	return rc;
}

static int
case_final(const char *state)
{
	return strcmp(state, "resolved") == 0 || strcmp(state, "rejected") == 0 ||
	    strcmp(state, "transferred") == 0;
}

static int
case_dept_ok(const struct node_conf *conf, const char *d)
{
	int i;

	for (i = 0; i < conf->ndepts; i++)
		if (strcmp(conf->depts[i], d) == 0)
			return 1;
	return 0;
}

struct case_find {
	uint64_t		 seq;
	struct case_entry	*e;
	int			 found;
};

static int
case_find_cb(const struct caselog_rec *l, void *arg)
{
	struct case_find *f = arg;

	if (l->seq != f->seq)
		return 0;
	f->found = case_entry_decode(l->entry, l->entrylen, f->e) == 0;
	return 1;
}

/* The case's latest "agree" entry. */
static int
case_agree_entry(struct core *c, const struct case_rec *k, struct case_entry *e)
{
	struct case_find f = { k->agree_seq, e, 0 };

	if (store_caselog_iter(c->st, c->txn, k->id, case_find_cb, &f) < 0 || !f.found)
		return -1;
	return 0;
}

void
case_act(struct core *c, struct core_session *s, struct wire_frame *f, struct qitem *it)
{
	struct case_entry e;
	struct case_rec k;
	struct group_rec g;
	struct member_rec m;
	struct wire_rec r;
	uint8_t gid[16], seal[REPORT_SEAL_BYTES];
	const uint8_t *entry = f->r.f[WF_ENTRY].p;
	size_t entrylen = f->r.f[WF_ENTRY].len;
	uint64_t seq, was_deadline;
	int handler, claimer, rc;

	(void)it;
	if (case_entry_decode(entry, entrylen, &e) != 0) {
		core_error(c, s, f->rid, WE_BAD_VALUE, "malformed case entry");
		return;
	}
	if (memcmp(e.actor, s->user, 32) != 0) {
		core_error(c, s, f->rid, WE_FORBIDDEN, "the entry is signed for another user");
		return;
	}
	if (case_entry_verify(e.actor, entry, entrylen, f->r.f[WF_SIG].p) != 0) {
		core_error(c, s, f->rid, WE_BAD_SIGNATURE, "the entry's signature does not verify");
		return;
	}
	if (case_load(c, s, f->rid, e.case_id, &k) != 0)
		return;
	if ((rc = store_modid_get(c->st, c->txn, k.id, e.id, &seq)) == 0) {
		core_error(c, s, f->rid, WE_EXISTS, "this entry was already applied (#%llu)",
		    (unsigned long long)seq);
		return;
	} else if (rc < 0) {
		core_error(c, s, f->rid, WE_INTERNAL, "storage error");
		return;
	}
	handler = case_role_handles(s->role, k.queue);
	claimer = memcmp(k.handler, s->user, 32) == 0;
	was_deadline = strcmp(k.state, "new") == 0 ? k.deadline_ms : 0;
	if ((e.action == CA_NOTE || e.action == CA_AGREE) &&
	    (!wire_has(&f->r, WF_BODY) || !wire_has(&f->r, WF_SEALS))) {
		core_error(c, s, f->rid, WE_MISSING_FIELD, "a %s carries its sealed text (body, "
		    "seals)", case_action_names[e.action]);
		return;
	}
	if (case_final(k.state) && e.action != CA_NOTE && e.action != CA_SIGN) {
		core_error(c, s, f->rid, WE_INVALID, "the case is %s", k.state);
		return;
	}
	switch (e.action) {
	case CA_CLAIM:
		if (!handler) {
			core_error(c, s, f->rid, WE_FORBIDDEN, "only the %s queue's handlers claim "
			    "its cases (your role: %s)", case_queue_names[k.queue], s->role);
			return;
		}
		if (strcmp(k.state, "new") != 0 && strcmp(k.state, "escalated") != 0) {
			core_error(c, s, f->rid, WE_INVALID, "the case is already %s", k.state);
			return;
		}
		memcpy(k.handler, s->user, 32);
		k.claimed_ms = node_now_ms();
		snprintf(k.state, sizeof k.state, "claimed");
		break;
	case CA_PROGRESS:
	case CA_RESOLVE:
	case CA_REJECT:
	case CA_MEDIATE:
	case CA_AGREE:
		if (!claimer) {
			core_error(c, s, f->rid, WE_FORBIDDEN, "only the handler who claimed the "
			    "case may %s it", case_action_names[e.action]);
			return;
		}
		if (e.action == CA_PROGRESS || e.action == CA_MEDIATE) {
			if (strcmp(k.state, "claimed") != 0 && strcmp(k.state, "in_progress") != 0) {
				core_error(c, s, f->rid, WE_INVALID, "the case is %s", k.state);
				return;
			}
			snprintf(k.state, sizeof k.state, "in_progress");
		}
		if (e.action == CA_RESOLVE || e.action == CA_REJECT) {
			snprintf(k.state, sizeof k.state, e.action == CA_RESOLVE ? "resolved" :
			    "rejected");
			snprintf(k.outcome, sizeof k.outcome, "%.32s", e.arg);
		}
		if (e.action == CA_MEDIATE) {
			if (k.queue != CQ_MEDIATION) {
				core_error(c, s, f->rid, WE_INVALID, "only disputes are mediated");
				return;
			}
			if (hex_decode(gid, sizeof gid, e.arg) != 0 ||
			    store_group_get(c->st, c->txn, gid, &g) != 0 ||
			    memcmp(g.owner, s->user, 32) != 0) {
				core_error(c, s, f->rid, WE_INVALID, "the mediation room must be a "
				    "group you own (its id in hex)");
				return;
			}
			memcpy(k.mediator_room, gid, 16);
			if (store_member_get(c->st, c->txn, gid, k.reporter, &m) == STORE_NOTFOUND) {
				if (group_admit(c, c->txn, &g, k.reporter, "member") != 0) {
					core_error(c, s, f->rid, WE_INTERNAL, "storage error");
					return;
				}
				group_announce_need(c, &g, k.reporter);
			}
		}
		if (e.action == CA_AGREE) {
			if (k.queue != CQ_MEDIATION || strlen(e.arg) != AGREEMENT_HASH_HEX - 1) {
				core_error(c, s, f->rid, WE_INVALID,
				    "an agreement belongs to a dispute and names its hash");
				return;
			}
			k.agree_seq = k.logseq + 1;
		}
		break;
	case CA_NOTE:
		if (!handler && memcmp(k.reporter, s->user, 32) != 0) {
			core_error(c, s, f->rid, WE_FORBIDDEN, "only handlers and the reporter add "
			    "notes");
			return;
		}
		break;
	case CA_ESCALATE:
		if (!handler) {
			core_error(c, s, f->rid, WE_FORBIDDEN, "only the %s queue's handlers escalate",
			    case_queue_names[k.queue]);
			return;
		}
		if (strcmp(k.state, "escalated") == 0) {
			core_error(c, s, f->rid, WE_INVALID, "the case is already escalated");
			return;
		}
		snprintf(k.state, sizeof k.state, "escalated");
		if (case_escalate_outbox(c, &k) != 0) {
			core_error(c, s, f->rid, WE_INTERNAL, "storage error");
			return;
		}
		break;
	case CA_TRANSFER:
		if (!handler || k.queue != CQ_TRANSFER) {
			core_error(c, s, f->rid, WE_FORBIDDEN, "only the transfer queue's handlers "
			    "transfer its cases");
			return;
		}
		if (!case_dept_ok(c->conf, e.arg)) {
			core_error(c, s, f->rid, WE_INVALID, "'%s' is not a department of this "
			    "station (see queue_info)", e.arg);
			return;
		}
		snprintf(k.dept, sizeof k.dept, "%.64s", e.arg);
		snprintf(k.state, sizeof k.state, "transferred");
		break;
	case CA_SIGN:
		if (k.agree_seq == 0 ||
		    store_seal_get(c->st, c->txn, k.id, k.agree_seq, s->user, seal) != 0) {
			core_error(c, s, f->rid, WE_FORBIDDEN, "only a party the agreement was sealed "
			    "to signs it");
			return;
		}
		break;
	default:
		core_error(c, s, f->rid, WE_INVALID, "unknown case action");
		return;
	}
	if (e.action == CA_SIGN) {
		struct case_entry ae;

		if (case_agree_entry(c, &k, &ae) != 0 || strcmp(ae.arg, e.arg) != 0) {
			core_error(c, s, f->rid, WE_INVALID, "the signature names another agreement "
			    "than the latest");
			return;
		}
	}
	if (was_deadline != 0 && strcmp(k.state, "new") != 0 &&
	    store_deadline_del(c->st, c->txn, was_deadline, k.id) < 0) {
		core_error(c, s, f->rid, WE_INTERNAL, "storage error");
		return;
	}
	if ((seq = case_log_append(c, &k, entry, entrylen, f->r.f[WF_SIG].p, e.id, f)) == 0) {
		core_error(c, s, f->rid, WE_INTERNAL, "storage error");
		return;
	}
	log_info("case %02x%02x%02x%02x: %s by %s%s%s", k.id[0], k.id[1], k.id[2], k.id[3],
	    case_action_names[e.action], s->name, e.arg[0] ? " " : "", e.arg);
	wire_rec_init(&r, &wire_kinds[WK_OK]);
	wire_set_uint(&r, WF_SEQ, seq);
	core_reply(c, s, f->rid, WK_OK, &r);
}

/*
 * Escalate every case whose claim deadline has passed and that nobody claimed. Runs
 * in a core turn (its writes commit with the turn). Returns the next deadline, or 0.
 */
uint64_t
case_deadlines_run(struct core *c)
{
	struct case_entry e;
	struct case_rec k;
	uint8_t id[16], entry[CASE_ENTRY_MAX], sig[YISHI_SIG_BYTES];
	uint64_t ms, now = node_now_ms();
	size_t len;
	int rc;

	if (core_txn(c) == NULL)
		return now + 1000;	/* try again in a second */
	while ((rc = store_deadline_first(c->st, c->txn, &ms, id)) == 0 && ms <= now) {
		if (store_deadline_del(c->st, c->txn, ms, id) < 0)
			return now + 1000;
		if (store_case_get(c->st, c->txn, id, &k) != 0 || strcmp(k.state, "new") != 0)
			continue;
		memset(&e, 0, sizeof e);
		memcpy(e.case_id, k.id, 16);
		e.action = CA_ESCALATE;
		memcpy(e.actor, c->ident->id.pk, 32);
		snprintf(e.arg, sizeof e.arg, "deadline");
		e.ts_ms = now;
		randombytes_buf(e.id, sizeof e.id);
		if ((len = case_entry_encode(&e, entry, sizeof entry)) == 0)
			continue;
		case_entry_sign(&c->ident->id, entry, len, sig);
		snprintf(k.state, sizeof k.state, "escalated");
		if (case_escalate_outbox(c, &k) != 0 ||
		    case_log_append(c, &k, entry, len, sig, e.id, NULL) == 0)
			return now + 1000;
		log_info("case %02x%02x%02x%02x: not claimed within its deadline, escalated to %s",
		    k.id[0], k.id[1], k.id[2], k.id[3], c->conf->parent);
	}
	return rc == 0 ? ms : 0;
}

/* ISO 8601 week of a node time, e.g. 2026-W48. */
static void
case_week(uint64_t ms, char out[16])
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 16, "%G-W%V", &tm);
}

struct case_row {
	char		 week[16];
	int		 kind, queue;
	char		 area[13];
	char		 fraud_type[33];
	char		 state[17];
	uint64_t	 count, claimed, in_time;
	uint64_t	*claim_ms;	/* one per claimed case, for the median */
};

struct case_stats {
	struct case_row	*rows;
	size_t		 n, cap;
	uint64_t	 since;
};

static int
case_stats_add(const struct case_rec *k, void *arg)
{
	struct case_stats *a = arg;
	struct case_row *row = NULL, *nr;
	char week[16];
	size_t i;

	if (k->created_ms < a->since)
		return 0;
	case_week(k->created_ms, week);
	for (i = 0; i < a->n; i++) {
		row = &a->rows[i];
		if (strcmp(row->week, week) == 0 && row->kind == k->kind &&
		    strcmp(row->area, k->area) == 0 && strcmp(row->fraud_type, k->fraud_type) == 0 &&
		    strcmp(row->state, k->state) == 0)
			break;
	}
	if (i == a->n) {
		if (a->n == WIRE_MAX_ARRAY)
			return 1;
		if (a->n == a->cap) {
			size_t cap = a->cap ? a->cap * 2 : 32;

			if ((nr = reallocarray(a->rows, cap, sizeof *nr)) == NULL)
				return -1;
			a->rows = nr;
			a->cap = cap;
		}
		row = &a->rows[a->n++];
		memset(row, 0, sizeof *row);
		snprintf(row->week, sizeof row->week, "%s", week);
		row->kind = k->kind;
		snprintf(row->area, sizeof row->area, "%s", k->area);
		snprintf(row->fraud_type, sizeof row->fraud_type, "%s", k->fraud_type);
		snprintf(row->state, sizeof row->state, "%s", k->state);
	}
	row->count++;
	if (k->claimed_ms != 0) {
		uint64_t *nc = reallocarray(row->claim_ms, row->claimed + 1, sizeof *nc);

		if (nc == NULL)
			return -1;
		row->claim_ms = nc;
		row->claim_ms[row->claimed++] = k->claimed_ms - k->created_ms;
		row->in_time += k->claimed_ms <= k->deadline_ms;
	}
	return 0;
}

static int
case_u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

void
case_stats(struct core *c, struct core_session *s, struct wire_frame *f, struct qitem *it)
{
	struct case_stats a;
	struct wire_rec *recs = NULL, r;
	size_t i;

	(void)it;
	if (!case_handles_any(s->role)) {
		core_error(c, s, f->rid, WE_FORBIDDEN, "the figures are for handlers and admins");
		return;
	}
	memset(&a, 0, sizeof a);
	a.since = wire_has(&f->r, WF_SINCE) ? wire_u(&f->r, WF_SINCE) : 0;
	if (core_txn(c) == NULL || store_case_iter(c->st, c->txn, case_stats_add, &a) < 0 ||
	    (recs = calloc(a.n + 1, sizeof *recs)) == NULL) {
		core_error(c, s, f->rid, WE_INTERNAL, "storage error");
		goto out;
	}
	for (i = 0; i < a.n; i++) {
		struct case_row *row = &a.rows[i];
		uint64_t median = 0;

		if (row->claimed > 0) {
			qsort(row->claim_ms, row->claimed, sizeof *row->claim_ms, case_u64_cmp);
			median = row->claim_ms[row->claimed / 2];
		}
		wire_rec_init(&recs[i], &wire_records[WR_STAT]);
		wire_set_str(&recs[i], WF_WEEK, row->week);
		wire_set_str(&recs[i], WF_KIND, report_kind_names[row->kind]);
		wire_set_str(&recs[i], WF_AREA, row->area);
		wire_set_str(&recs[i], WF_FRAUD_TYPE, row->fraud_type);
		wire_set_str(&recs[i], WF_STATE, row->state);
		wire_set_uint(&recs[i], WF_COUNT, row->count);
		wire_set_uint(&recs[i], WF_CLAIMED, row->claimed);
		wire_set_uint(&recs[i], WF_IN_TIME, row->in_time);
		wire_set_uint(&recs[i], WF_CLAIM_MS, median);
	}
	wire_rec_init(&r, &wire_kinds[WK_STATS]);
	wire_set_array(&r, WF_ROWS, recs, (uint32_t)a.n);
	core_reply(c, s, f->rid, WK_STATS, &r);
out:
	for (i = 0; i < a.n; i++)
		free(a.rows[i].claim_ms);
	free(a.rows);
	free(recs);
}

int
case_open_alert(struct core *c, const uint8_t id[16], const char *area, const char *fraud_type,
    const char *headline, const char *text)
{
	struct case_users a = { NULL, 0, 0, CQ_ANTIFRAUD };
	struct report_meta m;
	static struct report_body b;
	struct case_rec k;
	struct report_rec rep;
	msgpack_sbuffer sb;
	uint8_t meta[REPORT_META_MAX], sig[YISHI_SIG_BYTES], key[YISHI_KEY_BYTES];
	uint8_t seal[REPORT_SEAL_BYTES], *body = NULL;
	size_t metalen, i;
	int rc = -1;

	if (store_case_get(c->st, c->txn, id, &k) == 0)
		return 0;	/* already opened */
	memset(&m, 0, sizeof m);
	memcpy(m.id, id, 16);
	memcpy(m.reporter, c->ident->id.pk, 32);
	m.kind = RK_FRAUD;
	m.urgent = 1;
	snprintf(m.area, sizeof m.area, "%s", area);
	m.ts_ms = node_now_ms();
	snprintf(m.fraud_type, sizeof m.fraud_type, "%.32s", fraud_type);
	if ((metalen = report_meta_encode(&m, meta, sizeof meta)) == 0)
		return -1;
	report_meta_sign(&c->ident->id, meta, metalen, sig);
	memset(&b, 0, sizeof b);
	snprintf(b.text, sizeof b.text, "高风险预警 high-risk alert: %s\n%s", headline, text);
	msgpack_sbuffer_init(&sb);
	if (report_body_encode(&b, &sb) != 0 ||
	    (body = malloc(sb.size + YISHI_NONCE_BYTES + YISHI_TAG_BYTES)) == NULL)
		goto out;
	report_seal_body(meta, metalen, (const uint8_t *)sb.data, sb.size, key, body);
	if (store_user_iter(c->st, c->txn, case_users_add, &a) < 0)
		goto out;
	memset(&k, 0, sizeof k);
	memcpy(k.id, id, 16);
	k.kind = RK_FRAUD;
	k.queue = CQ_ANTIFRAUD;
	k.urgent = 1;
	snprintf(k.area, sizeof k.area, "%s", m.area);
	snprintf(k.fraud_type, sizeof k.fraud_type, "%s", m.fraud_type);
	memcpy(k.reporter, m.reporter, 32);
	k.created_ms = m.ts_ms;
	k.deadline_ms = k.created_ms + case_deadline_ms(c->conf, RK_FRAUD, 1);
	snprintf(k.state, sizeof k.state, "new");
	memset(&rep, 0, sizeof rep);
	memcpy(rep.id, id, 16);
	rep.meta = meta;
	rep.metalen = (uint32_t)metalen;
	rep.sig = sig;
	rep.body = body;
	rep.bodylen = (uint32_t)(sb.size + YISHI_NONCE_BYTES + YISHI_TAG_BYTES);
	if (store_case_put(c->st, c->txn, &k) != 0 || store_report_put(c->st, c->txn, &rep) != 0 ||
	    store_deadline_put(c->st, c->txn, k.deadline_ms, k.id) != 0)
		goto out;
	for (i = 0; i < a.n; i++)
		if (report_seal_key(key, a.u[i].pk, seal) != 0 ||
		    store_seal_put(c->st, c->txn, id, 0, a.u[i].pk, seal) != 0)
			goto out;
	for (i = 0; i < (size_t)c->conf->nescalate; i++)
		if (report_seal_key(key, c->conf->escalate_to[i], seal) != 0 ||
		    store_seal_put(c->st, c->txn, id, 0, c->conf->escalate_to[i], seal) != 0)
			goto out;
	core_deadline_arm(c, k.deadline_ms);
	log_info("case %02x%02x%02x%02x: opened by a high-risk alert for area %s", id[0], id[1],
	    id[2], id[3], k.area);
	rc = 0;
out:
	sodium_memzero(key, sizeof key);
	msgpack_sbuffer_destroy(&sb);
	free(a.u);
	free(body);
	return rc;
}
