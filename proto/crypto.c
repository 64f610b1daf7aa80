/*
 * crypto.c: Yishi's constructions over libsodium, and the canonical msgpack
 * encodings (message header, role certificate, message body) that they sign or
 * bind as associated data. The byte layouts are specified in docs/protocol.md.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <msgpack.h>
#include <sodium.h>

#include "proto/crypto.h"
#include "proto/log.h"
#include "proto/mp.h"

#define AUTH_CONTEXT	"yishi/login/1"
#define ROLE_CONTEXT	"yishi/role/1"
#define KEYBOX_CONTEXT	"yishi/epoch-key/1"
#define MSG_CONTEXT	"yishi/msg/1"
#define BODY_KEY	"text"

#define CONTEXT_LEN(s)	(sizeof(s) - 1)

#define HDR_VERSION	1
#define HDR_FIELDS	6
#define ROLE_FIELDS	6
#define CERT_FIELDS	2
#define ROLE_NAME_MAX	(sizeof(((struct role_cert *)0)->name) - 1)

/* The only top-level headers a canonical encoding of our shapes can start with. */

/* Keybox AD: context || gid || epoch as 4 bytes big-endian. */
#define KEYBOX_AD_BYTES	(CONTEXT_LEN(KEYBOX_CONTEXT) + YISHI_GID_BYTES + 4)

/* Login message: context || node_pk || challenge. */
#define AUTH_MSG_BYTES	(CONTEXT_LEN(AUTH_CONTEXT) + YISHI_PK_BYTES + YISHI_CHALLENGE_BYTES)


static void	 auth_message(uint8_t *, const uint8_t *, const uint8_t *);
static int	 cert_pack_body(const uint8_t *, const uint8_t *, const char *, size_t,
		    const char *, size_t, uint64_t, uint8_t *, size_t);
static int	 cert_pack(const uint8_t *, size_t, const uint8_t *, uint8_t *, size_t);
static int	 cert_decode_body(const uint8_t *, size_t, struct role_cert *);
static void	 keybox_ad(uint8_t *, const uint8_t *, uint32_t);
static uint8_t	*msg_signed_bytes(const uint8_t *, size_t, const uint8_t *, const uint8_t *,
		    size_t, size_t *);

int
crypto_init(void)
{
	if (sodium_init() < 0)
		return (-1);
	return (0);
}

/* Identities. */

int
ident_new(struct ident *id)
{
	crypto_sign_keypair(id->pk, id->sk);
	if (crypto_sign_ed25519_pk_to_curve25519(id->xpk, id->pk) != 0 ||
	    crypto_sign_ed25519_sk_to_curve25519(id->xsk, id->sk) != 0) {
		ident_wipe(id);
		return (-1);
	}
	return (0);
}

/*
 * The stored key is seed || pk; rebuilding from the seed and comparing the pk half
 * catches a corrupted or mismatched key file instead of signing with a key whose
 * public half nobody else knows.
 */
int
ident_from_sk(struct ident *id, const uint8_t sk[YISHI_SK_BYTES])
{
	if (crypto_sign_seed_keypair(id->pk, id->sk, sk) != 0 ||
	    sodium_memcmp(id->sk, sk, YISHI_SK_BYTES) != 0 ||
	    crypto_sign_ed25519_pk_to_curve25519(id->xpk, id->pk) != 0 ||
	    crypto_sign_ed25519_sk_to_curve25519(id->xsk, id->sk) != 0) {
		ident_wipe(id);
		return (-1);
	}
	return (0);
}

void
ident_wipe(struct ident *id)
{
	sodium_memzero(id, sizeof(*id));
}

/* Hex. */

char *
hex_encode(char *hex, const uint8_t *bin, size_t len)
{
	return (sodium_bin2hex(hex, 2 * len + 1, bin, len));
}

