/*
 * main.c: the yishi-node command: `init` creates a station's store and keys, `run`
 * serves it.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/thread.h>
#include <sodium.h>

#include "node/core.h"
#include "node/edge.h"
#include "node/node.h"
#include "proto/case.h"
#include "proto/log.h"
#include "proto/mp.h"
#include "storage/store.h"

#define DEFAULT_LISTEN	"127.0.0.1:7400"

/* What the SIGBUS handler writes: composed before the store is opened. */
static char	sigbus_msg[PATH_MAX + 200];
static size_t	sigbus_len;

static void
sigbus_handler(int sig)
{
	ssize_t n;

	(void)sig;
	n = write(STDERR_FILENO, sigbus_msg, sigbus_len);
	(void)n;
	_exit(1);
}

/*
 * LMDB reads the store through a memory map and keeps no checksums: a page that a
 * damaged file or a failing disk cannot deliver faults with SIGBUS wherever LMDB
 * happens to read it. Tell the operator what it means instead of dying silently.
 * Only async-signal-safe calls in the handler: the message is ready beforehand.
 */
static void
sigbus_catch(const char *dir)
{
	struct sigaction sa;
	int n;

	n = snprintf(sigbus_msg, sizeof sigbus_msg, "yishi-node: the store in %s is damaged "
	    "or its disk failed (bus error reading data.mdb): stop the node and restore "
	    "data.mdb from backup\n", dir);
	if (n < 0)
		return;
	sigbus_len = (size_t)n < sizeof sigbus_msg ? (size_t)n : sizeof sigbus_msg - 1;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = sigbus_handler;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
}

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: yishi-node init --data DIR --name NAME --area CODE [--json]\n"
	    "       yishi-node run --data DIR [--listen HOST:PORT] [options]\n"
	    "       yishi-node outbox --data DIR [--json]\n"
	    "\n"
	    "init  create a station node's keys and store in DIR and print the one-time\n"
	    "      enrollment code for the station admin (yishi enroll --code CODE)\n"
	    "run   serve clients over WebSocket at ws://HOST:PORT (default " DEFAULT_LISTEN ";\n"
	    "      port 0 picks a free port; the URL is printed once listening)\n"
	    "\n"
	    "outbox  list what waits for the parent node (escalated cases); --json adds\n"
	    "        each payload in hex: [meta, sig, body, [[reader, seal], ...]]\n"
	    "\n"
	    "run options:\n"
	    "  --max-group N      members per group (default %d)\n"
	    "  --rate-per-min N   messages per user per minute (default %d)\n"
	    "  --rate-burst N     messages a user may send at once (default %d)\n"
	    "  --group-rate-per-min N, --group-rate-burst N\n"
	    "                     the same for all messages into one group (600, 120)\n"
	    "  --max-sessions N   concurrent client connections (default %d)\n"
	    "  --newcomer-slow N  seconds between the messages of a member in their first\n"
	    "                     10 minutes in a group (default %d; 0: off)\n"
	    "  --deadline KIND=S  claim deadline in seconds for fraud, fraud-urgent, dispute,\n"
	    "                     dispute-urgent, non-police, non-police-urgent (defaults 3600,\n"
	    "                     180, 86400, 3600, 259200, 86400); repeatable\n"
	    "  --department NAME  a department non-police cases go to; repeatable (defaults:\n"
	    "                     12345 政务服务便民热线, 住房和城乡建设局, 市场监督管理局,\n"
	    "                     人力资源和社会保障局)\n"
	    "  --escalate-to HEX  a parent-level reader (user id) reports are sealed to; repeatable\n"
	    "  --parent NAME      the parent node escalated cases wait for (default: bureau)\n"
	    "  --root HEX         the federation root public key; warnings are accepted only\n"
	    "                     when their issuer certificate chains to it\n"
	    "  -v, --verbose      debug logging (twice: libwebsockets too)\n"
	    "  -h, --help         this help\n",
	    NODE_DEFAULT_MAX_GROUP, NODE_DEFAULT_RATE_PER_MIN, NODE_DEFAULT_RATE_BURST,
	    NODE_DEFAULT_MAX_SESSIONS, NODE_DEFAULT_NEWCOMER_SLOW);
}

static int
die_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "yishi-node: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n(try yishi-node --help)\n");
	return 2;
}

