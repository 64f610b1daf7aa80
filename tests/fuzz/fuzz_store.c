/*
 * fuzz_store.c: every store record decoder over arbitrary bytes. Nothing may crash;
 * what a decoder accepts must be what msgpack-c reads from the same bytes, must
 * re-encode and decode to the same record, and a msg_rec's pointers must lie in the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <msgpack.h>

#include "storage/store.h"
#include "storage/store_codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_in_input(const uint8_t *p, size_t len, const uint8_t *data, size_t size)
{
	if (p < data || p > data + size || len > (size_t)(data + size - p))
		abort();
}

static void
fuzz_check_msg(const struct msg_rec *m, const uint8_t *data, size_t size,
    const msgpack_object *o)
{
	fuzz_in_input(m->hdr, m->hdrlen, data, size);
	fuzz_in_input(m->nonce, 24, data, size);
	fuzz_in_input(m->ct, m->ctlen, data, size);
	fuzz_in_input(m->sig, 64, data, size);
	/*
	 * msgpack-c leaves bin bodies in the input too, at the same places (an empty
	 * bin's pointer is wherever its parser stood, so only non-empty ones compare).
	 */
	if (o->via.array.size != 9 ||
	    (m->hdrlen > 0 && (const uint8_t *)o->via.array.ptr[5].via.bin.ptr != m->hdr) ||
	    (const uint8_t *)o->via.array.ptr[6].via.bin.ptr != m->nonce ||
	    (m->ctlen > 0 && (const uint8_t *)o->via.array.ptr[7].via.bin.ptr != m->ct) ||
	    (const uint8_t *)o->via.array.ptr[8].via.bin.ptr != m->sig)
		abort();
}

static int
fuzz_msg_equal(const struct msg_rec *a, const struct msg_rec *b)
{
	return memcmp(a->gid, b->gid, 16) == 0 && a->seq == b->seq && a->ts_ms == b->ts_ms &&
	    memcmp(a->sender, b->sender, 32) == 0 && memcmp(a->id, b->id, 16) == 0 &&
	    a->hdrlen == b->hdrlen && memcmp(a->hdr, b->hdr, a->hdrlen) == 0 &&
	    memcmp(a->nonce, b->nonce, 24) == 0 && a->ctlen == b->ctlen &&
	    memcmp(a->ct, b->ct, a->ctlen) == 0 && memcmp(a->sig, b->sig, 64) == 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	union {
		struct node_meta	node;
		struct user_rec		user;
		struct group_rec	group;
		struct member_rec	member;
		struct msg_rec		msg;
		struct key_rec		key;
		struct invite_rec	invite;
		struct ban_rec		ban;
		struct modlog_rec	modlog;
		struct tomb_rec		tomb;
		struct flag_rec		flag;
		struct case_rec		kase;
		struct report_rec	report;
		struct caselog_rec	caselog;
		struct outbox_rec	outbox;
		struct warn_rec		warn;
	} rec, again;
	msgpack_sbuffer sb2;
	msgpack_sbuffer sb;
	msgpack_packer pk;
	msgpack_zone zone;
	msgpack_object obj;
	size_t off;
	int which;

	for (which = 0; which < STORE_REC__COUNT; which++) {
		if (store_record_size(which) > sizeof rec)
			abort();
		if (store_record_decode(which, data, size, &rec) == -1)
			continue;

		/* Accepted bytes hold one flat array, so msgpack-c can read them safely. */
		msgpack_zone_init(&zone, 1024);
		off = 0;
		if (msgpack_unpack((const char *)data, size, &off, &zone, &obj) !=
		    MSGPACK_UNPACK_SUCCESS || off != size || obj.type != MSGPACK_OBJECT_ARRAY)
			abort();
		if (which == STORE_REC_MSG)
			fuzz_check_msg(&rec.msg, data, size, &obj);
		msgpack_zone_destroy(&zone);

		msgpack_sbuffer_init(&sb);
		msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
		if (store_record_pack(which, &rec, &pk) == -1 ||
		    store_record_decode(which, sb.data, sb.size, &again) == -1)
			abort();
		if (which == STORE_REC_MSG && !fuzz_msg_equal(&rec.msg, &again.msg))
			abort();
		/* Records with pointers compare by their encodings: equal records, equal bytes. */
		msgpack_sbuffer_init(&sb2);
		msgpack_packer_init(&pk, &sb2, msgpack_sbuffer_write);
		if (store_record_pack(which, &again, &pk) == -1 || sb.size != sb2.size ||
		    memcmp(sb.data, sb2.data, sb.size) != 0)
			abort();
		msgpack_sbuffer_destroy(&sb2);
		msgpack_sbuffer_destroy(&sb);
	}
	return 0;
}
