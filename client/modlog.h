/*
 * modlog.h: checking moderation events without trusting the node.
 *
 * A group's audit log is verified by replaying it from its root: the group id
 * binds the founder (group_id_derive(founder, salt) == gid), the founder is the
 * first owner, and promote, demote, transfer, kick and ban change who holds which
 * role. Each event must be signed by its actor, name the group, come in sequence
 * (no seq skipped, no event id seen twice, its time within MOD_CLOCK_SKEW_MS of the
 * node's), and its actor must have held the authority the action needs at that
 * point of the log: the same rules the node applies (node/mod.c). An event that
 * fails is reported with the reason and changes no role, so a forged event cannot
 * lend authority to the events after it.
 *
 * A station-ban also lands in the log of every group it removes its target from.
 * Its actor's station role cannot be checked from the log (see below); the replay
 * removes the target's role and, where the target was the owner, makes the heir
 * the node names (the record's "user") the owner, after checking it against the
 * succession rule as far as the log shows it: the heir is not the banned user,
 * and is a moderator if any moderator remained. The rule's join-time order is
 * the node's word, like the member list.
 *
 * The station log (station-ban, station-unban) has no root a client can check:
 * station roles come from the node's certificates. Its events are checked for
 * signature, shape and order only, and say so.
 */
#ifndef YISHI_CLIENT_MODLOG_H
#define YISHI_CLIENT_MODLOG_H

#include <stddef.h>
#include <stdint.h>

#include "proto/crypto.h"
#include "proto/modev.h"
#include "proto/wire.h"

/* Role of a user in the replayed log. */
enum modlog_role {
	MODLOG_MEMBER,		/* everyone not listed */
	MODLOG_MODERATOR,
	MODLOG_OWNER,
};

struct modlog_holder {
	uint8_t		user[YISHI_PK_BYTES];
	int		role;		/* enum modlog_role, never MODLOG_MEMBER */
};

struct modlog {
	uint8_t			 gid[YISHI_GID_BYTES];	/* all zero: the station log */
	int			 station;
	int			 rooted;	/* the gid binds the founder */
	uint64_t		 last_seq;
	struct modlog_holder	*holders;
	size_t			 nholders;
	uint8_t			(*ids)[16];	/* event ids seen */
	size_t			 nids, capids;
};

/* What one checked event says, and whether it holds. */
struct modlog_entry {
	uint64_t		 seq;
	uint64_t		 ts;		/* node time the event was applied, ms */
	int			 decoded;	/* ev below is valid */
	struct mod_event	 ev;
	int			 has_heir;	/* a station-ban handed on ownership */
	uint8_t			 heir[YISHI_PK_BYTES];	/* to this member (as the node says) */
	int			 verified;
	char			 why[160];	/* why not, or what was checked */
};

/*
 * Start replaying gid's log from its founder; gid NULL starts the station log.
 * -1 if out of memory. The caller frees with modlog_free().
 */
int	 modlog_init(struct modlog *l, const uint8_t *gid, const uint8_t founder[YISHI_PK_BYTES],
	    const uint8_t salt[YISHI_SALT_BYTES]) __attribute__((warn_unused_result));
void	 modlog_free(struct modlog *l);

/* Check the next record of the log (a "modlog" events element) and apply it. */
void	 modlog_next(struct modlog *l, const struct wire_rec *rec, struct modlog_entry *out);

/*
 * Check one event on its own (a "modev" push): decode, signature by its actor, and
 * the group it names against gid (NULL: a station event). No authority replay.
 */
void	 modlog_check_event(const uint8_t *gid, const uint8_t *ev, size_t evlen,
	    const uint8_t sig[YISHI_SIG_BYTES], struct modlog_entry *out);

/* The role user holds now in the replayed log. */
int	 modlog_role_of(const struct modlog *l, const uint8_t user[YISHI_PK_BYTES]);

#endif
