/*
 * lg_ws.c: the load generator's WebSocket drivers: Yishi and the null relay.
 *
 * Both speak Yishi's framing: one msgpack frame per binary WebSocket message, the
 * node's "batch" frames unpacked in order. All clients share one lws client context
 * serviced one turn at a time by lg_ws_poll().
 *
 * Yishi (real keys, real encryption, real signatures, as a client would):
 *   admin registers with the enrollment code; the officer registers; the admin
 *   grants the officer the police role; the officer founds every group, boxing a
 *   fresh epoch key to itself, and creates an invite per group; every member
 *   registers with a key of its own and joins with the invite (member 0 of each
 *   workload group and the ingest group's receiver are sessions of the officer);
 *   the officer boxes the epoch key to all members (keys_put); members subscribe,
 *   fetch their box (keys_get) and open it. A send is sealed exactly as
 *   client/post.c does (msg_hdr_encode, body_encode, msg_seal) at the moment it is
 *   sent, with the bench message id (bench.h) as the header's id.
 * Receivers identify a delivery from the cleartext header; one delivery in
 * LG_VERIFY_EVERY per receiver is decrypted and its text compared, and the
 * signature is verified on each receiver's first delivery and on one delivery of
 * every LG_VERIFY_EVERY-th message of a publisher (a different receiver each time).
 *
 * Null relay: connect, subscribe to the group; sends carry the same fields with
 * the same sizes (the body in clear in "ct", zero nonce and signature), so the bytes
 * on the wire match Yishi's, and a sample of deliveries has its body checked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <libwebsockets.h>
#include <msgpack.h>
#include <sodium.h>

#include "node/edgeloop.h"
#include "proto/crypto.h"
#include "proto/wire.h"
#include "tests/bench/bench.h"

#define WS_PROTOCOL		"yishi.v1"
#define WS_CONNECTING_MAX	64	/* connections opening at once */
#define WS_SETUP_TIMEOUT_US	(300 * 1000000LL)

enum ws_role {
	RO_ADMIN,		/* the station admin (control) */
	RO_OFFICER,		/* the officer's control session: founds groups, boxes keys */
	RO_MEMBER,		/* a member of a workload group, or the ingest receiver */
	RO_INGEST_PUB,		/* an ingest publisher: a member that does not listen */
	RO_IDLE,		/* an idle client for the memory phase */
};

enum ws_cstate {
	WC_NEW,
	WC_CONNECTING,
	WC_HELLO,		/* challenge received, register/login sent */
	WC_WELCOMED,
	WC_JOINING,
	WC_JOINED,		/* waiting for the group's keys to be boxed */
	WC_SUBSCRIBING,
	WC_KEYS,
	WC_READY,
	WC_DEAD,
};

struct ws_out {
	struct ws_out	*next;
	size_t		 len;
	unsigned char	 buf[];
};

struct ws_conn {
	struct lws		*wsi;
	struct ws_drv		*d;
	int			 idx;
	enum ws_role		 role;
	enum ws_cstate		 state;
	int			 group, member;
	int			 recv;		/* receiver index, -1: not listening */
	int			 pub;		/* publisher index, -1: does not publish */
	struct ident		*id;		/* its own (ident_own) or the officer's */
	struct ident		 ident_own;
	uint8_t			 key[YISHI_KEY_BYTES];
	int			 have_key;
	uint8_t			 challenge[YISHI_CHALLENGE_BYTES];
	unsigned char		*rx;
	size_t			 rxlen, rxcap;
	struct ws_out		*out_head, **out_tail;
	uint64_t		 next_rid;
	uint64_t		 want_rid;	/* setup request awaiting its reply */
};

struct ws_group {
	uint8_t		gid[YISHI_GID_BYTES];
	uint8_t		key[YISHI_KEY_BYTES];
	uint8_t		token[16];
	uint64_t	create_rid, invite_rid, keys_rid;	/* the officer's pipelined requests */
	int		keys_boxed, keys_sent;
	int		nconns, njoined;	/* connections of the group, joined so far */
};

struct ws_drv {
	struct lg		*lg;
	int			 yishi;		/* 0: null relay */
	struct lws_context	*ctx;
	struct edgeloop		*loop;		/* the node's edge loop (libev, epoll) */
	uint8_t			 node_pk[YISHI_PK_BYTES];
	struct ident		 officer;
	struct ws_conn		**conns;
	int			 nconns, capconns;
	struct ws_conn		**bypub;	/* publisher index -> its connection */
	int			 next_open;	/* next connection to open */
	int			 connecting;
	int			 nready, ndead;
	int			 first_idle;	/* index of the first idle connection */
	struct ws_conn		*admin, *officer_ctl;
	int			 granted;
	struct ws_group		*groups;	/* G + 1 */
	int			 fatal;
	msgpack_zone		 zone;
	int			 idle_user;	/* next resident an idle client logs in as */
};

static struct ws_drv *lg_ws_self;

static int	lg_ws_callback(struct lws *, enum lws_callback_reasons, void *, void *, size_t);

static const struct lws_protocols lg_ws_protocols[] = {
	{ WS_PROTOCOL, lg_ws_callback, 0, 16384, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 }
};

static uint64_t
lg_ws_wall_ms(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (uint64_t)tv.tv_sec * 1000 + (uint64_t)tv.tv_usec / 1000;
}

/* ---- connections and requests --------------------------------------------------- */

