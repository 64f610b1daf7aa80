/* cmd_msg.c: `yishi send`, `yishi read` and `yishi watch`: group messages. */
#include "client/cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client/groups.h"
#include "client/keyring.h"
#include "proto/log.h"
#include "proto/modev.h"

/* How long watch waits for an event before checking for a signal again. */
#define CMD_MSG_SLICE_MS	250

static int64_t
cmd_msg_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
cmd_msg_wait_ms(const struct cmd *c)
{
	return (c->wait_s >= 0 ? c->wait_s : CMD_WAIT_DEFAULT) * 1000;
}

/* The group must be one we can post to or read: listed, and not pending. */
static int
cmd_msg_check_member(struct cmd *c, const struct groups_entry *g)
{
	char name[WIRE_MAX_NAME * 3 + 1];

	if (g->epoch == 0) {
		cerr_set(&c->err, WE_NOT_MEMBER, "not a member of group %s", g->hex);
		return -1;
	}
	if (strcmp(g->state, "pending") == 0) {
		cerr_set(&c->err, WE_PENDING, "your request to join %s awaits a moderator's "
		    "approval", cmd_plain(name, sizeof name, g->name));
		return -1;
	}
	return 0;
}

/* Seal text for g's current epoch, fetching (or waiting for) its key. */
static int
cmd_msg_seal(struct cmd *c, struct account *a, struct session *s,
    const struct groups_entry *g, const char *text, struct post_sealed *ps)
{
	struct keyring kr;
	char name[WIRE_MAX_NAME * 3 + 1];
	int rc;

	if (cmd_msg_check_member(c, g) == -1)
		return -1;
	keyring_init(&kr, g->gid);
	if (keyring_fetch(&kr, s, &a->me, &c->err) == -1 ||
	    keyring_wait(&kr, s, &a->me, g->epoch, cmd_plain(name, sizeof name, g->name), 0,
	    cmd_msg_wait_ms(c), &c->err) == -1) {
		keyring_clear(&kr);
		return -1;
	}
	rc = post_seal(ps, &a->me, g->gid, g->epoch, keyring_find(&kr, g->epoch), text,
	    strlen(text));
	keyring_clear(&kr);
	if (rc == -1)
		cerr_set(&c->err, CE_INTERNAL, "cannot seal the message");
	return rc;
}

int
cmd_msg_send(struct cmd *c)
{
	struct account a;
	struct session *s = NULL;
	struct groups_entry g;
	struct post_sealed *ps = NULL;
	struct wire_frame *f = NULL;
	struct wire_rec req;
	struct json j;
	const char *text = c->argv[1];
	char id[YISHI_MID_BYTES * 2 + 1];
	size_t len = strlen(text);
	uint64_t max;
	int stale = 0, dropped = 0, ret = -1;

	if (len == 0) {
		cerr_set(&c->err, CE_INPUT, "nothing to send: the message is empty");
		return -1;
	}
	if (len > WIRE_MAX_TEXT) {
		cerr_set(&c->err, WE_BAD_VALUE, "message too long: %zu bytes, at most %d",
		    len, WIRE_MAX_TEXT);
		return -1;
	}
	if ((ps = calloc(1, sizeof *ps)) == NULL) {
		cerr_set(&c->err, CE_INTERNAL, "out of memory");
		return -1;
	}
	if (cmd_account(c, &a) == -1) {
		free(ps);
		return -1;
	}
	/* The group's node; a reconnection below goes back to it (a.node). */
	if ((s = groups_open(&a, c->argv[0], &g, &c->err)) == NULL)
		goto out;
	/* The node may accept less than the protocol allows. */
	max = wire_u(&session_challenge(s)->r, WF_MAX_TEXT);
	if (len > max) {
		cerr_set(&c->err, WE_BAD_VALUE, "message too long: %zu bytes, this node "
		    "accepts at most %llu", len, (unsigned long long)max);
		goto out;
	}
	if (cmd_msg_seal(c, &a, s, &g, text, ps) == -1)
		goto out;

	for (;;) {
		post_sealed_rec(ps, &req);
		if ((f = session_call(s, WK_SEND, &req, WK_ACK, &c->err)) != NULL)
			break;
		if (c->err.code == WE_STALE_EPOCH && !stale) {
			/* A new epoch began since we looked: seal again under its key. */
			stale = 1;
			if (groups_resolve(s, g.hex, &g, &c->err) == -1 ||
			    cmd_msg_seal(c, &a, s, &g, text, ps) == -1)
				goto out;
			continue;
		}
		if ((c->err.code == CE_CLOSED || c->err.code == CE_TIMEOUT) && !dropped) {
			/*
			 * The node may have stored it before the link dropped: resending the
			 * same header (same message id) returns the original ack.
			 */
			dropped = 1;
			session_free(s);
			if ((s = account_connect(&a, NULL, ACCOUNT_LOGIN, NULL, &c->err)) ==
			    NULL)
				goto out;
			continue;
		}
		goto out;
	}
	if (memcmp(f->r.f[WF_ID].p, ps->hdr.id, YISHI_MID_BYTES) != 0 ||
	    memcmp(f->r.f[WF_GROUP].p, g.gid, YISHI_GID_BYTES) != 0) {
		cerr_set(&c->err, CE_PROTOCOL, "node acknowledged another message than ours");
		goto out;
	}
	hex_encode(id, ps->hdr.id, sizeof ps->hdr.id);
	if (c->json) {
		json_begin(&j);
		json_uint(&j, "seq", wire_u(&f->r, WF_SEQ));
		json_str(&j, "id", id);
		(void)json_end(&j, stdout);
	} else
		printf("#%llu %s\n", (unsigned long long)wire_u(&f->r, WF_SEQ), id);
	ret = 0;
out:
	session_frame_free(f);
	session_free(s);
	account_wipe(&a);
	free(ps);
	return ret;
}

