/*
 * store.h: the node's durable state in one LMDB environment.
 *
 * Named databases (keys are raw bytes, big-endian numbers; values are msgpack arrays):
 *   meta     "schema" -> version; "node" -> node_meta;
 *            "purge" -> messages deleted since data.mdb was last rewritten
 *   users    user_pk(32)                     -> user_rec
 *   groups   gid(16)                         -> group_rec
 *   members  gid(16) || user_pk(32)          -> member_rec
 *   ugroups  user_pk(32) || gid(16)          -> (empty)    groups of a user
 *   msgs     gid(16) || seq(be64)            -> msg_rec
 *   msgids   gid(16) || id(16)               -> seq(be64)  de-duplication of resends
 *   keys     gid(16) || epoch(be32) || to(32) -> key_rec
 *   invites  token(16)                       -> invite_rec
 *   bans     gid(16) || user(32)             -> ban_rec    (gid all zero: station-wide)
 *   modlog   gid(16) || seq(be64)            -> modlog_rec signed moderation events
 *   modids   gid(16) || id(16)               -> seq(be64)  replay protection
 *   tombs    gid(16) || seq(be64)            -> tomb_rec   what is left of a redacted message
 *   flags    gid(16) || to(32) || seq(be64) || from(32) -> flag_rec
 *   cases    case(16)                        -> case_rec   a case's current state
 *   reports  case(16)                        -> report_rec the report as sent (immutable)
 *   seals    case(16) || seq(be64) || to(32) -> 80 bytes   content keys (seq 0: the report)
 *   caselog  case(16) || seq(be64)           -> caselog_rec signed steps of a case
 *   deadlines deadline(be64) || case(16)     -> (empty)    unclaimed cases by deadline
 *   outbox   seq(be64)                       -> outbox_rec for the parent node
 *   warnings wid(16)                         -> warn_rec   wid = H(issuer || sender || identifier)
 * A write transaction is opened by the caller (one per core-loop turn) and passed to
 * every put; nothing is durable until store_commit() returned 0. The environment is
 * opened without MDB_NOSYNC or MDB_NOMETASYNC: a commit that returned is on disk.
 *
 * Getters return 0 when found, STORE_NOTFOUND when not, -1 on error (logged).
 * Pointers in returned records (msg_rec) point into the map: valid until the
 * transaction ends.
 * In a write transaction, only until its next put or del (LMDB edits dirty pages in place).
 */
#ifndef YISHI_STORE_H
#define YISHI_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <lmdb.h>

#define STORE_SCHEMA_VERSION	2
#define STORE_NOTFOUND		1
#define STORE_MAP_SIZE		((size_t)8 << 30)	/* address space reserved, not disk used */

struct store;

#define STORE_CREATE	0x1	/* create a new store; fail if one exists in dir */
#define STORE_RDONLY	0x2

/*
 * Open the store in directory dir. Without STORE_CREATE the directory must hold a
 * store of this schema version. On failure returns -1 and writes a sentence an
 * operator can act on into err ("no store in DIR: run yishi-node init first").
 */
int	 store_open(struct store **st, const char *dir, int flags, char *err, size_t errlen)
	    __attribute__((warn_unused_result));
void	 store_close(struct store *st);

int	 store_begin(struct store *st, int write, MDB_txn **txn) __attribute__((warn_unused_result));
int	 store_commit(MDB_txn *txn) __attribute__((warn_unused_result));	/* 0 or -1; txn is gone */
void	 store_abort(MDB_txn *txn);

/* Node identity and settings. */
struct node_meta {
	uint8_t		sk[64];		/* node signing key */
	char		name[65];
	char		area[13];
	uint64_t	created_ms;
	uint8_t		enroll_hash[32];	/* BLAKE2b of the one-time enrollment code */
	uint8_t		enroll_used;
};
int	 store_meta_get(struct store *st, MDB_txn *txn, struct node_meta *m);
int	 store_meta_put(struct store *st, MDB_txn *txn, const struct node_meta *m);

struct user_rec {
	uint8_t		pk[32];
	char		name[65];
	char		role[17];	/* resident, police, auxiliary, grid, mediator, admin */
	uint64_t	created_ms;
};
int	 store_user_get(struct store *st, MDB_txn *txn, const uint8_t pk[32], struct user_rec *u);
int	 store_user_put(struct store *st, MDB_txn *txn, const struct user_rec *u);
int	 store_user_iter(struct store *st, MDB_txn *txn, int (*cb)(const struct user_rec *, void *),
	    void *arg);

