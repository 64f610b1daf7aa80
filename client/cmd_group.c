/* cmd_group.c: `yishi group ...` and `yishi join`: groups and membership. */
#include "client/cmd.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "client/groups.h"
#include "client/keyring.h"
#include "proto/log.h"

/* Resolve the group named by arg and log in to the node that hosts it. */
static struct session *
cmd_group_open(struct cmd *c, struct account *a, const char *arg, struct groups_entry *g)
{
	struct session *s;

	if (cmd_account(c, a) == -1)
		return NULL;
	if ((s = groups_open(a, arg, g, &c->err)) == NULL) {
		account_wipe(a);
		return NULL;
	}
	return s;
}

int
cmd_group_create(struct cmd *c)
{
	struct account a;
	struct session *s = NULL;
	struct wire_frame *f = NULL;
	struct wire_rec req;
	struct json j;
	uint8_t gid[YISHI_GID_BYTES], salt[YISHI_SALT_BYTES], key[YISHI_KEY_BYTES];
	uint8_t box[YISHI_KEYBOX_BYTES];
	char hex[YISHI_GID_BYTES * 2 + 1];
	const char *name = c->argv[0], *p;
	int ret = -1;

	if (strlen(name) == 0 || strlen(name) > WIRE_MAX_NAME) {
		cerr_set(&c->err, CE_INPUT, "group name must be 1 to %d bytes", WIRE_MAX_NAME);
		return -1;
	}
	if (c->area == NULL) {
		cerr_set(&c->err, CE_USAGE, "group create: --area CODE is required");
		return -1;
	}
	for (p = c->area; isdigit((unsigned char)*p); p++)
		;
	if (*p != '\0' || p == c->area || strlen(c->area) > WIRE_MAX_AREA) {
		cerr_set(&c->err, CE_INPUT, "%s: an area code is 1 to %d digits", c->area,
		    WIRE_MAX_AREA);
		return -1;
	}
	if (cmd_account(c, &a) == -1)
		return -1;
	if ((s = account_connect(&a, NULL, ACCOUNT_LOGIN, NULL, &c->err)) == NULL)
		goto out;

	/*
	 * The id binds us as founder, the root every member checks the moderation log
	 * from. The creator holds epoch 1's key first: boxed to itself, kept by the node.
	 */
	randombytes_buf(salt, sizeof salt);
	group_id_derive(a.me.pk, salt, gid);
	epoch_key_new(key);
	if (keybox_seal(&a.me, a.me.pk, gid, 1, key, box) == -1) {
		cerr_set(&c->err, CE_INTERNAL, "cannot box the group key");
		goto out;
	}
	wire_rec_init(&req, &wire_kinds[WK_GROUP_CREATE]);
	wire_set_bin(&req, WF_GROUP, gid, sizeof gid);
	wire_set_bin(&req, WF_SALT, salt, sizeof salt);
	wire_set_str(&req, WF_NAME, name);
	wire_set_str(&req, WF_AREA, c->area);
	if (c->approval)
		wire_set_bool(&req, WF_APPROVAL, 1);
	wire_set_bin(&req, WF_BOX, box, sizeof box);
	if ((f = session_call(s, WK_GROUP_CREATE, &req, WK_JOINED, &c->err)) == NULL)
		goto out;
	if (memcmp(f->r.f[WF_GROUP].p, gid, sizeof gid) != 0) {
		cerr_set(&c->err, CE_PROTOCOL, "node created a different group than asked");
		goto out;
	}
	hex_encode(hex, gid, sizeof gid);
	if (c->json) {
		json_begin(&j);
		json_str(&j, "group_id", hex);
		(void)json_end(&j, stdout);
	} else
		printf("%s\n", hex);
	ret = 0;
out:
	sodium_memzero(key, sizeof key);
	session_frame_free(f);
	session_free(s);
	account_wipe(&a);
	return ret;
}

