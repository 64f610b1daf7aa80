/*
 * admin.c: `yishi-admin`, the federation root's tool. It runs where the root key
 * lives (offline): it makes the root key and signs issuer and node certificates.
 * Nodes and clients only ever need the root's public key.
 *
 * Exit status: 0 success, 1 failure (one line on stderr), 2 usage error.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "client/json.h"
#include "proto/crypto.h"
#include "proto/warn.h"

#define ADMIN_ROOT_HEADER	"yishi-root-key-1"
#define ADMIN_ROOT_FILE_MAX	512

struct admin {
	int		 json;
	int		 force;
	const char	*out;
	const char	*root;
	const char	*pk;
	const char	*name;
	const char	*areas;
	const char	*from;
	const char	*until;
	const char	*parent;
	const char	*endpoint;
	const char	*root_pk;	/* show: verify against this root */
};

static const char *admin_usage_text =
    "usage: yishi-admin [--json] COMMAND ...\n\ncommands:\n"
    "  yishi-admin root new --out FILE [--force]\n"
    "      make a federation root key (FILE: secret, mode 0600; keep it offline);\n"
    "      prints the root public key\n"
    "  yishi-admin issuer --root FILE --pk HEX --name NAME --areas CODES --until DATE\n"
    "      [--from DATE] [--out FILE]\n"
    "      certify the key HEX to issue warnings for the area CODES (comma-separated,\n"
    "      e.g. 3302,330381); prints the certificate in hex, writes it to FILE\n"
    "  yishi-admin node-cert --root FILE --pk HEX --name NAME --areas CODES --until DATE\n"
    "      [--parent HEX] [--endpoint URL] [--from DATE] [--out FILE]\n"
    "      certify a station's node key HEX for its areas\n"
    "  yishi-admin show FILE [--root-pk HEX]\n"
    "      print a certificate (binary file or hex text); with --root-pk, verify it\n\n"
    "DATE: YYYY-MM-DD (--until: the end of that day, UTC; --from: its start) or a CAP\n"
    "time YYYY-MM-DDThh:mm:ss+hh:mm; --from defaults to now.\n"
    "--json: one JSON object on stdout.\n";

static void
admin_usage(FILE *f)
{
	fputs(admin_usage_text, f);
}

static int
admin_fail(const char *msg, const char *arg)
{
	fprintf(stderr, "yishi-admin: %s%s%s\n", msg, arg != NULL ? ": " : "",
	    arg != NULL ? arg : "");
	return 1;
}

static uint64_t
admin_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* DATE as ms: a day (start or end of it, UTC) or a CAP time. */
static int
admin_date(const char *s, int end_of_day, uint64_t *ms)
{
	char	buf[WARN_TIME_LEN + 1];
	int	tz;

	if (strlen(s) == 10) {
		snprintf(buf, sizeof buf, "%sT%s-00:00", s, end_of_day ? "23:59:59" : "00:00:00");
		s = buf;
	}
	if (warn_time_parse(s, ms, &tz) != 0)
		return -1;
	if (end_of_day && strlen(s) == WARN_TIME_LEN && s == buf)
		*ms += 999;
	return 0;
}

/* Write len bytes to path, created with mode; excl refuses an existing file. */
static int
admin_write(const char *path, const void *p, size_t len, mode_t mode, int excl)
{
	int	fd;
	ssize_t	n;

	fd = open(path, O_WRONLY | O_CREAT | (excl ? O_EXCL : O_TRUNC) | O_CLOEXEC, mode);
	if (fd == -1) {
		fprintf(stderr, "yishi-admin: %s: %s%s\n", path, strerror(errno),
		    errno == EEXIST ? " (use --force to replace it)" : "");
		return -1;
	}
	n = write(fd, p, len);
	if (n < 0 || (size_t)n != len || close(fd) != 0) {
		fprintf(stderr, "yishi-admin: %s: write failed\n", path);
		return -1;
	}
	return 0;
}

/* Read at most cap bytes of path; the length, or -1. */
static ssize_t
admin_read(const char *path, uint8_t *buf, size_t cap)
{
	FILE	*f;
	size_t	 n;

	if ((f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "yishi-admin: %s: %s\n", path, strerror(errno));
		return -1;
	}
	n = fread(buf, 1, cap, f);
	if (ferror(f) || (n == cap && fgetc(f) != EOF)) {
		fclose(f);
		fprintf(stderr, "yishi-admin: %s: unreadable or too large\n", path);
		return -1;
	}
	fclose(f);
	return (ssize_t)n;
}

