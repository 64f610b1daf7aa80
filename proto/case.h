/*
 * case.h: citizen reports and the signed log of each case.
 *
 * A report has cleartext routing metadata, signed by the reporter:
 *     ["yishi/report/1", id, reporter, kind, urgent, area, ts_ms, fraud_type, ref_group, ref_seq]
 * and a body the node cannot read: body = nonce(24) || XChaCha20-Poly1305(body plaintext,
 * AD = metadata bytes, body key). The body key is sealed (crypto_box_seal) to each
 * handler of the destination queue, to the escalation keys the node publishes, and to
 * the reporter: seal = 80 bytes.
 *
 * Every step of a case is an entry signed by its actor (a handler, a party, or the node):
 *     ["yishi/case/1", case_id, action, actor, arg, ts_ms, id]
 * A mediation agreement is a document
 *     ["yishi/agreement/1", case_id, mediator, [party, ...], text, ts_ms]
 * sealed like a report body; its BLAKE2b-256 hash (hex) is the arg of the mediator's
 * "agree" entry and of each party's "sign" entry, so the signed "agree" entry is the
 * mediator's signature on the agreement and the signed "sign" entries the parties'.
 */
#ifndef YISHI_CASE_H
#define YISHI_CASE_H

#include <stddef.h>
#include <stdint.h>

#include <msgpack.h>

#include "proto/crypto.h"

#define CASE_ID_BYTES		16
#define REPORT_META_MAX		256
#define REPORT_SEAL_BYTES	80	/* crypto_box_SEALBYTES + 32 */
#define REPORT_TEXT_MAX		4096
#define REPORT_LIST_MAX		8	/* accounts, phone numbers */
#define REPORT_ATTACH_MAX	4	/* attachments per report */
#define REPORT_ATTACH_BYTES	(48 * 1024)	/* all attachments of a report together */
#define REPORT_BODY_MAX		(REPORT_ATTACH_BYTES + 8192)	/* a sealed body */
#define CASE_ARG_MAX		128
#define CASE_ENTRY_MAX		320
#define AGREEMENT_PARTIES_MAX	4
#define AGREEMENT_MAX		(REPORT_TEXT_MAX + 512)
#define AGREEMENT_HASH_HEX	65

enum report_kind { RK_FRAUD, RK_DISPUTE, RK_NONPOLICE, RK__COUNT };
enum case_queue { CQ_ANTIFRAUD, CQ_MEDIATION, CQ_TRANSFER, CQ__COUNT };
extern const char *const report_kind_names[RK__COUNT];	/* fraud, dispute, non-police */
extern const char *const case_queue_names[CQ__COUNT];	/* anti-fraud, mediation, transfer */
int	 report_kind_parse(const char *s);	/* -1 if unknown */
int	 case_queue_parse(const char *s);
int	 report_kind_queue(int kind);		/* the queue a kind is routed to */

struct report_meta {
	uint8_t		id[CASE_ID_BYTES];	/* random; the case id */
	uint8_t		reporter[YISHI_PK_BYTES];
	int		kind;			/* enum report_kind */
	uint8_t		urgent;
	char		area[13];		/* 2..12 digits */
	uint64_t	ts_ms;
	char		fraud_type[33];		/* e.g. investment, part-time, fake-service; may be "" */
	uint8_t		ref_group[YISHI_GID_BYTES];	/* all zero: no reference */
	uint64_t	ref_seq;
};

/* Canonical encoding; 0 if a field is out of bounds. Strict decode: 0 or -1. */
size_t	 report_meta_encode(const struct report_meta *m, uint8_t *out, size_t outlen);
int	 report_meta_decode(const void *buf, size_t len, struct report_meta *m)
	    __attribute__((warn_unused_result));

/* The reporter's signature over the encoded metadata (Ed25519, detached). */
void	 report_meta_sign(const struct ident *reporter, const uint8_t *meta, size_t len,
	    uint8_t sig[YISHI_SIG_BYTES]);
int	 report_meta_verify(const uint8_t reporter[YISHI_PK_BYTES], const uint8_t *meta, size_t len,
	    const uint8_t sig[YISHI_SIG_BYTES]) __attribute__((warn_unused_result));

/*
 * The body plaintext: msgpack map {"text", "amount"?, "accounts"?, "phones"?,
 * "attachments"?: [[name, data], ...]}. Attachment data point into the decoded buffer.
 */
struct report_attachment {
	char		 name[65];	/* a file name, no '/' */
	const uint8_t	*data;
	uint32_t	 len;
};