/* Only exactly 2*len hex digits: no separators, prefixes or trailing text. */
int
hex_decode(uint8_t *bin, size_t len, const char *hex)
{
	size_t	binlen;

	if (len > SIZE_MAX / 2 || strlen(hex) != 2 * len)
		return (-1);
	if (sodium_hex2bin(bin, len, hex, 2 * len, NULL, &binlen, NULL) != 0 ||
	    binlen != len) {
		/* bin may be meant for a secret key: leave no partial copy. */
		sodium_memzero(bin, len);
		return (-1);
	}
	return (0);
}

/* Login. */

static void
auth_message(uint8_t *m, const uint8_t *node_pk, const uint8_t *challenge)
{
	memcpy(m, AUTH_CONTEXT, CONTEXT_LEN(AUTH_CONTEXT));
	memcpy(m + CONTEXT_LEN(AUTH_CONTEXT), node_pk, YISHI_PK_BYTES);
	memcpy(m + CONTEXT_LEN(AUTH_CONTEXT) + YISHI_PK_BYTES, challenge,
	    YISHI_CHALLENGE_BYTES);
}

void
auth_sign(const struct ident *user, const uint8_t node_pk[YISHI_PK_BYTES],
    const uint8_t challenge[YISHI_CHALLENGE_BYTES], uint8_t sig[YISHI_SIG_BYTES])
{
	uint8_t	m[AUTH_MSG_BYTES];

	auth_message(m, node_pk, challenge);
	crypto_sign_detached(sig, NULL, m, sizeof(m), user->sk);
}

int
auth_verify(const uint8_t user_pk[YISHI_PK_BYTES], const uint8_t node_pk[YISHI_PK_BYTES],
    const uint8_t challenge[YISHI_CHALLENGE_BYTES], const uint8_t sig[YISHI_SIG_BYTES])
{
	uint8_t	m[AUTH_MSG_BYTES];

	auth_message(m, node_pk, challenge);
	if (crypto_sign_verify_detached(sig, m, sizeof(m), user_pk) != 0)
		return (-1);
	return (0);
}

/* msgpack helpers. */

/* Role certificates. */

static int
cert_pack_body(const uint8_t *node_pk, const uint8_t *user_pk,
    const char *name, size_t namelen, const char *role, size_t rolelen, uint64_t issued_ms,
    uint8_t *out, size_t outlen)
{
	struct mp_fixbuf	 fb = { out, 0, outlen, 0 };
	msgpack_packer	 pk;

	msgpack_packer_init(&pk, &fb, mp_fixbuf_write);
	msgpack_pack_array(&pk, ROLE_FIELDS);
	msgpack_pack_str_with_body(&pk, ROLE_CONTEXT, CONTEXT_LEN(ROLE_CONTEXT));
	msgpack_pack_bin_with_body(&pk, node_pk, YISHI_PK_BYTES);
	msgpack_pack_bin_with_body(&pk, user_pk, YISHI_PK_BYTES);
	msgpack_pack_str_with_body(&pk, name, namelen);
	msgpack_pack_str_with_body(&pk, role, rolelen);
	msgpack_pack_uint64(&pk, issued_ms);
	if (fb.overflow)
		return (-1);
	return ((int)fb.len);
}

static int
cert_pack(const uint8_t *body, size_t bodylen, const uint8_t *sig,
    uint8_t *out, size_t outlen)
{
	struct mp_fixbuf	 fb = { out, 0, outlen, 0 };
	msgpack_packer	 pk;

	msgpack_packer_init(&pk, &fb, mp_fixbuf_write);
	msgpack_pack_array(&pk, CERT_FIELDS);
	msgpack_pack_bin_with_body(&pk, body, bodylen);
	msgpack_pack_bin_with_body(&pk, sig, YISHI_SIG_BYTES);
	if (fb.overflow)
		return (-1);
	return ((int)fb.len);
}