static int
admin_root_load(const char *path, struct ident *root)
{
	uint8_t	buf[ADMIN_ROOT_FILE_MAX], sk[YISHI_SK_BYTES];
	char	hex[2 * YISHI_SK_BYTES + 1];
	ssize_t	n;
	size_t	hl = strlen(ADMIN_ROOT_HEADER);
	int	rv = -1;

	if ((n = admin_read(path, buf, sizeof buf - 1)) < 0)
		return -1;
	buf[n] = '\0';
	if ((size_t)n >= hl + 2 + sizeof hex - 1 && memcmp(buf, ADMIN_ROOT_HEADER, hl) == 0 &&
	    buf[hl] == '\n') {
		memcpy(hex, buf + hl + 1, sizeof hex - 1);
		hex[sizeof hex - 1] = '\0';
		if (hex_decode(sk, sizeof sk, hex) == 0 && ident_from_sk(root, sk) == 0)
			rv = 0;
	}
	if (rv != 0)
		fprintf(stderr, "yishi-admin: %s: not a root key file\n", path);
	sodium_memzero(buf, sizeof buf);
	sodium_memzero(sk, sizeof sk);
	sodium_memzero(hex, sizeof hex);
	return rv;
}

static int
admin_root_new(const struct admin *a)
{
	struct ident	root;
	struct json	j;
	char		file[sizeof ADMIN_ROOT_HEADER + 2 * YISHI_SK_BYTES + 2];
	char		sk[2 * YISHI_SK_BYTES + 1], pk[2 * YISHI_PK_BYTES + 1];
	int		rv;

	if (a->out == NULL) {
		fprintf(stderr, "yishi-admin: root new: --out FILE is required\n");
		return 2;
	}
	if (ident_new(&root) != 0)
		return admin_fail("cannot make a key", NULL);
	hex_encode(sk, root.sk, sizeof root.sk);
	hex_encode(pk, root.pk, sizeof root.pk);
	snprintf(file, sizeof file, "%s\n%s\n", ADMIN_ROOT_HEADER, sk);
	if (a->force)
		(void)unlink(a->out);
	rv = admin_write(a->out, file, strlen(file), 0600, 1);
	sodium_memzero(file, sizeof file);
	sodium_memzero(sk, sizeof sk);
	ident_wipe(&root);
	if (rv != 0)
		return 1;
	if (a->json) {
		json_begin(&j);
		json_str(&j, "root_pk", pk);
		json_str(&j, "key_file", a->out);
		(void)json_end(&j, stdout);
	} else
		printf("%s\n", pk);
	return 0;
}

/* Split "3302,330381" into c->areas. */
static int
admin_areas(const char *s, struct warn_cert *c)
{
	const char	*p = s, *comma;
	size_t		 n;

	c->nareas = 0;
	for (;;) {
		comma = strchr(p, ',');
		n = comma != NULL ? (size_t)(comma - p) : strlen(p);
		if (c->nareas >= WARN_AREAS_MAX || n > WARN_AREA_LEN)
			return -1;
		memcpy(c->areas[c->nareas], p, n);
		c->areas[c->nareas][n] = '\0';
		if (!warn_area_valid(c->areas[c->nareas++]))
			return -1;
		if (comma == NULL)
			return 0;
		p = comma + 1;
	}
}

