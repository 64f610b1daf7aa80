/*
 * cmd_mod.c: `yishi mod ...`: moderation.
 *
 * Every action is a signed event (proto/modev.h) the node checks against our role
 * and every member can check against the group's log; the audit log is verified
 * here by replaying it from the founder (client/modlog.h). Removing a member makes
 * us the rotator of the group's next key epoch: we seed it to the members who stay
 * right after the node's ok (keyring_seed), and, should we die first, on our next
 * command (keys_needed names us).
 */
#include "client/cmd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "client/groups.h"
#include "client/keyring.h"
#include "client/modlog.h"
#include "proto/log.h"
#include "proto/modev.h"

#define CMD_MOD_MUTE_MAX	(30ULL * 24 * 3600)	/* a mute lasts at most 30 days */
#define CMD_MOD_SLOW_MAX	86400ULL

/* What follows the group and target on the command line. */
enum cmd_mod_arg {
	CMA_NONE,
	CMA_SEQ,		/* a message seq */
	CMA_DURATION,		/* 30s, 10m, 2h, 1d, or seconds */
	CMA_SECONDS,		/* 0..86400 */
	CMA_ONOFF,		/* on | off */
	CMA_POLICY,		/* moderators | members */
};

struct cmd_mod_spec {
	int		 action;	/* enum mod_action */
	int		 arg;		/* enum cmd_mod_arg */
	const char	*done;		/* plain output: what happened */
};

static const struct cmd_mod_spec cmd_mod_specs[] = {
	{ MA_APPROVE, CMA_NONE, "approved" },
	{ MA_REFUSE, CMA_NONE, "refused" },
	{ MA_MUTE, CMA_DURATION, "muted" },
	{ MA_UNMUTE, CMA_NONE, "unmuted" },
	{ MA_KICK, CMA_NONE, "kicked" },
	{ MA_BAN, CMA_NONE, "banned" },
	{ MA_UNBAN, CMA_NONE, "unbanned" },
	{ MA_REDACT, CMA_SEQ, "redacted" },
	{ MA_PIN, CMA_SEQ, "pinned" },
	{ MA_UNPIN, CMA_NONE, "unpinned" },
	{ MA_SLOW, CMA_SECONDS, "slow mode set" },
	{ MA_ANNOUNCE_ONLY, CMA_ONOFF, "announce-only set" },
	{ MA_INVITE_POLICY, CMA_POLICY, "invite policy set" },
	{ MA_PROMOTE, CMA_NONE, "promoted to moderator" },
	{ MA_DEMOTE, CMA_NONE, "demoted to member" },
	{ MA_TRANSFER, CMA_NONE, "made owner (you are now a moderator)" },
	{ MA_STATION_BAN, CMA_NONE, "banned from the station" },
	{ MA_STATION_UNBAN, CMA_NONE, "unbanned from the station" },
};

#define CMD_MOD_NSPECS	(sizeof cmd_mod_specs / sizeof cmd_mod_specs[0])

static const struct cmd_mod_spec *
cmd_mod_spec(int action)
{
	size_t i;

	for (i = 0; i < CMD_MOD_NSPECS; i++)
		if (cmd_mod_specs[i].action == action)
			return &cmd_mod_specs[i];
	return NULL;
}

static int
cmd_mod_uint(const char *s, uint64_t *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return *end != '\0' || errno != 0 ? -1 : 0;
}

/* "30s", "10m", "2h", "1d" or plain seconds. */
static int
cmd_mod_duration(const char *s, uint64_t *out)
{
	char num[32];
	size_t n = strlen(s);
	uint64_t mul = 1;

	if (n == 0 || n >= sizeof num)
		return -1;
	memcpy(num, s, n + 1);
	switch (num[n - 1]) {
	case 's': mul = 1; num[n - 1] = '\0'; break;
	case 'm': mul = 60; num[n - 1] = '\0'; break;
	case 'h': mul = 3600; num[n - 1] = '\0'; break;
	case 'd': mul = 86400; num[n - 1] = '\0'; break;
	default: break;
	}
	if (cmd_mod_uint(num, out) == -1 || *out == 0 || *out > CMD_MOD_MUTE_MAX / mul)
		return -1;
	*out *= mul;
	return 0;
}

