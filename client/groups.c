/* groups.c: see groups.h. */
#include "client/groups.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/log.h"

int
groups_fetch(struct groups *g, struct session *s, struct cerr *e)
{
	struct wire_frame *f;
	const struct wire_val *v;
	struct groups_entry *ge;
	struct wire_rec r;
	uint8_t derived[YISHI_GID_BYTES];
	uint32_t i;

	memset(g, 0, sizeof *g);
	if ((f = session_call(s, WK_GROUP_LIST, NULL, WK_GROUPS, e)) == NULL)
		return -1;
	v = &f->r.f[WF_GROUPS];
	if ((g->v = calloc(v->len ? v->len : 1, sizeof *g->v)) == NULL) {
		session_frame_free(f);
		cerr_set(e, CE_INTERNAL, "out of memory");
		return -1;
	}
	for (i = 0; i < v->len; i++) {
		if (wire_array_get(v, i, &wire_records[WR_GROUP], &r) != WE_OK) {
			session_frame_free(f);
			groups_free(g);
			cerr_set(e, CE_PROTOCOL, "node sent a malformed group record");
			return -1;
		}
		ge = &g->v[g->n++];
		memcpy(ge->gid, r.f[WF_GROUP].p, YISHI_GID_BYTES);
		hex_encode(ge->hex, ge->gid, YISHI_GID_BYTES);
		wire_str(&r, WF_NAME, ge->name, sizeof ge->name);
		wire_str(&r, WF_AREA, ge->area, sizeof ge->area);
		ge->epoch = (uint32_t)wire_u(&r, WF_EPOCH);
		wire_str(&r, WF_ROLE, ge->role, sizeof ge->role);
		wire_str(&r, WF_STATE, ge->state, sizeof ge->state);
		ge->count = wire_u(&r, WF_COUNT);
		ge->approval = wire_u(&r, WF_APPROVAL) != 0;
		memcpy(ge->founder, r.f[WF_FOUNDER].p, YISHI_PK_BYTES);
		memcpy(ge->salt, r.f[WF_SALT].p, YISHI_SALT_BYTES);
		group_id_derive(ge->founder, ge->salt, derived);
		ge->rooted = memcmp(derived, ge->gid, YISHI_GID_BYTES) == 0;
		ge->slow = wire_u(&r, WF_SLOW);
		ge->announce_only = wire_u(&r, WF_ANNOUNCE) != 0;
		ge->invite_mods = wire_u(&r, WF_INVITE_MODS) != 0;
		ge->pinned = wire_u(&r, WF_PINNED);
	}
	session_frame_free(f);
	return 0;
}

void
groups_free(struct groups *g)
{
	free(g->v);
	memset(g, 0, sizeof *g);
}

static int
groups_is_hex_id(const char *arg)
{
	size_t i;

	for (i = 0; arg[i] != '\0'; i++)
		if (!((arg[i] >= '0' && arg[i] <= '9') || (arg[i] >= 'a' && arg[i] <= 'f') ||
		    (arg[i] >= 'A' && arg[i] <= 'F')))
			return 0;
	return i == YISHI_GID_BYTES * 2;
}

int
groups_resolve(struct session *s, const char *arg, struct groups_entry *out,
    struct cerr *e)
{
	struct groups g;
	char ids[400];
	size_t i, n = 0, off = 0;
	int found = -1;

