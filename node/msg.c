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

/* The interval slow mode imposes on this member now: the group's, or a newcomer's. */
static uint32_t
msg_slow_secs(const struct core *c, const struct group_rec *g, const struct member_rec *me,
    uint64_t now)
{
	uint32_t slow = g->slow_secs;

	if (strcmp(me->role, "member") != 0)
		return 0;	/* moderators are not slowed */
	if (now < me->joined_ms + NODE_NEWCOMER_MS && c->conf->newcomer_slow > slow)
		slow = c->conf->newcomer_slow;
	return slow;
}

/* The group's policy for this member's post: mute, announcement-only, slow mode. */
static int
msg_policy(struct core *c, struct core_session *s, uint64_t rid, const struct group_rec *g,
    const struct member_rec *me)
{
	uint64_t now = node_now_ms(), slow;

	if (me->muted_until_ms > now) {
		core_error(c, s, rid, WE_MUTED, "a moderator muted you in %s for %llu more s",
		    g->name, (unsigned long long)((me->muted_until_ms - now + 999) / 1000));
		return -1;
	}
	if (g->announce_only && strcmp(me->role, "member") == 0) {
		core_error(c, s, rid, WE_FORBIDDEN, "%s is announcement-only: only its moderators "
		    "post", g->name);
		return -1;
	}
	slow = (uint64_t)msg_slow_secs(c, g, me, now) * 1000;
	if (slow != 0 && me->last_sent_ms != 0 && now < me->last_sent_ms + slow) {
		core_error(c, s, rid, WE_RATE_LIMITED, "slow mode in %s: you may post again in "
		    "%llu ms", g->name, (unsigned long long)(me->last_sent_ms + slow - now));
		return -1;
	}
	return 0;
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
	uint8_t gkey[32];
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
		if ((rc = store_msg_get(c->st, c->txn, g.gid, seq, &m)) < 0) {
			core_error(c, s, f->rid, WE_INTERNAL, "storage error");
			return;
		}
		if (rc == 0 && memcmp(m.sender, s->user, 32) != 0) {
			core_error(c, s, f->rid, WE_EXISTS,
			    "this message id is already taken in the group");
			return;
		}
		/* Redacted since: still acknowledged, its time is gone with it. */
		msg_reply_ack(c, s, f->rid, g.gid, seq, h->id, rc == 0 ? m.ts_ms : 0);
		return;
	} else if (rc < 0) {
		core_error(c, s, f->rid, WE_INTERNAL, "storage error");
		return;
	}
	if (msg_policy(c, s, f->rid, &g, &me) != 0)
		return;
	if ((wait = core_rate_take(c, s->user, c->conf->rate_per_min, c->conf->rate_burst)) != 0) {
		core_error(c, s, f->rid, WE_RATE_LIMITED,
		    "too many messages: you may send again in %llu ms", (unsigned long long)wait);
		return;
	}
	/* A whole group has a budget too, so many accounts cannot flood 400 members. */
	memset(gkey, 0, sizeof gkey);
	memcpy(gkey, g.gid, 16);
	if ((wait = core_rate_take(c, gkey, c->conf->group_rate_per_min,
	    c->conf->group_rate_burst)) != 0) {
		core_error(c, s, f->rid, WE_RATE_LIMITED, "%s receives too many messages: you may "
		    "send again in %llu ms", g.name, (unsigned long long)wait);
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
	me.last_sent_ms = m.ts_ms;
	if (store_msg_put(c->st, c->txn, &m) != 0 || store_group_put(c->st, c->txn, &g) != 0 ||
	    (msg_slow_secs(c, &g, &me, m.ts_ms) != 0 &&
	    store_member_put(c->st, c->txn, &me) != 0)) {
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
	struct tomb_rec	*t;		/* redacted messages in the page's range */
	size_t		 nt, capt;
	uint64_t	 upto;		/* last seq the page covers */
};

static int
msg_page_tomb(const struct tomb_rec *t, void *arg)
{
	struct msg_page *p = arg;
	struct tomb_rec *nt;

	if (t->seq > p->upto)
		return 1;
	if ((nt = node_grow(p->t, p->nt, &p->capt, sizeof *nt)) == NULL)
		return -1;
	p->t = nt;
	p->t[p->nt++] = *t;
	return p->nt >= WIRE_MAX_ARRAY;
}

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
	struct wire_rec *all = NULL, r;
	uint64_t since;
	size_t i, j, n;

	(void)it;
	if (group_require_member(c, s, f->rid, f->r.f[WF_GROUP].p, &g, &me) != 0)
		return;
	memset(&p, 0, sizeof p);
	p.c = c;
	p.limit = wire_has(&f->r, WF_LIMIT) ? wire_u(&f->r, WF_LIMIT) : MSG_HISTORY_DEFAULT;
	since = wire_has(&f->r, WF_SINCE) ? wire_u(&f->r, WF_SINCE) : 0;
	p.m = calloc(p.limit, sizeof *p.m);
	p.names = calloc(p.limit, sizeof *p.names);
	if (p.m == NULL || p.names == NULL) {
		core_error(c, s, f->rid, WE_INTERNAL, "out of memory");
		goto out;
	}
	if (store_msg_iter(c->st, c->txn, g.gid, since, msg_page_add, &p) < 0) {
		core_error(c, s, f->rid, WE_INTERNAL, "storage error");
		goto out;
	}
	/* Tombstones of redacted messages take their place, in seq order. */
	p.upto = p.more && p.n > 0 ? p.m[p.n - 1].seq : UINT64_MAX;
	if (store_tomb_iter(c->st, c->txn, g.gid, since, msg_page_tomb, &p) < 0 ||
	    (all = calloc(p.n + p.nt + 1, sizeof *all)) == NULL) {
		core_error(c, s, f->rid, WE_INTERNAL, "storage error");
		goto out;
	}
	for (i = 0, j = 0, n = 0; i < p.n || j < p.nt; n++) {
		struct wire_rec *e = &all[n];

		wire_rec_init(e, &wire_records[WR_MSG]);
		if (j == p.nt || (i < p.n && p.m[i].seq < p.t[j].seq)) {
			wire_set_uint(e, WF_SEQ, p.m[i].seq);
			wire_set_bin(e, WF_HDR, p.m[i].hdr, p.m[i].hdrlen);
			wire_set_bin(e, WF_NONCE, p.m[i].nonce, YISHI_NONCE_BYTES);
			wire_set_bin(e, WF_CT, p.m[i].ct, p.m[i].ctlen);
			wire_set_bin(e, WF_SIG, p.m[i].sig, YISHI_SIG_BYTES);
			wire_set_str(e, WF_SENDER_NAME, p.names[i]);
			wire_set_uint(e, WF_TS, p.m[i].ts_ms);
			i++;
		} else {
			wire_set_uint(e, WF_SEQ, p.t[j].seq);
			wire_set_str(e, WF_SENDER_NAME, "");
			wire_set_uint(e, WF_TS, p.t[j].ts_ms);
			wire_set_bin(e, WF_FROM, p.t[j].by, 32);
			wire_set_str(e, WF_REASON, p.t[j].reason);
			j++;
		}
	}
	wire_rec_init(&r, &wire_kinds[WK_MSGS]);
	wire_set_bin(&r, WF_GROUP, g.gid, 16);
	wire_set_array(&r, WF_MSGS, all, (uint32_t)n);
	wire_set_bool(&r, WF_MORE, p.more);
	core_reply(c, s, f->rid, WK_MSGS, &r);
out:
	free(p.m);
	free(p.names);
	free(p.t);
	free(all);
}
