/*
 * wire.h: the frames clients and nodes exchange, declared once.
 *
 * A frame is one msgpack map carried in one binary WebSocket message:
 *     {"t": KIND, "rid": REQUEST_ID, FIELD: VALUE, ...}
 * KIND is a string naming the frame kind; "rid" (optional) pairs a reply with its
 * request. Each kind accepts a fixed set of fields with fixed types and bounds
 * (wire_kinds[] in wire_schema.c, documented field by field in docs/protocol.md).
 * Decoding is strict: anything but a map, an unknown kind, an unknown or repeated
 * field, a wrong type, a value out of bounds, a missing required field, or trailing
 * bytes is rejected with a stable error code (enum wire_err).
 *
 * Nested records (the elements of array fields) are described by schemas of their
 * own and decoded on demand with wire_array_get().
 */
#ifndef YISHI_WIRE_H
#define YISHI_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include <msgpack.h>

#define WIRE_VERSION		1
#define WIRE_MAX_IN_NODE	(128 * 1024)	/* largest frame a node accepts */
#define WIRE_MAX_ENV		(96 * 1024)	/* a signed warning envelope (warn.h) */
#define WIRE_MAX_IN_CLIENT	(4 * 1024 * 1024) /* largest frame a client accepts */
#define WIRE_MAX_TEXT		4096	/* largest message text, in bytes of UTF-8 */
#define WIRE_MAX_CT		(WIRE_MAX_TEXT + 256) /* body framing + AEAD tag */
#define WIRE_MAX_ARRAY		1000	/* elements in any array field */
#define WIRE_MAX_NAME		64	/* display and group names, bytes */
#define WIRE_MAX_AREA		12	/* area codes: digits, e.g. "330281" */

/* Stable error codes, sent in "error" frames. Never renumber; add at the end. */
enum wire_err {
	WE_OK = 0,
	WE_MALFORMED = 1,	/* not a msgpack map, or trailing bytes */
	WE_UNKNOWN_KIND = 2,	/* "t" names no kind this side accepts */
	WE_UNKNOWN_FIELD = 3,	/* a key the kind does not have, or a repeated key */
	WE_BAD_TYPE = 4,	/* a value of the wrong msgpack type */
	WE_BAD_VALUE = 5,	/* a value out of its bounds (length, range, count) */
	WE_MISSING_FIELD = 6,	/* a required field is absent */
	WE_TOO_LARGE = 7,	/* the frame exceeds the size limit */
	WE_AUTH_REQUIRED = 10,	/* log in first */
	WE_AUTH_FAILED = 11,	/* bad login signature or unknown user */
	WE_FORBIDDEN = 12,	/* the user's role does not allow this */
	WE_NOT_FOUND = 13,	/* no such user, group, invite or message */
	WE_EXISTS = 14,		/* already registered, already a member, id taken */
	WE_NOT_MEMBER = 15,	/* the user is not a member of the group */
	WE_BAD_SIGNATURE = 16,	/* a signature does not verify */
	WE_STALE_EPOCH = 17,	/* the message uses an epoch that is not current */
	WE_RATE_LIMITED = 18,	/* too many messages; retry later */
	WE_GROUP_FULL = 19,	/* the group has reached its size limit */
	WE_BAD_CODE = 20,	/* enrollment code wrong or already used */
	WE_INVALID = 21,	/* well formed but semantically wrong */
	WE_PENDING = 22,	/* join request awaits approval */
	WE_EXPIRED = 23,	/* invite expired */
	WE_MUTED = 24,		/* a moderator muted you in this group for now */
	WE_BANNED = 25,		/* banned from this group or station */
	WE_INTERNAL = 50,	/* the node failed to store; nothing was accepted */
};

/* Field value types. */
enum wire_type {
	WT_UINT = 1,	/* positive integer; min..max bound the value */
	WT_BOOL,
	WT_STR,		/* UTF-8 string; min..max bound the length in bytes */
	WT_BIN,		/* byte string; min..max bound the length */
	WT_ARRAY,	/* array of records of schema `elem`; min..max bound the count */
};