struct report_body {
	char		text[REPORT_TEXT_MAX + 1];
	char		amount[33];
	char		accounts[REPORT_LIST_MAX][65];
	int		naccounts;
	char		phones[REPORT_LIST_MAX][33];
	int		nphones;
	struct report_attachment attachments[REPORT_ATTACH_MAX];
	int		nattachments;
};
int	 report_body_encode(const struct report_body *b, msgpack_sbuffer *sb)
	    __attribute__((warn_unused_result));
int	 report_body_decode(const void *buf, size_t len, struct report_body *b)
	    __attribute__((warn_unused_result));

/*
 * Seal pt under a fresh body key with meta as AD into out (24 + ptlen + 16 bytes);
 * key receives the body key (wipe it after sealing it to the readers).
 */
void	 report_seal_body(const uint8_t *meta, size_t metalen, const uint8_t *pt, size_t ptlen,
	    uint8_t key[YISHI_KEY_BYTES], uint8_t *out);
int	 report_open_body(const uint8_t key[YISHI_KEY_BYTES], const uint8_t *meta, size_t metalen,
	    const uint8_t *body, size_t bodylen, uint8_t *pt) __attribute__((warn_unused_result));
/* Seal the body key to the holder of Ed25519 key to_pk; open with one's identity. */
int	 report_seal_key(const uint8_t key[YISHI_KEY_BYTES], const uint8_t to_pk[YISHI_PK_BYTES],
	    uint8_t seal[REPORT_SEAL_BYTES]) __attribute__((warn_unused_result));
int	 report_open_key(const struct ident *me, const uint8_t seal[REPORT_SEAL_BYTES],
	    uint8_t key[YISHI_KEY_BYTES]) __attribute__((warn_unused_result));

enum case_action {
	CA_CLAIM,	/* a handler takes the case */
	CA_PROGRESS,	/* work has started */
	CA_NOTE,	/* feedback to the reporter; arg: a short public label, text sealed apart */
	CA_RESOLVE,	/* arg: outcome label */
	CA_REJECT,	/* arg: reason label */
	CA_ESCALATE,	/* to the parent level; arg: why ("deadline" when the node does it) */
	CA_TRANSFER,	/* arg: the department */
	CA_MEDIATE,	/* arg: the mediation room's group id (hex) */
	CA_AGREE,	/* the mediator's agreement; arg: its hash (hex) */
	CA_SIGN,	/* a party signs the agreement; arg: its hash (hex) */
	CA__COUNT
};
extern const char *const case_action_names[CA__COUNT];
int	 case_action_parse(const char *s);

struct case_entry {
	uint8_t		case_id[CASE_ID_BYTES];
	int		action;
	uint8_t		actor[YISHI_PK_BYTES];
	char		arg[CASE_ARG_MAX + 1];
	uint64_t	ts_ms;
	uint8_t		id[16];
};
size_t	 case_entry_encode(const struct case_entry *e, uint8_t *out, size_t outlen);
int	 case_entry_decode(const void *buf, size_t len, struct case_entry *e)
	    __attribute__((warn_unused_result));
void	 case_entry_sign(const struct ident *actor, const uint8_t *body, size_t len,
	    uint8_t sig[YISHI_SIG_BYTES]);
int	 case_entry_verify(const uint8_t actor[YISHI_PK_BYTES], const uint8_t *body, size_t len,
	    const uint8_t sig[YISHI_SIG_BYTES]) __attribute__((warn_unused_result));

struct agreement {
	uint8_t		case_id[CASE_ID_BYTES];
	uint8_t		mediator[YISHI_PK_BYTES];
	uint8_t		parties[AGREEMENT_PARTIES_MAX][YISHI_PK_BYTES];
	int		nparties;
	char		text[REPORT_TEXT_MAX + 1];
	uint64_t	ts_ms;
};
size_t	 agreement_encode(const struct agreement *a, uint8_t *out, size_t outlen);
int	 agreement_decode(const void *buf, size_t len, struct agreement *a)
	    __attribute__((warn_unused_result));
/* hex of BLAKE2b-256 of the encoded document. */
void	 agreement_hash(const uint8_t *doc, size_t len, char hex[AGREEMENT_HASH_HEX]);

/*
 * An exported signed agreement, to verify offline:
 *     {"doc": bin, "agree": {"entry": bin, "sig": bin},
 *      "signs": [{"entry": bin, "sig": bin}, ...]}
 * with exactly these keys. agreement_file_verify checks that doc decodes; that "agree"
 * is an "agree" entry for this case whose actor is the document's mediator, whose arg
 * is the document's hash and whose signature by the mediator verifies (the mediator
 * named in the document did draft it); and that each of "signs" is a "sign" entry for
 * this case and hash by a distinct party, with that party's valid signature, every
 * party having one. Returns 0, or -1 with a reason in why.
 */
int	 agreement_file_verify(const void *buf, size_t len, struct agreement *a, char *why,
	    size_t whylen) __attribute__((warn_unused_result));

#endif