	memset(out, 0, sizeof *out);
	if (groups_fetch(&g, s, e) == -1)
		return -1;
	if (groups_is_hex_id(arg)) {
		if (hex_decode(out->gid, YISHI_GID_BYTES, arg) == -1) {
			groups_free(&g);
			cerr_set(e, CE_INPUT, "%s: not a group id", arg);
			return -1;
		}
		for (i = 0; i < g.n; i++)
			if (memcmp(g.v[i].gid, out->gid, YISHI_GID_BYTES) == 0)
				found = (int)i;
		if (found == -1) {
			hex_encode(out->hex, out->gid, YISHI_GID_BYTES);
			snprintf(out->name, sizeof out->name, "%s", out->hex);
			groups_free(&g);
			return 0;
		}
	} else {
		ids[0] = '\0';
		for (i = 0; i < g.n; i++) {
			if (strcmp(g.v[i].name, arg) != 0)
				continue;
			found = (int)i;
			n++;
			if (off < sizeof ids)
				off += (size_t)snprintf(ids + off, sizeof ids - off, "%s%s",
				    n > 1 ? ", " : "", g.v[i].hex);
		}
		if (n == 0) {
			groups_free(&g);
			cerr_set(e, WE_NOT_FOUND, "no group named \"%s\" among yours (see "
			    "`yishi group list`)", arg);
			return -1;
		}
		if (n > 1) {
			groups_free(&g);
			cerr_set(e, CE_INPUT, "%zu groups are named \"%s\": use an id: %s", n,
			    arg, ids);
			return -1;
		}
	}
	*out = g.v[found];
	groups_free(&g);
	return 0;
}

/* The node urls groups_open asks, in order: the default first. */
static size_t
groups_open_urls(const struct account *a, char (*urls)[sizeof a->node.url])
{
	size_t i;

	if (a->chosen || !a->enrolled) {
		snprintf(urls[0], sizeof urls[0], "%s", a->node.url);
		return 1;
	}
	for (i = 0; i < a->nodes.n; i++)
		snprintf(urls[i], sizeof urls[i], "%s", a->nodes.v[i].url);
	return a->nodes.n;
}

struct session *
groups_open(struct account *a, const char *arg, struct groups_entry *out, struct cerr *e)
{
	char urls[HOME_NODES_MAX][sizeof a->node.url], found[400];
	struct session *s, *hit = NULL, *dflt = NULL;
	struct groups g;
	struct cerr ne, ferr, mis;
	struct groups_entry id;
	size_t i, k, nurls, nhit = 0, nok = 0, off = 0;
	int byid, idx;

	memset(out, 0, sizeof *out);
	memset(&id, 0, sizeof id);
	memset(&ferr, 0, sizeof ferr);
	memset(&mis, 0, sizeof mis);
	if (!a->enrolled)
		return account_connect(a, NULL, ACCOUNT_LOGIN, NULL, e);	/* says why */
	if ((byid = groups_is_hex_id(arg))) {
		if (hex_decode(id.gid, YISHI_GID_BYTES, arg) == -1) {
			cerr_set(e, CE_INPUT, "%s: not a group id", arg);
			return NULL;
		}
		hex_encode(id.hex, id.gid, YISHI_GID_BYTES);
		snprintf(id.name, sizeof id.name, "%s", id.hex);
	}
	found[0] = '\0';
	nurls = groups_open_urls(a, urls);
	for (i = 0; i < nurls && !(byid && hit != NULL); i++) {
		memset(&ne, 0, sizeof ne);
		if ((s = account_connect(a, urls[i], ACCOUNT_LOGIN, NULL, &ne)) == NULL ||
		    groups_fetch(&g, s, &ne) == -1) {
			session_free(s);
			if (ne.code == CE_INTERRUPTED) {
				*e = ne;
				goto fail;
			}
			log_debug("group %s: skipping %s: %s", arg, urls[i], ne.msg);
			if (ne.code == CE_NODE_MISMATCH && mis.code == 0)
				mis = ne;
			if (ferr.code == 0)
				ferr = ne;
			continue;
		}
		nok++;
		for (k = 0; k < g.n; k++) {
			if (byid ? memcmp(g.v[k].gid, id.gid, YISHI_GID_BYTES) != 0 :
			    strcmp(g.v[k].name, arg) != 0)
				continue;
			if (nhit++ == 0) {
				hit = s;
				*out = g.v[k];
			}
			if (off < sizeof found)
				off += (size_t)snprintf(found + off, sizeof found - off,
				    "%s%s at %s", nhit > 1 ? ", " : "", g.v[k].hex, urls[i]);
			if (byid)
				break;
		}
		groups_free(&g);
		if (s == hit)
			continue;
		if (byid && i == 0)
			dflt = s;	/* where an unlisted id is tried */
		else
			session_free(s);
	}
	if (nhit > 1) {
		cerr_set(e, CE_INPUT, "%zu groups are named \"%s\": use an id: %s", nhit, arg,
		    found);
		goto fail;
	}
	if (hit == NULL && nok == 0) {
		*e = ferr;
		goto fail;
	}
	if (hit == NULL && ferr.code != 0) {
		/* The group may well be on the node that did not answer. */
		cerr_set(e, ferr.code, "group %s is on none of the nodes that answered; %s",
		    arg, ferr.msg);
		goto fail;
	}
	if (hit == NULL && !byid) {
		cerr_set(e, WE_NOT_FOUND, "no group named \"%s\" among yours (see "
		    "`yishi group list`)", arg);
		goto fail;
	}
	if (hit == NULL) {
		/* Not listed anywhere: let the default node say why it is refused. */
		hit = dflt;
		dflt = NULL;
		*out = id;
	}
	session_free(dflt);
	/* A changed key is an alarm even when the group was found elsewhere. */
	if (mis.code != 0)
		fprintf(stderr, "yishi: warning: %s\n", mis.msg);
	/* The node in use is the group's, for reconnecting and for its pinned key. */
	if ((idx = home_nodes_find(&a->nodes, session_url(hit)->canon)) != -1)
		a->node = a->nodes.v[idx];
	return hit;
fail:
	session_free(hit);
	session_free(dflt);
	return NULL;
}

