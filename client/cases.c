/* cases.c: see cases.h. */
#include "client/cases.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#define CASES_PREFIX_MIN	6	/* hex digits of a case id prefix */

static uint64_t
cases_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Copy the records of array field f (schema WR_HANDLER) into *out. */
static int
cases_readers(const struct wire_rec *r, enum wire_field f, struct cases_reader **out,
    size_t *n, struct cerr *e)
{
	const struct wire_val *v = &r->f[f];
	struct wire_rec h;
	uint32_t i;

	*out = calloc(v->len ? v->len : 1, sizeof **out);
	*n = 0;
	if (*out == NULL) {
		cerr_set(e, CE_INTERNAL, "out of memory");
		return -1;
	}
	for (i = 0; i < v->len; i++) {
		if (wire_array_get(v, i, &wire_records[WR_HANDLER], &h) != WE_OK) {
			cerr_set(e, CE_PROTOCOL, "node sent a malformed %s record",
			    wire_field_names[f]);
			return -1;
		}
		memcpy((*out)[i].user, h.f[WF_USER].p, YISHI_PK_BYTES);
		wire_str(&h, WF_NAME, (*out)[i].name, sizeof (*out)[i].name);
		(*n)++;
	}
	return 0;
}

int
cases_queue_fetch(struct cases_queue *q, struct session *s, int kind, struct cerr *e)
{
	struct wire_frame *f;
	struct wire_rec req, d;
	const struct wire_val *v;
	uint32_t i;
	int ret = -1;

	memset(q, 0, sizeof *q);
	q->kind = kind;
	wire_rec_init(&req, &wire_kinds[WK_QUEUE_INFO]);
	wire_set_str(&req, WF_KIND, report_kind_names[kind]);
	if ((f = session_call(s, WK_QUEUE_INFO, &req, WK_QUEUE, e)) == NULL)
		return -1;
	wire_str(&f->r, WF_QUEUE, q->queue, sizeof q->queue);
	q->deadline_ms = wire_u(&f->r, WF_DEADLINE);
	if (cases_readers(&f->r, WF_HANDLERS, &q->handlers, &q->nhandlers, e) == -1 ||
	    cases_readers(&f->r, WF_ESCALATION, &q->escalation, &q->nescalation, e) == -1)
		goto out;
	v = &f->r.f[WF_DEPTS];
	if ((q->depts = calloc(v->len ? v->len : 1, sizeof *q->depts)) == NULL) {
		cerr_set(e, CE_INTERNAL, "out of memory");
		goto out;
	}
	for (i = 0; i < v->len; i++) {
		if (wire_array_get(v, i, &wire_records[WR_DEPT], &d) != WE_OK) {
			cerr_set(e, CE_PROTOCOL, "node sent a malformed department record");
			goto out;
		}
		wire_str(&d, WF_NAME, q->depts[q->ndepts++], sizeof q->depts[0]);
	}
	ret = 0;
out:
	session_frame_free(f);
	if (ret == -1)
		cases_queue_free(q);
	return ret;
}

void
cases_queue_free(struct cases_queue *q)
{
	free(q->handlers);
	free(q->escalation);
	free(q->depts);
	memset(q, 0, sizeof *q);
}

const char *
cases_queue_name(const struct cases_queue *q, const uint8_t user[YISHI_PK_BYTES])
{
	size_t i;

	for (i = 0; i < q->nhandlers; i++)
		if (memcmp(q->handlers[i].user, user, YISHI_PK_BYTES) == 0)
			return q->handlers[i].name;
	for (i = 0; i < q->nescalation; i++)
		if (memcmp(q->escalation[i].user, user, YISHI_PK_BYTES) == 0)
			return q->escalation[i].name;
	return NULL;
}

void
cases_seals_init(struct cases_seals *ss)
{
	memset(ss, 0, sizeof *ss);
}

void
cases_seals_free(struct cases_seals *ss)
{
	free(ss->to);
	free(ss->seal);
	free(ss->recs);
	memset(ss, 0, sizeof *ss);
}

