/*
 * wire_schema.c: every frame kind and nested record, with its fields, types and
 * bounds. The codec (wire.c), docs/protocol.md and the tests follow this table.
 */
#include "proto/wire.h"

#define KEYBOX_BYTES	72	/* 24-byte nonce + 32-byte key + 16-byte tag (crypto.h) */
#define NOTE_MIN	40	/* 24-byte nonce + 16-byte tag: an empty reason (modev.h) */
#define NOTE_MAX	296	/* and a 256-byte one */
#define EV_MAX		512	/* MOD_EVENT_MAX (modev.h) */
#define META_MAX	256	/* REPORT_META_MAX (case.h) */
#define SEAL_BYTES	80	/* REPORT_SEAL_BYTES (case.h) */
#define BODY_MAX	(57344 + 40)	/* REPORT_BODY_MAX (case.h) + nonce and tag */
#define ENTRY_MAX	320	/* CASE_ENTRY_MAX (case.h) */

const char *const wire_field_names[WF__COUNT] = {
	[WF_RID] = "rid",		[WF_CODE] = "code",
	[WF_MSG] = "msg",		[WF_V] = "v",
	[WF_NODE] = "node",		[WF_CHALLENGE] = "challenge",
	[WF_USER] = "user",		[WF_SIG] = "sig",
	[WF_NAME] = "name",		[WF_AREA] = "area",
	[WF_ENROLL] = "enroll",		[WF_ROLE] = "role",
	[WF_SROLE] = "srole",		[WF_CERT] = "cert",
	[WF_GROUP] = "group",		[WF_APPROVAL] = "approval",
	[WF_EPOCH] = "epoch",		[WF_BOX] = "box",
	[WF_GROUPS] = "groups",		[WF_MEMBERS] = "members",
	[WF_COUNT] = "count",		[WF_TOKEN] = "token",
	[WF_STATE] = "state",
	[WF_HDR] = "hdr",		[WF_NONCE] = "nonce",
	[WF_CT] = "ct",			[WF_SEQ] = "seq",
	[WF_ID] = "id",			[WF_SINCE] = "since",
	[WF_LIMIT] = "limit",		[WF_MORE] = "more",
	[WF_MSGS] = "msgs",		[WF_KEYS] = "keys",
	[WF_FROM] = "from",		[WF_TO] = "to",
	[WF_TS] = "ts",			[WF_SENDER_NAME] = "sender_name",
	[WF_NEEDS] = "needs",		[WF_MAX_TEXT] = "max_text",
	[WF_FRAME] = "frame",		[WF_FRAMES] = "frames",
	[WF_SALT] = "salt",		[WF_FOUNDER] = "founder",
	[WF_EV] = "ev",			[WF_EVENTS] = "events",
	[WF_REASON] = "reason",		[WF_NOTE] = "note",
	[WF_NOTES] = "notes",		[WF_SLOW] = "slow",
	[WF_ANNOUNCE] = "announce_only", [WF_INVITE_MODS] = "invite_mods",
	[WF_PINNED] = "pinned",		[WF_MUTED] = "muted_until",
	[WF_META] = "meta",		[WF_BODY] = "body",
	[WF_SEAL] = "seal",		[WF_SEALS] = "seals",
	[WF_KIND] = "kind",		[WF_QUEUE] = "queue",
	[WF_URGENT] = "urgent",		[WF_FRAUD_TYPE] = "fraud_type",
	[WF_CASE] = "case",		[WF_CASES] = "cases",
	[WF_ENTRY] = "entry",		[WF_LOG] = "log",
	[WF_HANDLERS] = "handlers",	[WF_ESCALATION] = "escalation",
	[WF_DEADLINE] = "deadline",	[WF_HANDLER] = "handler",
	[WF_DEPT] = "dept",		[WF_DEPTS] = "depts",
	[WF_REPORTER] = "reporter",	[WF_CLAIMED] = "claimed",
	[WF_MINE] = "mine",		[WF_ROWS] = "rows",
	[WF_WEEK] = "week",		[WF_IN_TIME] = "in_time",
	[WF_CLAIM_MS] = "claim_ms",
	[WF_ENV] = "env",		[WF_WARNINGS] = "warnings",
	[WF_ALL] = "all",		[WF_ROOT] = "root",
};

