/*
 * test_modlog.c: the client's replay of a group's audit log (client/modlog.c) on
 * crafted logs: a good log verifies; a bad signature, a replayed event, an event
 * out of order and an actor without the authority are each refused with their
 * reason and lend no authority; a station-ban hands ownership on only to an heir
 * the succession rule allows.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "client/modlog.h"
#include "proto/crypto.h"
#include "proto/modev.h"
#include "proto/wire.h"
#include "tests/unit/check.h"
#include "tests/unit/seeded.h"

#define T0	1795494747478ULL

static uint8_t gid[YISHI_GID_BYTES], salt[YISHI_SALT_BYTES];
static struct ident owner, mod, res, admin;

/* One signed event and the log record that carries it. */
struct rec {
	uint8_t		body[MOD_EVENT_MAX];
	uint8_t		sig[YISHI_SIG_BYTES];
	uint8_t		heir[YISHI_PK_BYTES];
	size_t		len;
	struct wire_rec	r;
};


/* Build record seq: action by actor on target (NULL: none), signed by signer. */
static void
mk(struct rec *x, uint64_t seq, int action, const struct ident *actor,
    const struct ident *target, const struct ident *signer, uint8_t idbyte)
{
	struct mod_event ev;

	memset(&ev, 0, sizeof ev);
	if (!mod_action_is_station(action))
		memcpy(ev.group, gid, sizeof ev.group);
	ev.action = action;
	memcpy(ev.actor, actor->pk, YISHI_PK_BYTES);
	if (target != NULL)
		memcpy(ev.target, target->pk, YISHI_PK_BYTES);
	if (action == MA_MUTE)
		ev.arg = 60;
	ev.ts_ms = T0 + seq;
	memset(ev.id, idbyte, sizeof ev.id);
	x->len = mod_event_encode(&ev, x->body, sizeof x->body);
	CHECK(x->len > 0);
	mod_event_sign(signer, x->body, x->len, x->sig);
	wire_rec_init(&x->r, &wire_records[WR_MODEV]);
	wire_set_uint(&x->r, WF_SEQ, seq);
	wire_set_bin(&x->r, WF_EV, x->body, x->len);
	wire_set_bin(&x->r, WF_SIG, x->sig, sizeof x->sig);
	wire_set_uint(&x->r, WF_TS, T0 + seq);
}

static void
with_heir(struct rec *x, const struct ident *heir)
{
	memcpy(x->heir, heir->pk, YISHI_PK_BYTES);
	wire_set_bin(&x->r, WF_USER, x->heir, sizeof x->heir);
}

/* Replay x into l; whether it verified, with why containing want if it did not. */
static int
next(struct modlog *l, const struct rec *x, const char *want)
{
	struct modlog_entry le;

	modlog_next(l, &x->r, &le);
	if (!le.verified && want != NULL && strstr(le.why, want) == NULL) {
		fprintf(stderr, "refused for \"%s\", expected \"%s\"\n", le.why, want);
		check_fail++;
	}
	return le.verified;
}

static void
start(struct modlog *l)
{
	if (modlog_init(l, gid, owner.pk, salt) != 0)
		check_fail++;
	CHECK(l->rooted);
}

