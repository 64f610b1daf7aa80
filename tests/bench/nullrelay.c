/*
 * nullrelay.c: the benchmark's ceiling: Yishi's framing and write path, nothing else.
 *
 *     nullrelay [--listen HOST:PORT] [--max-sessions N]
 *
 * One libwebsockets thread, as the node's edge: every frame is decoded strictly
 * (wire_decode, and msg_hdr_decode for a send, as the edge does before verifying),
 * a group message is encoded once (wire_encode of a "msg" event, as core_encode)
 * into one shared reference-counted frame (node/oframe.c) queued to every subscribed
 * session, and each session's queue is written as node/edge.c writes it: one frame
 * as it is, or several in one "batch" frame, one lws_write per writeable callback.
 * What it leaves out is everything the node does on top: no signature checks, no
 * membership, no storage, no second thread. Frames it accepts: "subscribe" with a
 * group (replies ok) and "send" (replies ack, fans the message out). Prints
 * "nullrelay: listening on ws://HOST:PORT" once ready; stops on SIGINT/SIGTERM.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <libwebsockets.h>
#include <sodium.h>

#include "node/edgeloop.h"
#include "node/oframe.h"
#include "proto/crypto.h"
#include "proto/wire.h"

#define NR_BATCH_BYTES		(64 * 1024)	/* as node/edge.c */
#define NR_QUEUE_MAX		(8u << 20)	/* as NODE_SESSION_QUEUE_MAX */
#define NR_RX_KEEP		1024

struct nr_group {
	uint8_t			 gid[16];
	uint64_t		 seq;
	struct nr_sess		**subs;
	uint32_t		 nsubs, capsubs;
};

struct nr_out {
	struct oframe	*f;
};

struct nr_sess {
	struct lws	*wsi;
	unsigned char	*rx;
	size_t		 rxlen, rxcap;
	int		 rx_toolong;
	struct nr_out	*ring;
	uint32_t	 rhead, rlen, rcap;
	size_t		 qbytes;
	int		 closing;
	int		 group;		/* index in nr_groups, -1: none */
	uint32_t	 pos;		/* index in the group's subs */
	int		 live;
};

static struct nr_group	*nr_groups;
static int		 nr_ngroups, nr_capgroups;
static msgpack_sbuffer	 nr_batch;
static unsigned char	 nr_pre[LWS_PRE];
static uint8_t		 nr_node_pk[32];
static struct edgeloop *nr_loop;	/* the node's edge loop (libev, epoll) */
static struct lws_context *nr_ctx;

static uint64_t
nr_now_ms(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (uint64_t)tv.tv_sec * 1000 + (uint64_t)tv.tv_usec / 1000;
}

static void
nr_push(struct nr_sess *s, struct oframe *f)
{
	struct nr_out *nr;
	uint32_t cap, i;

	if (s->closing) {
		oframe_unref(f);
		return;
	}
	if (s->qbytes + f->len > NR_QUEUE_MAX) {
		fprintf(stderr, "nullrelay: a session reads too slowly, closing it\n");
		oframe_unref(f);
		s->closing = 1;
		lws_callback_on_writable(s->wsi);
		return;
	}
	if (s->rlen == s->rcap) {
		cap = s->rcap ? s->rcap * 2 : 8;
		if ((nr = reallocarray(NULL, cap, sizeof *nr)) == NULL) {
			oframe_unref(f);
			return;
		}
		for (i = 0; i < s->rlen; i++)
			nr[i] = s->ring[(s->rhead + i) % s->rcap];
		free(s->ring);
		s->ring = nr;
		s->rcap = cap;
		s->rhead = 0;
	}
	s->ring[(s->rhead + s->rlen++) % s->rcap].f = f;
	s->qbytes += f->len;
	lws_callback_on_writable(s->wsi);
}

static void
nr_send_sb(struct nr_sess *s, const msgpack_sbuffer *sb)
{
	struct oframe *f;

	if ((f = oframe_new(sb)) != NULL)
		nr_push(s, f);
}

static void
nr_error(struct nr_sess *s, uint64_t rid, int code, const char *msg)
{
	msgpack_sbuffer sb;

	msgpack_sbuffer_init(&sb);
	wire_encode_error(rid, code, msg, &sb);
	nr_send_sb(s, &sb);
	msgpack_sbuffer_destroy(&sb);
}

static void
nr_reply(struct nr_sess *s, enum wire_kind k, uint64_t rid, const struct wire_rec *r)
{
	msgpack_sbuffer sb;

	msgpack_sbuffer_init(&sb);
	if (wire_encode(k, rid, r, &sb) == WE_OK)
		nr_send_sb(s, &sb);
	msgpack_sbuffer_destroy(&sb);
}