static struct ws_conn *
lg_ws_conn_add(struct ws_drv *d, enum ws_role role, int group, int member)
{
	struct ws_conn *c, **nc;

	if (d->nconns == d->capconns) {
		int cap = d->capconns ? d->capconns * 2 : 1024;

		if ((nc = realloc(d->conns, (size_t)cap * sizeof *nc)) == NULL)
			lg_fatal("out of memory");
		d->conns = nc;
		d->capconns = cap;
	}
	if ((c = calloc(1, sizeof *c)) == NULL)
		lg_fatal("out of memory");
	c->d = d;
	c->idx = d->nconns;
	c->role = role;
	c->group = group;
	c->member = member;
	c->recv = -1;
	c->pub = -1;
	c->next_rid = 1;
	c->out_tail = &c->out_head;
	c->id = &c->ident_own;
	d->conns[d->nconns++] = c;
	return c;
}

static void
lg_ws_queue(struct ws_conn *c, const msgpack_sbuffer *sb)
{
	struct ws_out *o;

	if ((o = malloc(sizeof *o + LWS_PRE + sb->size)) == NULL)
		lg_fatal("out of memory");
	o->next = NULL;
	o->len = sb->size;
	memcpy(o->buf + LWS_PRE, sb->data, sb->size);
	*c->out_tail = o;
	c->out_tail = &o->next;
	if (c->wsi != NULL)
		lws_callback_on_writable(c->wsi);
}

/* Encode and queue a request; returns its request id. */
static uint64_t
lg_ws_request(struct ws_conn *c, enum wire_kind k, const struct wire_rec *r)
{
	msgpack_sbuffer sb;
	struct wire_rec empty;
	uint64_t rid = c->next_rid++;
	int rc;

	if (r == NULL) {
		wire_rec_init(&empty, &wire_kinds[k]);
		r = &empty;
	}
	msgpack_sbuffer_init(&sb);
	if ((rc = wire_encode(k, rid, r, &sb)) != WE_OK)
		lg_fatal("cannot encode %s: %s", wire_kinds[k].name, wire_err_name(rc));
	lg_ws_queue(c, &sb);
	msgpack_sbuffer_destroy(&sb);
	return rid;
}

static void
lg_ws_setup_request(struct ws_conn *c, enum wire_kind k, const struct wire_rec *r)
{
	c->want_rid = lg_ws_request(c, k, r);
}

static void
lg_ws_dead(struct ws_conn *c, const char *why)
{
	struct ws_drv *d = c->d;

	if (c->state == WC_DEAD)
		return;
	if (c->state == WC_CONNECTING)
		d->connecting--;
	if (c->state == WC_READY)
		d->nready--;
	c->state = WC_DEAD;
	d->ndead++;
	if (d->ndead <= 5 || c->role != RO_IDLE)
		lg_log("connection %d (role %d, group %d, member %d) lost: %s", c->idx, c->role,
		    c->group, c->member, why);
	if (c->role != RO_IDLE)
		d->fatal = 1;
}

static void
lg_ws_ready(struct ws_conn *c)
{
	c->state = WC_READY;
	c->d->nready++;
}

static void
lg_ws_open_one(struct ws_drv *d, struct ws_conn *c)
{
	struct lws_client_connect_info ci;
	char origin[64];

	snprintf(origin, sizeof origin, "http://%s:%d", d->lg->c.host, d->lg->c.port);
	memset(&ci, 0, sizeof ci);
	ci.context = d->ctx;
	ci.address = d->lg->c.host;
	ci.port = d->lg->c.port;
	ci.path = "/";
	ci.host = d->lg->c.host;
	ci.origin = origin;
	ci.protocol = WS_PROTOCOL;
	ci.local_protocol_name = WS_PROTOCOL;
	ci.opaque_user_data = c;
	ci.pwsi = &c->wsi;
	c->state = WC_CONNECTING;
	d->connecting++;
	if (lws_client_connect_via_info(&ci) == NULL)
		lg_ws_dead(c, "cannot start connecting");
}

/* Open more connections, a bounded number at a time (listen backlogs are short). */
static void
lg_ws_open_more(struct ws_drv *d)
{
	while (d->next_open < d->nconns && d->connecting < WS_CONNECTING_MAX) {
		struct ws_conn *c = d->conns[d->next_open++];

		if (c->state == WC_NEW)
			lg_ws_open_one(d, c);
	}
}

/* ---- Yishi setup steps ------------------------------------------------------------ */

static void
lg_ws_hello(struct ws_conn *c, int reg, const char *name, const char *enroll)
{
	uint8_t sig[YISHI_SIG_BYTES];
	struct wire_rec r;

	auth_sign(c->id, c->d->node_pk, c->challenge, sig);
	wire_rec_init(&r, &wire_kinds[reg ? WK_REGISTER : WK_LOGIN]);
	wire_set_bin(&r, WF_USER, c->id->pk, YISHI_PK_BYTES);
	wire_set_bin(&r, WF_SIG, sig, sizeof sig);
	if (reg) {
		wire_set_str(&r, WF_NAME, name);
		if (enroll != NULL)
			wire_set_str(&r, WF_ENROLL, enroll);
	}
	lg_ws_setup_request(c, reg ? WK_REGISTER : WK_LOGIN, &r);
	c->state = WC_HELLO;
}

static void
lg_ws_subscribe(struct ws_conn *c)
{
	struct ws_drv *d = c->d;
	struct wire_rec r;

	wire_rec_init(&r, &wire_kinds[WK_SUBSCRIBE]);
	if (c->role != RO_IDLE || !d->yishi)
		wire_set_bin(&r, WF_GROUP, d->groups[c->group].gid, YISHI_GID_BYTES);
	lg_ws_setup_request(c, WK_SUBSCRIBE, &r);
	c->state = WC_SUBSCRIBING;
}