/* Print the groups of one node (node: its url, for the output). */
static void
cmd_group_list_node(const struct cmd *c, const struct groups *g, const char *node,
    int many)
{
	const struct groups_entry *ge;
	struct json j;
	char name[WIRE_MAX_NAME * 3 + 1], founder[YISHI_PK_BYTES * 2 + 1];
	size_t i;

	for (i = 0; i < g->n; i++) {
		ge = &g->v[i];
		if (c->json) {
			json_begin(&j);
			json_str(&j, "group_id", ge->hex);
			json_str(&j, "name", ge->name);
			json_str(&j, "node", node);
			json_str(&j, "area", ge->area);
			json_str(&j, "role", ge->role);
			json_str(&j, "state", ge->state);
			json_uint(&j, "members", ge->count);
			json_uint(&j, "epoch", ge->epoch);
			json_bool(&j, "approval", ge->approval);
			json_uint(&j, "pinned", ge->pinned);
			json_uint(&j, "slow", ge->slow);
			json_bool(&j, "announce_only", ge->announce_only);
			json_str(&j, "invite_policy", ge->invite_mods ? "moderators" : "members");
			hex_encode(founder, ge->founder, sizeof ge->founder);
			json_str(&j, "founder", founder);
			json_bool(&j, "founder_verified", ge->rooted);
			(void)json_end(&j, stdout);
			continue;
		}
		printf("%s  %s  area %s  %s, %s  %llu members  epoch %u%s", ge->hex,
		    cmd_plain(name, sizeof name, ge->name), ge->area, ge->role, ge->state,
		    (unsigned long long)ge->count, ge->epoch, ge->approval ? "  (approval)" : "");
		if (ge->pinned != 0)
			printf("  pinned #%llu", (unsigned long long)ge->pinned);
		if (ge->slow != 0)
			printf("  slow %llus", (unsigned long long)ge->slow);
		if (ge->announce_only)
			printf("  announce-only");
		if (ge->invite_mods)
			printf("  invites: moderators");
		if (!ge->rooted)
			printf("  (founder does not match the group id!)");
		if (many)
			printf("  on %s", node);
		printf("\n");
	}
	fflush(stdout);
}

/*
 * The groups of every node (of --node's only). A node that does not answer is
 * reported and the others still listed; the command then fails with its error.
 */
int
cmd_group_list(struct cmd *c)
{
	struct account a;
	struct session *s;
	struct groups g;
	struct cerr ne;
	char urls[HOME_NODES_MAX][sizeof a.node.url];
	size_t i, n;
	int ret = 0;

	if (cmd_account(c, &a) == -1)
		return -1;
	if (!a.enrolled || a.chosen) {
		n = 1;
		snprintf(urls[0], sizeof urls[0], "%s", a.node.url);
	} else {
		/* Connecting rewrites a.nodes: walk a copy of the addresses. */
		for (n = 0; n < a.nodes.n; n++)
			snprintf(urls[n], sizeof urls[n], "%s", a.nodes.v[n].url);
	}
	for (i = 0; i < n; i++) {
		memset(&ne, 0, sizeof ne);
		if ((s = account_connect(&a, a.enrolled ? urls[i] : NULL, ACCOUNT_LOGIN, NULL,
		    &ne)) == NULL || groups_fetch(&g, s, &ne) == -1) {
			session_free(s);
			if (n == 1)
				c->err = ne;
			else if (ret == 0)
				cerr_set(&c->err, ne.code, "%s: %s (not listed: that node's groups)",
				    urls[i], ne.msg);
			else
				fprintf(stderr, "yishi: %s: %s (not listed: that node's groups)\n",
				    urls[i], ne.msg);
			ret = -1;
			if (ne.code == CE_INTERRUPTED)
				break;
			continue;
		}
		cmd_group_list_node(c, &g, urls[i], n > 1);
		groups_free(&g);
		session_free(s);
	}
	account_wipe(&a);
	return ret;
}

int
cmd_group_members(struct cmd *c)
{
	struct account a;
	struct session *s;
	struct groups_entry g;
	struct groups_members gm;
	const struct groups_member *m;
	struct json j;
	char user[YISHI_PK_BYTES * 2 + 1], pname[WIRE_MAX_NAME * 3 + 1], when[32];
	char prole[52], psrole[52], pstate[52];
	uint64_t now = cmd_now_ms();
	size_t i;
	int ret = -1;

	if ((s = cmd_group_open(c, &a, c->argv[0], &g)) == NULL)
		return -1;
	if (groups_members_fetch(&gm, s, g.gid, &c->err) == -1)
		goto out;
	for (i = 0; i < gm.n; i++) {
		m = &gm.v[i];
		hex_encode(user, m->user, YISHI_PK_BYTES);
		if (c->json) {
			json_begin(&j);
			json_str(&j, "user_id", user);
			json_str(&j, "name", m->name);
			json_str(&j, "role", m->role);
			json_str(&j, "station_role", m->srole);
			json_str(&j, "state", m->state);
			json_uint(&j, "muted_until", m->muted_until);
			json_bool(&j, "muted", m->muted_until > now);
			(void)json_end(&j, stdout);
			continue;
		}
		printf("%s  %s  %s (%s)  %s", user, cmd_plain(pname, sizeof pname, m->name),
		    cmd_plain(prole, sizeof prole, m->role), cmd_plain(psrole, sizeof psrole,
		    m->srole), cmd_plain(pstate, sizeof pstate, m->state));
		if (m->muted_until > now)
			printf("  muted until %s", cmd_time(when, sizeof when, m->muted_until));
		printf("\n");
	}
	groups_members_free(&gm);
	ret = 0;
out:
	session_free(s);
	account_wipe(&a);
	return ret;
}

