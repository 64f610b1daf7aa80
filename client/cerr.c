/* cerr.c: see cerr.h. */
#include "client/cerr.h"

#include <stdarg.h>
#include <stdio.h>

#include "proto/wire.h"

static const char *const cerr_names[] = {
	[CE_USAGE - CE_USAGE] = "usage",
	[CE_IO - CE_USAGE] = "io",
	[CE_CONNECT - CE_USAGE] = "connect",
	[CE_TIMEOUT - CE_USAGE] = "timeout",
	[CE_CLOSED - CE_USAGE] = "closed",
	[CE_PROTOCOL - CE_USAGE] = "protocol",
	[CE_IDENTITY - CE_USAGE] = "identity",
	[CE_NOT_ENROLLED - CE_USAGE] = "not_enrolled",
	[CE_NODE_MISMATCH - CE_USAGE] = "node_mismatch",
	[CE_NO_KEY - CE_USAGE] = "no_key",
	[CE_INPUT - CE_USAGE] = "input",
	[CE_INTERRUPTED - CE_USAGE] = "interrupted",
	[CE_INTERNAL - CE_USAGE] = "internal",
};

void
cerr_set(struct cerr *e, int code, const char *fmt, ...)
{
	va_list ap;

	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
}

void
cerr_from_frame(struct cerr *e, const struct wire_frame *f)
{
	char text[257], *p;
	int code;

	code = (int)wire_u(&f->r, WF_CODE);
	wire_str(&f->r, WF_MSG, text, sizeof text);
	/* Control bytes from the network must not reach a terminal. */
	for (p = text; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	/* The node's text is untrusted: keep it, but say which code it came with. */
	if (text[0] != '\0')
		cerr_set(e, code, "%s", text);
	else
		cerr_set(e, code, "%s (%s)", wire_err_text(code), wire_err_name(code));
}

const char *
cerr_name(int code)
{
	size_t i;

	if (code < CE_USAGE)
		return wire_err_name(code);
	i = (size_t)(code - CE_USAGE);
	if (i < sizeof cerr_names / sizeof cerr_names[0] && cerr_names[i] != NULL)
		return cerr_names[i];
	return "unknown";
}