static void
lg_ws_keys_get(struct ws_conn *c)
{
	struct wire_rec r;

	wire_rec_init(&r, &wire_kinds[WK_KEYS_GET]);
	wire_set_bin(&r, WF_GROUP, c->d->groups[c->group].gid, YISHI_GID_BYTES);
	lg_ws_setup_request(c, WK_KEYS_GET, &r);
	c->state = WC_KEYS;
}

/* After the group's keys are boxed: listeners subscribe, publishers fetch keys. */
static void
lg_ws_after_keys(struct ws_conn *c)
{
	if (c->recv >= 0)
		lg_ws_subscribe(c);
	else
		lg_ws_keys_get(c);
}

static void
lg_ws_group_joined(struct ws_drv *d, int g)
{
	struct ws_group *gr = &d->groups[g];
	struct wire_rec req, *recs;
	uint8_t (*boxes)[YISHI_KEYBOX_BYTES];
	int i, n = 0;

	if (gr->keys_sent || gr->njoined < gr->nconns)
		return;
	gr->keys_sent = 1;
	recs = calloc((size_t)gr->nconns, sizeof *recs);
	boxes = calloc((size_t)gr->nconns, sizeof *boxes);
	if (recs == NULL || boxes == NULL)
		lg_fatal("out of memory");
	for (i = 0; i < d->nconns; i++) {
		struct ws_conn *c = d->conns[i];

		if (c->group != g || c->id == &d->officer ||
		    (c->role != RO_MEMBER && c->role != RO_INGEST_PUB))
			continue;
		if (n == WIRE_MAX_ARRAY)
			lg_fatal("group %d: more than %d members to box keys for", g,
			    WIRE_MAX_ARRAY);
		if (keybox_seal(&d->officer, c->id->pk, gr->gid, 1, gr->key, boxes[n]) != 0)
			lg_fatal("cannot box a key");
		wire_rec_init(&recs[n], &wire_records[WR_KEY]);
		wire_set_bin(&recs[n], WF_TO, c->id->pk, YISHI_PK_BYTES);
		wire_set_bin(&recs[n], WF_BOX, boxes[n], YISHI_KEYBOX_BYTES);
		n++;
	}
	if (n == 0) {
		gr->keys_boxed = 1;
	} else {
		wire_rec_init(&req, &wire_kinds[WK_KEYS_PUT]);
		wire_set_bin(&req, WF_GROUP, gr->gid, YISHI_GID_BYTES);
		wire_set_uint(&req, WF_EPOCH, 1);
		wire_set_array(&req, WF_KEYS, recs, (uint32_t)n);
		/* The officer's control session is otherwise idle: requests pipeline. */
		gr->keys_rid = lg_ws_request(d->officer_ctl, WK_KEYS_PUT, &req);
	}
	free(recs);
	free(boxes);
	if (gr->keys_boxed)
		for (i = 0; i < d->nconns; i++)
			if (d->conns[i]->group == g && d->conns[i]->state == WC_JOINED)
				lg_ws_after_keys(d->conns[i]);
}

static void
lg_ws_officer_groups(struct ws_drv *d)
{
	struct lg *lg = d->lg;
	struct wire_rec r;
	uint8_t box[YISHI_KEYBOX_BYTES], salt[YISHI_SALT_BYTES];
	char name[32];
	int g;

	for (g = 0; g <= lg->c.groups; g++) {
		struct ws_group *gr = &d->groups[g];

		/* As client/cmd_group.c: the id binds the founder. */
		randombytes_buf(salt, sizeof salt);
		group_id_derive(d->officer.pk, salt, gr->gid);
		epoch_key_new(gr->key);
		if (keybox_seal(&d->officer, d->officer.pk, gr->gid, 1, gr->key, box) != 0)
			lg_fatal("cannot box a key");
		snprintf(name, sizeof name, g < lg->c.groups ? "bench %d" : "bench ingest", g);
		wire_rec_init(&r, &wire_kinds[WK_GROUP_CREATE]);
		wire_set_bin(&r, WF_GROUP, gr->gid, YISHI_GID_BYTES);
		wire_set_bin(&r, WF_SALT, salt, sizeof salt);
		wire_set_str(&r, WF_NAME, name);
		wire_set_str(&r, WF_AREA, "330281");
		wire_set_bin(&r, WF_BOX, box, sizeof box);
		gr->create_rid = lg_ws_request(d->officer_ctl, WK_GROUP_CREATE, &r);
		wire_rec_init(&r, &wire_kinds[WK_INVITE_CREATE]);
		wire_set_bin(&r, WF_GROUP, gr->gid, YISHI_GID_BYTES);
		gr->invite_rid = lg_ws_request(d->officer_ctl, WK_INVITE_CREATE, &r);
	}
}