#define REQ	1
#define OPT	0
#define U64MAX	UINT64_MAX
#define F(fl, ty, rq, lo, hi)		{ WF_##fl, WT_##ty, rq, lo, hi, NULL }
#define A(fl, rq, lo, hi, rec)		{ WF_##fl, WT_ARRAY, rq, lo, hi, &wire_records[rec] }
#define FIELDS(x)			(uint8_t)(sizeof(x) / sizeof((x)[0])), x

/* Fields shared by several kinds. */
#define F_USER(rq)	F(USER, BIN, rq, 32, 32)
#define F_GROUP(rq)	F(GROUP, BIN, rq, 16, 16)
#define F_SIG(rq)	F(SIG, BIN, rq, 64, 64)
#define F_NAME(rq)	F(NAME, STR, rq, 1, WIRE_MAX_NAME)
#define F_AREA(rq)	F(AREA, STR, rq, 1, WIRE_MAX_AREA)
#define F_EPOCH(rq)	F(EPOCH, UINT, rq, 1, UINT32_MAX)
#define F_SEQ(rq)	F(SEQ, UINT, rq, 1, U64MAX)
#define F_TS(rq)	F(TS, UINT, rq, 0, U64MAX)
#define F_ROLE(rq)	F(ROLE, STR, rq, 1, 16)