static int
nr_group_find(const uint8_t gid[16], int create)
{
	struct nr_group *ng;
	int i;

	/* A bench has a handful of groups: a linear scan is enough. */
	for (i = 0; i < nr_ngroups; i++)
		if (memcmp(nr_groups[i].gid, gid, 16) == 0)
			return i;
	if (!create)
		return -1;
	if (nr_ngroups == nr_capgroups) {
		int cap = nr_capgroups ? nr_capgroups * 2 : 16;

		if ((ng = reallocarray(nr_groups, (size_t)cap, sizeof *ng)) == NULL)
			return -1;
		nr_groups = ng;
		nr_capgroups = cap;
	}
	memset(&nr_groups[nr_ngroups], 0, sizeof nr_groups[0]);
	memcpy(nr_groups[nr_ngroups].gid, gid, 16);
	return nr_ngroups++;
}

static void
nr_unsubscribe(struct nr_sess *s)
{
	struct nr_group *g;

	if (s->group < 0)
		return;
	g = &nr_groups[s->group];
	g->subs[s->pos] = g->subs[--g->nsubs];
	g->subs[s->pos]->pos = s->pos;
	s->group = -1;
}

static int
nr_subscribe(struct nr_sess *s, const uint8_t gid[16])
{
	struct nr_sess **ns;
	struct nr_group *g;
	int gi;

	nr_unsubscribe(s);
	if ((gi = nr_group_find(gid, 1)) < 0)
		return -1;
	g = &nr_groups[gi];
	if (g->nsubs == g->capsubs) {
		uint32_t cap = g->capsubs ? g->capsubs * 2 : 64;

		if ((ns = reallocarray(g->subs, cap, sizeof *ns)) == NULL)
			return -1;
		g->subs = ns;
		g->capsubs = cap;
	}
	s->group = gi;
	s->pos = g->nsubs;
	g->subs[g->nsubs++] = s;
	return 0;
}

static void
nr_send(struct nr_sess *s, struct wire_frame *f)
{
	struct msg_hdr h;
	struct nr_group *g;
	struct wire_rec r;
	struct oframe *out;
	msgpack_sbuffer sb;
	uint64_t ts = nr_now_ms();
	uint32_t i;
	int gi;

	if (msg_hdr_decode(f->r.f[WF_HDR].p, f->r.f[WF_HDR].len, &h) != 0) {
		nr_error(s, f->rid, WE_BAD_VALUE, "malformed message header");
		return;
	}
	if ((gi = nr_group_find(h.group, 1)) < 0) {
		nr_error(s, f->rid, WE_INTERNAL, "out of memory");
		return;
	}
	g = &nr_groups[gi];
	g->seq++;
	wire_rec_init(&r, &wire_kinds[WK_ACK]);
	wire_set_bin(&r, WF_GROUP, h.group, 16);
	wire_set_uint(&r, WF_SEQ, g->seq);
	wire_set_bin(&r, WF_ID, h.id, 16);
	wire_set_uint(&r, WF_TS, ts);
	nr_reply(s, WK_ACK, f->rid, &r);

	wire_rec_init(&r, &wire_kinds[WK_EV_MSG]);
	wire_set_bin(&r, WF_GROUP, h.group, 16);
	wire_set_uint(&r, WF_SEQ, g->seq);
	wire_set_bin(&r, WF_HDR, f->r.f[WF_HDR].p, f->r.f[WF_HDR].len);
	wire_set_bin(&r, WF_NONCE, f->r.f[WF_NONCE].p, YISHI_NONCE_BYTES);
	wire_set_bin(&r, WF_CT, f->r.f[WF_CT].p, f->r.f[WF_CT].len);
	wire_set_bin(&r, WF_SIG, f->r.f[WF_SIG].p, YISHI_SIG_BYTES);
	wire_set_str(&r, WF_SENDER_NAME, "member");
	wire_set_uint(&r, WF_TS, ts);
	msgpack_sbuffer_init(&sb);
	out = wire_encode(WK_EV_MSG, 0, &r, &sb) == WE_OK ? oframe_new(&sb) : NULL;
	msgpack_sbuffer_destroy(&sb);
	if (out == NULL)
		return;
	for (i = 0; i < g->nsubs; i++)
		nr_push(g->subs[i], oframe_ref(out));
	oframe_unref(out);
}