int
main(void)
{
	struct modlog l;
	struct rec a, b, c, d;

	if (crypto_init() != 0)
		return 1;
	seeded(&owner, 0x00);
	seeded(&mod, 0x40);
	seeded(&res, 0x80);
	seeded(&admin, 0xc0);
	memset(salt, 0x5a, sizeof salt);
	group_id_derive(owner.pk, salt, gid);

	/* A good log: the owner promotes mod, who mutes res. */
	start(&l);
	mk(&a, 1, MA_PROMOTE, &owner, &mod, &owner, 1);
	mk(&b, 2, MA_MUTE, &mod, &res, &mod, 2);
	CHECK_EQ(next(&l, &a, NULL), 1);
	CHECK_EQ(next(&l, &b, NULL), 1);
	CHECK_EQ(modlog_role_of(&l, mod.pk), MODLOG_MODERATOR);
	modlog_free(&l);

	/* A bad signature: signed by someone other than the actor it names. */
	start(&l);
	mk(&a, 1, MA_PROMOTE, &owner, &mod, &res, 1);
	CHECK_EQ(next(&l, &a, "signature does not verify"), 0);
	CHECK_EQ(modlog_role_of(&l, mod.pk), MODLOG_MEMBER);
	/* ... and it lent mod no authority. */
	mk(&b, 2, MA_MUTE, &mod, &res, &mod, 2);
	CHECK_EQ(next(&l, &b, "not a moderator"), 0);
	modlog_free(&l);

	/* A replayed event: the same signed bytes again at the next position. */
	start(&l);
	mk(&a, 1, MA_MUTE, &owner, &res, &owner, 1);
	CHECK_EQ(next(&l, &a, NULL), 1);
	mk(&b, 2, MA_MUTE, &owner, &res, &owner, 1);
	memcpy(b.body, a.body, a.len);
	memcpy(b.sig, a.sig, sizeof a.sig);
	wire_set_uint(&b.r, WF_TS, T0 + 1);
	CHECK_EQ(next(&l, &b, "replayed"), 0);
	modlog_free(&l);

	/* Out of order: a position skipped, then one seen before. */
	start(&l);
	mk(&a, 1, MA_MUTE, &owner, &res, &owner, 1);
	mk(&b, 3, MA_UNMUTE, &owner, &res, &owner, 3);
	mk(&c, 2, MA_MUTE, &owner, &res, &owner, 2);
	CHECK_EQ(next(&l, &a, NULL), 1);
	CHECK_EQ(next(&l, &b, "out of sequence"), 0);
	CHECK_EQ(next(&l, &c, "out of sequence"), 0);
	modlog_free(&l);

	/* An actor without the authority: a resident, then a moderator on the owner. */
	start(&l);
	mk(&a, 1, MA_KICK, &res, &mod, &res, 1);
	CHECK_EQ(next(&l, &a, "not a moderator"), 0);
	mk(&b, 2, MA_PROMOTE, &owner, &mod, &owner, 2);
	mk(&c, 3, MA_BAN, &mod, &owner, &mod, 3);
	mk(&d, 4, MA_PROMOTE, &mod, &res, &mod, 4);
	CHECK_EQ(next(&l, &b, NULL), 1);
	CHECK_EQ(next(&l, &c, "to the owner"), 0);
	CHECK_EQ(next(&l, &d, "not the owner"), 0);
	CHECK_EQ(modlog_role_of(&l, owner.pk), MODLOG_OWNER);
	modlog_free(&l);

	/* Station-ban of the owner: the heir must be named, and a moderator if one remains. */
	start(&l);
	mk(&a, 1, MA_PROMOTE, &owner, &mod, &owner, 1);
	CHECK_EQ(next(&l, &a, NULL), 1);
	mk(&b, 2, MA_STATION_BAN, &admin, &owner, &admin, 2);
	CHECK_EQ(next(&l, &b, "no heir is named"), 0);
	modlog_free(&l);
	start(&l);
	CHECK_EQ(next(&l, &a, NULL), 1);
	with_heir(&b, &res);
	CHECK_EQ(next(&l, &b, "a moderator remained"), 0);
	CHECK_EQ(modlog_role_of(&l, owner.pk), MODLOG_OWNER);
	modlog_free(&l);
	start(&l);
	CHECK_EQ(next(&l, &a, NULL), 1);
	with_heir(&b, &mod);
	CHECK_EQ(next(&l, &b, NULL), 1);
	CHECK_EQ(modlog_role_of(&l, mod.pk), MODLOG_OWNER);
	CHECK_EQ(modlog_role_of(&l, owner.pk), MODLOG_MEMBER);
	/* The heir's later actions verify; the banned owner's do not. */
	mk(&c, 3, MA_MUTE, &mod, &res, &mod, 3);
	mk(&d, 4, MA_UNMUTE, &owner, &res, &owner, 4);
	CHECK_EQ(next(&l, &c, NULL), 1);
	CHECK_EQ(next(&l, &d, "not a moderator"), 0);
	modlog_free(&l);

	/* A station-ban of a plain member names no heir; one that does is refused. */
	start(&l);
	mk(&a, 1, MA_STATION_BAN, &admin, &res, &admin, 1);
	with_heir(&a, &mod);
	CHECK_EQ(next(&l, &a, "was not the owner"), 0);
	modlog_free(&l);
	start(&l);
	mk(&a, 1, MA_STATION_BAN, &admin, &res, &admin, 1);
	CHECK_EQ(next(&l, &a, NULL), 1);
	modlog_free(&l);

	return check_done("test_modlog");
}