int
cert_role_make(const struct ident *node, const uint8_t user_pk[YISHI_PK_BYTES],
    const char *name, const char *role, uint64_t issued_ms, uint8_t *out, size_t outlen)
{
	uint8_t	body[YISHI_CERT_MAX], sig[YISHI_SIG_BYTES];
	size_t	namelen, rolelen;
	int	bodylen;

	/* Refuse to sign what cert_role_verify would reject. */
	namelen = strlen(name);
	rolelen = strlen(role);
	if (namelen == 0 || namelen > ROLE_NAME_MAX || !mp_utf8_valid((const uint8_t *)name, namelen))
		return (-1);
	if (rolelen == 0 || rolelen > YISHI_ROLE_MAX || !mp_utf8_valid((const uint8_t *)role, rolelen))
		return (-1);

	bodylen = cert_pack_body(node->pk, user_pk, name, namelen, role, rolelen, issued_ms,
	    body, sizeof(body));
	if (bodylen < 0)
		return (-1);
	crypto_sign_detached(sig, NULL, body, (size_t)bodylen, node->sk);
	return (cert_pack(body, (size_t)bodylen, sig, out, outlen));
}

/* Decode the signed body into rc; the caller checks canonical form and signature. */
static int
cert_decode_body(const uint8_t *b, size_t len, struct role_cert *rc)
{
	msgpack_unpacked	 u;
	msgpack_object		*o = &u.data;
	size_t			 off = 1;
	int			 rv = -1;

	if (len == 0 || b[0] != MP_FIXARRAY(ROLE_FIELDS))
		return (-1);
	msgpack_unpacked_init(&u);

	if (mp_next_scalar(b, len, &off, &u, MSGPACK_OBJECT_STR) != 0 ||
	    o->via.str.size != CONTEXT_LEN(ROLE_CONTEXT) ||
	    memcmp(o->via.str.ptr, ROLE_CONTEXT, CONTEXT_LEN(ROLE_CONTEXT)) != 0)
		goto out;
	if (mp_next_scalar(b, len, &off, &u, MSGPACK_OBJECT_BIN) != 0 ||
	    o->via.bin.size != YISHI_PK_BYTES)
		goto out;
	memcpy(rc->node, o->via.bin.ptr, YISHI_PK_BYTES);
	if (mp_next_scalar(b, len, &off, &u, MSGPACK_OBJECT_BIN) != 0 ||
	    o->via.bin.size != YISHI_PK_BYTES)
		goto out;
	memcpy(rc->user, o->via.bin.ptr, YISHI_PK_BYTES);
	if (mp_next_scalar(b, len, &off, &u, MSGPACK_OBJECT_STR) != 0 ||
	    o->via.str.size == 0 || o->via.str.size > ROLE_NAME_MAX ||
	    !mp_utf8_valid((const uint8_t *)o->via.str.ptr, o->via.str.size))
		goto out;
	memcpy(rc->name, o->via.str.ptr, o->via.str.size);
	rc->name[o->via.str.size] = '\0';
	if (mp_next_scalar(b, len, &off, &u, MSGPACK_OBJECT_STR) != 0 ||
	    o->via.str.size == 0 || o->via.str.size > YISHI_ROLE_MAX ||
	    !mp_utf8_valid((const uint8_t *)o->via.str.ptr, o->via.str.size))
		goto out;
	memcpy(rc->role, o->via.str.ptr, o->via.str.size);
	rc->role[o->via.str.size] = '\0';
	if (mp_next_scalar(b, len, &off, &u, MSGPACK_OBJECT_POSITIVE_INTEGER) != 0)
		goto out;
	rc->issued_ms = o->via.u64;
	if (off != len)
		goto out;
	rv = 0;
out:
	msgpack_unpacked_destroy(&u);
	return (rv);
}

/*
 * Both the certificate and its body must be byte-for-byte what cert_role_make
 * would produce, so one certificate has exactly one encoding and a relay cannot
 * re-encode it into a different but still "valid" one.
 */
int
cert_role_verify(const uint8_t node_pk[YISHI_PK_BYTES], const void *cert, size_t len,
    struct role_cert *out)
{
	const uint8_t		*c = cert;
	const uint8_t		*body;
	uint8_t			 sig[YISHI_SIG_BYTES], re[YISHI_CERT_MAX];
	struct role_cert	 rc;
	msgpack_unpacked	 u;
	size_t			 off = 1, bodylen;
	int			 n, rv = -1;

