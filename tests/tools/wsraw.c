/*
 * wsraw.c: send raw WebSocket messages to a node and print what it answers.
 *
 *     wsraw [--timeout SECONDS] ws://HOST:PORT[/] PAYLOAD...
 *
 * Connects with subprotocol "yishi.v1", prints the first frame the node sends (its
 * challenge), then sends each PAYLOAD as one WebSocket message, in order, waiting for
 * at least one frame in reply before sending the next. Every frame received is printed
 * on a line of its own, in a form a shell test can grep:
 *
 *     frame t=challenge rid=0
 *     frame t=error code=1 rid=0 name=malformed msg=...
 *     undecodable 17		(the node sent bytes that are not a valid frame)
 *     closed			(the node closed the connection)
 *     closed code=1009		(... with this WebSocket close status)
 *     timeout			(no reply to a payload within the timeout)
 *
 * The line for payload N's send is "sent N LEN" on stderr, so stdout holds only what
 * the node said. PAYLOAD is one of
 *     hex:8201a174...	these bytes, as a binary message
 *     zeros:N		N zero bytes, as a binary message (for oversized frames)
 *     text:STRING	STRING as a text message
 *     frag:N:PAYLOAD	any of the above, sent as N WebSocket fragments (continuation
 *			frames), one per writeable turn
 *     huge:N		a binary frame whose header claims 2^62 bytes, followed by N
 *			zero bytes of it (a message that never ends)
 *     long:N		a binary frame of N zero bytes, like zeros:N but written as
 *			huge:N is
 * huge: and long: are written to the socket directly (lws frames only what it is
 * given) and a failed write ends the sending, not the connection: a node that closes
 * on an oversized message resets it, and what it said before is still to be read.
 * Exit status: 0 if every payload got a reply and the connection was still open a
 * moment after the last one, 1 otherwise, 2 for bad usage.
 *
 * Payloads go out one at a time, after the previous reply, so that each reply can be
 * matched to the payload that caused it even when the node omits the request id (as
 * it must for frames it cannot read).
 */
#include <sys/socket.h>

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libwebsockets.h>

#include "proto/wire.h"

#define WSRAW_PROTOCOL		"yishi.v1"
#define WSRAW_TICK_US		(20 * LWS_US_PER_MS)
#define WSRAW_GRACE_MS		300	/* after the last reply: does the node close? */
#define WSRAW_HUGE_CLAIM	(UINT64_C(1) << 62)	/* the length a huge: header claims */
#define WSRAW_HUGE_CHUNK	16384

enum wsraw_state {
	WSRAW_CONNECTING,
	WSRAW_OPEN,
	WSRAW_CLOSED,
};

/* One message to send; buf has LWS_PRE bytes of headroom before the payload. */
struct wsraw_msg {
	int		 text;
	size_t		 len;
	unsigned char	*buf;
	unsigned	 nfrag;		/* WebSocket fragments to send it in (>= 1) */
	unsigned	 sent;		/* fragments sent so far */
	int		 huge;		/* huge:, long:: raw header, then len bytes streamed */
	uint64_t	 claim;		/* huge:, long:: the length the header claims */
	size_t		 off;		/* huge: bytes of header + data written so far */
};

struct wsraw {
	struct lws_context	*ctx;
	struct lws		*wsi;
	enum wsraw_state	 state;
	char			 why[200];	/* why the connection failed, if it did */
	lws_sorted_usec_list_t	 tick;

	unsigned long		 nframes;	/* frames received so far */
	unsigned char		*rx;
	size_t			 rxlen, rxcap;

	struct wsraw_msg	*pending;	/* waiting for WRITEABLE */
	int			 close_code;	/* the node's close status, if it sent one */
};

static struct wsraw	wsraw_self;

static int	wsraw_callback(struct lws *, enum lws_callback_reasons, void *, void *,
		    size_t);

static const struct lws_protocols wsraw_protocols[] = {
	{ WSRAW_PROTOCOL, wsraw_callback, 0, 65536, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 }
};

