/*
 * fuzz_modev.c: the moderation event decoder. Whatever decodes must re-encode to
 * the same bytes (one event, one byte string), and a flag note of any bytes must
 * be refused without a crash.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "proto/crypto.h"
#include "proto/modev.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ident me;
	static int ready;
	struct mod_event ev;
	uint8_t re[MOD_EVENT_MAX], gid[16] = { 0 };
	char reason[MOD_REASON_MAX + 1];
	size_t len;

	if (!ready) {
		if (crypto_init() != 0 || ident_new(&me) != 0)
			abort();
		ready = 1;
	}
	if (mod_event_decode(data, size, &ev) == 0) {
		len = mod_event_encode(&ev, re, sizeof re);
		if (len != size || memcmp(re, data, size) != 0)
			abort();
		(void)mod_event_verify(ev.actor, data, size, re);
	}
	if (mod_note_open(&me, me.pk, gid, 1, data, size, reason) == 0)
		abort();	/* nobody can forge a note to this key without its secret */
	return 0;
}