/* Parse the action's argument from s into *arg; -1 with c->err set. */
static int
cmd_mod_parse_arg(struct cmd *c, const struct cmd_mod_spec *sp, const char *s, uint64_t *arg)
{
	switch (sp->arg) {
	case CMA_SEQ:
		if (cmd_mod_uint(s, arg) == -1 || *arg == 0)
			break;
		return 0;
	case CMA_DURATION:
		if (cmd_mod_duration(s, arg) == -1)
			break;
		return 0;
	case CMA_SECONDS:
		if (cmd_mod_uint(s, arg) == -1 || *arg > CMD_MOD_SLOW_MAX)
			break;
		return 0;
	case CMA_ONOFF:
		if (strcmp(s, "on") != 0 && strcmp(s, "off") != 0)
			break;
		*arg = strcmp(s, "on") == 0;
		return 0;
	case CMA_POLICY:
		if (strcmp(s, "moderators") != 0 && strcmp(s, "members") != 0)
			break;
		*arg = strcmp(s, "moderators") == 0;
		return 0;
	default:
		*arg = 0;
		return 0;
	}
	switch (sp->arg) {
	case CMA_SEQ:
		cerr_set(&c->err, CE_INPUT, "%s: not a message number (see `yishi read`)", s);
		break;
	case CMA_DURATION:
		cerr_set(&c->err, CE_INPUT, "%s: a duration is 1 s to 30 days, e.g. 30s, 10m, "
		    "2h, 1d", s);
		break;
	case CMA_SECONDS:
		cerr_set(&c->err, CE_INPUT, "%s: slow mode is 0 (off) to 86400 seconds", s);
		break;
	case CMA_ONOFF:
		cerr_set(&c->err, CE_INPUT, "%s: say on or off", s);
		break;
	default:
		cerr_set(&c->err, CE_INPUT, "%s: say moderators or members", s);
		break;
	}
	return -1;
}

static int
cmd_mod_check_reason(struct cmd *c)
{
	if (c->reason != NULL && strlen(c->reason) > MOD_REASON_MAX) {
		cerr_set(&c->err, CE_INPUT, "the reason is %zu bytes, at most %d",
		    strlen(c->reason), MOD_REASON_MAX);
		return -1;
	}
	return 0;
}

/*
 * A user named on the command line: 64 hex digits, or the exact name of one of
 * gid's members (gid NULL: hex only).
 */
static int
cmd_mod_user(struct cmd *c, struct session *s, const uint8_t *gid, const char *arg,
    uint8_t user[YISHI_PK_BYTES])
{
	struct groups_members gm;
	size_t i, n = 0;

	if (strlen(arg) == YISHI_PK_BYTES * 2 && hex_decode(user, YISHI_PK_BYTES, arg) == 0)
		return 0;
	if (gid == NULL) {
		cerr_set(&c->err, CE_INPUT, "%s: not a user id (64 hex digits)", arg);
		return -1;
	}
	if (groups_members_fetch(&gm, s, gid, &c->err) == -1)
		return -1;
	for (i = 0; i < gm.n; i++)
		if (strcmp(gm.v[i].name, arg) == 0) {
			memcpy(user, gm.v[i].user, YISHI_PK_BYTES);
			n++;
		}
	groups_members_free(&gm);
	if (n == 1)
		return 0;
	cerr_set(&c->err, CE_INPUT, n == 0 ? "%s: not a user id (64 hex digits) nor the "
	    "name of a member (see `yishi group members`)" : "%s: several members have this "
	    "name: use the user id", arg);
	return -1;
}

/*
 * Resolve garg to a group and log in to its node; garg NULL (station actions and
 * log): the default node, or --node's.
 */
static struct session *
cmd_mod_open(struct cmd *c, struct account *a, const char *garg, struct groups_entry *g)
{
	struct session *s;

	memset(g, 0, sizeof *g);
	if (cmd_account(c, a) == -1)
		return NULL;
	if (garg != NULL)
		s = groups_open(a, garg, g, &c->err);
	else
		s = account_connect(a, NULL, ACCOUNT_LOGIN, NULL, &c->err);
	if (s == NULL) {
		account_wipe(a);
		return NULL;
	}
	return s;
}