	if (len == 0 || len > YISHI_CERT_MAX || c[0] != MP_FIXARRAY(CERT_FIELDS))
		return (-1);
	msgpack_unpacked_init(&u);

	if (mp_next_scalar(c, len, &off, &u, MSGPACK_OBJECT_BIN) != 0)
		goto out;
	body = (const uint8_t *)u.data.via.bin.ptr;
	bodylen = u.data.via.bin.size;
	if (mp_next_scalar(c, len, &off, &u, MSGPACK_OBJECT_BIN) != 0 ||
	    u.data.via.bin.size != YISHI_SIG_BYTES)
		goto out;
	memcpy(sig, u.data.via.bin.ptr, YISHI_SIG_BYTES);
	if (off != len)
		goto out;

	if (cert_decode_body(body, bodylen, &rc) != 0)
		goto out;
	n = cert_pack_body(rc.node, rc.user, rc.name, strlen(rc.name), rc.role,
	    strlen(rc.role), rc.issued_ms, re, sizeof(re));
	if (n < 0 || (size_t)n != bodylen || memcmp(re, body, bodylen) != 0)
		goto out;
	n = cert_pack(body, bodylen, sig, re, sizeof(re));
	if (n < 0 || (size_t)n != len || memcmp(re, c, len) != 0)
		goto out;

	if (memcmp(rc.node, node_pk, YISHI_PK_BYTES) != 0)
		goto out;
	if (crypto_sign_verify_detached(sig, body, bodylen, node_pk) != 0)
		goto out;
	*out = rc;
	rv = 0;
out:
	msgpack_unpacked_destroy(&u);
	return (rv);
}

/* Epoch keys. */

void
epoch_key_new(uint8_t key[YISHI_KEY_BYTES])
{
	randombytes_buf(key, YISHI_KEY_BYTES);
}

static void
keybox_ad(uint8_t *ad, const uint8_t *gid, uint32_t epoch)
{
	uint8_t	*p = ad;

	memcpy(p, KEYBOX_CONTEXT, CONTEXT_LEN(KEYBOX_CONTEXT));
	p += CONTEXT_LEN(KEYBOX_CONTEXT);
	memcpy(p, gid, YISHI_GID_BYTES);
	p += YISHI_GID_BYTES;
	p[0] = (uint8_t)(epoch >> 24);
	p[1] = (uint8_t)(epoch >> 16);
	p[2] = (uint8_t)(epoch >> 8);
	p[3] = (uint8_t)epoch;
}

/*
 * A pairwise box: the X25519 key both sides derive from their converted Ed25519 keys
 * (crypto_box_beforenm), then XChaCha20-Poly1305 with ad. out = nonce || ciphertext.
 */
int
pairbox_seal(const struct ident *from, const uint8_t to_pk[YISHI_PK_BYTES],
    const uint8_t *ad, size_t adlen, const uint8_t *pt, size_t ptlen, uint8_t *out)
{
	uint8_t	to_xpk[crypto_box_PUBLICKEYBYTES];
	uint8_t	k[crypto_box_BEFORENMBYTES];
	int	rv = -1;

	if (crypto_sign_ed25519_pk_to_curve25519(to_xpk, to_pk) != 0)
		return (-1);
	if (crypto_box_beforenm(k, to_xpk, from->xsk) != 0)
		goto out;
	randombytes_buf(out, YISHI_NONCE_BYTES);
	crypto_aead_xchacha20poly1305_ietf_encrypt(out + YISHI_NONCE_BYTES, NULL,
	    pt, ptlen, ad, adlen, NULL, out, k);
	rv = 0;
out:
	sodium_memzero(k, sizeof(k));
	return (rv);
}

