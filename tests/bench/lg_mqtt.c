/*
 * lg_mqtt.c: the load generator's MQTT 3.1.1 driver, through libmosquitto.
 *
 * Every client is a libmosquitto instance driven by one epoll loop in this thread
 * (mosquitto_socket, mosquitto_loop_read / loop_write / loop_misc), not a thread per
 * client. Group g is topic "bench/g<g>", the ingest group "bench/ingest"; listeners
 * subscribe with the run's QoS, publishers publish with it. QoS 1 subscribers use
 * persistent sessions (clean session off), so what the broker holds for them is part
 * of what its persistence saves.
 *
 * A payload is LG_PAYLOAD bytes: the 16-byte bench message id (bench.h), then the
 * start of the message text, which a sample of deliveries compares.
 * QoS 1: a send leaves the publisher's window when its PUBACK arrived (on_publish)
 * and the reference receiver has it; QoS 0 has no acknowledgement, so only the
 * reference receiver paces it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <mosquitto.h>

#include "tests/bench/bench.h"

#define MQ_CONNECTING_MAX	64
#define MQ_SETUP_TIMEOUT_US	(120 * 1000000LL)
#define MQ_KEEPALIVE		60

enum mq_state { MQ_NEW, MQ_CONNECTING, MQ_SUBSCRIBING, MQ_READY, MQ_DEAD };

struct mq_conn {
	struct mosquitto	*m;
	struct mq_drv		*d;
	int			 idx;
	int			 group;
	int			 recv;		/* -1: does not listen */
	int			 pub;		/* -1: does not publish */
	int			 idle;
	enum mq_state		 state;
	int			 fd;
	uint32_t		 ev;		/* epoll events registered */
};

struct mq_drv {
	struct lg		*lg;
	int			 ep;
	struct mq_conn		**conns;
	int			 nconns, capconns;
	struct mq_conn		**bypub;
	int			 next_open, connecting, nready, first_idle, fatal;
	int64_t			 last_misc;
};

static void
mq_topic(const struct lg *lg, int group, char *out, size_t len)
{
	if (group < lg->c.groups)
		snprintf(out, len, "bench/g%d", group);
	else
		snprintf(out, len, "bench/ingest");
}

static void
mq_dead(struct mq_conn *c, const char *why)
{
	struct mq_drv *d = c->d;

	if (c->state == MQ_DEAD)
		return;
	if (c->state == MQ_CONNECTING || c->state == MQ_SUBSCRIBING)
		d->connecting--;
	if (c->state == MQ_READY)
		d->nready--;
	c->state = MQ_DEAD;
	if (c->fd >= 0)
		epoll_ctl(d->ep, EPOLL_CTL_DEL, c->fd, NULL);
	c->fd = -1;
	if (!c->idle) {
		lg_log("mqtt client %d (group %d) lost: %s", c->idx, c->group, why);
		d->fatal = 1;
	}
}

static void
mq_ready(struct mq_conn *c)
{
	c->state = MQ_READY;
	c->d->connecting--;
	c->d->nready++;
}

/* Keep the epoll registration in step with what libmosquitto wants. */
static void
mq_arm(struct mq_conn *c)
{
	struct epoll_event ev;
	uint32_t want;

	if (c->state == MQ_DEAD || c->fd < 0)
		return;
	want = EPOLLIN | (mosquitto_want_write(c->m) ? EPOLLOUT : 0);
	if (want == c->ev)
		return;
	memset(&ev, 0, sizeof ev);
	ev.events = want;
	ev.data.ptr = c;
	if (epoll_ctl(c->d->ep, c->ev == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, c->fd, &ev) != 0)
		mq_dead(c, strerror(errno));
	c->ev = want;
}

static void
mq_on_connect(struct mosquitto *m, void *obj, int rc)
{
	struct mq_conn *c = obj;
	char topic[32];

	if (rc != 0) {
		mq_dead(c, mosquitto_connack_string(rc));
		return;
	}
	if (c->recv < 0) {
		mq_ready(c);
		return;
	}
	mq_topic(c->d->lg, c->group, topic, sizeof topic);
	c->state = MQ_SUBSCRIBING;
	if (mosquitto_subscribe(m, NULL, topic, c->d->lg->c.qos) != MOSQ_ERR_SUCCESS)
		mq_dead(c, "subscribe failed");
}

static void
mq_on_subscribe(struct mosquitto *m, void *obj, int mid, int n, const int *granted)
{
	struct mq_conn *c = obj;

	(void)m;
	(void)mid;
	if (n != 1 || granted[0] != c->d->lg->c.qos) {
		mq_dead(c, "subscription refused or downgraded");
		return;
	}
	if (c->state == MQ_SUBSCRIBING)
		mq_ready(c);
}