static void
nr_frame(struct nr_sess *s, const unsigned char *buf, size_t len)
{
	struct wire_frame f;
	struct wire_rec r;
	int rc;

	if ((rc = wire_decode(buf, len, WIRE_DIR_C2N, &f)) != WE_OK) {
		nr_error(s, f.rid, rc, wire_err_text(rc));
		return;
	}
	switch (f.kind) {
	case WK_SUBSCRIBE:
		if (!wire_has(&f.r, WF_GROUP)) {
			nr_error(s, f.rid, WE_MISSING_FIELD, "the null relay needs a group");
			break;
		}
		if (nr_subscribe(s, f.r.f[WF_GROUP].p) != 0) {
			nr_error(s, f.rid, WE_INTERNAL, "out of memory");
			break;
		}
		wire_rec_init(&r, &wire_kinds[WK_OK]);
		nr_reply(s, WK_OK, f.rid, &r);
		break;
	case WK_SEND:
		nr_send(s, &f);
		break;
	default:
		nr_error(s, f.rid, WE_UNKNOWN_KIND, "the null relay takes subscribe and send");
		break;
	}
	wire_frame_free(&f);
}

static void
nr_receive(struct nr_sess *s, struct lws *wsi, const void *in, size_t len)
{
	unsigned char *nrx;

	if (lws_is_first_fragment(wsi)) {
		s->rxlen = 0;
		s->rx_toolong = 0;
	}
	if (!s->rx_toolong && s->rxlen + len > WIRE_MAX_IN_NODE)
		s->rx_toolong = 1;
	if (!s->rx_toolong) {
		if (s->rxlen + len > s->rxcap) {
			size_t cap = s->rxcap ? s->rxcap : NR_RX_KEEP;

			while (cap < s->rxlen + len)
				cap *= 2;
			if ((nrx = realloc(s->rx, cap)) == NULL) {
				s->rx_toolong = 1;
				goto done;
			}
			s->rx = nrx;
			s->rxcap = cap;
		}
		memcpy(s->rx + s->rxlen, in, len);
		s->rxlen += len;
	}
done:
	if (!lws_is_final_fragment(wsi) || lws_remaining_packet_payload(wsi) != 0)
		return;
	if (s->rx_toolong)
		nr_error(s, 0, WE_TOO_LARGE, "frame exceeds the size limit");
	else
		nr_frame(s, s->rx, s->rxlen);
	s->rxlen = 0;
	if (s->rxcap > NR_RX_KEEP) {
		free(s->rx);
		s->rx = NULL;
		s->rxcap = 0;
	}
}

/* The node's write path (node/edge.c edge_sess_writeable), without kicks. */
static int
nr_writeable(struct nr_sess *s, struct lws *wsi)
{
	struct nr_out *o;
	msgpack_packer pk;
	uint32_t n = 0, i;
	size_t bytes = 0;
	int rc = 0;

	if (s->rlen == 0)
		return s->closing ? -1 : 0;
	while (n < s->rlen && n < WIRE_MAX_ARRAY) {
		o = &s->ring[(s->rhead + n) % s->rcap];
		if (n > 0 && bytes + o->f->len > NR_BATCH_BYTES)
			break;
		bytes += o->f->len;
		n++;
	}
	o = &s->ring[s->rhead];
	if (n == 1) {
		if (lws_write(wsi, oframe_payload(o->f), o->f->len, LWS_WRITE_BINARY) <
		    (int)o->f->len)
			rc = -1;
	} else {
		msgpack_sbuffer_clear(&nr_batch);
		msgpack_sbuffer_write(&nr_batch, (const char *)nr_pre, LWS_PRE);
		msgpack_packer_init(&pk, &nr_batch, msgpack_sbuffer_write);
		msgpack_pack_map(&pk, 2);
		msgpack_pack_str_with_body(&pk, "t", 1);
		msgpack_pack_str_with_body(&pk, "batch", 5);
		msgpack_pack_str_with_body(&pk, "frames", 6);
		msgpack_pack_array(&pk, n);
		for (i = 0; i < n; i++) {
			o = &s->ring[(s->rhead + i) % s->rcap];
			msgpack_pack_map(&pk, 1);
			msgpack_pack_str_with_body(&pk, "frame", 5);
			msgpack_pack_bin_with_body(&pk, oframe_payload(o->f), o->f->len);
		}
		if (lws_write(wsi, (unsigned char *)nr_batch.data + LWS_PRE,
		    nr_batch.size - LWS_PRE, LWS_WRITE_BINARY) < (int)(nr_batch.size - LWS_PRE))
			rc = -1;
	}
	for (i = 0; i < n; i++) {
		o = &s->ring[s->rhead];
		s->qbytes -= o->f->len;
		oframe_unref(o->f);
		s->rhead = (s->rhead + 1) % s->rcap;
		s->rlen--;
	}
	if (rc != 0)
		return -1;
	if (s->rlen > 0 || s->closing)
		lws_callback_on_writable(wsi);
	return 0;
}

