/*
 * session.c: see session.h.
 *
 * lws runs only inside session_wait(): each turn arms a short timer and calls
 * lws_service(), because in lws 4.x the service call ignores its timeout and would
 * otherwise sleep until network activity, leaving our own deadlines unchecked.
 * The lws callback only copies bytes in and out and hands complete messages to
 * session_dispatch(); the blocking logic lives in the waiting functions.
 */
#include "client/session.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>

#include <libwebsockets.h>

#include "proto/log.h"

#define SESSION_PROTOCOL	"yishi.v1"
#define SESSION_TICK_US		(50 * LWS_US_PER_MS)
#define SESSION_RX_MIN		4096

enum session_state {
	SESSION_CONNECTING,
	SESSION_OPEN,
	SESSION_CLOSED,
};

/* An encoded frame waiting for WRITEABLE; buf has LWS_PRE bytes of headroom. */
struct session_out {
	struct session_out	*next;
	size_t			 len;
	unsigned char		 buf[];
};

/* A queued event. */
struct session_ev {
	struct session_ev	*next;
	struct wire_frame	*f;
};

struct session {
	struct lws_context	*ctx;
	struct lws		*wsi;
	struct session_url	 url;
	enum session_state	 state;
	int			 failed;	/* closed because of an error, see why */
	int			 why_code;
	char			 why[300];
	const volatile sig_atomic_t *stop;
	lws_sorted_usec_list_t	 tick;

	struct wire_frame	*challenge;
	uint64_t		 next_rid;
	uint64_t		 want_rid;	/* request awaiting its reply, 0: none */
	struct wire_frame	*reply;

	unsigned char		*rx;		/* message being reassembled */
	size_t			 rxlen, rxcap;

	struct session_out	*out_head, **out_tail;
	struct session_ev	*ev_head, **ev_tail;
};

static int	session_callback(struct lws *, enum lws_callback_reasons, void *, void *,
		    size_t);

static const struct lws_protocols session_protocols[] = {
	{ SESSION_PROTOCOL, session_callback, 0, SESSION_RX_MIN, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 }
};

static int64_t
session_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
session_url_parse(const char *url, struct session_url *u, struct cerr *e)
{
	const char *p, *hend, *colon;
	size_t hlen;
	char *end;
	long port;

	memset(u, 0, sizeof *u);
	if (strncmp(url, "ws://", 5) != 0) {
		cerr_set(e, CE_INPUT, "%s: not a node address (expected ws://HOST:PORT)", url);
		return -1;
	}
	p = url + 5;
	if (*p == '[') {
		/* IPv6 literal: the brackets stay in the canonical form only. */
		if ((hend = strchr(p, ']')) == NULL)
			goto bad;
		hlen = (size_t)(hend - p - 1);
		memcpy(u->host, p + 1, hlen < sizeof u->host ? hlen : 0);
		colon = hend[1] == ':' ? hend + 1 : NULL;
		hend++;
	} else {
		hlen = strcspn(p, ":/");
		hend = p + hlen;
		if (hlen < sizeof u->host)
			memcpy(u->host, p, hlen);
		colon = *hend == ':' ? hend : NULL;
	}
	if (hlen == 0 || hlen >= sizeof u->host)
		goto bad;
	u->port = 80;
	p = hend;
	if (colon != NULL) {
		if (!isdigit((unsigned char)colon[1]))
			goto bad;
		port = strtol(colon + 1, &end, 10);
		if (port < 1 || port > 65535)
			goto bad;
		u->port = (int)port;
		p = end;
	}
	if (*p == '/')
		p++;
	if (*p != '\0')
		goto bad;
	snprintf(u->canon, sizeof u->canon, strchr(u->host, ':') ? "ws://[%s]:%d" :
	    "ws://%s:%d", u->host, u->port);
	return 0;
bad:
	cerr_set(e, CE_INPUT, "%s: not a node address (expected ws://HOST:PORT)", url);
	return -1;
}

