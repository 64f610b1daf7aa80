/*
 * msg.c: accepting and serving group messages.
 *
 * The node never sees plaintext. It checks what it can without the key: the sender
 * is the logged-in user and a member, the header names the current epoch, the
 * signature verifies (done by the edge), the id is new, the rate is allowed. Then
 * the message gets the group's next sequence number and is stored; the ack and the
 * fan-out leave after the turn's commit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/core.h"
#include "node/oframe.h"
#include "proto/log.h"
#include "storage/store.h"

#define MSG_HISTORY_DEFAULT	200
#define MSG_HISTORY_BYTES	(1024 * 1024)	/* per reply, well under a client's limit */

static void
msg_reply_ack(struct core *c, struct core_session *s, uint64_t rid, const uint8_t gid[16],
    uint64_t seq, const uint8_t id[16], uint64_t ts)
{
	struct wire_rec r;

	wire_rec_init(&r, &wire_kinds[WK_ACK]);
	wire_set_bin(&r, WF_GROUP, gid, 16);
	wire_set_uint(&r, WF_SEQ, seq);
	wire_set_bin(&r, WF_ID, id, 16);
	wire_set_uint(&r, WF_TS, ts);
	core_reply(c, s, rid, WK_ACK, &r);
}

void
msg_send(struct core *c, struct core_session *s, struct wire_frame *f, struct qitem *it)
{
	const struct msg_hdr *h = &it->hdr;
	struct group_rec g;
	struct member_rec me;
	struct msg_rec m;
	struct wire_rec ev;
	struct oframe *out;
	uint64_t seq, wait;
	int rc;

	if (memcmp(h->sender, s->user, 32) != 0) {
		core_error(c, s, f->rid, WE_FORBIDDEN, "the message names another sender");
		return;
	}
	if (group_require_member(c, s, f->rid, h->group, &g, &me) != 0)
		return;
	if (h->epoch != g.epoch) {
		core_error(c, s, f->rid, WE_STALE_EPOCH, "the group is at key epoch %u",
		    g.epoch);
		return;
	}
	if ((rc = store_msg_by_id(c->st, c->txn, g.gid, h->id, &seq)) == 0) {
		/* A resend of a stored message: acknowledge it again, store nothing. */
		if (store_msg_get(c->st, c->txn, g.gid, seq, &m) != 0) {
			core_error(c, s, f->rid, WE_INTERNAL, "storage error");
			return;
		}
		msg_reply_ack(c, s, f->rid, g.gid, seq, h->id, m.ts_ms);
		return;
	} else if (rc < 0) {
		core_error(c, s, f->rid, WE_INTERNAL, "storage error");
		return;
	}
	if ((wait = core_rate_take(c, s->user)) != 0) {
		core_error(c, s, f->rid, WE_RATE_LIMITED,
		    "too many messages: you may send again in %llu ms", (unsigned long long)wait);
		return;
	}
	memset(&m, 0, sizeof m);
	memcpy(m.gid, g.gid, 16);
	m.seq = g.last_seq + 1;
	m.ts_ms = node_now_ms();
	memcpy(m.sender, s->user, 32);
	memcpy(m.id, h->id, 16);
	m.hdr = f->r.f[WF_HDR].p;
	m.hdrlen = f->r.f[WF_HDR].len;
	m.nonce = f->r.f[WF_NONCE].p;
	m.ct = f->r.f[WF_CT].p;
	m.ctlen = f->r.f[WF_CT].len;
	m.sig = f->r.f[WF_SIG].p;
	g.last_seq = m.seq;
	if (store_msg_put(c->st, c->txn, &m) != 0 || store_group_put(c->st, c->txn, &g) != 0) {
		core_error(c, s, f->rid, WE_INTERNAL, "storage error");
		return;
	}
	msg_reply_ack(c, s, f->rid, g.gid, m.seq, m.id, m.ts_ms);

	wire_rec_init(&ev, &wire_kinds[WK_EV_MSG]);
	wire_set_bin(&ev, WF_GROUP, g.gid, 16);
	wire_set_uint(&ev, WF_SEQ, m.seq);
	wire_set_bin(&ev, WF_HDR, m.hdr, m.hdrlen);
	wire_set_bin(&ev, WF_NONCE, m.nonce, YISHI_NONCE_BYTES);
	wire_set_bin(&ev, WF_CT, m.ct, m.ctlen);
	wire_set_bin(&ev, WF_SIG, m.sig, YISHI_SIG_BYTES);
	wire_set_str(&ev, WF_SENDER_NAME, s->name);
	wire_set_uint(&ev, WF_TS, m.ts_ms);
	if ((out = core_encode(WK_EV_MSG, &ev)) != NULL) {
		core_group_event(c, g.gid, out);
		oframe_unref(out);
	}
}