int
cases_seals_add(struct cases_seals *ss, const uint8_t key[YISHI_KEY_BYTES],
    const uint8_t pk[YISHI_PK_BYTES], struct cerr *e)
{
	void *nto, *nseal, *nrecs;
	size_t i, ncap;

	for (i = 0; i < ss->n; i++)
		if (memcmp(ss->to[i], pk, YISHI_PK_BYTES) == 0)
			return 0;
	/* The node takes at most 256 seals per content (wire_schema.c). */
	if (ss->n == 256) {
		cerr_set(e, CE_INPUT, "too many readers: at most 256 seals per report");
		return -1;
	}
	if (ss->n == ss->cap) {
		ncap = ss->cap ? ss->cap * 2 : 8;
		nto = realloc(ss->to, ncap * sizeof *ss->to);
		if (nto != NULL)
			ss->to = nto;
		nseal = realloc(ss->seal, ncap * sizeof *ss->seal);
		if (nseal != NULL)
			ss->seal = nseal;
		nrecs = realloc(ss->recs, ncap * sizeof *ss->recs);
		if (nrecs != NULL)
			ss->recs = nrecs;
		if (nto == NULL || nseal == NULL || nrecs == NULL) {
			cerr_set(e, CE_INTERNAL, "out of memory");
			return -1;
		}
		ss->cap = ncap;
	}
	if (report_seal_key(key, pk, ss->seal[ss->n]) == -1) {
		cerr_set(e, CE_INPUT, "cannot seal to a reader's key (not a valid Ed25519 key)");
		return -1;
	}
	memcpy(ss->to[ss->n], pk, YISHI_PK_BYTES);
	ss->n++;
	/* The records point into to / seal, which may have moved: rebuild them all. */
	for (i = 0; i < ss->n; i++) {
		wire_rec_init(&ss->recs[i], &wire_records[WR_SEALREC]);
		wire_set_bin(&ss->recs[i], WF_TO, ss->to[i], YISHI_PK_BYTES);
		wire_set_bin(&ss->recs[i], WF_SEAL, ss->seal[i], REPORT_SEAL_BYTES);
	}
	return 0;
}

int
cases_seals_add_queue(struct cases_seals *ss, const uint8_t key[YISHI_KEY_BYTES],
    const struct cases_queue *q, struct cerr *e)
{
	size_t i;

	for (i = 0; i < q->nhandlers; i++)
		if (cases_seals_add(ss, key, q->handlers[i].user, e) == -1)
			return -1;
	for (i = 0; i < q->nescalation; i++)
		if (cases_seals_add(ss, key, q->escalation[i].user, e) == -1)
			return -1;
	return 0;
}

