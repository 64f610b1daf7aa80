/* modlog.c: see modlog.h. */
#include "client/modlog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
modlog_init(struct modlog *l, const uint8_t *gid, const uint8_t founder[YISHI_PK_BYTES],
    const uint8_t salt[YISHI_SALT_BYTES])
{
	uint8_t derived[YISHI_GID_BYTES];

	memset(l, 0, sizeof *l);
	if (gid == NULL) {
		l->station = 1;
		return 0;
	}
	memcpy(l->gid, gid, YISHI_GID_BYTES);
	group_id_derive(founder, salt, derived);
	l->rooted = memcmp(derived, gid, YISHI_GID_BYTES) == 0;
	if ((l->holders = calloc(1, sizeof *l->holders)) == NULL)
		return -1;
	memcpy(l->holders[0].user, founder, YISHI_PK_BYTES);
	l->holders[0].role = MODLOG_OWNER;
	l->nholders = 1;
	return 0;
}

void
modlog_free(struct modlog *l)
{
	free(l->holders);
	free(l->ids);
	memset(l, 0, sizeof *l);
}

int
modlog_role_of(const struct modlog *l, const uint8_t user[YISHI_PK_BYTES])
{
	size_t i;

	for (i = 0; i < l->nholders; i++)
		if (memcmp(l->holders[i].user, user, YISHI_PK_BYTES) == 0)
			return l->holders[i].role;
	return MODLOG_MEMBER;
}

/* Give user role (MODLOG_MEMBER removes the entry); -1 if out of memory. */
static int
modlog_set_role(struct modlog *l, const uint8_t user[YISHI_PK_BYTES], int role)
{
	struct modlog_holder *nh;
	size_t i;

	for (i = 0; i < l->nholders; i++)
		if (memcmp(l->holders[i].user, user, YISHI_PK_BYTES) == 0)
			break;
	if (role == MODLOG_MEMBER) {
		if (i < l->nholders)
			l->holders[i] = l->holders[--l->nholders];
		return 0;
	}
	if (i == l->nholders) {
		if ((nh = reallocarray(l->holders, l->nholders + 1, sizeof *nh)) == NULL)
			return -1;
		l->holders = nh;
		memcpy(l->holders[l->nholders++].user, user, YISHI_PK_BYTES);
	}
	l->holders[i].role = role;
	return 0;
}

void
modlog_check_event(const uint8_t *gid, const uint8_t *ev, size_t evlen,
    const uint8_t sig[YISHI_SIG_BYTES], struct modlog_entry *out)
{
	memset(&out->ev, 0, sizeof out->ev);
	out->has_heir = 0;
	out->decoded = 0;
	out->verified = 0;
	if (mod_event_decode(ev, evlen, &out->ev) != 0) {
		snprintf(out->why, sizeof out->why, "malformed event");
		return;
	}
	out->decoded = 1;
	if (mod_event_verify(out->ev.actor, ev, evlen, sig) != 0) {
		snprintf(out->why, sizeof out->why, "signature does not verify against the actor");
		return;
	}
	/* A station-ban also lands in the log of each group it removes the target from. */
	if (gid == NULL ? !mod_action_is_station(out->ev.action) :
	    out->ev.action == MA_STATION_UNBAN || (out->ev.action != MA_STATION_BAN &&
	    memcmp(out->ev.group, gid, YISHI_GID_BYTES) != 0)) {
		snprintf(out->why, sizeof out->why, "the event names another group");
		return;
	}
	out->verified = 1;
	snprintf(out->why, sizeof out->why, "signature");
}

/* Whether the actor may take the event's action at this point of the log. */
static const char *
modlog_authority(const struct modlog *l, const struct mod_event *ev)
{
	int actor = modlog_role_of(l, ev->actor);
	int target = mod_action_has_target(ev->action) ? modlog_role_of(l, ev->target) :
	    MODLOG_MEMBER;

	if (mod_action_has_target(ev->action) &&
	    memcmp(ev->actor, ev->target, YISHI_PK_BYTES) == 0)
		return "the actor acts on themselves";
	if (actor == MODLOG_MEMBER)
		return "the actor was not a moderator of the group then";
	switch (ev->action) {
	case MA_PROMOTE:
	case MA_TRANSFER:
		if (actor != MODLOG_OWNER)
			return "only the owner changes roles, and the actor was not the owner";
		break;
	case MA_DEMOTE:
		if (actor != MODLOG_OWNER)
			return "only the owner changes roles, and the actor was not the owner";
		if (target != MODLOG_MODERATOR)
			return "the target was not a moderator";
		break;
	case MA_MUTE:
	case MA_KICK:
	case MA_BAN:
		if (target == MODLOG_OWNER)
			return "nobody may do this to the owner";
		if (target == MODLOG_MODERATOR && actor != MODLOG_OWNER)
			return "only the owner may do this to a moderator";
		break;
	default:
		break;
	}
	return NULL;
}

