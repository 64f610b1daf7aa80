/* home.c: see home.h. */
#include "client/home.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <msgpack.h>
#include <sodium.h>

#define HOME_IDENT	"identity"
#define HOME_NODE	"node"
#define HOME_FILE_MAX	4096	/* the identity file is far smaller */
#define HOME_NODES_FILE_MAX	(64 * 1024)	/* HOME_NODES_MAX entries of < 1 KiB */

int
home_init(struct home *h, const char *dir, struct cerr *e)
{
	const char *env;
	int n;

	memset(h, 0, sizeof *h);
	if (dir != NULL && *dir != '\0')
		n = snprintf(h->dir, sizeof h->dir, "%s", dir);
	else if ((env = getenv("YISHI_HOME")) != NULL && *env != '\0')
		n = snprintf(h->dir, sizeof h->dir, "%s", env);
	else if ((env = getenv("HOME")) != NULL && *env != '\0')
		n = snprintf(h->dir, sizeof h->dir, "%s/.yishi", env);
	else {
		cerr_set(e, CE_IO, "no home directory: use --home DIR or set YISHI_HOME");
		return -1;
	}
	if (n < 0 || (size_t)n >= sizeof h->dir) {
		cerr_set(e, CE_IO, "home directory path too long");
		return -1;
	}
	return 0;
}