/* A setup reply (or an unexpected frame) for connection c. */
static void
lg_ws_setup_frame(struct ws_conn *c, struct wire_frame *f)
{
	struct ws_drv *d = c->d;
	struct lg *lg = d->lg;
	struct wire_rec k;
	char name[48];
	int g, i;

	if (f->kind == WK_CHALLENGE) {
		memcpy(d->node_pk, f->r.f[WF_NODE].p, YISHI_PK_BYTES);
		memcpy(c->challenge, f->r.f[WF_CHALLENGE].p, YISHI_CHALLENGE_BYTES);
		d->connecting--;
		lg_ws_open_more(d);
		if (!d->yishi) {
			if (c->recv >= 0 || c->role == RO_IDLE)
				lg_ws_subscribe(c);
			else
				lg_ws_ready(c);
			return;
		}
		switch (c->role) {
		case RO_ADMIN:
			lg_ws_hello(c, 1, "bench admin", lg->c.enroll);
			break;
		case RO_OFFICER:
			lg_ws_hello(c, 1, "bench officer", NULL);
			break;
		case RO_IDLE:
			lg_ws_hello(c, 0, NULL, NULL);
			break;
		default:
			if (c->id == &d->officer)
				lg_ws_hello(c, 0, NULL, NULL);
			else {
				snprintf(name, sizeof name, "member %d.%d", c->group, c->member);
				lg_ws_hello(c, 1, name, NULL);
			}
			break;
		}
		return;
	}
	/* Events during setup (needs, key) carry no request id: nothing to do. */
	if (f->rid == 0 && f->kind != WK_ERROR)
		return;
	if (f->kind == WK_ERROR) {
		char msg[257];

		wire_str(&f->r, WF_MSG, msg, sizeof msg);
		lg_log("connection %d (role %d, state %d): error %s: %s", c->idx, c->role,
		    c->state, wire_err_name((int)wire_u(&f->r, WF_CODE)), msg);
		d->fatal = 1;
		return;
	}
	if (c == d->officer_ctl && c->state == WC_READY) {
		/* Pipelined group_create / invite_create / keys_put replies. */
		for (g = 0; g <= lg->c.groups; g++) {
			struct ws_group *gr = &d->groups[g];

			if (f->rid == gr->create_rid && f->kind == WK_JOINED)
				return;
			if (f->rid == gr->invite_rid && f->kind == WK_INVITE) {
				memcpy(gr->token, f->r.f[WF_TOKEN].p, 16);
				if (g == lg->c.groups) {
					/* Every invite exists: let the members in. */
					d->next_open = 2;
					lg_ws_open_more(d);
				}
				return;
			}
			if (f->rid == gr->keys_rid && f->kind == WK_OK) {
				gr->keys_boxed = 1;
				for (i = 0; i < d->nconns; i++)
					if (d->conns[i]->group == g &&
					    d->conns[i]->state == WC_JOINED)
						lg_ws_after_keys(d->conns[i]);
				return;
			}
		}
		lg_log("officer: unexpected %s reply", wire_kinds[f->kind].name);
		d->fatal = 1;
		return;
	}
	if (f->rid != c->want_rid) {
		lg_log("connection %d: unexpected %s reply", c->idx, wire_kinds[f->kind].name);
		d->fatal = 1;
		return;
	}
	c->want_rid = 0;
	switch (c->state) {
	case WC_HELLO:
		if (f->kind != WK_WELCOME)
			break;
		if (c->role == RO_ADMIN || c->role == RO_OFFICER) {
			c->state = WC_WELCOMED;
			lg_ws_ready(c);
			if (d->admin->state == WC_READY && d->officer_ctl->state == WC_READY &&
			    !d->granted) {
				wire_rec_init(&k, &wire_kinds[WK_ROLE_GRANT]);
				wire_set_bin(&k, WF_USER, d->officer.pk, YISHI_PK_BYTES);
				wire_set_str(&k, WF_ROLE, "police");
				lg_ws_setup_request(d->admin, WK_ROLE_GRANT, &k);
				d->granted = 1;
			}
			return;
		}
		if (c->role == RO_IDLE) {
			lg_ws_subscribe(c);
			return;
		}
		if (c->id == &d->officer) {
			/* The founder is a member already. */
			c->state = WC_JOINED;
			d->groups[c->group].njoined++;
			if (d->groups[c->group].keys_boxed)
				lg_ws_after_keys(c);
			else
				lg_ws_group_joined(d, c->group);
			return;
		}
		wire_rec_init(&k, &wire_kinds[WK_JOIN]);
		wire_set_bin(&k, WF_TOKEN, d->groups[c->group].token, 16);
		lg_ws_setup_request(c, WK_JOIN, &k);
		c->state = WC_JOINING;
		return;
	case WC_WELCOMED:
	case WC_READY:
		if (c == d->admin && f->kind == WK_OK) {
			/* The officer is police now: found the groups. */
			lg_ws_officer_groups(d);
			return;
		}
		break;
	case WC_JOINING:
		if (f->kind != WK_JOINED)
			break;
		c->state = WC_JOINED;
		d->groups[c->group].njoined++;
		lg_ws_group_joined(d, c->group);
		return;
	case WC_SUBSCRIBING:
		if (f->kind != WK_OK)
			break;
		if (!d->yishi || c->role == RO_IDLE)
			lg_ws_ready(c);
		else
			lg_ws_keys_get(c);
		return;
	case WC_KEYS:
		if (f->kind != WK_KEYS)
			break;
		for (i = 0; i < (int)f->r.f[WF_KEYS].len; i++) {
			if (wire_array_get(&f->r.f[WF_KEYS], (uint32_t)i, &wire_records[WR_KEY],
			    &k) != WE_OK || !wire_has(&k, WF_FROM) || wire_u(&k, WF_EPOCH) != 1)
				continue;
			if (keybox_open(c->id, k.f[WF_FROM].p, d->groups[c->group].gid, 1,
			    k.f[WF_BOX].p, c->key) == 0)
				c->have_key = 1;
		}
		if (!c->have_key) {
			lg_log("connection %d: no key box opens for group %d", c->idx, c->group);
			d->fatal = 1;
			return;
		}
		lg_ws_ready(c);
		return;
	default:
		break;
	}
	lg_log("connection %d (state %d): unexpected %s reply", c->idx, c->state,
	    wire_kinds[f->kind].name);
	d->fatal = 1;
}

