/* edge.c: see edge.h. */
#include "node/edge.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libwebsockets.h>
#include <sodium.h>

#include "node/core.h"
#include "node/edgeloop.h"
#include "node/oframe.h"
#include "proto/log.h"
#include "proto/modev.h"

/* A frame waiting to be written to one session. */
struct edge_out {
	struct oframe	*f;		/* one reference; NULL: nothing to write */
	uint8_t		 kick;		/* close the session after writing it */
	uint8_t		 reply;		/* answers a request (for the in-flight count) */
};

/* Per-connection state; lws allocates and zeroes it (per_session_data_size). */
struct edge_sess {
	struct lws	*wsi;
	sid_t		 sid;
	int		 open;		/* has a slot and is known to the core */
	uint8_t		 challenge[YISHI_CHALLENGE_BYTES];
	unsigned char	*rx;		/* message being reassembled from fragments */
	size_t		 rxlen, rxcap;
	struct edge_out	*ring;		/* frames to write, in order: a ring buffer */
	uint32_t	 rhead, rlen, rcap;
	size_t		 qbytes;
	int		 closing;
	int		 close_status;	/* WebSocket close code for a kick; 0: none */
	uint32_t	 inflight;	/* requests queued to the core, not yet answered */
	int		 rx_paused;
};

/*
 * A session may have this many requests waiting for the core; then the edge stops
 * reading its socket until half are answered, so one client cannot grow the core's
 * queue without bound (TCP backpressure does the rest).
 */
#define EDGE_INFLIGHT_MAX	64
/* At most this much goes into one batch frame (one WebSocket message, one write). */
#define EDGE_BATCH_BYTES	(64 * 1024)
#define EDGE_RX_KEEP		1024	/* keep an rx buffer this small between messages */

_Static_assert(LWS_PRE <= sizeof(((struct edge *)0)->pre), "edge: headroom too small");

static struct edge *edge_self;	/* lws callbacks reach the edge through this */

/* Append a frame (taking over one reference) to the session's ring. */
static int
edge_sess_push(struct edge_sess *es, struct oframe *f, int kick, int reply)
{
	struct edge_out *nr;
	uint32_t cap, i;

	if (es->rlen == es->rcap) {
		cap = es->rcap ? es->rcap * 2 : 8;
		if ((nr = reallocarray(NULL, cap, sizeof *nr)) == NULL) {
			oframe_unref(f);
			return -1;
		}
		for (i = 0; i < es->rlen; i++)
			nr[i] = es->ring[(es->rhead + i) % es->rcap];
		free(es->ring);
		es->ring = nr;
		es->rcap = cap;
		es->rhead = 0;
	}
	nr = &es->ring[(es->rhead + es->rlen++) % es->rcap];
	nr->f = f;
	nr->kick = (uint8_t)kick;
	nr->reply = (uint8_t)reply;
	if (f != NULL)
		es->qbytes += f->len;
	lws_callback_on_writable(es->wsi);
	return 0;
}

static void
edge_sess_drop_queue(struct edge_sess *es)
{
	while (es->rlen > 0) {
		oframe_unref(es->ring[es->rhead].f);
		es->rhead = (es->rhead + 1) % es->rcap;
		es->rlen--;
	}
	free(es->ring);
	es->ring = NULL;
	es->rcap = es->rhead = 0;
	es->qbytes = 0;
}

/* Queue an encoded frame written by the edge itself (challenge, decode errors). */
static void
edge_sess_send_sb(struct edge_sess *es, const msgpack_sbuffer *sb)
{
	struct oframe *f;

	if ((f = oframe_new(sb)) != NULL)
		(void)edge_sess_push(es, f, 0, 0);
}

static void
edge_sess_error(struct edge_sess *es, uint64_t rid, int code, const char *msg)
{
	msgpack_sbuffer sb;

	msgpack_sbuffer_init(&sb);
	wire_encode_error(rid, code, msg, &sb);
	edge_sess_send_sb(es, &sb);
	msgpack_sbuffer_destroy(&sb);
}