/* Epochs read has already waited for, so each missing key costs one wait at most. */
struct cmd_msg_waited {
	uint32_t	epochs[64];
	size_t		n;
};

static int
cmd_msg_waited(struct cmd_msg_waited *w, uint32_t epoch)
{
	size_t i;

	for (i = 0; i < w->n; i++)
		if (w->epochs[i] == epoch)
			return 1;
	if (w->n < sizeof w->epochs / sizeof w->epochs[0])
		w->epochs[w->n++] = epoch;
	return 0;
}

/* Name the moderator who redacted p, from the members list (fetched once). */
static void
cmd_msg_redactor(struct session *s, const struct groups_entry *g,
    struct groups_members *gm, struct post *p)
{
	const struct groups_member *m;
	struct cerr e;

	if (gm->v == NULL && groups_members_fetch(gm, s, g->gid, &e) == -1) {
		log_debug("members: %s", e.msg);
		return;
	}
	if ((m = groups_members_find(gm, p->redacted_by)) != NULL)
		snprintf(p->redacted_by_name, sizeof p->redacted_by_name, "%s", m->name);
}

int
cmd_msg_read(struct cmd *c)
{
	struct account a;
	struct session *s = NULL;
	struct groups_entry g;
	struct keyring kr;
	struct wire_frame *f = NULL;
	struct wire_rec req, m;
	const struct wire_val *v;
	struct cmd_msg_waited waited;
	struct groups_members gm;
	struct post *p = NULL;
	struct cerr missing, we;
	char name[WIRE_MAX_NAME * 3 + 1];
	uint64_t since = c->has_since ? c->since : 0;
	int64_t deadline, left;
	uint32_t i, epoch;
	int subscribed = 0, ret = -1;

	memset(&waited, 0, sizeof waited);
	memset(&missing, 0, sizeof missing);
	memset(&gm, 0, sizeof gm);
	keyring_init(&kr, (const uint8_t[YISHI_GID_BYTES]){ 0 });
	if ((p = calloc(1, sizeof *p)) == NULL) {
		cerr_set(&c->err, CE_INTERNAL, "out of memory");
		return -1;
	}
	if (cmd_account(c, &a) == -1) {
		free(p);
		return -1;
	}
	if ((s = groups_open(&a, c->argv[0], &g, &c->err)) == NULL)
		goto out;
	cmd_plain(name, sizeof name, g.name);
	keyring_init(&kr, g.gid);
	if (g.epoch != 0 && keyring_fetch(&kr, s, &a.me, &c->err) == -1)
		goto out;
	/* One budget for all missing keys, as --wait promises. */
	deadline = cmd_msg_now_ms() + cmd_msg_wait_ms(c);

	for (;;) {
		wire_rec_init(&req, &wire_kinds[WK_HISTORY]);
		wire_set_bin(&req, WF_GROUP, g.gid, sizeof g.gid);
		wire_set_uint(&req, WF_SINCE, since);
		if ((f = session_call(s, WK_HISTORY, &req, WK_MSGS, &c->err)) == NULL)
			goto out;
		v = &f->r.f[WF_MSGS];
		for (i = 0; i < v->len; i++) {
			if (wire_array_get(v, i, &wire_records[WR_MSG], &m) != WE_OK ||
			    wire_u(&m, WF_SEQ) <= since) {
				cerr_set(&c->err, CE_PROTOCOL, "node sent a malformed or "
				    "out-of-order message record");
				goto out;
			}
			since = wire_u(&m, WF_SEQ);
			epoch = post_epoch(&m);
			if (epoch != 0 && keyring_find(&kr, epoch) == NULL &&
			    !cmd_msg_waited(&waited, epoch)) {
				left = deadline - cmd_msg_now_ms();
				if (keyring_wait(&kr, s, &a.me, epoch, name, subscribed,
				    left > 0 ? (int)left : 0, &we) == -1) {
					if (we.code != CE_NO_KEY) {
						c->err = we;
						goto out;
					}
					if (missing.code == 0)
						missing = we;
				}
				subscribed = 1;
			}
			post_open(p, &m, g.gid, &kr);
			if (p->nokey)
				snprintf(p->error, sizeof p->error, "no key yet for epoch %u",
				    p->hdr.epoch);
			if (p->redacted)
				cmd_msg_redactor(s, &g, &gm, p);
			cmd_out_post(c, p, NULL, NULL);
		}
		if (!wire_u(&f->r, WF_MORE) || v->len == 0)
			break;
		session_frame_free(f);
		f = NULL;
	}
	if (missing.code != 0)
		fprintf(stderr, "yishi: %s\n", missing.msg);
	ret = 0;
out:
	groups_members_free(&gm);
	session_frame_free(f);
	keyring_clear(&kr);
	session_free(s);
	account_wipe(&a);
	free(p);
	return ret;
}

