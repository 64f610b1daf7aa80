/*
 * warn.h: federation certificates and signed warnings (modelled on OASIS CAP 1.2).
 *
 * The federation root (an Ed25519 key kept offline) signs two kinds of certificate:
 * issuer certificates (who may issue warnings, for which areas, when) and node
 * certificates (a station's node: its areas, parent and endpoint). A warning is
 * signed by an issuer, and its envelope carries the issuer's certificate, so a
 * verifier needs only the root's public key.
 *
 * Certificate = [bin body, bin sig(64)], sig by the root over the body bytes:
 *     issuer body: ["yishi/issuer/1", pk, name, [area...], not_before, not_after]
 *     node body:   ["yishi/nodecert/1", pk, name, [area...], parent, endpoint,
 *                   not_before, not_after]
 * Warning envelope = [bin cert, bin body, bin sig(64)], sig by the issuer (the key in
 * the certificate) over the body bytes; the body is the canonical array of 29
 * fields described in docs/warnings.md, first "yishi/warn/1".
 *
 * Every encoding is canonical: decoders refuse any byte string that does not
 * re-encode to itself, so one certificate or warning has exactly one encoding.
 * Area codes are 2..12 decimal digits; a code covers itself and every longer code
 * it prefixes ("3302" covers "330281"). Times are ms since the Unix epoch; warning
 * times are whole seconds because CAP has no fractions.
 */
#ifndef YISHI_WARN_H
#define YISHI_WARN_H

#include <stddef.h>
#include <stdint.h>

#include "proto/crypto.h"

/* Certificates. */
#define WARN_AREA_MIN		2	/* digits of an area code */
#define WARN_AREA_LEN		12	/* = WIRE_MAX_AREA */
#define WARN_AREAS_MAX		64	/* area codes in a certificate or a warning */
#define WARN_CERT_NAME_MAX	64
#define WARN_ENDPOINT_MAX	256
#define WARN_CERT_MAX		2048	/* encoded certificate, signature included */

/* Warnings: bounds in bytes (UTF-8) or elements. */
#define WARN_ID_MAX		64	/* identifier: CAP, no space, comma, < or & */
#define WARN_SENDER_MAX		128	/* CAP sender, same characters */
#define WARN_REFS_MAX		8
#define WARN_REF_MAX		(WARN_SENDER_MAX + WARN_ID_MAX + WARN_TIME_LEN + 2) /* s,id,t */
#define WARN_CODES_MAX		8
#define WARN_CODE_MAX		64
#define WARN_SOURCE_MAX		128
#define WARN_FRAUD_MAX		32	/* [a-z0-9-], e.g. "fake-service" */
#define WARN_PAIRS_MAX		16	/* event codes, parameters */
#define WARN_GEOCODES_MAX	32	/* foreign geocodes kept for CAP */
#define WARN_PAIR_NAME_MAX	64
#define WARN_PAIR_VALUE_MAX	256
#define WARN_AUDIENCE_MAX	16
#define WARN_TAG_MAX		32
#define WARN_POLY_MAX		64	/* points; CAP needs >= 4, first == last */
#define WARN_TEXTS_MAX		4	/* languages (CAP <info> blocks) */
#define WARN_LANG_MAX		16
#define WARN_EVENT_MAX		128
#define WARN_SENDER_NAME_MAX	128
#define WARN_HEADLINE_MAX	160
#define WARN_DESC_MAX		4096
#define WARN_INSTR_MAX		2048
#define WARN_CONTACT_MAX	256
#define WARN_WEB_MAX		256
#define WARN_AREA_DESC_MAX	512
#define WARN_TIME_LEN		25	/* "2003-06-17T14:57:00-07:00" */
#define WARN_BODY_MAX		65536	/* encoded body: every field at its bound fits */
#define WARN_ENVELOPE_MAX	(WARN_BODY_MAX + WARN_CERT_MAX + 16 + YISHI_SIG_BYTES)