static void
admin_print_cert(const struct admin *a, const struct warn_cert *c, const uint8_t *cert,
    size_t len, const char *verdict)
{
	struct json	 j;
	char		 pk[2 * YISHI_PK_BYTES + 1], areas[WARN_AREAS_MAX * (WARN_AREA_LEN + 1)];
	char		 from[WARN_TIME_LEN + 1], until[WARN_TIME_LEN + 1], *hex;
	size_t		 n = 0;
	int		 i;

	areas[0] = '\0';
	for (i = 0; i < c->nareas; i++)
		n += (size_t)snprintf(areas + n, sizeof areas - n, "%s%s", i ? "," : "",
		    c->areas[i]);
	hex_encode(pk, c->pk, sizeof c->pk);
	warn_time_format(from, c->not_before - c->not_before % 1000, 0);
	warn_time_format(until, c->not_after - c->not_after % 1000, 0);
	if ((hex = malloc(2 * len + 1)) == NULL)
		return;
	hex_encode(hex, cert, len);
	if (a->json) {
		json_begin(&j);
		json_str(&j, "kind", c->kind == WCK_ISSUER ? "issuer" : "node");
		json_str(&j, "pk", pk);
		json_str(&j, "name", c->name);
		json_str(&j, "areas", areas);
		json_uint(&j, "not_before", c->not_before);
		json_uint(&j, "not_after", c->not_after);
		if (c->kind == WCK_NODE) {
			char parent[2 * YISHI_PK_BYTES + 1];

			json_str(&j, "parent", c->has_parent ?
			    hex_encode(parent, c->parent, YISHI_PK_BYTES) : NULL);
			json_str(&j, "endpoint", c->endpoint);
		}
		if (verdict != NULL)
			json_str(&j, "verified", verdict);
		json_str(&j, "cert", hex);
		(void)json_end(&j, stdout);
	} else if (verdict != NULL || a->out == NULL) {
		char name[WARN_CERT_NAME_MAX * 3 + 1];

		json_sanitize(name, sizeof name, c->name, strlen(c->name), '?');
		printf("kind:     %s\npk:       %s\nname:     %s\nareas:    %s\n"
		    "valid:    %s .. %s\n", c->kind == WCK_ISSUER ? "issuer" : "node", pk,
		    name, areas, from, until);
		if (c->kind == WCK_NODE) {
			char parent[2 * YISHI_PK_BYTES + 1];

			printf("parent:   %s\nendpoint: %s\n", c->has_parent ?
			    hex_encode(parent, c->parent, YISHI_PK_BYTES) : "(none)",
			    c->endpoint[0] ? c->endpoint : "(none)");
		}
		if (verdict != NULL)
			printf("verified: %s\n", verdict);
		if (a->out == NULL && verdict == NULL)
			printf("%s\n", hex);
	} else
		printf("%s\n", hex);
	free(hex);
}

static int
admin_cert(const struct admin *a, int kind)
{
	struct ident		root;
	struct warn_cert	c;
	uint8_t			cert[WARN_CERT_MAX];
	size_t			len;
	const char		*what = kind == WCK_ISSUER ? "issuer" : "node-cert";

	if (a->root == NULL || a->pk == NULL || a->name == NULL || a->areas == NULL ||
	    a->until == NULL) {
		fprintf(stderr, "yishi-admin: %s: --root, --pk, --name, --areas and --until "
		    "are required (see --help)\n", what);
		return 2;
	}
	memset(&c, 0, sizeof c);
	c.kind = kind;
	if (hex_decode(c.pk, sizeof c.pk, a->pk) != 0)
		return admin_fail("--pk is not 64 hex digits", a->pk);
	if (strlen(a->name) == 0 || strlen(a->name) > WARN_CERT_NAME_MAX)
		return admin_fail("--name must be 1 to 64 bytes", NULL);
	snprintf(c.name, sizeof c.name, "%s", a->name);
	if (admin_areas(a->areas, &c) != 0)
		return admin_fail("--areas: up to 64 comma-separated codes of 2 to 12 digits",
		    a->areas);
	if (admin_date(a->until, 1, &c.not_after) != 0)
		return admin_fail("--until is not a date", a->until);
	c.not_before = admin_now_ms() / 1000 * 1000;	/* CAP times are whole seconds */
	if (a->from != NULL && admin_date(a->from, 0, &c.not_before) != 0)
		return admin_fail("--from is not a date", a->from);
	if (c.not_before > c.not_after)
		return admin_fail("the certificate would end before it starts", NULL);
	if (kind == WCK_NODE) {
		if (a->parent != NULL) {
			if (hex_decode(c.parent, sizeof c.parent, a->parent) != 0)
				return admin_fail("--parent is not 64 hex digits", a->parent);
			c.has_parent = 1;
		}
		if (a->endpoint != NULL)
			snprintf(c.endpoint, sizeof c.endpoint, "%s", a->endpoint);
		if (a->endpoint != NULL && strcmp(c.endpoint, a->endpoint) != 0)
			return admin_fail("--endpoint is too long", NULL);
	} else if (a->parent != NULL || a->endpoint != NULL)
		return admin_fail("--parent and --endpoint are for node-cert", NULL);
	if (admin_root_load(a->root, &root) != 0)
		return 1;
	len = warn_cert_make(&root, &c, cert, sizeof cert);
	ident_wipe(&root);
	if (len == 0)
		return admin_fail("refused to sign: a field breaks the certificate rules "
		    "(name characters, duplicate areas, endpoint characters)", NULL);
	if (a->out != NULL && admin_write(a->out, cert, len, 0644, 0) != 0)
		return 1;
	admin_print_cert(a, &c, cert, len, NULL);
	return 0;
}