/* Build, sign and send one event; on success *seq and *epoch (0 if none) are set. */
static int
cmd_mod_send(struct cmd *c, struct session *s, const struct ident *me,
    const struct mod_event *ev, uint64_t *seq, uint32_t *epoch)
{
	uint8_t body[MOD_EVENT_MAX], sig[YISHI_SIG_BYTES];
	struct wire_frame *f;
	struct wire_rec req;
	size_t len;

	if ((len = mod_event_encode(ev, body, sizeof body)) == 0) {
		cerr_set(&c->err, CE_INPUT, "cannot encode the event (is the reason valid "
		    "UTF-8 without NUL?)");
		return -1;
	}
	mod_event_sign(me, body, len, sig);
	wire_rec_init(&req, &wire_kinds[WK_MODERATE]);
	wire_set_bin(&req, WF_EV, body, len);
	wire_set_bin(&req, WF_SIG, sig, sizeof sig);
	if ((f = session_call(s, WK_MODERATE, &req, WK_OK, &c->err)) == NULL)
		return -1;
	*seq = wire_has(&f->r, WF_SEQ) ? wire_u(&f->r, WF_SEQ) : 0;
	*epoch = wire_has(&f->r, WF_EPOCH) ? (uint32_t)wire_u(&f->r, WF_EPOCH) : 0;
	session_frame_free(f);
	return 0;
}

int
cmd_mod_action(struct cmd *c)
{
	const struct cmd_mod_spec *sp;
	struct account a;
	struct session *s;
	struct groups_entry g;
	struct mod_event ev;
	struct cerr ke;
	struct json j;
	char target[YISHI_PK_BYTES * 2 + 1];
	uint64_t seq = 0;
	uint32_t epoch = 0;
	int action, station, op = 0, ret = -1, seeded = 0;

	if ((action = mod_action_parse(c->sub)) == -1 || (sp = cmd_mod_spec(action)) == NULL) {
		cerr_set(&c->err, CE_USAGE, "mod %s: unknown action", c->sub);
		return -1;
	}
	station = mod_action_is_station(action);
	/* Operands: [G] [USER] [ARG], as the action has them; main checked the count. */
	if (c->argc != !station + mod_action_has_target(action) + (sp->arg != CMA_NONE)) {
		cerr_set(&c->err, CE_USAGE, "wrong number of arguments");
		return -1;
	}
	if (cmd_mod_check_reason(c) == -1)
		return -1;
	memset(&ev, 0, sizeof ev);
	ev.action = action;
	if (sp->arg != CMA_NONE &&
	    cmd_mod_parse_arg(c, sp, c->argv[c->argc - 1], &ev.arg) == -1)
		return -1;
	if ((s = cmd_mod_open(c, &a, station ? NULL : c->argv[op++], &g)) == NULL)
		return -1;
	if (!station)
		memcpy(ev.group, g.gid, sizeof ev.group);
	if (mod_action_has_target(action) &&
	    cmd_mod_user(c, s, station ? NULL : g.gid, c->argv[op++], ev.target) == -1)
		goto out;
	memcpy(ev.actor, a.me.pk, sizeof ev.actor);
	snprintf(ev.reason, sizeof ev.reason, "%s", c->reason != NULL ? c->reason : "");
	ev.ts_ms = cmd_now_ms();
	randombytes_buf(ev.id, sizeof ev.id);
	if (cmd_mod_send(c, s, &a.me, &ev, &seq, &epoch) == -1)
		goto out;

	/* What the action leaves to us: keys for a newcomer, or a new epoch to seed. */
	memset(&ke, 0, sizeof ke);
	if (action == MA_KICK || action == MA_BAN) {
		if (epoch != 0 && epoch != g.epoch) {
			if (keyring_seed(s, &a.me, g.gid, epoch, &ke) == 0)
				seeded = 1;
		}
	} else if ((action == MA_APPROVE || action == MA_STATION_BAN) &&
	    keyring_distribute_all(s, &a.me, &ke) == -1)
		log_debug("key distribution: %s", ke.msg);
	if (ke.code != 0 && (action == MA_KICK || action == MA_BAN))
		fprintf(stderr, "yishi: warning: the new key epoch %u is not seeded yet (%s); "
		    "your next yishi command will seed it\n", epoch, ke.msg);

	hex_encode(target, ev.target, sizeof ev.target);
	if (c->json) {
		json_begin(&j);
		if (!station)
			json_str(&j, "group_id", g.hex);
		json_str(&j, "action", mod_action_names[action]);
		if (mod_action_has_target(action))
			json_str(&j, "target", target);
		if (sp->arg != CMA_NONE)
			json_uint(&j, "arg", ev.arg);
		json_str(&j, "reason", ev.reason);
		json_uint(&j, "seq", seq);
		if (epoch != 0)
			json_uint(&j, "epoch", epoch);
		if (action == MA_KICK || action == MA_BAN)
			json_bool(&j, "epoch_seeded", seeded);
		(void)json_end(&j, stdout);
	} else {
		printf("%s%s%s: %s (log #%llu)", mod_action_names[action],
		    mod_action_has_target(action) ? " " : "",
		    mod_action_has_target(action) ? target : "", sp->done,
		    (unsigned long long)seq);
		if (seeded)
			printf("; new key epoch %u seeded to the members who stay", epoch);
		printf("\n");
	}
	ret = 0;
out:
	session_free(s);
	account_wipe(&a);
	return ret;
}