static void
wsraw_usage(void)
{
	fprintf(stderr, "usage: wsraw [--timeout SECONDS] ws://HOST:PORT PAYLOAD...\n"
	    "PAYLOAD: hex:BYTES | zeros:N | text:STRING | frag:N:PAYLOAD | huge:N | "
	    "long:N\n");
	exit(2);
}

static int64_t
wsraw_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
wsraw_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Build the message for one PAYLOAD argument; exits with 2 on a bad one. */
static struct wsraw_msg *
wsraw_msg_new(const char *arg)
{
	struct wsraw_msg *m;
	const char *p;
	size_t i, n;
	char *end;
	int hi, lo;

	if (strncmp(arg, "frag:", 5) == 0) {
		errno = 0;
		n = strtoul(arg + 5, &end, 10);
		if (arg[5] == '\0' || *end != ':' || errno != 0 || n < 1 || n > 1000)
			goto bad;
		m = wsraw_msg_new(end + 1);
		m->nfrag = (unsigned)n;
		return m;
	}
	if ((m = calloc(1, sizeof *m)) == NULL)
		goto nomem;
	m->nfrag = 1;
	if (strncmp(arg, "hex:", 4) == 0) {
		p = arg + 4;
		n = strlen(p);
		if (n % 2 != 0)
			goto bad;
		m->len = n / 2;
		if ((m->buf = malloc(LWS_PRE + m->len + 1)) == NULL)
			goto nomem;
		for (i = 0; i < m->len; i++) {
			if ((hi = wsraw_hexval((unsigned char)p[2 * i])) < 0 ||
			    (lo = wsraw_hexval((unsigned char)p[2 * i + 1])) < 0)
				goto bad;
			m->buf[LWS_PRE + i] = (unsigned char)(hi << 4 | lo);
		}
	} else if (strncmp(arg, "zeros:", 6) == 0) {
		errno = 0;
		n = strtoul(arg + 6, &end, 10);
		if (arg[6] == '\0' || *end != '\0' || errno != 0 || n > 64 * 1024 * 1024)
			goto bad;
		m->len = n;
		if ((m->buf = calloc(1, LWS_PRE + m->len + 1)) == NULL)
			goto nomem;
	} else if (strncmp(arg, "huge:", 5) == 0 || strncmp(arg, "long:", 5) == 0) {
		errno = 0;
		n = strtoul(arg + 5, &end, 10);
		if (arg[5] == '\0' || *end != '\0' || errno != 0 || n > 1024 * 1024 * 1024)
			goto bad;
		m->huge = 1;
		m->len = n;
		m->claim = arg[0] == 'h' ? WSRAW_HUGE_CLAIM : n;
	} else if (strncmp(arg, "text:", 5) == 0) {
		m->text = 1;
		m->len = strlen(arg + 5);
		if ((m->buf = malloc(LWS_PRE + m->len + 1)) == NULL)
			goto nomem;
		memcpy(m->buf + LWS_PRE, arg + 5, m->len);
	} else
		goto bad;
	return m;
bad:
	fprintf(stderr, "wsraw: bad payload '%.40s' (hex:BYTES, zeros:N, text:STRING, "
	    "frag:N:PAYLOAD, huge:N or long:N)\n", arg);
	exit(2);
nomem:
	fprintf(stderr, "wsraw: out of memory\n");
	exit(1);
}

static void
wsraw_msg_free(struct wsraw_msg *m)
{
	if (m == NULL)
		return;
	free(m->buf);
	free(m);
}

/* Print one string value with control characters escaped, so it stays on one line. */
static void
wsraw_print_str(const struct wire_rec *r, enum wire_field f)
{
	const struct wire_val *v = &r->f[f];
	uint32_t i;

	for (i = 0; i < v->len; i++) {
		if (v->p[i] < ' ' || v->p[i] == '\\' || v->p[i] == 0x7f)
			printf("\\x%02x", v->p[i]);
		else
			putchar(v->p[i]);
	}
}