/* ---- receiving ------------------------------------------------------------------- */

static const msgpack_object *
lg_ws_get(const msgpack_object *map, const char *key)
{
	size_t kl = strlen(key);
	uint32_t i;

	for (i = 0; i < map->via.map.size; i++) {
		const msgpack_object_kv *kv = &map->via.map.ptr[i];

		if (kv->key.type == MSGPACK_OBJECT_STR && kv->key.via.str.size == kl &&
		    memcmp(kv->key.via.str.ptr, key, kl) == 0)
			return &kv->val;
	}
	return NULL;
}

static const msgpack_object *
lg_ws_get_bin(const msgpack_object *map, const char *key)
{
	const msgpack_object *o = lg_ws_get(map, key);

	return o != NULL && o->type == MSGPACK_OBJECT_BIN ? o : NULL;
}

/* A group message: identify it from the cleartext header, check a sample. */
static void
lg_ws_delivery(struct ws_conn *c, const msgpack_object *m, int64_t now)
{
	struct ws_drv *d = c->d;
	struct lg *lg = d->lg;
	const msgpack_object *hdr, *nonce, *ct, *sig;
	struct msg_hdr h;
	struct lg_msgid id;
	uint8_t pt[WIRE_MAX_CT];
	char text[WIRE_MAX_TEXT + 1], want[LG_PAYLOAD];
	size_t ptlen;
	int first;

	/*
	 * An idle client of the memory phase is subscribed (null relay) or logged in
	 * (Yishi) and may hear its group's first messages while its close completes; it
	 * measures nothing.
	 */
	if (c->role == RO_IDLE)
		return;
	hdr = lg_ws_get_bin(m, "hdr");
	nonce = lg_ws_get_bin(m, "nonce");
	ct = lg_ws_get_bin(m, "ct");
	sig = lg_ws_get_bin(m, "sig");
	if (c->recv < 0 || hdr == NULL || nonce == NULL || ct == NULL || sig == NULL ||
	    nonce->via.bin.size != YISHI_NONCE_BYTES || sig->via.bin.size != YISHI_SIG_BYTES ||
	    msg_hdr_decode(hdr->via.bin.ptr, hdr->via.bin.size, &h) != 0) {
		lg_corrupt(lg, c->recv, "a malformed message event");
		return;
	}
	lg_msgid_unpack(h.id, &id);
	first = lg->recv[c->recv].count == 0;
	lg_delivered(lg, c->recv, &id, now);
	if (memcmp(h.group, d->groups[c->group].gid, YISHI_GID_BYTES) != 0) {
		lg_corrupt(lg, c->recv, "a message for another group");
		return;
	}
	if (d->yishi && (first || (id.seq % LG_VERIFY_EVERY == 0 &&
	    (int)((id.seq / LG_VERIFY_EVERY + id.pub) % (uint32_t)(c->group < lg->c.groups ?
	    lg->c.members : 1)) == c->member))) {
		if (msg_verify(h.sender, (const uint8_t *)hdr->via.bin.ptr, hdr->via.bin.size,
		    (const uint8_t *)nonce->via.bin.ptr, (const uint8_t *)ct->via.bin.ptr,
		    ct->via.bin.size, (const uint8_t *)sig->via.bin.ptr) != 0) {
			lg_corrupt(lg, c->recv, "a signature does not verify");
			return;
		}
		lg->verified++;
	}
	if (!lg_sample(lg, c->recv))
		return;
	if (d->yishi) {
		if (ct->via.bin.size > sizeof pt || msg_open(c->key,
		    (const uint8_t *)hdr->via.bin.ptr, hdr->via.bin.size,
		    (const uint8_t *)nonce->via.bin.ptr, (const uint8_t *)ct->via.bin.ptr,
		    ct->via.bin.size, pt, &ptlen) != 0) {
			lg_corrupt(lg, c->recv, "a message does not decrypt");
			return;
		}
	} else {
		if (ct->via.bin.size < YISHI_TAG_BYTES) {
			lg_corrupt(lg, c->recv, "a short body");
			return;
		}
		ptlen = ct->via.bin.size - YISHI_TAG_BYTES;
		memcpy(pt, ct->via.bin.ptr, ptlen);
	}
	lg_payload_text(&id, want);
	if (body_decode(pt, ptlen, text, sizeof text) != 0 || strlen(text) != LG_PAYLOAD ||
	    memcmp(text, want, LG_PAYLOAD) != 0) {
		lg_corrupt(lg, c->recv, "a message text differs from what was sent");
		return;
	}
	lg->decrypted++;
}

static void	lg_ws_frame(struct ws_conn *, const char *, size_t, int, int64_t);

static void
lg_ws_frame_slow(struct ws_conn *c, const char *buf, size_t len)
{
	struct wire_frame f;
	int rc;

	if ((rc = wire_decode(buf, len, WIRE_DIR_N2C, &f)) != WE_OK) {
		lg_log("connection %d: invalid frame from the server (%s)", c->idx,
		    wire_err_name(rc));
		c->d->fatal = 1;
		return;
	}
	if (c->state == WC_READY && f.kind == WK_ERROR && c->role != RO_OFFICER &&
	    c->role != RO_ADMIN) {
		char msg[257];

		wire_str(&f.r, WF_MSG, msg, sizeof msg);
		lg_error(c->d->lg, "connection %d: %s: %s", c->idx,
		    wire_err_name((int)wire_u(&f.r, WF_CODE)), msg);
	} else if (c->state != WC_READY || c == c->d->officer_ctl || c == c->d->admin) {
		lg_ws_setup_frame(c, &f);
	}
	/* Events for ready clients (needs, key) need no answer here. */
	wire_frame_free(&f);
}

