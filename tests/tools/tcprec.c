/*
 * tcprec.c: a recording TCP proxy for the end-to-end tests.
 *
 *     tcprec --listen 127.0.0.1:0 --to 127.0.0.1:PORT --out FILE [--ws-out FILE2]
 *
 * Accepts connections on --listen, opens one connection to --to for each, forwards
 * bytes both ways unchanged and appends every byte it forwards, in either direction,
 * to FILE. Once bound it prints "tcprec: listening on HOST:PORT" (flushed), so a test
 * started with port 0 can read the port. SIGTERM or SIGINT stops it (exit 0).
 *
 * The tests use it to prove that no plaintext crosses the wire: the recording is the
 * raw byte stream, so a grep for a marker text finds it if any frame carried it.
 *
 * With --ws-out FILE2 it also appends the payloads of the WebSocket frames it sees,
 * unmasked, to FILE2. A client masks every frame it sends (RFC 6455 5.3), so plaintext
 * sent by a client would not show in the raw recording; in FILE2 it would. The small
 * frame reader below is ours because libwebsockets has no passive parser for a byte
 * stream it does not terminate. It skips each direction's HTTP upgrade (up to the
 * first blank line), then reads frames; a frame with RSV bits set (a compression
 * extension) is reported on stderr as "tcprec: warning", since its payload cannot be
 * searched.
 * The file is opened with O_APPEND and written with write(2) as bytes arrive, so it is
 * complete whenever the proxy is stopped, and both directions of every connection
 * share it in arrival order.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <event2/util.h>

/* Reads the WebSocket frames of one direction of one connection. */
struct tcprec_ws {
	struct evbuffer	*buf;		/* bytes not yet parsed */
	int		 framing;	/* past the HTTP upgrade */
	int		 broken;	/* unparseable: stop reading this direction */
};

/* One proxied connection: the accepted side and the side towards the target. */
struct tcprec_link {
	struct bufferevent	*down;		/* the client that connected to us */
	struct bufferevent	*up;		/* our connection to --to */
	int			 closing;	/* one side ended; flush the other, then free */
	struct tcprec_ws	*ws[2];		/* frame readers: [0] down->up, [1] up->down */
	LIST_ENTRY(tcprec_link)	 entry;
};

static struct event_base	*tcprec_base;
static struct sockaddr_in	 tcprec_to;
static int			 tcprec_fd = -1;	/* the recording */
static int			 tcprec_ws_fd = -1;	/* unmasked payloads, or -1 */
static LIST_HEAD(, tcprec_link)	 tcprec_links = LIST_HEAD_INITIALIZER(tcprec_links);

static void
tcprec_usage(void)
{
	fprintf(stderr, "usage: tcprec --listen HOST:PORT --to HOST:PORT --out FILE [--ws-out FILE]\n");
	exit(2);
}

/* Parse an IPv4 "HOST:PORT"; port 0 is allowed (pick a free one). */
static int
tcprec_parse_addr(const char *s, struct sockaddr_in *sin)
{
	char host[64], *end;
	const char *colon;
	long port;

	if ((colon = strrchr(s, ':')) == NULL || (size_t)(colon - s) >= sizeof host)
		return -1;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (colon[1] == '\0' || *end != '\0' || errno != 0 || port < 0 || port > 65535)
		return -1;
	memset(sin, 0, sizeof *sin);
	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
		return -1;
	return 0;
}

static void
tcprec_write_all(int fd, const void *p, size_t len)
{
	ssize_t w;
	size_t off;

	for (off = 0; off < len; off += (size_t)w) {
		w = write(fd, (const char *)p + off, len - off);
		if (w < 0 && errno == EINTR) {
			w = 0;
			continue;
		}
		if (w <= 0) {
			fprintf(stderr, "tcprec: write to the recording: %s\n", strerror(errno));
			exit(1);
		}
	}
}