int
cases_report(struct session *s, const struct ident *me, struct report_meta *m,
    const struct report_body *b, const struct cases_queue *q, uint64_t *deadline,
    char queue[CASES_STATE_MAX + 1], struct cerr *e)
{
	uint8_t meta[REPORT_META_MAX], sig[YISHI_SIG_BYTES], key[YISHI_KEY_BYTES];
	uint8_t *sealed = NULL;
	struct cases_seals ss;
	struct wire_frame *f = NULL;
	struct wire_rec req;
	msgpack_sbuffer sb;
	size_t metalen;
	int ret = -1;

	msgpack_sbuffer_init(&sb);
	cases_seals_init(&ss);
	randombytes_buf(m->id, sizeof m->id);
	memcpy(m->reporter, me->pk, YISHI_PK_BYTES);
	m->ts_ms = cases_now_ms();
	if ((metalen = report_meta_encode(m, meta, sizeof meta)) == 0) {
		cerr_set(e, CE_INPUT, "the report's details are out of bounds (area 2 to 12 "
		    "digits, fraud type at most 32 bytes of UTF-8)");
		goto out;
	}
	if (report_body_encode(b, &sb) == -1) {
		cerr_set(e, CE_INPUT, "the report's text, amount, accounts or phone numbers "
		    "are out of bounds or not valid UTF-8");
		goto out;
	}
	/* The metadata is the reporter's signed statement; the node routes on it. */
	report_meta_sign(me, meta, metalen, sig);
	if ((sealed = malloc(sb.size + YISHI_NONCE_BYTES + YISHI_TAG_BYTES)) == NULL) {
		cerr_set(e, CE_INTERNAL, "out of memory");
		goto out;
	}
	report_seal_body(meta, metalen, (const uint8_t *)sb.data, sb.size, key, sealed);
	/* The reporter reads their own report too. */
	if (cases_seals_add(&ss, key, me->pk, e) == -1 ||
	    cases_seals_add_queue(&ss, key, q, e) == -1)
		goto out;

	wire_rec_init(&req, &wire_kinds[WK_REPORT]);
	wire_set_bin(&req, WF_META, meta, metalen);
	wire_set_bin(&req, WF_SIG, sig, sizeof sig);
	wire_set_bin(&req, WF_BODY, sealed, sb.size + YISHI_NONCE_BYTES + YISHI_TAG_BYTES);
	wire_set_array(&req, WF_SEALS, ss.recs, (uint32_t)ss.n);
	if ((f = session_call(s, WK_REPORT, &req, WK_REPORTED, e)) == NULL)
		goto out;
	if (memcmp(f->r.f[WF_CASE].p, m->id, CASE_ID_BYTES) != 0) {
		cerr_set(e, CE_PROTOCOL, "node acknowledged another case than ours");
		goto out;
	}
	*deadline = wire_u(&f->r, WF_DEADLINE);
	wire_str(&f->r, WF_QUEUE, queue, CASES_STATE_MAX + 1);
	ret = 0;
out:
	sodium_memzero(key, sizeof key);
	if (sb.data != NULL)
		sodium_memzero(sb.data, sb.size);
	msgpack_sbuffer_destroy(&sb);
	free(sealed);
	cases_seals_free(&ss);
	session_frame_free(f);
	return ret;
}

void
cases_entry_new(struct case_entry *ent, const struct ident *me,
    const uint8_t id[CASE_ID_BYTES], int action, const char *arg)
{
	memset(ent, 0, sizeof *ent);
	memcpy(ent->case_id, id, CASE_ID_BYTES);
	ent->action = action;
	memcpy(ent->actor, me->pk, YISHI_PK_BYTES);
	snprintf(ent->arg, sizeof ent->arg, "%s", arg != NULL ? arg : "");
	ent->ts_ms = cases_now_ms();
	randombytes_buf(ent->id, sizeof ent->id);
}

int
cases_submit(struct session *s, const struct ident *me, const struct case_entry *ent,
    const uint8_t *body, size_t bodylen, const struct cases_seals *seals, uint64_t *seq,
    struct cerr *e)
{
	uint8_t raw[CASE_ENTRY_MAX], sig[YISHI_SIG_BYTES];
	struct wire_frame *f;
	struct wire_rec req;
	size_t len;

	if ((len = case_entry_encode(ent, raw, sizeof raw)) == 0) {
		cerr_set(e, CE_INPUT, "cannot encode the case entry (the label is at most %d "
		    "bytes of UTF-8)", CASE_ARG_MAX);
		return -1;
	}
	case_entry_sign(me, raw, len, sig);
	wire_rec_init(&req, &wire_kinds[WK_CASE_ACT]);
	wire_set_bin(&req, WF_ENTRY, raw, len);
	wire_set_bin(&req, WF_SIG, sig, sizeof sig);
	if (body != NULL) {
		wire_set_bin(&req, WF_BODY, body, bodylen);
		wire_set_array(&req, WF_SEALS, seals->recs, (uint32_t)seals->n);
	}
	if ((f = session_call(s, WK_CASE_ACT, &req, WK_OK, e)) == NULL)
		return -1;
	*seq = wire_has(&f->r, WF_SEQ) ? wire_u(&f->r, WF_SEQ) : 0;
	session_frame_free(f);
	return 0;
}