/* Why a certificate or a warning is refused; warn_result_str() says it in words. */
enum warn_result {
	WARN_OK,
	WARN_EENCODING,		/* malformed, truncated or non-canonical bytes */
	WARN_EUNCERTIFIED,	/* the certificate is not signed by this root */
	WARN_EKIND,		/* a node certificate where an issuer's is needed, or back */
	WARN_ECERT_EXPIRED,	/* the certificate's not_after is before now or sent */
	WARN_ECERT_NOT_YET,	/* the certificate's not_before is after now or sent */
	WARN_ESIGNATURE,	/* not signed by the certificate's key */
	WARN_EAREA,		/* an area outside the issuer's areas, or no area at all */
	WARN_EEXPIRED,		/* authentic and in scope, but past its expires time */
	WARN__RESULTS
};

const char *warn_result_str(int result);

/*
 * A certificate signed by the root. parent and endpoint are for node certificates
 * only (zero / "" in issuer certificates); has_parent 0 means a top-level node.
 */
enum warn_cert_kind { WCK_ISSUER, WCK_NODE };

struct warn_cert {
	int		kind;			/* enum warn_cert_kind */
	uint8_t		pk[YISHI_PK_BYTES];
	char		name[WARN_CERT_NAME_MAX + 1];
	char		areas[WARN_AREAS_MAX][WARN_AREA_LEN + 1];
	int		nareas;			/* 1..WARN_AREAS_MAX, no duplicates */
	uint64_t	not_before;		/* ms; valid while not_before <= t <= not_after */
	uint64_t	not_after;
	int		has_parent;
	uint8_t		parent[YISHI_PK_BYTES];
	char		endpoint[WARN_ENDPOINT_MAX + 1];	/* e.g. "wss://host:port" */
};

/*
 * Sign c with the root key into out (WARN_CERT_MAX bytes); returns the length, or
 * 0 if c breaks a rule the decoder enforces (so nothing unverifiable is signed).
 */
size_t	 warn_cert_make(const struct ident *root, const struct warn_cert *c, uint8_t *out,
	    size_t outlen) __attribute__((warn_unused_result));
/* Strict decode without checking the signature: WARN_OK or WARN_EENCODING. */
int	 warn_cert_decode(const void *buf, size_t len, struct warn_cert *c)
	    __attribute__((warn_unused_result));
/*
 * Decode, check the root's signature, the kind (enum warn_cert_kind) and that now
 * lies in the validity period. *c is filled only on WARN_OK.
 */
int	 warn_cert_verify(const uint8_t root_pk[YISHI_PK_BYTES], int kind, uint64_t now_ms,
	    const void *buf, size_t len, struct warn_cert *c) __attribute__((warn_unused_result));

/* Area codes. */
int	 warn_area_valid(const char *code);
/* Whether one of areas[0..n) is a prefix of (or equal to) code. */
int	 warn_area_covers(const char (*areas)[WARN_AREA_LEN + 1], int n, const char *code);

/*
 * CAP 1.2 value sets. The names are CAP's spellings; they are also the strings in
 * the msgpack encoding. warn_name_parse() matches them without regard to case.
 */
enum warn_status { WSTAT_ACTUAL, WSTAT_EXERCISE, WSTAT_SYSTEM, WSTAT_TEST, WSTAT_DRAFT,
	WSTAT__COUNT };
enum warn_msgtype { WMSG_ALERT, WMSG_UPDATE, WMSG_CANCEL, WMSG__COUNT };	/* no Ack, Error */
enum warn_urgency { WURG_IMMEDIATE, WURG_EXPECTED, WURG_FUTURE, WURG_PAST, WURG_UNKNOWN,
	WURG__COUNT };
enum warn_severity { WSEV_EXTREME, WSEV_SEVERE, WSEV_MODERATE, WSEV_MINOR, WSEV_UNKNOWN,
	WSEV__COUNT };
enum warn_certainty { WCTN_OBSERVED, WCTN_LIKELY, WCTN_POSSIBLE, WCTN_UNLIKELY, WCTN_UNKNOWN,
	WCTN__COUNT };
enum warn_category { WCAT_GEO, WCAT_MET, WCAT_SAFETY, WCAT_SECURITY, WCAT_RESCUE,
	WCAT_FIRE, WCAT_HEALTH, WCAT_ENV, WCAT_TRANSPORT, WCAT_INFRA, WCAT_CBRNE, WCAT_OTHER,
	WCAT__COUNT };
enum warn_response { WRESP_SHELTER, WRESP_EVACUATE, WRESP_PREPARE, WRESP_EXECUTE, WRESP_AVOID,
	WRESP_MONITOR, WRESP_ASSESS, WRESP_ALLCLEAR, WRESP_NONE, WRESP__COUNT };