/* Records. */
static const struct wire_fspec r_group[] = {
	F_GROUP(REQ), F_NAME(REQ), F_AREA(REQ), F_EPOCH(REQ), F_ROLE(REQ),
	F(STATE, STR, REQ, 1, 16), F(COUNT, UINT, REQ, 0, U64MAX), F(APPROVAL, BOOL, REQ, 0, 1),
	F(FOUNDER, BIN, REQ, 32, 32), F(SALT, BIN, REQ, 16, 16), F(SLOW, UINT, REQ, 0, U64MAX),
	F(ANNOUNCE, BOOL, REQ, 0, 1), F(INVITE_MODS, BOOL, REQ, 0, 1), F(PINNED, UINT, REQ, 0, U64MAX),
};
static const struct wire_fspec r_member[] = {
	F_USER(REQ), F_NAME(REQ), F_ROLE(REQ), F(SROLE, STR, REQ, 1, 16), F(STATE, STR, REQ, 1, 16),
	F(MUTED, UINT, REQ, 0, U64MAX),
};
/* A message, or what is left of it once redacted: seq, ts, from (who) and reason. */
static const struct wire_fspec r_msg[] = {
	F_SEQ(REQ), F(HDR, BIN, OPT, 1, 128), F(NONCE, BIN, OPT, 24, 24),
	F(CT, BIN, OPT, 16, WIRE_MAX_CT), F_SIG(OPT), F(SENDER_NAME, STR, REQ, 0, WIRE_MAX_NAME),
	F_TS(REQ), F(FROM, BIN, OPT, 32, 32), F(REASON, STR, OPT, 0, 256),
};
static const struct wire_fspec r_key[] = {
	F_EPOCH(OPT), F(FROM, BIN, OPT, 32, 32), F(TO, BIN, OPT, 32, 32),
	F(BOX, BIN, REQ, KEYBOX_BYTES, KEYBOX_BYTES),
};
static const struct wire_fspec r_need[] = {
	F_GROUP(REQ), F_EPOCH(REQ), F_USER(REQ),
};
static const struct wire_fspec r_modev[] = {
	F_SEQ(REQ), F(EV, BIN, REQ, 1, EV_MAX), F_SIG(REQ), F_TS(REQ), F(USER, BIN, OPT, 32, 32),
};
static const struct wire_fspec r_note[] = {
	F(TO, BIN, OPT, 32, 32), F(FROM, BIN, OPT, 32, 32), F_SEQ(OPT),
	F(NOTE, BIN, REQ, NOTE_MIN, NOTE_MAX), F_TS(OPT),
};
static const struct wire_fspec r_seal[] = {
	F(TO, BIN, REQ, 32, 32), F(SEAL, BIN, REQ, SEAL_BYTES, SEAL_BYTES),
};
static const struct wire_fspec r_handler[] = {
	F_USER(REQ), F_NAME(REQ),
};
static const struct wire_fspec r_caserec[] = {
	F(CASE, BIN, REQ, 16, 16), F(KIND, STR, REQ, 1, 16), F(QUEUE, STR, REQ, 1, 16),
	F(URGENT, BOOL, REQ, 0, 1), F_AREA(REQ), F(FRAUD_TYPE, STR, REQ, 0, 32),
	F(STATE, STR, REQ, 1, 16), F_TS(REQ), F(DEADLINE, UINT, REQ, 0, U64MAX),
	F(REPORTER, BIN, REQ, 32, 32), F(HANDLER, BIN, OPT, 32, 32), F(CLAIMED, UINT, OPT, 0, U64MAX),
	F(DEPT, STR, OPT, 1, 64),
};
static const struct wire_fspec r_caseent[] = {
	F_SEQ(REQ), F(ENTRY, BIN, REQ, 1, ENTRY_MAX), F_SIG(REQ), F_TS(REQ),
	F(BODY, BIN, OPT, 40, BODY_MAX), F(SEAL, BIN, OPT, SEAL_BYTES, SEAL_BYTES),
};
static const struct wire_fspec r_dept[] = {
	F_NAME(REQ),
};
static const struct wire_fspec r_stat[] = {
	F(WEEK, STR, REQ, 1, 16), F(KIND, STR, REQ, 1, 16), F_AREA(REQ),
	F(FRAUD_TYPE, STR, REQ, 0, 32), F(STATE, STR, REQ, 1, 16), F(COUNT, UINT, REQ, 0, U64MAX),
	F(CLAIMED, UINT, REQ, 0, U64MAX), F(IN_TIME, UINT, REQ, 0, U64MAX),
	F(CLAIM_MS, UINT, REQ, 0, U64MAX),
};
static const struct wire_fspec r_warn[] = {
	F(ENV, BIN, REQ, 1, WIRE_MAX_ENV), F_TS(REQ), F(STATE, STR, REQ, 1, 16),
};
/* A frame inside a batch: the complete encoding of one node -> client frame. */
static const struct wire_fspec r_frame[] = {
	F(FRAME, BIN, REQ, 1, WIRE_MAX_IN_CLIENT),
};

const struct wire_schema wire_records[WR__COUNT] = {
	[WR_GROUP] = { "group", 0, FIELDS(r_group) },
	[WR_MEMBER] = { "member", 0, FIELDS(r_member) },
	[WR_MSG] = { "message", 0, FIELDS(r_msg) },
	[WR_KEY] = { "key", 0, FIELDS(r_key) },
	[WR_NEED] = { "need", 0, FIELDS(r_need) },
	[WR_FRAME] = { "frame", 0, FIELDS(r_frame) },
	[WR_MODEV] = { "modev", 0, FIELDS(r_modev) },
	[WR_NOTE] = { "note", 0, FIELDS(r_note) },
	[WR_SEALREC] = { "seal", 0, FIELDS(r_seal) },
	[WR_HANDLER] = { "handler", 0, FIELDS(r_handler) },
	[WR_CASEREC] = { "case", 0, FIELDS(r_caserec) },
	[WR_CASEENT] = { "case entry", 0, FIELDS(r_caseent) },
	[WR_DEPT] = { "dept", 0, FIELDS(r_dept) },
	[WR_STAT] = { "stat", 0, FIELDS(r_stat) },
	[WR_WARN] = { "warning", 0, FIELDS(r_warn) },
};