void
cases_check_entry(struct cases_entry *out, const uint8_t id[CASE_ID_BYTES],
    const uint8_t *raw, size_t rawlen, const uint8_t sig[YISHI_SIG_BYTES],
    const uint8_t node_pk[YISHI_PK_BYTES])
{
	out->decoded = out->verified = out->by_node = 0;
	out->why[0] = '\0';
	out->rawlen = rawlen <= sizeof out->raw ? rawlen : 0;
	memcpy(out->raw, raw, out->rawlen);
	memcpy(out->sig, sig, YISHI_SIG_BYTES);
	if (out->rawlen == 0 || case_entry_decode(raw, rawlen, &out->ent) != 0) {
		snprintf(out->why, sizeof out->why, "the entry does not decode");
		return;
	}
	out->decoded = 1;
	out->by_node = memcmp(out->ent.actor, node_pk, YISHI_PK_BYTES) == 0;
	if (memcmp(out->ent.case_id, id, CASE_ID_BYTES) != 0) {
		snprintf(out->why, sizeof out->why, "the entry names another case");
		return;
	}
	if (case_entry_verify(out->ent.actor, raw, rawlen, sig) != 0) {
		snprintf(out->why, sizeof out->why, "the signature of its actor does not verify");
		return;
	}
	out->verified = 1;
}