static void
lg_ws_frame(struct ws_conn *c, const char *buf, size_t len, int nested, int64_t now)
{
	struct ws_drv *d = c->d;
	msgpack_object o;
	const msgpack_object *t, *frames, *fr;
	size_t off = 0;
	uint32_t i;

	if (msgpack_unpack(buf, len, &off, &d->zone, &o) != MSGPACK_UNPACK_SUCCESS ||
	    o.type != MSGPACK_OBJECT_MAP || (t = lg_ws_get(&o, "t")) == NULL ||
	    t->type != MSGPACK_OBJECT_STR) {
		lg_log("connection %d: a frame that is not a msgpack map", c->idx);
		d->fatal = 1;
		return;
	}
	if (t->via.str.size == 3 && memcmp(t->via.str.ptr, "msg", 3) == 0) {
		lg_ws_delivery(c, &o, now);
	} else if (t->via.str.size == 3 && memcmp(t->via.str.ptr, "ack", 3) == 0 &&
	    c->state == WC_READY) {
		lg_acked(d->lg, c->pub);
	} else if (t->via.str.size == 5 && memcmp(t->via.str.ptr, "batch", 5) == 0 && !nested) {
		if ((frames = lg_ws_get(&o, "frames")) == NULL ||
		    frames->type != MSGPACK_OBJECT_ARRAY) {
			d->fatal = 1;
			return;
		}
		for (i = 0; i < frames->via.array.size; i++) {
			fr = &frames->via.array.ptr[i];
			if (fr->type != MSGPACK_OBJECT_MAP ||
			    (fr = lg_ws_get_bin(fr, "frame")) == NULL) {
				d->fatal = 1;
				return;
			}
			/* The zone is cleared only after the outer frame is done. */
			lg_ws_frame(c, fr->via.bin.ptr, fr->via.bin.size, 1, now);
		}
	} else {
		lg_ws_frame_slow(c, buf, len);
	}
	if (!nested)
		msgpack_zone_clear(&d->zone);
}

static int
lg_ws_receive(struct ws_conn *c, struct lws *wsi, const void *in, size_t len)
{
	size_t need = c->rxlen + len;

	if (c->rxlen == 0 && lws_is_final_fragment(wsi) && lws_remaining_packet_payload(wsi) == 0) {
		/* The common case: a whole message in one piece, no copy. */
		lg_ws_frame(c, in, len, 0, lg_now_us());
		return 0;
	}
	if (need > WIRE_MAX_IN_CLIENT) {
		lg_ws_dead(c, "a message over the client's limit");
		return -1;
	}
	if (need > c->rxcap) {
		size_t cap = c->rxcap ? c->rxcap : 16384;
		unsigned char *n;

		while (cap < need)
			cap *= 2;
		if ((n = realloc(c->rx, cap)) == NULL)
			lg_fatal("out of memory");
		c->rx = n;
		c->rxcap = cap;
	}
	memcpy(c->rx + c->rxlen, in, len);
	c->rxlen = need;
	if (!lws_is_final_fragment(wsi) || lws_remaining_packet_payload(wsi) != 0)
		return 0;
	lg_ws_frame(c, (const char *)c->rx, c->rxlen, 0, lg_now_us());
	c->rxlen = 0;
	if (c->rxcap > 65536) {
		free(c->rx);
		c->rx = NULL;
		c->rxcap = 0;
	}
	return 0;
}

/* Write queued frames while the socket takes them. */
static int
lg_ws_writeable(struct ws_conn *c, struct lws *wsi)
{
	struct ws_out *o;

	while ((o = c->out_head) != NULL) {
		if ((c->out_head = o->next) == NULL)
			c->out_tail = &c->out_head;
		if (lws_write(wsi, o->buf + LWS_PRE, o->len, LWS_WRITE_BINARY) < (int)o->len) {
			free(o);
			lg_ws_dead(c, "write failed");
			return -1;
		}
		free(o);
		if (lws_send_pipe_choked(wsi))
			break;
	}
	if (c->out_head != NULL)
		lws_callback_on_writable(wsi);
	return 0;
}

static int
lg_ws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
    size_t len)
{
	struct ws_conn *c = lws_get_opaque_user_data(wsi);
	char why[128];

	(void)user;
	if (c == NULL)
		return 0;
	switch (reason) {
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		if (c->out_head != NULL)
			lws_callback_on_writable(wsi);
		return 0;
	case LWS_CALLBACK_CLIENT_RECEIVE:
		if (!lws_frame_is_binary(wsi)) {
			lg_ws_dead(c, "a text message");
			return -1;
		}
		return lg_ws_receive(c, wsi, in, len);
	case LWS_CALLBACK_CLIENT_WRITEABLE:
		return lg_ws_writeable(c, wsi);
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		snprintf(why, sizeof why, "connection error: %.*s", in != NULL ? (int)len : 0,
		    in != NULL ? (const char *)in : "");
		c->wsi = NULL;
		lg_ws_dead(c, why);
		return 0;
	case LWS_CALLBACK_CLIENT_CLOSED:
	case LWS_CALLBACK_WSI_DESTROY:
		c->wsi = NULL;
		lg_ws_dead(c, "closed");
		return 0;
	default:
		return 0;
	}
}

/* ---- the driver -------------------------------------------------------------------- */