/* node -> client */
static const struct wire_fspec k_challenge[] = {
	F(V, UINT, REQ, 1, 255), F(NODE, BIN, REQ, 32, 32), F(CHALLENGE, BIN, REQ, 32, 32),
	F_NAME(REQ), F_AREA(REQ), F(MAX_TEXT, UINT, REQ, 1, U64MAX),
};
static const struct wire_fspec k_error[] = {
	F(CODE, UINT, REQ, 1, 65535), F(MSG, STR, REQ, 0, 256),
};
static const struct wire_fspec k_ok[] = {
	F(CERT, BIN, OPT, 1, 512), F_SEQ(OPT), F_EPOCH(OPT),
};
static const struct wire_fspec k_welcome[] = {
	F_USER(REQ), F_NAME(REQ), F_ROLE(REQ), F(CERT, BIN, REQ, 1, 512),
};
static const struct wire_fspec k_groups[] = {
	A(GROUPS, REQ, 0, WIRE_MAX_ARRAY, WR_GROUP),
};
static const struct wire_fspec k_members[] = {
	F_GROUP(REQ), A(MEMBERS, REQ, 0, WIRE_MAX_ARRAY, WR_MEMBER),
};
static const struct wire_fspec k_invite[] = {
	F_GROUP(REQ), F(TOKEN, BIN, REQ, 16, 16), F_TS(REQ),
};
static const struct wire_fspec k_joined[] = {
	F_GROUP(REQ), F_NAME(REQ), F(STATE, STR, REQ, 1, 16), F_EPOCH(REQ),
};
static const struct wire_fspec k_ack[] = {
	F_GROUP(REQ), F_SEQ(REQ), F(ID, BIN, REQ, 16, 16), F_TS(REQ),
};
static const struct wire_fspec k_msgs[] = {
	F_GROUP(REQ), A(MSGS, REQ, 0, WIRE_MAX_ARRAY, WR_MSG), F(MORE, BOOL, REQ, 0, 1),
};
static const struct wire_fspec k_keys[] = {
	F_GROUP(REQ), A(KEYS, REQ, 0, WIRE_MAX_ARRAY, WR_KEY),
};
static const struct wire_fspec k_needs[] = {
	A(NEEDS, REQ, 0, WIRE_MAX_ARRAY, WR_NEED),
};
static const struct wire_fspec k_ev_msg[] = {
	F_GROUP(REQ), F_SEQ(REQ), F(HDR, BIN, REQ, 1, 128), F(NONCE, BIN, REQ, 24, 24),
	F(CT, BIN, REQ, 16, WIRE_MAX_CT), F_SIG(REQ), F(SENDER_NAME, STR, REQ, 0, WIRE_MAX_NAME),
	F_TS(REQ),
};
static const struct wire_fspec k_ev_key[] = {
	F_GROUP(REQ), F_EPOCH(REQ),
};
static const struct wire_fspec k_modlog[] = {
	F_GROUP(OPT), A(EVENTS, REQ, 0, WIRE_MAX_ARRAY, WR_MODEV), F(MORE, BOOL, REQ, 0, 1),
};
static const struct wire_fspec k_flags[] = {
	F_GROUP(REQ), A(NOTES, REQ, 0, WIRE_MAX_ARRAY, WR_NOTE),
};
static const struct wire_fspec k_ev_mod[] = {
	F_GROUP(OPT), F_SEQ(REQ), F(EV, BIN, REQ, 1, EV_MAX), F_SIG(REQ), F_TS(REQ),
};
static const struct wire_fspec k_ev_flagged[] = {
	F_GROUP(REQ), F_SEQ(REQ), F(FROM, BIN, REQ, 32, 32), F(NOTE, BIN, REQ, NOTE_MIN, NOTE_MAX),
	F_TS(REQ),
};
static const struct wire_fspec k_queue[] = {
	F(KIND, STR, REQ, 1, 16), F(QUEUE, STR, REQ, 1, 16),
	A(HANDLERS, REQ, 0, WIRE_MAX_ARRAY, WR_HANDLER), A(ESCALATION, REQ, 0, 16, WR_HANDLER),
	A(DEPTS, REQ, 0, 64, WR_DEPT), F(DEADLINE, UINT, REQ, 0, U64MAX),
};
static const struct wire_fspec k_reported[] = {
	F(CASE, BIN, REQ, 16, 16), F(QUEUE, STR, REQ, 1, 16), F(DEADLINE, UINT, REQ, 0, U64MAX),
};
static const struct wire_fspec k_cases[] = {
	A(CASES, REQ, 0, WIRE_MAX_ARRAY, WR_CASEREC),
};
static const struct wire_fspec k_case[] = {
	F(CASE, BIN, REQ, 16, 16), F(KIND, STR, REQ, 1, 16), F(QUEUE, STR, REQ, 1, 16),
	F(URGENT, BOOL, REQ, 0, 1), F_AREA(REQ), F(FRAUD_TYPE, STR, REQ, 0, 32),
	F(STATE, STR, REQ, 1, 16), F_TS(REQ), F(DEADLINE, UINT, REQ, 0, U64MAX),
	F(REPORTER, BIN, REQ, 32, 32), F(HANDLER, BIN, OPT, 32, 32), F(CLAIMED, UINT, OPT, 0, U64MAX),
	F(DEPT, STR, OPT, 1, 64), F(META, BIN, REQ, 1, META_MAX), F_SIG(REQ),
	F(BODY, BIN, REQ, 40, BODY_MAX), F(SEAL, BIN, OPT, SEAL_BYTES, SEAL_BYTES),
	A(LOG, REQ, 0, WIRE_MAX_ARRAY, WR_CASEENT),
};
static const struct wire_fspec k_stats[] = {
	A(ROWS, REQ, 0, WIRE_MAX_ARRAY, WR_STAT),
};
static const struct wire_fspec k_ev_case[] = {
	F(CASE, BIN, REQ, 16, 16), F_SEQ(REQ), F(ENTRY, BIN, REQ, 1, ENTRY_MAX), F_SIG(REQ), F_TS(REQ),
};
static const struct wire_fspec k_warnings[] = {
	A(WARNINGS, REQ, 0, WIRE_MAX_ARRAY, WR_WARN), F(ROOT, BIN, OPT, 32, 32),
};
static const struct wire_fspec k_ev_warning[] = {
	F(ENV, BIN, REQ, 1, WIRE_MAX_ENV), F_TS(REQ),
};
static const struct wire_fspec k_batch[] = {
	A(FRAMES, REQ, 2, WIRE_MAX_ARRAY, WR_FRAME),
};

