/*
 * test_core.c: the core thread's contract, driven through its real queues with a
 * real LMDB store and no network: roles, group lifecycle, sequencing and de-dup of
 * messages, epoch and membership checks, rate limits, fan-out only to members, key
 * relay and key events, and that every reply is held until the turn committed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <sodium.h>

#include "node/core.h"
#include "node/oframe.h"
#include "proto/crypto.h"
#include "proto/log.h"
#include "proto/modev.h"
#include "proto/case.h"
#include "storage/store.h"
#include "tests/unit/check.h"

static struct event_base *base;
static struct store *st;
static struct queue qin, qout;
static struct core core;
static struct node_conf conf;
static struct node_ident ni;
static struct ident bureau;		/* the parent level's escalation reader */
static uint32_t next_slot;
static uint64_t next_rid = 1;

/* Frames the core sent, per session, in order. */
struct got {
	struct got		*next;
	sid_t			 sid;
	int			 kick;
	struct wire_frame	 f;
};
static struct got *got_head;
static int wakes;

static void
count_wake(void *arg)
{
	(void)arg;
	wakes++;
}

static void
turn(void)
{
	struct qitem *it, *next;
	struct got *g, **tail;

	core_wake(&core);
	event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
	for (tail = &got_head; *tail != NULL; tail = &(*tail)->next)
		;
	for (it = queue_take_all(&qout); it != NULL; it = next) {
		uint32_t i, n = it->type == QI_FANOUT ? it->nsids : 1;

		next = it->next;
		for (i = 0; i < n; i++) {
			g = calloc(1, sizeof *g);
			g->sid = it->type == QI_FANOUT ? it->sids[i] : it->sid;
			g->kick = it->type == QI_KICK;
			if (it->out == NULL || wire_decode(oframe_payload(it->out), it->out->len,
			    WIRE_DIR_N2C, &g->f) != WE_OK) {
				fprintf(stderr, "core sent an undecodable frame\n");
				exit(1);
			}
			*tail = g;
			tail = &g->next;
		}
		queue_item_free(it);
	}
}

/* Pop the first frame sent to sid; NULL if none. Caller frees with got_free. */
static struct got *
pop(sid_t sid)
{
	struct got **pp, *g;

	for (pp = &got_head; *pp != NULL; pp = &(*pp)->next)
		if ((*pp)->sid == sid) {
			g = *pp;
			*pp = g->next;
			return g;
		}
	return NULL;
}

static void
got_free(struct got *g)
{
	if (g != NULL) {
		wire_frame_free(&g->f);
		free(g);
	}
}

/* Expect the next frame to sid to be of kind k (and rid, if nonzero); return it. */
static struct got *
expect(sid_t sid, enum wire_kind k, uint64_t rid, int line)
{
	struct got *g = pop(sid);

	if (g == NULL) {
		fprintf(stderr, "line %d: no frame for the session, expected %s\n", line,
		    wire_kinds[k].name);
		check_fail++;
		return NULL;
	}
	if (g->f.kind != k || (rid != 0 && g->f.rid != rid)) {
		fprintf(stderr, "line %d: got %s (code %llu) rid %llu, expected %s rid %llu\n",
		    line, wire_kinds[g->f.kind].name, (unsigned long long)g->f.r.f[WF_CODE].u,
		    (unsigned long long)g->f.rid, wire_kinds[k].name, (unsigned long long)rid);
		check_fail++;
	} else
		check_pass++;
	return g;
}
#define EXPECT(sid, k, rid)	expect(sid, k, rid, __LINE__)

static void
expect_error(sid_t sid, uint64_t rid, int code, int line)
{
	struct got *g = expect(sid, WK_ERROR, rid, line);

	if (g != NULL && g->f.kind == WK_ERROR && g->f.r.f[WF_CODE].u != (uint64_t)code) {
		fprintf(stderr, "line %d: error code %llu, expected %d\n", line,
		    (unsigned long long)g->f.r.f[WF_CODE].u, code);
		check_fail++;
	}
	got_free(g);
}
#define EXPECT_ERROR(sid, rid, code)	expect_error(sid, rid, code, __LINE__)

static sid_t
session_open(void)
{
	sid_t sid = SID_MAKE(next_slot++, 1);

	queue_push(&qin, queue_item_new(QI_OPEN, sid));
	return sid;
}

/* Encode r as kind k, decode it as a node would, queue it; returns the rid. */
/* A group_create request for group gid of salt, named name, in area 330281. */
static void
group_create_rec(struct wire_rec *r, const uint8_t gid[16], const uint8_t salt[16],
    const char *name, const uint8_t box[YISHI_KEYBOX_BYTES])
{
	wire_rec_init(r, &wire_kinds[WK_GROUP_CREATE]);
	wire_set_bin(r, WF_GROUP, gid, 16);
	wire_set_bin(r, WF_SALT, salt, 16);
	wire_set_str(r, WF_NAME, name);
	wire_set_str(r, WF_AREA, "330281");
	wire_set_bin(r, WF_BOX, box, YISHI_KEYBOX_BYTES);
}

static uint64_t
request(sid_t sid, enum wire_kind k, const struct wire_rec *r, const struct msg_hdr *h)
{
	struct qitem *it;
	msgpack_sbuffer sb;
	uint64_t rid = next_rid++;

	msgpack_sbuffer_init(&sb);
	if (wire_encode(k, rid, r, &sb) != WE_OK) {
		fprintf(stderr, "cannot encode %s\n", wire_kinds[k].name);
		exit(1);
	}
	it = queue_item_new(QI_FRAME, sid);
	it->frame = calloc(1, sizeof *it->frame);
	if (wire_decode(sb.data, sb.size, WIRE_DIR_C2N, it->frame) != WE_OK) {
		fprintf(stderr, "cannot decode %s\n", wire_kinds[k].name);
		exit(1);
	}
	if (h != NULL)
		it->hdr = *h;
	msgpack_sbuffer_destroy(&sb);
	queue_push(&qin, it);
	return rid;
}

struct user {
	struct ident	id;
	sid_t		sid;
};

static uint64_t
do_register(struct user *u, const char *name, const char *code)
{
	struct wire_rec r;
	uint8_t sig[64] = { 0 };	/* the edge checks signatures, not the core */

	wire_rec_init(&r, &wire_kinds[WK_REGISTER]);
	wire_set_bin(&r, WF_USER, u->id.pk, 32);
	wire_set_str(&r, WF_NAME, name);
	wire_set_bin(&r, WF_SIG, sig, 64);
	if (code != NULL)
		wire_set_str(&r, WF_ENROLL, code);
	return request(u->sid, WK_REGISTER, &r, NULL);
}

