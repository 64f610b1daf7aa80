/*
 * crypto.h: every cryptographic construction Yishi uses, all from libsodium.
 *
 * Identities: an Ed25519 signing key per person and per node; the X25519 key for
 * boxing is derived from it (crypto_sign_ed25519_{pk,sk}_to_curve25519).
 * Login: the user signs "yishi/login/1" || node_pk || challenge.
 * Role certificates: the node signs a canonical msgpack array naming user, name, role.
 * Epoch keys: 32 random bytes per group epoch, boxed member to member: X25519 shared
 *   key (crypto_box_beforenm) + XChaCha20-Poly1305 with group id and epoch as AD.
 * Messages: canonical header (msgpack array) as AD of XChaCha20-Poly1305 over the body;
 *   the sender signs "yishi/msg/1" || header || nonce || ciphertext with Ed25519.
 * All byte layouts are specified in docs/protocol.md.
 */
#ifndef YISHI_CRYPTO_H
#define YISHI_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include <msgpack.h>

#define YISHI_PK_BYTES		32	/* Ed25519 public key = user id = node id */
#define YISHI_SK_BYTES		64	/* Ed25519 secret key (seed || pk) */
#define YISHI_SIG_BYTES		64
#define YISHI_GID_BYTES		16	/* group id */
#define YISHI_MID_BYTES		16	/* message id */
#define YISHI_KEY_BYTES		32	/* epoch key */
#define YISHI_NONCE_BYTES	24	/* XChaCha20-Poly1305 nonce */
#define YISHI_TAG_BYTES		16
#define YISHI_KEYBOX_BYTES	(YISHI_NONCE_BYTES + YISHI_KEY_BYTES + YISHI_TAG_BYTES)
#define YISHI_CHALLENGE_BYTES	32
#define YISHI_HDR_MAX		128	/* encoded message header */
#define YISHI_CERT_MAX		512	/* encoded role certificate */
#define YISHI_ROLE_MAX		16

/* Call once before anything else; returns -1 if libsodium cannot initialise. */
int	 crypto_init(void) __attribute__((warn_unused_result));

/* An identity: signing keys and the X25519 keys derived from them. Wipe when done. */
struct ident {
	uint8_t	pk[YISHI_PK_BYTES];
	uint8_t	sk[YISHI_SK_BYTES];
	uint8_t	xpk[32];
	uint8_t	xsk[32];
};

int	 ident_new(struct ident *id) __attribute__((warn_unused_result));
/* Rebuild an identity from its 64-byte secret key; -1 if the key is not valid. */
int	 ident_from_sk(struct ident *id, const uint8_t sk[YISHI_SK_BYTES])
	    __attribute__((warn_unused_result));
void	 ident_wipe(struct ident *id);

/* Hex helpers over sodium_bin2hex / sodium_hex2bin. hex must hold 2*len+1 bytes. */
char	*hex_encode(char *hex, const uint8_t *bin, size_t len);
/* Decode exactly len bytes from a NUL-terminated hex string; -1 on any other input. */
int	 hex_decode(uint8_t *bin, size_t len, const char *hex) __attribute__((warn_unused_result));

/* Login. */
void	 auth_sign(const struct ident *user, const uint8_t node_pk[YISHI_PK_BYTES],
	    const uint8_t challenge[YISHI_CHALLENGE_BYTES], uint8_t sig[YISHI_SIG_BYTES]);
int	 auth_verify(const uint8_t user_pk[YISHI_PK_BYTES], const uint8_t node_pk[YISHI_PK_BYTES],
	    const uint8_t challenge[YISHI_CHALLENGE_BYTES], const uint8_t sig[YISHI_SIG_BYTES])
	    __attribute__((warn_unused_result));

/*
 * Role certificates: msgpack [body, sig] where body is the canonical msgpack array
 * ["yishi/role/1", node_pk, user_pk, name, role, issued_ms] and sig the node's
 * signature over body. cert_role_make writes at most YISHI_CERT_MAX bytes to out
 * and returns the length, or -1 if name or role is too long.
 */
struct role_cert {
	uint8_t		node[YISHI_PK_BYTES];
	uint8_t		user[YISHI_PK_BYTES];
	char		name[65];
	char		role[YISHI_ROLE_MAX + 1];
	uint64_t	issued_ms;
};

int	 cert_role_make(const struct ident *node, const uint8_t user_pk[YISHI_PK_BYTES],
	    const char *name, const char *role, uint64_t issued_ms, uint8_t *out, size_t outlen)
	    __attribute__((warn_unused_result));
/* Strict decode and verify against node_pk; 0 and *out filled, or -1. */
int	 cert_role_verify(const uint8_t node_pk[YISHI_PK_BYTES], const void *cert, size_t len,
	    struct role_cert *out) __attribute__((warn_unused_result));