static int
home_path(const struct home *h, const char *name, char *path, size_t len)
{
	int n;

	n = snprintf(path, len, "%s/%s", h->dir, name);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* mkdir -p, every directory we create private to the user. */
static int
home_mkdir(const struct home *h, struct cerr *e)
{
	char path[PATH_MAX], *p, c;

	snprintf(path, sizeof path, "%s", h->dir);
	for (p = path + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		if (*p == '/' && p[1] == '/')
			continue;
		c = *p;
		*p = '\0';
		if (mkdir(path, 0700) == -1 && errno != EEXIST) {
			cerr_set(e, CE_IO, "cannot create %s: %s", path, strerror(errno));
			return -1;
		}
		if ((*p = c) == '\0')
			break;
	}
	return 0;
}

/*
 * Read file name into buf (cap bytes). 1 and *len on success, 0 if it does not
 * exist, -1 with e set.
 */
static int
home_read(const struct home *h, const char *name, uint8_t *buf, size_t cap, size_t *len,
    struct cerr *e)
{
	char path[PATH_MAX];
	ssize_t n;
	size_t off = 0;
	int fd;

	if (home_path(h, name, path, sizeof path) == -1) {
		cerr_set(e, CE_IO, "home directory path too long");
		return -1;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			return 0;
		cerr_set(e, CE_IO, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	for (;;) {
		n = read(fd, buf + off, cap - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			cerr_set(e, CE_IO, "cannot read %s: %s", path, strerror(errno));
			close(fd);
			return -1;
		}
		if (n == 0)
			break;
		off += (size_t)n;
		if (off == cap) {
			cerr_set(e, CE_IO, "%s: file too large", path);
			close(fd);
			return -1;
		}
	}
	close(fd);
	*len = off;
	return 1;
}

/* Replace file name with data atomically (see home.h), mode 0600. */
static int
home_write(const struct home *h, const char *name, const void *data, size_t len,
    struct cerr *e)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	const uint8_t *p = data;
	ssize_t n;
	int fd, dfd;

	if (home_mkdir(h, e) == -1)
		return -1;
	if (home_path(h, name, path, sizeof path) == -1 ||
	    snprintf(tmp, sizeof tmp, "%s/.%s.%ld.tmp", h->dir, name, (long)getpid()) >=
	    (int)sizeof tmp) {
		cerr_set(e, CE_IO, "home directory path too long");
		return -1;
	}
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) == -1) {
		cerr_set(e, CE_IO, "cannot create %s: %s", tmp, strerror(errno));
		return -1;
	}
	while (len > 0) {
		if ((n = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		p += n;
		len -= (size_t)n;
	}
	if (fsync(fd) == -1)
		goto fail;
	if (close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) == -1)
		goto fail;
	/* The rename is durable only once the directory is synced. */
	if ((dfd = open(h->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		(void)fsync(dfd);
		close(dfd);
	}
	return 0;
fail:
	cerr_set(e, CE_IO, "cannot write %s: %s", path, strerror(errno));
	if (fd != -1)
		close(fd);
	unlink(tmp);
	return -1;
}

/* Value of key in map m if it has type `type`, else NULL. */
static const msgpack_object *
home_map_get(const msgpack_object *m, const char *key, msgpack_object_type type)
{
	const msgpack_object_kv *kv;
	size_t klen = strlen(key);
	uint32_t i;

	for (i = 0; i < m->via.map.size; i++) {
		kv = &m->via.map.ptr[i];
		if (kv->key.type != MSGPACK_OBJECT_STR || kv->key.via.str.size != klen ||
		    memcmp(kv->key.via.str.ptr, key, klen) != 0)
			continue;
		return kv->val.type == type ? &kv->val : NULL;
	}
	return NULL;
}

/* Unpack exactly one map from buf. 0 or -1. */
static int
home_unpack(msgpack_unpacked *up, const uint8_t *buf, size_t len)
{
	size_t off = 0;

	msgpack_unpacked_init(up);
	if (msgpack_unpack_next(up, (const char *)buf, len, &off) != MSGPACK_UNPACK_SUCCESS ||
	    off != len || up->data.type != MSGPACK_OBJECT_MAP) {
		msgpack_unpacked_destroy(up);
		return -1;
	}
	return 0;
}

static void
home_pack_str(msgpack_packer *pk, const char *key, const char *val)
{
	msgpack_pack_str_with_body(pk, key, strlen(key));
	msgpack_pack_str_with_body(pk, val, strlen(val));
}

static void
home_pack_bin(msgpack_packer *pk, const char *key, const void *val, size_t len)
{
	msgpack_pack_str_with_body(pk, key, strlen(key));
	msgpack_pack_bin_with_body(pk, val, len);
}

int
home_ident_exists(const struct home *h)
{
	char path[PATH_MAX];

	if (home_path(h, HOME_IDENT, path, sizeof path) == -1)
		return 0;
	return access(path, F_OK) == 0;
}

int
home_ident_load(const struct home *h, struct ident *id, char *name, size_t namelen,
    struct cerr *e)
{
	uint8_t buf[HOME_FILE_MAX];
	const msgpack_object *sk, *nm;
	msgpack_unpacked up;
	size_t len;
	int rc, ret = -1;

	if ((rc = home_read(h, HOME_IDENT, buf, sizeof buf, &len, e)) <= 0) {
		if (rc == 0)
			cerr_set(e, CE_IDENTITY, "no identity in %s: run `yishi id new --name "
			    "NAME` first", h->dir);
		return -1;
	}
	if (home_unpack(&up, buf, len) == -1) {
		cerr_set(e, CE_IDENTITY, "%s/%s: not a valid identity file", h->dir, HOME_IDENT);
		sodium_memzero(buf, sizeof buf);
		return -1;
	}
	sk = home_map_get(&up.data, "sk", MSGPACK_OBJECT_BIN);
	nm = home_map_get(&up.data, "name", MSGPACK_OBJECT_STR);
	if (sk == NULL || sk->via.bin.size != YISHI_SK_BYTES || nm == NULL ||
	    nm->via.str.size == 0 || nm->via.str.size >= namelen ||
	    ident_from_sk(id, (const uint8_t *)sk->via.bin.ptr) == -1) {
		cerr_set(e, CE_IDENTITY, "%s/%s: not a valid identity file", h->dir, HOME_IDENT);
		goto out;
	}
	memcpy(name, nm->via.str.ptr, nm->via.str.size);
	name[nm->via.str.size] = '\0';
	ret = 0;
out:
	msgpack_unpacked_destroy(&up);
	sodium_memzero(buf, sizeof buf);
	return ret;
}

int
home_ident_save(const struct home *h, const struct ident *id, const char *name,
    struct cerr *e)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	int rc;

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 2);
	home_pack_bin(&pk, "sk", id->sk, sizeof id->sk);
	home_pack_str(&pk, "name", name);
	rc = home_write(h, HOME_IDENT, sb.data, sb.size, e);
	if (sb.data != NULL)
		sodium_memzero(sb.data, sb.alloc);
	msgpack_sbuffer_destroy(&sb);
	return rc;
}

/* Decode one NODE map into n. 0 or -1. */
static int
home_node_decode(const msgpack_object *m, struct home_node *n)
{
	const msgpack_object *url, *node, *role, *cert;

	memset(n, 0, sizeof *n);
	if (m->type != MSGPACK_OBJECT_MAP)
		return -1;
	url = home_map_get(m, "url", MSGPACK_OBJECT_STR);
	node = home_map_get(m, "node", MSGPACK_OBJECT_BIN);
	role = home_map_get(m, "user_role", MSGPACK_OBJECT_STR);
	cert = home_map_get(m, "cert", MSGPACK_OBJECT_BIN);
	if (url == NULL || url->via.str.size == 0 || url->via.str.size >= sizeof n->url ||
	    memchr(url->via.str.ptr, '\0', url->via.str.size) != NULL ||
	    node == NULL || node->via.bin.size != YISHI_PK_BYTES ||
	    role == NULL || role->via.str.size >= sizeof n->role ||
	    cert == NULL || cert->via.bin.size > sizeof n->cert)
		return -1;
	memcpy(n->url, url->via.str.ptr, url->via.str.size);
	memcpy(n->node, node->via.bin.ptr, YISHI_PK_BYTES);
	memcpy(n->role, role->via.str.ptr, role->via.str.size);
	memcpy(n->cert, cert->via.bin.ptr, cert->via.bin.size);
	n->certlen = cert->via.bin.size;
	return 0;
}

static void
home_node_pack(msgpack_packer *pk, const struct home_node *n)
{
	msgpack_pack_map(pk, 4);
	home_pack_str(pk, "url", n->url);
	home_pack_bin(pk, "node", n->node, sizeof n->node);
	home_pack_str(pk, "user_role", n->role);
	home_pack_bin(pk, "cert", n->cert, n->certlen);
}

int
home_nodes_find(const struct home_nodes *ns, const char *url)
{
	size_t i;

	for (i = 0; i < ns->n; i++)
		if (strcmp(ns->v[i].url, url) == 0)
			return (int)i;
	return -1;
}

int
home_nodes_load(const struct home *h, struct home_nodes *ns, struct cerr *e)
{
	const msgpack_object *arr;
	msgpack_unpacked up;
	uint8_t *buf;
	size_t len;
	uint32_t i;
	int rc, ret = -1;

	memset(ns, 0, sizeof *ns);
	if ((buf = malloc(HOME_NODES_FILE_MAX)) == NULL) {
		cerr_set(e, CE_INTERNAL, "out of memory");
		return -1;
	}
	if ((rc = home_read(h, HOME_NODE, buf, HOME_NODES_FILE_MAX, &len, e)) <= 0) {
		free(buf);
		return rc;
	}
	if (home_unpack(&up, buf, len) == -1) {
		free(buf);
		goto bad;
	}
	if ((arr = home_map_get(&up.data, "nodes", MSGPACK_OBJECT_ARRAY)) == NULL) {
		/* The single-node file of old: it becomes the first (default) entry. */
		if (home_node_decode(&up.data, &ns->v[0]) == -1)
			goto out;
		ns->n = 1;
		ret = 0;
		goto out;
	}
	if (arr->via.array.size > HOME_NODES_MAX)
		goto out;
	for (i = 0; i < arr->via.array.size; i++) {
		if (home_node_decode(&arr->via.array.ptr[i], &ns->v[ns->n]) == -1 ||
		    home_nodes_find(ns, ns->v[ns->n].url) != -1)
			goto out;
		ns->n++;
	}
	ret = 0;
out:
	msgpack_unpacked_destroy(&up);
	free(buf);
	if (ret == 0)
		return 0;
	memset(ns, 0, sizeof *ns);
bad:
	cerr_set(e, CE_IO, "%s/%s: not a valid node file (remove it and enroll again)",
	    h->dir, HOME_NODE);
	return -1;
}

static int
home_nodes_save(const struct home *h, const struct home_nodes *ns, struct cerr *e)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	size_t i;
	int rc;

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 1);
	msgpack_pack_str_with_body(&pk, "nodes", 5);
	msgpack_pack_array(&pk, ns->n);
	for (i = 0; i < ns->n; i++)
		home_node_pack(&pk, &ns->v[i]);
	rc = home_write(h, HOME_NODE, sb.data, sb.size, e);
	msgpack_sbuffer_destroy(&sb);
	return rc;
}