/* client -> node */
static const struct wire_fspec k_register[] = {
	F_USER(REQ), F_NAME(REQ), F_SIG(REQ), F(ENROLL, STR, OPT, 1, 64),
};
static const struct wire_fspec k_login[] = {
	F_USER(REQ), F_SIG(REQ),
};
static const struct wire_fspec k_role_grant[] = {
	F_USER(REQ), F_ROLE(REQ),
};
static const struct wire_fspec k_group_create[] = {
	F_GROUP(REQ), F(SALT, BIN, REQ, 16, 16), F_NAME(REQ), F_AREA(REQ),
	F(APPROVAL, BOOL, OPT, 0, 1), F(BOX, BIN, REQ, KEYBOX_BYTES, KEYBOX_BYTES),
};
static const struct wire_fspec k_group_only[] = {
	F_GROUP(REQ),
};
static const struct wire_fspec k_join[] = {
	F(TOKEN, BIN, REQ, 16, 16),
};
static const struct wire_fspec k_moderate[] = {
	F(EV, BIN, REQ, 1, EV_MAX), F_SIG(REQ),
};
static const struct wire_fspec k_queue_info[] = {
	F(KIND, STR, REQ, 1, 16),
};
static const struct wire_fspec k_report[] = {
	F(META, BIN, REQ, 1, META_MAX), F_SIG(REQ), F(BODY, BIN, REQ, 40, BODY_MAX),
	A(SEALS, REQ, 1, 256, WR_SEALREC),
};
static const struct wire_fspec k_case_list[] = {
	F(QUEUE, STR, OPT, 1, 16), F(STATE, STR, OPT, 1, 16), F(MINE, BOOL, OPT, 0, 1),
};
static const struct wire_fspec k_case_get[] = {
	F(CASE, BIN, REQ, 16, 16),
};
static const struct wire_fspec k_case_act[] = {
	F(ENTRY, BIN, REQ, 1, ENTRY_MAX), F_SIG(REQ), F(BODY, BIN, OPT, 40, BODY_MAX),
	A(SEALS, OPT, 1, 256, WR_SEALREC),
};
static const struct wire_fspec k_stats_get[] = {
	F(SINCE, UINT, OPT, 0, U64MAX),
};
static const struct wire_fspec k_warn_issue[] = {
	F(ENV, BIN, REQ, 1, WIRE_MAX_ENV),
};
static const struct wire_fspec k_warn_list[] = {
	F(ALL, BOOL, OPT, 0, 1),
};
static const struct wire_fspec k_mod_log[] = {
	F_GROUP(OPT), F(SINCE, UINT, OPT, 0, U64MAX), F(LIMIT, UINT, OPT, 1, WIRE_MAX_ARRAY),
};
static const struct wire_fspec k_flag[] = {
	F_GROUP(REQ), F_SEQ(REQ), A(NOTES, REQ, 1, 64, WR_NOTE),
};
static const struct wire_fspec k_send[] = {
	F(HDR, BIN, REQ, 1, 128), F(NONCE, BIN, REQ, 24, 24), F(CT, BIN, REQ, 16, WIRE_MAX_CT),
	F_SIG(REQ),
};
static const struct wire_fspec k_history[] = {
	F_GROUP(REQ), F(SINCE, UINT, OPT, 0, U64MAX), F(LIMIT, UINT, OPT, 1, WIRE_MAX_ARRAY),
};
static const struct wire_fspec k_keys_put[] = {
	F_GROUP(REQ), F_EPOCH(REQ), A(KEYS, REQ, 1, WIRE_MAX_ARRAY, WR_KEY),
};
static const struct wire_fspec k_group_opt[] = {
	F_GROUP(OPT),
};
static const struct wire_fspec k_none[1];

