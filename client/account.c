/* account.c: see account.h. */
#include "client/account.h"

#include <stdio.h>
#include <string.h>

#include "client/keyring.h"
#include "proto/log.h"

int
account_load(struct account *a, const char *homedir, struct cerr *e)
{
	memset(a, 0, sizeof *a);
	if (home_init(&a->home, homedir, e) == -1)
		return -1;
	if (home_ident_load(&a->home, &a->me, a->name, sizeof a->name, e) == -1)
		return -1;
	if (home_nodes_load(&a->home, &a->nodes, e) == -1) {
		account_wipe(a);
		return -1;
	}
	if ((a->enrolled = a->nodes.n > 0))
		a->node = a->nodes.v[0];
	return 0;
}

int
account_use(struct account *a, const char *url, struct cerr *e)
{
	struct session_url u;
	int idx;

	if (session_url_parse(url, &u, e) == -1)
		return -1;
	if ((idx = home_nodes_find(&a->nodes, u.canon)) == -1) {
		cerr_set(e, CE_NOT_ENROLLED, "not enrolled with %s: run `yishi enroll --node "
		    "%s` first (`yishi id show` lists your nodes)", u.canon, u.canon);
		return -1;
	}
	a->node = a->nodes.v[idx];
	a->chosen = 1;
	return 0;
}

void
account_wipe(struct account *a)
{
	ident_wipe(&a->me);
}

/* Refuse a node whose key differs from the one pinned for the same address. */
static int
account_check_pin(const struct account *a, const char *canon, const uint8_t *node_pk,
    struct cerr *e)
{
	char got[YISHI_PK_BYTES * 2 + 1], want[YISHI_PK_BYTES * 2 + 1];
	int idx;

	if ((idx = home_nodes_find(&a->nodes, canon)) == -1 || a->repin ||
	    memcmp(a->nodes.v[idx].node, node_pk, YISHI_PK_BYTES) == 0)
		return 0;
	hex_encode(got, node_pk, YISHI_PK_BYTES);
	hex_encode(want, a->nodes.v[idx].node, YISHI_PK_BYTES);
	cerr_set(e, CE_NODE_MISMATCH, "node at %s presents key %.16s..., not the pinned "
	    "%.16s...: possible impersonation, refusing (if the station really changed "
	    "its key, run `yishi enroll --node %s --force`)", canon, got, want, canon);
	return -1;
}

/* Send register (with an optional enrollment code) or login, return the reply. */
static struct wire_frame *
account_hello(struct account *a, struct session *s, enum wire_kind k, const char *code,
    struct cerr *e)
{
	const struct wire_frame *ch = session_challenge(s);
	uint8_t sig[YISHI_SIG_BYTES];
	struct wire_rec req;

	auth_sign(&a->me, ch->r.f[WF_NODE].p, ch->r.f[WF_CHALLENGE].p, sig);
	wire_rec_init(&req, &wire_kinds[k]);
	wire_set_bin(&req, WF_USER, a->me.pk, YISHI_PK_BYTES);
	wire_set_bin(&req, WF_SIG, sig, sizeof sig);
	if (k == WK_REGISTER) {
		wire_set_str(&req, WF_NAME, a->name);
		if (code != NULL)
			wire_set_str(&req, WF_ENROLL, code);
	}
	return session_call(s, k, &req, WK_WELCOME, e);
}

/* Check the welcome's certificate and record what it says in the node file. */
static int
account_welcome(struct account *a, struct session *s, const struct wire_frame *w,
    enum account_mode mode, struct cerr *e)
{
	const struct wire_frame *ch = session_challenge(s);
	const uint8_t *node_pk = ch->r.f[WF_NODE].p;
	const struct wire_val *cert = &w->r.f[WF_CERT];
	const char *canon = session_url(s)->canon;
	struct home_node n;
	struct role_cert rc;
	int idx, flags;

	if (memcmp(w->r.f[WF_USER].p, a->me.pk, YISHI_PK_BYTES) != 0 ||
	    cert->len > sizeof n.cert ||
	    cert_role_verify(node_pk, cert->p, cert->len, &rc) == -1 ||
	    memcmp(rc.user, a->me.pk, YISHI_PK_BYTES) != 0 ||
	    memcmp(rc.node, node_pk, YISHI_PK_BYTES) != 0) {
		cerr_set(e, CE_PROTOCOL, "node at %s sent a role certificate that does not "
		    "verify", canon);
		return -1;
	}
	memset(&n, 0, sizeof n);
	snprintf(n.url, sizeof n.url, "%s", canon);
	memcpy(n.node, node_pk, YISHI_PK_BYTES);
	snprintf(n.role, sizeof n.role, "%s", rc.role);
	memcpy(n.cert, cert->p, cert->len);
	n.certlen = cert->len;
	flags = (mode == ACCOUNT_ENROLL ? HOME_NODES_DEFAULT : 0) |
	    (a->repin ? HOME_NODES_REPIN : 0);
	idx = home_nodes_find(&a->nodes, n.url);
	/* Most logins change nothing: no lock, no write. */
	if (idx == -1 || !home_node_equal(&a->nodes.v[idx], &n) ||
	    ((flags & HOME_NODES_DEFAULT) && idx != 0)) {
		if (home_nodes_put(&a->home, &n, flags, &a->nodes, e) == -1)
			return -1;
	}
	a->node = n;
	a->enrolled = 1;
	return 0;
}

struct session *
account_connect(struct account *a, const char *url, enum account_mode mode,
    const char *code, struct cerr *e)
{
	struct session *s;
	struct wire_frame *w;
	struct cerr derr;
	char inuse[sizeof a->node.url];

	if (url == NULL) {
		if (!a->enrolled) {
			cerr_set(e, CE_NOT_ENROLLED, "not enrolled with a node: run `yishi "
			    "enroll --node ws://HOST:PORT` or `yishi join LINK` first");
			return NULL;
		}
		/* a->node is replaced once logged in: keep the address apart. */
		snprintf(inuse, sizeof inuse, "%s", a->node.url);
		url = inuse;
	}
	if ((s = session_open(url, a->stop, e)) == NULL)
		return NULL;
	if (account_check_pin(a, session_url(s)->canon,
	    session_challenge(s)->r.f[WF_NODE].p, e) == -1)
		goto fail;

	if (mode == ACCOUNT_REGISTER || mode == ACCOUNT_ENROLL) {
		w = account_hello(a, s, WK_REGISTER, code, e);
		/* Registered before: enrolling again is logging in (and refreshing). */
		if (w == NULL && e->code == WE_EXISTS)
			w = account_hello(a, s, WK_LOGIN, NULL, e);
	} else {
		w = account_hello(a, s, WK_LOGIN, NULL, e);
		if (w == NULL && e->code == WE_AUTH_FAILED)
			cerr_set(e, WE_AUTH_FAILED, "node at %s does not know this identity "
			    "(enroll again?)", session_url(s)->canon);
	}
	if (w == NULL)
		goto fail;
	if (account_welcome(a, s, w, mode, e) == -1) {
		session_frame_free(w);
		goto fail;
	}
	session_frame_free(w);

	/* Another member may be waiting for a key only we can give. */
	if (keyring_distribute_all(s, &a->me, &derr) == -1)
		log_debug("key distribution: %s", derr.msg);
	return s;
fail:
	session_free(s);
	return NULL;
}