/*
 * One turn of the clients' loop. lws runs on the node's edge loop (libev, epoll), so
 * a turn costs in proportion to the connections that are ready, not to all of them,
 * as on the node, and its wait is bounded by a libev timer that cannot be lost.
 */
static void
lg_ws_poll(struct lg *lg, int64_t timeout_us)
{
	struct ws_drv *d = lg->drv_state;

	edgeloop_run_once(d->loop, timeout_us);
}

static int
lg_ws_wait_ready(struct ws_drv *d, int want)
{
	int64_t deadline = lg_now_us() + WS_SETUP_TIMEOUT_US, last = 0, now;

	while (d->nready < want && !d->fatal) {
		if ((now = lg_now_us()) > deadline) {
			lg_log("setup: %d of %d clients ready after %lld s", d->nready, want,
			    WS_SETUP_TIMEOUT_US / 1000000);
			return -1;
		}
		if (now - last > 5000000) {
			if (last != 0)
				lg_log("setup: %d of %d clients ready", d->nready, want);
			last = now;
		}
		lg_ws_poll(d->lg, 50000);
	}
	return d->fatal ? -1 : 0;
}

static int
lg_ws_setup(struct lg *lg, int yishi)
{
	struct lws_context_creation_info info;
	void *foreign[1];
	struct ws_drv *d;
	struct ws_conn *c;
	int g, m, k, nmem;

	if ((d = calloc(1, sizeof *d)) == NULL)
		lg_fatal("out of memory");
	lg_ws_self = d;
	lg->drv_state = d;
	lg->acks = 1;
	d->lg = lg;
	d->yishi = yishi;
	msgpack_zone_init(&d->zone, 65536);
	if ((d->groups = calloc((size_t)lg->c.groups + 1, sizeof *d->groups)) == NULL)
		lg_fatal("out of memory");
	if (yishi && lg->c.enroll == NULL)
		lg_fatal("the yishi driver needs --enroll CODE");
	if (ident_new(&d->officer) != 0)
		lg_fatal("cannot create a key");

	lws_set_log_level(getenv("LG_DEBUG") != NULL ? LLL_ERR | LLL_WARN : 0, NULL);
	memset(&info, 0, sizeof info);
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = lg_ws_protocols;
	info.gid = -1;
	info.uid = -1;
	info.pt_serv_buf_size = 65536;
	info.fd_limit_per_thread = (unsigned)(lg->nrecv + lg->npub + lg->c.idle_n + 256);
	if ((d->loop = edgeloop_new()) == NULL)
		lg_fatal("cannot create an event loop");
	foreign[0] = edgeloop_foreign(d->loop);
	info.foreign_loops = foreign;
	info.options = LWS_SERVER_OPTION_LIBEV;
	if ((d->ctx = lws_create_context(&info)) == NULL)
		lg_fatal("cannot create a WebSocket context");

	/* Connections: [admin, officer] (yishi), then members group by group. */
	if (yishi) {
		d->admin = lg_ws_conn_add(d, RO_ADMIN, -1, -1);
		d->officer_ctl = lg_ws_conn_add(d, RO_OFFICER, -1, -1);
		d->officer_ctl->id = &d->officer;
		if (ident_new(&d->admin->ident_own) != 0)
			lg_fatal("cannot create a key");
	}
	for (g = 0; g <= lg->c.groups; g++) {
		nmem = g < lg->c.groups ? lg->c.members : 1;
		if (!yishi)
			memcpy(d->groups[g].gid, &g, sizeof g);
		for (m = 0; m < nmem; m++) {
			c = lg_ws_conn_add(d, RO_MEMBER, g, m);
			c->recv = lg_recv_index(lg, g, m);
			if (g < lg->c.groups && m < lg->c.pubs)
				c->pub = lg_pub_index(lg, g, m);
			if (yishi && m == 0)
				c->id = &d->officer;
			else if (yishi && ident_new(&c->ident_own) != 0)
				lg_fatal("cannot create a key");
		}
		if (g == lg->c.groups) {
			for (k = 0; k < lg->c.ingest_pubs; k++) {
				c = lg_ws_conn_add(d, RO_INGEST_PUB, g, 1 + k);
				c->pub = lg_pub_index(lg, g, k);
				if (yishi && ident_new(&c->ident_own) != 0)
					lg_fatal("cannot create a key");
			}
		}
		d->groups[g].nconns = nmem + (g == lg->c.groups ? lg->c.ingest_pubs : 0);
	}
	d->first_idle = d->nconns;
	if ((d->bypub = calloc((size_t)lg->npub, sizeof *d->bypub)) == NULL)
		lg_fatal("out of memory");
	for (k = 0; k < d->nconns; k++)
		if (d->conns[k]->pub >= 0)
			d->bypub[d->conns[k]->pub] = d->conns[k];
	if (yishi) {
		/* Admin and officer first; members once every invite exists. */
		lg_ws_open_one(d, d->admin);
		lg_ws_open_one(d, d->officer_ctl);
		d->next_open = d->nconns;
	} else {
		lg_ws_open_more(d);
	}
	return lg_ws_wait_ready(d, d->nconns);
}

static int
lg_ws_setup_yishi(struct lg *lg)
{
	return lg_ws_setup(lg, 1);
}

static int
lg_ws_setup_null(struct lg *lg)
{
	return lg_ws_setup(lg, 0);
}