/* Open a sealed content with our seal into a fresh buffer (*pt, *ptlen). */
static int
cases_open(const struct ident *me, const uint8_t *seal, const uint8_t *ad, size_t adlen,
    const uint8_t *body, size_t bodylen, uint8_t **pt, size_t *ptlen, char *why,
    size_t whylen)
{
	uint8_t key[YISHI_KEY_BYTES];
	int rc;

	*pt = NULL;
	if (bodylen < YISHI_NONCE_BYTES + YISHI_TAG_BYTES) {
		snprintf(why, whylen, "the sealed content is truncated");
		return -1;
	}
	if (report_open_key(me, seal, key) != 0) {
		snprintf(why, whylen, "our seal does not open");
		return -1;
	}
	*ptlen = bodylen - YISHI_NONCE_BYTES - YISHI_TAG_BYTES;
	if ((*pt = malloc(*ptlen + 1)) == NULL) {
		sodium_memzero(key, sizeof key);
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	rc = report_open_body(key, ad, adlen, body, bodylen, *pt);
	sodium_memzero(key, sizeof key);
	if (rc != 0) {
		free(*pt);
		*pt = NULL;
		snprintf(why, whylen, "the content does not decrypt (tampered or misplaced)");
		return -1;
	}
	return 0;
}

/* Open what came with a log record: a note's text or an agreement. */
static void
cases_open_entry(struct cases_entry *ce, const struct ident *me, const struct wire_rec *r)
{
	struct report_body *nb;
	char hash[AGREEMENT_HASH_HEX];
	uint8_t *pt;
	size_t ptlen;

	ce->sealed = wire_has(r, WF_BODY);
	if (!ce->sealed || !ce->decoded)
		return;
	if (!wire_has(r, WF_SEAL)) {
		snprintf(ce->open_why, sizeof ce->open_why, "not sealed to us");
		return;
	}
	if (ce->ent.action == CA_AGREE) {
		if (cases_open(me, r->f[WF_SEAL].p, ce->ent.case_id, CASE_ID_BYTES,
		    r->f[WF_BODY].p, r->f[WF_BODY].len, &pt, &ptlen, ce->open_why,
		    sizeof ce->open_why) == -1)
			return;
		agreement_hash(pt, ptlen, hash);
		if (strcmp(hash, ce->ent.arg) != 0) {
			snprintf(ce->open_why, sizeof ce->open_why, "the agreement's hash is not "
			    "the one its entry names");
			free(pt);
			return;
		}
		if ((ce->agr = calloc(1, sizeof *ce->agr)) == NULL ||
		    agreement_decode(pt, ptlen, ce->agr) != 0 ||
		    memcmp(ce->agr->case_id, ce->ent.case_id, CASE_ID_BYTES) != 0 ||
		    memcmp(ce->agr->mediator, ce->ent.actor, YISHI_PK_BYTES) != 0) {
			snprintf(ce->open_why, sizeof ce->open_why, "the agreement does not decode "
			    "or names another case or mediator");
			free(ce->agr);
			ce->agr = NULL;
			free(pt);
			return;
		}
		ce->doc = pt;
		ce->doclen = ptlen;
		ce->opened = 1;
		return;
	}
	/* A note: bound to its own entry. */
	if (cases_open(me, r->f[WF_SEAL].p, ce->raw, ce->rawlen, r->f[WF_BODY].p,
	    r->f[WF_BODY].len, &pt, &ptlen, ce->open_why, sizeof ce->open_why) == -1)
		return;
	if ((nb = calloc(1, sizeof *nb)) == NULL || report_body_decode(pt, ptlen, nb) != 0) {
		snprintf(ce->open_why, sizeof ce->open_why, "the note does not decode");
		free(nb);
		sodium_memzero(pt, ptlen);
		free(pt);
		return;
	}
	ce->text = strdup(nb->text);
	sodium_memzero(nb, sizeof *nb);
	free(nb);
	sodium_memzero(pt, ptlen);
	free(pt);
	ce->opened = ce->text != NULL;
}

/* The case's metadata: signed by the reporter, naming the case the node lists. */
static void
cases_check_meta(struct cases_case *cc, const struct wire_rec *r)
{
	const struct wire_val *meta = &r->f[WF_META];
	const char *why = NULL;

	if (report_meta_decode(meta->p, meta->len, &cc->meta) != 0)
		why = "the report's metadata does not decode";
	else if (report_meta_verify(cc->meta.reporter, meta->p, meta->len,
	    r->f[WF_SIG].p) != 0)
		why = "the reporter's signature on the report does not verify";
	else if (memcmp(cc->meta.id, cc->id, CASE_ID_BYTES) != 0 ||
	    memcmp(cc->meta.reporter, cc->reporter, YISHI_PK_BYTES) != 0)
		why = "the signed report names another case or reporter than the node lists";
	else if (strcmp(report_kind_names[cc->meta.kind], cc->kind) != 0 ||
	    strcmp(cc->meta.area, cc->area) != 0 || cc->meta.urgent != cc->urgent ||
	    strcmp(cc->meta.fraud_type, cc->fraud_type) != 0)
		why = "the node lists other kind, area, urgency or fraud type than the "
		    "reporter signed";
	if (why != NULL) {
		snprintf(cc->meta_why, sizeof cc->meta_why, "%s", why);
		return;
	}
	cc->meta_ok = 1;
}

static void
cases_open_body(struct cases_case *cc, const struct ident *me, const struct wire_rec *r)
{
	uint8_t *pt;
	size_t ptlen;

	if (!wire_has(r, WF_SEAL)) {
		snprintf(cc->body_why, sizeof cc->body_why, "the report is not sealed to you");
		return;
	}
	cc->body_state = -1;
	if (cases_open(me, r->f[WF_SEAL].p, r->f[WF_META].p, r->f[WF_META].len,
	    r->f[WF_BODY].p, r->f[WF_BODY].len, &pt, &ptlen, cc->body_why,
	    sizeof cc->body_why) == -1)
		return;
	if ((cc->body = calloc(1, sizeof *cc->body)) == NULL ||
	    report_body_decode(pt, ptlen, cc->body) != 0) {
		snprintf(cc->body_why, sizeof cc->body_why, "the report body does not decode");
		free(cc->body);
		cc->body = NULL;
		sodium_memzero(pt, ptlen);
		free(pt);
		return;
	}
	cc->body_state = 1;
	cc->body_pt = pt;		/* kept: attachment data point into it */
	cc->body_ptlen = ptlen;
}

int
cases_fetch(struct cases_case *cc, struct session *s, const struct ident *me,
    const uint8_t node_pk[YISHI_PK_BYTES], const uint8_t id[CASE_ID_BYTES], struct cerr *e)
{
	struct wire_frame *f;
	struct wire_rec req, lr;
	const struct wire_val *v;
	struct cases_entry *ce;
	uint32_t i;

	memset(cc, 0, sizeof *cc);
	wire_rec_init(&req, &wire_kinds[WK_CASE_GET]);
	wire_set_bin(&req, WF_CASE, id, CASE_ID_BYTES);
	if ((f = session_call(s, WK_CASE_GET, &req, WK_CASE, e)) == NULL)
		return -1;
	if (memcmp(f->r.f[WF_CASE].p, id, CASE_ID_BYTES) != 0) {
		cerr_set(e, CE_PROTOCOL, "node answered with another case than asked");
		session_frame_free(f);
		return -1;
	}
	memcpy(cc->id, id, CASE_ID_BYTES);
	hex_encode(cc->hex, id, CASE_ID_BYTES);
	wire_str(&f->r, WF_KIND, cc->kind, sizeof cc->kind);
	wire_str(&f->r, WF_QUEUE, cc->queue, sizeof cc->queue);
	wire_str(&f->r, WF_STATE, cc->state, sizeof cc->state);
	wire_str(&f->r, WF_AREA, cc->area, sizeof cc->area);
	wire_str(&f->r, WF_FRAUD_TYPE, cc->fraud_type, sizeof cc->fraud_type);
	wire_str(&f->r, WF_DEPT, cc->dept, sizeof cc->dept);
	cc->urgent = wire_u(&f->r, WF_URGENT) != 0;
	cc->ts = wire_u(&f->r, WF_TS);
	cc->deadline = wire_u(&f->r, WF_DEADLINE);
	cc->claimed = wire_has(&f->r, WF_CLAIMED) ? wire_u(&f->r, WF_CLAIMED) : 0;
	memcpy(cc->reporter, f->r.f[WF_REPORTER].p, YISHI_PK_BYTES);
	if ((cc->has_handler = wire_has(&f->r, WF_HANDLER)))
		memcpy(cc->handler, f->r.f[WF_HANDLER].p, YISHI_PK_BYTES);
	cases_check_meta(cc, &f->r);
	cases_open_body(cc, me, &f->r);

	v = &f->r.f[WF_LOG];
	if ((cc->log = calloc(v->len ? v->len : 1, sizeof *cc->log)) == NULL) {
		cerr_set(e, CE_INTERNAL, "out of memory");
		session_frame_free(f);
		cases_free(cc);
		return -1;
	}
	for (i = 0; i < v->len; i++) {
		if (wire_array_get(v, i, &wire_records[WR_CASEENT], &lr) != WE_OK ||
		    (i > 0 && wire_u(&lr, WF_SEQ) <= cc->log[i - 1].seq)) {
			cerr_set(e, CE_PROTOCOL, "node sent a malformed or out-of-order case log");
			session_frame_free(f);
			cases_free(cc);
			return -1;
		}
		ce = &cc->log[cc->nlog++];
		ce->seq = wire_u(&lr, WF_SEQ);
		ce->ts = wire_u(&lr, WF_TS);
		cases_check_entry(ce, id, lr.f[WF_ENTRY].p, lr.f[WF_ENTRY].len,
		    lr.f[WF_SIG].p, node_pk);
		if (ce->verified)
			cases_open_entry(ce, me, &lr);
		else
			ce->sealed = wire_has(&lr, WF_BODY);
	}
	session_frame_free(f);
	return 0;
}

void
cases_free(struct cases_case *cc)
{
	size_t i;

	for (i = 0; i < cc->nlog; i++) {
		free(cc->log[i].text);
		free(cc->log[i].doc);
		free(cc->log[i].agr);
	}
	free(cc->log);
	if (cc->body != NULL)
		sodium_memzero(cc->body, sizeof *cc->body);
	free(cc->body);
	if (cc->body_pt != NULL) {
		sodium_memzero(cc->body_pt, cc->body_ptlen);
		free(cc->body_pt);
	}
	memset(cc, 0, sizeof *cc);
}

const struct cases_entry *
cases_agreement(const struct cases_case *cc)
{
	size_t i;

	/* The latest agree entry rules: a redraft replaces what came before. */
	for (i = cc->nlog; i-- > 0;)
		if (cc->log[i].verified && cc->log[i].ent.action == CA_AGREE)
			return cc->log[i].opened ? &cc->log[i] : NULL;
	return NULL;
}

static int
cases_is_hex(const char *s)
{
	for (; *s != '\0'; s++)
		if (!isxdigit((unsigned char)*s))
			return 0;
	return 1;
}

int
cases_resolve(struct session *s, const char *arg, uint8_t id[CASE_ID_BYTES], struct cerr *e)
{
	struct wire_frame *f;
	struct wire_rec r;
	const struct wire_val *v;
	char hex[CASES_HEX_ID], want[CASES_HEX_ID];
	size_t n = strlen(arg), i, found = 0;

	if (n == CASE_ID_BYTES * 2 && hex_decode(id, CASE_ID_BYTES, arg) == 0)
		return 0;
	if (n < CASES_PREFIX_MIN || n > CASE_ID_BYTES * 2 || !cases_is_hex(arg)) {
		cerr_set(e, CE_INPUT, "%s: not a case id (32 hex digits, or a unique prefix of "
		    "at least %d)", arg, CASES_PREFIX_MIN);
		return -1;
	}
	for (i = 0; i <= n; i++)
		want[i] = (char)tolower((unsigned char)arg[i]);
	if ((f = session_call(s, WK_CASE_LIST, NULL, WK_CASES, e)) == NULL)
		return -1;
	v = &f->r.f[WF_CASES];
	for (i = 0; i < v->len; i++) {
		if (wire_array_get(v, (uint32_t)i, &wire_records[WR_CASEREC], &r) != WE_OK)
			continue;
		hex_encode(hex, r.f[WF_CASE].p, CASE_ID_BYTES);
		if (strncmp(hex, want, n) == 0) {
			memcpy(id, r.f[WF_CASE].p, CASE_ID_BYTES);
			found++;
		}
	}
	session_frame_free(f);
	if (found == 1)
		return 0;
	cerr_set(e, found == 0 ? WE_NOT_FOUND : CE_INPUT, found == 0 ? "%s: no case of "
	    "yours or your queues starts with this" : "%s: several cases start with this: "
	    "give more digits", arg);
	return -1;
}

/*
 * The log indexes of each party's first verified sign of agreement ag, in log order
 * (what export writes: a verifier takes one sign per party), into idx (room for
 * AGREEMENT_PARTIES_MAX); returns how many.
 */
static size_t
cases_export_signs(const struct cases_case *cc, const struct cases_entry *ag, size_t *idx)
{
	const struct cases_entry *ce;
	int done[AGREEMENT_PARTIES_MAX] = { 0 }, k;
	size_t i, n = 0;

	for (i = 0; i < cc->nlog; i++) {
		ce = &cc->log[i];
		if (!ce->verified || ce->ent.action != CA_SIGN || ce->seq <= ag->seq ||
		    strcmp(ce->ent.arg, ag->ent.arg) != 0)
			continue;
		for (k = 0; k < ag->agr->nparties; k++)
			if (memcmp(ag->agr->parties[k], ce->ent.actor, YISHI_PK_BYTES) == 0)
				break;
		if (k < ag->agr->nparties && !done[k]) {
			done[k] = 1;
			idx[n++] = i;
		}
	}
	return n;
}

static void
cases_export_entry(msgpack_packer *pk, const struct cases_entry *ce)
{
	msgpack_pack_map(pk, 2);
	msgpack_pack_str_with_body(pk, "entry", 5);
	msgpack_pack_bin_with_body(pk, ce->raw, ce->rawlen);
	msgpack_pack_str_with_body(pk, "sig", 3);
	msgpack_pack_bin_with_body(pk, ce->sig, YISHI_SIG_BYTES);
}

int
cases_export(const struct cases_case *cc, msgpack_sbuffer *sb, struct cerr *e)
{
	const struct cases_entry *ag;
	msgpack_packer pk;
	size_t idx[AGREEMENT_PARTIES_MAX], i, n;

	if ((ag = cases_agreement(cc)) == NULL) {
		cerr_set(e, WE_NOT_FOUND, "case %s has no agreement you can read", cc->hex);
		return -1;
	}
	n = cases_export_signs(cc, ag, idx);
	msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 3);
	msgpack_pack_str_with_body(&pk, "doc", 3);
	msgpack_pack_bin_with_body(&pk, ag->doc, ag->doclen);
	/* The mediator's own signature on the document: who drafted it. */
	msgpack_pack_str_with_body(&pk, "agree", 5);
	cases_export_entry(&pk, ag);
	msgpack_pack_str_with_body(&pk, "signs", 5);
	msgpack_pack_array(&pk, n);
	for (i = 0; i < n; i++)
		cases_export_entry(&pk, &cc->log[idx[i]]);
	return 0;
}