/* Names for the log: the group's current members (removed ones are not listed). */
static const char *
cmd_mod_name(const struct groups_members *gm, const uint8_t user[YISHI_PK_BYTES])
{
	const struct groups_member *m;

	if (gm == NULL || (m = groups_members_find(gm, user)) == NULL)
		return NULL;
	return m->name;
}

/* Print one checked event (log entry or pushed event). */
static void
cmd_mod_out(const struct cmd *c, const char *gid_hex, const char *gname,
    const struct modlog_entry *le, const struct groups_members *gm, int pushed)
{
	char actor[YISHI_PK_BYTES * 2 + 1], target[YISHI_PK_BYTES * 2 + 1], when[32];
	char pa[WIRE_MAX_NAME * 3 + 1], pt[WIRE_MAX_NAME * 3 + 1], pg[WIRE_MAX_NAME * 3 + 1];
	char reason[MOD_REASON_MAX * 3 + 1], why[sizeof le->why * 3];
	const struct mod_event *ev = &le->ev;
	const char *an, *tn;
	int has_target;
	struct json j;

	if (!le->decoded) {
		if (c->json) {
			json_begin(&j);
			if (pushed)
				json_str(&j, "event", "mod");
			if (gid_hex != NULL)
				json_str(&j, "group_id", gid_hex);
			json_uint(&j, "seq", le->seq);
			json_uint(&j, "ts", le->ts);
			json_bool(&j, "verified", 0);
			json_str(&j, "why", le->why);
			(void)json_end(&j, stdout);
		} else
			printf("#%llu [NOT VERIFIED: %s]\n", (unsigned long long)le->seq, le->why);
		fflush(stdout);
		return;
	}
	has_target = mod_action_has_target(ev->action);
	hex_encode(actor, ev->actor, sizeof ev->actor);
	hex_encode(target, ev->target, sizeof ev->target);
	an = cmd_mod_name(gm, ev->actor);
	tn = has_target ? cmd_mod_name(gm, ev->target) : NULL;
	if (c->json) {
		json_begin(&j);
		if (pushed)
			json_str(&j, "event", "mod");
		if (gid_hex != NULL)
			json_str(&j, "group_id", gid_hex);
		json_uint(&j, "seq", le->seq);
		json_str(&j, "action", mod_action_names[ev->action]);
		json_str(&j, "actor", actor);
		if (an != NULL)
			json_str(&j, "actor_name", an);
		json_str(&j, "target", has_target ? target : NULL);
		if (tn != NULL)
			json_str(&j, "target_name", tn);
		json_uint(&j, "arg", ev->arg);
		json_str(&j, "reason", ev->reason);
		json_uint(&j, "ts", le->ts);
		json_uint(&j, "event_ts", ev->ts_ms);
		if (le->has_heir) {
			hex_encode(target, le->heir, sizeof le->heir);
			json_str(&j, "heir", target);
		}
		json_bool(&j, "verified", le->verified);
		json_str(&j, "why", le->why);
		(void)json_end(&j, stdout);
		return;
	}
	if (gname != NULL)
		printf("[%s] ", cmd_plain(pg, sizeof pg, gname));
	printf("#%llu [%s] %s by %s", (unsigned long long)le->seq,
	    cmd_time(when, sizeof when, le->ts), mod_action_names[ev->action],
	    an != NULL ? cmd_plain(pa, sizeof pa, an) : actor);
	if (has_target)
		printf(" on %s", tn != NULL ? cmd_plain(pt, sizeof pt, tn) : target);
	if (ev->action == MA_MUTE || ev->action == MA_SLOW)
		printf(" (%llu s)", (unsigned long long)ev->arg);
	else if (ev->action == MA_REDACT || ev->action == MA_PIN)
		printf(" #%llu", (unsigned long long)ev->arg);
	else if (ev->action == MA_ANNOUNCE_ONLY)
		printf(" %s", ev->arg ? "on" : "off");
	else if (ev->action == MA_INVITE_POLICY)
		printf(" %s", ev->arg ? "moderators" : "members");
	if (ev->reason[0] != '\0')
		printf(": %s", cmd_plain(reason, sizeof reason, ev->reason));
	if (le->has_heir) {
		tn = cmd_mod_name(gm, le->heir);
		printf("; ownership passes to %s", tn != NULL ? cmd_plain(pt, sizeof pt, tn) :
		    hex_encode(target, le->heir, sizeof le->heir));
	}
	if (le->verified)
		printf("  [verified]\n");
	else
		printf("  [NOT VERIFIED: %s]\n", cmd_plain(why, sizeof why, le->why));
	fflush(stdout);
}

