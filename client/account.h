/*
 * account.h: the user's identity and standing with a node: loading them from the
 * home directory, connecting, logging in or registering, pinning the node's key.
 *
 * The first contact with a node (enroll or join) pins its public key in the node
 * file; every later connection to the same address must present the same key, or
 * the client refuses: a different key means another machine is answering.
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
	struct home_node	node;
	int			enrolled;	/* node is valid */
	const volatile sig_atomic_t *stop;	/* passed to sessions */
};

/* Load identity (required) and node file (optional) from the home directory. */
int	 account_load(struct account *a, const char *homedir, struct cerr *e)
	    __attribute__((warn_unused_result));
/* Wipe the secret key. */
void	 account_wipe(struct account *a);

enum account_mode {
	ACCOUNT_LOGIN,		/* log in; an unknown user is an error */
	ACCOUNT_REGISTER,	/* register (with code: as station admin), else log in */
};

/*
 * Connect to url (NULL: the enrolled node), check the pinned key, and log in or
 * register as mode says. After registering, or when the certificate changed, the
 * node file is rewritten with url, the node's key, and the verified role. Then
 * boxes the keys other members need (failures there are only logged). Returns the
 * logged-in session, or NULL with e set.
 */
struct session	*account_connect(struct account *a, const char *url, enum account_mode mode,
		    const char *code, struct cerr *e) __attribute__((warn_unused_result));

#endif