extern const char *const warn_status_names[WSTAT__COUNT];
extern const char *const warn_msgtype_names[WMSG__COUNT];
extern const char *const warn_urgency_names[WURG__COUNT];
extern const char *const warn_severity_names[WSEV__COUNT];
extern const char *const warn_certainty_names[WCTN__COUNT];
extern const char *const warn_category_names[WCAT__COUNT];
extern const char *const warn_response_names[WRESP__COUNT];

/* Index of s in names[0..count), case-insensitive; -1 if absent. */
int	 warn_name_parse(const char *const *names, int count, const char *s);

/* A CAP valueName/value pair (eventCode, parameter, geocode). */
struct warn_pair {
	char	name[WARN_PAIR_NAME_MAX + 1];	/* 1.. bytes */
	char	value[WARN_PAIR_VALUE_MAX + 1];
};

/* WGS 84 degrees as fixed-point integers: degrees * 10^7 (about 1 cm). */
struct warn_point {
	int32_t	lat;	/* -90e7..90e7 */
	int32_t	lon;	/* -180e7..180e7 */
};

/*
 * The text of a warning in one language: one CAP <info> block's words. Text may
 * hold tab, LF and CR but no other control characters.
 */
struct warn_text {
	char	language[WARN_LANG_MAX + 1];	/* RFC 3066 tag, "" = absent (CAP: en-US) */
	char	event[WARN_EVENT_MAX + 1];	/* 1.. bytes, e.g. "冒充客服诈骗" */
	char	sender_name[WARN_SENDER_NAME_MAX + 1];	/* claimed; show the cert's name */
	char	headline[WARN_HEADLINE_MAX + 1];
	char	description[WARN_DESC_MAX + 1];
	char	instruction[WARN_INSTR_MAX + 1];
	char	contact[WARN_CONTACT_MAX + 1];
	char	web[WARN_WEB_MAX + 1];
	char	area_desc[WARN_AREA_DESC_MAX + 1];
};

/*
 * A warning. The alert-level fields are CAP's; the fields of <info> that are not
 * words (category .. target) are shared by every language: a CAP alert whose info
 * blocks differ in them is not a Yishi warning. With ntexts == 0 (a CAP cancel
 * without info) those shared fields must all be empty/zero/Unknown.
 * Strings are NUL-terminated; unused bytes after the NUL are not part of it.
 */
struct warning {
	char			identifier[WARN_ID_MAX + 1];
	uint8_t			issuer[YISHI_PK_BYTES];	/* the signer; set by warn_sign */
	char			sender[WARN_SENDER_MAX + 1];	/* CAP sender */
	uint64_t		sent_ms;
	int			tz_min;		/* UTC offset for CAP times, -720..840 */
	int			status;		/* enum warn_status */
	int			msg_type;	/* enum warn_msgtype */
	char			refs[WARN_REFS_MAX][WARN_REF_MAX + 1];
	int			nrefs;		/* Update, Cancel: what they supersede */
	char			codes[WARN_CODES_MAX][WARN_CODE_MAX + 1];	/* CAP code */
	int			ncodes;
	char			source[WARN_SOURCE_MAX + 1];

	/* Shared info fields: categories..target_station, contiguous (cap.c compares them). */
	uint32_t		categories;	/* bit 1 << enum warn_category; >= 1 */
	char			fraud_type[WARN_FRAUD_MAX + 1];	/* "" or e.g. "investment" */
	struct warn_pair	event_codes[WARN_PAIRS_MAX];
	int			nevent_codes;
	uint32_t		responses;	/* bit 1 << enum warn_response */
	int			urgency;	/* enum warn_urgency */
	int			severity;	/* enum warn_severity */
	int			certainty;	/* enum warn_certainty */
	char			audience[WARN_AUDIENCE_MAX][WARN_TAG_MAX + 1];
	int			naudience;	/* tags: "students", "elderly", "enterprises" */
	uint64_t		effective_ms;	/* 0 = absent, as are onset and expires */
	uint64_t		onset_ms;
	uint64_t		expires_ms;
	struct warn_pair	params[WARN_PAIRS_MAX];	/* CAP parameter */
	int			nparams;
	char			areas[WARN_AREAS_MAX][WARN_AREA_LEN + 1];	/* Yishi areas */
	int			nareas;
	struct warn_pair	geocodes[WARN_GEOCODES_MAX];	/* other CAP geocodes */
	int			ngeocodes;
	struct warn_point	polygon[WARN_POLY_MAX];
	int			npolygon;	/* 0, or 4.. with first == last */
	int			has_circle;
	struct warn_point	circle;
	uint64_t		circle_radius;	/* km * 10^7, <= 20000 km */
	int			has_target;	/* high-risk alert about one person: */
	char			target_area[WARN_AREA_LEN + 1];	/* their area code */
	uint8_t			target_station[YISHI_PK_BYTES];	/* their station's node */

