/*
 * home.h: the client's state directory.
 *
 * The directory (--home, else $YISHI_HOME, else $HOME/.yishi; mode 0700) holds
 *     identity	msgpack {"sk": BIN64, "name": STR}		the user's secret key
 *     node	msgpack {"nodes": [NODE, ...]}, NODE being
 *		{"url": STR, "node": BIN32, "user_role": STR, "cert": BIN}:
 *		the nodes the user is enrolled with (a resident may belong to groups
 *		of several stations), each with its pinned public key and the role
 *		certificate it issued. The first is the default node: the one
 *		commands that are not about a group talk to. A file of one bare NODE
 *		(before homes knew several nodes) is read as a list of one.
 * Plain files, not LMDB: DESIGN.md layers client/ on proto/ and libwebsockets only,
 * and two small records need neither transactions nor indexes. Each file is
 * replaced atomically (temporary file, fsync, rename, fsync of the directory), so a
 * crash leaves the old or the new version, never a torn one; the node list is
 * changed under a lock on the directory (flock), re-read first, so two commands
 * enrolling at once do not lose each other's node. Epoch keys are not kept here:
 * the node stores them boxed to us and they are fetched when needed.
 */
#ifndef YISHI_CLIENT_HOME_H
#define YISHI_CLIENT_HOME_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "client/cerr.h"
#include "proto/crypto.h"
#include "proto/wire.h"

struct home {
	char	dir[PATH_MAX];
};

struct home_node {
	char	url[300];			/* canonical "ws://HOST:PORT" */
	uint8_t	node[YISHI_PK_BYTES];		/* pinned node public key */
	char	role[YISHI_ROLE_MAX + 1];	/* station role from the certificate */
	uint8_t	cert[YISHI_CERT_MAX];
	size_t	certlen;
};

/*
 * Choose the directory: dir if not NULL, else $YISHI_HOME, else $HOME/.yishi. Nothing
 * is created until something is saved. -1 with e set if no directory can be named.
 */
int	 home_init(struct home *h, const char *dir, struct cerr *e)
	    __attribute__((warn_unused_result));

/* 1 if an identity file exists, 0 if not. */
int	 home_ident_exists(const struct home *h);
/*
 * Load the identity into id and its display name into name (WIRE_MAX_NAME + 1
 * bytes). -1 with e set (CE_IDENTITY if there is none). The caller wipes id.
 */
int	 home_ident_load(const struct home *h, struct ident *id, char *name, size_t namelen,
	    struct cerr *e) __attribute__((warn_unused_result));
/* Save id and name, replacing any previous identity; creates the directory. */
int	 home_ident_save(const struct home *h, const struct ident *id, const char *name,
	    struct cerr *e) __attribute__((warn_unused_result));

#define HOME_NODES_MAX	16	/* nodes one home may be enrolled with */

struct home_nodes {
	struct home_node	v[HOME_NODES_MAX];	/* v[0]: the default node */
	size_t			n;
};

/* Load the node list into ns (ns->n == 0 if there is none). -1 with e set. */
int	 home_nodes_load(const struct home *h, struct home_nodes *ns, struct cerr *e)
	    __attribute__((warn_unused_result));
/* 1 if a and b say the same (url, key, role, certificate), else 0. */
int	 home_node_equal(const struct home_node *a, const struct home_node *b);
/* The index of the node whose canonical url is url, or -1. */
int	 home_nodes_find(const struct home_nodes *ns, const char *url);

#define HOME_NODES_DEFAULT	0x1	/* make the node the default */
#define HOME_NODES_REPIN	0x2	/* accept a changed node key for its url */

/*
 * Record n (by its url) under the directory lock: re-read the list, replace the
 * entry with n's url or append n (CE_INPUT if the list is full), move it first
 * with HOME_NODES_DEFAULT, and save if anything changed. An entry pinning another
 * key is replaced only with HOME_NODES_REPIN, else CE_NODE_MISMATCH. On success
 * ns holds the list as saved.
 */
int	 home_nodes_put(const struct home *h, const struct home_node *n, int flags,
	    struct home_nodes *ns, struct cerr *e) __attribute__((warn_unused_result));

#endif
