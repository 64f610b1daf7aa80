/*
 * modev.h: signed moderation events and flag notes.
 *
 * Every moderation action is an event signed by the moderator who takes it, so the
 * node can check it against the actor's role and every client can verify the audit
 * log on its own. The signed body is the canonical msgpack array
 *
 *     ["yishi/mod/1", group, action, actor, target, arg, reason, ts_ms, id]
 *
 * group:  bin 16 (all zero for station-wide actions: station-ban, station-unban)
 * action: str, one of mod_action_names[]
 * actor:  bin 32, the signer's public key
 * target: bin 32, the member acted on (all zero when the action has none)
 * arg:    uint, the action's argument (see enum mod_action)
 * reason: str, 0..256 bytes of UTF-8, no NUL
 * ts_ms:  uint, the actor's clock; the node refuses events far from its own
 * id:     bin 16, random; the node refuses an id it has seen (replay)
 *
 * The signature is Ed25519 by the actor over the body bytes.
 *
 * A flag note carries a member's reason for reporting a message to the group's
 * moderators, boxed to each moderator: X25519 shared key (crypto_box_beforenm) and
 * XChaCha20-Poly1305 with AD "yishi/flag/1" || group || seq (be64); note =
 * nonce(24) || ciphertext.
 */
#ifndef YISHI_MODEV_H
#define YISHI_MODEV_H

#include <stddef.h>
#include <stdint.h>

#include "proto/crypto.h"

#define MOD_REASON_MAX		256
#define MOD_EVENT_MAX		512	/* encoded body */
#define MOD_NOTE_MAX		(YISHI_NONCE_BYTES + MOD_REASON_MAX + YISHI_TAG_BYTES)
#define MOD_CLOCK_SKEW_MS	(10 * 60 * 1000)	/* node accepts events this far off */

enum mod_action {
	MA_APPROVE,		/* target's join request accepted */
	MA_REFUSE,		/* target's join request turned down */
	MA_MUTE,		/* target may not post for arg seconds */
	MA_UNMUTE,
	MA_KICK,		/* target removed; may rejoin with an invite */
	MA_BAN,			/* target removed and may not rejoin */
	MA_UNBAN,
	MA_REDACT,		/* message seq arg deleted, a tombstone kept */
	MA_PIN,			/* message seq arg pinned as the announcement */
	MA_UNPIN,
	MA_SLOW,		/* one message per member per arg seconds; 0 turns it off */
	MA_ANNOUNCE_ONLY,	/* arg 1: only moderators post; 0: everyone */
	MA_INVITE_POLICY,	/* arg 1: only moderators invite; 0: every member */
	MA_PROMOTE,		/* target becomes a moderator (owner only) */
	MA_DEMOTE,		/* target becomes a plain member (owner only) */
	MA_TRANSFER,		/* target becomes the owner; the actor a moderator */
	MA_STATION_BAN,		/* station admin: target banned from every group here */
	MA_STATION_UNBAN,
	MA__COUNT
};

extern const char *const mod_action_names[MA__COUNT];

struct mod_event {
	uint8_t		group[YISHI_GID_BYTES];
	int		action;		/* enum mod_action */
	uint8_t		actor[YISHI_PK_BYTES];
	uint8_t		target[YISHI_PK_BYTES];
	uint64_t	arg;
	char		reason[MOD_REASON_MAX + 1];
	uint64_t	ts_ms;
	uint8_t		id[16];
};

/* The action named s, or -1. */
int	 mod_action_parse(const char *s);
/* Whether the action names a target member, and whether it is station-wide. */
int	 mod_action_has_target(int action);
int	 mod_action_is_station(int action);

/* Encode ev canonically into out; returns the length, or 0 if it does not fit/is invalid. */
size_t	 mod_event_encode(const struct mod_event *ev, uint8_t *out, size_t outlen);
/* Strict decode (unknown action, bad sizes, non-canonical bytes refused): 0 or -1. */
int	 mod_event_decode(const void *buf, size_t len, struct mod_event *ev)
	    __attribute__((warn_unused_result));
/* Sign body with the actor's key; verify against the actor named in the body. */
void	 mod_event_sign(const struct ident *actor, const uint8_t *body, size_t len,
	    uint8_t sig[YISHI_SIG_BYTES]);
int	 mod_event_verify(const uint8_t actor[YISHI_PK_BYTES], const uint8_t *body, size_t len,
	    const uint8_t sig[YISHI_SIG_BYTES]) __attribute__((warn_unused_result));

/* Flag notes. note must hold MOD_NOTE_MAX bytes; returns the note length or 0. */
size_t	 mod_note_seal(const struct ident *from, const uint8_t to_pk[YISHI_PK_BYTES],
	    const uint8_t gid[YISHI_GID_BYTES], uint64_t seq, const char *reason, uint8_t *note);
/* Open into reason (MOD_REASON_MAX + 1 bytes, NUL-terminated); 0 or -1. */
int	 mod_note_open(const struct ident *me, const uint8_t from_pk[YISHI_PK_BYTES],
	    const uint8_t gid[YISHI_GID_BYTES], uint64_t seq, const uint8_t *note, size_t len,
	    char *reason) __attribute__((warn_unused_result));

#endif