static void
edge_to_core(struct edge *e, struct qitem *it)
{
	if (queue_push(e->in, it))
		core_wake(e->core);
}

static int
edge_sess_open(struct edge *e, struct edge_sess *es, struct lws *wsi)
{
	struct wire_rec r;
	msgpack_sbuffer sb;
	uint32_t slot;

	es->wsi = wsi;
	if (e->nfree == 0) {
		log_warnx("edge: session limit (%u) reached, refusing a connection", e->nslots);
		return -1;
	}
	slot = e->free_slots[--e->nfree];
	e->gens[slot]++;
	e->slots[slot] = es;
	es->sid = SID_MAKE(slot, e->gens[slot]);
	es->open = 1;
	edge_to_core(e, queue_item_new(QI_OPEN, es->sid));

	randombytes_buf(es->challenge, sizeof es->challenge);
	wire_rec_init(&r, &wire_kinds[WK_CHALLENGE]);
	wire_set_uint(&r, WF_V, WIRE_VERSION);
	wire_set_bin(&r, WF_NODE, e->ident->id.pk, YISHI_PK_BYTES);
	wire_set_bin(&r, WF_CHALLENGE, es->challenge, sizeof es->challenge);
	wire_set_str(&r, WF_NAME, e->ident->name);
	wire_set_str(&r, WF_AREA, e->ident->area);
	wire_set_uint(&r, WF_MAX_TEXT, WIRE_MAX_TEXT);
	msgpack_sbuffer_init(&sb);
	if (wire_encode(WK_CHALLENGE, 0, &r, &sb) != WE_OK)
		fatalx("edge: cannot encode the challenge frame");
	edge_sess_send_sb(es, &sb);
	msgpack_sbuffer_destroy(&sb);
	return 0;
}

static void
edge_sess_close(struct edge *e, struct edge_sess *es)
{
	uint32_t slot;

	edge_sess_drop_queue(es);
	free(es->rx);
	es->rx = NULL;
	if (!es->open)
		return;
	slot = SID_SLOT(es->sid);
	e->slots[slot] = NULL;
	e->free_slots[e->nfree++] = slot;
	es->open = 0;
	edge_to_core(e, queue_item_new(QI_CLOSE, es->sid));
}

/* A whole message arrived: decode, check signatures, hand to the core. */
static void
edge_sess_frame(struct edge *e, struct edge_sess *es, const unsigned char *buf, size_t len)
{
	struct wire_frame *f;
	struct mod_event ev;
	struct qitem *it;
	int rc;

	if ((f = calloc(1, sizeof *f)) == NULL) {
		edge_sess_error(es, 0, WE_INTERNAL, "out of memory");
		return;
	}
	if ((rc = wire_decode(buf, len, WIRE_DIR_C2N, f)) != WE_OK) {
		log_debug("edge: session %llx: rejected frame: %s",
		    (unsigned long long)es->sid, wire_err_name(rc));
		edge_sess_error(es, f->rid, rc, wire_err_text(rc));
		free(f);
		return;
	}
	it = queue_item_new(QI_FRAME, es->sid);
	it->frame = f;
	switch (f->kind) {
	case WK_REGISTER:
	case WK_LOGIN:
		if (auth_verify(f->r.f[WF_USER].p, e->ident->id.pk, es->challenge,
		    f->r.f[WF_SIG].p) != 0) {
			edge_sess_error(es, f->rid, WE_AUTH_FAILED,
			    "the login signature does not verify for this session's challenge");
			queue_item_free(it);
			return;
		}
		break;
	case WK_SEND:
		if (msg_hdr_decode(f->r.f[WF_HDR].p, f->r.f[WF_HDR].len, &it->hdr) != 0) {
			edge_sess_error(es, f->rid, WE_BAD_VALUE, "malformed message header");
			queue_item_free(it);
			return;
		}
		if (msg_verify(it->hdr.sender, f->r.f[WF_HDR].p, f->r.f[WF_HDR].len,
		    f->r.f[WF_NONCE].p, f->r.f[WF_CT].p, f->r.f[WF_CT].len,
		    f->r.f[WF_SIG].p) != 0) {
			edge_sess_error(es, f->rid, WE_BAD_SIGNATURE,
			    "the message signature does not verify");
			queue_item_free(it);
			return;
		}
		break;
	case WK_MODERATE:
		if (mod_event_decode(f->r.f[WF_EV].p, f->r.f[WF_EV].len, &ev) != 0) {
			edge_sess_error(es, f->rid, WE_BAD_VALUE, "malformed moderation event");
			queue_item_free(it);
			return;
		}
		if (mod_event_verify(ev.actor, f->r.f[WF_EV].p, f->r.f[WF_EV].len,
		    f->r.f[WF_SIG].p) != 0) {
			edge_sess_error(es, f->rid, WE_BAD_SIGNATURE,
			    "the moderation event's signature does not verify");
			queue_item_free(it);
			return;
		}
		break;
	default:
		break;
	}
	if (++es->inflight >= EDGE_INFLIGHT_MAX && !es->rx_paused) {
		lws_rx_flow_control(es->wsi, 0);
		es->rx_paused = 1;
	}
	edge_to_core(e, it);
}