int
cmd_mod_log(struct cmd *c)
{
	struct account a;
	struct session *s;
	struct groups_entry g;
	struct groups_members gm;
	struct modlog l;
	struct modlog_entry *le = NULL;
	struct wire_frame *f = NULL;
	struct wire_rec req, rec;
	const struct wire_val *v;
	const char *garg = c->argc > 0 ? c->argv[0] : NULL;
	uint64_t since = 0, bad = 0;
	uint32_t i;
	int ret = -1;

	memset(&gm, 0, sizeof gm);
	memset(&l, 0, sizeof l);
	if ((s = cmd_mod_open(c, &a, garg, &g)) == NULL)
		return -1;
	if (garg != NULL && g.epoch == 0) {
		cerr_set(&c->err, WE_NOT_MEMBER, "not a member of group %s", g.hex);
		goto out;
	}
	if ((le = calloc(1, sizeof *le)) == NULL ||
	    modlog_init(&l, garg != NULL ? g.gid : NULL, g.founder, g.salt) == -1) {
		cerr_set(&c->err, CE_INTERNAL, "out of memory");
		goto out;
	}
	for (;;) {
		wire_rec_init(&req, &wire_kinds[WK_MOD_LOG]);
		if (garg != NULL)
			wire_set_bin(&req, WF_GROUP, g.gid, sizeof g.gid);
		wire_set_uint(&req, WF_SINCE, since);
		if ((f = session_call(s, WK_MOD_LOG, &req, WK_MODLOG, &c->err)) == NULL)
			goto out;
		/* Names only for the output; the members list is the node's word. */
		if (garg != NULL && gm.v == NULL &&
		    groups_members_fetch(&gm, s, g.gid, &c->err) == -1)
			goto out;
		v = &f->r.f[WF_EVENTS];
		for (i = 0; i < v->len; i++) {
			if (wire_array_get(v, i, &wire_records[WR_MODEV], &rec) != WE_OK ||
			    wire_u(&rec, WF_SEQ) <= since) {
				cerr_set(&c->err, CE_PROTOCOL, "node sent a malformed or "
				    "out-of-order log record");
				goto out;
			}
			since = wire_u(&rec, WF_SEQ);
			modlog_next(&l, &rec, le);
			if (!le->verified)
				bad++;
			cmd_mod_out(c, NULL, NULL, le, garg != NULL ? &gm : NULL, 0);
		}
		if (!wire_u(&f->r, WF_MORE) || v->len == 0)
			break;
		session_frame_free(f);
		f = NULL;
	}
	if (bad != 0)
		fprintf(stderr, "yishi: warning: %llu event%s of this log did not verify\n",
		    (unsigned long long)bad, bad == 1 ? "" : "s");
	ret = 0;
out:
	session_frame_free(f);
	modlog_free(&l);
	free(le);
	groups_members_free(&gm);
	session_free(s);
	account_wipe(&a);
	return ret;
}