static void
mq_on_message(struct mosquitto *m, void *obj, const struct mosquitto_message *msg)
{
	struct mq_conn *c = obj;
	struct lg *lg = c->d->lg;
	struct lg_msgid id;
	char want[LG_PAYLOAD];

	(void)m;
	if (c->recv < 0 || c->idle)
		return;
	if (msg->payloadlen != LG_PAYLOAD) {
		lg_corrupt(lg, c->recv, "a payload of the wrong size");
		return;
	}
	lg_msgid_unpack(msg->payload, &id);
	lg_delivered(lg, c->recv, &id, lg_now_us());
	if (!lg_sample(lg, c->recv))
		return;
	lg_payload_text(&id, want);
	if (memcmp((const char *)msg->payload + 16, want, LG_PAYLOAD - 16) != 0) {
		lg_corrupt(lg, c->recv, "a payload differs from what was sent");
		return;
	}
	lg->decrypted++;
}

static void
mq_on_publish(struct mosquitto *m, void *obj, int mid)
{
	struct mq_conn *c = obj;

	(void)m;
	(void)mid;
	/* QoS 1: the PUBACK arrived. QoS 0: only written out, which acknowledges nothing. */
	if (c->d->lg->c.qos > 0)
		lg_acked(c->d->lg, c->pub);
}

static void
mq_on_disconnect(struct mosquitto *m, void *obj, int rc)
{
	struct mq_conn *c = obj;

	(void)m;
	mq_dead(c, rc == 0 ? "disconnected" : mosquitto_strerror(rc));
}