static struct tcprec_ws *
tcprec_ws_new(void)
{
	struct tcprec_ws *ws;

	if ((ws = calloc(1, sizeof *ws)) == NULL || (ws->buf = evbuffer_new()) == NULL) {
		fprintf(stderr, "tcprec: out of memory\n");
		exit(1);
	}
	return ws;
}

static void
tcprec_ws_free(struct tcprec_ws *ws)
{
	if (ws == NULL)
		return;
	evbuffer_free(ws->buf);
	free(ws);
}

/* Parse what complete frames ws->buf holds; write their unmasked payloads. */
static void
tcprec_ws_parse(struct tcprec_ws *ws)
{
	struct evbuffer_ptr at;
	unsigned char *h, *payload, mask[4];
	size_t avail, hlen, i;
	int masked;
	uint64_t plen;

	if (!ws->framing) {
		at = evbuffer_search(ws->buf, "\r\n\r\n", 4, NULL);
		if (at.pos < 0)
			return;
		evbuffer_drain(ws->buf, (size_t)at.pos + 4);
		ws->framing = 1;
	}
	while (!ws->broken && (avail = evbuffer_get_length(ws->buf)) >= 2) {
		h = evbuffer_pullup(ws->buf, avail < 14 ? (ssize_t)avail : 14);
		hlen = 2;
		plen = h[1] & 0x7f;
		if (plen == 126)
			hlen += 2;
		else if (plen == 127)
			hlen += 8;
		if (h[1] & 0x80)
			hlen += 4;
		if (avail < hlen)
			return;
		if (plen == 126)
			plen = (uint64_t)h[2] << 8 | h[3];
		else if (plen == 127)
			for (plen = 0, i = 2; i < 10; i++)
				plen = plen << 8 | h[i];
		if (plen > 64 * 1024 * 1024) {
			fprintf(stderr, "tcprec: warning: a WebSocket frame of %llu bytes; "
			    "not reading this direction further\n", (unsigned long long)plen);
			ws->broken = 1;
			return;
		}
		if (avail < hlen + plen)
			return;
		if (h[0] & 0x70)
			fprintf(stderr, "tcprec: warning: a WebSocket frame with RSV bits "
			    "0x%02x (compressed?)\n", h[0] & 0x70);
		/* h points into ws->buf: take what we need before draining. */
		if ((masked = h[1] & 0x80) != 0)
			memcpy(mask, h + hlen - 4, 4);
		evbuffer_drain(ws->buf, hlen);
		if ((payload = malloc(plen + 1)) == NULL) {
			fprintf(stderr, "tcprec: out of memory\n");
			exit(1);
		}
		evbuffer_remove(ws->buf, payload, plen);
		if (masked)
			for (i = 0; i < plen; i++)
				payload[i] ^= mask[i % 4];
		tcprec_write_all(tcprec_ws_fd, payload, plen);
		free(payload);
	}
}

/* Append everything in buf to the recording(s), without draining buf. */
static void
tcprec_record(struct evbuffer *buf, struct tcprec_ws *ws)
{
	struct evbuffer_iovec *v;
	int i, n;

	if ((n = evbuffer_peek(buf, -1, NULL, NULL, 0)) <= 0)
		return;
	if ((v = calloc((size_t)n, sizeof *v)) == NULL) {
		fprintf(stderr, "tcprec: out of memory\n");
		exit(1);
	}
	n = evbuffer_peek(buf, -1, NULL, v, n);
	for (i = 0; i < n; i++) {
		tcprec_write_all(tcprec_fd, v[i].iov_base, v[i].iov_len);
		if (ws != NULL)
			evbuffer_add(ws->buf, v[i].iov_base, v[i].iov_len);
	}
	free(v);
	if (ws != NULL)
		tcprec_ws_parse(ws);
}

static void
tcprec_link_free(struct tcprec_link *l)
{
	if (l->down != NULL)
		bufferevent_free(l->down);
	if (l->up != NULL)
		bufferevent_free(l->up);
	tcprec_ws_free(l->ws[0]);
	tcprec_ws_free(l->ws[1]);
	LIST_REMOVE(l, entry);
	free(l);
}