	struct warn_text	texts[WARN_TEXTS_MAX];
	int			ntexts;		/* 0..WARN_TEXTS_MAX; texts[0] is primary */
};

/*
 * Encode w canonically into out; returns the length, or 0 if w breaks a rule or does
 * not fit. out needs at most WARN_BODY_MAX bytes.
 */
size_t	 warn_encode(const struct warning *w, uint8_t *out, size_t outlen)
	    __attribute__((warn_unused_result));
/* Strict decode of a body: 0, or -1 for anything warn_encode would not produce. */
int	 warn_decode(const void *buf, size_t len, struct warning *w)
	    __attribute__((warn_unused_result));

/*
 * Sign w (its issuer field set to issuer's key) into the envelope out
 * (WARN_ENVELOPE_MAX bytes), carrying the issuer certificate cert. Returns the length,
 * or 0 if w is invalid or cert does not decode or names another key.
 */
size_t	 warn_sign(const struct ident *issuer, const uint8_t *cert, size_t certlen,
	    const struct warning *w, uint8_t *out, size_t outlen)
	    __attribute__((warn_unused_result));

/*
 * Verify an envelope against the root key at time now: the root's signature on the
 * issuer certificate, the certificate valid at both w.sent and now, the warning
 * signed by the certificate's key, at least one area, every area (and the target's)
 * covered by the certificate's areas, and not expired. *w and *c (c may be NULL) are
 * filled when the result is WARN_OK or WARN_EEXPIRED, so an expired warning can still
 * be shown as such. w must point to a struct warning the caller owns (~50 KB).
 */
int	 warn_verify(const uint8_t root_pk[YISHI_PK_BYTES], uint64_t now_ms, const void *env,
	    size_t len, struct warning *w, struct warn_cert *c) __attribute__((warn_unused_result));

/*
 * The warning inside an envelope already verified (a node's stored ones): split and
 * decode strictly, check no signature. 0, or -1 for anything malformed.
 */
int	 warn_env_body(const void *env, size_t len, struct warning *w)
	    __attribute__((warn_unused_result));

/* Whether a warning area covers code, the area a session or group registered. */
int	 warn_matches_area(const struct warning *w, const char *code);
/*
 * Whether newer (an Update or Cancel) supersedes older: same issuer key, and one of
 * newer's references names older's sender and identifier. A reference never reaches
 * across issuers, so one issuer cannot cancel another's warning.
 */
int	 warn_supersedes(const struct warning *newer, const struct warning *older);

/*
 * References are CAP triples "sender,identifier,sent". warn_ref_make writes the one
 * naming w into ref (WARN_REF_MAX + 1 bytes); warn_ref_split checks one and copies
 * its parts (buffers of WARN_SENDER_MAX + 1, WARN_ID_MAX + 1). Both 0 or -1.
 */
int	 warn_ref_make(const struct warning *w, char *ref) __attribute__((warn_unused_result));
int	 warn_ref_split(const char *ref, char *sender, char *identifier, uint64_t *sent_ms)
	    __attribute__((warn_unused_result));

/*
 * CAP times: "YYYY-MM-DDThh:mm:ss+hh:mm", whole seconds, never "Z" (CAP writes UTC
 * as -00:00). format writes WARN_TIME_LEN + 1 bytes into buf; parse returns 0 and
 * the instant and offset, or -1.
 */
char	*warn_time_format(char *buf, uint64_t ms, int tz_min);
int	 warn_time_parse(const char *s, uint64_t *ms, int *tz_min)
	    __attribute__((warn_unused_result));

#endif