struct group_rec {
	uint8_t		gid[16];
	char		name[65];
	char		area[13];
	uint8_t		approval;	/* joins need a moderator's approval */
	uint8_t		owner[32];
	uint32_t	epoch;		/* current key epoch, from 1 */
	uint64_t	last_seq;	/* seq of the newest message, 0 when none */
	uint32_t	count;		/* members (not pending requests) */
	uint32_t	max_members;
	uint64_t	created_ms;
	uint32_t	slow_secs;	/* one message per member per slow_secs; 0: off */
	uint8_t		announce_only;	/* only owner and moderators post */
	uint8_t		invite_mods;	/* only owner and moderators invite */
	uint64_t	pinned_seq;	/* the pinned announcement; 0: none */
	uint8_t		rotator[32];	/* who seeds the current epoch's key (all zero: anyone) */
	uint8_t		founder[32];	/* gid = H(founder || salt): the root of the mod log */
	uint8_t		salt[16];
};
int	 store_group_get(struct store *st, MDB_txn *txn, const uint8_t gid[16], struct group_rec *g);
int	 store_group_put(struct store *st, MDB_txn *txn, const struct group_rec *g);

struct member_rec {
	uint8_t		gid[16];
	uint8_t		user[32];
	char		role[17];	/* owner, moderator, member */
	char		state[17];	/* member, pending */
	uint64_t	joined_ms;
	uint64_t	joined_seq;	/* group's last_seq when admitted */
	uint64_t	muted_until_ms;	/* may not post before; 0: not muted */
	uint64_t	last_sent_ms;	/* for slow mode */
};
int	 store_member_get(struct store *st, MDB_txn *txn, const uint8_t gid[16],
	    const uint8_t user[32], struct member_rec *m);
/* Also maintains the ugroups index. */
int	 store_member_put(struct store *st, MDB_txn *txn, const struct member_rec *m);
int	 store_member_del(struct store *st, MDB_txn *txn, const uint8_t gid[16], const uint8_t user[32]);
/* Call cb for each member of gid in key order; a non-zero return stops and is returned. */
int	 store_member_iter(struct store *st, MDB_txn *txn, const uint8_t gid[16],
	    int (*cb)(const struct member_rec *, void *), void *arg);
/* Call cb for each group id the user has a member record in (any state). */
int	 store_user_groups_iter(struct store *st, MDB_txn *txn, const uint8_t user[32],
	    int (*cb)(const uint8_t gid[16], void *), void *arg);

struct msg_rec {
	uint8_t		 gid[16];
	uint64_t	 seq;
	uint64_t	 ts_ms;		/* node time of acceptance */
	uint8_t		 sender[32];
	uint8_t		 id[16];
	const uint8_t	*hdr;
	uint32_t	 hdrlen;
	const uint8_t	*nonce;		/* 24 bytes */
	const uint8_t	*ct;
	uint32_t	 ctlen;
	const uint8_t	*sig;		/* 64 bytes */
};
/* Store m under (gid, seq) and index its id. */
int	 store_msg_put(struct store *st, MDB_txn *txn, const struct msg_rec *m);
int	 store_msg_get(struct store *st, MDB_txn *txn, const uint8_t gid[16], uint64_t seq,
	    struct msg_rec *m);
int	 store_msg_by_id(struct store *st, MDB_txn *txn, const uint8_t gid[16], const uint8_t id[16],
	    uint64_t *seq);
/* Call cb for each message of gid with seq > since, ascending; non-zero stops. */
int	 store_msg_iter(struct store *st, MDB_txn *txn, const uint8_t gid[16], uint64_t since,
	    int (*cb)(const struct msg_rec *, void *), void *arg);

struct key_rec {
	uint8_t		gid[16];
	uint32_t	epoch;
	uint8_t		to[32];
	uint8_t		from[32];
	uint8_t		box[72];
};
int	 store_key_get(struct store *st, MDB_txn *txn, const uint8_t gid[16], uint32_t epoch,
	    const uint8_t to[32], struct key_rec *k);
int	 store_key_put(struct store *st, MDB_txn *txn, const struct key_rec *k);
/* Call cb for each key record of gid addressed to `to`, all epochs ascending. */
int	 store_key_iter(struct store *st, MDB_txn *txn, const uint8_t gid[16], const uint8_t to[32],
	    int (*cb)(const struct key_rec *, void *), void *arg);

struct invite_rec {
	uint8_t		token[16];
	uint8_t		gid[16];
	uint8_t		by[32];
	uint64_t	created_ms;
	uint64_t	expires_ms;
};
int	 store_invite_get(struct store *st, MDB_txn *txn, const uint8_t token[16], struct invite_rec *i);
int	 store_invite_put(struct store *st, MDB_txn *txn, const struct invite_rec *i);

