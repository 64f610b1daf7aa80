/* warns.c: see warns.h. */
#include "client/warns.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#define WARNS_ROOT_FILE	"warn-root"
#define WARNS_CERT_FILE	"warn-cert"

void
warns_id(const struct warning *w, uint8_t id[WARNS_ID_BYTES])
{
	crypto_generichash_state h;

	crypto_generichash_init(&h, NULL, 0, WARNS_ID_BYTES);
	crypto_generichash_update(&h, w->issuer, YISHI_PK_BYTES);
	crypto_generichash_update(&h, (const uint8_t *)w->sender, strlen(w->sender) + 1);
	crypto_generichash_update(&h, (const uint8_t *)w->identifier, strlen(w->identifier) + 1);
	crypto_generichash_final(&h, id, WARNS_ID_BYTES);
}

int
warns_file_read(const char *path, size_t max, uint8_t **buf, size_t *len, struct cerr *e)
{
	uint8_t	*b;
	ssize_t	 n;
	size_t	 got = 0;
	int	 fd;

	*buf = NULL;
	*len = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		cerr_set(e, CE_IO, "%s: %s", path, strerror(errno));
		return -1;
	}
	if ((b = malloc(max + 1)) == NULL) {
		close(fd);
		cerr_set(e, CE_INTERNAL, "out of memory");
		return -1;
	}
	while (got <= max && (n = read(fd, b + got, max + 1 - got)) > 0)
		got += (size_t)n;
	if (n < 0) {
		cerr_set(e, CE_IO, "%s: %s", path, strerror(errno));
		close(fd);
		free(b);
		return -1;
	}
	close(fd);
	if (got > max) {
		cerr_set(e, CE_INPUT, "%s: larger than %zu bytes", path, max);
		free(b);
		return -1;
	}
	*buf = b;
	*len = got;
	return 0;
}

