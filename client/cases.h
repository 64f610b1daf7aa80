/*
 * cases.h: citizen reports and their cases as the client sees them: sealing a
 * report to the readers of its queue, acting on a case with a signed entry, and
 * fetching a case with every byte the node returns checked (formats: proto/case.h).
 *
 * Nothing about a case is shown as verified unless it checks here: the report's
 * metadata must be signed by the reporter it names, carry the case id and agree
 * with what the node lists; each log entry must decode, name the case and be
 * signed by its actor. An actor equal to the pinned node key is the node itself
 * (a deadline escalation). Sealed contents open only with a seal made for us.
 *
 * Sealed contents and their associated data (AD):
 *     report body	the metadata bytes (proto/case.h)
 *     note		the bytes of the note's own entry, so the text cannot be moved
 *			to another entry; plaintext is a report body {"text"}
 *     agreement	the case id; the document's hash is the agree entry's arg
 * Each is sealed to the queue's handlers, the escalation readers and the reporter
 * (an agreement also to its parties), and to the sender.
 */
#ifndef YISHI_CLIENT_CASES_H
#define YISHI_CLIENT_CASES_H

#include <stddef.h>
#include <stdint.h>

#include "client/cerr.h"
#include "client/session.h"
#include "proto/case.h"
#include "proto/crypto.h"
#include "proto/wire.h"

#define CASES_STATE_MAX	16
#define CASES_HEX_ID	(CASE_ID_BYTES * 2 + 1)

/* A reader of a queue: a handler, or a parent level's escalation reader. */
struct cases_reader {
	uint8_t		user[YISHI_PK_BYTES];
	char		name[WIRE_MAX_NAME + 1];
};

/* What queue_info says about the queue a kind is routed to. */
struct cases_queue {
	int			 kind;		/* enum report_kind */
	char			 queue[CASES_STATE_MAX + 1];
	struct cases_reader	*handlers;
	size_t			 nhandlers;
	struct cases_reader	*escalation;
	size_t			 nescalation;
	char			(*depts)[WIRE_MAX_NAME + 1];
	size_t			 ndepts;
	uint64_t		 deadline_ms;	/* non-urgent claim deadline, informative */
};

/* Fetch the queue of kind; the caller frees it with cases_queue_free(). */
int	 cases_queue_fetch(struct cases_queue *q, struct session *s, int kind, struct cerr *e)
	    __attribute__((warn_unused_result));
void	 cases_queue_free(struct cases_queue *q);
/* The listed name of user among the queue's readers, or NULL. */
const char *cases_queue_name(const struct cases_queue *q, const uint8_t user[YISHI_PK_BYTES]);

/* The seals of one content key, one per reader (duplicates are dropped). */
struct cases_seals {
	uint8_t		(*to)[YISHI_PK_BYTES];
	uint8_t		(*seal)[REPORT_SEAL_BYTES];
	struct wire_rec	*recs;		/* "seals" records pointing into to / seal */
	size_t		 n, cap;
};

void	 cases_seals_init(struct cases_seals *ss);
void	 cases_seals_free(struct cases_seals *ss);
/* Seal key to pk unless already done; -1 with e set. */
int	 cases_seals_add(struct cases_seals *ss, const uint8_t key[YISHI_KEY_BYTES],
	    const uint8_t pk[YISHI_PK_BYTES], struct cerr *e) __attribute__((warn_unused_result));
/* Seal key to every reader of q (handlers, escalation). */
int	 cases_seals_add_queue(struct cases_seals *ss, const uint8_t key[YISHI_KEY_BYTES],
	    const struct cases_queue *q, struct cerr *e) __attribute__((warn_unused_result));

/*
 * Seal and submit report m (id, reporter, ts filled here) with body b to the
 * readers of q and to me. On success *deadline (node ms) and queue are set.
 */
int	 cases_report(struct session *s, const struct ident *me, struct report_meta *m,
	    const struct report_body *b, const struct cases_queue *q, uint64_t *deadline,
	    char queue[CASES_STATE_MAX + 1], struct cerr *e) __attribute__((warn_unused_result));

/* A new entry by me on case id: fresh entry id, the current time. */
void	 cases_entry_new(struct case_entry *ent, const struct ident *me,
	    const uint8_t id[CASE_ID_BYTES], int action, const char *arg);