static int
parse_u32(const char *s, uint32_t lo, uint32_t hi, uint32_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int
parse_listen(const char *s, struct node_conf *conf)
{
	const char *colon = strrchr(s, ':');
	uint32_t port;

	if (colon == NULL || colon == s || (size_t)(colon - s) >= sizeof conf->host ||
	    parse_u32(colon + 1, 0, 65535, &port) != 0)
		return -1;
	memcpy(conf->host, s, (size_t)(colon - s));
	conf->host[colon - s] = '\0';
	if (strcmp(conf->host, "localhost") == 0)
		snprintf(conf->host, sizeof conf->host, "127.0.0.1");
	conf->port = (int)port;
	return 0;
}

static int
area_ok(const char *area)
{
	size_t i, n = strlen(area);

	if (n < 2 || n > WIRE_MAX_AREA)
		return 0;
	for (i = 0; i < n; i++)
		if (area[i] < '0' || area[i] > '9')
			return 0;
	return 1;
}

/* A code the admin can read aloud: 12 characters without look-alikes, in 3 groups. */
static void
make_enroll_code(char code[15])
{
	static const char alphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
	int i, j = 0;

	for (i = 0; i < 12; i++) {
		if (i == 4 || i == 8)
			code[j++] = '-';
		code[j++] = alphabet[randombytes_uniform(sizeof alphabet - 1)];
	}
	code[j] = '\0';
}

/*
 * Only one node may serve a store: LMDB would let two processes write it, and both
 * would hand out the same sequence numbers. The lock dies with the process, even
 * on kill -9, so a crash never leaves a stale lock behind.
 */
static int
lock_data_dir(const char *dir)
{
	char path[PATH_MAX], pid[32];
	int fd, n;

	if (snprintf(path, sizeof path, "%s/node.lock", dir) >= (int)sizeof path)
		return -1;
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1) {
		fprintf(stderr, "yishi-node: cannot open %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		n = (int)read(fd, pid, sizeof pid - 1);
		pid[n > 0 ? n : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		fprintf(stderr, "yishi-node: another yishi-node (pid %s) is running on %s; "
		    "stop it first\n", pid[0] ? pid : "?", dir);
		close(fd);
		return -1;
	}
	if (ftruncate(fd, 0) == 0) {
		n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
		if (pwrite(fd, pid, (size_t)n, 0) != n)
			log_warn("cannot write %s", path);
	}
	return fd;	/* kept open for the life of the process */
}

/*
 * Redacted messages leave the disk when the store is rewritten without them: at start
 * (redactions before a crash) and at a clean stop. A rewrite that fails is tried again
 * next time and the node serves meanwhile; -1 only when the store is lost to this
 * process (see store_purge()).
 */
static int
purge_store(struct store *st, const char *dir)
{
	struct timespec t0, t1;
	uint64_t n;
	char err[512];
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((rc = store_purge(st, &n, err, sizeof err)) == -2) {
		log_warnx("%s", err);
		return -1;
	}
	if (rc == -1)
		log_warnx("%s; the ciphertext of redacted messages stays in %s/data.mdb until "
		    "a rewrite succeeds", err, dir);
	else if (n > 0) {
		clock_gettime(CLOCK_MONOTONIC, &t1);
		log_info("store: rewrote %s/data.mdb without the %llu messages redacted since "
		    "the last rewrite (%lld ms)", dir, (unsigned long long)n,
		    (long long)(t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000);
	}
	return 0;
}

static int
cmd_init(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "data", required_argument, NULL, 'd' },
		{ "name", required_argument, NULL, 'n' },
		{ "area", required_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *data = NULL, *name = NULL, *area = NULL;
	struct node_meta m;
	struct ident id;
	struct store *st;
	MDB_txn *txn;
	char err[512], code[15], hex[65];
	int ch, json = 0;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'd': data = optarg; break;
		case 'n': name = optarg; break;
		case 'a': area = optarg; break;
		case 'j': json = 1; break;
		case 'h': usage(stdout); return 0;
		default: return die_usage("%s", "bad option for init");
		}
	}
	if (optind != argc)
		return die_usage("unexpected argument '%s'", argv[optind]);
	if (data == NULL || name == NULL || area == NULL)
		return die_usage("%s", "init needs --data DIR, --name NAME and --area CODE");
	if (strlen(name) == 0 || strlen(name) > WIRE_MAX_NAME)
		return die_usage("%s", "--name must be 1 to 64 bytes");
	if (!area_ok(area))
		return die_usage("--area '%s' is not an area code (2 to 12 digits, e.g. 330281)",
		    area);
	if (store_open(&st, data, STORE_CREATE, err, sizeof err) != 0) {
		fprintf(stderr, "yishi-node: %s\n", err);
		return 1;
	}
	if (ident_new(&id) != 0)
		fatalx("cannot create the node key");
	memset(&m, 0, sizeof m);
	memcpy(m.sk, id.sk, sizeof m.sk);
	snprintf(m.name, sizeof m.name, "%s", name);
	snprintf(m.area, sizeof m.area, "%s", area);
	m.created_ms = node_now_ms();
	make_enroll_code(code);
	user_enroll_hash(code, m.enroll_hash);
	if (store_begin(st, 1, &txn) != 0 || store_meta_put(st, txn, &m) != 0 ||
	    store_commit(txn) != 0) {
		fprintf(stderr, "yishi-node: cannot write the new store in %s\n", data);
		store_close(st);
		return 1;
	}
	store_close(st);
	sodium_memzero(&m, sizeof m);
	hex_encode(hex, id.pk, sizeof id.pk);
	ident_wipe(&id);
	if (json)
		printf("{\"node_id\":\"%s\",\"enroll_code\":\"%s\"}\n", hex, code);
	else
		printf("station node '%s' (area %s) created in %s\n"
		    "node id:         %s\n"
		    "enrollment code: %s  (one-time: gives the station admin role)\n"
		    "next: yishi-node run --data %s, then: yishi enroll --node ws://HOST:PORT "
		    "--code %s\n", name, area, data, hex, code, data, code);
	return 0;
}

/* KIND=SECONDS, KIND one of the report kinds, optionally suffixed -urgent. */
static int
parse_deadline(const char *arg, struct node_conf *conf)
{
	char kind[32];
	const char *eq = strchr(arg, '=');
	size_t n;
	uint32_t secs;
	int k, urgent = 0;

	if (eq == NULL || (n = (size_t)(eq - arg)) == 0 || n >= sizeof kind ||
	    parse_u32(eq + 1, 1, 365 * 86400, &secs) != 0)
		return -1;
	memcpy(kind, arg, n);
	kind[n] = '\0';
	if (n > 7 && strcmp(kind + n - 7, "-urgent") == 0) {
		urgent = 1;
		kind[n - 7] = '\0';
	}
	if ((k = report_kind_parse(kind)) < 0)
		return -1;
	conf->deadline_s[k][urgent] = secs;
	return 0;
}

static int
outbox_print(const struct outbox_rec *o, void *arg)
{
	char id[33], *hex;
	int json = *(int *)arg;

	hex_encode(id, o->id, 16);
	if (json) {
		/* The payload is what the parent receives: sealed, no plaintext to hide. */
		if ((hex = malloc((size_t)o->payloadlen * 2 + 1)) == NULL)
			return -1;
		printf("{\"seq\":%llu,\"dest\":\"%s\",\"case_id\":\"%s\",\"ts\":%llu,"
		    "\"bytes\":%u,\"payload\":\"%s\"}\n", (unsigned long long)o->seq, o->dest, id,
		    (unsigned long long)o->ts_ms, o->payloadlen,
		    hex_encode(hex, o->payload, o->payloadlen));
		free(hex);
	} else
		printf("#%llu  to %s  case %s  (%u bytes)\n", (unsigned long long)o->seq, o->dest,
		    id, o->payloadlen);
	return 0;
}

static int
cmd_outbox(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "data", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *data = NULL;
	struct store *st;
	MDB_txn *txn;
	char err[512];
	int ch, json = 0, rc;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'd': data = optarg; break;
		case 'j': json = 1; break;
		case 'h': usage(stdout); return 0;
		default: return die_usage("%s", "bad option for outbox");
		}
	}
	if (data == NULL || optind != argc)
		return die_usage("%s", "outbox needs --data DIR");
	/* Read-only: LMDB lets this run beside a serving node. */
	sigbus_catch(data);
	if (store_open(&st, data, STORE_RDONLY, err, sizeof err) != 0) {
		fprintf(stderr, "yishi-node: %s\n", err);
		return 1;
	}
	if ((rc = store_begin(st, 0, &txn) != 0) == 0) {
		rc = store_outbox_iter(st, txn, outbox_print, &json) < 0;
		store_abort(txn);
	}
	store_close(st);
	return rc ? 1 : 0;
}

