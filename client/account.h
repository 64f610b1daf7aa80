/*
 * account.h: the user's identity and standing with a node: loading them from the
 * home directory, connecting, logging in or registering, pinning the node's key.
 *
 * A home may be enrolled with several nodes (home.h); each first contact (enroll,
 * or join with a link to a new node) pins that node's public key in the node file;
 * every later connection to the same address must present the same key, or the
 * client refuses: a different key means another machine is answering.
 */
#ifndef YISHI_CLIENT_ACCOUNT_H
#define YISHI_CLIENT_ACCOUNT_H

#include <signal.h>

#include "client/cerr.h"
#include "client/home.h"
#include "client/session.h"
#include "proto/crypto.h"
#include "proto/wire.h"

struct account {
	struct home		home;
	struct ident		me;
	char			name[WIRE_MAX_NAME + 1];
	struct home_nodes	nodes;		/* enrolled nodes, nodes.v[0] the default */
	/*
	 * The node in use: after loading the default one (or the one account_use
	 * chose), after account_connect the one it connected to.
	 */
	struct home_node	node;
	int			enrolled;	/* nodes.n > 0, so node is valid */
	int			chosen;		/* node was chosen with account_use */
	int			repin;		/* accept a changed node key (enroll --force) */
	const volatile sig_atomic_t *stop;	/* passed to sessions */
};

/* Load identity (required) and node file (optional) from the home directory. */
int	 account_load(struct account *a, const char *homedir, struct cerr *e)
	    __attribute__((warn_unused_result));
/* Wipe the secret key. */
void	 account_wipe(struct account *a);

/*
 * Make the enrolled node at url (any ws:// form) the node in use, for commands
 * given --node URL. -1 with e set (CE_NOT_ENROLLED if the home does not know it).
 */
int	 account_use(struct account *a, const char *url, struct cerr *e)
	    __attribute__((warn_unused_result));

enum account_mode {
	ACCOUNT_LOGIN,		/* log in; an unknown user is an error */
	ACCOUNT_REGISTER,	/* register (with code: as station admin), else log in */
	ACCOUNT_ENROLL,		/* as ACCOUNT_REGISTER, and make the node the default */
};

/*
 * Connect to url (NULL: a->node), check the key pinned for that address, and log
 * in or register as mode says. The node's entry in the node file (url, key,
 * verified role) is added or updated when it is new or changed; a->node becomes
 * that entry. Then boxes the keys other members need (failures there are only
 * logged). Returns the logged-in session, or NULL with e set.
 */
struct session	*account_connect(struct account *a, const char *url, enum account_mode mode,
		    const char *code, struct cerr *e) __attribute__((warn_unused_result));

#endif