/*
 * Pairwise boxes between two identities: X25519 shared key from the converted
 * Ed25519 keys (crypto_box_beforenm) + XChaCha20-Poly1305 with ad. out/in is
 * nonce(24) || ciphertext (ptlen + 16); pt receives inlen - 40 bytes.
 */
int	 pairbox_seal(const struct ident *from, const uint8_t to_pk[YISHI_PK_BYTES],
	    const uint8_t *ad, size_t adlen, const uint8_t *pt, size_t ptlen, uint8_t *out)
	    __attribute__((warn_unused_result));
int	 pairbox_open(const struct ident *me, const uint8_t from_pk[YISHI_PK_BYTES],
	    const uint8_t *ad, size_t adlen, const uint8_t *in, size_t inlen, uint8_t *pt)
	    __attribute__((warn_unused_result));

/*
 * Group ids bind the founder: gid = BLAKE2b-128("yishi/group/1" || founder_pk || salt),
 * so a client can check who founded a group (the root of its moderation log)
 * without trusting the node.
 */
#define YISHI_SALT_BYTES	16
void	 group_id_derive(const uint8_t founder[YISHI_PK_BYTES],
	    const uint8_t salt[YISHI_SALT_BYTES], uint8_t gid[YISHI_GID_BYTES]);

/* Epoch keys. */
void	 epoch_key_new(uint8_t key[YISHI_KEY_BYTES]);
/* Box key for member to_pk (Ed25519 public key), bound to group gid and epoch. */
int	 keybox_seal(const struct ident *from, const uint8_t to_pk[YISHI_PK_BYTES],
	    const uint8_t gid[YISHI_GID_BYTES], uint32_t epoch, const uint8_t key[YISHI_KEY_BYTES],
	    uint8_t box[YISHI_KEYBOX_BYTES]) __attribute__((warn_unused_result));
/* Open a box that from_pk made for me; -1 if it fails to authenticate. */
int	 keybox_open(const struct ident *me, const uint8_t from_pk[YISHI_PK_BYTES],
	    const uint8_t gid[YISHI_GID_BYTES], uint32_t epoch, const uint8_t box[YISHI_KEYBOX_BYTES],
	    uint8_t key[YISHI_KEY_BYTES]) __attribute__((warn_unused_result));

/* Message header: canonical msgpack array [1, group, epoch, sender, ts_ms, id]. */
struct msg_hdr {
	uint8_t		group[YISHI_GID_BYTES];
	uint32_t	epoch;
	uint8_t		sender[YISHI_PK_BYTES];
	uint64_t	ts_ms;		/* sender's clock */
	uint8_t		id[YISHI_MID_BYTES];
};

/* Encode h canonically into out (YISHI_HDR_MAX bytes); returns the length. */
size_t	 msg_hdr_encode(const struct msg_hdr *h, uint8_t out[YISHI_HDR_MAX]);
/* Strict decode; rejects anything that does not re-encode to the same bytes. 0 or -1. */
int	 msg_hdr_decode(const void *buf, size_t len, struct msg_hdr *h)
	    __attribute__((warn_unused_result));

/*
 * Message body (the plaintext): msgpack map {"text": STR}. body_encode appends to sb;
 * body_decode copies the text into text (NUL-terminated, textlen >= WIRE_MAX_TEXT + 1)
 * and returns 0, or -1 for anything else.
 */
int	 body_encode(const char *text, size_t len, msgpack_sbuffer *sb)
	    __attribute__((warn_unused_result));
int	 body_decode(const void *buf, size_t len, char *text, size_t textlen)
	    __attribute__((warn_unused_result));

/*
 * Seal: encrypt pt under key with hdr as AD into ct (ptlen + YISHI_TAG_BYTES bytes),
 * a fresh random nonce, and sign. Open: verify nothing, only decrypt; -1 if it fails.
 */
void	 msg_seal(const struct ident *sender, const uint8_t *hdr, size_t hdrlen,
	    const uint8_t key[YISHI_KEY_BYTES], const void *pt, size_t ptlen,
	    uint8_t nonce[YISHI_NONCE_BYTES], uint8_t *ct, uint8_t sig[YISHI_SIG_BYTES]);
int	 msg_verify(const uint8_t sender_pk[YISHI_PK_BYTES], const uint8_t *hdr, size_t hdrlen,
	    const uint8_t nonce[YISHI_NONCE_BYTES], const uint8_t *ct, size_t ctlen,
	    const uint8_t sig[YISHI_SIG_BYTES]) __attribute__((warn_unused_result));
int	 msg_open(const uint8_t key[YISHI_KEY_BYTES], const uint8_t *hdr, size_t hdrlen,
	    const uint8_t nonce[YISHI_NONCE_BYTES], const uint8_t *ct, size_t ctlen, uint8_t *pt,
	    size_t *ptlen) __attribute__((warn_unused_result));

#endif