struct ban_rec {
	uint8_t		gid[16];	/* all zero: banned from every group of the station */
	uint8_t		user[32];
	uint8_t		by[32];
	char		reason[257];
	uint64_t	ts_ms;
};
int	 store_ban_get(struct store *st, MDB_txn *txn, const uint8_t gid[16], const uint8_t user[32],
	    struct ban_rec *b);
int	 store_ban_put(struct store *st, MDB_txn *txn, const struct ban_rec *b);
int	 store_ban_del(struct store *st, MDB_txn *txn, const uint8_t gid[16], const uint8_t user[32]);

/* One signed moderation event as it was accepted (group all zero: station log). */
struct modlog_rec {
	uint8_t		 gid[16];
	uint64_t	 seq;		/* position in the log, from 1 */
	uint64_t	 ts_ms;		/* node time of acceptance */
	const uint8_t	*ev;		/* the signed body */
	uint32_t	 evlen;
	const uint8_t	*sig;		/* 64 bytes */
	uint8_t		 heir[32];	/* a station-ban of the group's owner: the member who
					   succeeded them; else all zero */
};
int	 store_modlog_put(struct store *st, MDB_txn *txn, const struct modlog_rec *m);
/* The seq of the newest event of gid's log, 0 if the log is empty. */
int	 store_modlog_last(struct store *st, MDB_txn *txn, const uint8_t gid[16], uint64_t *seq);
int	 store_modlog_iter(struct store *st, MDB_txn *txn, const uint8_t gid[16], uint64_t since,
	    int (*cb)(const struct modlog_rec *, void *), void *arg);
/* Event ids already accepted in gid's log. */
int	 store_modid_get(struct store *st, MDB_txn *txn, const uint8_t gid[16], const uint8_t id[16],
	    uint64_t *seq);
int	 store_modid_put(struct store *st, MDB_txn *txn, const uint8_t gid[16], const uint8_t id[16],
	    uint64_t seq);

/* A redacted message: the ciphertext is deleted, this stays. */
struct tomb_rec {
	uint8_t		gid[16];
	uint64_t	seq;
	uint64_t	ts_ms;		/* when it was redacted */
	uint8_t		by[32];
	char		reason[257];
};
int	 store_tomb_get(struct store *st, MDB_txn *txn, const uint8_t gid[16], uint64_t seq,
	    struct tomb_rec *t);
int	 store_tomb_put(struct store *st, MDB_txn *txn, const struct tomb_rec *t);
int	 store_tomb_iter(struct store *st, MDB_txn *txn, const uint8_t gid[16], uint64_t since,
	    int (*cb)(const struct tomb_rec *, void *), void *arg);
/*
 * Delete message seq of gid (its id stays indexed so a resend is still recognised) and
 * count the deletion for store_purge().
 */
int	 store_msg_del(struct store *st, MDB_txn *txn, const uint8_t gid[16], uint64_t seq);

/*
 * Take deleted messages off the disk. A delete does not: LMDB never rewrites a
 * committed page, it frees it, and a freed page keeps its bytes until LMDB reuses it
 * (and the unused part of a page LMDB writes may carry stale bytes from memory). So
 * when messages were deleted since the last purge, store_purge() writes the live
 * records into a new file beside data.mdb (purge.mdb, needing disk space for the live
 * data), syncs it and renames it over data.mdb; the new file holds no byte of a
 * deleted message. It costs about one read and one write of the live data.
 *
 * The caller must be the store's only writer (yishi-node holds node.lock) and have no
 * transaction open. Returns 0 with *purged the deletions purged (0: there were none,
 * nothing was done); -1 with err set and the store still open on the old file; or -2
 * with err set when the store could not be reopened: then only store_close() is valid.
 */
int	 store_purge(struct store *st, uint64_t *purged, char *err, size_t errlen)
	    __attribute__((warn_unused_result));
/* The deletions store_purge() would take off the disk. */
int	 store_purge_pending(struct store *st, uint64_t *n);

/* A member's report of message seq to moderator `to`, the reason boxed to them. */
struct flag_rec {
	uint8_t		 gid[16];
	uint8_t		 to[32];
	uint64_t	 seq;
	uint8_t		 from[32];
	uint64_t	 ts_ms;
	const uint8_t	*note;
	uint32_t	 notelen;
};
int	 store_flag_put(struct store *st, MDB_txn *txn, const struct flag_rec *f);
/* Call cb for each flag in gid addressed to `to`, by message seq. */
int	 store_flag_iter(struct store *st, MDB_txn *txn, const uint8_t gid[16], const uint8_t to[32],
	    int (*cb)(const struct flag_rec *, void *), void *arg);