/* Mark the session closed; the first reason given is the one reported. */
static void
session_fail(struct session *s, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
session_fail(struct session *s, int code, const char *fmt, ...)
{
	va_list ap;

	if (!s->failed) {
		s->failed = 1;
		s->why_code = code;
		va_start(ap, fmt);
		vsnprintf(s->why, sizeof s->why, fmt, ap);
		va_end(ap);
	}
	s->state = SESSION_CLOSED;
}

static void
session_ev_push(struct session *s, struct wire_frame *f)
{
	struct session_ev *ev;

	if ((ev = calloc(1, sizeof *ev)) == NULL) {
		session_frame_free(f);
		session_fail(s, CE_INTERNAL, "out of memory");
		return;
	}
	ev->f = f;
	*s->ev_tail = ev;
	s->ev_tail = &ev->next;
}

/*
 * A complete message arrived: decode it and route it to the challenge slot, the
 * reply slot or the event queue. Returns -1 to close the connection.
 */
static int	session_dispatch(struct session *, const void *, size_t, int);

/* A batch carries several frames in order: dispatch each; batches do not nest. */
static int
session_dispatch_batch(struct session *s, struct wire_frame *b)
{
	const struct wire_val *v = &b->r.f[WF_FRAMES];
	struct wire_rec e;
	uint32_t i;

	for (i = 0; i < v->len; i++) {
		if (wire_array_get(v, i, &wire_records[WR_FRAME], &e) != WE_OK ||
		    session_dispatch(s, e.f[WF_FRAME].p, e.f[WF_FRAME].len, 1) != 0)
			return -1;
	}
	return 0;
}

static int
session_dispatch(struct session *s, const void *buf, size_t len, int nested)
{
	struct wire_frame *f;
	int rc;

	if ((f = calloc(1, sizeof *f)) == NULL) {
		session_fail(s, CE_INTERNAL, "out of memory");
		return -1;
	}
	if ((rc = wire_decode(buf, len, WIRE_DIR_N2C, f)) != WE_OK) {
		free(f);
		session_fail(s, CE_PROTOCOL, "node at %s sent an invalid frame (%s)",
		    s->url.canon, wire_err_name(rc));
		return -1;
	}
	log_debug("session %s: received %s rid %llu", s->url.canon,
	    wire_kinds[f->kind].name, (unsigned long long)f->rid);
	if (f->kind == WK_BATCH) {
		if (nested) {
			session_frame_free(f);
			session_fail(s, CE_PROTOCOL, "node at %s sent a batch inside a batch",
			    s->url.canon);
			return -1;
		}
		rc = session_dispatch_batch(s, f);
		session_frame_free(f);
		return rc;
	}

	if (s->challenge == NULL) {
		if (f->kind != WK_CHALLENGE) {
			session_fail(s, CE_PROTOCOL, "node at %s did not start with a challenge "
			    "(got %s)", s->url.canon, wire_kinds[f->kind].name);
			session_frame_free(f);
			return -1;
		}
		s->challenge = f;
		return 0;
	}

	switch (f->kind) {
	case WK_EV_MSG:
	case WK_EV_KEY:
	case WK_NEEDS:
	case WK_EV_MOD:
	case WK_EV_FLAGGED:
	case WK_EV_CASE:
	case WK_EV_WARNING:
		if (f->rid == 0) {
			session_ev_push(s, f);
			return 0;
		}
		break;
	case WK_CHALLENGE:
		session_frame_free(f);
		session_fail(s, CE_PROTOCOL, "node at %s sent a second challenge",
		    s->url.canon);
		return -1;
	default:
		break;
	}

	/*
	 * A reply. An error without a request id is the node rejecting a frame it could
	 * not read: since we have one request in flight at most, it is that request's.
	 */
	if (s->want_rid != 0 && s->reply == NULL &&
	    (f->rid == s->want_rid || (f->rid == 0 && f->kind == WK_ERROR))) {
		s->reply = f;
		return 0;
	}
	/* A late reply to a request we stopped waiting for. */
	log_debug("session %s: dropped %s rid %llu", s->url.canon,
	    wire_kinds[f->kind].name, (unsigned long long)f->rid);
	session_frame_free(f);
	return 0;
}

static int
session_receive(struct session *s, struct lws *wsi, const void *in, size_t len)
{
	unsigned char *nrx;
	size_t need, ncap;
	int rc;

	if (!lws_frame_is_binary(wsi)) {
		session_fail(s, CE_PROTOCOL, "node at %s sent a text message", s->url.canon);
		return -1;
	}
	need = s->rxlen + len;
	if (need > WIRE_MAX_IN_CLIENT) {
		session_fail(s, CE_PROTOCOL, "node at %s sent a frame over %d bytes",
		    s->url.canon, WIRE_MAX_IN_CLIENT);
		return -1;
	}
	if (need > s->rxcap) {
		ncap = s->rxcap ? s->rxcap : SESSION_RX_MIN;
		while (ncap < need)
			ncap *= 2;
		if ((nrx = realloc(s->rx, ncap)) == NULL) {
			session_fail(s, CE_INTERNAL, "out of memory");
			return -1;
		}
		s->rx = nrx;
		s->rxcap = ncap;
	}
	if (len > 0)
		memcpy(s->rx + s->rxlen, in, len);
	s->rxlen = need;
	if (!lws_is_final_fragment(wsi) || lws_remaining_packet_payload(wsi) != 0)
		return 0;
	rc = session_dispatch(s, s->rx, s->rxlen, 0);
	s->rxlen = 0;
	return rc;
}

static int
session_writeable(struct session *s, struct lws *wsi)
{
	struct session_out *o;
	int n;

	if ((o = s->out_head) == NULL)
		return 0;
	if ((s->out_head = o->next) == NULL)
		s->out_tail = &s->out_head;
	n = lws_write(wsi, o->buf + LWS_PRE, o->len, LWS_WRITE_BINARY);
	free(o);
	if (n < 0) {
		session_fail(s, CE_CLOSED, "connection to %s failed while sending",
		    s->url.canon);
		return -1;
	}
	if (s->out_head != NULL)
		lws_callback_on_writable(wsi);
	return 0;
}

/*
 * Find out why a TCP connection to the node fails. lws 4.1 reports only "Unable to
 * connect" and has lost errno by then; one plain connect() gives the reason a user
 * can act on (refused: the node is not running). Returns 0 if it connects now,
 * else an errno value, or -1 if the name does not resolve.
 */
static int
session_probe(const struct session_url *u)
{
	struct addrinfo hints, *res, *ai;
	struct pollfd pfd;
	socklen_t sl;
	char port[8];
	int fd, err = ECONNREFUSED, soerr;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(port, sizeof port, "%d", u->port);
	if (getaddrinfo(u->host, port, &hints, &res) != 0)
		return -1;
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    ai->ai_protocol);
		if (fd == -1) {
			err = errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			err = 0;
		else if (errno != EINPROGRESS)
			err = errno;
		else {
			pfd.fd = fd;
			pfd.events = POLLOUT;
			sl = sizeof soerr;
			if (poll(&pfd, 1, 2000) != 1)
				err = ETIMEDOUT;
			else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == -1)
				err = errno;
			else
				err = soerr;
		}
		close(fd);
		if (err == 0)
			break;
	}
	freeaddrinfo(res);
	return err;
}