/* A whole message from the node: print it as one line. */
static void
wsraw_print_frame(const unsigned char *buf, size_t len, int binary)
{
	struct wire_frame f;

	wsraw_self.nframes++;
	if (!binary) {
		printf("text %zu\n", len);
		return;
	}
	memset(&f, 0, sizeof f);
	if (wire_decode(buf, len, WIRE_DIR_N2C, &f) != WE_OK) {
		printf("undecodable %zu\n", len);
		return;
	}
	printf("frame t=%s", wire_kinds[f.kind].name);
	if (f.kind == WK_ERROR) {
		printf(" code=%llu rid=%llu name=%s msg=",
		    (unsigned long long)wire_u(&f.r, WF_CODE), (unsigned long long)f.rid,
		    wire_err_name((int)wire_u(&f.r, WF_CODE)));
		wsraw_print_str(&f.r, WF_MSG);
	} else {
		printf(" rid=%llu", (unsigned long long)f.rid);
		if (wire_has(&f.r, WF_STATE)) {
			printf(" state=");
			wsraw_print_str(&f.r, WF_STATE);
		}
		if (wire_has(&f.r, WF_SEQ))
			printf(" seq=%llu", (unsigned long long)wire_u(&f.r, WF_SEQ));
	}
	printf("\n");
	wire_frame_free(&f);
}

static void
wsraw_closed(const char *why)
{
	if (wsraw_self.state != WSRAW_CLOSED && why != NULL)
		snprintf(wsraw_self.why, sizeof wsraw_self.why, "%s", why);
	wsraw_self.state = WSRAW_CLOSED;
	wsraw_self.wsi = NULL;
}

static int
wsraw_receive(struct lws *wsi, const void *in, size_t len)
{
	struct wsraw *w = &wsraw_self;
	unsigned char *nrx;
	size_t ncap;

	if (w->rxlen + len > w->rxcap) {
		ncap = w->rxcap ? w->rxcap : 4096;
		while (ncap < w->rxlen + len)
			ncap *= 2;
		if (ncap > WIRE_MAX_IN_CLIENT * 2 || (nrx = realloc(w->rx, ncap)) == NULL) {
			fprintf(stderr, "wsraw: the node sent a message too large to hold\n");
			return -1;
		}
		w->rx = nrx;
		w->rxcap = ncap;
	}
	if (len > 0)
		memcpy(w->rx + w->rxlen, in, len);
	w->rxlen += len;
	if (!lws_is_final_fragment(wsi) || lws_remaining_packet_payload(wsi) != 0)
		return 0;
	wsraw_print_frame(w->rx, w->rxlen, lws_frame_is_binary(wsi));
	w->rxlen = 0;
	return 0;
}

/*
 * huge:N, long:N: a final binary frame, masked with a zero key (so the data goes as
 * it is), whose 64-bit length claims m->claim bytes; then N bytes of it, as fast as
 * the socket takes them. Written with send() on lws's socket: lws_write() frames only
 * what it is given, and a client that lies about the length is the point.
 */
static int
wsraw_write_huge(struct lws *wsi, struct wsraw_msg *m)
{
	static const unsigned char zeros[WSRAW_HUGE_CHUNK];
	unsigned char hdr[14];
	size_t hlen = sizeof hdr, n;
	ssize_t w;
	int fd, i;

	hdr[0] = 0x82;			/* FIN, binary */
	hdr[1] = 0x80 | 127;		/* masked, 64-bit length follows */
	for (i = 0; i < 8; i++)
		hdr[2 + i] = (unsigned char)(m->claim >> (56 - 8 * i));
	memset(hdr + 10, 0, 4);		/* the mask key */
	fd = (int)lws_get_socket_fd(wsi);
	while (m->off < hlen + m->len) {
		if (m->off < hlen)
			w = send(fd, hdr + m->off, hlen - m->off, MSG_NOSIGNAL);
		else {
			n = hlen + m->len - m->off;
			w = send(fd, zeros, n < sizeof zeros ? n : sizeof zeros, MSG_NOSIGNAL);
		}
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
			lws_callback_on_writable(wsi);
			return 0;
		}
		if (w < 0) {
			/* The node closed on us: what it said is still to be read. */
			fprintf(stderr, "wsraw: huge: stopped after %zu bytes: %s\n", m->off,
			    strerror(errno));
			break;
		}
		m->off += (size_t)w;
	}
	wsraw_self.pending = NULL;
	wsraw_msg_free(m);
	return 0;
}

