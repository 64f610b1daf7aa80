/* cmd_id.c: `yishi id new` and `yishi id show`: the local identity. */
#include "client/cmd.h"

#include <stdio.h>
#include <string.h>

int
cmd_id_new(struct cmd *c)
{
	struct home h;
	struct ident id;
	struct json j;
	char hex[YISHI_PK_BYTES * 2 + 1];
	size_t len;

	if (c->name == NULL) {
		cerr_set(&c->err, CE_USAGE, "id new: --name NAME is required");
		return -1;
	}
	len = strlen(c->name);
	if (len == 0 || len > WIRE_MAX_NAME) {
		cerr_set(&c->err, CE_INPUT, "name must be 1 to %d bytes", WIRE_MAX_NAME);
		return -1;
	}
	if (home_init(&h, c->home, &c->err) == -1)
		return -1;
	if (home_ident_exists(&h) && !c->force) {
		cerr_set(&c->err, CE_IDENTITY, "an identity already exists in %s (use --force "
		    "to replace it; the old one is lost)", h.dir);
		return -1;
	}
	if (ident_new(&id) == -1) {
		cerr_set(&c->err, CE_INTERNAL, "cannot create keys");
		return -1;
	}
	if (home_ident_save(&h, &id, c->name, &c->err) == -1) {
		ident_wipe(&id);
		return -1;
	}
	hex_encode(hex, id.pk, sizeof id.pk);
	ident_wipe(&id);
	if (c->json) {
		json_begin(&j);
		json_str(&j, "user_id", hex);
		(void)json_end(&j, stdout);
	} else
		printf("%s\n", hex);
	return 0;
}

int
cmd_id_show(struct cmd *c)
{
	struct account a;
	struct json j;
	char hex[YISHI_PK_BYTES * 2 + 1], buf[WIRE_MAX_NAME * 3 + 1];
	char key[YISHI_PK_BYTES * 2 + 1];
	size_t i;

	if (cmd_account(c, &a) == -1)
		return -1;
	hex_encode(hex, a.me.pk, sizeof a.me.pk);
	if (c->json) {
		/* Then one {"record":"node"} line per node, the default first. */
		json_begin(&j);
		json_str(&j, "record", "id");
		json_str(&j, "user_id", hex);
		json_str(&j, "name", a.name);
		json_str(&j, "node", a.enrolled ? a.nodes.v[0].url : NULL);
		json_str(&j, "role", a.enrolled ? a.nodes.v[0].role : NULL);
		json_uint(&j, "nodes", a.nodes.n);
		(void)json_end(&j, stdout);
	} else {
		printf("user_id: %s\nname:    %s\n", hex, cmd_plain(buf, sizeof buf, a.name));
		if (!a.enrolled)
			printf("node:    (not enrolled)\n");
	}
	for (i = 0; i < a.nodes.n; i++) {
		hex_encode(key, a.nodes.v[i].node, sizeof a.nodes.v[i].node);
		if (c->json) {
			json_begin(&j);
			json_str(&j, "record", "node");
			json_str(&j, "node", a.nodes.v[i].url);
			json_str(&j, "role", a.nodes.v[i].role);
			json_str(&j, "node_key", key);
			json_bool(&j, "default", i == 0);
			(void)json_end(&j, stdout);
		} else
			printf("node:    %s  role %s  key %.16s...%s\n", a.nodes.v[i].url,
			    a.nodes.v[i].role, key, i == 0 && a.nodes.n > 1 ? "  (default)" : "");
	}
	account_wipe(&a);
	return 0;
}