/* Say why the connection could not be made, in words a user can act on. */
static void
session_connect_failed(struct session *s, const char *why)
{
	int err;

	if (why == NULL || *why == '\0')
		why = "connection failed";
	/* Failures after the TCP connect (a bad handshake) already say what went wrong. */
	if (strstr(why, "HS:") == NULL && strstr(why, "handshake") == NULL) {
		err = session_probe(&s->url);
		if (err == -1) {
			session_fail(s, CE_CONNECT, "cannot connect to %s: cannot resolve "
			    "host %s", s->url.canon, s->url.host);
			return;
		}
		if (err == ECONNREFUSED) {
			session_fail(s, CE_CONNECT, "cannot connect to %s: connection refused "
			    "\u2014 is yishi-node running?", s->url.canon);
			return;
		}
		if (err != 0) {
			session_fail(s, CE_CONNECT, "cannot connect to %s: %s", s->url.canon,
			    strerror(err));
			return;
		}
	}
	session_fail(s, CE_CONNECT, "cannot connect to %s: %s (is it a yishi node?)",
	    s->url.canon, why);
}

static int
session_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
    size_t len)
{
	struct session *s;
	char why[128];

	(void)user;
	if ((s = lws_context_user(lws_get_context(wsi))) == NULL || s->wsi != wsi)
		return 0;

	switch (reason) {
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		s->state = SESSION_OPEN;
		if (s->out_head != NULL)
			lws_callback_on_writable(wsi);
		return 0;
	case LWS_CALLBACK_CLIENT_RECEIVE:
		return session_receive(s, wsi, in, len);
	case LWS_CALLBACK_CLIENT_WRITEABLE:
		return session_writeable(s, wsi);
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		/* in is lws's reason, not necessarily NUL-terminated. */
		snprintf(why, sizeof why, "%.*s", in != NULL ? (int)len : 0,
		    in != NULL ? (const char *)in : "");
		log_debug("session %s: lws: %s", s->url.canon, why);
		session_connect_failed(s, why);
		s->wsi = NULL;
		return 0;
	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
		session_fail(s, CE_CLOSED, "node at %s closed the connection", s->url.canon);
		return 0;
	case LWS_CALLBACK_CLIENT_CLOSED:
	case LWS_CALLBACK_WSI_DESTROY:
		session_fail(s, CE_CLOSED, "connection to %s was closed", s->url.canon);
		s->wsi = NULL;
		return 0;
	default:
		return 0;
	}
}

