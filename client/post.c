/* post.c: see post.h. */
#include "client/post.h"

#include <stdio.h>
#include <string.h>
#include <sys/time.h>

#include <sodium.h>

static uint64_t
post_now_ms(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (uint64_t)tv.tv_sec * 1000 + (uint64_t)tv.tv_usec / 1000;
}

int
post_seal(struct post_sealed *ps, const struct ident *me, const uint8_t gid[YISHI_GID_BYTES],
    uint32_t epoch, const uint8_t key[YISHI_KEY_BYTES], const char *text, size_t len)
{
	msgpack_sbuffer sb;

	memset(ps, 0, sizeof *ps);
	if (len > WIRE_MAX_TEXT)
		return -1;
	memcpy(ps->hdr.group, gid, YISHI_GID_BYTES);
	ps->hdr.epoch = epoch;
	memcpy(ps->hdr.sender, me->pk, YISHI_PK_BYTES);
	ps->hdr.ts_ms = post_now_ms();
	randombytes_buf(ps->hdr.id, sizeof ps->hdr.id);
	ps->hdrlen = msg_hdr_encode(&ps->hdr, ps->hdrbuf);

	msgpack_sbuffer_init(&sb);
	if (body_encode(text, len, &sb) == -1 ||
	    sb.size + YISHI_TAG_BYTES > sizeof ps->ct) {
		msgpack_sbuffer_destroy(&sb);
		return -1;
	}
	msg_seal(me, ps->hdrbuf, ps->hdrlen, key, sb.data, sb.size, ps->nonce, ps->ct,
	    ps->sig);
	ps->ctlen = sb.size + YISHI_TAG_BYTES;
	/* The plaintext must not outlive the call. */
	sodium_memzero(sb.data, sb.alloc);
	msgpack_sbuffer_destroy(&sb);
	return 0;
}

void
post_sealed_rec(const struct post_sealed *ps, struct wire_rec *r)
{
	wire_rec_init(r, &wire_kinds[WK_SEND]);
	wire_set_bin(r, WF_HDR, ps->hdrbuf, ps->hdrlen);
	wire_set_bin(r, WF_NONCE, ps->nonce, sizeof ps->nonce);
	wire_set_bin(r, WF_CT, ps->ct, ps->ctlen);
	wire_set_bin(r, WF_SIG, ps->sig, sizeof ps->sig);
}

uint32_t
post_epoch(const struct wire_rec *m)
{
	struct msg_hdr h;

	if (!wire_has(m, WF_HDR))
		return 0;
	if (msg_hdr_decode(m->f[WF_HDR].p, m->f[WF_HDR].len, &h) == -1)
		return 0;
	return h.epoch;
}

void
post_open(struct post *p, const struct wire_rec *m, const uint8_t gid[YISHI_GID_BYTES],
    const struct keyring *kr)
{
	const struct wire_val *hdr = &m->f[WF_HDR], *ct = &m->f[WF_CT];
	uint8_t pt[WIRE_MAX_CT];
	const uint8_t *key;
	size_t ptlen;

	memset(p, 0, sizeof *p);
	p->seq = wire_u(m, WF_SEQ);
	p->ts = wire_u(m, WF_TS);
	wire_str(m, WF_SENDER_NAME, p->sender_name, sizeof p->sender_name);

	if (!wire_has(m, WF_HDR) && !wire_has(m, WF_NONCE) && !wire_has(m, WF_CT) &&
	    !wire_has(m, WF_SIG) && wire_has(m, WF_FROM)) {
		p->redacted = 1;
		memcpy(p->redacted_by, m->f[WF_FROM].p, YISHI_PK_BYTES);
		if (wire_has(m, WF_REASON))
			wire_str(m, WF_REASON, p->reason, sizeof p->reason);
		snprintf(p->error, sizeof p->error, "redacted");
		return;
	}
	if (!wire_has(m, WF_HDR) || !wire_has(m, WF_NONCE) || !wire_has(m, WF_CT) ||
	    !wire_has(m, WF_SIG)) {
		snprintf(p->error, sizeof p->error, "malformed message record");
		return;
	}
	if (msg_hdr_decode(hdr->p, hdr->len, &p->hdr) == -1) {
		snprintf(p->error, sizeof p->error, "malformed message header");
		return;
	}
	p->have_hdr = 1;
	if (memcmp(p->hdr.group, gid, YISHI_GID_BYTES) != 0) {
		snprintf(p->error, sizeof p->error, "rejected: header names another group");
		return;
	}
	if (msg_verify(p->hdr.sender, hdr->p, hdr->len, m->f[WF_NONCE].p, ct->p, ct->len,
	    m->f[WF_SIG].p) == -1) {
		snprintf(p->error, sizeof p->error, "rejected: bad signature");
		return;
	}
	if (kr == NULL || (key = keyring_find(kr, p->hdr.epoch)) == NULL) {
		p->nokey = 1;
		snprintf(p->error, sizeof p->error, "no key for epoch %u", p->hdr.epoch);
		return;
	}
	if (ct->len > sizeof pt ||
	    msg_open(key, hdr->p, hdr->len, m->f[WF_NONCE].p, ct->p, ct->len, pt,
	    &ptlen) == -1) {
		snprintf(p->error, sizeof p->error, "rejected: cannot decrypt");
		return;
	}
	if (body_decode(pt, ptlen, p->text, sizeof p->text) == -1)
		snprintf(p->error, sizeof p->error, "rejected: malformed body");
	else
		p->ok = 1;
	sodium_memzero(pt, sizeof pt);
}
