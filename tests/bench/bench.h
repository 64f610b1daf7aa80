/*
 * bench.h: the load generator's core, shared by its drivers.
 *
 * The load generator (loadgen.c) knows the topology (groups, members, publishers),
 * the workloads (phases), the send schedule and the bookkeeping of every delivery.
 * A driver (lg_ws.c: Yishi and the null relay over WebSocket; lg_mqtt.c: MQTT
 * through libmosquitto) knows one protocol: it connects the clients, turns a send
 * into bytes and bytes back into deliveries, and runs its own event loop one turn
 * at a time (lg_driver.poll). Drivers call back into the core:
 *   lg_delivered()  a receiver got a message (publisher, phase, sequence, send time)
 *   lg_acked()      the server acknowledged one send of a publisher
 *   lg_error()      the server refused something (counted, fails a tiny run)
 *
 * Topology (the same for every driver):
 *   groups 0..G-1 of M members each; members 0..P-1 of each group also publish;
 *   group G is the ingest group: IP publishers that do not listen, and one listening
 *   member (the reference receiver) that receives everything.
 * Receiver r = g * M + m for the workload groups, G * M for the ingest reference.
 * Publisher p = g * P + k for the workload groups, G * P + k for the ingest group.
 */
#ifndef YISHI_BENCH_H
#define YISHI_BENCH_H

#include <stddef.h>
#include <stdint.h>

#define LG_PAYLOAD		300	/* bytes of message text (MQTT: payload) */
#define LG_MAX_PUBS_GROUP	64	/* publishers in one group, ingest included */
#define LG_VERIFY_EVERY		64	/* verify / decrypt one delivery in this many */

/* What a message id carries (16 bytes, Yishi's message id; MQTT: the payload head). */
struct lg_msgid {
	uint16_t	pub;		/* global publisher index */
	uint16_t	phase;
	uint32_t	seq;		/* per publisher and phase, from 1 */
	uint64_t	t_us;		/* CLOCK_MONOTONIC send time (open loop: scheduled) */
};

void	 lg_msgid_pack(const struct lg_msgid *id, uint8_t out[16]);
void	 lg_msgid_unpack(const uint8_t in[16], struct lg_msgid *id);
/* The message text of (pub, phase, seq): LG_PAYLOAD bytes, checked after decryption. */
void	 lg_payload_text(const struct lg_msgid *id, char out[LG_PAYLOAD]);

struct lg;

struct lg_driver {
	const char	*name;
	/* Connect and prepare every client of the topology; 0 when all are ready. */
	int		(*setup)(struct lg *lg);
	/* One turn of the event loop: wait at most timeout_us for I/O, handle it. */
	void		(*poll)(struct lg *lg, int64_t timeout_us);
	/* Queue one message of publisher pub; 0, or -1 if the connection is gone. */
	int		(*send)(struct lg *lg, int pub, const struct lg_msgid *id);
	/* Open n idle, logged-in, listening clients; 0 when all are ready. */
	int		(*idle_open)(struct lg *lg, int n);
	void		(*idle_close)(struct lg *lg);
	/* Close everything. */
	void		(*teardown)(struct lg *lg);
};

extern const struct lg_driver lg_driver_ws_yishi;
extern const struct lg_driver lg_driver_ws_null;
extern const struct lg_driver lg_driver_mqtt;

struct lg_conf {
	const char	*target;	/* name in the results: yishi, null-relay, mosquitto-qos0 ... */
	const char	*host;
	int		 port;
	const char	*enroll;	/* Yishi: the node's one-time enrollment code */
	int		 qos;		/* MQTT */
	int		 groups;	/* G */
	int		 members;	/* M */
	int		 pubs;		/* P: publishers per workload group */
	int		 ingest_pubs;	/* IP */
	int		 window;	/* closed loop: messages in flight per publisher */
	double		 warmup_s, measure_s, drain_s;
	int		 idle_n;
	int		 server_pid;
	double		 max_rate;	/* messages/s for the latency phases; 0: from fanout10 */
	int		 tiny;		/* correctness run: fail on any anomaly */
};

/* Per receiver: what it expects next from each publisher of its group. */
struct lg_recv {
	int		 group;
	uint32_t	 next[LG_MAX_PUBS_GROUP];	/* by local publisher index */
	uint64_t	 count;		/* deliveries seen this phase, for sampling */
};

struct lg_pub {
	int		 group;
	int		 local;		/* index among the group's publishers */
	int		 active;
	uint32_t	 sent;		/* last seq sent */
	uint32_t	 acked;		/* acks received (acking protocols) */
	uint32_t	 ref_seq;	/* highest seq seen by the group's reference receiver */
	int64_t		 next_us;	/* open loop: next scheduled send */
	int64_t		 interval_us;
};

struct lg {
	struct lg_conf		 c;
	const struct lg_driver	*drv;
	void			*drv_state;
	int			 acks;		/* the protocol acknowledges sends */
	int			 nrecv, npub, ngroups_all;
	struct lg_recv		*recv;
	struct lg_pub		*pubs;

	/* The running phase. */
	uint16_t		 phase;
	int			 open_loop;
	int64_t			 t_start, t_measure, t_end;	/* us, CLOCK_MONOTONIC */
	uint64_t		 deliveries, in_window, lost, dup, errors, corrupt;
	uint64_t		 verified, decrypted, acked_total;
	uint32_t		*lat;		/* latencies in us of in-window deliveries */
	size_t			 nlat, caplat;
};

int64_t	 lg_now_us(void);

/* Called by drivers. */
void	 lg_delivered(struct lg *lg, int recv, const struct lg_msgid *id, int64_t now_us);
void	 lg_acked(struct lg *lg, int pub);
void	 lg_error(struct lg *lg, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Should receiver recv check this delivery's cryptography/payload? (1 in LG_VERIFY_EVERY) */
int	 lg_sample(struct lg *lg, int recv);
void	 lg_corrupt(struct lg *lg, int recv, const char *what);

/* Topology helpers. */
static inline int
lg_recv_index(const struct lg *lg, int group, int member)
{
	return group < lg->c.groups ? group * lg->c.members + member : lg->c.groups * lg->c.members;
}

static inline int
lg_pub_index(const struct lg *lg, int group, int k)
{
	return group * lg->c.pubs + k;
}

void	 lg_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	 lg_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
