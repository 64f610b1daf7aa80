/*
 * test_modev.c: moderation events and flag notes: canonical encoding (a known
 * answer), strict decoding, signatures, the shape rules per action, group id
 * derivation, and notes that open only for their moderator.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "proto/crypto.h"
#include "proto/modev.h"
#include "tests/unit/check.h"
#include "tests/unit/seeded.h"


static struct mod_event
kick_event(const struct ident *actor, const struct ident *target)
{
	struct mod_event ev;
	int i;

	memset(&ev, 0, sizeof ev);
	for (i = 0; i < 16; i++)
		ev.group[i] = (uint8_t)(0xa0 + i);
	ev.action = MA_KICK;
	memcpy(ev.actor, actor->pk, 32);
	memcpy(ev.target, target->pk, 32);
	snprintf(ev.reason, sizeof ev.reason, "广告 spam");
	ev.ts_ms = 1795494747478ULL;
	for (i = 0; i < 16; i++)
		ev.id[i] = (uint8_t)i;
	return ev;
}

int
main(void)
{
	struct ident mod, res, other;
	struct mod_event ev, back;
	uint8_t body[MOD_EVENT_MAX], bad[MOD_EVENT_MAX], sig[64], gid[16], gid2[16], salt[16];
	uint8_t note[MOD_NOTE_MAX];
	char hex[2 * MOD_EVENT_MAX + 1], reason[MOD_REASON_MAX + 1];
	size_t len, nlen, i;

	if (crypto_init() != 0)
		return 1;
	seeded(&mod, 0x00);
	seeded(&res, 0x40);
	seeded(&other, 0x80);

	/* Canonical bytes: array of 9, context string first, shortest integers. */
	ev = kick_event(&mod, &res);
	len = mod_event_encode(&ev, body, sizeof body);
	CHECK(len > 0);
	CHECK(body[0] == 0x99);
	CHECK(body[1] == 0xab && memcmp(body + 2, "yishi/mod/1", 11) == 0);
	CHECK(body[13] == 0xc4 && body[14] == 16);		/* bin8 of 16: the group */
	CHECK(body[31] == 0xa4 && memcmp(body + 32, "kick", 4) == 0);
	CHECK(body[len - 18] == 0xc4 && body[len - 17] == 16);	/* the id closes it */
	CHECK(memcmp(body + len - 16, ev.id, 16) == 0);
	hex_encode(hex, body, len);
	/* Known answers: these bytes and this signature (Ed25519 is deterministic). */
	CHECK(strcmp(hex, "99ab79697368692f6d6f642f31c410a0a1a2a3a4a5a6a7a8a9aaabacadaeafa46b69"
	    "636bc42003a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8c420"
	    "2543b92ff1095511476adc8369db6ddc933665a11978dda1404ee1066ca9559d00abe5b9bfe591"
	    "8a207370616dcf000001a20bd39d56c410000102030405060708090a0b0c0d0e0f") == 0);
	mod_event_sign(&mod, body, len, sig);
	hex_encode(hex, sig, 64);
	CHECK(strcmp(hex, "88df32d838e5328b368e291a3c2aeddf2f22d500b3239839e713c831df06378f89726c"
	    "36d3bb71847b004be509ab8c4f3b19fd6fbc903c3bca0d280cccc37d07") == 0);
	CHECK(mod_event_decode(body, len, &back) == 0);
	CHECK(memcmp(&back.group, &ev.group, 16) == 0 && back.action == MA_KICK);
	CHECK(memcmp(back.target, res.pk, 32) == 0 && strcmp(back.reason, ev.reason) == 0);
	CHECK(back.ts_ms == ev.ts_ms && memcmp(back.id, ev.id, 16) == 0);

	/* Signatures: by the actor, over the exact bytes. */
	mod_event_sign(&mod, body, len, sig);
	CHECK(mod_event_verify(mod.pk, body, len, sig) == 0);
	CHECK(mod_event_verify(res.pk, body, len, sig) != 0);
	for (i = 0; i < len; i++) {
		memcpy(bad, body, len);
		bad[i] ^= 0x01;
		if (mod_event_verify(mod.pk, bad, len, sig) == 0)
			break;
	}
	CHECK_EQ(i, len);	/* no single flipped bit verifies */

	/* An empty reason round-trips (msgpack-c hands it over as a NULL pointer). */
	ev = kick_event(&mod, &res);
	ev.reason[0] = '\0';
	len = mod_event_encode(&ev, body, sizeof body);
	CHECK(len > 0 && mod_event_decode(body, len, &back) == 0 && back.reason[0] == '\0');
	ev = kick_event(&mod, &res);
	len = mod_event_encode(&ev, body, sizeof body);

	/* Strict decoding. */
	CHECK(mod_event_decode(body, len - 1, &back) != 0);	/* truncated */
	memcpy(bad, body, len);
	bad[len] = 0x00;
	CHECK(mod_event_decode(bad, len + 1, &back) != 0);	/* trailing byte */
	memcpy(bad, body, len);
	bad[32] = 'x';						/* "xick": unknown action */
	CHECK(mod_event_decode(bad, len, &back) != 0);
	memcpy(bad, body, len);
	bad[2] = 'Y';						/* wrong context */
	CHECK(mod_event_decode(bad, len, &back) != 0);
	bad[0] = 0xdd;						/* huge array header */
	CHECK(mod_event_decode(bad, len, &back) != 0);
	{
		/* A non-shortest integer: arg 0 as uint8 (0xcc 0x00) instead of 0x00. */
		size_t at = 1 + 12 + 18 + 5 + 34 + 34;

		CHECK(body[at] == 0x00);
		memcpy(bad, body, at);
		bad[at] = 0xcc;
		bad[at + 1] = 0x00;
		memcpy(bad + at + 2, body + at + 1, len - at - 1);
		CHECK(mod_event_decode(bad, len + 1, &back) != 0);
	}

	/* Shape rules: targets where the action needs one, station scope for station actions. */
	ev = kick_event(&mod, &res);
	memset(ev.target, 0, 32);
	CHECK(mod_event_encode(&ev, body, sizeof body) == 0);
	ev = kick_event(&mod, &res);
	ev.action = MA_PIN;					/* pin takes no target */
	CHECK(mod_event_encode(&ev, body, sizeof body) == 0);
	memset(ev.target, 0, 32);
	ev.arg = 7;
	CHECK(mod_event_encode(&ev, body, sizeof body) > 0);
	ev = kick_event(&mod, &res);
	ev.action = MA_STATION_BAN;				/* needs the zero group */
	CHECK(mod_event_encode(&ev, body, sizeof body) == 0);
	memset(ev.group, 0, 16);
	CHECK(mod_event_encode(&ev, body, sizeof body) > 0);
	ev = kick_event(&mod, &res);
	memset(ev.group, 0, 16);				/* a group action needs a group */
	CHECK(mod_event_encode(&ev, body, sizeof body) == 0);
	ev = kick_event(&mod, &res);
	memcpy(ev.reason, "\xc0\xaf", 3);			/* overlong UTF-8 */
	CHECK(mod_event_encode(&ev, body, sizeof body) == 0);
	for (i = 0; i < MA__COUNT; i++)
		CHECK(mod_action_parse(mod_action_names[i]) == (int)i);
	CHECK(mod_action_parse("nuke") == -1);

	/* Group ids bind the founder. */
	memset(salt, 7, sizeof salt);
	group_id_derive(mod.pk, salt, gid);
	group_id_derive(mod.pk, salt, gid2);
	CHECK(memcmp(gid, gid2, 16) == 0);
	group_id_derive(res.pk, salt, gid2);
	CHECK(memcmp(gid, gid2, 16) != 0);
	salt[0] ^= 1;
	group_id_derive(mod.pk, salt, gid2);
	CHECK(memcmp(gid, gid2, 16) != 0);

	/* Flag notes open for their moderator only, for that message only. */
	nlen = mod_note_seal(&res, mod.pk, gid, 42, "诈骗链接 scam link", note);
	CHECK(nlen == 24 + strlen("诈骗链接 scam link") + 16);
	CHECK(mod_note_open(&mod, res.pk, gid, 42, note, nlen, reason) == 0 &&
	    strcmp(reason, "诈骗链接 scam link") == 0);
	CHECK(mod_note_open(&other, res.pk, gid, 42, note, nlen, reason) != 0);
	CHECK(mod_note_open(&mod, res.pk, gid, 43, note, nlen, reason) != 0);
	CHECK(mod_note_open(&mod, other.pk, gid, 42, note, nlen, reason) != 0);
	note[30] ^= 1;
	CHECK(mod_note_open(&mod, res.pk, gid, 42, note, nlen, reason) != 0);
	CHECK(mod_note_seal(&res, mod.pk, gid, 42, "\xff", note) == 0);

	ident_wipe(&mod);
	ident_wipe(&res);
	ident_wipe(&other);
	return check_done("modev");
}