static struct bufferevent *
tcprec_peer(struct tcprec_link *l, struct bufferevent *bev)
{
	return bev == l->down ? l->up : l->down;
}

/* Bytes arrived on one side: record them and pass them to the other. */
static void
tcprec_read(struct bufferevent *bev, void *arg)
{
	struct tcprec_link *l = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	struct bufferevent *peer = tcprec_peer(l, bev);

	tcprec_record(in, l->ws[bev == l->down ? 0 : 1]);
	if (peer == NULL || l->closing) {
		evbuffer_drain(in, evbuffer_get_length(in));
		return;
	}
	bufferevent_write_buffer(peer, in);
}

/* While closing, free the link once the surviving side has written everything. */
static void
tcprec_write(struct bufferevent *bev, void *arg)
{
	struct tcprec_link *l = arg;

	if (l->closing && evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		tcprec_link_free(l);
}

static void
tcprec_event(struct bufferevent *bev, short what, void *arg)
{
	struct tcprec_link *l = arg;
	struct bufferevent *peer;

	if (what & BEV_EVENT_CONNECTED)
		return;
	if (!(what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)))
		return;
	if ((what & BEV_EVENT_ERROR) && bev == l->up && !l->closing)
		fprintf(stderr, "tcprec: connection to the target: %s\n",
		    evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
	/* Pass on whatever was still unread, then close this side. */
	tcprec_read(bev, l);
	peer = tcprec_peer(l, bev);
	if (bev == l->down)
		l->down = NULL;
	else
		l->up = NULL;
	bufferevent_free(bev);
	if (peer == NULL || evbuffer_get_length(bufferevent_get_output(peer)) == 0) {
		tcprec_link_free(l);
		return;
	}
	l->closing = 1;
	bufferevent_disable(peer, EV_READ);
}

static void
tcprec_accept(struct evconnlistener *lev, evutil_socket_t fd, struct sockaddr *sa,
    int salen, void *arg)
{
	struct tcprec_link *l;

	(void)lev;
	(void)sa;
	(void)salen;
	(void)arg;
	if ((l = calloc(1, sizeof *l)) == NULL) {
		evutil_closesocket(fd);
		return;
	}
	LIST_INSERT_HEAD(&tcprec_links, l, entry);
	if (tcprec_ws_fd != -1) {
		l->ws[0] = tcprec_ws_new();
		l->ws[1] = tcprec_ws_new();
	}
	l->down = bufferevent_socket_new(tcprec_base, fd, BEV_OPT_CLOSE_ON_FREE);
	l->up = bufferevent_socket_new(tcprec_base, -1, BEV_OPT_CLOSE_ON_FREE);
	if (l->down == NULL || l->up == NULL) {
		if (l->down == NULL)
			evutil_closesocket(fd);
		tcprec_link_free(l);
		return;
	}
	bufferevent_setcb(l->down, tcprec_read, tcprec_write, tcprec_event, l);
	bufferevent_setcb(l->up, tcprec_read, tcprec_write, tcprec_event, l);
	/* Bytes the client sends before the target answers wait in up's output buffer. */
	bufferevent_enable(l->down, EV_READ | EV_WRITE);
	bufferevent_enable(l->up, EV_READ | EV_WRITE);
	if (bufferevent_socket_connect(l->up, (struct sockaddr *)&tcprec_to,
	    sizeof tcprec_to) != 0) {
		fprintf(stderr, "tcprec: cannot connect to the target\n");
		tcprec_link_free(l);
	}
}

static void
tcprec_signal(evutil_socket_t sig, short what, void *arg)
{
	(void)sig;
	(void)what;
	(void)arg;
	event_base_loopexit(tcprec_base, NULL);
}

int
main(int argc, char **argv)
{
	struct sockaddr_in listen_at, bound;
	struct evconnlistener *lev;
	struct event *sigterm, *sigint;
	const char *listen_s = NULL, *to_s = NULL, *out_s = NULL, *ws_s = NULL;
	socklen_t blen = sizeof bound;
	char host[INET_ADDRSTRLEN];
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--listen") == 0 && i + 1 < argc)
			listen_s = argv[++i];
		else if (strcmp(argv[i], "--to") == 0 && i + 1 < argc)
			to_s = argv[++i];
		else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
			out_s = argv[++i];
		else if (strcmp(argv[i], "--ws-out") == 0 && i + 1 < argc)
			ws_s = argv[++i];
		else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			printf("usage: tcprec --listen HOST:PORT --to HOST:PORT --out FILE [--ws-out FILE]\n");
			return 0;
		} else
			tcprec_usage();
	}
	if (listen_s == NULL || to_s == NULL || out_s == NULL)
		tcprec_usage();
	if (tcprec_parse_addr(listen_s, &listen_at) != 0) {
		fprintf(stderr, "tcprec: %s: expected IPv4 HOST:PORT\n", listen_s);
		return 2;
	}
	if (tcprec_parse_addr(to_s, &tcprec_to) != 0 || tcprec_to.sin_port == 0) {
		fprintf(stderr, "tcprec: %s: expected IPv4 HOST:PORT\n", to_s);
		return 2;
	}
	if ((tcprec_fd = open(out_s, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644)) == -1) {
		fprintf(stderr, "tcprec: %s: %s\n", out_s, strerror(errno));
		return 1;
	}
	if (ws_s != NULL && (tcprec_ws_fd = open(ws_s, O_WRONLY | O_CREAT | O_APPEND |
	    O_CLOEXEC, 0644)) == -1) {
		fprintf(stderr, "tcprec: %s: %s\n", ws_s, strerror(errno));
		return 1;
	}
	/* A client that disappears mid-write must not kill the proxy. */
	signal(SIGPIPE, SIG_IGN);

	if ((tcprec_base = event_base_new()) == NULL) {
		fprintf(stderr, "tcprec: cannot create an event base\n");
		return 1;
	}
	lev = evconnlistener_new_bind(tcprec_base, tcprec_accept, NULL,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC, -1,
	    (struct sockaddr *)&listen_at, sizeof listen_at);
	if (lev == NULL) {
		fprintf(stderr, "tcprec: cannot listen on %s: %s\n", listen_s,
		    strerror(errno));
		return 1;
	}
	if (getsockname(evconnlistener_get_fd(lev), (struct sockaddr *)&bound, &blen) != 0 ||
	    inet_ntop(AF_INET, &bound.sin_addr, host, sizeof host) == NULL) {
		fprintf(stderr, "tcprec: getsockname: %s\n", strerror(errno));
		return 1;
	}
	sigterm = evsignal_new(tcprec_base, SIGTERM, tcprec_signal, NULL);
	sigint = evsignal_new(tcprec_base, SIGINT, tcprec_signal, NULL);
	if (sigterm == NULL || sigint == NULL || evsignal_add(sigterm, NULL) != 0 ||
	    evsignal_add(sigint, NULL) != 0) {
		fprintf(stderr, "tcprec: cannot install signal handlers\n");
		return 1;
	}
	printf("tcprec: listening on %s:%u\n", host, (unsigned)ntohs(bound.sin_port));
	fflush(stdout);

	event_base_dispatch(tcprec_base);

	/* Links still open are closed; their bytes are already recorded. */
	while (!LIST_EMPTY(&tcprec_links))
		tcprec_link_free(LIST_FIRST(&tcprec_links));
	evconnlistener_free(lev);
	event_free(sigterm);
	event_free(sigint);
	event_base_free(tcprec_base);
	close(tcprec_fd);
	if (tcprec_ws_fd != -1)
		close(tcprec_ws_fd);
	return 0;
}
