/* modev.c: signed moderation events and flag notes. See modev.h. */
#include "proto/modev.h"

#include <string.h>

#include <msgpack.h>
#include <sodium.h>

#include "proto/mp.h"

#define MOD_CONTEXT	"yishi/mod/1"
#define FLAG_CONTEXT	"yishi/flag/1"
#define CONTEXT_LEN(s)	(sizeof(s) - 1)
#define MOD_FIELDS	9
#define FLAG_AD_BYTES	(CONTEXT_LEN(FLAG_CONTEXT) + YISHI_GID_BYTES + 8)

const char *const mod_action_names[MA__COUNT] = {
	[MA_APPROVE] = "approve",		[MA_REFUSE] = "refuse",
	[MA_MUTE] = "mute",			[MA_UNMUTE] = "unmute",
	[MA_KICK] = "kick",			[MA_BAN] = "ban",
	[MA_UNBAN] = "unban",			[MA_REDACT] = "redact",
	[MA_PIN] = "pin",			[MA_UNPIN] = "unpin",
	[MA_SLOW] = "slow",			[MA_ANNOUNCE_ONLY] = "announce-only",
	[MA_INVITE_POLICY] = "invite-policy",	[MA_PROMOTE] = "promote",
	[MA_DEMOTE] = "demote",			[MA_TRANSFER] = "transfer",
	[MA_STATION_BAN] = "station-ban",	[MA_STATION_UNBAN] = "station-unban",
};

static const uint8_t mod_zero[YISHI_PK_BYTES];

int
mod_action_parse(const char *s)
{
	int i;

	for (i = 0; i < MA__COUNT; i++)
		if (strcmp(s, mod_action_names[i]) == 0)
			return i;
	return -1;
}

int
mod_action_has_target(int a)
{
	switch (a) {
	case MA_APPROVE: case MA_REFUSE: case MA_MUTE: case MA_UNMUTE: case MA_KICK:
	case MA_BAN: case MA_UNBAN: case MA_PROMOTE: case MA_DEMOTE: case MA_TRANSFER:
	case MA_STATION_BAN: case MA_STATION_UNBAN:
		return 1;
	default:
		return 0;
	}
}

int
mod_action_is_station(int a)
{
	return a == MA_STATION_BAN || a == MA_STATION_UNBAN;
}

/* The shape rules both encoder and decoder enforce. */
static int
mod_event_valid(const struct mod_event *ev)
{
	size_t rl = strnlen(ev->reason, sizeof ev->reason);

	if (ev->action < 0 || ev->action >= MA__COUNT || rl > MOD_REASON_MAX ||
	    !mp_utf8_valid((const uint8_t *)ev->reason, rl))
		return 0;
	if (mod_action_has_target(ev->action) !=
	    (memcmp(ev->target, mod_zero, YISHI_PK_BYTES) != 0))
		return 0;
	if (mod_action_is_station(ev->action) !=
	    (memcmp(ev->group, mod_zero, YISHI_GID_BYTES) == 0))
		return 0;
	return 1;
}

size_t
mod_event_encode(const struct mod_event *ev, uint8_t *out, size_t outlen)
{
	struct mp_fixbuf fb = { out, 0, outlen, 0 };
	msgpack_packer pk;
	const char *name;

	if (!mod_event_valid(ev))
		return 0;
	name = mod_action_names[ev->action];
	msgpack_packer_init(&pk, &fb, mp_fixbuf_write);
	msgpack_pack_array(&pk, MOD_FIELDS);
	msgpack_pack_str_with_body(&pk, MOD_CONTEXT, CONTEXT_LEN(MOD_CONTEXT));
	msgpack_pack_bin_with_body(&pk, ev->group, YISHI_GID_BYTES);
	msgpack_pack_str_with_body(&pk, name, strlen(name));
	msgpack_pack_bin_with_body(&pk, ev->actor, YISHI_PK_BYTES);
	msgpack_pack_bin_with_body(&pk, ev->target, YISHI_PK_BYTES);
	msgpack_pack_uint64(&pk, ev->arg);
	msgpack_pack_str_with_body(&pk, ev->reason, strlen(ev->reason));
	msgpack_pack_uint64(&pk, ev->ts_ms);
	msgpack_pack_bin_with_body(&pk, ev->id, sizeof ev->id);
	return fb.overflow ? 0 : fb.len;
}

/*
 * The body is signed as raw bytes, so decoding requires that it re-encodes to the
 * same bytes: one event, one byte string.
 */