static int
cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "data", required_argument, NULL, 'd' },
		{ "listen", required_argument, NULL, 'l' },
		{ "max-group", required_argument, NULL, 'g' },
		{ "rate-per-min", required_argument, NULL, 'r' },
		{ "rate-burst", required_argument, NULL, 'b' },
		{ "group-rate-per-min", required_argument, NULL, 'G' },
		{ "group-rate-burst", required_argument, NULL, 'B' },
		{ "max-sessions", required_argument, NULL, 's' },
		{ "newcomer-slow", required_argument, NULL, 'n' },
		{ "deadline", required_argument, NULL, 'D' },
		{ "department", required_argument, NULL, 'P' },
		{ "escalate-to", required_argument, NULL, 'E' },
		{ "parent", required_argument, NULL, 'A' },
		{ "root", required_argument, NULL, 'R' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct node_conf conf;
	int ndept_given = 0;
	struct node_ident ni;
	struct node_meta m;
	struct store *st;
	struct event_base *base;
	struct queue in, out;
	struct core core;
	struct edge edge;
	MDB_txn *txn;
	char err[512];
	int ch, rc;

	node_conf_defaults(&conf);
	(void)parse_listen(DEFAULT_LISTEN, &conf);
	while ((ch = getopt_long(argc, argv, "vh", opts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			conf.data_dir = optarg;
			break;
		case 'l':
			if (parse_listen(optarg, &conf) != 0)
				return die_usage("--listen '%s': expected HOST:PORT, e.g. "
				    "127.0.0.1:7400", optarg);
			break;
		case 'g':
			if (parse_u32(optarg, 2, 100000, &conf.max_group) != 0)
				return die_usage("--max-group '%s': expected 2..100000", optarg);
			break;
		case 'r':
			if (parse_u32(optarg, 1, 100000000, &conf.rate_per_min) != 0)
				return die_usage("--rate-per-min '%s': expected 1..100000000", optarg);
			break;
		case 'b':
			if (parse_u32(optarg, 1, 100000000, &conf.rate_burst) != 0)
				return die_usage("--rate-burst '%s': expected 1..100000000", optarg);
			break;
		case 'G':
			if (parse_u32(optarg, 1, 100000000, &conf.group_rate_per_min) != 0)
				return die_usage("--group-rate-per-min '%s': expected 1..100000000",
				    optarg);
			break;
		case 'B':
			if (parse_u32(optarg, 1, 100000000, &conf.group_rate_burst) != 0)
				return die_usage("--group-rate-burst '%s': expected 1..100000000",
				    optarg);
			break;
		case 's':
			if (parse_u32(optarg, 1, 1000000, &conf.max_sessions) != 0)
				return die_usage("--max-sessions '%s': expected 1..1000000", optarg);
			break;
		case 'n':
			if (parse_u32(optarg, 0, 86400, &conf.newcomer_slow) != 0)
				return die_usage("--newcomer-slow '%s': expected 0..86400", optarg);
			break;
		case 'D':
			if (parse_deadline(optarg, &conf) != 0)
				return die_usage("--deadline '%s': expected KIND=SECONDS, e.g. "
				    "fraud-urgent=180", optarg);
			break;
		case 'P':
			if (strlen(optarg) == 0 || strlen(optarg) > 64 ||
			    !mp_utf8_valid((const uint8_t *)optarg, strlen(optarg)))
				return die_usage("--department '%s': 1 to 64 bytes of UTF-8", optarg);
			if (ndept_given == 0)
				conf.ndepts = 0;	/* given ones replace the defaults */
			if (conf.ndepts == NODE_MAX_DEPTS)
				return die_usage("%s", "too many --department");
			snprintf(conf.depts[conf.ndepts++], sizeof conf.depts[0], "%s", optarg);
			ndept_given++;
			break;
		case 'E':
			if (conf.nescalate == NODE_MAX_ESCALATE ||
			    hex_decode(conf.escalate_to[conf.nescalate], 32, optarg) != 0)
				return die_usage("--escalate-to '%s': a user id (64 hex digits), at "
				    "most 8 times", optarg);
			conf.nescalate++;
			break;
		case 'A':
			if (strlen(optarg) == 0 || strlen(optarg) > 64)
				return die_usage("--parent '%s': 1 to 64 bytes", optarg);
			snprintf(conf.parent, sizeof conf.parent, "%s", optarg);
			break;
		case 'R':
			if (hex_decode(conf.root, sizeof conf.root, optarg) != 0)
				return die_usage("--root '%s': the root public key, 64 hex digits",
				    optarg);
			conf.has_root = 1;
			break;
		case 'v':
			conf.verbose++;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return die_usage("%s", "bad option for run");
		}
	}
	if (optind != argc)
		return die_usage("unexpected argument '%s'", argv[optind]);
	if (conf.data_dir == NULL)
		return die_usage("%s", "run needs --data DIR (created by yishi-node init)");
	log_init("yishi-node", conf.verbose);

	sigbus_catch(conf.data_dir);
	if (store_open(&st, conf.data_dir, 0, err, sizeof err) != 0) {
		fprintf(stderr, "yishi-node: %s\n", err);
		return 1;
	}
	if (lock_data_dir(conf.data_dir) == -1 || purge_store(st, conf.data_dir) == -1) {
		store_close(st);
		return 1;
	}
	memset(&ni, 0, sizeof ni);
	if (store_begin(st, 0, &txn) != 0 || (rc = store_meta_get(st, txn, &m)) != 0) {
		fprintf(stderr, "yishi-node: the store in %s has no node identity: it is damaged; "
		    "restore it from a backup or run yishi-node init on an empty directory\n",
		    conf.data_dir);
		store_close(st);
		return 1;
	}
	store_abort(txn);
	if (ident_from_sk(&ni.id, m.sk) != 0) {
		fprintf(stderr, "yishi-node: the node key in %s is damaged\n", conf.data_dir);
		store_close(st);
		return 1;
	}
	snprintf(ni.name, sizeof ni.name, "%s", m.name);
	snprintf(ni.area, sizeof ni.area, "%s", m.area);
	sodium_memzero(&m, sizeof m);

	if (evthread_use_pthreads() != 0 || (base = event_base_new()) == NULL)
		fatalx("cannot set up libevent");
	queue_init(&in);
	queue_init(&out);
	if (core_init(&core, base, st, &conf, &ni, &in, &out) != 0)
		fatalx("cannot set up the core");
	if (core_deadline_start(&core) != 0)
		fatalx("cannot read the case deadlines from the store");
	if (edge_init(&edge, &conf, &ni, &core, &in, &out, err, sizeof err) != 0) {
		fprintf(stderr, "yishi-node: %s\n", err);
		core_free(&core);
		event_base_free(base);
		store_close(st);
		return 1;
	}
	core.wake_edge = edge_wake;
	core.wake_edge_arg = &edge;
	if (edge_start(&edge) != 0)
		fatalx("cannot start the edge thread");
	log_info("station %s (area %s) listening on ws://%s:%d", ni.name, ni.area, conf.host,
	    edge.port);
	printf("yishi-node: listening on ws://%s:%d\n", conf.host, edge.port);
	fflush(stdout);

	event_base_dispatch(base);

	edge_stop(&edge);
	core_free(&core);
	queue_destroy(&in);
	queue_destroy(&out);
	event_base_free(base);
	rc = purge_store(st, conf.data_dir);
	store_close(st);
	ident_wipe(&ni.id);
	log_info("stopped");
	return rc == 0 ? 0 : 1;
}

int
main(int argc, char **argv)
{
	log_init("yishi-node", 0);
	if (crypto_init() != 0)
		fatalx("libsodium failed to initialise");
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "init") == 0)
		return cmd_init(argc - 1, argv + 1);
	if (strcmp(argv[1], "run") == 0)
		return cmd_run(argc - 1, argv + 1);
	if (strcmp(argv[1], "outbox") == 0)
		return cmd_outbox(argc - 1, argv + 1);
	fprintf(stderr, "yishi-node: unknown command '%s' (init, run; try --help)\n", argv[1]);
	return 2;
}