/*
 * A message grew past the node's limit (or past the memory to hold it). Its header
 * may claim any length up to 2^63 and its sender may never finish it, so waiting for
 * its end to answer would let one connection stream forever: answer too_large now
 * and close with 1009 (message too big) once the error is written. Reading goes on
 * (the rest is discarded) until lws has the peer's close or gives up waiting: a
 * socket closed with unread data resets the connection, and the peer would lose the
 * error it has not read yet.
 */
static void
edge_sess_toolong(struct edge_sess *es)
{
	struct oframe *f;
	msgpack_sbuffer sb;

	log_debug("edge: session %llx: message over %u bytes, closing the session",
	    (unsigned long long)es->sid, (unsigned)WIRE_MAX_IN_NODE);
	free(es->rx);
	es->rx = NULL;
	es->rxlen = es->rxcap = 0;
	es->closing = 1;
	es->close_status = LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE;
	msgpack_sbuffer_init(&sb);
	wire_encode_error(0, WE_TOO_LARGE, "frame exceeds the node's size limit", &sb);
	f = oframe_new(&sb);
	msgpack_sbuffer_destroy(&sb);
	/* Without the frame (out of memory) the empty kick still closes the session. */
	if (edge_sess_push(es, f, 1, 0) != 0)
		lws_callback_on_writable(es->wsi);
}

static void
edge_sess_receive(struct edge *e, struct edge_sess *es, struct lws *wsi, const void *in,
    size_t len)
{
	unsigned char *nrx;

	if (es->closing)
		return;		/* the rest of an oversized message: discarded */
	if (lws_is_first_fragment(wsi))
		es->rxlen = 0;
	if (es->rxlen + len > WIRE_MAX_IN_NODE) {
		edge_sess_toolong(es);
		return;
	}
	if (es->rxlen + len > es->rxcap) {
		size_t cap = es->rxcap ? es->rxcap : EDGE_RX_KEEP;

		while (cap < es->rxlen + len)
			cap *= 2;
		if ((nrx = realloc(es->rx, cap)) == NULL) {
			edge_sess_toolong(es);
			return;
		}
		es->rx = nrx;
		es->rxcap = cap;
	}
	memcpy(es->rx + es->rxlen, in, len);
	es->rxlen += len;
	if (!lws_is_final_fragment(wsi) || lws_remaining_packet_payload(wsi) != 0)
		return;
	if (!lws_frame_is_binary(wsi))
		edge_sess_error(es, 0, WE_MALFORMED, "frames are binary WebSocket messages");
	else
		edge_sess_frame(e, es, es->rx, es->rxlen);
	es->rxlen = 0;
	if (es->rxcap > EDGE_RX_KEEP) {	/* idle sessions keep no large buffer */
		free(es->rx);
		es->rx = NULL;
		es->rxcap = 0;
	}
}