/*
 * Sign and submit ent, with sealed content body and its seals if not NULL; *seq
 * receives the entry's place in the log. -1 with e set (the node's refusal).
 */
int	 cases_submit(struct session *s, const struct ident *me, const struct case_entry *ent,
	    const uint8_t *body, size_t bodylen, const struct cases_seals *seals, uint64_t *seq,
	    struct cerr *e) __attribute__((warn_unused_result));

/* One log record, checked. */
struct cases_entry {
	uint64_t		 seq, ts;	/* node's place and time */
	uint8_t			 raw[CASE_ENTRY_MAX];
	size_t			 rawlen;
	uint8_t			 sig[YISHI_SIG_BYTES];
	int			 decoded;	/* ent is valid */
	struct case_entry	 ent;
	int			 verified;	/* signed by ent.actor, names the case */
	int			 by_node;	/* ent.actor is the pinned node key */
	char			 why[160];	/* why it does not verify */
	int			 sealed;	/* a sealed content came with it */
	int			 opened;	/* ... and opened with our seal */
	char			 open_why[120];	/* why not */
	char			*text;		/* a note's text (opened), else NULL */
	uint8_t			*doc;		/* an agreement document (opened), else NULL */
	size_t			 doclen;
	struct agreement	*agr;		/* doc decoded, hash equal to the arg */
};

/* A case as case_get returns it, checked; body and notes opened where we can. */
struct cases_case {
	uint8_t			 id[CASE_ID_BYTES];
	char			 hex[CASES_HEX_ID];
	char			 kind[CASES_STATE_MAX + 1], queue[CASES_STATE_MAX + 1];
	char			 state[CASES_STATE_MAX + 1];
	char			 area[WIRE_MAX_AREA + 1], fraud_type[33], dept[65];
	int			 urgent;
	uint64_t		 ts, deadline, claimed;
	uint8_t			 reporter[YISHI_PK_BYTES];
	int			 has_handler;
	uint8_t			 handler[YISHI_PK_BYTES];
	int			 meta_ok;	/* meta signed by the reporter, matches */
	char			 meta_why[160];
	struct report_meta	 meta;
	int			 body_state;	/* 1 opened, 0 no seal for us, -1 failed */
	char			 body_why[120];
	struct report_body	*body;
	uint8_t			*body_pt;	/* the opened body: attachments point into it */
	size_t			 body_ptlen;
	struct cases_entry	*log;
	size_t			 nlog;
};

/*
 * Fetch case id and check it. node_pk is the pinned node key. The caller frees cc
 * with cases_free(). -1 with e set if the node refuses or sends something malformed.
 */
int	 cases_fetch(struct cases_case *cc, struct session *s, const struct ident *me,
	    const uint8_t node_pk[YISHI_PK_BYTES], const uint8_t id[CASE_ID_BYTES],
	    struct cerr *e) __attribute__((warn_unused_result));
void	 cases_free(struct cases_case *cc);

/*
 * Check a pushed entry (a "case_ev" event or a log record) into out: decode, the case
 * it names, the actor's signature.
 */
void	 cases_check_entry(struct cases_entry *out, const uint8_t id[CASE_ID_BYTES],
	    const uint8_t *raw, size_t rawlen, const uint8_t sig[YISHI_SIG_BYTES],
	    const uint8_t node_pk[YISHI_PK_BYTES]);

/* The latest agree entry of cc that opened and checks, or NULL. */
const struct cases_entry *cases_agreement(const struct cases_case *cc);

/*
 * Resolve a case named on the command line: 32 hex digits, or a unique prefix of
 * at least 6 hex digits among the cases case_list shows us.
 */
int	 cases_resolve(struct session *s, const char *arg, uint8_t id[CASE_ID_BYTES],
	    struct cerr *e) __attribute__((warn_unused_result));

/*
 * Encode the signed agreement of cc (cases_agreement) with the mediator's agree entry
 * and each party's first sign entry for its hash as the file proto/case.h describes,
 * into sb. -1 with e set if there is no agreement we can read.
 */
int	 cases_export(const struct cases_case *cc, msgpack_sbuffer *sb, struct cerr *e)
	    __attribute__((warn_unused_result));

#endif