int
cmd_mod_flag(struct cmd *c)
{
	struct account a;
	struct session *s;
	struct groups_entry g;
	struct groups_members gm;
	struct wire_frame *f;
	struct wire_rec req, *recs = NULL;
	struct json j;
	uint8_t (*notes)[MOD_NOTE_MAX] = NULL;
	const char *reason = c->argv[2];
	uint64_t seq;
	size_t i, n = 0;
	int ret = -1;

	memset(&gm, 0, sizeof gm);
	if (cmd_mod_uint(c->argv[1], &seq) == -1 || seq == 0) {
		cerr_set(&c->err, CE_INPUT, "%s: not a message number (see `yishi read`)",
		    c->argv[1]);
		return -1;
	}
	if (strlen(reason) > MOD_REASON_MAX) {
		cerr_set(&c->err, CE_INPUT, "the reason is %zu bytes, at most %d", strlen(reason),
		    MOD_REASON_MAX);
		return -1;
	}
	if ((s = cmd_mod_open(c, &a, c->argv[0], &g)) == NULL)
		return -1;
	if (groups_members_fetch(&gm, s, g.gid, &c->err) == -1)
		goto out;
	notes = calloc(gm.n + 1, sizeof *notes);
	recs = calloc(gm.n + 1, sizeof *recs);
	if (notes == NULL || recs == NULL) {
		cerr_set(&c->err, CE_INTERNAL, "out of memory");
		goto out;
	}
	/* One note per moderator, boxed to them alone: the node reads none. */
	for (i = 0; i < gm.n; i++) {
		size_t len;

		if (!groups_member_is_moderator(&gm.v[i]) ||
		    memcmp(gm.v[i].user, a.me.pk, YISHI_PK_BYTES) == 0)
			continue;
		if ((len = mod_note_seal(&a.me, gm.v[i].user, g.gid, seq, reason,
		    notes[n])) == 0) {
			cerr_set(&c->err, CE_INPUT, "cannot seal the reason (valid UTF-8 without "
			    "NUL?)");
			goto out;
		}
		wire_rec_init(&recs[n], &wire_records[WR_NOTE]);
		wire_set_bin(&recs[n], WF_TO, gm.v[i].user, YISHI_PK_BYTES);
		wire_set_bin(&recs[n], WF_NOTE, notes[n], len);
		if (++n == 64)
			break;
	}
	if (n == 0) {
		cerr_set(&c->err, WE_NOT_FOUND, "group %s has no other moderator to report to",
		    g.hex);
		goto out;
	}
	wire_rec_init(&req, &wire_kinds[WK_FLAG]);
	wire_set_bin(&req, WF_GROUP, g.gid, sizeof g.gid);
	wire_set_uint(&req, WF_SEQ, seq);
	wire_set_array(&req, WF_NOTES, recs, (uint32_t)n);
	if ((f = session_call(s, WK_FLAG, &req, WK_OK, &c->err)) == NULL)
		goto out;
	session_frame_free(f);
	if (c->json) {
		json_begin(&j);
		json_str(&j, "group_id", g.hex);
		json_uint(&j, "seq", seq);
		json_uint(&j, "moderators", n);
		(void)json_end(&j, stdout);
	} else
		printf("#%llu reported to %zu moderator%s\n", (unsigned long long)seq, n,
		    n == 1 ? "" : "s");
	ret = 0;
out:
	free(notes);
	free(recs);
	groups_members_free(&gm);
	session_free(s);
	account_wipe(&a);
	return ret;
}