/* Apply a verified event's role changes; -1 if out of memory. */
static int
modlog_apply(struct modlog *l, const struct mod_event *ev)
{
	switch (ev->action) {
	case MA_PROMOTE:
		return modlog_set_role(l, ev->target, MODLOG_MODERATOR);
	case MA_DEMOTE:
	case MA_KICK:
	case MA_BAN:
		return modlog_set_role(l, ev->target, MODLOG_MEMBER);
	case MA_TRANSFER:
		if (modlog_set_role(l, ev->target, MODLOG_OWNER) == -1)
			return -1;
		return modlog_set_role(l, ev->actor, MODLOG_MODERATOR);
	default:
		return 0;
	}
}

/*
 * A station-ban in a group's log: whether the heir the node names follows the
 * succession rule as far as the log shows it. The log holds every role change, so
 * the remaining moderators are known; join times are not in it.
 */
static const char *
modlog_succession(const struct modlog *l, const struct mod_event *ev, const uint8_t *heir)
{
	size_t i;
	int mods = 0;

	if (modlog_role_of(l, ev->target) != MODLOG_OWNER)
		return heir != NULL ? "an heir is named, but the banned user was not the owner" :
		    NULL;
	if (heir == NULL)
		return "the owner was banned and no heir is named";
	if (memcmp(heir, ev->target, YISHI_PK_BYTES) == 0)
		return "the heir named is the banned owner";
	for (i = 0; i < l->nholders; i++)
		if (l->holders[i].role == MODLOG_MODERATOR)
			mods++;
	if (mods > 0 && modlog_role_of(l, heir) != MODLOG_MODERATOR)
		return "the heir named is not a moderator, but a moderator remained";
	return NULL;
}

static int
modlog_seen(struct modlog *l, const uint8_t id[16])
{
	uint8_t (*nv)[16];
	size_t i;

	for (i = 0; i < l->nids; i++)
		if (memcmp(l->ids[i], id, 16) == 0)
			return 1;
	if (l->nids == l->capids) {
		if ((nv = reallocarray(l->ids, l->capids ? l->capids * 2 : 64, 16)) == NULL)
			return -1;
		l->ids = nv;
		l->capids = l->capids ? l->capids * 2 : 64;
	}
	memcpy(l->ids[l->nids++], id, 16);
	return 0;
}

void
modlog_next(struct modlog *l, const struct wire_rec *rec, struct modlog_entry *out)
{
	const char *why;
	uint64_t skew;
	int seen;

	out->seq = wire_u(rec, WF_SEQ);
	out->ts = wire_u(rec, WF_TS);
	modlog_check_event(l->station ? NULL : l->gid, rec->f[WF_EV].p, rec->f[WF_EV].len,
	    rec->f[WF_SIG].p, out);
	if ((out->has_heir = wire_has(rec, WF_USER)) != 0)
		memcpy(out->heir, rec->f[WF_USER].p, YISHI_PK_BYTES);
	if (out->seq != l->last_seq + 1) {
		snprintf(out->why, sizeof out->why, "out of sequence: expected #%llu (events "
		    "missing or reordered)", (unsigned long long)l->last_seq + 1);
		out->verified = 0;
	}
	if (out->seq > l->last_seq)
		l->last_seq = out->seq;
	if (!out->verified)
		return;
	out->verified = 0;
	if ((seen = modlog_seen(l, out->ev.id)) != 0) {
		snprintf(out->why, sizeof out->why, seen == 1 ? "replayed: this event id was "
		    "already applied" : "out of memory");
		return;
	}
	skew = out->ev.ts_ms > out->ts ? out->ev.ts_ms - out->ts : out->ts - out->ev.ts_ms;
	if (skew > MOD_CLOCK_SKEW_MS) {
		snprintf(out->why, sizeof out->why, "the event's time is far from when it was "
		    "applied");
		return;
	}
	if (l->station) {
		out->verified = 1;
		snprintf(out->why, sizeof out->why, "signature and order (station roles are "
		    "not in the log)");
		return;
	}
	if (!l->rooted) {
		snprintf(out->why, sizeof out->why, "the group id does not bind the founder "
		    "the node names: no root to check authority from");
		return;
	}
	if (out->ev.action == MA_STATION_BAN) {
		if ((why = modlog_succession(l, &out->ev, out->has_heir ? out->heir :
		    NULL)) != NULL) {
			snprintf(out->why, sizeof out->why, "%s", why);
			return;
		}
		if (modlog_set_role(l, out->ev.target, MODLOG_MEMBER) == -1 ||
		    (out->has_heir && modlog_set_role(l, out->heir, MODLOG_OWNER) == -1)) {
			snprintf(out->why, sizeof out->why, "out of memory");
			return;
		}
		out->verified = 1;
		snprintf(out->why, sizeof out->why, "signature, order and succession (the "
		    "actor's station role is not in the log)");
		return;
	}
	if ((why = modlog_authority(l, &out->ev)) != NULL) {
		snprintf(out->why, sizeof out->why, "%s", why);
		return;
	}
	if (modlog_apply(l, &out->ev) == -1) {
		snprintf(out->why, sizeof out->why, "out of memory");
		return;
	}
	out->verified = 1;
	snprintf(out->why, sizeof out->why, "signature, order and authority");
}
