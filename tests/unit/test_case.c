/*
 * test_case.c: reports, case entries and agreements: canonical encodings, strict
 * decoding, sealing to readers only, and offline verification of signed agreements
 * (drafted by the mediator and signed by both parties: verifies; one byte changed, a
 * party missing, or no agree entry by the mediator the document names: does not).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "proto/case.h"
#include "tests/unit/check.h"
#include "tests/unit/seeded.h"


/* Write a signed agreement file with the given agree entry (none if NULL) and sign entries. */
static size_t
agreement_file(const uint8_t *doc, size_t doclen, const uint8_t *agree, size_t agreelen,
    const uint8_t *agreesig, const uint8_t (*ent)[CASE_ENTRY_MAX], const size_t *entlen,
    const uint8_t (*sig)[64], int n, msgpack_sbuffer *sb)
{
	msgpack_packer pk;
	int i;

	msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, agree != NULL ? 3 : 2);
	msgpack_pack_str_with_body(&pk, "doc", 3);
	msgpack_pack_bin_with_body(&pk, doc, doclen);
	if (agree != NULL) {
		msgpack_pack_str_with_body(&pk, "agree", 5);
		msgpack_pack_map(&pk, 2);
		msgpack_pack_str_with_body(&pk, "entry", 5);
		msgpack_pack_bin_with_body(&pk, agree, agreelen);
		msgpack_pack_str_with_body(&pk, "sig", 3);
		msgpack_pack_bin_with_body(&pk, agreesig, 64);
	}
	msgpack_pack_str_with_body(&pk, "signs", 5);
	msgpack_pack_array(&pk, (size_t)n);
	for (i = 0; i < n; i++) {
		msgpack_pack_map(&pk, 2);
		msgpack_pack_str_with_body(&pk, "entry", 5);
		msgpack_pack_bin_with_body(&pk, ent[i], entlen[i]);
		msgpack_pack_str_with_body(&pk, "sig", 3);
		msgpack_pack_bin_with_body(&pk, sig[i], 64);
	}
	return sb->size;
}

/* A case entry naming actor, signed by signer, into out and sig; its length. */
static size_t
signed_entry(const struct ident *signer, const uint8_t actor[32], const uint8_t case_id[16],
    int action, const char *arg, uint8_t idbyte, uint8_t out[CASE_ENTRY_MAX], uint8_t sig[64])
{
	struct case_entry e;
	size_t len;

	memset(&e, 0, sizeof e);
	memcpy(e.case_id, case_id, 16);
	e.action = action;
	memcpy(e.actor, actor, 32);
	snprintf(e.arg, sizeof e.arg, "%s", arg);
	e.ts_ms = 1795494747478ULL + idbyte;
	e.id[0] = idbyte;
	len = case_entry_encode(&e, out, CASE_ENTRY_MAX);
	case_entry_sign(signer, out, len, sig);
	return len;
}

/* Verify the file of doc with this agree entry and the parties' signs. */
static int
agreement_check(const uint8_t *doc, size_t doclen, const uint8_t *agree, size_t agreelen,
    const uint8_t *agreesig, const uint8_t (*ent)[CASE_ENTRY_MAX], const size_t *entlen,
    const uint8_t (*sig)[64], int n, char *why, size_t whylen)
{
	static struct agreement a;
	msgpack_sbuffer sb;
	int rc;

	msgpack_sbuffer_init(&sb);
	agreement_file(doc, doclen, agree, agreelen, agreesig, ent, entlen, sig, n, &sb);
	rc = agreement_file_verify(sb.data, sb.size, &a, why, whylen);
	msgpack_sbuffer_destroy(&sb);
	return rc;
}