/*
 * Keys of the groups watch has seen messages from. A group the node no longer lets
 * us fetch keys for (we were removed) is marked gone: its messages are shown as
 * undecryptable at once, without waiting for a key that will never come.
 */
struct cmd_msg_ring {
	struct keyring	kr;
	int		gone;
};

struct cmd_msg_rings {
	struct cmd_msg_ring	*v;
	size_t			 n;
};

/* A refusal by the node (not_member, banned...) rather than a broken link. */
static int
cmd_msg_refused(const struct cerr *e)
{
	return e->code > 0 && e->code < CE_USAGE;
}

static struct cmd_msg_ring *
cmd_msg_ring(struct cmd *c, struct cmd_msg_rings *r, struct account *a, struct session *s,
    const uint8_t *gid)
{
	struct cmd_msg_ring *nv, *ring;
	struct cerr e;
	size_t i;

	for (i = 0; i < r->n; i++)
		if (memcmp(r->v[i].kr.gid, gid, YISHI_GID_BYTES) == 0)
			return &r->v[i];
	if ((nv = realloc(r->v, (r->n + 1) * sizeof *nv)) == NULL) {
		cerr_set(&c->err, CE_INTERNAL, "out of memory");
		return NULL;
	}
	r->v = nv;
	ring = &r->v[r->n];
	memset(ring, 0, sizeof *ring);
	keyring_init(&ring->kr, gid);
	if (keyring_fetch(&ring->kr, s, &a->me, &e) == -1) {
		if (!cmd_msg_refused(&e)) {
			c->err = e;
			return NULL;
		}
		log_debug("watch: no keys: %s", e.msg);
		ring->gone = 1;
	}
	r->n++;
	return ring;
}