static void
session_tick(lws_sorted_usec_list_t *sul)
{
	/* Nothing to do: firing is enough to make lws_service() return. */
	(void)sul;
}

/*
 * Service lws until done(s, arg) is true (1), timeout_ms passes (0), or the
 * connection closes or *stop is set (-1, e set).
 */
static int
session_wait(struct session *s, int (*done)(struct session *, void *), void *arg,
    int timeout_ms, struct cerr *e)
{
	int64_t deadline;

	deadline = session_now_ms() + timeout_ms;
	for (;;) {
		if (done(s, arg))
			return 1;
		if (s->state == SESSION_CLOSED) {
			if (s->failed)
				cerr_set(e, s->why_code, "%s", s->why);
			else
				cerr_set(e, CE_CLOSED, "connection to %s was closed",
				    s->url.canon);
			return -1;
		}
		if (s->stop != NULL && *s->stop) {
			cerr_set(e, CE_INTERRUPTED, "interrupted");
			return -1;
		}
		if (session_now_ms() >= deadline)
			return 0;
		lws_sul_schedule(s->ctx, 0, &s->tick, session_tick, SESSION_TICK_US);
		if (lws_service(s->ctx, 0) < 0) {
			session_fail(s, CE_CLOSED, "connection to %s failed", s->url.canon);
		}
	}
}

static int
session_has_challenge(struct session *s, void *arg)
{
	(void)arg;
	return s->state == SESSION_OPEN && s->challenge != NULL;
}

struct session *
session_open(const char *url, const volatile sig_atomic_t *stop, struct cerr *e)
{
	struct lws_context_creation_info info;
	struct lws_client_connect_info ci;
	struct session *s;
	char origin[300];
	int rc;

	if ((s = calloc(1, sizeof *s)) == NULL) {
		cerr_set(e, CE_INTERNAL, "out of memory");
		return NULL;
	}
	s->out_tail = &s->out_head;
	s->ev_tail = &s->ev_head;
	s->stop = stop;
	s->next_rid = 1;
	if (session_url_parse(url, &s->url, e) == -1) {
		free(s);
		return NULL;
	}

	/* lws logs to stderr by default; our errors say what matters. */
	lws_set_log_level(getenv("YISHI_DEBUG") != NULL ? LLL_ERR | LLL_WARN | LLL_NOTICE :
	    0, NULL);
	memset(&info, 0, sizeof info);
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = session_protocols;
	info.gid = -1;
	info.uid = -1;
	info.user = s;
	if ((s->ctx = lws_create_context(&info)) == NULL) {
		cerr_set(e, CE_INTERNAL, "cannot create a WebSocket context");
		free(s);
		return NULL;
	}

	snprintf(origin, sizeof origin, "http://%s:%d", s->url.host, s->url.port);
	memset(&ci, 0, sizeof ci);
	ci.context = s->ctx;
	ci.address = s->url.host;
	ci.port = s->url.port;
	ci.path = "/";
	ci.host = s->url.host;
	ci.origin = origin;
	ci.protocol = SESSION_PROTOCOL;
	ci.local_protocol_name = SESSION_PROTOCOL;
	ci.pwsi = &s->wsi;
	/* pwsi is set early, so callbacks during the connect already see s->wsi. */
	if (lws_client_connect_via_info(&ci) == NULL && !s->failed)
		session_connect_failed(s, NULL);
	if (s->wsi == NULL && !s->failed)
		session_connect_failed(s, NULL);

	rc = session_wait(s, session_has_challenge, NULL, SESSION_CONNECT_MS, e);
	if (rc == 1)
		return s;
	if (rc == 0)
		cerr_set(e, CE_TIMEOUT, "cannot connect to %s: no answer within %d seconds",
		    s->url.canon, SESSION_CONNECT_MS / 1000);
	session_free(s);
	return NULL;
}

void
session_frame_free(struct wire_frame *f)
{
	if (f == NULL)
		return;
	wire_frame_free(f);
	free(f);
}

void
session_free(struct session *s)
{
	struct session_out *o;
	struct session_ev *ev;

	if (s == NULL)
		return;
	if (s->ctx != NULL) {
		lws_sul_cancel(&s->tick);
		/* Closes the connection; its callbacks still see s. */
		lws_context_destroy(s->ctx);
	}
	while ((o = s->out_head) != NULL) {
		s->out_head = o->next;
		free(o);
	}
	while ((ev = s->ev_head) != NULL) {
		s->ev_head = ev->next;
		session_frame_free(ev->f);
		free(ev);
	}
	session_frame_free(s->challenge);
	session_frame_free(s->reply);
	free(s->rx);
	free(s);
}