int
main(void)
{
	struct ident rep, police, mediator, other, outsider;
	struct report_meta m, back;
	struct report_body b, bb;
	struct case_entry e, eb;
	static struct agreement a, ab;
	uint8_t meta[REPORT_META_MAX], key[32], key2[32], seal[REPORT_SEAL_BYTES], sig[64];
	static uint8_t body[REPORT_BODY_MAX + 64], pt[REPORT_BODY_MAX + 64];
	uint8_t entry[CASE_ENTRY_MAX], bad[REPORT_META_MAX];
	static uint8_t doc[AGREEMENT_MAX];
	uint8_t ents[2][CASE_ENTRY_MAX], sigs[2][64], ents2[3][CASE_ENTRY_MAX], sigs2[3][64];
	uint8_t agree[CASE_ENTRY_MAX], agreesig[64], forged[CASE_ENTRY_MAX], forgedsig[64];
	size_t entlens[2], entlens2[3], agreelen, forgedlen;
	char hex[2 * REPORT_META_MAX + 1], hash[AGREEMENT_HASH_HEX], why[200];
	msgpack_sbuffer sb;
	size_t len, blen, doclen, i;
	int k;

	if (crypto_init() != 0)
		return 1;
	seeded(&rep, 0x00);
	seeded(&police, 0x40);
	seeded(&mediator, 0x60);
	seeded(&other, 0x80);
	seeded(&outsider, 0xa0);

	/* Report metadata: canonical, a known answer, strict. */
	memset(&m, 0, sizeof m);
	for (i = 0; i < 16; i++)
		m.id[i] = (uint8_t)(0x10 + i);
	memcpy(m.reporter, rep.pk, 32);
	m.kind = RK_FRAUD;
	m.urgent = 1;
	snprintf(m.area, sizeof m.area, "330281");
	m.ts_ms = 1795494747478ULL;
	snprintf(m.fraud_type, sizeof m.fraud_type, "fake-service");
	len = report_meta_encode(&m, meta, sizeof meta);
	CHECK(len > 0 && meta[0] == 0x9a);
	hex_encode(hex, meta, len);
	CHECK(strcmp(hex, "9aae79697368692f7265706f72742f31c410101112131415161718191a1b1c1d1e1f"
	    "c42003a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8a56672"
	    "61756401a6333330323831cf000001a20bd39d56ac66616b652d73657276696365c41000000000"
	    "00000000000000000000000000") == 0);
	CHECK(report_meta_decode(meta, len, &back) == 0 && back.kind == RK_FRAUD &&
	    back.urgent == 1 && strcmp(back.area, "330281") == 0 &&
	    strcmp(back.fraud_type, "fake-service") == 0 && back.ts_ms == m.ts_ms);
	CHECK(report_meta_decode(meta, len - 1, &back) != 0);
	memcpy(bad, meta, len);
	bad[len] = 0;
	CHECK(report_meta_decode(bad, len + 1, &back) != 0);
	m.kind = 7;
	CHECK(report_meta_encode(&m, meta, sizeof meta) == 0);
	m.kind = RK_FRAUD;
	snprintf(m.area, sizeof m.area, "33A2");
	CHECK(report_meta_encode(&m, meta, sizeof meta) == 0);	/* digits only */
	snprintf(m.area, sizeof m.area, "330281");
	len = report_meta_encode(&m, meta, sizeof meta);
	report_meta_sign(&rep, meta, len, sig);
	CHECK(report_meta_verify(rep.pk, meta, len, sig) == 0);
	CHECK(report_meta_verify(police.pk, meta, len, sig) != 0);
	for (k = 0; k < RK__COUNT; k++)
		CHECK(report_kind_parse(report_kind_names[k]) == k);
	CHECK(report_kind_queue(RK_FRAUD) == CQ_ANTIFRAUD &&
	    report_kind_queue(RK_DISPUTE) == CQ_MEDIATION &&
	    report_kind_queue(RK_NONPOLICE) == CQ_TRANSFER);

	/* The body opens only with the key sealed to a reader, only under its metadata. */
	memset(&b, 0, sizeof b);
	snprintf(b.text, sizeof b.text, "自称客服让我转账到安全账户");
	snprintf(b.amount, sizeof b.amount, "12000");
	snprintf(b.accounts[0], sizeof b.accounts[0], "6222 0000 1111");
	b.naccounts = 1;
	snprintf(b.phones[0], sizeof b.phones[0], "+86 400 000 0000");
	snprintf(b.phones[1], sizeof b.phones[1], "95588");
	b.nphones = 2;
	b.attachments[0].data = (const uint8_t *)"\x89PNG fake image bytes";
	b.attachments[0].len = 21;
	snprintf(b.attachments[0].name, sizeof b.attachments[0].name, "转账截图.png");
	b.nattachments = 1;
	msgpack_sbuffer_init(&sb);
	CHECK(report_body_encode(&b, &sb) == 0);
	CHECK(report_body_decode(sb.data, sb.size, &bb) == 0 && strcmp(bb.text, b.text) == 0 &&
	    strcmp(bb.amount, "12000") == 0 && bb.naccounts == 1 && bb.nphones == 2 &&
	    strcmp(bb.phones[1], "95588") == 0 && bb.nattachments == 1 &&
	    bb.attachments[0].len == 21 && memcmp(bb.attachments[0].data, "\x89PNG", 4) == 0 &&
	    strcmp(bb.attachments[0].name, "转账截图.png") == 0);
	{
		/* Attachment limits: no '/' in names, a total bound, a bounded count. */
		struct report_body t = b;
		static uint8_t big[REPORT_ATTACH_BYTES + 1];
		msgpack_sbuffer sb2;

		msgpack_sbuffer_init(&sb2);
		snprintf(t.attachments[0].name, sizeof t.attachments[0].name, "../etc/passwd");
		CHECK(report_body_encode(&t, &sb2) != 0);
		t = b;
		t.attachments[0].data = big;
		t.attachments[0].len = sizeof big;
		CHECK(report_body_encode(&t, &sb2) != 0);
		t = b;
		t.nattachments = REPORT_ATTACH_MAX + 1;
		CHECK(report_body_encode(&t, &sb2) != 0);
		msgpack_sbuffer_destroy(&sb2);
	}
	report_seal_body(meta, len, (const uint8_t *)sb.data, sb.size, key, body);
	blen = 24 + sb.size + 16;
	CHECK(report_seal_key(key, police.pk, seal) == 0);
	CHECK(report_open_key(&police, seal, key2) == 0 && memcmp(key, key2, 32) == 0);
	CHECK(report_open_key(&outsider, seal, key2) != 0);
	CHECK(report_open_body(key, meta, len, body, blen, pt) == 0 &&
	    memcmp(pt, sb.data, sb.size) == 0);
	meta[len - 1] ^= 1;				/* other metadata: refused */
	CHECK(report_open_body(key, meta, len, body, blen, pt) != 0);
	meta[len - 1] ^= 1;
	body[30] ^= 1;
	CHECK(report_open_body(key, meta, len, body, blen, pt) != 0);
	body[30] ^= 1;
	/* Strict body decoding: a repeated key, an unknown key, a missing text. */
	{
		static const uint8_t dup[] = { 0x82, 0xa4, 't', 'e', 'x', 't', 0xa1, 'a',
		    0xa4, 't', 'e', 'x', 't', 0xa1, 'b' };
		static const uint8_t unk[] = { 0x82, 0xa4, 't', 'e', 'x', 't', 0xa1, 'a',
		    0xa3, 'f', 'o', 'o', 0xa1, 'b' };
		static const uint8_t notext[] = { 0x81, 0xa6, 'a', 'm', 'o', 'u', 'n', 't', 0xa1,
		    '1' };
		static const uint8_t hugelist[] = { 0x82, 0xa4, 't', 'e', 'x', 't', 0xa1, 'a',
		    0xa6, 'p', 'h', 'o', 'n', 'e', 's', 0xdd, 0xff, 0xff, 0xff, 0xff };

		CHECK(report_body_decode(dup, sizeof dup, &bb) != 0);
		CHECK(report_body_decode(unk, sizeof unk, &bb) != 0);
		CHECK(report_body_decode(notext, sizeof notext, &bb) != 0);
		CHECK(report_body_decode(hugelist, sizeof hugelist, &bb) != 0);
	}
	msgpack_sbuffer_destroy(&sb);

	/* Case entries. */
	memset(&e, 0, sizeof e);
	memcpy(e.case_id, m.id, 16);
	e.action = CA_CLAIM;
	memcpy(e.actor, police.pk, 32);
	e.ts_ms = 1795494747478ULL;
	len = case_entry_encode(&e, entry, sizeof entry);
	CHECK(len > 0 && case_entry_decode(entry, len, &eb) == 0 && eb.action == CA_CLAIM);
	case_entry_sign(&police, entry, len, sig);
	CHECK(case_entry_verify(police.pk, entry, len, sig) == 0);
	entry[20] ^= 1;
	CHECK(case_entry_verify(police.pk, entry, len, sig) != 0);
	CHECK(case_entry_decode(entry, len - 1, &eb) != 0);
	for (k = 0; k < CA__COUNT; k++)
		CHECK(case_action_parse(case_action_names[k]) == k);

	/* An agreement drafted by its mediator, signed by both parties, verifies offline. */
	memset(&a, 0, sizeof a);
	memcpy(a.case_id, m.id, 16);
	memcpy(a.mediator, mediator.pk, 32);
	memcpy(a.parties[0], rep.pk, 32);
	memcpy(a.parties[1], other.pk, 32);
	a.nparties = 2;
	snprintf(a.text, sizeof a.text, "双方同意：王师傅赔偿李阿姨 800 元，三日内付清。");
	a.ts_ms = 1795494747478ULL;
	doclen = agreement_encode(&a, doc, sizeof doc);
	CHECK(doclen > 0 && agreement_decode(doc, doclen, &ab) == 0 && ab.nparties == 2 &&
	    strcmp(ab.text, a.text) == 0);
	agreement_hash(doc, doclen, hash);
	for (k = 0; k < 2; k++) {
		struct ident *who = k == 0 ? &rep : &other;

		entlens[k] = signed_entry(who, who->pk, m.id, CA_SIGN, hash, (uint8_t)k, ents[k],
		    sigs[k]);
	}
	agreelen = signed_entry(&mediator, mediator.pk, m.id, CA_AGREE, hash, 9, agree,
	    agreesig);
	msgpack_sbuffer_init(&sb);
	agreement_file(doc, doclen, agree, agreelen, agreesig, ents, entlens, sigs, 2, &sb);
	CHECK(agreement_file_verify(sb.data, sb.size, &ab, why, sizeof why) == 0 &&
	    memcmp(ab.mediator, mediator.pk, 32) == 0);
	msgpack_sbuffer_destroy(&sb);
	CHECK(agreement_check(doc, doclen, agree, agreelen, agreesig, ents, entlens, sigs, 1,
	    why, sizeof why) != 0 && strstr(why, "no valid signature") != NULL);
	doc[doclen - 12] ^= 1;						/* tampered text */
	CHECK(agreement_check(doc, doclen, agree, agreelen, agreesig, ents, entlens, sigs, 2,
	    why, sizeof why) != 0);
	doc[doclen - 12] ^= 1;
	sigs[1][5] ^= 1;						/* a forged signature */
	CHECK(agreement_check(doc, doclen, agree, agreelen, agreesig, ents, entlens, sigs, 2,
	    why, sizeof why) != 0);
	sigs[1][5] ^= 1;
	/* A sign entry by someone who is no party, or a party's twice: not a strict file. */
	memcpy(ents2[0], ents[0], sizeof ents[0]);
	memcpy(sigs2[0], sigs[0], sizeof sigs[0]);
	entlens2[0] = entlens[0];
	memcpy(ents2[1], ents[1], sizeof ents[1]);
	memcpy(sigs2[1], sigs[1], sizeof sigs[1]);
	entlens2[1] = entlens[1];
	entlens2[2] = signed_entry(&outsider, outsider.pk, m.id, CA_SIGN, hash, 3, ents2[2],
	    sigs2[2]);
	CHECK(agreement_check(doc, doclen, agree, agreelen, agreesig, ents2, entlens2, sigs2, 3,
	    why, sizeof why) != 0 && strstr(why, "sign 3") != NULL);
	memcpy(ents2[2], ents[0], sizeof ents[0]);
	memcpy(sigs2[2], sigs[0], sizeof sigs[0]);
	entlens2[2] = entlens[0];
	CHECK(agreement_check(doc, doclen, agree, agreelen, agreesig, ents2, entlens2, sigs2, 3,
	    why, sizeof why) != 0 && strstr(why, "sign 3") != NULL);

	/*
	 * A forgery: both parties sign a document naming a mediator who never agreed to it.
	 * Without the mediator's agree entry it is refused ...
	 */
	CHECK(agreement_check(doc, doclen, NULL, 0, NULL, ents, entlens, sigs, 2, why,
	    sizeof why) != 0);
	/* ... and with an agree entry by another key (a party's, an outsider's) too, */
	forgedlen = signed_entry(&rep, rep.pk, m.id, CA_AGREE, hash, 9, forged, forgedsig);
	CHECK(agreement_check(doc, doclen, forged, forgedlen, forgedsig, ents, entlens, sigs, 2,
	    why, sizeof why) != 0 && strstr(why, "mediator") != NULL);
	forgedlen = signed_entry(&outsider, outsider.pk, m.id, CA_AGREE, hash, 9, forged,
	    forgedsig);
	CHECK(agreement_check(doc, doclen, forged, forgedlen, forgedsig, ents, entlens, sigs, 2,
	    why, sizeof why) != 0 && strstr(why, "mediator") != NULL);
	/* ... one naming the mediator but signed by another key, */
	forgedlen = signed_entry(&outsider, mediator.pk, m.id, CA_AGREE, hash, 9, forged,
	    forgedsig);
	CHECK(agreement_check(doc, doclen, forged, forgedlen, forgedsig, ents, entlens, sigs, 2,
	    why, sizeof why) != 0 && strstr(why, "mediator") != NULL);
	/* ... the mediator's agree to another document or case, or a sign in its place. */
	forgedlen = signed_entry(&mediator, mediator.pk, m.id, CA_AGREE,
	    "0000000000000000000000000000000000000000000000000000000000000000", 9, forged,
	    forgedsig);
	CHECK(agreement_check(doc, doclen, forged, forgedlen, forgedsig, ents, entlens, sigs, 2,
	    why, sizeof why) != 0 && strstr(why, "mediator") != NULL);
	memcpy(ab.case_id, m.id, 16);
	ab.case_id[0] ^= 1;
	forgedlen = signed_entry(&mediator, mediator.pk, ab.case_id, CA_AGREE, hash, 9, forged,
	    forgedsig);
	CHECK(agreement_check(doc, doclen, forged, forgedlen, forgedsig, ents, entlens, sigs, 2,
	    why, sizeof why) != 0 && strstr(why, "mediator") != NULL);
	forgedlen = signed_entry(&mediator, mediator.pk, m.id, CA_SIGN, hash, 9, forged,
	    forgedsig);
	CHECK(agreement_check(doc, doclen, forged, forgedlen, forgedsig, ents, entlens, sigs, 2,
	    why, sizeof why) != 0 && strstr(why, "mediator") != NULL);
	/* The genuine agree entry, with one bit of its signature flipped. */
	agreesig[7] ^= 1;
	CHECK(agreement_check(doc, doclen, agree, agreelen, agreesig, ents, entlens, sigs, 2,
	    why, sizeof why) != 0 && strstr(why, "mediator") != NULL);
	agreesig[7] ^= 1;
	CHECK(agreement_check(doc, doclen, agree, agreelen, agreesig, ents, entlens, sigs, 2,
	    why, sizeof why) == 0);
	{
		static const uint8_t huge[] = { 0x83, 0xa3, 'd', 'o', 'c', 0xc4, 0x01, 0x00,
		    0xa5, 'a', 'g', 'r', 'e', 'e', 0x80,
		    0xa5, 's', 'i', 'g', 'n', 's', 0xdd, 0xff, 0xff, 0xff, 0xff };

		CHECK(agreement_file_verify(huge, sizeof huge, &ab, why, sizeof why) != 0);
	}

	ident_wipe(&rep);
	ident_wipe(&police);
	ident_wipe(&mediator);
	ident_wipe(&other);
	ident_wipe(&outsider);
	return check_done("case");
}
