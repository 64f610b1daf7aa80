/*
 * cerr.h: the errors the client library reports to its caller.
 *
 * A failure carries a code and one human line. Codes below 100 are the node's
 * (enum wire_err in proto/wire.h), passed through from its error frames; codes from
 * 100 are the client's own. The `yishi` command prints the line on stderr and, with
 * --json, {"error": cerr_name(code), "code": code, "message": line} on stdout, so
 * both sets of codes are stable: never renumber, add at the end.
 */
#ifndef YISHI_CLIENT_CERR_H
#define YISHI_CLIENT_CERR_H

struct wire_frame;

enum cerr_code {
	CE_USAGE = 100,		/* bad command line */
	CE_IO,			/* a local file could not be read or written */
	CE_CONNECT,		/* the node could not be reached */
	CE_TIMEOUT,		/* the node did not answer in time */
	CE_CLOSED,		/* the connection dropped */
	CE_PROTOCOL,		/* the node sent something it should not have */
	CE_IDENTITY,		/* no identity, or an unreadable one */
	CE_NOT_ENROLLED,	/* no node yet: enroll or join first */
	CE_NODE_MISMATCH,	/* the node's key differs from the pinned one */
	CE_NO_KEY,		/* no epoch key for a group yet */
	CE_INPUT,		/* an argument is invalid */
	CE_INTERRUPTED,		/* a signal asked us to stop */
	CE_INTERNAL,		/* a bug or out of memory */
};

struct cerr {
	int	code;		/* 0: no error */
	char	msg[512];
};

void		 cerr_set(struct cerr *e, int code, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));
/* Take code and message from a node's error frame. */
void		 cerr_from_frame(struct cerr *e, const struct wire_frame *f);
/* Stable short name of a code ("exists", "connect", ...). */
const char	*cerr_name(int code);

#endif