int
groups_members_fetch(struct groups_members *m, struct session *s,
    const uint8_t gid[YISHI_GID_BYTES], struct cerr *e)
{
	struct wire_frame *f;
	const struct wire_val *v;
	struct groups_member *gm;
	struct wire_rec req, r;
	uint32_t i;

	memset(m, 0, sizeof *m);
	wire_rec_init(&req, &wire_kinds[WK_GROUP_MEMBERS]);
	wire_set_bin(&req, WF_GROUP, gid, YISHI_GID_BYTES);
	if ((f = session_call(s, WK_GROUP_MEMBERS, &req, WK_MEMBERS, e)) == NULL)
		return -1;
	v = &f->r.f[WF_MEMBERS];
	if ((m->v = calloc(v->len ? v->len : 1, sizeof *m->v)) == NULL) {
		session_frame_free(f);
		cerr_set(e, CE_INTERNAL, "out of memory");
		return -1;
	}
	for (i = 0; i < v->len; i++) {
		if (wire_array_get(v, i, &wire_records[WR_MEMBER], &r) != WE_OK) {
			session_frame_free(f);
			groups_members_free(m);
			cerr_set(e, CE_PROTOCOL, "node sent a malformed member record");
			return -1;
		}
		gm = &m->v[m->n++];
		memcpy(gm->user, r.f[WF_USER].p, YISHI_PK_BYTES);
		wire_str(&r, WF_NAME, gm->name, sizeof gm->name);
		wire_str(&r, WF_ROLE, gm->role, sizeof gm->role);
		wire_str(&r, WF_SROLE, gm->srole, sizeof gm->srole);
		wire_str(&r, WF_STATE, gm->state, sizeof gm->state);
		gm->muted_until = wire_u(&r, WF_MUTED);
	}
	session_frame_free(f);
	return 0;
}

void
groups_members_free(struct groups_members *m)
{
	free(m->v);
	memset(m, 0, sizeof *m);
}

const struct groups_member *
groups_members_find(const struct groups_members *m, const uint8_t user[YISHI_PK_BYTES])
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (memcmp(m->v[i].user, user, YISHI_PK_BYTES) == 0)
			return &m->v[i];
	return NULL;
}

int
groups_member_is_moderator(const struct groups_member *gm)
{
	return strcmp(gm->state, "member") == 0 &&
	    (strcmp(gm->role, "owner") == 0 || strcmp(gm->role, "moderator") == 0);
}