int
pairbox_open(const struct ident *me, const uint8_t from_pk[YISHI_PK_BYTES],
    const uint8_t *ad, size_t adlen, const uint8_t *in, size_t inlen, uint8_t *pt)
{
	uint8_t	from_xpk[crypto_box_PUBLICKEYBYTES];
	uint8_t	k[crypto_box_BEFORENMBYTES];
	int	rv = -1;

	if (inlen < YISHI_NONCE_BYTES + YISHI_TAG_BYTES ||
	    crypto_sign_ed25519_pk_to_curve25519(from_xpk, from_pk) != 0)
		return (-1);
	if (crypto_box_beforenm(k, from_xpk, me->xsk) != 0)
		goto out;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(pt, NULL, NULL,
	    in + YISHI_NONCE_BYTES, inlen - YISHI_NONCE_BYTES, ad, adlen, in, k) != 0)
		goto out;
	rv = 0;
out:
	sodium_memzero(k, sizeof(k));
	return (rv);
}

/*
 * The AD binds the box to one group and epoch, so a member cannot replay an old
 * key box as the key of a later epoch or another group.
 */
int
keybox_seal(const struct ident *from, const uint8_t to_pk[YISHI_PK_BYTES],
    const uint8_t gid[YISHI_GID_BYTES], uint32_t epoch, const uint8_t key[YISHI_KEY_BYTES],
    uint8_t box[YISHI_KEYBOX_BYTES])
{
	uint8_t	ad[KEYBOX_AD_BYTES];

	keybox_ad(ad, gid, epoch);
	return pairbox_seal(from, to_pk, ad, sizeof(ad), key, YISHI_KEY_BYTES, box);
}

int
keybox_open(const struct ident *me, const uint8_t from_pk[YISHI_PK_BYTES],
    const uint8_t gid[YISHI_GID_BYTES], uint32_t epoch, const uint8_t box[YISHI_KEYBOX_BYTES],
    uint8_t key[YISHI_KEY_BYTES])
{
	uint8_t	ad[KEYBOX_AD_BYTES];

	keybox_ad(ad, gid, epoch);
	return pairbox_open(me, from_pk, ad, sizeof(ad), box, YISHI_KEYBOX_BYTES, key);
}

void
group_id_derive(const uint8_t founder[YISHI_PK_BYTES], const uint8_t salt[YISHI_SALT_BYTES],
    uint8_t gid[YISHI_GID_BYTES])
{
	static const char ctx[] = "yishi/group/1";
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, YISHI_GID_BYTES);
	crypto_generichash_update(&st, (const unsigned char *)ctx, sizeof(ctx) - 1);
	crypto_generichash_update(&st, founder, YISHI_PK_BYTES);
	crypto_generichash_update(&st, salt, YISHI_SALT_BYTES);
	crypto_generichash_final(&st, gid, YISHI_GID_BYTES);
}

/* Message header. */

size_t
msg_hdr_encode(const struct msg_hdr *h, uint8_t out[YISHI_HDR_MAX])
{
	struct mp_fixbuf	 fb = { out, 0, YISHI_HDR_MAX, 0 };
	msgpack_packer	 pk;

	/* msgpack-c packs every uint in its shortest form, which is the canonical one. */
	msgpack_packer_init(&pk, &fb, mp_fixbuf_write);
	msgpack_pack_array(&pk, HDR_FIELDS);
	msgpack_pack_uint64(&pk, HDR_VERSION);
	msgpack_pack_bin_with_body(&pk, h->group, YISHI_GID_BYTES);
	msgpack_pack_uint64(&pk, h->epoch);
	msgpack_pack_bin_with_body(&pk, h->sender, YISHI_PK_BYTES);
	msgpack_pack_uint64(&pk, h->ts_ms);
	msgpack_pack_bin_with_body(&pk, h->id, YISHI_MID_BYTES);
	if (fb.overflow)
		fatalx("%s: header exceeds %d bytes", __func__, YISHI_HDR_MAX);
	return (fb.len);
}

/*
 * The header is signed and used as AD as raw bytes, so the decoded form must
 * re-encode to exactly those bytes; anything else (a longer integer encoding,
 * trailing bytes) would let two byte strings carry one header.
 */