static int
lg_ws_send(struct lg *lg, int pub, const struct lg_msgid *id)
{
	struct ws_drv *d = lg->drv_state;
	struct ws_conn *c = NULL;
	struct msg_hdr h;
	struct wire_rec r;
	msgpack_sbuffer body, sb;
	uint8_t hdr[YISHI_HDR_MAX], nonce[YISHI_NONCE_BYTES], sig[YISHI_SIG_BYTES];
	uint8_t ct[LG_PAYLOAD + 64];
	char text[LG_PAYLOAD];
	size_t hdrlen, ctlen;
	int g = lg->pubs[pub].group;

	c = d->bypub[pub];
	if (c == NULL || c->state != WC_READY || c->wsi == NULL)
		return -1;
	memset(&h, 0, sizeof h);
	memcpy(h.group, d->groups[g].gid, YISHI_GID_BYTES);
	h.epoch = 1;
	memcpy(h.sender, c->id->pk, YISHI_PK_BYTES);
	h.ts_ms = lg_ws_wall_ms();
	lg_msgid_pack(id, h.id);
	hdrlen = msg_hdr_encode(&h, hdr);
	lg_payload_text(id, text);
	msgpack_sbuffer_init(&body);
	if (body_encode(text, LG_PAYLOAD, &body) != 0 || body.size + YISHI_TAG_BYTES > sizeof ct)
		lg_fatal("cannot encode a message body");
	if (d->yishi) {
		msg_seal(c->id, hdr, hdrlen, c->key, body.data, body.size, nonce, ct, sig);
	} else {
		memset(nonce, 0, sizeof nonce);
		memset(sig, 0, sizeof sig);
		memcpy(ct, body.data, body.size);
		memset(ct + body.size, 0, YISHI_TAG_BYTES);
	}
	ctlen = body.size + YISHI_TAG_BYTES;
	msgpack_sbuffer_destroy(&body);
	wire_rec_init(&r, &wire_kinds[WK_SEND]);
	wire_set_bin(&r, WF_HDR, hdr, hdrlen);
	wire_set_bin(&r, WF_NONCE, nonce, sizeof nonce);
	wire_set_bin(&r, WF_CT, ct, ctlen);
	wire_set_bin(&r, WF_SIG, sig, sizeof sig);
	msgpack_sbuffer_init(&sb);
	if (wire_encode(WK_SEND, c->next_rid++, &r, &sb) != WE_OK)
		lg_fatal("cannot encode a send");
	lg_ws_queue(c, &sb);
	msgpack_sbuffer_destroy(&sb);
	return 0;
}

static int
lg_ws_idle_open(struct lg *lg, int n)
{
	struct ws_drv *d = lg->drv_state;
	struct ws_conn *c, *src;
	int i, want;

	for (i = 0; i < n; i++) {
		c = lg_ws_conn_add(d, RO_IDLE, 0, 0);
		if (d->yishi) {
			/* Log in as a registered resident: the one behind member conns. */
			do {
				src = d->conns[2 + d->idle_user % (d->first_idle - 2)];
				d->idle_user++;
			} while (src->id == &d->officer);
			c->id = src->id;
			c->group = src->group;
		} else {
			c->group = i % lg->c.groups;
		}
	}
	want = d->nready + n;
	lg_ws_open_more(d);
	return lg_ws_wait_ready(d, want);
}

/*
 * Close the idle clients. Their structures stay allocated until teardown: lws keeps
 * a pointer to each one's wsi slot (ci.pwsi) until the connection is gone.
 */
static void
lg_ws_idle_close(struct lg *lg)
{
	struct ws_drv *d = lg->drv_state;
	struct ws_conn *c;
	int i;
	int64_t deadline;

	for (i = d->first_idle; i < d->nconns; i++) {
		c = d->conns[i];
		if (c->state == WC_DEAD)
			continue;
		if (c->state == WC_READY)
			d->nready--;
		c->state = WC_DEAD;
		if (c->wsi != NULL)
			lws_set_timeout(c->wsi, PENDING_TIMEOUT_CLOSE_SEND, LWS_TO_KILL_ASYNC);
	}
	/*
	 * On the libev loop lws runs its due timers (the kills above) only from its own
	 * callbacks; with no traffic between phases none may come. A cancel is one.
	 */
	lws_cancel_service(d->ctx);
	deadline = lg_now_us() + 200000;
	while (lg_now_us() < deadline)
		lg_ws_poll(lg, 10000);
}

static void
lg_ws_teardown(struct lg *lg)
{
	struct ws_drv *d = lg->drv_state;
	struct ws_out *o;
	int i;

	if (d == NULL)
		return;
	for (i = 0; i < d->nconns; i++)
		if (d->conns[i]->wsi != NULL)
			lws_set_opaque_user_data(d->conns[i]->wsi, NULL);
	lws_context_destroy(d->ctx);
	edgeloop_free(d->loop);
	for (i = 0; i < d->nconns; i++) {
		while ((o = d->conns[i]->out_head) != NULL) {
			d->conns[i]->out_head = o->next;
			free(o);
		}
		ident_wipe(&d->conns[i]->ident_own);
		free(d->conns[i]->rx);
		free(d->conns[i]);
	}
	ident_wipe(&d->officer);
	free(d->conns);
	free(d->bypub);
	free(d->groups);
	msgpack_zone_destroy(&d->zone);
	free(d);
	lg->drv_state = NULL;
	lg_ws_self = NULL;
}

const struct lg_driver lg_driver_ws_yishi = {
	"yishi", lg_ws_setup_yishi, lg_ws_poll, lg_ws_send, lg_ws_idle_open, lg_ws_idle_close,
	lg_ws_teardown,
};

const struct lg_driver lg_driver_ws_null = {
	"null", lg_ws_setup_null, lg_ws_poll, lg_ws_send, lg_ws_idle_open, lg_ws_idle_close,
	lg_ws_teardown,
};
