/*
 * loadgen.c: the benchmark load generator.
 *
 *     loadgen --driver yishi|null|mqtt --target NAME --port PORT [options]
 *
 * Sets up the topology of bench.h through one driver, then runs each phase (a
 * workload) and prints one JSON record per phase on stdout. Progress goes to stderr.
 *
 * Phases (--phases, comma-separated, in this order by default):
 *   idle        resident memory per idle client: the server's VmRSS before and after
 *               --idle N more logged-in, listening clients, divided by N
 *   fanout1     group 0, 1 publisher, closed loop
 *   fanout10    group 0, P publishers, closed loop (its message rate is the maximum
 *               the latency phases take percentages of)
 *   groups      every workload group, 1 publisher each, closed loop
 *   ingest      the ingest group: IP publishers, 1 receiver, closed loop
 *   lat10, lat50, lat80
 *               group 0, P publishers, open loop at 10/50/80 % of the maximum rate
 *
 * Closed loop: a publisher keeps at most --window messages in flight; one leaves the
 * window when the server acknowledged it (Yishi, MQTT QoS 1, null relay) AND the
 * group's reference receiver (its last member; the ingest group's only receiver)
 * has it. Waiting for the reference receiver keeps every system's queues bounded,
 * so a fast acknowledgement cannot hide a growing backlog.
 * Open loop: each publisher sends on a fixed schedule whatever happens; latency is
 * measured from the scheduled time, so a stalled server cannot hide its stall
 * (no coordinated omission).
 *
 * Accounting: every receiver checks, per publisher, that sequence numbers arrive
 * strictly increasing by one. A jump counts the skipped messages as lost (the
 * delivery itself still counts); an earlier or repeated number counts as duplicated
 * and is not counted; what never arrives by the end of the drain counts as lost.
 * Rates count only deliveries of messages sent in the measurement window (after the
 * warm-up), whenever they arrive before the drain deadline; latency percentiles are
 * over exactly those deliveries.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "proto/crypto.h"
#include "tests/bench/bench.h"

#define LG_PHASE_NAMES	"idle,fanout1,fanout10,groups,ingest,lat10,lat50,lat80"

int64_t
lg_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void
lg_log(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "loadgen: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void
lg_fatal(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "loadgen: fatal: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* ---- message ids and payloads ------------------------------------------------ */

static void
lg_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
lg_be32(uint8_t *p, uint32_t v)
{
	lg_be16(p, (uint16_t)(v >> 16));
	lg_be16(p + 2, (uint16_t)v);
}

static void
lg_be64(uint8_t *p, uint64_t v)
{
	lg_be32(p, (uint32_t)(v >> 32));
	lg_be32(p + 4, (uint32_t)v);
}

static uint32_t
lg_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

void
lg_msgid_pack(const struct lg_msgid *id, uint8_t out[16])
{
	lg_be16(out, id->pub);
	lg_be16(out + 2, id->phase);
	lg_be32(out + 4, id->seq);
	lg_be64(out + 8, id->t_us);
}

void
lg_msgid_unpack(const uint8_t in[16], struct lg_msgid *id)
{
	id->pub = (uint16_t)(in[0] << 8 | in[1]);
	id->phase = (uint16_t)(in[2] << 8 | in[3]);
	id->seq = lg_get32(in + 4);
	id->t_us = (uint64_t)lg_get32(in + 8) << 32 | lg_get32(in + 12);
}

void
lg_payload_text(const struct lg_msgid *id, char out[LG_PAYLOAD])
{
	int n;

	n = snprintf(out, LG_PAYLOAD, "bench message from publisher %u, phase %u, number %u: ",
	    id->pub, id->phase, id->seq);
	if (n < 0)
		n = 0;
	for (; n < LG_PAYLOAD; n++)
		out[n] = (char)('a' + (n + id->seq) % 26);
}

/* ---- accounting -------------------------------------------------------------- */