/* Every field name used by any kind or record. Wire keys are in wire_field_names[]. */
enum wire_field {
	WF_RID,		/* "rid"	request id, echoed in the reply */
	WF_CODE,	/* "code"	error code (enum wire_err) */
	WF_MSG,		/* "msg"	human-readable error text */
	WF_V,		/* "v"		protocol version */
	WF_NODE,	/* "node"	node public key, 32 bytes */
	WF_CHALLENGE,	/* "challenge"	32 random bytes to sign at login */
	WF_USER,	/* "user"	user public key (Ed25519), 32 bytes */
	WF_SIG,		/* "sig"	Ed25519 signature, 64 bytes */
	WF_NAME,	/* "name"	display or group name */
	WF_AREA,	/* "area"	area code */
	WF_ENROLL,	/* "enroll"	one-time enrollment code */
	WF_ROLE,	/* "role"	station role or group role */
	WF_SROLE,	/* "srole"	station role of a group member */
	WF_CERT,	/* "cert"	role certificate */
	WF_GROUP,	/* "group"	group id, 16 bytes */
	WF_APPROVAL,	/* "approval"	group requires join approval */
	WF_EPOCH,	/* "epoch"	key epoch */
	WF_BOX,		/* "box"	epoch key boxed to one member */
	WF_GROUPS,	/* "groups"	array of group records */
	WF_MEMBERS,	/* "members"	array of member records */
	WF_COUNT,	/* "count"	number of members */
	WF_TOKEN,	/* "token"	invite token, 16 bytes */
	WF_STATE,	/* "state"	membership state */
	WF_HDR,		/* "hdr"	canonical message header */
	WF_NONCE,	/* "nonce"	AEAD nonce, 24 bytes */
	WF_CT,		/* "ct"		ciphertext */
	WF_SEQ,		/* "seq"	per-group sequence number */
	WF_ID,		/* "id"		message id, 16 bytes */
	WF_SINCE,	/* "since"	return messages with seq > since */
	WF_LIMIT,	/* "limit"	maximum number of records */
	WF_MORE,	/* "more"	more records follow */
	WF_MSGS,	/* "msgs"	array of message records */
	WF_KEYS,	/* "keys"	array of key records */
	WF_FROM,	/* "from"	who boxed an epoch key */
	WF_TO,		/* "to"		whom an epoch key is boxed to */
	WF_TS,		/* "ts"		node time, milliseconds since the epoch */
	WF_SENDER_NAME,	/* "sender_name" sender's registered display name */
	WF_NEEDS,	/* "needs"	array of members lacking an epoch key */
	WF_MAX_TEXT,	/* "max_text"	largest text the node accepts */
	WF_FRAME,	/* "frame"	one encoded frame inside a batch */
	WF_FRAMES,	/* "frames"	array of frame records */
	WF_SALT,	/* "salt"	16 bytes: group id = H(founder || salt) */
	WF_FOUNDER,	/* "founder"	the group founder's public key */
	WF_EV,		/* "ev"		signed body of a moderation event */
	WF_EVENTS,	/* "events"	array of moderation log records */
	WF_REASON,	/* "reason"	why (tombstones) */
	WF_NOTE,	/* "note"	a flag reason boxed to one moderator */
	WF_NOTES,	/* "notes"	array of note records */
	WF_SLOW,	/* "slow"	slow mode interval, seconds */
	WF_ANNOUNCE,	/* "announce_only" only moderators post */
	WF_INVITE_MODS,	/* "invite_mods" only moderators invite */
	WF_PINNED,	/* "pinned"	seq of the pinned announcement */
	WF_MUTED,	/* "muted_until" node time in ms until which a member is muted */
	WF_META,	/* "meta"	a report's signed routing metadata */
	WF_BODY,	/* "body"	sealed content: nonce || ciphertext */
	WF_SEAL,	/* "seal"	a content key sealed to one reader */
	WF_SEALS,	/* "seals"	array of seal records */
	WF_KIND,	/* "kind"	report kind: fraud, dispute, non-police */
	WF_QUEUE,	/* "queue"	anti-fraud, mediation, transfer */
	WF_URGENT,	/* "urgent"	urgent report */
	WF_FRAUD_TYPE,	/* "fraud_type"	kind of fraud, for the figures */
	WF_CASE,	/* "case"	case id, 16 bytes */
	WF_CASES,	/* "cases"	array of case records */
	WF_ENTRY,	/* "entry"	a signed case log entry */
	WF_LOG,		/* "log"	array of case log records */
	WF_HANDLERS,	/* "handlers"	array of handler records */
	WF_ESCALATION,	/* "escalation"	array of handler records: the parent levels' readers */
	WF_DEADLINE,	/* "deadline"	node time in ms by which a case must be claimed */
	WF_HANDLER,	/* "handler"	who claimed a case */
	WF_DEPT,	/* "dept"	a department a case was transferred to */
	WF_DEPTS,	/* "depts"	array of department records */
	WF_REPORTER,	/* "reporter"	who reported */
	WF_CLAIMED,	/* "claimed"	node time in ms when a case was claimed */
	WF_MINE,	/* "mine"	only the caller's own reports */
	WF_ROWS,	/* "rows"	array of figure rows */
	WF_WEEK,	/* "week"	ISO week, e.g. 2026-W48 */
	WF_IN_TIME,	/* "in_time"	cases claimed before their deadline */
	WF_CLAIM_MS,	/* "claim_ms"	median time to claim */
	WF_ENV,		/* "env"	a signed warning envelope */
	WF_WARNINGS,	/* "warnings"	array of warning records */
	WF_ALL,		/* "all"	include superseded and expired ones */
	WF_ROOT,	/* "root"	the federation root public key */
	WF__COUNT
};

