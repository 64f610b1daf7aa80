/*
 * session.h: one WebSocket connection to a node, with a blocking request/reply API.
 *
 * A session owns an lws context and one client connection speaking "yishi.v1".
 * Each binary WebSocket message is one frame (proto/wire.h). Requests get a fresh
 * request id; the caller blocks until the frame with that id comes back. Frames
 * without an id are events ("msg", "key", "needs", "modev", "flagged", "case_ev",
 * "warning"): they are queued in arrival order while the caller waits for something
 * else, and taken with session_event().
 *
 * Every frame from the node is decoded strictly as node-to-client traffic; a frame
 * that does not decode closes the session (the node is not trusted either).
 * Everything is single-threaded: lws is serviced only inside the calls below.
 */
#ifndef YISHI_CLIENT_SESSION_H
#define YISHI_CLIENT_SESSION_H

#include <signal.h>
#include <stdint.h>

#include "client/cerr.h"
#include "proto/wire.h"

#define SESSION_CONNECT_MS	10000	/* connect and receive the challenge */
#define SESSION_REPLY_MS	30000	/* wait for the reply to a request */

struct session;

/* A node address parsed from "ws://HOST[:PORT][/]". */
struct session_url {
	char	host[256];
	int	port;
	char	canon[300];	/* "ws://HOST:PORT", the form stored and compared */
};

/* Parse url into u; -1 with e set if it is not a ws:// URL. */
int	 session_url_parse(const char *url, struct session_url *u, struct cerr *e)
	    __attribute__((warn_unused_result));

/*
 * Connect to url and wait for the node's challenge. Returns a session the caller
 * frees with session_free(), or NULL with e set (connection refused, timeout...).
 * If stop is not NULL, every wait gives up with CE_INTERRUPTED once *stop is set.
 */
struct session	*session_open(const char *url, const volatile sig_atomic_t *stop,
		    struct cerr *e) __attribute__((warn_unused_result));
/* Close the connection and free everything, including queued events. NULL is fine. */
void		 session_free(struct session *s);

/* The challenge frame received on connect; owned by the session. */
const struct wire_frame *session_challenge(const struct session *s);
/* The parsed address the session connected to. */
const struct session_url *session_url(const struct session *s);

/*
 * Send request kind k with fields r (r may be NULL for a kind without fields) and
 * wait for its reply. Returns the reply frame, owned by the caller (session_frame_free),
 * whatever its kind, including "error"; NULL with e set if the connection failed,
 * dropped or timed out.
 */
struct wire_frame *session_request(struct session *s, enum wire_kind k,
		    const struct wire_rec *r, struct cerr *e) __attribute__((warn_unused_result));
/*
 * Like session_request(), but a reply other than `want` is a failure: an error
 * frame sets e to the node's code and text, any other kind to CE_PROTOCOL.
 */
struct wire_frame *session_call(struct session *s, enum wire_kind k,
		    const struct wire_rec *r, enum wire_kind want, struct cerr *e)
		    __attribute__((warn_unused_result));

/*
 * Take the first queued or arriving event for which match(frame, arg) is true
 * (match NULL: any event); non-matching events stay queued in order. Waits up to
 * timeout_ms. Returns 1 and *out (owned by the caller), 0 on timeout, -1 with e set
 * when the connection dropped or *stop was set.
 */
int	 session_event(struct session *s, int (*match)(const struct wire_frame *, void *),
	    void *arg, int timeout_ms, struct wire_frame **out, struct cerr *e)
	    __attribute__((warn_unused_result));

/* Free a frame returned by this module. NULL is fine. */
void	 session_frame_free(struct wire_frame *f);

#endif