static int
admin_show(const struct admin *a, const char *path)
{
	struct warn_cert	 c;
	uint8_t			 buf[2 * WARN_CERT_MAX + 2], cert[WARN_CERT_MAX], root[32];
	struct admin		 b = *a;
	ssize_t			 n;
	size_t			 len;
	int			 rv;

	if ((n = admin_read(path, buf, sizeof buf - 1)) < 0)
		return 1;
	buf[n] = '\0';
	/* Hex text (what the commands print) or the binary certificate. */
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	if (n > 0 && n % 2 == 0 && (size_t)n / 2 <= sizeof cert &&
	    hex_decode(cert, (size_t)n / 2, (const char *)buf) == 0)
		len = (size_t)n / 2;
	else if ((size_t)n <= sizeof cert) {
		memcpy(cert, buf, (size_t)n);
		len = (size_t)n;
	} else
		return admin_fail("not a certificate", path);
	if (warn_cert_decode(cert, len, &c) != WARN_OK)
		return admin_fail("not a certificate (bad encoding)", path);
	b.out = "";	/* do not print the hex again */
	if (a->root_pk == NULL) {
		admin_print_cert(&b, &c, cert, len, NULL);
		if (!a->json)
			printf("verified: no (no --root-pk)\n");
		return 0;
	}
	if (hex_decode(root, sizeof root, a->root_pk) != 0)
		return admin_fail("--root-pk is not 64 hex digits", a->root_pk);
	rv = warn_cert_verify(root, c.kind, admin_now_ms(), cert, len, &c);
	admin_print_cert(&b, &c, cert, len, rv == WARN_OK ? "yes" : warn_result_str(rv));
	return rv == WARN_OK ? 0 : 1;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "force", no_argument, NULL, 'f' },
		{ "out", required_argument, NULL, 'o' },
		{ "root", required_argument, NULL, 'r' },
		{ "pk", required_argument, NULL, 'p' },
		{ "name", required_argument, NULL, 'n' },
		{ "areas", required_argument, NULL, 'a' },
		{ "from", required_argument, NULL, 'F' },
		{ "until", required_argument, NULL, 'u' },
		{ "parent", required_argument, NULL, 'P' },
		{ "endpoint", required_argument, NULL, 'e' },
		{ "root-pk", required_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 },
	};
	struct admin	 a;
	const char	*cmd;
	int		 ch, help = 0, nargs;

	if (crypto_init() != 0)
		return admin_fail("cannot initialise libsodium", NULL);
	memset(&a, 0, sizeof a);
	/* GNU getopt permutes: options may come before or after the command words. */
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'j': a.json = 1; break;
		case 'h': help = 1; break;
		case 'f': a.force = 1; break;
		case 'o': a.out = optarg; break;
		case 'r': a.root = optarg; break;
		case 'p': a.pk = optarg; break;
		case 'n': a.name = optarg; break;
		case 'a': a.areas = optarg; break;
		case 'F': a.from = optarg; break;
		case 'u': a.until = optarg; break;
		case 'P': a.parent = optarg; break;
		case 'e': a.endpoint = optarg; break;
		case 'R': a.root_pk = optarg; break;
		default:
			admin_usage(stderr);
			return 2;
		}
	}
	argv += optind;
	nargs = argc - optind;
	if (help) {
		admin_usage(stdout);
		return 0;
	}
	cmd = nargs > 0 ? argv[0] : "";
	if (strcmp(cmd, "root") == 0 && nargs == 2 && strcmp(argv[1], "new") == 0)
		return admin_root_new(&a);
	if (strcmp(cmd, "issuer") == 0 && nargs == 1)
		return admin_cert(&a, WCK_ISSUER);
	if (strcmp(cmd, "node-cert") == 0 && nargs == 1)
		return admin_cert(&a, WCK_NODE);
	if (strcmp(cmd, "show") == 0 && nargs == 2)
		return admin_show(&a, argv[1]);
	admin_usage(stderr);
	return 2;
}