/* Group names for plain output; refreshed when an unknown group shows up. */
static const char *
cmd_msg_gname(struct groups *gl, struct session *s, const char *hex)
{
	struct cerr e;
	size_t i, pass;

	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < gl->n; i++)
			if (strcmp(gl->v[i].hex, hex) == 0)
				return gl->v[i].name;
		if (pass == 0) {
			groups_free(gl);
			if (groups_fetch(gl, s, &e) == -1)
				break;
		}
	}
	return hex;
}

/* Show one "msg" event, waiting for its epoch key if need be. */
static int
cmd_msg_show(struct cmd *c, struct account *a, struct session *s, struct cmd_msg_rings *r,
    struct groups *gl, const struct wire_frame *ev, struct post *p)
{
	const uint8_t *gid = ev->r.f[WF_GROUP].p;
	struct cmd_msg_ring *ring;
	struct cerr we;
	char hex[YISHI_GID_BYTES * 2 + 1], name[WIRE_MAX_NAME * 3 + 1];
	const char *gname;
	uint32_t epoch;

	hex_encode(hex, gid, YISHI_GID_BYTES);
	gname = cmd_msg_gname(gl, s, hex);
	if ((ring = cmd_msg_ring(c, r, a, s, gid)) == NULL)
		return -1;
	epoch = post_epoch(&ev->r);
	if (!ring->gone && epoch != 0 && keyring_find(&ring->kr, epoch) == NULL &&
	    keyring_wait(&ring->kr, s, &a->me, epoch, cmd_plain(name, sizeof name, gname), 1,
	    cmd_msg_wait_ms(c), &we) == -1) {
		if (cmd_msg_refused(&we))
			ring->gone = 1;
		else if (we.code != CE_NO_KEY) {
			c->err = we;
			return -1;
		}
		fprintf(stderr, "yishi: %s\n", we.msg);
	}
	post_open(p, &ev->r, gid, &ring->kr);
	cmd_out_post(c, p, hex, gname);
	return 0;
}

static void
cmd_msg_rekey(struct cmd *c, struct cmd_msg_rings *r, struct account *a, struct session *s,
    const struct wire_frame *ev)
{
	struct cerr e;
	size_t i;

	(void)c;
	for (i = 0; i < r->n; i++) {
		if (memcmp(r->v[i].kr.gid, ev->r.f[WF_GROUP].p, YISHI_GID_BYTES) != 0)
			continue;
		if (keyring_fetch(&r->v[i].kr, s, &a->me, &e) == -1)
			log_debug("key refetch: %s", e.msg);
		else
			r->v[i].gone = 0;
	}
}

/*
 * A moderation event: show it (checked), and if it removed us, stop waiting for
 * that group's keys; if it let someone in, they may need a key we hold.
 */
static void
cmd_msg_modev(struct cmd *c, struct cmd_msg_rings *r, struct account *a, struct session *s,
    struct groups *gl, const struct wire_frame *ev)
{
	char hex[YISHI_GID_BYTES * 2 + 1];
	const char *gname = NULL;
	struct mod_event me;
	struct cerr e;
	size_t i;

	if (wire_has(&ev->r, WF_GROUP)) {
		hex_encode(hex, ev->r.f[WF_GROUP].p, YISHI_GID_BYTES);
		gname = cmd_msg_gname(gl, s, hex);
	}
	cmd_mod_show_event(c, ev, gname);
	if (mod_event_decode(ev->r.f[WF_EV].p, ev->r.f[WF_EV].len, &me) != 0)
		return;
	if ((me.action == MA_KICK || me.action == MA_BAN || me.action == MA_STATION_BAN) &&
	    memcmp(me.target, a->me.pk, YISHI_PK_BYTES) == 0) {
		for (i = 0; i < r->n; i++)
			if (me.action == MA_STATION_BAN ||
			    memcmp(r->v[i].kr.gid, me.group, YISHI_GID_BYTES) == 0)
				r->v[i].gone = 1;
	} else if (me.action == MA_APPROVE && keyring_distribute_all(s, &a->me, &e) == -1)
		log_debug("key distribution: %s", e.msg);
}