int
msg_hdr_decode(const void *buf, size_t len, struct msg_hdr *h)
{
	const uint8_t		*b = buf;
	uint8_t			 re[YISHI_HDR_MAX];
	struct msg_hdr		 t;
	msgpack_unpacked	 u;
	msgpack_object		*o = &u.data;
	size_t			 off = 1;
	int			 rv = -1;

	if (len == 0 || len > YISHI_HDR_MAX || b[0] != MP_FIXARRAY(HDR_FIELDS))
		return (-1);
	msgpack_unpacked_init(&u);

	if (mp_next_scalar(b, len, &off, &u, MSGPACK_OBJECT_POSITIVE_INTEGER) != 0 ||
	    o->via.u64 != HDR_VERSION)
		goto out;
	if (mp_next_scalar(b, len, &off, &u, MSGPACK_OBJECT_BIN) != 0 ||
	    o->via.bin.size != YISHI_GID_BYTES)
		goto out;
	memcpy(t.group, o->via.bin.ptr, YISHI_GID_BYTES);
	if (mp_next_scalar(b, len, &off, &u, MSGPACK_OBJECT_POSITIVE_INTEGER) != 0 ||
	    o->via.u64 > UINT32_MAX)
		goto out;
	t.epoch = (uint32_t)o->via.u64;
	if (mp_next_scalar(b, len, &off, &u, MSGPACK_OBJECT_BIN) != 0 ||
	    o->via.bin.size != YISHI_PK_BYTES)
		goto out;
	memcpy(t.sender, o->via.bin.ptr, YISHI_PK_BYTES);
	if (mp_next_scalar(b, len, &off, &u, MSGPACK_OBJECT_POSITIVE_INTEGER) != 0)
		goto out;
	t.ts_ms = o->via.u64;
	if (mp_next_scalar(b, len, &off, &u, MSGPACK_OBJECT_BIN) != 0 ||
	    o->via.bin.size != YISHI_MID_BYTES)
		goto out;
	memcpy(t.id, o->via.bin.ptr, YISHI_MID_BYTES);
	if (off != len)
		goto out;

	if (msg_hdr_encode(&t, re) != len || memcmp(re, b, len) != 0)
		goto out;
	*h = t;
	rv = 0;
out:
	msgpack_unpacked_destroy(&u);
	return (rv);
}

/* Message body. */

int
body_encode(const char *text, size_t len, msgpack_sbuffer *sb)
{
	msgpack_packer	pk;

	msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
	if (msgpack_pack_map(&pk, 1) != 0 ||
	    msgpack_pack_str_with_body(&pk, BODY_KEY, CONTEXT_LEN(BODY_KEY)) != 0 ||
	    msgpack_pack_str_with_body(&pk, text, len) != 0)
		return (-1);
	return (0);
}

int
body_decode(const void *buf, size_t len, char *text, size_t textlen)
{
	const uint8_t		*b = buf;
	msgpack_unpacked	 u;
	msgpack_object		*o = &u.data;
	msgpack_sbuffer		 sb;
	const char		*p;
	size_t			 off = 1, n;
	int			 rv = -1;

	if (len == 0 || b[0] != MP_FIXMAP(1))
		return (-1);
	msgpack_unpacked_init(&u);
	msgpack_sbuffer_init(&sb);

	if (mp_next_scalar(b, len, &off, &u, MSGPACK_OBJECT_STR) != 0 ||
	    o->via.str.size != CONTEXT_LEN(BODY_KEY) ||
	    memcmp(o->via.str.ptr, BODY_KEY, CONTEXT_LEN(BODY_KEY)) != 0)
		goto out;
	if (mp_next_scalar(b, len, &off, &u, MSGPACK_OBJECT_STR) != 0)
		goto out;
	/* msgpack-c gives an empty str a NULL pointer, which memcpy may not see. */
	n = o->via.str.size;
	p = n == 0 ? "" : o->via.str.ptr;
	if (n >= textlen || !mp_utf8_valid((const uint8_t *)p, n))
		goto out;
	if (off != len)
		goto out;
	/* One body, one encoding: a longer str header is not the same body. */
	if (body_encode(p, n, &sb) != 0 || sb.size != len || memcmp(sb.data, b, len) != 0)
		goto out;
	memcpy(text, p, n);
	text[n] = '\0';
	rv = 0;
out:
	msgpack_sbuffer_destroy(&sb);
	msgpack_unpacked_destroy(&u);
	return (rv);
}