static int
wsraw_writeable(struct lws *wsi)
{
	struct wsraw *w = &wsraw_self;
	struct wsraw_msg *m = w->pending;
	unsigned char *frag;
	size_t off, len;
	int n, flags;

	if (m == NULL)
		return 0;
	if (m->huge)
		return wsraw_write_huge(wsi, m);
	/* Fragment i of n covers [len * i / n, len * (i + 1) / n). */
	off = m->len * m->sent / m->nfrag;
	len = m->len * (m->sent + 1) / m->nfrag - off;
	flags = m->sent == 0 ? (m->text ? LWS_WRITE_TEXT : LWS_WRITE_BINARY) :
	    LWS_WRITE_CONTINUATION;
	if (m->sent + 1 < m->nfrag)
		flags |= LWS_WRITE_NO_FIN;
	/* Each fragment gets its own LWS_PRE headroom for lws's frame header. */
	if ((frag = malloc(LWS_PRE + len + 1)) == NULL) {
		wsraw_closed("out of memory");
		return -1;
	}
	memcpy(frag + LWS_PRE, m->buf + LWS_PRE + off, len);
	/* lws keeps and sends later what the socket does not take at once. */
	n = lws_write(wsi, frag + LWS_PRE, len, (enum lws_write_protocol)flags);
	free(frag);
	if (n < 0) {
		wsraw_closed("write failed");
		return -1;
	}
	if (++m->sent < m->nfrag) {
		lws_callback_on_writable(wsi);
		return 0;
	}
	w->pending = NULL;
	wsraw_msg_free(m);
	return 0;
}

static int
wsraw_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
    size_t len)
{
	struct wsraw *w = &wsraw_self;
	char why[160];

	(void)user;
	if (w->wsi != wsi)
		return 0;
	switch (reason) {
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		w->state = WSRAW_OPEN;
		return 0;
	case LWS_CALLBACK_CLIENT_RECEIVE:
		return wsraw_receive(wsi, in, len);
	case LWS_CALLBACK_CLIENT_WRITEABLE:
		return wsraw_writeable(wsi);
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		snprintf(why, sizeof why, "connect failed: %.*s", in != NULL ? (int)len : 0,
		    in != NULL ? (const char *)in : "");
		wsraw_closed(why);
		return 0;
	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
		if (in != NULL && len >= 2)
			w->close_code = ((const unsigned char *)in)[0] << 8 |
			    ((const unsigned char *)in)[1];
		wsraw_closed(NULL);
		return 0;
	case LWS_CALLBACK_CLIENT_CLOSED:
	case LWS_CALLBACK_WSI_DESTROY:
		wsraw_closed(NULL);
		return 0;
	default:
		return 0;
	}
}

static void
wsraw_tick(lws_sorted_usec_list_t *sul)
{
	/* Firing is enough: it makes lws_service() return so deadlines are checked. */
	(void)sul;
}

/*
 * Service lws until *frames passes `want` (1), the connection closes (-1) or
 * timeout_ms passes (0).
 */
static int
wsraw_wait(unsigned long want, int64_t timeout_ms)
{
	struct wsraw *w = &wsraw_self;
	int64_t deadline = wsraw_now_ms() + timeout_ms;

	for (;;) {
		if (w->nframes >= want)
			return 1;
		if (w->state == WSRAW_CLOSED)
			return -1;
		if (wsraw_now_ms() >= deadline)
			return 0;
		lws_sul_schedule(w->ctx, 0, &w->tick, wsraw_tick, WSRAW_TICK_US);
		if (lws_service(w->ctx, 0) < 0)
			wsraw_closed("service failed");
	}
}

/* Parse ws://HOST:PORT[/] into host and port. */
static int
wsraw_parse_url(const char *url, char *host, size_t hostlen, int *port)
{
	const char *p, *colon;
	char *end;
	long n;

	if (strncmp(url, "ws://", 5) != 0)
		return -1;
	p = url + 5;
	if ((colon = strchr(p, ':')) == NULL || colon == p || (size_t)(colon - p) >= hostlen)
		return -1;
	memcpy(host, p, (size_t)(colon - p));
	host[colon - p] = '\0';
	errno = 0;
	n = strtol(colon + 1, &end, 10);
	if (colon[1] == '\0' || errno != 0 || n < 1 || n > 65535 ||
	    (*end != '\0' && strcmp(end, "/") != 0))
		return -1;
	*port = (int)n;
	return 0;
}