void
lg_error(struct lg *lg, const char *fmt, ...)
{
	va_list ap;

	if (lg->errors++ < 10) {
		fprintf(stderr, "loadgen: server error: ");
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
}

void
lg_corrupt(struct lg *lg, int recv, const char *what)
{
	if (lg->corrupt++ < 10)
		lg_log("receiver %d: %s", recv, what);
}

int
lg_sample(struct lg *lg, int recv)
{
	return lg->recv[recv].count % LG_VERIFY_EVERY == 1;
}

static int
lg_ref_recv(const struct lg *lg, int group)
{
	return group < lg->c.groups ? group * lg->c.members + lg->c.members - 1 :
	    lg->c.groups * lg->c.members;
}

void
lg_delivered(struct lg *lg, int r, const struct lg_msgid *id, int64_t now)
{
	struct lg_recv *rv;
	struct lg_pub *p;
	uint32_t e;

	if (r < 0 || r >= lg->nrecv || id->pub >= lg->npub) {
		lg_corrupt(lg, r, "a delivery names no known publisher");
		return;
	}
	rv = &lg->recv[r];
	p = &lg->pubs[id->pub];
	rv->count++;
	if (p->group != rv->group) {
		lg_corrupt(lg, r, "a delivery from a publisher of another group");
		return;
	}
	if (id->phase != lg->phase) {
		/* Already reported lost when its phase ended. */
		lg->dup++;
		return;
	}
	e = rv->next[p->local];
	if (id->seq < e || id->seq > p->sent) {
		lg->dup++;
		return;
	}
	if (id->seq > e)
		lg->lost += id->seq - e;
	rv->next[p->local] = id->seq + 1;
	lg->deliveries++;
	if (r == lg_ref_recv(lg, p->group))
		p->ref_seq = id->seq;
	if ((int64_t)id->t_us >= lg->t_measure && (int64_t)id->t_us < lg->t_end) {
		lg->in_window++;
		if (lg->nlat == lg->caplat) {
			size_t cap = lg->caplat ? lg->caplat * 2 : 1 << 16;
			uint32_t *nl = realloc(lg->lat, cap * sizeof *nl);

			if (nl == NULL)
				lg_fatal("out of memory for latencies");
			lg->lat = nl;
			lg->caplat = cap;
		}
		lg->lat[lg->nlat++] = (uint32_t)(now > (int64_t)id->t_us ? now - (int64_t)id->t_us : 0);
	}
}

void
lg_acked(struct lg *lg, int pub)
{
	if (pub >= 0 && pub < lg->npub) {
		lg->pubs[pub].acked++;
		lg->acked_total++;
	}
}

/* ---- server and self measurements ------------------------------------------ */

/* The server's VmRSS (or RssAnon) in KiB; -1 if unknown. */
static long
lg_server_kib(const struct lg *lg, const char *field)
{
	char path[64], line[256];
	size_t fl = strlen(field);
	long v = -1;
	FILE *fp;

	if (lg->c.server_pid <= 0)
		return -1;
	snprintf(path, sizeof path, "/proc/%d/status", lg->c.server_pid);
	if ((fp = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof line, fp) != NULL)
		if (strncmp(line, field, fl) == 0 && line[fl] == ':') {
			v = strtol(line + fl + 1, NULL, 10);
			break;
		}
	fclose(fp);
	return v;
}

/* CPU seconds the server has used (user + system); -1 if unknown. */
static double
lg_server_cpu(const struct lg *lg)
{
	char path[64], buf[1024], *p;
	unsigned long ut, st;
	FILE *fp;
	size_t n;

	if (lg->c.server_pid <= 0)
		return -1;
	snprintf(path, sizeof path, "/proc/%d/stat", lg->c.server_pid);
	if ((fp = fopen(path, "r")) == NULL)
		return -1;
	n = fread(buf, 1, sizeof buf - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	/* Fields after the command name, which may hold spaces: state is field 3. */
	if ((p = strrchr(buf, ')')) == NULL ||
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
		return -1;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static double
lg_self_cpu(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static int
lg_u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static double
lg_pct_ms(const struct lg *lg, double q)
{
	size_t i;

	if (lg->nlat == 0)
		return -1;
	i = (size_t)(q * (double)lg->nlat);
	if (i >= lg->nlat)
		i = lg->nlat - 1;
	return lg->lat[i] / 1000.0;
}

/* ---- phases ------------------------------------------------------------------ */

enum lg_kind { PH_IDLE, PH_FANOUT1, PH_FANOUT, PH_GROUPS, PH_INGEST, PH_LAT };

struct lg_phase {
	const char	*key;		/* --phases name */
	enum lg_kind	 kind;
	int		 pct;		/* PH_LAT */
};

static const struct lg_phase lg_phases[] = {
	{ "idle", PH_IDLE, 0 },
	{ "fanout1", PH_FANOUT1, 0 },
	{ "fanout10", PH_FANOUT, 0 },
	{ "groups", PH_GROUPS, 0 },
	{ "ingest", PH_INGEST, 0 },
	{ "lat10", PH_LAT, 10 },
	{ "lat50", PH_LAT, 50 },
	{ "lat80", PH_LAT, 80 },
};

static volatile sig_atomic_t lg_stop;

static void
lg_on_signal(int sig)
{
	(void)sig;
	lg_stop = 1;
}

static void
lg_workload_name(const struct lg *lg, const struct lg_phase *ph, char *out, size_t len)
{
	switch (ph->kind) {
	case PH_IDLE:
		snprintf(out, len, "idle-memory");
		break;
	case PH_FANOUT1:
		snprintf(out, len, "fanout-%dx1pub", lg->c.members);
		break;
	case PH_FANOUT:
		snprintf(out, len, "fanout-%dx%dpub", lg->c.members, lg->c.pubs);
		break;
	case PH_GROUPS:
		snprintf(out, len, "groups-%dx%d", lg->c.groups, lg->c.members);
		break;
	case PH_INGEST:
		snprintf(out, len, "ingest-%dpub", lg->c.ingest_pubs);
		break;
	case PH_LAT:
		snprintf(out, len, "latency-%dpct", ph->pct);
		break;
	}
}

/* Run the driver's loop until `done` or the deadline; returns 1 if done. */
static int
lg_wait(struct lg *lg, int (*done)(struct lg *), int64_t deadline)
{
	int64_t now;

	while ((now = lg_now_us()) < deadline && !lg_stop) {
		if (done != NULL && done(lg))
			return 1;
		lg->drv->poll(lg, deadline - now < 2000 ? deadline - now : 2000);
	}
	return done != NULL && done(lg);
}

static int
lg_drained(struct lg *lg)
{
	int r, k, i;

	for (i = 0; i < lg->npub; i++) {
		struct lg_pub *p = &lg->pubs[i];

		if (!p->active)
			continue;
		if (lg->acks && p->acked < p->sent)
			return 0;
		for (r = 0; r < lg->nrecv; r++) {
			if (lg->recv[r].group != p->group)
				continue;
			k = p->local;
			if (lg->recv[r].next[k] <= p->sent)
				return 0;
		}
	}
	return 1;
}

static void
lg_phase_reset(struct lg *lg)
{
	int r, i;

	lg->phase++;
	for (r = 0; r < lg->nrecv; r++) {
		for (i = 0; i < LG_MAX_PUBS_GROUP; i++)
			lg->recv[r].next[i] = 1;
		lg->recv[r].count = 0;	/* each phase checks each receiver's first delivery */
	}
	for (i = 0; i < lg->npub; i++) {
		lg->pubs[i].active = 0;
		lg->pubs[i].sent = lg->pubs[i].acked = lg->pubs[i].ref_seq = 0;
	}
	lg->deliveries = lg->in_window = lg->lost = lg->dup = lg->errors = lg->corrupt = 0;
	lg->verified = lg->decrypted = lg->acked_total = 0;
	lg->nlat = 0;
}

static int
lg_send_one(struct lg *lg, int i, uint64_t t_us)
{
	struct lg_pub *p = &lg->pubs[i];
	struct lg_msgid id;

	id.pub = (uint16_t)i;
	id.phase = lg->phase;
	id.seq = p->sent + 1;
	id.t_us = t_us;
	if (lg->drv->send(lg, i, &id) != 0)
		return -1;
	p->sent++;
	return 0;
}

/* Send what the schedule or the windows allow now. */
static void
lg_pump(struct lg *lg, int64_t now)
{
	struct lg_pub *p;
	uint32_t done;
	int i;

	for (i = 0; i < lg->npub; i++) {
		p = &lg->pubs[i];
		if (!p->active)
			continue;
		if (lg->open_loop) {
			while (p->next_us <= now) {
				if (lg_send_one(lg, i, (uint64_t)p->next_us) != 0)
					break;
				p->next_us += p->interval_us;
			}
			continue;
		}
		for (;;) {
			done = p->ref_seq;
			if (lg->acks && p->acked < done)
				done = p->acked;
			if (p->sent - done >= (uint32_t)lg->c.window)
				break;
			if (lg_send_one(lg, i, (uint64_t)lg_now_us()) != 0)
				break;
		}
	}
}

struct lg_result {
	char		workload[64];
	double		deliveries_per_s, messages_per_s;
	double		p50, p99, p999;
	double		server_cpu, self_cpu;
	double		kib_per_client;
	int		receivers, publishers;
	double		rate;
	double		stall_ms;	/* longest turn of the load generator's loop */
};

static void
lg_print(struct lg *lg, const struct lg_phase *ph, const struct lg_result *res)
{
	char num[8][32];
	double v[8] = { res->deliveries_per_s, res->messages_per_s, res->p50, res->p99, res->p999,
	    res->kib_per_client, res->server_cpu, res->self_cpu };
	int i;

	for (i = 0; i < 8; i++) {
		if (v[i] < 0)
			snprintf(num[i], sizeof num[i], "null");
		else
			snprintf(num[i], sizeof num[i], "%.3f", v[i]);
	}
	printf("{\"workload\":\"%s\",\"target\":\"%s\",\"deliveries_per_s\":%s,"
	    "\"messages_per_s\":%s,\"p50_ms\":%s,\"p99_ms\":%s,\"p999_ms\":%s,"
	    "\"lost\":%llu,\"duplicated\":%llu,\"errors\":%llu,\"corrupt\":%llu,"
	    "\"verified\":%llu,\"payloads_checked\":%llu,\"kib_per_client\":%s,"
	    "\"mode\":\"%s\",\"receivers\":%d,\"publishers\":%d,\"offered_rate\":%.1f,"
	    "\"server_cpu_pct\":%s,\"loadgen_cpu_pct\":%s,\"loadgen_stall_ms\":%.1f,"
	    "\"seconds\":%.1f}\n",
	    res->workload, lg->c.target, num[0], num[1], num[2], num[3], num[4],
	    (unsigned long long)lg->lost, (unsigned long long)lg->dup,
	    (unsigned long long)lg->errors, (unsigned long long)lg->corrupt,
	    (unsigned long long)lg->verified, (unsigned long long)lg->decrypted, num[5],
	    ph->kind == PH_IDLE ? "idle" : lg->open_loop ? "open" : "closed",
	    res->receivers, res->publishers, res->rate, num[6], num[7], res->stall_ms,
	    lg->c.measure_s);
	fflush(stdout);
}

static int
lg_run_idle(struct lg *lg, const struct lg_phase *ph, struct lg_result *res)
{
	long before, after, abefore, aafter;
	int64_t deadline;

	lg_phase_reset(lg);
	lg->open_loop = 0;
	lg->drv->poll(lg, 100000);
	before = lg_server_kib(lg, "VmRSS");
	abefore = lg_server_kib(lg, "RssAnon");
	if (lg->drv->idle_open(lg, lg->c.idle_n) != 0) {
		lg_log("%s: could not open %d idle clients", lg->c.target, lg->c.idle_n);
		return -1;
	}
	deadline = lg_now_us() + 1000000;
	lg_wait(lg, NULL, deadline);
	after = lg_server_kib(lg, "VmRSS");
	aafter = lg_server_kib(lg, "RssAnon");
	lg->drv->idle_close(lg);
	lg_wait(lg, NULL, lg_now_us() + 300000);
	res->kib_per_client = before >= 0 && after >= 0 ?
	    (double)(after - before) / lg->c.idle_n : -1;
	res->deliveries_per_s = res->messages_per_s = res->p50 = res->p99 = res->p999 = -1;
	res->receivers = lg->c.idle_n;
	res->server_cpu = res->self_cpu = -1;
	lg_log("%s: idle: VmRSS %ld -> %ld KiB, RssAnon %ld -> %ld KiB for %d clients: "
	    "%.1f KiB each", lg->c.target, before, after, abefore, aafter, lg->c.idle_n,
	    res->kib_per_client);
	(void)ph;
	return 0;
}

static int
lg_run_traffic(struct lg *lg, const struct lg_phase *ph, struct lg_result *res)
{
	int g, k, i, npub = 0, nrecv = 0;
	double cpu0 = 0, cpu1, scpu0 = -1, scpu1, rate = 0;
	int64_t now, drain_deadline, last, stall = 0;
	int measuring = 0, drained;

	lg_phase_reset(lg);
	lg->open_loop = ph->kind == PH_LAT;
	/* Which publishers: group 0 (P or 1), every group (1 each), or the ingest group. */
	for (g = 0; g <= lg->c.groups; g++) {
		int nk = 0;

		switch (ph->kind) {
		case PH_FANOUT1:
			nk = g == 0 ? 1 : 0;
			break;
		case PH_FANOUT:
		case PH_LAT:
			nk = g == 0 ? lg->c.pubs : 0;
			break;
		case PH_GROUPS:
			nk = g < lg->c.groups ? 1 : 0;
			break;
		case PH_INGEST:
			nk = g == lg->c.groups ? lg->c.ingest_pubs : 0;
			break;
		case PH_IDLE:
			break;
		}
		for (k = 0; k < nk; k++) {
			lg->pubs[lg_pub_index(lg, g, k)].active = 1;
			npub++;
		}
		if (nk > 0)
			nrecv += g < lg->c.groups ? lg->c.members : 1;
	}
	lg->t_start = lg_now_us();
	lg->t_measure = lg->t_start + (int64_t)(lg->c.warmup_s * 1e6);
	lg->t_end = lg->t_measure + (int64_t)(lg->c.measure_s * 1e6);
	if (lg->open_loop) {
		rate = lg->c.max_rate * ph->pct / 100.0;
		if (rate <= 0) {
			lg_log("%s: no maximum rate known for %s (run fanout10 first or give "
			    "--max-rate)", lg->c.target, ph->key);
			return -1;
		}
		for (i = 0, k = 0; i < lg->npub; i++) {
			struct lg_pub *p = &lg->pubs[i];

			if (!p->active)
				continue;
			p->interval_us = (int64_t)(1e6 * npub / rate);
			if (p->interval_us < 1)
				p->interval_us = 1;
			p->next_us = lg->t_start + p->interval_us * k / npub;
			k++;
		}
	}
	last = lg->t_start;
	for (;;) {
		/* Measured before the end test: a last turn that overruns the end counts. */
		now = lg_now_us();
		if (now - last > stall)
			stall = now - last;
		last = now;
		if (now >= lg->t_end || lg_stop)
			break;
		if (!measuring && now >= lg->t_measure) {
			measuring = 1;
			cpu0 = lg_self_cpu();
			scpu0 = lg_server_cpu(lg);
		}
		lg_pump(lg, now);
		lg->drv->poll(lg, lg->open_loop ? 500 : 2000);
	}
	/* A stalled loop still sends what the schedule held, late: the latency shows it. */
	if (lg->open_loop)
		lg_pump(lg, lg->t_end - 1);
	if (stall > 100000)
		lg_log("%s: %s: the load generator's loop stalled for %.0f ms", lg->c.target,
		    ph->key, stall / 1000.0);
	res->stall_ms = stall / 1000.0;
	cpu1 = lg_self_cpu();
	scpu1 = lg_server_cpu(lg);
	for (i = 0; i < lg->npub; i++)
		if (lg->pubs[i].active && lg->pubs[i].next_us > lg->t_end)
			lg->pubs[i].next_us = INT64_MAX;
	drain_deadline = lg_now_us() + (int64_t)(lg->c.drain_s * 1e6);
	drained = lg_wait(lg, lg_drained, drain_deadline);
	if (!drained)
		lg_log("%s: %s: not everything arrived within %.0f s of the end", lg->c.target,
		    ph->key, lg->c.drain_s);
	/* What never arrived is lost. */
	for (i = 0; i < lg->npub; i++) {
		struct lg_pub *p = &lg->pubs[i];
		int r;

		if (!p->active)
			continue;
		for (r = 0; r < lg->nrecv; r++)
			if (lg->recv[r].group == p->group && lg->recv[r].next[p->local] <= p->sent)
				lg->lost += p->sent - (lg->recv[r].next[p->local] - 1);
		if (lg->acks && p->acked < p->sent)
			lg_log("%s: publisher %d: %u of %u sends not acknowledged", lg->c.target, i,
			    p->sent - p->acked, p->sent);
	}
	qsort(lg->lat, lg->nlat, sizeof *lg->lat, lg_u32_cmp);
	res->deliveries_per_s = lg->in_window / lg->c.measure_s;
	/* Each message reaches every member of its group (the ingest group: one). */
	res->messages_per_s = res->deliveries_per_s /
	    (ph->kind == PH_INGEST ? 1 : lg->c.members);
	res->p50 = lg_pct_ms(lg, 0.50);
	res->p99 = lg_pct_ms(lg, 0.99);
	res->p999 = lg_pct_ms(lg, 0.999);
	/*
	 * The open-loop scheduler polls with sub-millisecond timeouts (busy), so its CPU
	 * share says nothing about how loaded it is; only closed-loop shares are reported.
	 */
	res->self_cpu = measuring && !lg->open_loop ?
	    100.0 * (cpu1 - cpu0) / lg->c.measure_s : -1;
	res->server_cpu = scpu0 >= 0 && scpu1 >= 0 ? 100.0 * (scpu1 - scpu0) / lg->c.measure_s : -1;
	res->kib_per_client = -1;
	res->receivers = nrecv;
	res->publishers = npub;
	res->rate = rate;
	if (ph->kind == PH_FANOUT && lg->c.max_rate <= 0)
		lg->c.max_rate = res->messages_per_s;
	lg_log("%s: %s: %.0f deliveries/s (%.0f msg/s), p50 %.2f p99 %.2f p99.9 %.2f ms, "
	    "lost %llu dup %llu err %llu corrupt %llu verified %llu checked %llu, cpu server "
	    "%.0f%% loadgen %.0f%%", lg->c.target, res->workload, res->deliveries_per_s,
	    res->messages_per_s, res->p50, res->p99, res->p999, (unsigned long long)lg->lost,
	    (unsigned long long)lg->dup, (unsigned long long)lg->errors,
	    (unsigned long long)lg->corrupt, (unsigned long long)lg->verified,
	    (unsigned long long)lg->decrypted, res->server_cpu, res->self_cpu);
	return 0;
}

static void
lg_usage(void)
{
	fprintf(stderr,
	    "usage: loadgen --driver yishi|null|mqtt --target NAME --port PORT [options]\n"
	    "  --host H          server address (127.0.0.1)\n"
	    "  --enroll CODE     yishi: the node's enrollment code\n"
	    "  --qos 0|1         mqtt: quality of service of publishes and subscriptions\n"
	    "  --groups G --members M --pubs P --ingest-pubs IP   topology (10, 400, 10, 40)\n"
	    "  --window W        closed loop: messages in flight per publisher (32)\n"
	    "  --warmup S --seconds S --drain S   phase timing (1, 5, 10)\n"
	    "  --idle N          idle clients for the memory phase (2000)\n"
	    "  --server-pid PID  read the server's memory and CPU time from /proc\n"
	    "  --max-rate R      messages/s the latency phases take percentages of\n"
	    "  --phases LIST     (" LG_PHASE_NAMES ")\n"
	    "  --tiny            correctness run: exit 1 on any loss, duplicate, error,\n"
	    "                    failed check, or a phase that delivered nothing\n");
	exit(2);
}

static void
lg_topology(struct lg *lg)
{
	int g, k, m;

	if (lg->c.pubs > lg->c.members || lg->c.pubs > LG_MAX_PUBS_GROUP ||
	    lg->c.ingest_pubs > LG_MAX_PUBS_GROUP || lg->c.members < 2 || lg->c.groups < 1 ||
	    lg->c.ingest_pubs < 1 || lg->c.pubs < 1)
		lg_fatal("bad topology: need 1 <= pubs <= members, 2 <= members, "
		    "1 <= ingest-pubs <= %d", LG_MAX_PUBS_GROUP);
	lg->nrecv = lg->c.groups * lg->c.members + 1;
	lg->npub = lg->c.groups * lg->c.pubs + lg->c.ingest_pubs;
	if (lg->npub > 65535)
		lg_fatal("too many publishers");
	lg->recv = calloc((size_t)lg->nrecv, sizeof *lg->recv);
	lg->pubs = calloc((size_t)lg->npub, sizeof *lg->pubs);
	if (lg->recv == NULL || lg->pubs == NULL)
		lg_fatal("out of memory");
	for (g = 0; g < lg->c.groups; g++)
		for (m = 0; m < lg->c.members; m++)
			lg->recv[lg_recv_index(lg, g, m)].group = g;
	lg->recv[lg->nrecv - 1].group = lg->c.groups;
	for (g = 0; g <= lg->c.groups; g++) {
		int nk = g < lg->c.groups ? lg->c.pubs : lg->c.ingest_pubs;

		for (k = 0; k < nk; k++) {
			lg->pubs[lg_pub_index(lg, g, k)].group = g;
			lg->pubs[lg_pub_index(lg, g, k)].local = k;
		}
	}
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "driver", required_argument, NULL, 'd' },
		{ "target", required_argument, NULL, 't' },
		{ "host", required_argument, NULL, 'H' },
		{ "port", required_argument, NULL, 'p' },
		{ "enroll", required_argument, NULL, 'e' },
		{ "qos", required_argument, NULL, 'q' },
		{ "groups", required_argument, NULL, 'G' },
		{ "members", required_argument, NULL, 'M' },
		{ "pubs", required_argument, NULL, 'P' },
		{ "ingest-pubs", required_argument, NULL, 'I' },
		{ "window", required_argument, NULL, 'w' },
		{ "warmup", required_argument, NULL, 'W' },
		{ "seconds", required_argument, NULL, 's' },
		{ "drain", required_argument, NULL, 'D' },
		{ "idle", required_argument, NULL, 'i' },
		{ "server-pid", required_argument, NULL, 'S' },
		{ "max-rate", required_argument, NULL, 'R' },
		{ "phases", required_argument, NULL, 'x' },
		{ "tiny", no_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct lg lg;
	struct lg_result res;
	const char *driver = NULL, *phases = LG_PHASE_NAMES;
	char *list, *tok, *save = NULL;
	size_t i;
	int ch, failed = 0;
	int64_t t0;
	struct rlimit rl;

	memset(&lg, 0, sizeof lg);
	lg.c.host = "127.0.0.1";
	lg.c.groups = 10;
	lg.c.members = 400;
	lg.c.pubs = 10;
	lg.c.ingest_pubs = 40;
	lg.c.window = 32;
	lg.c.warmup_s = 1;
	lg.c.measure_s = 5;
	lg.c.drain_s = 10;
	lg.c.idle_n = 2000;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'd': driver = optarg; break;
		case 't': lg.c.target = optarg; break;
		case 'H': lg.c.host = optarg; break;
		case 'p': lg.c.port = atoi(optarg); break;
		case 'e': lg.c.enroll = optarg; break;
		case 'q': lg.c.qos = atoi(optarg); break;
		case 'G': lg.c.groups = atoi(optarg); break;
		case 'M': lg.c.members = atoi(optarg); break;
		case 'P': lg.c.pubs = atoi(optarg); break;
		case 'I': lg.c.ingest_pubs = atoi(optarg); break;
		case 'w': lg.c.window = atoi(optarg); break;
		case 'W': lg.c.warmup_s = atof(optarg); break;
		case 's': lg.c.measure_s = atof(optarg); break;
		case 'D': lg.c.drain_s = atof(optarg); break;
		case 'i': lg.c.idle_n = atoi(optarg); break;
		case 'S': lg.c.server_pid = atoi(optarg); break;
		case 'R': lg.c.max_rate = atof(optarg); break;
		case 'x': phases = optarg; break;
		case 'T': lg.c.tiny = 1; break;
		default: lg_usage();
		}
	}
	if (driver == NULL || lg.c.port <= 0 || optind != argc || lg.c.window < 1 ||
	    lg.c.measure_s <= 0 || lg.c.idle_n < 1)
		lg_usage();
	if (strcmp(driver, "yishi") == 0)
		lg.drv = &lg_driver_ws_yishi;
	else if (strcmp(driver, "null") == 0)
		lg.drv = &lg_driver_ws_null;
	else if (strcmp(driver, "mqtt") == 0)
		lg.drv = &lg_driver_mqtt;
	else
		lg_usage();
	if (lg.c.target == NULL)
		lg.c.target = driver;
	if (crypto_init() != 0)
		lg_fatal("libsodium failed to initialise");
	/* Thousands of sockets: take every descriptor the hard limit allows. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, lg_on_signal);
	signal(SIGTERM, lg_on_signal);
	lg_topology(&lg);

	t0 = lg_now_us();
	if (lg.drv->setup(&lg) != 0)
		lg_fatal("%s: setup failed", lg.c.target);
	lg_log("%s: %d receivers, %d publishers ready in %.1f s", lg.c.target, lg.nrecv,
	    lg.npub, (lg_now_us() - t0) / 1e6);

	if ((list = strdup(phases)) == NULL)
		lg_fatal("out of memory");
	for (tok = strtok_r(list, ",", &save); tok != NULL && !lg_stop;
	    tok = strtok_r(NULL, ",", &save)) {
		const struct lg_phase *ph = NULL;
		int rc;

		for (i = 0; i < sizeof lg_phases / sizeof lg_phases[0]; i++)
			if (strcmp(lg_phases[i].key, tok) == 0)
				ph = &lg_phases[i];
		if (ph == NULL)
			lg_fatal("unknown phase '%s' (%s)", tok, LG_PHASE_NAMES);
		memset(&res, 0, sizeof res);
		lg_workload_name(&lg, ph, res.workload, sizeof res.workload);
		rc = ph->kind == PH_IDLE ? lg_run_idle(&lg, ph, &res) :
		    lg_run_traffic(&lg, ph, &res);
		if (rc != 0) {
			failed = 1;
			continue;
		}
		lg_print(&lg, ph, &res);
		if (lg.c.tiny && (lg.lost || lg.dup || lg.errors || lg.corrupt ||
		    (ph->kind != PH_IDLE && (lg.in_window == 0 || lg.decrypted == 0)) ||
		    (ph->kind == PH_IDLE && res.kib_per_client < 0 && lg.c.server_pid > 0))) {
			lg_log("%s: %s: FAILED (lost %llu, duplicated %llu, errors %llu, corrupt "
			    "%llu, in-window deliveries %llu, decrypted/checked %llu)",
			    lg.c.target, tok, (unsigned long long)lg.lost,
			    (unsigned long long)lg.dup, (unsigned long long)lg.errors,
			    (unsigned long long)lg.corrupt, (unsigned long long)lg.in_window,
			    (unsigned long long)lg.decrypted);
			failed = 1;
		}
	}
	free(list);
	lg.drv->teardown(&lg);
	free(lg.recv);
	free(lg.pubs);
	free(lg.lat);
	if (lg_stop)
		lg_log("interrupted");
	return failed || lg_stop ? 1 : 0;
}