/* A case's current state (the report itself is in report_rec). */
struct case_rec {
	uint8_t		id[16];
	uint8_t		kind;		/* enum report_kind */
	uint8_t		queue;		/* enum case_queue */
	uint8_t		urgent;
	char		area[13];
	char		fraud_type[33];
	uint8_t		reporter[32];
	uint64_t	created_ms;
	uint64_t	deadline_ms;	/* claim by */
	char		state[17];	/* new, claimed, in_progress, resolved, escalated, ... */
	uint8_t		handler[32];	/* all zero until claimed */
	uint64_t	claimed_ms;
	char		dept[65];	/* transferred to */
	char		outcome[33];	/* resolve/reject label */
	uint64_t	logseq;		/* seq of the newest log entry */
	uint64_t	agree_seq;	/* seq of the newest "agree" entry, 0 if none */
	uint8_t		mediator_room[16];	/* the group of a mediation, all zero if none */
};
int	 store_case_get(struct store *st, MDB_txn *txn, const uint8_t id[16], struct case_rec *c);
int	 store_case_put(struct store *st, MDB_txn *txn, const struct case_rec *c);
int	 store_case_iter(struct store *st, MDB_txn *txn, int (*cb)(const struct case_rec *, void *),
	    void *arg);

struct report_rec {
	uint8_t		 id[16];
	const uint8_t	*meta;
	uint32_t	 metalen;
	const uint8_t	*sig;		/* 64 bytes */
	const uint8_t	*body;
	uint32_t	 bodylen;
};
int	 store_report_get(struct store *st, MDB_txn *txn, const uint8_t id[16], struct report_rec *r);
int	 store_report_put(struct store *st, MDB_txn *txn, const struct report_rec *r);

int	 store_seal_put(struct store *st, MDB_txn *txn, const uint8_t id[16], uint64_t seq,
	    const uint8_t to[32], const uint8_t seal[80]);
/* Copies the seal into seal[80]. */
int	 store_seal_get(struct store *st, MDB_txn *txn, const uint8_t id[16], uint64_t seq,
	    const uint8_t to[32], uint8_t seal[80]);

struct caselog_rec {
	uint8_t		 id[16];
	uint64_t	 seq;
	uint64_t	 ts_ms;
	const uint8_t	*entry;
	uint32_t	 entrylen;
	const uint8_t	*sig;		/* 64 bytes */
	const uint8_t	*body;		/* sealed note or agreement; bodylen 0 if none */
	uint32_t	 bodylen;
};
int	 store_caselog_put(struct store *st, MDB_txn *txn, const struct caselog_rec *l);
int	 store_caselog_iter(struct store *st, MDB_txn *txn, const uint8_t id[16],
	    int (*cb)(const struct caselog_rec *, void *), void *arg);

int	 store_deadline_put(struct store *st, MDB_txn *txn, uint64_t ms, const uint8_t id[16]);
int	 store_deadline_del(struct store *st, MDB_txn *txn, uint64_t ms, const uint8_t id[16]);
/* The earliest deadline: 0 and *ms, id filled, or STORE_NOTFOUND. */
int	 store_deadline_first(struct store *st, MDB_txn *txn, uint64_t *ms, uint8_t id[16]);

struct outbox_rec {
	uint64_t	 seq;
	char		 dest[65];	/* the receiving node, by name until federation */
	uint8_t		 id[16];	/* the case */
	uint64_t	 ts_ms;
	const uint8_t	*payload;	/* what to deliver */
	uint32_t	 payloadlen;
};
/* Append with the next seq (set in *o). */
int	 store_outbox_add(struct store *st, MDB_txn *txn, struct outbox_rec *o);
int	 store_outbox_iter(struct store *st, MDB_txn *txn, int (*cb)(const struct outbox_rec *,
	    void *), void *arg);

/* A verified warning as accepted, and whether it is still current. */
struct warn_rec {
	uint8_t		 wid[16];
	uint64_t	 ts_ms;		/* accepted */
	uint64_t	 expires_ms;	/* 0: does not expire */
	char		 state[17];	/* active, superseded */
	const uint8_t	*env;		/* the signed envelope */
	uint32_t	 envlen;
};
int	 store_warn_get(struct store *st, MDB_txn *txn, const uint8_t wid[16], struct warn_rec *w);
int	 store_warn_put(struct store *st, MDB_txn *txn, const struct warn_rec *w);
int	 store_warn_iter(struct store *st, MDB_txn *txn, int (*cb)(const struct warn_rec *, void *),
	    void *arg);

/* Counts for operators and tests: entries in the named database ("msgs", "users", ...). */
int	 store_count(struct store *st, MDB_txn *txn, const char *dbname, uint64_t *n);

#endif