int
main(int argc, char **argv)
{
	struct wsraw *w = &wsraw_self;
	struct lws_context_creation_info info;
	struct lws_client_connect_info ci;
	struct wsraw_msg **msgs;
	const char *url = NULL;
	char host[256], origin[300], *end;
	int64_t timeout_ms = 5000;
	int i, nmsgs = 0, port, rc, status = 0;
	double t;

	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	if ((msgs = calloc((size_t)argc, sizeof *msgs)) == NULL)
		return 1;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc) {
			errno = 0;
			t = strtod(argv[++i], &end);
			if (*end != '\0' || errno != 0 || !(t > 0 && t <= 3600))
				wsraw_usage();
			timeout_ms = (int64_t)(t * 1000);
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			printf("usage: wsraw [--timeout SECONDS] ws://HOST:PORT PAYLOAD...\n");
			return 0;
		} else if (url == NULL)
			url = argv[i];
		else
			msgs[nmsgs++] = wsraw_msg_new(argv[i]);
	}
	if (url == NULL || wsraw_parse_url(url, host, sizeof host, &port) != 0)
		wsraw_usage();

	lws_set_log_level(getenv("WSRAW_DEBUG") != NULL ? LLL_ERR | LLL_WARN | LLL_NOTICE : 0,
	    NULL);
	memset(&info, 0, sizeof info);
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = wsraw_protocols;
	info.gid = -1;
	info.uid = -1;
	if ((w->ctx = lws_create_context(&info)) == NULL) {
		fprintf(stderr, "wsraw: cannot create a WebSocket context\n");
		return 1;
	}
	snprintf(origin, sizeof origin, "http://%s:%d", host, port);
	memset(&ci, 0, sizeof ci);
	ci.context = w->ctx;
	ci.address = host;
	ci.port = port;
	ci.path = "/";
	ci.host = host;
	ci.origin = origin;
	ci.protocol = WSRAW_PROTOCOL;
	ci.local_protocol_name = WSRAW_PROTOCOL;
	ci.pwsi = &w->wsi;
	if (lws_client_connect_via_info(&ci) == NULL && w->state != WSRAW_CLOSED)
		wsraw_closed("connect failed");

	/* The node speaks first: its challenge. */
	rc = wsraw_wait(1, timeout_ms);
	if (rc != 1 || w->state != WSRAW_OPEN) {
		if (rc == 0)
			printf("timeout\n");
		else
			printf("closed\n");
		fprintf(stderr, "wsraw: %s: no challenge (%s)\n", url,
		    w->why[0] != '\0' ? w->why : rc == 0 ? "timeout" : "closed");
		status = 1;
		goto out;
	}

	for (i = 0; i < nmsgs; i++) {
		w->pending = msgs[i];
		msgs[i] = NULL;
		fprintf(stderr, "sent %d %zu\n", i + 1, w->pending->len);
		lws_callback_on_writable(w->wsi);
		rc = wsraw_wait(w->nframes + 1, timeout_ms);
		if (rc == 0) {
			printf("timeout\n");
			status = 1;
			/* Keep going: later payloads may still be answered. */
			continue;
		}
		if (rc == -1)
			break;
	}
	/* Did the node close the connection after the last reply? */
	if (w->state != WSRAW_CLOSED)
		(void)wsraw_wait((unsigned long)-1, WSRAW_GRACE_MS);
	if (w->state == WSRAW_CLOSED) {
		if (w->close_code != 0)
			printf("closed code=%d\n", w->close_code);
		else
			printf("closed\n");
		status = 1;
	}
out:
	wsraw_msg_free(w->pending);
	w->pending = NULL;
	for (i = 0; i < nmsgs; i++)
		wsraw_msg_free(msgs[i]);
	free(msgs);
	lws_sul_cancel(&w->tick);
	lws_context_destroy(w->ctx);
	free(w->rx);
	return status;
}