int
cmd_group_invite(struct cmd *c)
{
	struct account a;
	struct session *s;
	struct groups_entry g;
	struct wire_frame *f;
	struct wire_rec req;
	struct json j;
	char token[16 * 2 + 1], link[400];
	int ret = -1;

	if ((s = cmd_group_open(c, &a, c->argv[0], &g)) == NULL)
		return -1;
	wire_rec_init(&req, &wire_kinds[WK_INVITE_CREATE]);
	wire_set_bin(&req, WF_GROUP, g.gid, sizeof g.gid);
	if ((f = session_call(s, WK_INVITE_CREATE, &req, WK_INVITE, &c->err)) == NULL)
		goto out;
	hex_encode(token, f->r.f[WF_TOKEN].p, 16);
	session_frame_free(f);
	/* The link names the node as HOST:PORT; a join turns it back into ws://. */
	snprintf(link, sizeof link, "http://%s/join/%s",
	    session_url(s)->canon + strlen("ws://"), token);
	if (c->json) {
		json_begin(&j);
		json_str(&j, "link", link);
		(void)json_end(&j, stdout);
	} else
		printf("%s\n", link);
	ret = 0;
out:
	session_free(s);
	account_wipe(&a);
	return ret;
}

/* Split "http://HOST:PORT/join/TOKENHEX" into a node URL and the token. */
static int
cmd_group_parse_link(const char *link, char *url, size_t urllen, uint8_t token[16],
    struct cerr *e)
{
	const char *p, *q;
	char hex[16 * 2 + 2];
	size_t n;

	if (strncmp(link, "http://", 7) != 0 || (p = strstr(link + 7, "/join/")) == NULL)
		goto bad;
	q = p + strlen("/join/");
	n = strlen(q);
	if (n > 0 && q[n - 1] == '/')
		n--;
	if (n != 32)
		goto bad;
	memcpy(hex, q, n);
	hex[n] = '\0';
	if (hex_decode(token, 16, hex) == -1)
		goto bad;
	if ((size_t)snprintf(url, urllen, "ws://%.*s", (int)(p - link - 7), link + 7) >= urllen)
		goto bad;
	return 0;
bad:
	cerr_set(e, CE_INPUT, "%s: not an invite link (http://HOST:PORT/join/TOKEN)", link);
	return -1;
}

int
cmd_group_join(struct cmd *c)
{
	struct account a;
	struct session *s = NULL;
	struct session_url u;
	struct wire_frame *f = NULL;
	struct wire_rec req;
	struct json j;
	uint8_t token[16];
	char url[300], gid[YISHI_GID_BYTES * 2 + 1], name[WIRE_MAX_NAME + 1];
	char pname[WIRE_MAX_NAME * 3 + 1], state[17], pstate[52];
	enum account_mode mode;
	int ret = -1;

	if (cmd_group_parse_link(c->argv[0], url, sizeof url, token, &c->err) == -1 ||
	    session_url_parse(url, &u, &c->err) == -1)
		return -1;
	if (cmd_account(c, &a) == -1)
		return -1;
	/*
	 * A link to a node new to us: become a resident there first. It joins the
	 * home's nodes; the default node stays as it was.
	 */
	mode = home_nodes_find(&a.nodes, u.canon) != -1 ? ACCOUNT_LOGIN : ACCOUNT_REGISTER;
	if ((s = account_connect(&a, u.canon, mode, NULL, &c->err)) == NULL)
		goto out;
	wire_rec_init(&req, &wire_kinds[WK_JOIN]);
	wire_set_bin(&req, WF_TOKEN, token, sizeof token);
	if ((f = session_call(s, WK_JOIN, &req, WK_JOINED, &c->err)) == NULL)
		goto out;
	hex_encode(gid, f->r.f[WF_GROUP].p, YISHI_GID_BYTES);
	wire_str(&f->r, WF_NAME, name, sizeof name);
	wire_str(&f->r, WF_STATE, state, sizeof state);
	if (c->json) {
		json_begin(&j);
		json_str(&j, "group_id", gid);
		json_str(&j, "name", name);
		json_str(&j, "state", state);
		(void)json_end(&j, stdout);
	} else
		printf("%s %s: %s%s\n", gid, cmd_plain(pname, sizeof pname, name),
		    cmd_plain(pstate, sizeof pstate, state),
		    strcmp(state, "pending") == 0 ? " (waiting for a moderator's approval)" :
		    "");
	ret = 0;
out:
	session_frame_free(f);
	session_free(s);
	account_wipe(&a);
	return ret;
}