static uint64_t
simple(struct user *u, enum wire_kind k, const uint8_t *gid)
{
	struct wire_rec r;

	wire_rec_init(&r, &wire_kinds[k]);
	if (gid != NULL)
		wire_set_bin(&r, WF_GROUP, gid, 16);
	return request(u->sid, k, &r, NULL);
}

/* u creates an invite to gid: its token into token; 0, or -1 (a failure counted). */
static int
invite_token(struct user *u, const uint8_t gid[16], uint8_t token[16])
{
	struct got *g;
	uint64_t rid = simple(u, WK_INVITE_CREATE, gid);

	turn();
	if ((g = EXPECT(u->sid, WK_INVITE, rid)) == NULL)
		return -1;
	memcpy(token, g->f.r.f[WF_TOKEN].p, 16);
	got_free(g);
	return 0;
}


static uint64_t
send_msg(struct user *u, const uint8_t gid[16], uint32_t epoch, const uint8_t id[16],
    const uint8_t *sender)
{
	struct msg_hdr h;
	struct wire_rec r;
	uint8_t hdr[YISHI_HDR_MAX], nonce[24] = { 1 }, ct[32] = { 2 }, sig[64] = { 3 };
	size_t hlen;

	memset(&h, 0, sizeof h);
	memcpy(h.group, gid, 16);
	h.epoch = epoch;
	memcpy(h.sender, sender != NULL ? sender : u->id.pk, 32);
	h.ts_ms = 1;
	memcpy(h.id, id, 16);
	hlen = msg_hdr_encode(&h, hdr);
	wire_rec_init(&r, &wire_kinds[WK_SEND]);
	wire_set_bin(&r, WF_HDR, hdr, hlen);
	wire_set_bin(&r, WF_NONCE, nonce, 24);
	wire_set_bin(&r, WF_CT, ct, sizeof ct);
	wire_set_bin(&r, WF_SIG, sig, 64);
	return request(u->sid, WK_SEND, &r, &h);
}

/* The reply to rid for sid, skipping (and freeing) events queued before it. */
static struct got *
reply(sid_t sid, uint64_t rid)
{
	struct got *g;

	while ((g = pop(sid)) != NULL) {
		if (g->f.rid == rid)
			return g;
		got_free(g);
	}
	return NULL;
}

static int
reply_code(sid_t sid, uint64_t rid)
{
	struct got *g = reply(sid, rid);
	int code = g == NULL ? -1 : g->f.kind == WK_ERROR ? (int)g->f.r.f[WF_CODE].u : 0;

	got_free(g);
	return code;
}

static void
drain(sid_t sid)
{
	struct got *g;

	while ((g = pop(sid)) != NULL)
		got_free(g);
}

/* Queue a report of kind by u, its body key sealed to each of `to`. */
static uint64_t
report(struct user *u, int kind, int urgent, uint8_t id[16], const uint8_t (*to)[32], int nto)
{
	struct report_meta m;
	struct wire_rec r, seals[8];
	uint8_t meta[REPORT_META_MAX], sig[64], key[32], body[64], sl[8][REPORT_SEAL_BYTES];
	size_t len;
	int i;

	memset(&m, 0, sizeof m);
	randombytes_buf(m.id, 16);
	memcpy(id, m.id, 16);
	memcpy(m.reporter, u->id.pk, 32);
	m.kind = kind;
	m.urgent = (uint8_t)urgent;
	snprintf(m.area, sizeof m.area, "330281");
	m.ts_ms = node_now_ms();
	snprintf(m.fraud_type, sizeof m.fraud_type, "investment");
	len = report_meta_encode(&m, meta, sizeof meta);
	report_meta_sign(&u->id, meta, len, sig);
	report_seal_body(meta, len, (const uint8_t *)"\x81\xa4text\xa1x", 8, key, body);
	for (i = 0; i < nto; i++) {
		if (report_seal_key(key, to[i], sl[i]) != 0)
			exit(1);
		wire_rec_init(&seals[i], &wire_records[WR_SEALREC]);
		wire_set_bin(&seals[i], WF_TO, to[i], 32);
		wire_set_bin(&seals[i], WF_SEAL, sl[i], REPORT_SEAL_BYTES);
	}
	wire_rec_init(&r, &wire_kinds[WK_REPORT]);
	wire_set_bin(&r, WF_META, meta, len);
	wire_set_bin(&r, WF_SIG, sig, 64);
	wire_set_bin(&r, WF_BODY, body, 24 + 8 + 16);
	wire_set_array(&r, WF_SEALS, seals, (uint32_t)nto);
	return request(u->sid, WK_REPORT, &r, NULL);
}

/* Queue a case entry by u. */
static uint64_t
case_step(struct user *u, const uint8_t id[16], int action, const char *arg)
{
	struct case_entry e;
	struct wire_rec r;
	uint8_t entry[CASE_ENTRY_MAX], sig[64];
	size_t len;

	memset(&e, 0, sizeof e);
	memcpy(e.case_id, id, 16);
	e.action = action;
	memcpy(e.actor, u->id.pk, 32);
	snprintf(e.arg, sizeof e.arg, "%s", arg);
	e.ts_ms = node_now_ms();
	randombytes_buf(e.id, sizeof e.id);
	len = case_entry_encode(&e, entry, sizeof entry);
	case_entry_sign(&u->id, entry, len, sig);
	wire_rec_init(&r, &wire_kinds[WK_CASE_ACT]);
	wire_set_bin(&r, WF_ENTRY, entry, len);
	wire_set_bin(&r, WF_SIG, sig, 64);
	return request(u->sid, WK_CASE_ACT, &r, NULL);
}

/* Queue a moderation event signed by `by`, naming `actor` (normally the same). */
static uint64_t
moderate(struct user *u, const struct ident *by, const uint8_t *actor, int action,
    const uint8_t gid[16], const uint8_t *target, uint64_t arg, const char *reason,
    msgpack_sbuffer *keep)
{
	struct mod_event ev;
	struct wire_rec r;
	uint8_t body[MOD_EVENT_MAX], sig[64];
	size_t len;

	memset(&ev, 0, sizeof ev);
	if (gid != NULL)
		memcpy(ev.group, gid, 16);
	ev.action = action;
	memcpy(ev.actor, actor, 32);
	if (target != NULL)
		memcpy(ev.target, target, 32);
	ev.arg = arg;
	snprintf(ev.reason, sizeof ev.reason, "%s", reason);
	ev.ts_ms = node_now_ms();
	randombytes_buf(ev.id, sizeof ev.id);
	if ((len = mod_event_encode(&ev, body, sizeof body)) == 0) {
		fprintf(stderr, "cannot encode a %s event\n", mod_action_names[action]);
		exit(1);
	}
	mod_event_sign(by, body, len, sig);
	wire_rec_init(&r, &wire_kinds[WK_MODERATE]);
	wire_set_bin(&r, WF_EV, body, len);
	wire_set_bin(&r, WF_SIG, sig, 64);
	if (keep != NULL && wire_encode(WK_MODERATE, 9999, &r, keep) != WE_OK)
		exit(1);
	return request(u->sid, WK_MODERATE, &r, NULL);
}