/* Frame kinds. Direction says who may send it. */
enum wire_kind {
	/* node -> client */
	WK_CHALLENGE,	/* sent on connect: sign it to log in */
	WK_ERROR,	/* a request failed, or a frame was rejected */
	WK_OK,		/* a request succeeded; may carry fields */
	WK_WELCOME,	/* reply to register / login */
	WK_GROUPS,	/* reply to group_list */
	WK_MEMBERS,	/* reply to group_members */
	WK_INVITE,	/* reply to invite_create */
	WK_JOINED,	/* reply to join */
	WK_ACK,		/* reply to send: stored durably */
	WK_MSGS,	/* reply to history */
	WK_KEYS,	/* reply to keys_get */
	WK_NEEDS,	/* reply to keys_needed; also pushed as an event */
	WK_EV_MSG,	/* event: a new message in a subscribed group */
	WK_EV_KEY,	/* event: an epoch key for you was stored */
	WK_BATCH,	/* several frames in one WebSocket message, in order */
	WK_MODLOG,	/* reply to mod_log */
	WK_FLAGS,	/* reply to flags_get */
	WK_EV_MOD,	/* event: a moderation event was applied */
	WK_EV_FLAGGED,	/* event: a member flagged a message to you (a moderator) */
	WK_QUEUE,	/* reply to queue_info */
	WK_REPORTED,	/* reply to report */
	WK_CASES,	/* reply to case_list */
	WK_CASE,	/* reply to case_get */
	WK_STATS,	/* reply to stats */
	WK_EV_CASE,	/* event: a step in a case you reported or handle */
	WK_WARNINGS,	/* reply to warn_list */
	WK_EV_WARNING,	/* event: a warning for your area was accepted */
	/* client -> node */
	WK_REGISTER,
	WK_LOGIN,
	WK_ROLE_GRANT,
	WK_GROUP_CREATE,
	WK_GROUP_LIST,
	WK_GROUP_MEMBERS,
	WK_INVITE_CREATE,
	WK_JOIN,
	WK_MODERATE,
	WK_MOD_LOG,
	WK_FLAG,
	WK_FLAGS_GET,
	WK_QUEUE_INFO,
	WK_REPORT,
	WK_CASE_LIST,
	WK_CASE_GET,
	WK_CASE_ACT,
	WK_STATS_GET,
	WK_WARN_ISSUE,
	WK_WARN_LIST,
	WK_SEND,
	WK_HISTORY,
	WK_KEYS_GET,
	WK_KEYS_PUT,
	WK_KEYS_NEEDED,
	WK_SUBSCRIBE,
	WK__COUNT
};

/* Schemas of nested records (elements of array fields). */
enum wire_record {
	WR_GROUP,	/* element of "groups" */
	WR_MEMBER,	/* element of "members" */
	WR_MSG,		/* element of "msgs", and the body of "msg" events */
	WR_KEY,		/* element of "keys" */
	WR_NEED,	/* element of "needs" */
	WR_FRAME,	/* element of "frames" */
	WR_MODEV,	/* element of "events" */
	WR_NOTE,	/* element of "notes" */
	WR_SEALREC,	/* element of "seals" */
	WR_HANDLER,	/* element of "handlers", "escalation" */
	WR_CASEREC,	/* element of "cases" */
	WR_CASEENT,	/* element of "log" */
	WR_DEPT,	/* element of "depts" */
	WR_STAT,	/* element of "rows" */
	WR_WARN,	/* element of "warnings" */
	WR__COUNT
};

#define WIRE_DIR_N2C	0x1
#define WIRE_DIR_C2N	0x2

struct wire_schema;