/* Print one flag: opened for us, or why it does not open. */
static void
cmd_mod_out_flag(const struct cmd *c, const struct ident *me, const uint8_t *gid,
    const char *gname, const struct wire_rec *r, const struct groups_members *gm,
    int pushed)
{
	char from[YISHI_PK_BYTES * 2 + 1], ghex[YISHI_GID_BYTES * 2 + 1], when[32];
	char reason[MOD_REASON_MAX + 1], preason[MOD_REASON_MAX * 3 + 1];
	char pn[WIRE_MAX_NAME * 3 + 1], pg[WIRE_MAX_NAME * 3 + 1];
	uint64_t seq = wire_u(r, WF_SEQ), ts = wire_u(r, WF_TS);
	const char *fn = cmd_mod_name(gm, r->f[WF_FROM].p);
	struct json j;
	int ok;

	hex_encode(from, r->f[WF_FROM].p, YISHI_PK_BYTES);
	hex_encode(ghex, gid, YISHI_GID_BYTES);
	ok = mod_note_open(me, r->f[WF_FROM].p, gid, seq, r->f[WF_NOTE].p, r->f[WF_NOTE].len,
	    reason) == 0;
	if (c->json) {
		json_begin(&j);
		if (pushed)
			json_str(&j, "event", "flag");
		json_str(&j, "group_id", ghex);
		json_uint(&j, "seq", seq);
		json_str(&j, "from", from);
		if (fn != NULL)
			json_str(&j, "from_name", fn);
		json_uint(&j, "ts", ts);
		json_str(&j, "reason", ok ? reason : NULL);
		if (!ok)
			json_str(&j, "error", "the note does not open: not sealed by its sender "
			    "for us");
		(void)json_end(&j, stdout);
	} else {
		if (gname != NULL)
			printf("[%s] ", cmd_plain(pg, sizeof pg, gname));
		printf("#%llu flagged [%s] by %s: %s\n", (unsigned long long)seq,
		    cmd_time(when, sizeof when, ts), fn != NULL ? cmd_plain(pn, sizeof pn, fn) :
		    from, ok ? cmd_plain(preason, sizeof preason, reason) :
		    "(the note does not open)");
		fflush(stdout);
	}
	sodium_memzero(reason, sizeof reason);
}

int
cmd_mod_flags(struct cmd *c)
{
	struct account a;
	struct session *s;
	struct groups_entry g;
	struct groups_members gm;
	struct wire_frame *f = NULL;
	struct wire_rec req, r;
	const struct wire_val *v;
	uint32_t i;
	int ret = -1;

	memset(&gm, 0, sizeof gm);
	if ((s = cmd_mod_open(c, &a, c->argv[0], &g)) == NULL)
		return -1;
	wire_rec_init(&req, &wire_kinds[WK_FLAGS_GET]);
	wire_set_bin(&req, WF_GROUP, g.gid, sizeof g.gid);
	if ((f = session_call(s, WK_FLAGS_GET, &req, WK_FLAGS, &c->err)) == NULL ||
	    groups_members_fetch(&gm, s, g.gid, &c->err) == -1)
		goto out;
	v = &f->r.f[WF_NOTES];
	for (i = 0; i < v->len; i++) {
		if (wire_array_get(v, i, &wire_records[WR_NOTE], &r) != WE_OK ||
		    !wire_has(&r, WF_FROM) || !wire_has(&r, WF_SEQ) || !wire_has(&r, WF_TS)) {
			cerr_set(&c->err, CE_PROTOCOL, "node sent a malformed flag record");
			goto out;
		}
		cmd_mod_out_flag(c, &a.me, g.gid, NULL, &r, &gm, 0);
	}
	ret = 0;
out:
	session_frame_free(f);
	groups_members_free(&gm);
	session_free(s);
	account_wipe(&a);
	return ret;
}

void
cmd_mod_show_event(const struct cmd *c, const struct wire_frame *ev, const char *gname)
{
	struct modlog_entry le;
	char ghex[YISHI_GID_BYTES * 2 + 1];
	const uint8_t *gid = wire_has(&ev->r, WF_GROUP) ? ev->r.f[WF_GROUP].p : NULL;

	memset(&le, 0, sizeof le);
	le.seq = wire_u(&ev->r, WF_SEQ);
	le.ts = wire_u(&ev->r, WF_TS);
	modlog_check_event(gid, ev->r.f[WF_EV].p, ev->r.f[WF_EV].len, ev->r.f[WF_SIG].p, &le);
	if (gid != NULL)
		hex_encode(ghex, gid, YISHI_GID_BYTES);
	cmd_mod_out(c, gid != NULL ? ghex : NULL, gname, &le, NULL, 1);
}

void
cmd_mod_show_flagged(const struct cmd *c, const struct ident *me, const struct wire_frame *ev,
    const char *gname)
{
	cmd_mod_out_flag(c, me, ev->r.f[WF_GROUP].p, gname, &ev->r, NULL, 1);
}