/* The outbox payload of case id, copied into sb; 0 if found. */
struct outbox_find {
	const uint8_t	*id;
	msgpack_sbuffer	*sb;
	int		 found;
};

static int
outbox_find_cb(const struct outbox_rec *o, void *arg)
{
	struct outbox_find *f = arg;

	if (memcmp(o->id, f->id, 16) != 0)
		return 0;
	msgpack_sbuffer_write(f->sb, (const char *)o->payload, o->payloadlen);
	f->found = 1;
	return 1;
}

static int
outbox_payload(const uint8_t id[16], msgpack_sbuffer *sb)
{
	struct outbox_find f = { id, sb, 0 };
	MDB_txn *txn;
	int rc;

	if (store_begin(st, 0, &txn) != 0)
		return -1;
	rc = store_outbox_iter(st, txn, outbox_find_cb, &f);
	store_abort(txn);
	return rc < 0 || !f.found ? -1 : 0;
}

/*
 * An escalated case as the parent receives it, [meta, sig, body, [[reader, seal]...]]:
 * the seal for `reader` must open with `who` and the body must be `pt`. 0 if it does.
 */
static int
outbox_opens(const msgpack_sbuffer *sb, const uint8_t reader[32], const struct ident *who,
    const uint8_t *pt, size_t ptlen)
{
	msgpack_unpacked u;
	msgpack_object *a, *meta, *body;
	uint8_t key[32], out[64];
	uint32_t i;
	int rc = -1;

	msgpack_unpacked_init(&u);
	if (msgpack_unpack_next(&u, sb->data, sb->size, NULL) != MSGPACK_UNPACK_SUCCESS ||
	    u.data.type != MSGPACK_OBJECT_ARRAY || u.data.via.array.size != 4)
		goto out;
	a = u.data.via.array.ptr;
	meta = &a[0];
	body = &a[2];
	if (meta->type != MSGPACK_OBJECT_BIN || body->type != MSGPACK_OBJECT_BIN ||
	    a[3].type != MSGPACK_OBJECT_ARRAY || body->via.bin.size != 24 + ptlen + 16)
		goto out;
	for (i = 0; i < a[3].via.array.size; i++) {
		msgpack_object *r = &a[3].via.array.ptr[i];

		if (r->type != MSGPACK_OBJECT_ARRAY || r->via.array.size != 2 ||
		    r->via.array.ptr[0].via.bin.size != 32 ||
		    r->via.array.ptr[1].via.bin.size != REPORT_SEAL_BYTES ||
		    memcmp(r->via.array.ptr[0].via.bin.ptr, reader, 32) != 0)
			continue;
		if (report_open_key(who, (const uint8_t *)r->via.array.ptr[1].via.bin.ptr,
		    key) != 0)
			goto out;
		if (report_open_body(key, (const uint8_t *)meta->via.bin.ptr, meta->via.bin.size,
		    (const uint8_t *)body->via.bin.ptr, body->via.bin.size, out) == 0 &&
		    memcmp(out, pt, ptlen) == 0)
			rc = 0;
		break;
	}
out:
	sodium_memzero(key, sizeof key);
	msgpack_unpacked_destroy(&u);
	return rc;
}

/*
 * The default group size limit (NODE_DEFAULT_MAX_GROUP, what yishi-node run uses
 * without --max-group): the founder and 499 joiners fit, the next joiner is refused
 * with group_full. A core of its own, on a store of its own, with the defaults.
 */
static void
test_default_max_group(void)
{
	char dir[] = "/tmp/yishi-test-core-max-XXXXXX", err[256], cmd[300];
	struct node_meta m;
	static struct user joiners[NODE_DEFAULT_MAX_GROUP];
	static uint64_t rids[NODE_DEFAULT_MAX_GROUP];
	struct user admin, officer;
	struct wire_rec r, k;
	struct got *g;
	MDB_txn *txn;
	uint8_t gid[16], salt[16], token[16], box[YISHI_KEYBOX_BYTES];
	uint64_t rid;
	int i, code, joined = 0;

	CHECK(NODE_DEFAULT_MAX_GROUP == 500);	/* the documented default */
	if (mkdtemp(dir) == NULL || store_open(&st, dir, STORE_CREATE, err, sizeof err) != 0) {
		fprintf(stderr, "default max group: cannot create a store: %s\n", err);
		check_fail++;
		return;
	}
	memset(&m, 0, sizeof m);
	memcpy(m.sk, ni.id.sk, 64);
	snprintf(m.name, sizeof m.name, "Test Station");
	snprintf(m.area, sizeof m.area, "330281");
	user_enroll_hash("CODE-1234", m.enroll_hash);
	CHECK(store_begin(st, 1, &txn) == 0 && store_meta_put(st, txn, &m) == 0 &&
	    store_commit(txn) == 0);
	node_conf_defaults(&conf);	/* exactly what yishi-node run starts with */
	base = event_base_new();
	queue_init(&qin);
	queue_init(&qout);
	CHECK(core_init(&core, base, st, &conf, &ni, &qin, &qout) == 0);
	core.wake_edge = count_wake;
	next_slot = 0;

	CHECK(ident_new(&admin.id) == 0 && ident_new(&officer.id) == 0);
	admin.sid = session_open();
	officer.sid = session_open();
	do_register(&admin, "Admin", "CODE-1234");
	do_register(&officer, "Officer", NULL);
	turn();
	drain(admin.sid);
	drain(officer.sid);
	wire_rec_init(&k, &wire_kinds[WK_ROLE_GRANT]);
	wire_set_bin(&k, WF_USER, officer.id.pk, 32);
	wire_set_str(&k, WF_ROLE, "police");
	rid = request(admin.sid, WK_ROLE_GRANT, &k, NULL);
	turn();
	CHECK(reply_code(admin.sid, rid) == 0);

	randombytes_buf(salt, sizeof salt);
	group_id_derive(officer.id.pk, salt, gid);
	CHECK(keybox_seal(&officer.id, officer.id.pk, gid, 1, (uint8_t[32]){ 7 }, box) == 0);
	group_create_rec(&r, gid, salt, "Big community", box);
	rid = request(officer.sid, WK_GROUP_CREATE, &r, NULL);
	turn();
	CHECK(reply_code(officer.sid, rid) == 0);
	(void)invite_token(&officer, gid, token);

	/*
	 * The founder is member 1: 499 joiners make 500, the 500th joiner is one too
	 * many. Fifty register and join per core turn (one commit), in order.
	 */
	wire_rec_init(&r, &wire_kinds[WK_JOIN]);
	wire_set_bin(&r, WF_TOKEN, token, 16);
	for (i = 0; i < NODE_DEFAULT_MAX_GROUP; i++) {
		char name[32];

		CHECK(ident_new(&joiners[i].id) == 0);
		joiners[i].sid = session_open();
		snprintf(name, sizeof name, "Resident %d", i + 1);
		do_register(&joiners[i], name, NULL);
		rids[i] = request(joiners[i].sid, WK_JOIN, &r, NULL);
		if (i % 50 == 49 || i == NODE_DEFAULT_MAX_GROUP - 1)
			turn();
	}
	for (i = 0; i < NODE_DEFAULT_MAX_GROUP; i++) {
		code = reply_code(joiners[i].sid, rids[i]);
		if (i < NODE_DEFAULT_MAX_GROUP - 1)
			joined += code == 0;
		else
			CHECK(code == WE_GROUP_FULL);
		drain(joiners[i].sid);
		queue_push(&qin, queue_item_new(QI_CLOSE, joiners[i].sid));
		ident_wipe(&joiners[i].id);
	}
	CHECK(joined == NODE_DEFAULT_MAX_GROUP - 1);
	turn();
	while (got_head != NULL) {
		g = got_head;
		got_head = g->next;
		got_free(g);
	}
	core_free(&core);
	queue_destroy(&qin);
	queue_destroy(&qout);
	event_base_free(base);
	store_close(st);
	ident_wipe(&admin.id);
	ident_wipe(&officer.id);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	CHECK(system(cmd) == 0);
}