/* Close the session once its last frame is written, with its close status if any. */
static int
edge_sess_hangup(struct edge_sess *es, struct lws *wsi)
{
	if (es->close_status != 0)
		lws_close_reason(wsi, (enum lws_close_status)es->close_status, NULL, 0);
	return -1;
}

/*
 * Write what is queued: one frame as it is, or several in one batch frame (one
 * WebSocket message, one send) so a busy session costs one syscall per turn rather
 * than one per frame. The batch is packed here directly (not through wire_encode)
 * because it only wraps frames that are already encoded; its shape is the schema's
 * "batch" kind, which clients decode strictly.
 */
static int
edge_sess_writeable(struct edge *e, struct edge_sess *es, struct lws *wsi)
{
	struct edge_out *o;
	msgpack_packer pk;
	uint32_t n = 0, i;
	size_t bytes = 0;
	int kick = 0, rc = 0;

	if (es->rlen == 0)
		return es->closing ? edge_sess_hangup(es, wsi) : 0;
	/* How many frames go out now: up to a kick, a byte budget or the array limit. */
	while (n < es->rlen && n < WIRE_MAX_ARRAY) {
		o = &es->ring[(es->rhead + n) % es->rcap];
		if (n > 0 && (o->f == NULL || bytes + o->f->len > EDGE_BATCH_BYTES))
			break;
		bytes += o->f != NULL ? o->f->len : 0;
		n++;
		if (o->kick) {
			kick = 1;
			break;
		}
	}
	o = &es->ring[es->rhead];
	if (n == 1) {
		if (o->f != NULL && lws_write(wsi, oframe_payload(o->f), o->f->len,
		    LWS_WRITE_BINARY) < (int)o->f->len)
			rc = -1;
		n = 1;
		kick = o->kick;
	} else {
		msgpack_sbuffer_clear(&e->batch);
		msgpack_sbuffer_write(&e->batch, (const char *)e->pre, LWS_PRE);
		msgpack_packer_init(&pk, &e->batch, msgpack_sbuffer_write);
		msgpack_pack_map(&pk, 2);
		msgpack_pack_str_with_body(&pk, "t", 1);
		msgpack_pack_str_with_body(&pk, "batch", 5);
		msgpack_pack_str_with_body(&pk, "frames", 6);
		msgpack_pack_array(&pk, n);
		for (i = 0; i < n; i++) {
			o = &es->ring[(es->rhead + i) % es->rcap];
			msgpack_pack_map(&pk, 1);
			msgpack_pack_str_with_body(&pk, "frame", 5);
			msgpack_pack_bin_with_body(&pk, oframe_payload(o->f), o->f->len);
		}
		if (lws_write(wsi, (unsigned char *)e->batch.data + LWS_PRE,
		    e->batch.size - LWS_PRE, LWS_WRITE_BINARY) < (int)(e->batch.size - LWS_PRE))
			rc = -1;
	}
	for (i = 0; i < n; i++) {
		o = &es->ring[es->rhead];
		if (o->f != NULL)
			es->qbytes -= o->f->len;
		oframe_unref(o->f);
		es->rhead = (es->rhead + 1) % es->rcap;
		es->rlen--;
	}
	if (rc != 0)
		return -1;
	if (kick)
		return edge_sess_hangup(es, wsi);
	if (es->rlen > 0 || es->closing)
		lws_callback_on_writable(wsi);
	return 0;
}

/* Give one frame from the core to the session sid, if it still exists. */
static void
edge_deliver(struct edge *e, sid_t sid, struct oframe *f, int kick, int reply)
{
	struct edge_sess *es;
	uint32_t slot = SID_SLOT(sid);

	es = slot < e->nslots ? e->slots[slot] : NULL;
	if (es == NULL || es->sid != sid || es->closing) {
		oframe_unref(f);
		return;
	}
	if (f != NULL && es->qbytes + f->len > NODE_SESSION_QUEUE_MAX) {
		log_warnx("edge: session %llx reads too slowly, closing it",
		    (unsigned long long)es->sid);
		oframe_unref(f);
		edge_sess_drop_queue(es);
		es->closing = 1;
		lws_callback_on_writable(es->wsi);
		return;
	}
	if (reply && es->inflight > 0 && --es->inflight < EDGE_INFLIGHT_MAX / 2 &&
	    es->rx_paused) {
		lws_rx_flow_control(es->wsi, 1);
		es->rx_paused = 0;
	}
	(void)edge_sess_push(es, f, kick, reply);
}

