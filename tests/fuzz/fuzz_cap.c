/*
 * fuzz_cap.c: CAP 1.2 import. Must never crash, never load an external entity (the
 * loader aborts if libxml2 ever calls it: no file, no network), and whatever
 * imports must export to CAP that imports back to the same warning.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "client/cap.h"
#include "proto/warn.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static xmlParserInputPtr
fuzz_no_loader(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
	(void)url;
	(void)id;
	(void)ctxt;
	abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct warning	w, w2;
	static int		ready;
	char			err[256], *xml;
	size_t			len;

	if (!ready) {
		xmlInitParser();
		xmlSetExternalEntityLoader(fuzz_no_loader);
		ready = 1;
	}
	if (cap_import(data, size, &w, err, sizeof err) != 0)
		return 0;
	if ((xml = cap_export(&w, &len)) == NULL)
		abort();
	if (cap_import(xml, len, &w2, err, sizeof err) != 0 || memcmp(&w, &w2, sizeof w) != 0)
		abort();
	free(xml);
	return 0;
}