#define N2C	WIRE_DIR_N2C
#define C2N	WIRE_DIR_C2N

const struct wire_schema wire_kinds[WK__COUNT] = {
	[WK_CHALLENGE] = { "challenge", N2C, FIELDS(k_challenge) },
	[WK_ERROR] = { "error", N2C, FIELDS(k_error) },
	[WK_OK] = { "ok", N2C, FIELDS(k_ok) },
	[WK_WELCOME] = { "welcome", N2C, FIELDS(k_welcome) },
	[WK_GROUPS] = { "groups", N2C, FIELDS(k_groups) },
	[WK_MEMBERS] = { "members", N2C, FIELDS(k_members) },
	[WK_INVITE] = { "invite", N2C, FIELDS(k_invite) },
	[WK_JOINED] = { "joined", N2C, FIELDS(k_joined) },
	[WK_ACK] = { "ack", N2C, FIELDS(k_ack) },
	[WK_MSGS] = { "msgs", N2C, FIELDS(k_msgs) },
	[WK_KEYS] = { "keys", N2C, FIELDS(k_keys) },
	[WK_NEEDS] = { "needs", N2C, FIELDS(k_needs) },
	[WK_EV_MSG] = { "msg", N2C, FIELDS(k_ev_msg) },
	[WK_EV_KEY] = { "key", N2C, FIELDS(k_ev_key) },
	[WK_BATCH] = { "batch", N2C, FIELDS(k_batch) },
	[WK_MODLOG] = { "modlog", N2C, FIELDS(k_modlog) },
	[WK_FLAGS] = { "flags", N2C, FIELDS(k_flags) },
	[WK_EV_MOD] = { "modev", N2C, FIELDS(k_ev_mod) },
	[WK_EV_FLAGGED] = { "flagged", N2C, FIELDS(k_ev_flagged) },
	[WK_QUEUE] = { "queue", N2C, FIELDS(k_queue) },
	[WK_REPORTED] = { "reported", N2C, FIELDS(k_reported) },
	[WK_CASES] = { "cases", N2C, FIELDS(k_cases) },
	[WK_CASE] = { "case", N2C, FIELDS(k_case) },
	[WK_STATS] = { "stats", N2C, FIELDS(k_stats) },
	[WK_EV_CASE] = { "case_ev", N2C, FIELDS(k_ev_case) },
	[WK_WARNINGS] = { "warnings", N2C, FIELDS(k_warnings) },
	[WK_EV_WARNING] = { "warning", N2C, FIELDS(k_ev_warning) },
	[WK_REGISTER] = { "register", C2N, FIELDS(k_register) },
	[WK_LOGIN] = { "login", C2N, FIELDS(k_login) },
	[WK_ROLE_GRANT] = { "role_grant", C2N, FIELDS(k_role_grant) },
	[WK_GROUP_CREATE] = { "group_create", C2N, FIELDS(k_group_create) },
	[WK_GROUP_LIST] = { "group_list", C2N, 0, k_none },
	[WK_GROUP_MEMBERS] = { "group_members", C2N, FIELDS(k_group_only) },
	[WK_INVITE_CREATE] = { "invite_create", C2N, FIELDS(k_group_only) },
	[WK_JOIN] = { "join", C2N, FIELDS(k_join) },
	[WK_MODERATE] = { "moderate", C2N, FIELDS(k_moderate) },
	[WK_MOD_LOG] = { "mod_log", C2N, FIELDS(k_mod_log) },
	[WK_FLAG] = { "flag", C2N, FIELDS(k_flag) },
	[WK_FLAGS_GET] = { "flags_get", C2N, FIELDS(k_group_only) },
	[WK_QUEUE_INFO] = { "queue_info", C2N, FIELDS(k_queue_info) },
	[WK_REPORT] = { "report", C2N, FIELDS(k_report) },
	[WK_CASE_LIST] = { "case_list", C2N, FIELDS(k_case_list) },
	[WK_CASE_GET] = { "case_get", C2N, FIELDS(k_case_get) },
	[WK_CASE_ACT] = { "case_act", C2N, FIELDS(k_case_act) },
	[WK_STATS_GET] = { "stats_get", C2N, FIELDS(k_stats_get) },
	[WK_WARN_ISSUE] = { "warn_issue", C2N, FIELDS(k_warn_issue) },
	[WK_WARN_LIST] = { "warn_list", C2N, FIELDS(k_warn_list) },
	[WK_SEND] = { "send", C2N, FIELDS(k_send) },
	[WK_HISTORY] = { "history", C2N, FIELDS(k_history) },
	[WK_KEYS_GET] = { "keys_get", C2N, FIELDS(k_group_only) },
	[WK_KEYS_PUT] = { "keys_put", C2N, FIELDS(k_keys_put) },
	[WK_KEYS_NEEDED] = { "keys_needed", C2N, FIELDS(k_group_opt) },
	[WK_SUBSCRIBE] = { "subscribe", C2N, FIELDS(k_group_opt) },
};