/* Take what the core sent and give it to the sessions it is for. */
static void
edge_drain(struct edge *e)
{
	struct qitem *it, *next;
	uint32_t i;

	for (it = queue_take_all(e->out); it != NULL; it = next) {
		next = it->next;
		if (it->type == QI_FANOUT) {
			for (i = 0; i < it->nsids; i++)
				edge_deliver(e, it->sids[i], oframe_ref(it->out), 0, 0);
		} else {
			edge_deliver(e, it->sid, it->out, it->type == QI_KICK, it->is_reply);
			it->out = NULL;		/* the session took the reference */
		}
		queue_item_free(it);
	}
}

static int
edge_http(struct lws *wsi, const char *uri)
{
	int rc;

	if (strcmp(uri, "/healthz") == 0)
		rc = lws_return_http_status(wsi, HTTP_STATUS_OK, "ok");
	else if (strncmp(uri, "/join/", 6) == 0)
		rc = lws_return_http_status(wsi, HTTP_STATUS_OK,
		    "This is an invitation to a Yishi group. Open it with the Yishi client: "
		    "yishi join followed by this link.");
	else
		rc = lws_return_http_status(wsi, HTTP_STATUS_NOT_FOUND, NULL);
	if (rc != 0)
		return -1;
	return lws_http_transaction_completed(wsi) ? -1 : 0;
}

static int
edge_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
    size_t len)
{
	struct edge *e = edge_self;
	struct edge_sess *es = user;

	switch (reason) {
	case LWS_CALLBACK_ESTABLISHED:
		memset(es, 0, sizeof *es);
		return edge_sess_open(e, es, wsi);
	case LWS_CALLBACK_RECEIVE:
		if (es != NULL && es->open)
			edge_sess_receive(e, es, wsi, in, len);
		return 0;
	case LWS_CALLBACK_SERVER_WRITEABLE:
		return es != NULL ? edge_sess_writeable(e, es, wsi) : 0;
	case LWS_CALLBACK_CLOSED:
		if (es != NULL)
			edge_sess_close(e, es);
		return 0;
	case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
		if (e != NULL)
			edge_drain(e);
		return 0;
	case LWS_CALLBACK_HTTP:
		return edge_http(wsi, (const char *)in);
	default:
		break;
	}
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static const struct lws_protocols edge_protocols[] = {
	/* rx_buffer_size is allocated per connection: keep it small, frames are reassembled. */
	{ "yishi.v1", edge_callback, sizeof(struct edge_sess), 4096, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 }
};

static void
edge_lws_log(int level, const char *line)
{
	size_t n = strlen(line);

	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		n--;
	if (level & LLL_ERR)
		log_warnx("lws: %.*s", (int)n, line);
	else
		log_debug("lws: %.*s", (int)n, line);
}

/*
 * lws reports a failed listen without the reason, so probe the address with a plain
 * socket first to tell the operator why ("address already in use").
 */
static int
edge_probe_listen(const char *host, int port, char *err, size_t errlen)
{
	struct sockaddr_in sin;
	int fd, one = 1, rc = 0;

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &sin.sin_addr) != 1) {
		snprintf(err, errlen, "cannot listen on %s:%d: not an IPv4 address", host, port);
		return -1;
	}
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return 0;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&sin, sizeof sin) == -1) {
		snprintf(err, errlen, "cannot listen on %s:%d: %s", host, port, strerror(errno));
		rc = -1;
	}
	close(fd);
	return rc;
}

int
edge_init(struct edge *e, const struct node_conf *conf, const struct node_ident *ident,
    struct core *core, struct queue *in, struct queue *out, char *err, size_t errlen)
{
	struct lws_context_creation_info info;
	void *foreign[1];
	uint32_t i;

