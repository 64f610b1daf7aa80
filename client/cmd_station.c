/*
 * cmd_station.c: `yishi enroll` and `yishi role grant`: standing with a station.
 * Enrolling adds the node to the home's nodes (or refreshes it) and makes it the
 * default one.
 */
#include "client/cmd.h"

#include <stdio.h>
#include <string.h>

/* Station roles a role certificate may name (DESIGN.md, "Identities and trust"). */
static const char *const cmd_station_roles[] = {
	"resident", "police", "auxiliary", "grid", "mediator", "admin",
};

int
cmd_station_enroll(struct cmd *c)
{
	struct account a;
	struct session *s;
	struct json j;
	char hex[YISHI_PK_BYTES * 2 + 1];

	if (c->node == NULL) {
		cerr_set(&c->err, CE_USAGE, "enroll: --node ws://HOST:PORT is required");
		return -1;
	}
	/* Not cmd_account: --node here names a node that may be new to us. */
	if (account_load(&a, c->home, &c->err) == -1)
		return -1;
	a.stop = c->stop;
	a.repin = c->force;
	if ((s = account_connect(&a, c->node, ACCOUNT_ENROLL, c->code, &c->err)) == NULL) {
		account_wipe(&a);
		return -1;
	}
	hex_encode(hex, a.me.pk, sizeof a.me.pk);
	if (c->json) {
		json_begin(&j);
		json_str(&j, "user_id", hex);
		json_str(&j, "role", a.node.role);
		json_str(&j, "node", a.node.url);
		(void)json_end(&j, stdout);
	} else
		printf("%s\n", a.node.role);
	session_free(s);
	account_wipe(&a);
	return 0;
}

int
cmd_station_role_grant(struct cmd *c)
{
	struct account a;
	struct session *s = NULL;
	struct wire_frame *f = NULL;
	const struct wire_val *cert;
	struct role_cert rc;
	struct wire_rec req;
	struct json j;
	uint8_t user[YISHI_PK_BYTES];
	char hex[YISHI_PK_BYTES * 2 + 1];
	const char *role = c->argv[1];
	size_t i;
	int ret = -1;

	if (hex_decode(user, sizeof user, c->argv[0]) == -1) {
		cerr_set(&c->err, CE_INPUT, "%s: not a user id (64 hex digits)", c->argv[0]);
		return -1;
	}
	hex_encode(hex, user, sizeof user);
	for (i = 0; i < sizeof cmd_station_roles / sizeof cmd_station_roles[0]; i++)
		if (strcmp(role, cmd_station_roles[i]) == 0)
			break;
	if (i == sizeof cmd_station_roles / sizeof cmd_station_roles[0]) {
		cerr_set(&c->err, CE_INPUT, "%s: not a role (resident, police, auxiliary, "
		    "grid, mediator, admin)", role);
		return -1;
	}
	if (cmd_account(c, &a) == -1)
		return -1;
	if ((s = account_connect(&a, NULL, ACCOUNT_LOGIN, NULL, &c->err)) == NULL)
		goto out;
	wire_rec_init(&req, &wire_kinds[WK_ROLE_GRANT]);
	wire_set_bin(&req, WF_USER, user, sizeof user);
	wire_set_str(&req, WF_ROLE, role);
	if ((f = session_call(s, WK_ROLE_GRANT, &req, WK_OK, &c->err)) == NULL)
		goto out;
	/* The certificate is the grantee's proof; check the node issued what we asked. */
	cert = &f->r.f[WF_CERT];
	if (cert->present && (cert_role_verify(session_challenge(s)->r.f[WF_NODE].p,
	    cert->p, cert->len, &rc) == -1 || memcmp(rc.user, user, sizeof user) != 0 ||
	    strcmp(rc.role, role) != 0)) {
		cerr_set(&c->err, CE_PROTOCOL, "node issued a certificate that does not match "
		    "the grant");
		goto out;
	}
	if (c->json) {
		json_begin(&j);
		json_str(&j, "user_id", hex);
		json_str(&j, "role", role);
		(void)json_end(&j, stdout);
	} else
		printf("%s is now %s\n", hex, role);
	ret = 0;
out:
	session_frame_free(f);
	session_free(s);
	account_wipe(&a);
	return ret;
}