struct msg_page {
	struct core	*c;
	struct msg_rec	*m;
	char		(*names)[65];
	size_t		 n, limit, bytes;
	int		 more;
};

static int
msg_page_add(const struct msg_rec *m, void *arg)
{
	struct msg_page *p = arg;
	struct user_rec u;
	size_t i;

	if (p->n == p->limit || p->bytes + m->ctlen + m->hdrlen + 256 > MSG_HISTORY_BYTES) {
		p->more = 1;
		return 1;
	}
	p->m[p->n] = *m;
	/* Names repeat within a page: look back before asking the store. */
	for (i = 0; i < p->n; i++)
		if (memcmp(p->m[i].sender, m->sender, 32) == 0)
			break;
	if (i < p->n)
		memcpy(p->names[p->n], p->names[i], sizeof p->names[0]);
	else if (store_user_get(p->c->st, p->c->txn, m->sender, &u) == 0)
		memcpy(p->names[p->n], u.name, sizeof p->names[0]);
	else
		p->names[p->n][0] = '\0';
	p->bytes += m->ctlen + m->hdrlen + 256;
	p->n++;
	return 0;
}

void
msg_history(struct core *c, struct core_session *s, struct wire_frame *f, struct qitem *it)
{
	struct msg_page p;
	struct group_rec g;
	struct member_rec me;
	struct wire_rec *recs = NULL, r;
	uint64_t since;
	size_t i;

	(void)it;
	if (group_require_member(c, s, f->rid, f->r.f[WF_GROUP].p, &g, &me) != 0)
		return;
	memset(&p, 0, sizeof p);
	p.c = c;
	p.limit = wire_has(&f->r, WF_LIMIT) ? wire_u(&f->r, WF_LIMIT) : MSG_HISTORY_DEFAULT;
	since = wire_has(&f->r, WF_SINCE) ? wire_u(&f->r, WF_SINCE) : 0;
	p.m = calloc(p.limit, sizeof *p.m);
	p.names = calloc(p.limit, sizeof *p.names);
	recs = calloc(p.limit, sizeof *recs);
	if (p.m == NULL || p.names == NULL || recs == NULL) {
		core_error(c, s, f->rid, WE_INTERNAL, "out of memory");
		goto out;
	}
	if (store_msg_iter(c->st, c->txn, g.gid, since, msg_page_add, &p) < 0) {
		core_error(c, s, f->rid, WE_INTERNAL, "storage error");
		goto out;
	}
	for (i = 0; i < p.n; i++) {
		wire_rec_init(&recs[i], &wire_records[WR_MSG]);
		wire_set_uint(&recs[i], WF_SEQ, p.m[i].seq);
		wire_set_bin(&recs[i], WF_HDR, p.m[i].hdr, p.m[i].hdrlen);
		wire_set_bin(&recs[i], WF_NONCE, p.m[i].nonce, YISHI_NONCE_BYTES);
		wire_set_bin(&recs[i], WF_CT, p.m[i].ct, p.m[i].ctlen);
		wire_set_bin(&recs[i], WF_SIG, p.m[i].sig, YISHI_SIG_BYTES);
		wire_set_str(&recs[i], WF_SENDER_NAME, p.names[i]);
		wire_set_uint(&recs[i], WF_TS, p.m[i].ts_ms);
	}
	wire_rec_init(&r, &wire_kinds[WK_MSGS]);
	wire_set_bin(&r, WF_GROUP, g.gid, 16);
	wire_set_array(&r, WF_MSGS, recs, (uint32_t)p.n);
	wire_set_bool(&r, WF_MORE, p.more);
	core_reply(c, s, f->rid, WK_MSGS, &r);
out:
	free(p.m);
	free(p.names);
	free(recs);
}