	memset(e, 0, sizeof *e);
	e->conf = conf;
	e->ident = ident;
	e->core = core;
	e->in = in;
	e->out = out;
	e->nslots = conf->max_sessions;
	e->slots = calloc(e->nslots, sizeof *e->slots);
	e->gens = calloc(e->nslots, sizeof *e->gens);
	e->free_slots = calloc(e->nslots, sizeof *e->free_slots);
	if (e->slots == NULL || e->gens == NULL || e->free_slots == NULL) {
		snprintf(err, errlen, "out of memory for %u sessions", e->nslots);
		goto fail;
	}
	for (i = 0; i < e->nslots; i++)
		e->free_slots[i] = e->nslots - 1 - i;
	e->nfree = e->nslots;
	msgpack_sbuffer_init(&e->batch);
	if (edge_probe_listen(conf->host, conf->port, err, errlen) != 0)
		goto fail;

	lws_set_log_level(conf->verbose > 1 ? LLL_ERR | LLL_WARN | LLL_NOTICE : LLL_ERR,
	    edge_lws_log);
	memset(&info, 0, sizeof info);
	info.port = conf->port;
	info.iface = conf->host;
	info.protocols = edge_protocols;
	/* lws runs on the edge's own libev loop: see edgeloop.h for why. */
	if ((e->loop = edgeloop_new()) == NULL) {
		snprintf(err, errlen, "cannot create the edge's event loop");
		goto fail;
	}
	foreign[0] = edgeloop_foreign(e->loop);
	info.foreign_loops = foreign;
	info.options = LWS_SERVER_OPTION_DISABLE_IPV6 | LWS_SERVER_OPTION_LIBEV;
	info.gid = -1;
	info.uid = -1;
	info.fd_limit_per_thread = conf->max_sessions + 64;
	edge_self = e;
	if ((e->ctx = lws_create_context(&info)) == NULL) {
		/* The port was free a moment ago (edge_probe_listen): the loop is what failed. */
		snprintf(err, errlen, "cannot listen on %s:%d: libwebsockets could not start on "
		    "its libev loop (is Debian's libwebsockets-evlib-ev package installed?)",
		    conf->host, conf->port);
		goto fail;
	}
	e->vh = lws_get_vhost_by_name(e->ctx, "default");
	e->port = e->vh != NULL ? lws_get_vhost_listen_port(e->vh) : conf->port;
	log_debug("edge: libwebsockets on a libev loop (%s)", edgeloop_backend(e->loop));
	return 0;
fail:
	edgeloop_free(e->loop);
	e->loop = NULL;
	free(e->slots);
	free(e->gens);
	free(e->free_slots);
	e->slots = NULL;
	e->gens = e->free_slots = NULL;
	edge_self = NULL;
	return -1;
}

static void *
edge_main(void *arg)
{
	struct edge *e = arg;

	edgeloop_run(e->loop);
	return NULL;
}

int
edge_start(struct edge *e)
{
	sigset_t all, old;
	int rc;

	/* Signals belong to the core thread's libevent loop. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = pthread_create(&e->thread, NULL, edge_main, e);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0)
		return -1;
	e->running = 1;
	return 0;
}

void
edge_wake(void *arg)
{
	struct edge *e = arg;

	lws_cancel_service(e->ctx);
}

void
edge_stop(struct edge *e)
{
	if (e->running) {
		edgeloop_stop(e->loop);
		pthread_join(e->thread, NULL);
		e->running = 0;
	}
	if (e->ctx != NULL)
		lws_context_destroy(e->ctx);	/* closes every session (CLOSED callbacks) */
	e->ctx = NULL;
	edgeloop_free(e->loop);
	e->loop = NULL;
	msgpack_sbuffer_destroy(&e->batch);
	free(e->slots);
	free(e->gens);
	free(e->free_slots);
	e->slots = NULL;
	e->gens = e->free_slots = NULL;
	edge_self = NULL;
}