struct wire_fspec {
	uint8_t		 field;		/* enum wire_field */
	uint8_t		 type;		/* enum wire_type */
	uint8_t		 required;
	uint64_t	 min, max;	/* value, length or count bounds (inclusive) */
	const struct wire_schema *elem;	/* WT_ARRAY: schema of each element */
};

struct wire_schema {
	const char		*name;		/* wire name of the kind ("send"), or record name */
	uint8_t			 dir;		/* WIRE_DIR_* (0 for records) */
	uint8_t			 nfields;
	const struct wire_fspec	*fields;
};

struct wire_rec;

/*
 * One field value. On decode, p points into the frame's buffer (valid while the
 * frame lives) and an array's elements are msgpack objects read with wire_array_get().
 * On encode, an array is `recs[0..n)`.
 */
struct wire_val {
	uint8_t			 present;
	uint64_t		 u;		/* WT_UINT, WT_BOOL */
	const uint8_t		*p;		/* WT_STR, WT_BIN (strings are not NUL-terminated) */
	uint32_t		 len;		/* WT_STR, WT_BIN length; WT_ARRAY count */
	const msgpack_object	*arr;		/* decode: WT_ARRAY elements */
	const struct wire_rec	*recs;		/* encode: WT_ARRAY elements */
};

/* A decoded or to-be-encoded record: one value slot per field of the schema. */
struct wire_rec {
	const struct wire_schema *schema;
	struct wire_val		 f[WF__COUNT];
};

/* A decoded frame. Owns the msgpack zone its values point into. */
struct wire_frame {
	enum wire_kind		 kind;
	uint64_t		 rid;		/* 0 when absent */
	struct wire_rec		 r;
	msgpack_unpacked	 up;
	void			*buf;		/* private copy of the bytes */
};

extern const struct wire_schema wire_kinds[WK__COUNT];
extern const struct wire_schema wire_records[WR__COUNT];
extern const char *const wire_field_names[WF__COUNT];

/* Names and texts of error codes; "unknown" / a generic text for unknown codes. */
const char	*wire_err_name(int code);
const char	*wire_err_text(int code);

/*
 * Decode one frame of len bytes (copied; buf need not outlive the call). `dir` is the
 * direction the receiver accepts (WIRE_DIR_C2N on a node). On success returns WE_OK and
 * the caller must wire_frame_free(f). On failure returns the error code, frees
 * everything, and sets f->rid to the request id when it could be read (so the error
 * frame can name the request).
 */
int	 wire_decode(const void *buf, size_t len, int dir, struct wire_frame *f)
	    __attribute__((warn_unused_result));
void	 wire_frame_free(struct wire_frame *f);

/* Decode element i of decoded array value v with schema s into out. Returns WE_*. */
int	 wire_array_get(const struct wire_val *v, uint32_t i, const struct wire_schema *s,
	    struct wire_rec *out) __attribute__((warn_unused_result));

/* Record building. wire_rec_init clears r and sets its schema. */
void	 wire_rec_init(struct wire_rec *r, const struct wire_schema *s);
void	 wire_set_uint(struct wire_rec *r, enum wire_field f, uint64_t v);
void	 wire_set_bool(struct wire_rec *r, enum wire_field f, int v);
void	 wire_set_bin(struct wire_rec *r, enum wire_field f, const void *p, size_t len);
void	 wire_set_str(struct wire_rec *r, enum wire_field f, const char *s);	/* NUL-terminated */
void	 wire_set_array(struct wire_rec *r, enum wire_field f, const struct wire_rec *recs,
	    uint32_t n);

/*
 * Encode frame kind k with request id rid (0: none) and the fields of r, appending
 * to sb. The fields are written in schema order, so equal records give equal bytes.
 * Returns WE_OK, or the error the receiver would report (a bug in the caller).
 */
int	 wire_encode(enum wire_kind k, uint64_t rid, const struct wire_rec *r,
	    msgpack_sbuffer *sb) __attribute__((warn_unused_result));

/* Encode an error frame. */
void	 wire_encode_error(uint64_t rid, int code, const char *msg, msgpack_sbuffer *sb);

/* Accessors for decoded values (the field must be present, as the schema guarantees). */
static inline uint64_t
wire_u(const struct wire_rec *r, enum wire_field f)
{
	return r->f[f].u;
}

static inline int
wire_has(const struct wire_rec *r, enum wire_field f)
{
	return r->f[f].present;
}

/* Copy a string value into dst (NUL-terminated, truncated to dstlen - 1). */
void	 wire_str(const struct wire_rec *r, enum wire_field f, char *dst, size_t dstlen);

#endif