const struct wire_frame *
session_challenge(const struct session *s)
{
	return s->challenge;
}

const struct session_url *
session_url(const struct session *s)
{
	return &s->url;
}

static int
session_has_reply(struct session *s, void *arg)
{
	(void)arg;
	return s->reply != NULL;
}

struct wire_frame *
session_request(struct session *s, enum wire_kind k, const struct wire_rec *r,
    struct cerr *e)
{
	struct session_out *o;
	struct wire_frame *f;
	struct wire_rec empty;
	msgpack_sbuffer sb;
	uint64_t rid;
	int rc;

	if (s->state != SESSION_OPEN || s->wsi == NULL) {
		cerr_set(e, s->failed ? s->why_code : CE_CLOSED, "%s",
		    s->failed ? s->why : "not connected");
		return NULL;
	}
	if (r == NULL) {
		wire_rec_init(&empty, &wire_kinds[k]);
		r = &empty;
	}
	rid = s->next_rid++;
	msgpack_sbuffer_init(&sb);
	if ((rc = wire_encode(k, rid, r, &sb)) != WE_OK) {
		msgpack_sbuffer_destroy(&sb);
		cerr_set(e, CE_INTERNAL, "cannot encode %s: %s", wire_kinds[k].name,
		    wire_err_name(rc));
		return NULL;
	}
	if ((o = malloc(sizeof *o + LWS_PRE + sb.size)) == NULL) {
		msgpack_sbuffer_destroy(&sb);
		cerr_set(e, CE_INTERNAL, "out of memory");
		return NULL;
	}
	o->next = NULL;
	o->len = sb.size;
	memcpy(o->buf + LWS_PRE, sb.data, sb.size);
	msgpack_sbuffer_destroy(&sb);
	*s->out_tail = o;
	s->out_tail = &o->next;
	lws_callback_on_writable(s->wsi);
	log_debug("session %s: sending %s rid %llu", s->url.canon, wire_kinds[k].name,
	    (unsigned long long)rid);

	s->want_rid = rid;
	rc = session_wait(s, session_has_reply, NULL, SESSION_REPLY_MS, e);
	s->want_rid = 0;
	f = s->reply;
	s->reply = NULL;
	if (rc == 1)
		return f;
	session_frame_free(f);
	if (rc == 0)
		cerr_set(e, CE_TIMEOUT, "node at %s did not answer %s within %d seconds",
		    s->url.canon, wire_kinds[k].name, SESSION_REPLY_MS / 1000);
	return NULL;
}

struct wire_frame *
session_call(struct session *s, enum wire_kind k, const struct wire_rec *r,
    enum wire_kind want, struct cerr *e)
{
	struct wire_frame *f;

	if ((f = session_request(s, k, r, e)) == NULL)
		return NULL;
	if (f->kind == want)
		return f;
	if (f->kind == WK_ERROR)
		cerr_from_frame(e, f);
	else
		cerr_set(e, CE_PROTOCOL, "node at %s answered %s with %s", s->url.canon,
		    wire_kinds[k].name, wire_kinds[f->kind].name);
	session_frame_free(f);
	return NULL;
}

struct session_match {
	int		  (*match)(const struct wire_frame *, void *);
	void		   *arg;
	struct wire_frame  *found;
};

/* Unlink the first queued event that matches. */
static int
session_take(struct session *s, void *arg)
{
	struct session_match *m = arg;
	struct session_ev **pp, *ev;

	for (pp = &s->ev_head; (ev = *pp) != NULL; pp = &ev->next) {
		if (m->match != NULL && !m->match(ev->f, m->arg))
			continue;
		if ((*pp = ev->next) == NULL)
			s->ev_tail = pp;
		m->found = ev->f;
		free(ev);
		return 1;
	}
	return 0;
}

int
session_event(struct session *s, int (*match)(const struct wire_frame *, void *), void *arg,
    int timeout_ms, struct wire_frame **out, struct cerr *e)
{
	struct session_match m;
	int rc;

	m.match = match;
	m.arg = arg;
	m.found = NULL;
	*out = NULL;
	/* Events already queued are delivered even if the connection has closed since. */
	if (session_take(s, &m)) {
		*out = m.found;
		return 1;
	}
	rc = session_wait(s, session_take, &m, timeout_ms, e);
	if (rc == 1)
		*out = m.found;
	return rc;
}