int
mod_event_decode(const void *buf, size_t len, struct mod_event *ev)
{
	const uint8_t *b = buf;
	uint8_t re[MOD_EVENT_MAX];
	char action[32];
	struct mod_event t;
	msgpack_unpacked u;
	size_t off = 1;
	int rv = -1;

	if (len == 0 || len > MOD_EVENT_MAX || b[0] != MP_FIXARRAY(MOD_FIELDS))
		return -1;
	memset(&t, 0, sizeof t);
	msgpack_unpacked_init(&u);
	if (mp_next_context(b, len, &off, &u, MOD_CONTEXT, CONTEXT_LEN(MOD_CONTEXT)) ||
	    mp_next_bin(b, len, &off, &u, t.group, YISHI_GID_BYTES) ||
	    mp_next_str(b, len, &off, &u, action, sizeof action) ||
	    (t.action = mod_action_parse(action)) < 0 ||
	    mp_next_bin(b, len, &off, &u, t.actor, YISHI_PK_BYTES) ||
	    mp_next_bin(b, len, &off, &u, t.target, YISHI_PK_BYTES) ||
	    mp_next_uint(b, len, &off, &u, &t.arg) ||
	    mp_next_str(b, len, &off, &u, t.reason, sizeof t.reason) ||
	    mp_next_uint(b, len, &off, &u, &t.ts_ms) ||
	    mp_next_bin(b, len, &off, &u, t.id, sizeof t.id) || off != len)
		goto out;
	/* A NUL inside the reason would make its C string shorter than its bytes. */
	if (mod_event_encode(&t, re, sizeof re) != len || memcmp(re, b, len) != 0)
		goto out;
	*ev = t;
	rv = 0;
out:
	msgpack_unpacked_destroy(&u);
	return rv;
}

void
mod_event_sign(const struct ident *actor, const uint8_t *body, size_t len,
    uint8_t sig[YISHI_SIG_BYTES])
{
	crypto_sign_detached(sig, NULL, body, len, actor->sk);
}

int
mod_event_verify(const uint8_t actor[YISHI_PK_BYTES], const uint8_t *body, size_t len,
    const uint8_t sig[YISHI_SIG_BYTES])
{
	return crypto_sign_verify_detached(sig, body, len, actor) == 0 ? 0 : -1;
}

static void
mod_note_ad(uint8_t ad[FLAG_AD_BYTES], const uint8_t *gid, uint64_t seq)
{
	int i;

	memcpy(ad, FLAG_CONTEXT, CONTEXT_LEN(FLAG_CONTEXT));
	memcpy(ad + CONTEXT_LEN(FLAG_CONTEXT), gid, YISHI_GID_BYTES);
	for (i = 0; i < 8; i++)
		ad[CONTEXT_LEN(FLAG_CONTEXT) + YISHI_GID_BYTES + i] = (uint8_t)(seq >> (56 - 8 * i));
}

size_t
mod_note_seal(const struct ident *from, const uint8_t to_pk[YISHI_PK_BYTES],
    const uint8_t gid[YISHI_GID_BYTES], uint64_t seq, const char *reason, uint8_t *note)
{
	uint8_t ad[FLAG_AD_BYTES];
	size_t len = strlen(reason);

	if (len > MOD_REASON_MAX || !mp_utf8_valid((const uint8_t *)reason, len))
		return 0;
	mod_note_ad(ad, gid, seq);
	if (pairbox_seal(from, to_pk, ad, sizeof ad, (const uint8_t *)reason, len, note) != 0)
		return 0;
	return YISHI_NONCE_BYTES + len + YISHI_TAG_BYTES;
}

int
mod_note_open(const struct ident *me, const uint8_t from_pk[YISHI_PK_BYTES],
    const uint8_t gid[YISHI_GID_BYTES], uint64_t seq, const uint8_t *note, size_t len,
    char *reason)
{
	uint8_t ad[FLAG_AD_BYTES];
	size_t n;

	if (len < YISHI_NONCE_BYTES + YISHI_TAG_BYTES || len > MOD_NOTE_MAX)
		return -1;
	n = len - YISHI_NONCE_BYTES - YISHI_TAG_BYTES;
	mod_note_ad(ad, gid, seq);
	if (pairbox_open(me, from_pk, ad, sizeof ad, note, len, (uint8_t *)reason) != 0)
		return -1;
	reason[n] = '\0';
	if (!mp_utf8_valid((const uint8_t *)reason, n)) {
		reason[0] = '\0';
		return -1;
	}
	return 0;
}