/* Take the lock that serialises changes to the node list: an fd, or -1 with e set. */
static int
home_lock(const struct home *h, struct cerr *e)
{
	int fd;

	if (home_mkdir(h, e) == -1)
		return -1;
	if ((fd = open(h->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		cerr_set(e, CE_IO, "cannot open %s: %s", h->dir, strerror(errno));
		return -1;
	}
	while (flock(fd, LOCK_EX) == -1) {
		if (errno == EINTR)
			continue;
		cerr_set(e, CE_IO, "cannot lock %s: %s", h->dir, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int
home_node_equal(const struct home_node *a, const struct home_node *b)
{
	return strcmp(a->url, b->url) == 0 &&
	    memcmp(a->node, b->node, YISHI_PK_BYTES) == 0 &&
	    strcmp(a->role, b->role) == 0 && a->certlen == b->certlen &&
	    memcmp(a->cert, b->cert, a->certlen) == 0;
}

int
home_nodes_put(const struct home *h, const struct home_node *n, int flags,
    struct home_nodes *ns, struct cerr *e)
{
	struct home_node tmp;
	int fd, idx, ret = -1;

	if ((fd = home_lock(h, e)) == -1)
		return -1;
	if (home_nodes_load(h, ns, e) == -1)
		goto out;
	if ((idx = home_nodes_find(ns, n->url)) != -1) {
		if (memcmp(ns->v[idx].node, n->node, YISHI_PK_BYTES) != 0 &&
		    !(flags & HOME_NODES_REPIN)) {
			cerr_set(e, CE_NODE_MISMATCH, "node at %s: another key was pinned for "
			    "it meanwhile; refusing", n->url);
			goto out;
		}
		if (home_node_equal(&ns->v[idx], n) &&
		    (idx == 0 || !(flags & HOME_NODES_DEFAULT))) {
			ret = 0;
			goto out;
		}
		ns->v[idx] = *n;
	} else {
		if (ns->n == HOME_NODES_MAX) {
			cerr_set(e, CE_INPUT, "already enrolled with %d nodes, the most a home "
			    "keeps", HOME_NODES_MAX);
			goto out;
		}
		idx = (int)ns->n;
		ns->v[ns->n++] = *n;
	}
	if ((flags & HOME_NODES_DEFAULT) && idx != 0) {
		tmp = ns->v[idx];
		memmove(&ns->v[1], &ns->v[0], (size_t)idx * sizeof ns->v[0]);
		ns->v[0] = tmp;
	}
	ret = home_nodes_save(h, ns, e);
out:
	close(fd);	/* releases the lock */
	return ret;
}