int
cmd_msg_watch(struct cmd *c)
{
	struct account a;
	struct session *s = NULL;
	struct groups_entry g;
	struct groups gl;
	struct cmd_msg_rings rings;
	struct wire_frame *f = NULL, *ev;
	struct wire_rec req;
	struct post *p = NULL;
	struct cerr derr;
	char ghex[YISHI_GID_BYTES * 2 + 1];
	size_t i;
	int rc, ret = -1;

	memset(&rings, 0, sizeof rings);
	memset(&gl, 0, sizeof gl);
	if ((p = calloc(1, sizeof *p)) == NULL) {
		cerr_set(&c->err, CE_INTERNAL, "out of memory");
		return -1;
	}
	if (cmd_account(c, &a) == -1) {
		free(p);
		return -1;
	}
	/*
	 * With G: the node hosting it. Without: one node only, the default (or
	 * --node): a session is one node's event stream.
	 */
	if (c->argc > 0)
		s = groups_open(&a, c->argv[0], &g, &c->err);
	else
		s = account_connect(&a, NULL, ACCOUNT_LOGIN, NULL, &c->err);
	if (s == NULL)
		goto out;
	wire_rec_init(&req, &wire_kinds[WK_SUBSCRIBE]);
	if (c->argc > 0) {
		if (cmd_msg_check_member(c, &g) == -1)
			goto out;
		wire_set_bin(&req, WF_GROUP, g.gid, sizeof g.gid);
	}
	if ((f = session_call(s, WK_SUBSCRIBE, &req, WK_OK, &c->err)) == NULL)
		goto out;
	session_frame_free(f);
	if (groups_fetch(&gl, s, &c->err) == -1)
		goto out;
	/* Members may have appeared between our login and the subscription. */
	if (keyring_distribute_all(s, &a.me, &derr) == -1)
		log_debug("key distribution: %s", derr.msg);

	for (;;) {
		rc = session_event(s, NULL, NULL, CMD_MSG_SLICE_MS, &ev, &c->err);
		if (rc == 0)
			continue;
		if (rc == -1)
			break;
		switch (ev->kind) {
		case WK_EV_MSG:
			/* Only the group asked for, however the node scopes subscriptions. */
			if (c->argc > 0 &&
			    memcmp(ev->r.f[WF_GROUP].p, g.gid, YISHI_GID_BYTES) != 0)
				break;
			rc = cmd_msg_show(c, &a, s, &rings, &gl, ev, p);
			break;
		case WK_EV_KEY:
			cmd_msg_rekey(c, &rings, &a, s, ev);
			break;
		case WK_NEEDS:
			if (keyring_distribute(s, &a.me, ev, &derr) == -1)
				log_debug("key distribution: %s", derr.msg);
			break;
		case WK_EV_MOD:
			/* Station events (no group) concern us wherever we watch. */
			if (c->argc > 0 && wire_has(&ev->r, WF_GROUP) &&
			    memcmp(ev->r.f[WF_GROUP].p, g.gid, YISHI_GID_BYTES) != 0)
				break;
			cmd_msg_modev(c, &rings, &a, s, &gl, ev);
			break;
		case WK_EV_FLAGGED:
			if (c->argc > 0 &&
			    memcmp(ev->r.f[WF_GROUP].p, g.gid, YISHI_GID_BYTES) != 0)
				break;
			hex_encode(ghex, ev->r.f[WF_GROUP].p, YISHI_GID_BYTES);
			cmd_mod_show_flagged(c, &a.me, ev, cmd_msg_gname(&gl, s, ghex));
			break;
		case WK_EV_CASE:
			/* A step in a case we reported or handle: not scoped to a group. */
			cmd_case_show_event(c, &a, ev);
			break;
		case WK_EV_WARNING:
			/* Public and by area, not by group: shown wherever we watch. */
			cmd_warn_show_event(c, &a, s, ev);
			break;
		default:
			log_debug("watch: ignored %s event", wire_kinds[ev->kind].name);
			break;
		}
		session_frame_free(ev);
		if (rc == -1)
			break;
	}
	/* A signal is how watch is meant to end. */
	if (c->err.code == CE_INTERRUPTED) {
		memset(&c->err, 0, sizeof c->err);
		ret = 0;
	}
out:
	for (i = 0; i < rings.n; i++)
		keyring_clear(&rings.v[i].kr);
	free(rings.v);
	groups_free(&gl);
	session_free(s);
	account_wipe(&a);
	free(p);
	return ret;
}