static struct mq_conn *
mq_add(struct mq_drv *d, int group, int recv, int pub, int idle)
{
	struct mq_conn *c, **nc;
	char cid[32];

	if (d->nconns == d->capconns) {
		int cap = d->capconns ? d->capconns * 2 : 1024;

		if ((nc = realloc(d->conns, (size_t)cap * sizeof *nc)) == NULL)
			lg_fatal("out of memory");
		d->conns = nc;
		d->capconns = cap;
	}
	if ((c = calloc(1, sizeof *c)) == NULL)
		lg_fatal("out of memory");
	c->d = d;
	c->idx = d->nconns;
	c->group = group;
	c->recv = recv;
	c->pub = pub;
	c->idle = idle;
	c->fd = -1;
	snprintf(cid, sizeof cid, "lg-%d-%d", (int)getpid(), c->idx);
	/* QoS 1 listeners keep a persistent session, so the broker's persistence covers them. */
	c->m = mosquitto_new(cid, !(d->lg->c.qos > 0 && recv >= 0 && !idle), c);
	if (c->m == NULL)
		lg_fatal("mosquitto_new: %s", strerror(errno));
	mosquitto_int_option(c->m, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
	mosquitto_int_option(c->m, MOSQ_OPT_TCP_NODELAY, 1);
	/* The window bounds what is in flight; the library must not hold sends back. */
	mosquitto_max_inflight_messages_set(c->m, 0);
	mosquitto_connect_callback_set(c->m, mq_on_connect);
	mosquitto_subscribe_callback_set(c->m, mq_on_subscribe);
	mosquitto_message_callback_set(c->m, mq_on_message);
	mosquitto_publish_callback_set(c->m, mq_on_publish);
	mosquitto_disconnect_callback_set(c->m, mq_on_disconnect);
	d->conns[d->nconns++] = c;
	return c;
}

static void
mq_open_more(struct mq_drv *d)
{
	struct mq_conn *c;
	int rc;

	while (d->next_open < d->nconns && d->connecting < MQ_CONNECTING_MAX) {
		c = d->conns[d->next_open++];
		c->state = MQ_CONNECTING;
		d->connecting++;
		rc = mosquitto_connect(c->m, d->lg->c.host, d->lg->c.port, MQ_KEEPALIVE);
		if (rc != MOSQ_ERR_SUCCESS) {
			mq_dead(c, rc == MOSQ_ERR_ERRNO ? strerror(errno) : mosquitto_strerror(rc));
			continue;
		}
		c->fd = mosquitto_socket(c->m);
		mq_arm(c);
	}
}

static void
mq_poll(struct lg *lg, int64_t timeout_us)
{
	struct mq_drv *d = lg->drv_state;
	struct epoll_event evs[256];
	struct mq_conn *c;
	int n, i, rc, ms = (int)((timeout_us + 999) / 1000);
	int64_t now;

	n = epoll_wait(d->ep, evs, 256, ms);
	for (i = 0; i < n; i++) {
		c = evs[i].data.ptr;
		if (c->state == MQ_DEAD)
			continue;
		if (evs[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
			rc = mosquitto_loop_read(c->m, 1);
			if (rc != MOSQ_ERR_SUCCESS) {
				mq_dead(c, rc == MOSQ_ERR_ERRNO ? strerror(errno) :
				    mosquitto_strerror(rc));
				continue;
			}
		}
		if (c->state != MQ_DEAD && (evs[i].events & EPOLLOUT)) {
			rc = mosquitto_loop_write(c->m, 1);
			if (rc != MOSQ_ERR_SUCCESS) {
				mq_dead(c, mosquitto_strerror(rc));
				continue;
			}
		}
		mq_arm(c);
	}
	now = lg_now_us();
	if (now - d->last_misc > 1000000) {
		d->last_misc = now;
		for (i = 0; i < d->nconns; i++)
			if (d->conns[i]->state != MQ_DEAD) {
				mosquitto_loop_misc(d->conns[i]->m);
				mq_arm(d->conns[i]);
			}
	}
	mq_open_more(d);
}

static int
mq_wait_ready(struct mq_drv *d, int want)
{
	int64_t deadline = lg_now_us() + MQ_SETUP_TIMEOUT_US;

	while (d->nready < want && !d->fatal) {
		if (lg_now_us() > deadline) {
			lg_log("setup: %d of %d mqtt clients ready", d->nready, want);
			return -1;
		}
		mq_poll(d->lg, 50000);
	}
	return d->fatal ? -1 : 0;
}

static int
mq_setup(struct lg *lg)
{
	struct mq_drv *d;
	struct mq_conn *c;
	int g, m, k, nmem;

	if ((d = calloc(1, sizeof *d)) == NULL)
		lg_fatal("out of memory");
	lg->drv_state = d;
	lg->acks = lg->c.qos > 0;
	d->lg = lg;
	mosquitto_lib_init();
	if ((d->ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		lg_fatal("epoll_create1: %s", strerror(errno));
	if ((d->bypub = calloc((size_t)lg->npub, sizeof *d->bypub)) == NULL)
		lg_fatal("out of memory");
	for (g = 0; g <= lg->c.groups; g++) {
		nmem = g < lg->c.groups ? lg->c.members : 1;
		for (m = 0; m < nmem; m++) {
			c = mq_add(d, g, lg_recv_index(lg, g, m),
			    g < lg->c.groups && m < lg->c.pubs ? lg_pub_index(lg, g, m) : -1, 0);
			if (c->pub >= 0)
				d->bypub[c->pub] = c;
		}
		if (g == lg->c.groups)
			for (k = 0; k < lg->c.ingest_pubs; k++) {
				c = mq_add(d, g, -1, lg_pub_index(lg, g, k), 0);
				d->bypub[c->pub] = c;
			}
	}
	d->first_idle = d->nconns;
	mq_open_more(d);
	return mq_wait_ready(d, d->nconns);
}

static int
mq_send(struct lg *lg, int pub, const struct lg_msgid *id)
{
	struct mq_drv *d = lg->drv_state;
	struct mq_conn *c = d->bypub[pub];
	uint8_t payload[LG_PAYLOAD];
	char text[LG_PAYLOAD], topic[32];
	int rc;

	if (c == NULL || c->state != MQ_READY)
		return -1;
	lg_msgid_pack(id, payload);
	lg_payload_text(id, text);
	memcpy(payload + 16, text, LG_PAYLOAD - 16);
	mq_topic(lg, c->group, topic, sizeof topic);
	rc = mosquitto_publish(c->m, NULL, topic, LG_PAYLOAD, payload, lg->c.qos, false);
	if (rc != MOSQ_ERR_SUCCESS) {
		lg_error(lg, "publish: %s", mosquitto_strerror(rc));
		return -1;
	}
	mq_arm(c);
	return 0;
}

static int
mq_idle_open(struct lg *lg, int n)
{
	struct mq_drv *d = lg->drv_state;
	int i, want = d->nready + n;

	for (i = 0; i < n; i++)
		(void)mq_add(d, i % lg->c.groups, lg_recv_index(lg, i % lg->c.groups, 0), -1, 1);
	mq_open_more(d);
	return mq_wait_ready(d, want);
}

static void
mq_idle_close(struct lg *lg)
{
	struct mq_drv *d = lg->drv_state;
	struct mq_conn *c;
	int i;

	for (i = d->first_idle; i < d->nconns; i++) {
		c = d->conns[i];
		if (c->state != MQ_DEAD) {
			mosquitto_disconnect(c->m);
			mq_dead(c, "closed");
		}
		mosquitto_destroy(c->m);
		free(c);
	}
	d->nconns = d->next_open = d->first_idle;
}

static void
mq_teardown(struct lg *lg)
{
	struct mq_drv *d = lg->drv_state;
	int i;

	if (d == NULL)
		return;
	for (i = 0; i < d->nconns; i++) {
		d->conns[i]->idle = 1;		/* closing is not a failure now */
		if (d->conns[i]->state != MQ_DEAD)
			mosquitto_disconnect(d->conns[i]->m);
		mosquitto_destroy(d->conns[i]->m);
		free(d->conns[i]);
	}
	free(d->conns);
	free(d->bypub);
	close(d->ep);
	free(d);
	lg->drv_state = NULL;
	mosquitto_lib_cleanup();
}

const struct lg_driver lg_driver_mqtt = {
	"mqtt", mq_setup, mq_poll, mq_send, mq_idle_open, mq_idle_close, mq_teardown,
};