int
warns_file_write(const char *path, const void *buf, size_t len, int mode, struct cerr *e)
{
	char	tmp[4096];
	ssize_t	n;
	int	fd;

	if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid()) >= sizeof tmp) {
		cerr_set(e, CE_IO, "%s: path too long", path);
		return -1;
	}
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)) == -1) {
		cerr_set(e, CE_IO, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	n = write(fd, buf, len);
	if (n < 0 || (size_t)n != len || fsync(fd) != 0) {
		cerr_set(e, CE_IO, "%s: write failed: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		return -1;
	}
	if (close(fd) != 0 || rename(tmp, path) != 0) {
		cerr_set(e, CE_IO, "%s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

static int
warns_path(char *out, size_t outlen, const char *dir, const char *name, struct cerr *e)
{
	if ((size_t)snprintf(out, outlen, "%s/%s", dir, name) >= outlen) {
		cerr_set(e, CE_IO, "%s: path too long", dir);
		return -1;
	}
	return 0;
}

int
warns_root_load(const char *dir, uint8_t root[YISHI_PK_BYTES], struct cerr *e)
{
	char	 path[4096], hex[2 * YISHI_PK_BYTES + 1];
	uint8_t	*buf;
	size_t	 len;

	if (warns_path(path, sizeof path, dir, WARNS_ROOT_FILE, e) == -1)
		return -1;
	if (access(path, F_OK) != 0)
		return 0;
	if (warns_file_read(path, 256, &buf, &len, e) == -1)
		return -1;
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		len--;
	if (len != sizeof hex - 1) {
		free(buf);
		cerr_set(e, CE_IO, "%s: not a root key (64 hex digits)", path);
		return -1;
	}
	memcpy(hex, buf, len);
	hex[len] = '\0';
	free(buf);
	if (hex_decode(root, YISHI_PK_BYTES, hex) != 0) {
		cerr_set(e, CE_IO, "%s: not a root key (64 hex digits)", path);
		return -1;
	}
	return 1;
}

int
warns_root_save(const char *dir, const uint8_t root[YISHI_PK_BYTES], struct cerr *e)
{
	char path[4096], line[2 * YISHI_PK_BYTES + 2];

	if (warns_path(path, sizeof path, dir, WARNS_ROOT_FILE, e) == -1)
		return -1;
	hex_encode(line, root, YISHI_PK_BYTES);
	strcat(line, "\n");
	return warns_file_write(path, line, strlen(line), 0644, e);
}

int
warns_cert_load(const char *dir, const char *path, uint8_t *cert, size_t *len,
    struct warn_cert *c, struct cerr *e)
{
	char	 stored[4096];
	uint8_t	*buf;
	size_t	 n;

	if (path == NULL) {
		if (warns_path(stored, sizeof stored, dir, WARNS_CERT_FILE, e) == -1)
			return -1;
		if (access(stored, F_OK) != 0) {
			cerr_set(e, CE_INPUT, "no issuer certificate: give --cert FILE (from "
			    "`yishi-admin issuer --out FILE`) or store one with `yishi warn "
			    "cert FILE`");
			return -1;
		}
		path = stored;
	}
	if (warns_file_read(path, 2 * WARN_CERT_MAX + 2, &buf, &n, e) == -1)
		return -1;
	/*
	 * The binary certificate yishi-admin writes, or the hex text it prints. Binary
	 * first: its signature may well end in a byte that looks like white space.
	 */
	*len = 0;
	if (n <= WARN_CERT_MAX) {
		memcpy(cert, buf, n);
		if (warn_cert_decode(cert, n, c) == WARN_OK)
			*len = n;
	}
	while (*len == 0 && n > 0 &&
	    (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
		n--;
	buf[n] = '\0';
	if (*len == 0 && n > 0 && n % 2 == 0 && n / 2 <= WARN_CERT_MAX &&
	    hex_decode(cert, n / 2, (const char *)buf) == 0)
		*len = n / 2;
	free(buf);
	if (*len == 0 || warn_cert_decode(cert, *len, c) != WARN_OK) {
		cerr_set(e, CE_INPUT, "%s: not a certificate", path);
		return -1;
	}
	if (c->kind != WCK_ISSUER) {
		cerr_set(e, CE_INPUT, "%s: a node certificate, not an issuer's", path);
		return -1;
	}
	return 0;
}

int
warns_cert_save(const char *dir, const uint8_t *cert, size_t len, struct cerr *e)
{
	char path[4096];

	if (warns_path(path, sizeof path, dir, WARNS_CERT_FILE, e) == -1)
		return -1;
	return warns_file_write(path, cert, len, 0644, e);
}

int
warns_when(const char *s, uint64_t now_ms, uint64_t *ms)
{
	char		 buf[WARN_TIME_LEN + 1], *end;
	unsigned long	 n;
	uint64_t	 unit;
	int		 tz;

	if (strlen(s) == 10 && s[4] == '-' && s[7] == '-') {
		snprintf(buf, sizeof buf, "%sT23:59:59-00:00", s);
		return warn_time_parse(buf, ms, &tz);
	}
	if (strchr(s, 'T') != NULL)
		return warn_time_parse(s, ms, &tz);
	if (*s < '1' || *s > '9')
		return -1;
	errno = 0;
	n = strtoul(s, &end, 10);
	if (errno != 0 || n > 10000000)
		return -1;
	switch (*end) {
	case 's': unit = 1; break;
	case 'm': unit = 60; break;
	case 'h': unit = 3600; break;
	case 'd': unit = 86400; break;
	default: return -1;
	}
	if (end[1] != '\0')
		return -1;
	*ms = (now_ms / 1000 + (uint64_t)n * unit) * 1000;
	return 0;
}

int
warns_tz_min(uint64_t ms)
{
	struct tm	tm;
	time_t		t = (time_t)(ms / 1000);
	long		off;

	if (localtime_r(&t, &tm) == NULL)
		return 0;
	off = tm.tm_gmtoff / 60;
	return off < -720 || off > 840 ? 0 : (int)off;
}

int
warns_split(const char *s, char *slots, int n, size_t width)
{
	const char	*p = s, *comma;
	size_t		 len;
	int		 k = 0;

	for (;;) {
		comma = strchr(p, ',');
		len = comma != NULL ? (size_t)(comma - p) : strlen(p);
		if (k >= n || len == 0 || len >= width)
			return -1;
		memcpy(slots + (size_t)k * width, p, len);
		slots[(size_t)k * width + len] = '\0';
		k++;
		if (comma == NULL)
			return k;
		p = comma + 1;
	}
}

char *
warns_join(char *out, size_t outlen, const char *slots, int n, size_t width)
{
	size_t	len = 0;
	int	i, w;

	out[0] = '\0';
	for (i = 0; i < n && len < outlen; i++) {
		w = snprintf(out + len, outlen - len, "%s%s", i ? "," : "",
		    slots + (size_t)i * width);
		if (w < 0)
			break;
		len += (size_t)w;
	}
	return out;
}