/* Messages. */

/*
 * Ed25519 signs one contiguous message, so context || hdr || nonce || ct is built
 * in a buffer the caller frees. NULL if the sizes overflow or malloc fails.
 */
static uint8_t *
msg_signed_bytes(const uint8_t *hdr, size_t hdrlen, const uint8_t *nonce,
    const uint8_t *ct, size_t ctlen, size_t *mlen)
{
	uint8_t	*m, *p;
	size_t	 fixed = CONTEXT_LEN(MSG_CONTEXT) + YISHI_NONCE_BYTES;

	if (hdrlen > SIZE_MAX - fixed || ctlen > SIZE_MAX - fixed - hdrlen)
		return (NULL);
	*mlen = fixed + hdrlen + ctlen;
	if ((m = malloc(*mlen)) == NULL)
		return (NULL);
	p = m;
	memcpy(p, MSG_CONTEXT, CONTEXT_LEN(MSG_CONTEXT));
	p += CONTEXT_LEN(MSG_CONTEXT);
	memcpy(p, hdr, hdrlen);
	p += hdrlen;
	memcpy(p, nonce, YISHI_NONCE_BYTES);
	p += YISHI_NONCE_BYTES;
	memcpy(p, ct, ctlen);
	return (m);
}

void
msg_seal(const struct ident *sender, const uint8_t *hdr, size_t hdrlen,
    const uint8_t key[YISHI_KEY_BYTES], const void *pt, size_t ptlen,
    uint8_t nonce[YISHI_NONCE_BYTES], uint8_t *ct, uint8_t sig[YISHI_SIG_BYTES])
{
	uint8_t	*m;
	size_t	 mlen;

	if (ptlen > crypto_aead_xchacha20poly1305_ietf_MESSAGEBYTES_MAX)
		fatalx("%s: plaintext of %zu bytes", __func__, ptlen);
	randombytes_buf(nonce, YISHI_NONCE_BYTES);
	crypto_aead_xchacha20poly1305_ietf_encrypt(ct, NULL, pt, ptlen, hdr, hdrlen, NULL,
	    nonce, key);
	/* msg_seal cannot fail by contract; like xmalloc, running out of memory is fatal. */
	if ((m = msg_signed_bytes(hdr, hdrlen, nonce, ct, ptlen + YISHI_TAG_BYTES,
	    &mlen)) == NULL)
		fatal("%s: malloc", __func__);
	crypto_sign_detached(sig, NULL, m, mlen, sender->sk);
	free(m);
}

int
msg_verify(const uint8_t sender_pk[YISHI_PK_BYTES], const uint8_t *hdr, size_t hdrlen,
    const uint8_t nonce[YISHI_NONCE_BYTES], const uint8_t *ct, size_t ctlen,
    const uint8_t sig[YISHI_SIG_BYTES])
{
	uint8_t	*m;
	size_t	 mlen;
	int	 rv;

	if ((m = msg_signed_bytes(hdr, hdrlen, nonce, ct, ctlen, &mlen)) == NULL) {
		log_warnx("%s: cannot buffer %zu byte message", __func__, ctlen);
		return (-1);
	}
	rv = crypto_sign_verify_detached(sig, m, mlen, sender_pk) == 0 ? 0 : -1;
	free(m);
	return (rv);
}

int
msg_open(const uint8_t key[YISHI_KEY_BYTES], const uint8_t *hdr, size_t hdrlen,
    const uint8_t nonce[YISHI_NONCE_BYTES], const uint8_t *ct, size_t ctlen, uint8_t *pt,
    size_t *ptlen)
{
	unsigned long long	n;

	if (ctlen < YISHI_TAG_BYTES)
		return (-1);
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(pt, &n, NULL, ct, ctlen, hdr, hdrlen,
	    nonce, key) != 0)
		return (-1);
	*ptlen = (size_t)n;
	return (0);
}
