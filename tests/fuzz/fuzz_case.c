/*
 * fuzz_case.c: the report, case entry, agreement and agreement-file decoders. What
 * decodes must re-encode to the same bytes; nothing may crash or allocate from a
 * hostile count.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/case.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct agreement a;
	static uint8_t re[AGREEMENT_MAX];
	struct report_meta m;
	static struct report_body b;
	struct case_entry e;
	char why[200];

	if (report_meta_decode(data, size, &m) == 0 &&
	    (report_meta_encode(&m, re, sizeof re) != size || memcmp(re, data, size) != 0))
		abort();
	if (case_entry_decode(data, size, &e) == 0 &&
	    (case_entry_encode(&e, re, sizeof re) != size || memcmp(re, data, size) != 0))
		abort();
	if (agreement_decode(data, size, &a) == 0 &&
	    (agreement_encode(&a, re, sizeof re) != size || memcmp(re, data, size) != 0))
		abort();
	(void)report_body_decode(data, size, &b);
	(void)agreement_file_verify(data, size, &a, why, sizeof why);
	return 0;
}