int
main(void)
{
	char dir[] = "/tmp/yishi-test-core-XXXXXX", err[256], cmd[300];
	struct node_meta m;
	struct user admin, officer, res1, res2, outsider;
	struct got *g;
	struct wire_rec r, k;
	MDB_txn *txn;
	uint8_t gid[16], token[16], id1[16] = { 9 }, id2[16] = { 10 }, box[YISHI_KEYBOX_BYTES];
	uint8_t salt[16];
	uint64_t rid, seq1;
	int i;

	log_init("test_core", 0);
	if (crypto_init() != 0 || mkdtemp(dir) == NULL)
		return 1;
	if (store_open(&st, dir, STORE_CREATE, err, sizeof err) != 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	memset(&ni, 0, sizeof ni);
	if (ident_new(&ni.id) != 0)
		return 1;
	snprintf(ni.name, sizeof ni.name, "Test Station");
	snprintf(ni.area, sizeof ni.area, "330281");
	memset(&m, 0, sizeof m);
	memcpy(m.sk, ni.id.sk, 64);
	snprintf(m.name, sizeof m.name, "Test Station");
	snprintf(m.area, sizeof m.area, "330281");
	user_enroll_hash("CODE-1234", m.enroll_hash);
	if (store_begin(st, 1, &txn) != 0 || store_meta_put(st, txn, &m) != 0 ||
	    store_commit(txn) != 0)
		return 1;

	conf.max_group = 3;
	conf.newcomer_slow = 0;
	conf.deadline_s[RK_FRAUD][1] = 1;	/* urgent fraud: claim within a second */
	conf.deadline_s[RK_FRAUD][0] = 3600;
	conf.deadline_s[RK_DISPUTE][0] = 3600;
	conf.deadline_s[RK_NONPOLICE][0] = 3600;
	snprintf(conf.parent, sizeof conf.parent, "bureau");
	if (ident_new(&bureau) != 0)
		return 1;
	memcpy(conf.escalate_to[0], bureau.pk, 32);	/* the parent level's reader */
	conf.nescalate = 1;
	snprintf(conf.depts[0], sizeof conf.depts[0], "12345");
	conf.ndepts = 1;
	conf.rate_per_min = 60;
	conf.rate_burst = 5;
	conf.group_rate_per_min = 60;
	conf.group_rate_burst = 1000;
	conf.max_sessions = 64;
	base = event_base_new();
	queue_init(&qin);
	queue_init(&qout);
	if (core_init(&core, base, st, &conf, &ni, &qin, &qout) != 0)
		return 1;
	core.wake_edge = count_wake;

	struct user *all[] = { &admin, &officer, &res1, &res2, &outsider };
	for (i = 0; i < 5; i++) {
		if (ident_new(&all[i]->id) != 0)
			return 1;
		all[i]->sid = session_open();
	}

	/* Nothing but register/login before logging in. */
	rid = simple(&res1, WK_GROUP_LIST, NULL);
	turn();
	EXPECT_ERROR(res1.sid, rid, WE_AUTH_REQUIRED);
	CHECK(wakes == 1);

	/* The enrollment code makes the admin, once. */
	rid = do_register(&admin, "Admin", "CODE-1234");
	turn();
	g = EXPECT(admin.sid, WK_WELCOME, rid);
	if (g != NULL) {
		struct role_cert rc;
		char role[17];

		wire_str(&g->f.r, WF_ROLE, role, sizeof role);
		CHECK(strcmp(role, "admin") == 0);
		CHECK(cert_role_verify(ni.id.pk, g->f.r.f[WF_CERT].p, g->f.r.f[WF_CERT].len,
		    &rc) == 0 && strcmp(rc.role, "admin") == 0);
	}
	got_free(g);
	rid = do_register(&officer, "Officer", "CODE-1234");
	turn();
	EXPECT_ERROR(officer.sid, rid, WE_BAD_CODE);
	rid = do_register(&officer, "Officer", NULL);
	do_register(&res1, "Resident One", NULL);
	do_register(&res2, "Resident Two", NULL);
	do_register(&outsider, "Outsider", NULL);
	turn();
	got_free(EXPECT(officer.sid, WK_WELCOME, rid));
	got_free(pop(res1.sid));
	got_free(pop(res2.sid));
	got_free(pop(outsider.sid));
	rid = do_register(&res1, "Again", NULL);
	turn();
	EXPECT_ERROR(res1.sid, rid, WE_INVALID);	/* already logged in */

	/* Only police and admins found groups; only admins grant roles. */
	randombytes_buf(salt, sizeof salt);
	group_id_derive(officer.id.pk, salt, gid);
	if (keybox_seal(&officer.id, officer.id.pk, gid, 1, (uint8_t[32]){ 7 }, box) != 0)
		return 1;
	group_create_rec(&r, gid, salt, "Community", box);
	rid = request(officer.sid, WK_GROUP_CREATE, &r, NULL);
	turn();
	EXPECT_ERROR(officer.sid, rid, WE_FORBIDDEN);
	wire_rec_init(&k, &wire_kinds[WK_ROLE_GRANT]);
	wire_set_bin(&k, WF_USER, officer.id.pk, 32);
	wire_set_str(&k, WF_ROLE, "police");
	rid = request(res1.sid, WK_ROLE_GRANT, &k, NULL);
	turn();
	EXPECT_ERROR(res1.sid, rid, WE_FORBIDDEN);
	rid = request(admin.sid, WK_ROLE_GRANT, &k, NULL);
	turn();
	got_free(EXPECT(admin.sid, WK_OK, rid));
	wire_set_bin(&r, WF_SALT, box, 16);	/* any other salt: not this founder's id */
	rid = request(officer.sid, WK_GROUP_CREATE, &r, NULL);
	turn();
	EXPECT_ERROR(officer.sid, rid, WE_BAD_VALUE);
	wire_set_bin(&r, WF_SALT, salt, 16);
	rid = request(officer.sid, WK_GROUP_CREATE, &r, NULL);
	turn();
	got_free(EXPECT(officer.sid, WK_JOINED, rid));
	rid = request(officer.sid, WK_GROUP_CREATE, &r, NULL);
	turn();
	EXPECT_ERROR(officer.sid, rid, WE_EXISTS);

	/* Invite and join; the group's limit is 3 members. */
	if (invite_token(&officer, gid, token) != 0)
		return check_done("core");
	simple(&officer, WK_SUBSCRIBE, gid);
	turn();
	got_free(pop(officer.sid));
	wire_rec_init(&r, &wire_kinds[WK_JOIN]);
	wire_set_bin(&r, WF_TOKEN, token, 16);
	rid = request(res1.sid, WK_JOIN, &r, NULL);
	turn();
	got_free(EXPECT(res1.sid, WK_JOINED, rid));
	/* The subscribed officer hears that the newcomer needs the key. */
	g = EXPECT(officer.sid, WK_NEEDS, 0);
	CHECK(g != NULL && g->f.r.f[WF_NEEDS].len == 1);
	got_free(g);
	rid = request(res1.sid, WK_JOIN, &r, NULL);
	turn();
	EXPECT_ERROR(res1.sid, rid, WE_EXISTS);
	rid = request(res2.sid, WK_JOIN, &r, NULL);
	turn();
	got_free(EXPECT(res2.sid, WK_JOINED, rid));
	got_free(pop(officer.sid));
	rid = request(outsider.sid, WK_JOIN, &r, NULL);
	turn();
	EXPECT_ERROR(outsider.sid, rid, WE_GROUP_FULL);

	/* keys_needed lists both residents; keys_put relays and notifies. */
	rid = simple(&officer, WK_KEYS_NEEDED, NULL);
	turn();
	g = EXPECT(officer.sid, WK_NEEDS, rid);
	CHECK(g != NULL && g->f.r.f[WF_NEEDS].len == 2);
	got_free(g);
	rid = simple(&res1, WK_KEYS_NEEDED, NULL);	/* holds no key: nothing to do */
	turn();
	g = EXPECT(res1.sid, WK_NEEDS, rid);
	CHECK(g != NULL && g->f.r.f[WF_NEEDS].len == 0);
	got_free(g);
	simple(&res1, WK_SUBSCRIBE, NULL);
	turn();
	got_free(pop(res1.sid));
	{
		struct wire_rec e;

		wire_rec_init(&e, &wire_records[WR_KEY]);
		wire_set_bin(&e, WF_TO, res1.id.pk, 32);
		wire_set_bin(&e, WF_BOX, box, sizeof box);
		wire_rec_init(&r, &wire_kinds[WK_KEYS_PUT]);
		wire_set_bin(&r, WF_GROUP, gid, 16);
		wire_set_uint(&r, WF_EPOCH, 2);
		wire_set_array(&r, WF_KEYS, &e, 1);
		rid = request(officer.sid, WK_KEYS_PUT, &r, NULL);
		turn();
		EXPECT_ERROR(officer.sid, rid, WE_STALE_EPOCH);
		wire_set_uint(&r, WF_EPOCH, 1);
		rid = request(officer.sid, WK_KEYS_PUT, &r, NULL);
		turn();
		got_free(EXPECT(officer.sid, WK_OK, rid));
		got_free(EXPECT(res1.sid, WK_EV_KEY, 0));
		wire_set_bin(&e, WF_TO, outsider.id.pk, 32);
		rid = request(officer.sid, WK_KEYS_PUT, &r, NULL);
		turn();
		EXPECT_ERROR(officer.sid, rid, WE_NOT_MEMBER);
	}
	rid = simple(&res1, WK_KEYS_GET, gid);
	turn();
	g = EXPECT(res1.sid, WK_KEYS, rid);
	CHECK(g != NULL && g->f.r.f[WF_KEYS].len == 1);
	got_free(g);

	/* Messages: sequence, de-dup, fan-out to members only, checks. */
	rid = send_msg(&res1, gid, 1, id1, NULL);
	turn();
	g = EXPECT(res1.sid, WK_ACK, rid);
	seq1 = g != NULL ? g->f.r.f[WF_SEQ].u : 0;
	CHECK_EQ(seq1, 1);
	got_free(g);
	got_free(EXPECT(officer.sid, WK_EV_MSG, 0));
	got_free(EXPECT(res1.sid, WK_EV_MSG, 0));	/* subscribed to all its groups */
	CHECK(pop(outsider.sid) == NULL);
	CHECK(pop(res2.sid) == NULL);			/* member, but not subscribed */
	rid = send_msg(&res1, gid, 1, id1, NULL);	/* resend: same seq, no event */
	turn();
	g = EXPECT(res1.sid, WK_ACK, rid);
	CHECK(g != NULL && g->f.r.f[WF_SEQ].u == seq1);
	got_free(g);
	CHECK(pop(officer.sid) == NULL);
	rid = send_msg(&res2, gid, 1, id2, NULL);
	turn();
	g = EXPECT(res2.sid, WK_ACK, rid);
	CHECK(g != NULL && g->f.r.f[WF_SEQ].u == 2);
	got_free(g);
	got_free(pop(officer.sid));
	got_free(pop(res1.sid));
	rid = send_msg(&res2, gid, 2, (uint8_t[16]){ 11 }, NULL);
	turn();
	EXPECT_ERROR(res2.sid, rid, WE_STALE_EPOCH);
	rid = send_msg(&res2, gid, 1, (uint8_t[16]){ 12 }, res1.id.pk);
	turn();
	EXPECT_ERROR(res2.sid, rid, WE_FORBIDDEN);
	rid = send_msg(&outsider, gid, 1, (uint8_t[16]){ 13 }, NULL);
	turn();
	EXPECT_ERROR(outsider.sid, rid, WE_NOT_MEMBER);
	rid = simple(&outsider, WK_HISTORY, gid);
	turn();
	EXPECT_ERROR(outsider.sid, rid, WE_NOT_MEMBER);

	/* History: everything after `since`, in order. */
	wire_rec_init(&r, &wire_kinds[WK_HISTORY]);
	wire_set_bin(&r, WF_GROUP, gid, 16);
	wire_set_uint(&r, WF_SINCE, 1);
	rid = request(res2.sid, WK_HISTORY, &r, NULL);
	turn();
	g = EXPECT(res2.sid, WK_MSGS, rid);
	if (g != NULL && g->f.r.f[WF_MSGS].len == 1) {
		struct wire_rec e;

		CHECK(wire_array_get(&g->f.r.f[WF_MSGS], 0, &wire_records[WR_MSG], &e) == WE_OK);
		CHECK_EQ(e.f[WF_SEQ].u, 2);
		CHECK(e.f[WF_SENDER_NAME].len == strlen("Resident Two"));
	} else
		CHECK(!"history since 1 returns one message");
	got_free(g);

	/* A session subscribed to one group hears nothing of a group joined later. */
	{
		uint8_t gid2[16];

		rid = simple(&res2, WK_SUBSCRIBE, gid);
		turn();
		got_free(EXPECT(res2.sid, WK_OK, rid));
		randombytes_buf(salt, sizeof salt);
		group_id_derive(officer.id.pk, salt, gid2);
		group_create_rec(&r, gid2, salt, "Second", box);
		rid = request(officer.sid, WK_GROUP_CREATE, &r, NULL);
		turn();
		got_free(EXPECT(officer.sid, WK_JOINED, rid));
		(void)invite_token(&officer, gid2, token);
		wire_rec_init(&r, &wire_kinds[WK_JOIN]);
		wire_set_bin(&r, WF_TOKEN, token, 16);
		rid = request(res2.sid, WK_JOIN, &r, NULL);
		turn();
		got_free(EXPECT(res2.sid, WK_JOINED, rid));
		rid = send_msg(&officer, gid2, 1, (uint8_t[16]){ 50 }, NULL);
		turn();
		got_free(EXPECT(officer.sid, WK_ACK, rid));
		CHECK(pop(res2.sid) == NULL);
	}

	/* Rate: a burst of 5, then refused with a retry hint. res2 has sent 1 of 5. */
	for (i = 0; i < 4; i++)
		send_msg(&res2, gid, 1, (uint8_t[16]){ 20, (uint8_t)i }, NULL);
	rid = send_msg(&res2, gid, 1, (uint8_t[16]){ 30 }, NULL);
	turn();
	{
		int acks = 0, events = 0, limited = 0;

		/* res2 is subscribed to the group, so it also hears its own messages. */
		while ((g = pop(res2.sid)) != NULL) {
			acks += g->f.kind == WK_ACK;
			events += g->f.kind == WK_EV_MSG;
			limited += g->f.kind == WK_ERROR && g->f.rid == rid &&
			    g->f.r.f[WF_CODE].u == WE_RATE_LIMITED;
			got_free(g);
		}
		CHECK_EQ(acks, 4);
		CHECK_EQ(events, 4);
		CHECK_EQ(limited, 1);
	}
	for (i = 0; (g = pop(officer.sid)) != NULL; i++) {
		CHECK(g->f.kind == WK_EV_MSG);
		got_free(g);
	}
	CHECK_EQ(i, 4);		/* one event per accepted message, none for the refused */

	/* Moderation: authority, effects, replay, key rotation, the audit log. */
	{
		msgpack_sbuffer keep;
		struct wire_frame again;
		struct qitem *q;
		struct got *gg;
		struct wire_rec e;
		struct mod_event ev;
		uint64_t first_seq = 0;
		static const int order[] = { MA_MUTE, MA_UNMUTE, MA_ANNOUNCE_ONLY, MA_ANNOUNCE_ONLY,
		    MA_REDACT, MA_KICK };

		drain(officer.sid);
		drain(res1.sid);
		drain(res2.sid);
		rid = moderate(&res1, &res1.id, res1.id.pk, MA_KICK, gid, res2.id.pk, 0, "", NULL);
		turn();
		CHECK_EQ(reply_code(res1.sid, rid), WE_FORBIDDEN);	/* a resident */
		rid = moderate(&res1, &res1.id, officer.id.pk, MA_KICK, gid, res2.id.pk, 0, "", NULL);
		turn();
		CHECK_EQ(reply_code(res1.sid, rid), WE_FORBIDDEN);	/* another's name */
		rid = moderate(&officer, &officer.id, officer.id.pk, MA_PROMOTE, gid, officer.id.pk, 0,
		    "", NULL);
		turn();
		CHECK_EQ(reply_code(officer.sid, rid), WE_INVALID);	/* oneself */

		rid = moderate(&officer, &officer.id, officer.id.pk, MA_MUTE, gid, res1.id.pk, 60,
		    "calm down", NULL);
		turn();
		gg = reply(officer.sid, rid);
		CHECK(gg != NULL && gg->f.kind == WK_OK && gg->f.r.f[WF_SEQ].u == 1);
		got_free(gg);
		rid = send_msg(&res1, gid, 1, (uint8_t[16]){ 60 }, NULL);
		turn();
		CHECK_EQ(reply_code(res1.sid, rid), WE_MUTED);
		moderate(&officer, &officer.id, officer.id.pk, MA_UNMUTE, gid, res1.id.pk, 0, "",
		    NULL);
		turn();
		rid = send_msg(&res1, gid, 1, (uint8_t[16]){ 61 }, NULL);
		turn();
		CHECK_EQ(reply_code(res1.sid, rid), 0);

		msgpack_sbuffer_init(&keep);
		moderate(&officer, &officer.id, officer.id.pk, MA_ANNOUNCE_ONLY, gid, NULL, 1, "",
		    &keep);
		turn();
		rid = send_msg(&res1, gid, 1, (uint8_t[16]){ 62 }, NULL);
		turn();
		CHECK_EQ(reply_code(res1.sid, rid), WE_FORBIDDEN);
		/* The same signed event again is a replay. */
		q = queue_item_new(QI_FRAME, officer.sid);
		q->frame = calloc(1, sizeof *q->frame);
		CHECK(wire_decode(keep.data, keep.size, WIRE_DIR_C2N, q->frame) == WE_OK);
		queue_push(&qin, q);
		turn();
		CHECK_EQ(reply_code(officer.sid, 9999), WE_EXISTS);
		msgpack_sbuffer_destroy(&keep);
		(void)again;
		moderate(&officer, &officer.id, officer.id.pk, MA_ANNOUNCE_ONLY, gid, NULL, 0, "",
		    NULL);
		turn();

		/* Redact message 1: gone from history, a tombstone in its place. */
		rid = moderate(&officer, &officer.id, officer.id.pk, MA_REDACT, gid, NULL, 1,
		    "诈骗链接", NULL);
		turn();
		CHECK_EQ(reply_code(officer.sid, rid), 0);
		rid = simple(&res2, WK_HISTORY, gid);
		turn();
		gg = reply(res2.sid, rid);
		CHECK(gg != NULL && gg->f.kind == WK_MSGS &&
		    wire_array_get(&gg->f.r.f[WF_MSGS], 0, &wire_records[WR_MSG], &e) == WE_OK &&
		    e.f[WF_SEQ].u == 1 && !wire_has(&e, WF_CT) && wire_has(&e, WF_FROM) &&
		    memcmp(e.f[WF_FROM].p, officer.id.pk, 32) == 0 &&
		    e.f[WF_REASON].len == strlen("诈骗链接"));
		got_free(gg);

		/* Kick res2: a new epoch that only the kicker may seed. */
		rid = moderate(&officer, &officer.id, officer.id.pk, MA_KICK, gid, res2.id.pk, 0,
		    "spam", NULL);
		turn();
		gg = reply(officer.sid, rid);
		CHECK(gg != NULL && gg->f.kind == WK_OK && gg->f.r.f[WF_EPOCH].u == 2);
		got_free(gg);
		gg = pop(res2.sid);		/* the kicked member hears why, then nothing */
		CHECK(gg != NULL && gg->f.kind == WK_EV_MOD);
		got_free(gg);
		rid = simple(&res2, WK_HISTORY, gid);
		turn();
		CHECK_EQ(reply_code(res2.sid, rid), WE_NOT_MEMBER);
		{
			struct wire_rec k2[2];

			wire_rec_init(&k2[0], &wire_records[WR_KEY]);
			wire_set_bin(&k2[0], WF_TO, res1.id.pk, 32);
			wire_set_bin(&k2[0], WF_BOX, box, sizeof box);
			wire_rec_init(&k2[1], &wire_records[WR_KEY]);
			wire_set_bin(&k2[1], WF_TO, officer.id.pk, 32);
			wire_set_bin(&k2[1], WF_BOX, box, sizeof box);
			wire_rec_init(&r, &wire_kinds[WK_KEYS_PUT]);
			wire_set_bin(&r, WF_GROUP, gid, 16);
			wire_set_uint(&r, WF_EPOCH, 2);
			wire_set_array(&r, WF_KEYS, k2, 2);
			rid = request(res1.sid, WK_KEYS_PUT, &r, NULL);
			turn();
			CHECK_EQ(reply_code(res1.sid, rid), WE_FORBIDDEN);	/* not the rotator */
			rid = simple(&officer, WK_KEYS_NEEDED, gid);
			turn();
			gg = reply(officer.sid, rid);
			CHECK(gg != NULL && gg->f.kind == WK_NEEDS && gg->f.r.f[WF_NEEDS].len == 2);
			got_free(gg);
			rid = request(officer.sid, WK_KEYS_PUT, &r, NULL);
			turn();
			CHECK_EQ(reply_code(officer.sid, rid), 0);
		}
		rid = send_msg(&res1, gid, 1, (uint8_t[16]){ 63 }, NULL);
		turn();
		CHECK_EQ(reply_code(res1.sid, rid), WE_STALE_EPOCH);

		/* The log: for moderators, every action in order. */
		rid = simple(&res1, WK_MOD_LOG, gid);
		turn();
		CHECK_EQ(reply_code(res1.sid, rid), WE_FORBIDDEN);
		rid = simple(&officer, WK_MOD_LOG, gid);
		turn();
		gg = reply(officer.sid, rid);
		CHECK(gg != NULL && gg->f.kind == WK_MODLOG &&
		    gg->f.r.f[WF_EVENTS].len == sizeof order / sizeof order[0]);
		for (i = 0; gg != NULL && i < (int)gg->f.r.f[WF_EVENTS].len; i++) {
			CHECK(wire_array_get(&gg->f.r.f[WF_EVENTS], (uint32_t)i,
			    &wire_records[WR_MODEV], &e) == WE_OK);
			CHECK(mod_event_decode(e.f[WF_EV].p, e.f[WF_EV].len, &ev) == 0 &&
			    ev.action == order[i] && e.f[WF_SEQ].u == first_seq + (uint64_t)i + 1);
			CHECK(mod_event_verify(ev.actor, e.f[WF_EV].p, e.f[WF_EV].len,
			    e.f[WF_SIG].p) == 0);
		}
		got_free(gg);
		drain(officer.sid);
		drain(res1.sid);
		drain(res2.sid);
	}

	/* Cases: routing by kind, who may act, feedback, a deadline escalation. */
	{
		uint8_t cid[16], cid2[16], to[2][32];
		struct got *gg;
		struct wire_rec e;
		int n;

		drain(officer.sid);
		drain(res1.sid);
		memcpy(to[0], officer.id.pk, 32);	/* police: the anti-fraud queue */
		memcpy(to[1], res1.id.pk, 32);		/* the reporter itself */
		rid = report(&res1, RK_DISPUTE, 0, cid, to, 2);	/* police do not mediate */
		turn();
		CHECK_EQ(reply_code(res1.sid, rid), WE_INVALID);
		memcpy(to[0], res2.id.pk, 32);
		rid = report(&res1, RK_FRAUD, 0, cid, to, 2);	/* a resident may not read it */
		turn();
		CHECK_EQ(reply_code(res1.sid, rid), WE_INVALID);
		memcpy(to[0], officer.id.pk, 32);
		rid = report(&res1, RK_FRAUD, 0, cid, to, 2);
		turn();
		gg = reply(res1.sid, rid);
		CHECK(gg != NULL && gg->f.kind == WK_REPORTED &&
		    gg->f.r.f[WF_QUEUE].len == strlen("anti-fraud"));
		got_free(gg);
		rid = case_step(&res2, cid, CA_CLAIM, "");
		turn();
		CHECK_EQ(reply_code(res2.sid, rid), WE_FORBIDDEN);	/* not even theirs */
		rid = case_step(&res1, cid, CA_CLAIM, "");
		turn();
		CHECK_EQ(reply_code(res1.sid, rid), WE_FORBIDDEN);	/* the reporter */
		simple(&res1, WK_SUBSCRIBE, NULL);
		turn();
		drain(res1.sid);
		rid = case_step(&officer, cid, CA_CLAIM, "");
		turn();
		CHECK_EQ(reply_code(officer.sid, rid), 0);
		gg = pop(res1.sid);			/* the reporter hears of it */
		CHECK(gg != NULL && gg->f.kind == WK_EV_CASE);
		got_free(gg);
		rid = case_step(&officer, cid, CA_CLAIM, "");
		turn();
		CHECK_EQ(reply_code(officer.sid, rid), WE_INVALID);	/* already claimed */
		rid = case_step(&officer, cid, CA_RESOLVE, "stopped-payment");
		turn();
		CHECK_EQ(reply_code(officer.sid, rid), 0);
		rid = case_step(&officer, cid, CA_REJECT, "");
		turn();
		CHECK_EQ(reply_code(officer.sid, rid), WE_INVALID);	/* final */

		/* An urgent fraud report nobody claims: escalated by the node after 1 s. */
		rid = report(&res1, RK_FRAUD, 1, cid2, to, 2);
		turn();
		CHECK_EQ(reply_code(res1.sid, rid), 0);
		drain(res1.sid);
		sleep(2);
		CHECK(case_deadlines_run(&core) == 0);
		turn();
		gg = pop(res1.sid);
		CHECK(gg != NULL && gg->f.kind == WK_EV_CASE);
		got_free(gg);
		{
			struct wire_rec cr;

			wire_rec_init(&cr, &wire_kinds[WK_CASE_GET]);
			wire_set_bin(&cr, WF_CASE, cid2, 16);
			rid = request(officer.sid, WK_CASE_GET, &cr, NULL);
			turn();
			gg = reply(officer.sid, rid);
			CHECK(gg != NULL && gg->f.kind == WK_CASE &&
			    gg->f.r.f[WF_STATE].len == strlen("escalated") &&
			    memcmp(gg->f.r.f[WF_STATE].p, "escalated", 9) == 0 &&
			    gg->f.r.f[WF_LOG].len == 1 &&
			    wire_array_get(&gg->f.r.f[WF_LOG], 0, &wire_records[WR_CASEENT], &e) ==
			    WE_OK);
			if (gg != NULL && gg->f.kind == WK_CASE) {
				struct case_entry ce;

				CHECK(case_entry_decode(e.f[WF_ENTRY].p, e.f[WF_ENTRY].len, &ce) == 0 &&
				    ce.action == CA_ESCALATE &&
				    memcmp(ce.actor, ni.id.pk, 32) == 0 &&
				    case_entry_verify(ni.id.pk, e.f[WF_ENTRY].p, e.f[WF_ENTRY].len,
				    e.f[WF_SIG].p) == 0);
			}
			got_free(gg);
			/* A resident who neither reported nor handles it cannot read it. */
			rid = request(res2.sid, WK_CASE_GET, &cr, NULL);
			turn();
			CHECK_EQ(reply_code(res2.sid, rid), WE_FORBIDDEN);
		}

		/*
		 * The escalation chain: a case sealed to the bureau's reader too reaches the
		 * parent in the outbox with that seal, which the bureau's key opens and a key
		 * outside the chain does not. The deadline-escalated case was sealed to no
		 * parent reader: its payload carries no seal the bureau could use.
		 */
		{
			uint8_t cid3[16], chain[3][32];
			msgpack_sbuffer sb;

			memcpy(chain[0], officer.id.pk, 32);
			memcpy(chain[1], res1.id.pk, 32);
			memcpy(chain[2], bureau.pk, 32);
			rid = report(&res1, RK_FRAUD, 0, cid3, chain, 3);
			turn();
			CHECK_EQ(reply_code(res1.sid, rid), 0);
			rid = case_step(&officer, cid3, CA_ESCALATE, "handler");
			turn();
			CHECK_EQ(reply_code(officer.sid, rid), 0);
			msgpack_sbuffer_init(&sb);
			CHECK(outbox_payload(cid3, &sb) == 0);
			CHECK(outbox_opens(&sb, bureau.pk, &bureau,
			    (const uint8_t *)"\x81\xa4text\xa1x", 8) == 0);
			CHECK(outbox_opens(&sb, bureau.pk, &res2.id,
			    (const uint8_t *)"\x81\xa4text\xa1x", 8) != 0);
			msgpack_sbuffer_destroy(&sb);
			msgpack_sbuffer_init(&sb);
			CHECK(outbox_payload(cid2, &sb) == 0);
			CHECK(outbox_opens(&sb, bureau.pk, &bureau,
			    (const uint8_t *)"\x81\xa4text\xa1x", 8) != 0);
			msgpack_sbuffer_destroy(&sb);
			drain(officer.sid);
			drain(res1.sid);
		}

		/* The figures: three fraud cases this week, one resolved, two escalated. */
		rid = simple(&officer, WK_STATS_GET, NULL);
		turn();
		gg = reply(officer.sid, rid);
		n = 0;
		for (i = 0; gg != NULL && i < (int)gg->f.r.f[WF_ROWS].len; i++) {
			CHECK(wire_array_get(&gg->f.r.f[WF_ROWS], (uint32_t)i, &wire_records[WR_STAT],
			    &e) == WE_OK);
			n += (int)e.f[WF_COUNT].u;
		}
		CHECK_EQ(n, 3);
		CHECK(gg != NULL && gg->f.r.f[WF_ROWS].len == 2);
		got_free(gg);
		rid = simple(&res2, WK_STATS_GET, NULL);
		turn();
		CHECK_EQ(reply_code(res2.sid, rid), WE_FORBIDDEN);
		drain(officer.sid);
		drain(res1.sid);
		drain(res2.sid);
	}

	/* A group's own budget: spent, every member is refused, whatever their own. */
	{
		uint8_t gk[32] = { 0 };

		CHECK(core_rate_take(&core, gk, 60, 2) == 0);
		CHECK(core_rate_take(&core, gk, 60, 2) == 0);
		CHECK(core_rate_take(&core, gk, 60, 2) > 0);	/* the third within a second */
	}

	/* A closed session receives nothing more; its slot's next owner starts afresh. */
	queue_push(&qin, queue_item_new(QI_CLOSE, officer.sid));
	send_msg(&res1, gid, 1, (uint8_t[16]){ 40 }, NULL);
	turn();
	CHECK(pop(officer.sid) == NULL);

	/* Everything acknowledged is in the store after close and reopen. */
	while (got_head != NULL) {
		g = got_head;
		got_head = g->next;
		got_free(g);
	}
	core_free(&core);
	queue_destroy(&qin);
	queue_destroy(&qout);
	event_base_free(base);
	store_close(st);
	if (store_open(&st, dir, 0, err, sizeof err) != 0)
		return 1;
	{
		uint64_t n = 0;

		CHECK(store_begin(st, 0, &txn) == 0);
		/*
		 * 8 accepted (the last send, at the old epoch after the kick, was not),
		 * 1 redacted: its ciphertext is gone, a tombstone stays.
		 */
		CHECK(store_count(st, txn, "msgs", &n) == 0 && n == 7);
		CHECK(store_count(st, txn, "tombs", &n) == 0 && n == 1);
		store_abort(txn);
	}
	store_close(st);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		return 1;
	test_default_max_group();
	for (i = 0; i < 5; i++)
		ident_wipe(&all[i]->id);
	ident_wipe(&ni.id);
	ident_wipe(&bureau);
	return check_done("core");
}