static void
nr_challenge(struct nr_sess *s)
{
	uint8_t ch[YISHI_CHALLENGE_BYTES];
	struct wire_rec r;

	randombytes_buf(ch, sizeof ch);
	wire_rec_init(&r, &wire_kinds[WK_CHALLENGE]);
	wire_set_uint(&r, WF_V, WIRE_VERSION);
	wire_set_bin(&r, WF_NODE, nr_node_pk, sizeof nr_node_pk);
	wire_set_bin(&r, WF_CHALLENGE, ch, sizeof ch);
	wire_set_str(&r, WF_NAME, "null relay");
	wire_set_str(&r, WF_AREA, "000000");
	wire_set_uint(&r, WF_MAX_TEXT, WIRE_MAX_TEXT);
	nr_reply(s, WK_CHALLENGE, 0, &r);
}

static void
nr_close(struct nr_sess *s)
{
	nr_unsubscribe(s);
	while (s->rlen > 0) {
		oframe_unref(s->ring[s->rhead].f);
		s->rhead = (s->rhead + 1) % s->rcap;
		s->rlen--;
	}
	free(s->ring);
	free(s->rx);
	s->ring = NULL;
	s->rx = NULL;
	s->live = 0;
}

static int
nr_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
    size_t len)
{
	struct nr_sess *s = user;

	switch (reason) {
	case LWS_CALLBACK_ESTABLISHED:
		memset(s, 0, sizeof *s);
		s->wsi = wsi;
		s->group = -1;
		s->live = 1;
		nr_challenge(s);
		return 0;
	case LWS_CALLBACK_RECEIVE:
		if (s != NULL && s->live)
			nr_receive(s, wsi, in, len);
		return 0;
	case LWS_CALLBACK_SERVER_WRITEABLE:
		return s != NULL && s->live ? nr_writeable(s, wsi) : 0;
	case LWS_CALLBACK_CLOSED:
		if (s != NULL && s->live)
			nr_close(s);
		return 0;
	default:
		break;
	}
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static const struct lws_protocols nr_protocols[] = {
	{ "yishi.v1", nr_callback, sizeof(struct nr_sess), 4096, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 }
};

static void
nr_on_signal(int sig)
{
	(void)sig;
	edgeloop_stop(nr_loop);		/* an ev_async: safe here */
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "max-sessions", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 }
	};
	struct lws_context_creation_info info;
	struct lws_vhost *vh;
	void *foreign[1];
	char host[64] = "127.0.0.1", *colon;
	int ch, port = 0, max_sessions = 20000, i;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'l':
			if ((colon = strrchr(optarg, ':')) == NULL ||
			    (size_t)(colon - optarg) >= sizeof host) {
				fprintf(stderr, "nullrelay: --listen HOST:PORT\n");
				return 2;
			}
			memcpy(host, optarg, (size_t)(colon - optarg));
			host[colon - optarg] = '\0';
			port = atoi(colon + 1);
			break;
		case 's':
			max_sessions = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: nullrelay [--listen HOST:PORT] [--max-sessions N]\n");
			return 2;
		}
	}
	if (sodium_init() < 0)
		return 1;
	randombytes_buf(nr_node_pk, sizeof nr_node_pk);
	msgpack_sbuffer_init(&nr_batch);
	signal(SIGPIPE, SIG_IGN);
	lws_set_log_level(LLL_ERR, NULL);
	memset(&info, 0, sizeof info);
	info.port = port;
	info.iface = host;
	info.protocols = nr_protocols;
	/* The same loop as the node's edge, so both pay the same per wakeup. */
	if ((nr_loop = edgeloop_new()) == NULL) {
		fprintf(stderr, "nullrelay: cannot create an event loop\n");
		return 1;
	}
	foreign[0] = edgeloop_foreign(nr_loop);
	info.foreign_loops = foreign;
	info.options = LWS_SERVER_OPTION_DISABLE_IPV6 | LWS_SERVER_OPTION_LIBEV;
	info.gid = -1;
	info.uid = -1;
	info.fd_limit_per_thread = (unsigned)max_sessions + 64;
	if ((nr_ctx = lws_create_context(&info)) == NULL) {
		fprintf(stderr, "nullrelay: cannot listen on %s:%d\n", host, port);
		return 1;
	}
	vh = lws_get_vhost_by_name(nr_ctx, "default");
	signal(SIGINT, nr_on_signal);
	signal(SIGTERM, nr_on_signal);
	printf("nullrelay: listening on ws://%s:%d\n", host,
	    vh != NULL ? lws_get_vhost_listen_port(vh) : port);
	fflush(stdout);
	edgeloop_run(nr_loop);
	lws_context_destroy(nr_ctx);
	edgeloop_free(nr_loop);
	for (i = 0; i < nr_ngroups; i++)
		free(nr_groups[i].subs);
	free(nr_groups);
	msgpack_sbuffer_destroy(&nr_batch);
	return 0;
}
