/*
 * cmd_warn.c: `yishi warn ...`: issue, list, show, update, cancel, verify and relay
 * signed warnings (proto/warn.h), import and export them as CAP 1.2 (cap.h), and
 * show the ones `yishi watch` receives.
 *
 * The home's identity is the issuer: its Ed25519 key is what an issuer certificate
 * (`yishi-admin issuer --pk KEY`) certifies. Every warning shown is first verified
 * with warn_verify() against the federation root: --root HEX, else the root pinned
 * in the home (warns.h), else, on first use, the root the node advertises, which is
 * then pinned. What does not verify is shown as such, never as verified.
 */
#include "client/cmd.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "client/cap.h"
#include "client/warns.h"
#include "proto/log.h"

/* The federation root used to verify, and where it came from. */
struct cmd_warn_root {
	int		 have;
	uint8_t		 pk[YISHI_PK_BYTES];
	const char	*source;	/* "option", "pinned", "node" */
};

/* A warning received from the node or read from a file, verified. */
struct cmd_warn_item {
	const uint8_t		*env;		/* points into the frame or file */
	size_t			 envlen;
	uint64_t		 ts;		/* when the node accepted it; 0 if unknown */
	char			 state[16];	/* active, superseded, expired */
	int			 result;	/* enum warn_result, or -1: no root */
	int			 decoded;	/* w and cert are filled */
	struct warning		*w;
	struct warn_cert	 cert;
	char			 hex[WARNS_HEX_ID];
};

struct cmd_warn_list {
	struct cmd_warn_item	*v;
	size_t			 n;
	struct wire_frame	*f;	/* the "warnings" frame the items point into */
};

static const char *
cmd_warn_result(int result)
{
	return result < 0 ? "no federation root key to verify against (--root HEX)" :
	    warn_result_str(result);
}

/* Authentic and in scope: the signature chain to the root holds (it may be expired). */
static int
cmd_warn_verified(const struct cmd_warn_item *it)
{
	return it->result == WARN_OK || it->result == WARN_EEXPIRED;
}

/* The node's error code for a refusal, so a local refusal reads the same. */
static int
cmd_warn_refusal_code(int result)
{
	switch (result) {
	case WARN_EENCODING:	return WE_BAD_VALUE;
	case WARN_EAREA:	return WE_FORBIDDEN;
	case WARN_EEXPIRED:	return WE_EXPIRED;
	default:		return WE_BAD_SIGNATURE;
	}
}

static char *
cmd_warn_home_dir(struct cmd *c, char *dir, size_t len)
{
	struct home h;

	if (home_init(&h, c->home, &c->err) == -1)
		return NULL;
	snprintf(dir, len, "%s", h.dir);
	return dir;
}

/*
 * Choose the root: --root, else the pinned one, else node_root (the root the node
 * `node` advertised, may be NULL), pinned on this first use and said so once, with
 * the key to compare. A pinned root is never replaced by what a node says: a
 * different one is only reported.
 */
static int
cmd_warn_root(struct cmd *c, const char *dir, const uint8_t *node_root, const char *node,
    struct cmd_warn_root *r)
{
	uint8_t	pinned[YISHI_PK_BYTES];
	char	hex[2 * YISHI_PK_BYTES + 1], hex2[2 * YISHI_PK_BYTES + 1];
	int	rc;

	memset(r, 0, sizeof *r);
	if ((rc = warns_root_load(dir, pinned, &c->err)) == -1)
		return -1;
	if (c->warn.root != NULL) {
		if (hex_decode(r->pk, sizeof r->pk, c->warn.root) != 0) {
			cerr_set(&c->err, CE_USAGE, "--root '%s': the federation root public "
			    "key, 64 hex digits", c->warn.root);
			return -1;
		}
		r->have = 1;
		r->source = "option";
		if (rc == 0 && warns_root_save(dir, r->pk, &c->err) == -1)
			return -1;
		return 0;
	}
	if (rc == 1) {
		memcpy(r->pk, pinned, sizeof r->pk);
		r->have = 1;
		r->source = "pinned";
		if (node_root != NULL && memcmp(node_root, pinned, YISHI_PK_BYTES) != 0)
			fprintf(stderr, "yishi: note: the node's federation root %s is not the "
			    "one pinned in your home (%s); verifying against the pinned one\n",
			    hex_encode(hex, node_root, YISHI_PK_BYTES),
			    hex_encode(hex2, pinned, YISHI_PK_BYTES));
		return 0;
	}
	if (node_root == NULL)
		return 0;
	memcpy(r->pk, node_root, sizeof r->pk);
	r->have = 1;
	r->source = "node";
	if (warns_root_save(dir, r->pk, &c->err) == -1)
		return -1;
	fprintf(stderr, "yishi: trusting the federation root offered by %s: %s\n"
	    "yishi: it is pinned in your home from now on; compare it with the root key your "
	    "provincial authority publishes, and if they differ, delete %s/warn-root and pass "
	    "--root HEX\n", node != NULL ? node : "the node", hex_encode(hex, r->pk,
	    YISHI_PK_BYTES), dir);
	return 0;
}

/* Verify it->env against root (if any), filling the rest of it. */
static int
cmd_warn_check(struct cmd_warn_item *it, const struct cmd_warn_root *root, uint64_t now)
{
	uint8_t id[WARNS_ID_BYTES];

	if (it->w == NULL && (it->w = malloc(sizeof *it->w)) == NULL)
		return -1;
	it->decoded = 0;
	it->hex[0] = '\0';
	if (!root->have) {
		it->result = -1;
		return 0;
	}
	it->result = warn_verify(root->pk, now, it->env, it->envlen, it->w, &it->cert);
	if (cmd_warn_verified(it)) {
		it->decoded = 1;
		warns_id(it->w, id);
		hex_encode(it->hex, id, sizeof id);
		if (it->result == WARN_EEXPIRED)
			snprintf(it->state, sizeof it->state, "expired");
	}
	return 0;
}

static void
cmd_warn_list_free(struct cmd_warn_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].w);
	free(l->v);
	session_frame_free(l->f);
	memset(l, 0, sizeof *l);
}

/*
 * Fetch the node's warnings (all: superseded and expired too), choose the root and
 * verify each. Within what the node sent, an update or cancel that verifies marks
 * what it supersedes, whatever the node says.
 */
static int
cmd_warn_fetch(struct cmd *c, struct session *s, const char *dir, int all,
    struct cmd_warn_root *root, struct cmd_warn_list *l)
{
	struct wire_rec req, e;
	const struct wire_val *v;
	uint64_t now = cmd_now_ms();
	size_t i, j;

	memset(l, 0, sizeof *l);
	wire_rec_init(&req, &wire_kinds[WK_WARN_LIST]);
	if (all)
		wire_set_bool(&req, WF_ALL, 1);
	if ((l->f = session_call(s, WK_WARN_LIST, &req, WK_WARNINGS, &c->err)) == NULL)
		return -1;
	if (cmd_warn_root(c, dir, wire_has(&l->f->r, WF_ROOT) ? l->f->r.f[WF_ROOT].p : NULL,
	    session_url(s)->canon, root) == -1)
		goto fail;
	v = &l->f->r.f[WF_WARNINGS];
	if (v->len > 0 && (l->v = calloc(v->len, sizeof *l->v)) == NULL)
		goto oom;
	for (i = 0; i < v->len; i++) {
		struct cmd_warn_item *it = &l->v[l->n];

		if (wire_array_get(v, (uint32_t)i, &wire_records[WR_WARN], &e) != WE_OK) {
			cerr_set(&c->err, CE_PROTOCOL, "node sent a malformed warning record");
			goto fail;
		}
		it->env = e.f[WF_ENV].p;
		it->envlen = e.f[WF_ENV].len;
		it->ts = wire_u(&e, WF_TS);
		wire_str(&e, WF_STATE, it->state, sizeof it->state);
		l->n++;
		if (cmd_warn_check(it, root, now) == -1)
			goto oom;
	}
	for (i = 0; i < l->n; i++) {
		if (!l->v[i].decoded || l->v[i].w->msg_type == WMSG_ALERT)
			continue;
		if (l->v[i].w->msg_type == WMSG_CANCEL)
			snprintf(l->v[i].state, sizeof l->v[i].state, "superseded");
		for (j = 0; j < l->n; j++)
			if (j != i && l->v[j].decoded && warn_supersedes(l->v[i].w, l->v[j].w))
				snprintf(l->v[j].state, sizeof l->v[j].state, "superseded");
	}
	return 0;
oom:
	cerr_set(&c->err, CE_INTERNAL, "out of memory");
fail:
	cmd_warn_list_free(l);
	return -1;
}

/* The item an ID names: the 32-hex id, a prefix of 6 or more, or the identifier. */
static struct cmd_warn_item *
cmd_warn_find(struct cmd *c, struct cmd_warn_list *l, const char *id)
{
	struct cmd_warn_item *found = NULL;
	size_t i, n = strlen(id);
	int hits = 0;

	for (i = 0; i < l->n; i++) {
		if (!l->v[i].decoded)
			continue;
		if (strcmp(l->v[i].w->identifier, id) == 0 ||
		    (n >= WARNS_ID_PREFIX_MIN && strncmp(l->v[i].hex, id, n) == 0)) {
			found = &l->v[i];
			hits++;
		}
	}
	if (hits == 1)
		return found;
	if (hits > 1)
		cerr_set(&c->err, CE_INPUT, "%s names %d warnings: give more of the id", id,
		    hits);
	else
		cerr_set(&c->err, WE_NOT_FOUND, "no verified warning %s on this node "
		    "(`yishi warn list --all` lists them)", id);
	return NULL;
}

/* ---- output ------------------------------------------------------------------ */

static const char *
cmd_warn_refs(char *out, size_t outlen, const struct warning *w)
{
	size_t len = 0;
	int i;

	out[0] = '\0';
	for (i = 0; i < w->nrefs && len < outlen; i++)
		len += (size_t)snprintf(out + len, outlen - len, "%s%s", i ? " " : "",
		    w->refs[i]);
	return out;
}

/* The categories of mask, CAP names comma-separated, into out. */
static const char *
cmd_warn_category_list(char *out, size_t outlen, uint32_t mask)
{
	size_t len = 0;
	int i;

	out[0] = '\0';
	for (i = 0; i < WCAT__COUNT && len < outlen; i++)
		if (mask & (1u << i))
			len += (size_t)snprintf(out + len, outlen - len, "%s%s", len ? "," : "",
			    warn_category_names[i]);
	return out;
}

static void
cmd_warn_json_fields(struct json *j, const struct cmd_warn_item *it, int full)
{
	const struct warning *w = it->w;
	char list[WARNS_LIST_MAX], issuer[2 * YISHI_PK_BYTES + 1];
	char refs[WARN_REFS_MAX * (WARN_REF_MAX + 1) + 1];
	char station[2 * YISHI_PK_BYTES + 1], cats[WCAT__COUNT * 12];
	int i;

	json_str(j, "id", it->decoded ? it->hex : NULL);
	json_bool(j, "verified", cmd_warn_verified(it));
	json_str(j, "result", it->result == WARN_OK ? "ok" : cmd_warn_result(it->result));
	if (it->state[0] != '\0')
		json_str(j, "state", it->state);
	if (it->ts != 0)
		json_uint(j, "ts", it->ts);
	if (!it->decoded)
		return;
	json_str(j, "identifier", w->identifier);
	json_str(j, "sender", w->sender);
	json_str(j, "issuer", hex_encode(issuer, w->issuer, YISHI_PK_BYTES));
	json_str(j, "issuer_name", it->cert.name);
	json_str(j, "issuer_areas", warns_join(list, sizeof list, it->cert.areas[0],
	    it->cert.nareas, sizeof it->cert.areas[0]));
	json_str(j, "msg_type", warn_msgtype_names[w->msg_type]);
	json_str(j, "status", warn_status_names[w->status]);
	json_str(j, "references", cmd_warn_refs(refs, sizeof refs, w));
	json_uint(j, "sent", w->sent_ms);
	json_uint(j, "expires", w->expires_ms);
	json_str(j, "severity", warn_severity_names[w->severity]);
	json_str(j, "urgency", warn_urgency_names[w->urgency]);
	json_str(j, "certainty", warn_certainty_names[w->certainty]);
	json_str(j, "areas", warns_join(list, sizeof list, w->areas[0], w->nareas,
	    sizeof w->areas[0]));
	json_str(j, "audience", warns_join(list, sizeof list, w->audience[0], w->naudience,
	    sizeof w->audience[0]));
	json_str(j, "category", cmd_warn_category_list(cats, sizeof cats, w->categories));
	json_str(j, "fraud_type", w->fraud_type);
	if (w->has_target) {
		json_str(j, "target_area", w->target_area);
		json_str(j, "target_station", hex_encode(station, w->target_station,
		    YISHI_PK_BYTES));
	}
	json_str(j, "language", w->ntexts > 0 ? w->texts[0].language : "");
	json_str(j, "headline", w->ntexts > 0 ? w->texts[0].headline : "");
	if (!full)
		return;
	json_str(j, "cap_event", w->ntexts > 0 ? w->texts[0].event : "");
	json_str(j, "description", w->ntexts > 0 ? w->texts[0].description : "");
	json_str(j, "instruction", w->ntexts > 0 ? w->texts[0].instruction : "");
	json_uint(j, "texts", (uint64_t)w->ntexts);
	for (i = 1; i < w->ntexts && i < 2; i++)
		json_str(j, "language2", w->texts[i].language);
	json_uint(j, "polygon_points", (uint64_t)w->npolygon);
	json_bool(j, "circle", w->has_circle);
}

/* Words from the network, on one terminal line, shortened. */
static const char *
cmd_warn_line(char *buf, size_t len, const char *s)
{
	char *p;

	cmd_plain(buf, len, s);
	for (p = buf; *p != '\0'; p++)
		if (*p == '\n' || *p == '\t')
			*p = ' ';
	return buf;
}

static void
cmd_warn_print_plain(const struct cmd_warn_item *it, const char *prefix, int full)
{
	const struct warning *w = it->w;
	char head[WARN_HEADLINE_MAX * 3 + 1], name[WARN_CERT_NAME_MAX * 3 + 1];
	char areas[WARNS_LIST_MAX], when[32], text[WARN_DESC_MAX * 3 + 1], status[16] = "";

	if (!it->decoded) {
		printf("%s(unverifiable warning, %zu bytes: %s)\n", prefix, it->envlen,
		    cmd_warn_result(it->result));
		return;
	}
	/* An exercise or test must never read as a real warning. */
	if (w->status != WSTAT_ACTUAL) {
		snprintf(status, sizeof status, "[%s] ", warn_status_names[w->status]);
		status[1] = (char)tolower((unsigned char)status[1]);
	}
	printf("%s%.12s %-10s %s%s/%s %s%s  %s\n", prefix, it->hex, it->state[0] ? it->state :
	    "-", status, warn_severity_names[w->severity], warn_urgency_names[w->urgency],
	    w->msg_type == WMSG_ALERT ? "" : w->msg_type == WMSG_UPDATE ? "[update] " :
	    "[cancel] ", warns_join(areas, sizeof areas, w->areas[0], w->nareas,
	    sizeof w->areas[0]), cmd_warn_line(head, sizeof head, w->ntexts > 0 ?
	    w->texts[0].headline : ""));
	printf("%s    from %s [%s]%s%s\n", prefix, cmd_warn_line(name, sizeof name,
	    it->cert.name), it->result == WARN_OK ? "verified" : it->result == WARN_EEXPIRED ?
	    "verified, expired" : "NOT VERIFIED", w->expires_ms ? ", expires " : "",
	    w->expires_ms ? cmd_time(when, sizeof when, w->expires_ms) : "");
	if (!full || w->ntexts == 0)
		return;
	if (w->texts[0].description[0] != '\0')
		printf("%s    %s\n", prefix, cmd_warn_line(text, sizeof text,
		    w->texts[0].description));
	if (w->texts[0].instruction[0] != '\0')
		printf("%s    => %s\n", prefix, cmd_warn_line(text, sizeof text,
		    w->texts[0].instruction));
}

static void
cmd_warn_print(const struct cmd *c, const struct cmd_warn_item *it, int full)
{
	struct json j;

	if (c->json) {
		json_begin(&j);
		cmd_warn_json_fields(&j, it, full);
		(void)json_end(&j, stdout);
	} else
		cmd_warn_print_plain(it, "", full);
	fflush(stdout);
}

/* ---- building and sending ------------------------------------------------------ */

static struct session *
cmd_warn_connect(struct cmd *c, struct account *a)
{
	if (cmd_account(c, a) == -1)
		return NULL;
	return account_connect(a, NULL, ACCOUNT_LOGIN, NULL, &c->err);
}

/* Parse one CAP value-set name from an option. */
static int
cmd_warn_enum(struct cmd *c, const char *opt, const char *s, const char *const *names,
    int count, int *out)
{
	int i;

	if ((*out = warn_name_parse(names, count, s)) >= 0)
		return 0;
	cerr_set(&c->err, CE_USAGE, "%s '%s': one of", opt, s);
	for (i = 0; i < count; i++)
		snprintf(c->err.msg + strlen(c->err.msg), sizeof c->err.msg -
		    strlen(c->err.msg), " %s", names[i]);
	return -1;
}

/* --category: one or more CAP categories, comma-separated, into a mask. */
static int
cmd_warn_categories(struct cmd *c, const char *s, uint32_t *mask)
{
	char slots[WCAT__COUNT][16];
	int i, n, cat;

	if ((n = warns_split(s, slots[0], WCAT__COUNT, sizeof slots[0])) <= 0) {
		cerr_set(&c->err, CE_USAGE, "--category '%s': one or more comma-separated CAP "
		    "categories", s);
		return -1;
	}
	*mask = 0;
	for (i = 0; i < n; i++) {
		if (cmd_warn_enum(c, "--category", slots[i], warn_category_names, WCAT__COUNT,
		    &cat) == -1)
			return -1;
		*mask |= 1u << cat;
	}
	return 0;
}

/* The options that describe a warning, over what w already holds (issue, update). */
static int
cmd_warn_apply(struct cmd *c, struct warning *w, uint64_t now)
{
	const struct cmd_warn_opts *o = &c->warn;
	struct warn_text *t = &w->texts[0];
	int n;

	if (o->severity != NULL && cmd_warn_enum(c, "--severity", o->severity,
	    warn_severity_names, WSEV__COUNT, &w->severity) == -1)
		return -1;
	if (o->urgency != NULL && cmd_warn_enum(c, "--urgency", o->urgency,
	    warn_urgency_names, WURG__COUNT, &w->urgency) == -1)
		return -1;
	if (o->certainty != NULL && cmd_warn_enum(c, "--certainty", o->certainty,
	    warn_certainty_names, WCTN__COUNT, &w->certainty) == -1)
		return -1;
	if (o->status != NULL && cmd_warn_enum(c, "--status", o->status, warn_status_names,
	    WSTAT__COUNT, &w->status) == -1)
		return -1;
	if (o->category != NULL && cmd_warn_categories(c, o->category, &w->categories) == -1)
		return -1;
	if (c->area != NULL) {
		if ((n = warns_split(c->area, w->areas[0], WARN_AREAS_MAX,
		    sizeof w->areas[0])) == -1) {
			cerr_set(&c->err, CE_USAGE, "--area '%s': up to %d comma-separated area "
			    "codes of 2 to 12 digits", c->area, WARN_AREAS_MAX);
			return -1;
		}
		w->nareas = n;
	}
	if (o->audience != NULL) {
		if ((n = warns_split(o->audience, w->audience[0], WARN_AUDIENCE_MAX,
		    sizeof w->audience[0])) == -1) {
			cerr_set(&c->err, CE_USAGE, "--audience '%s': up to %d comma-separated "
			    "tags of 1 to %d bytes", o->audience, WARN_AUDIENCE_MAX, WARN_TAG_MAX);
			return -1;
		}
		w->naudience = n;
	}
	if (c->fraud_type != NULL)
		snprintf(w->fraud_type, sizeof w->fraud_type, "%s", c->fraud_type);
	if (c->fraud_type != NULL && strcmp(w->fraud_type, c->fraud_type) != 0) {
		cerr_set(&c->err, CE_USAGE, "--fraud-type: at most %d bytes", WARN_FRAUD_MAX);
		return -1;
	}
	if (o->expires != NULL && warns_when(o->expires, now, &w->expires_ms) == -1) {
		cerr_set(&c->err, CE_USAGE, "--expires '%s': a duration (90s, 30m, 2h, 3d), a "
		    "day YYYY-MM-DD or a time YYYY-MM-DDThh:mm:ss+hh:mm", o->expires);
		return -1;
	}
	if ((o->target_area != NULL) != (o->target_station != NULL)) {
		cerr_set(&c->err, CE_USAGE, "--target-area and --target-station go together");
		return -1;
	}
	if (o->target_area != NULL) {
		snprintf(w->target_area, sizeof w->target_area, "%s", o->target_area);
		if (!warn_area_valid(w->target_area) ||
		    strcmp(w->target_area, o->target_area) != 0 ||
		    hex_decode(w->target_station, YISHI_PK_BYTES, o->target_station) != 0) {
			cerr_set(&c->err, CE_USAGE, "--target-area takes an area code, "
			    "--target-station the station node's id (64 hex digits)");
			return -1;
		}
		w->has_target = 1;
	}
	if (w->ntexts == 0)
		w->ntexts = 1;
	if (o->lang != NULL)
		snprintf(t->language, sizeof t->language, "%s", o->lang);
	if (o->headline != NULL)
		snprintf(t->headline, sizeof t->headline, "%s", o->headline);
	if (o->instruction != NULL)
		snprintf(t->instruction, sizeof t->instruction, "%s", o->instruction);
	if ((o->lang != NULL && strcmp(t->language, o->lang) != 0) ||
	    (o->headline != NULL && strcmp(t->headline, o->headline) != 0) ||
	    (o->instruction != NULL && strcmp(t->instruction, o->instruction) != 0)) {
		cerr_set(&c->err, CE_USAGE, "--lang, --headline or --instruction is too long "
		    "(%d, %d, %d bytes)", WARN_LANG_MAX, WARN_HEADLINE_MAX, WARN_INSTR_MAX);
		return -1;
	}
	return 0;
}

/* A fresh message: identifier, sender (from our key), sent now in the local offset. */
static void
cmd_warn_fresh(struct warning *w, const struct ident *me, uint64_t now, int msg_type)
{
	uint8_t	rnd[8];
	char	rhex[17], khex[2 * YISHI_PK_BYTES + 1];

	randombytes_buf(rnd, sizeof rnd);
	hex_encode(rhex, rnd, sizeof rnd);
	hex_encode(khex, me->pk, YISHI_PK_BYTES);
	snprintf(w->identifier, sizeof w->identifier, "yishi-%s", rhex);
	snprintf(w->sender, sizeof w->sender, "yishi:%.16s", khex);
	w->sent_ms = now - now % 1000;
	w->tz_min = warns_tz_min(now);
	w->msg_type = msg_type;
}

/*
 * Sign w with our key and certificate and hand it to the node (s), or with s NULL
 * write the envelope to --out for `warn relay` (signing offline). Prints the result:
 * {"id", "identifier", "sender", "msg_type", "state"}.
 */
static int
cmd_warn_send(struct cmd *c, struct account *a, struct session *s, const uint8_t *cert,
    size_t certlen, const struct warn_cert *wc, struct warning *w)
{
	struct wire_frame *f;
	struct wire_rec req;
	struct json j;
	uint8_t *env, id[WARNS_ID_BYTES];
	char hex[WARNS_HEX_ID], mine[2 * YISHI_PK_BYTES + 1], theirs[2 * YISHI_PK_BYTES + 1];
	size_t len;

	if (memcmp(wc->pk, a->me.pk, YISHI_PK_BYTES) != 0) {
		cerr_set(&c->err, CE_INPUT, "the certificate (%s) certifies the key %s, not "
		    "yours (%s)", wc->name, hex_encode(theirs, wc->pk, YISHI_PK_BYTES),
		    hex_encode(mine, a->me.pk, YISHI_PK_BYTES));
		return -1;
	}
	/*
	 * sent is in whole seconds, a certificate starts at a millisecond: one made in
	 * this very second would not yet be valid at sent. Round sent up to it.
	 */
	if (w->sent_ms < wc->not_before && wc->not_before <= cmd_now_ms() + 1000)
		w->sent_ms = (wc->not_before + 999) / 1000 * 1000;
	if ((env = malloc(WARN_ENVELOPE_MAX)) == NULL) {
		cerr_set(&c->err, CE_INTERNAL, "out of memory");
		return -1;
	}
	if ((len = warn_sign(&a->me, cert, certlen, w, env, WARN_ENVELOPE_MAX)) == 0) {
		free(env);
		cerr_set(&c->err, CE_INPUT, "the warning breaks a rule of the format "
		    "(docs/warnings.md): check the text characters, the area codes, the "
		    "--fraud-type ([a-z0-9-]) and the audience tags (no spaces)");
		return -1;
	}
	if (s == NULL) {
		f = NULL;
		if (warns_file_write(c->out, env, len, 0644, &c->err) == -1) {
			free(env);
			return -1;
		}
	} else {
		wire_rec_init(&req, &wire_kinds[WK_WARN_ISSUE]);
		wire_set_bin(&req, WF_ENV, env, len);
		if ((f = session_call(s, WK_WARN_ISSUE, &req, WK_OK, &c->err)) == NULL) {
			free(env);
			return -1;
		}
	}
	free(env);
	session_frame_free(f);
	memcpy(w->issuer, a->me.pk, YISHI_PK_BYTES);
	warns_id(w, id);
	hex_encode(hex, id, sizeof id);
	if (c->json) {
		json_begin(&j);
		json_str(&j, "id", hex);
		json_str(&j, "identifier", w->identifier);
		json_str(&j, "sender", w->sender);
		json_str(&j, "msg_type", warn_msgtype_names[w->msg_type]);
		if (s == NULL)
			json_str(&j, "file", c->out);
		else
			json_str(&j, "state", w->msg_type == WMSG_CANCEL ? "superseded" :
			    "active");
		(void)json_end(&j, stdout);
	} else if (s == NULL)
		printf("%s %s signed into %s\n", hex, w->identifier, c->out);
	else
		printf("%s %s %s accepted\n", hex, w->identifier,
		    warn_msgtype_names[w->msg_type]);
	return 0;
}

/* With --cap the only options that make sense are the area, expiry and certificate. */
static int
cmd_warn_cap_only(struct cmd *c)
{
	const struct cmd_warn_opts *o = &c->warn;

	if (o->severity || o->urgency || o->certainty || o->audience || o->headline ||
	    o->instruction || o->lang || o->status || o->category || o->target_area ||
	    o->target_station ||
	    c->fraud_type) {
		cerr_set(&c->err, CE_USAGE, "with --cap, the CAP file says what the warning "
		    "is: only --area, --expires and --cert may be given");
		return -1;
	}
	return 0;
}

/*
 * A CAP file made into a Yishi warning. Its identifier, sender and words are kept;
 * sent becomes now (the time we sign it); --area gives the Yishi areas if it has no
 * yishi:area geocode; --expires replaces its expiry; a cancel without <info> gets the
 * one text a Yishi cancel carries. Its own XML signature is not checked.
 */
static int
cmd_warn_from_cap(struct cmd *c, const char *path, struct warning *w, uint64_t now)
{
	uint8_t	*xml;
	size_t	 len;
	char	 why[256], when[WARN_TIME_LEN + 1];
	int	 rc;

	if (warns_file_read(path, CAP_MAX_BYTES, &xml, &len, &c->err) == -1)
		return -1;
	rc = cap_import(xml, len, w, why, sizeof why);
	free(xml);
	if (rc != 0) {
		cerr_set(&c->err, CE_INPUT, "%s: not an acceptable CAP 1.2 alert: %s", path, why);
		return -1;
	}
	if (w->ntexts == 0) {
		w->ntexts = 1;
		snprintf(w->texts[0].event, sizeof w->texts[0].event, "%s",
		    warn_msgtype_names[w->msg_type]);
		w->categories = 1u << WCAT_OTHER;
	}
	if (c->area == NULL && w->nareas == 0) {
		cerr_set(&c->err, CE_INPUT, "%s has no yishi:area geocode: give --area CODES",
		    path);
		return -1;
	}
	if (c->warn.expires == NULL && w->expires_ms != 0 && w->expires_ms <= now) {
		cerr_set(&c->err, CE_INPUT, "%s expired at %s: give --expires", path,
		    warn_time_format(when, w->expires_ms, w->tz_min));
		return -1;
	}
	if (cmd_warn_apply(c, w, now) == -1)
		return -1;
	w->sent_ms = now - now % 1000;
	fprintf(stderr, "yishi: note: %s: the CAP's own XML signature, if any, is not checked; "
	    "the warning is re-signed with your issuer key, sent now\n", path);
	return 0;
}

int
cmd_warn_issue(struct cmd *c)
{
	struct account a;
	struct session *s = NULL;
	struct warning *w;
	struct warn_cert wc;
	uint8_t cert[WARN_CERT_MAX];
	size_t certlen;
	uint64_t now = cmd_now_ms();
	const struct cmd_warn_opts *o = &c->warn;
	int ret = -1;

	if (c->warn.cap && cmd_warn_cap_only(c) == -1)
		return -1;
	if (!c->warn.cap && (o->severity == NULL || o->urgency == NULL || c->area == NULL ||
	    o->expires == NULL || o->headline == NULL)) {
		cerr_set(&c->err, CE_USAGE, "warn issue: --severity, --urgency, --area, "
		    "--expires and --headline are required");
		return -1;
	}
	if ((w = calloc(1, sizeof *w)) == NULL) {
		cerr_set(&c->err, CE_INTERNAL, "out of memory");
		return -1;
	}
	memset(&a, 0, sizeof a);
	/* With --out: signed offline, for `warn relay`; no node is needed. */
	if (c->out != NULL ? cmd_account(c, &a) == -1 : (s = cmd_warn_connect(c, &a)) == NULL)
		goto out;
	if (warns_cert_load(a.home.dir, o->cert, cert, &certlen, &wc, &c->err) == -1)
		goto out;
	if (c->warn.cap) {
		if (cmd_warn_from_cap(c, c->argv[0], w, now) == -1)
			goto out;
	} else {
		cmd_warn_fresh(w, &a.me, now, WMSG_ALERT);
		w->status = WSTAT_ACTUAL;
		w->certainty = WCTN_LIKELY;
		w->categories = 1u << WCAT_SECURITY;
		snprintf(w->texts[0].language, sizeof w->texts[0].language, "zh-CN");
		if (cmd_warn_apply(c, w, now) == -1)
			goto out;
		snprintf(w->texts[0].event, sizeof w->texts[0].event, "%s",
		    strncmp(w->texts[0].language, "zh", 2) == 0 ? "反诈预警" : "Fraud warning");
		snprintf(w->texts[0].sender_name, sizeof w->texts[0].sender_name, "%s", wc.name);
		snprintf(w->texts[0].description, sizeof w->texts[0].description, "%s",
		    c->argv[0]);
		if (strcmp(w->texts[0].description, c->argv[0]) != 0) {
			cerr_set(&c->err, CE_INPUT, "the text is longer than %d bytes",
			    WARN_DESC_MAX);
			goto out;
		}
	}
	ret = cmd_warn_send(c, &a, s, cert, certlen, &wc, w);
out:
	session_free(s);
	account_wipe(&a);
	free(w);
	return ret;
}

/* update and cancel: a new message from us that references one of ours. */
static int
cmd_warn_follow(struct cmd *c, int msg_type)
{
	struct account a;
	struct session *s = NULL;
	struct cmd_warn_root root;
	struct cmd_warn_list l;
	struct cmd_warn_item *it;
	struct warning *w;
	struct warn_cert wc;
	uint8_t cert[WARN_CERT_MAX];
	size_t certlen;
	uint64_t now = cmd_now_ms();
	int ret = -1;

	memset(&l, 0, sizeof l);
	if ((w = calloc(1, sizeof *w)) == NULL) {
		cerr_set(&c->err, CE_INTERNAL, "out of memory");
		return -1;
	}
	memset(&a, 0, sizeof a);
	if ((s = cmd_warn_connect(c, &a)) == NULL)
		goto out;
	if (warns_cert_load(a.home.dir, c->warn.cert, cert, &certlen, &wc, &c->err) == -1 ||
	    cmd_warn_fetch(c, s, a.home.dir, 1, &root, &l) == -1)
		goto out;
	if (!root.have) {
		cerr_set(&c->err, CE_INPUT, "no federation root key to check the warning "
		    "against: give --root HEX");
		goto out;
	}
	if ((it = cmd_warn_find(c, &l, c->argv[0])) == NULL)
		goto out;
	if (memcmp(it->w->issuer, a.me.pk, YISHI_PK_BYTES) != 0) {
		cerr_set(&c->err, WE_FORBIDDEN, "warning %s was issued by %s: only its issuer "
		    "can update or cancel it", c->argv[0], it->cert.name);
		goto out;
	}
	if (strcmp(it->state, "active") != 0) {
		cerr_set(&c->err, WE_INVALID, "warning %s is %s already", c->argv[0], it->state);
		goto out;
	}
	/* The shared fields and words of the original, under a new identifier. */
	*w = *it->w;
	w->nrefs = 1;
	if (warn_ref_make(it->w, w->refs[0]) != 0) {
		cerr_set(&c->err, CE_INTERNAL, "cannot reference warning %s", c->argv[0]);
		goto out;
	}
	cmd_warn_fresh(w, &a.me, now, msg_type);
	/* Keep the original's sender: references and supersession are by sender and id. */
	snprintf(w->sender, sizeof w->sender, "%s", it->w->sender);
	if (msg_type == WMSG_CANCEL) {
		/* A cancel opens no second case for a high-risk alert's person. */
		w->has_target = 0;
		memset(w->target_area, 0, sizeof w->target_area);
		memset(w->target_station, 0, sizeof w->target_station);
	} else {
		if (cmd_warn_apply(c, w, now) == -1)
			goto out;
		if (c->argc > 1) {
			snprintf(w->texts[0].description, sizeof w->texts[0].description, "%s",
			    c->argv[1]);
			if (strcmp(w->texts[0].description, c->argv[1]) != 0) {
				cerr_set(&c->err, CE_INPUT, "the text is longer than %d bytes",
				    WARN_DESC_MAX);
				goto out;
			}
		}
	}
	if (w->sent_ms < it->w->sent_ms)
		w->sent_ms = it->w->sent_ms;	/* our clock is behind the issuer's past one */
	ret = cmd_warn_send(c, &a, s, cert, certlen, &wc, w);
out:
	cmd_warn_list_free(&l);
	session_free(s);
	account_wipe(&a);
	free(w);
	return ret;
}

int
cmd_warn_update(struct cmd *c)
{
	if (c->warn.cap || c->warn.target_area != NULL) {
		cerr_set(&c->err, CE_USAGE, "warn update: --cap and a new target are not taken");
		return -1;
	}
	return cmd_warn_follow(c, WMSG_UPDATE);
}

int
cmd_warn_cancel(struct cmd *c)
{
	return cmd_warn_follow(c, WMSG_CANCEL);
}

int
cmd_warn_list(struct cmd *c)
{
	struct account a;
	struct session *s = NULL;
	struct cmd_warn_root root;
	struct cmd_warn_list l;
	size_t i, shown = 0;
	int ret = -1;

	memset(&l, 0, sizeof l);
	memset(&a, 0, sizeof a);
	if ((s = cmd_warn_connect(c, &a)) == NULL)
		goto out;
	if (cmd_warn_fetch(c, s, a.home.dir, c->warn.all, &root, &l) == -1)
		goto out;
	if (!root.have)
		fprintf(stderr, "yishi: no federation root key (the node advertises none): "
		    "warnings cannot be verified; give --root HEX\n");
	for (i = 0; i < l.n; i++) {
		/* Without --all: what is in force, by our own checks too. */
		if (!c->warn.all && strcmp(l.v[i].state, "active") != 0)
			continue;
		cmd_warn_print(c, &l.v[i], 0);
		shown++;
	}
	if (!c->json && shown == 0)
		printf("no %swarnings\n", c->warn.all ? "" : "current ");
	ret = 0;
out:
	cmd_warn_list_free(&l);
	session_free(s);
	account_wipe(&a);
	return ret;
}

/* Print w as CAP 1.2 XML, or with --json as {"id", "cap"}, or write it to --out. */
static int
cmd_warn_out_cap(struct cmd *c, const struct cmd_warn_item *it)
{
	struct json j;
	char *xml;
	size_t len;
	int rc = 0;

	if ((xml = cap_export(it->w, &len)) == NULL) {
		cerr_set(&c->err, CE_INTERNAL, "cannot export warning %s as CAP", it->hex);
		return -1;
	}
	if (c->out != NULL)
		rc = warns_file_write(c->out, xml, len, 0644, &c->err);
	else if (c->json) {
		json_begin(&j);
		json_str(&j, "id", it->hex);
		json_strn(&j, "cap", xml, len);
		(void)json_end(&j, stdout);
	} else
		fwrite(xml, 1, len, stdout);
	free(xml);
	return rc;
}

int
cmd_warn_show(struct cmd *c)
{
	struct account a;
	struct session *s = NULL;
	struct cmd_warn_root root;
	struct cmd_warn_list l;
	struct cmd_warn_item *it;
	int ret = -1;

	memset(&l, 0, sizeof l);
	memset(&a, 0, sizeof a);
	if ((s = cmd_warn_connect(c, &a)) == NULL)
		goto out;
	if (cmd_warn_fetch(c, s, a.home.dir, 1, &root, &l) == -1)
		goto out;
	if (!root.have) {
		cerr_set(&c->err, CE_INPUT, "no federation root key to verify warnings "
		    "against: give --root HEX");
		goto out;
	}
	if ((it = cmd_warn_find(c, &l, c->argv[0])) == NULL)
		goto out;
	if (c->warn.cap)
		ret = cmd_warn_out_cap(c, it);
	else if (c->out != NULL)
		ret = warns_file_write(c->out, it->env, it->envlen, 0644, &c->err);
	else {
		cmd_warn_print(c, it, 1);
		ret = 0;
	}
	if (ret == 0 && c->out != NULL && !c->json)
		printf("wrote %s\n", c->out);
out:
	cmd_warn_list_free(&l);
	session_free(s);
	account_wipe(&a);
	return ret;
}

/* An envelope file, checked offline against --root or the pinned root. */
int
cmd_warn_verify(struct cmd *c)
{
	struct cmd_warn_root root;
	struct cmd_warn_item it;
	uint8_t *buf;
	size_t len, k;
	char dir[4096];
	int ret = -1;

	memset(&it, 0, sizeof it);
	if (cmd_warn_home_dir(c, dir, sizeof dir) == NULL || cmd_warn_root(c, dir, NULL, NULL,
	    &root) == -1)
		return -1;
	if (!root.have) {
		cerr_set(&c->err, CE_USAGE, "warn verify: give --root HEX (no root is pinned "
		    "in this home)");
		return -1;
	}
	if (warns_file_read(c->argv[0], WARN_ENVELOPE_MAX, &buf, &len, &c->err) == -1)
		return -1;
	for (k = 0; k < len && (buf[k] == ' ' || buf[k] == '\n' || buf[k] == '\t' ||
	    buf[k] == '\r'); k++)
		;
	if (k < len && buf[k] == '<') {
		cerr_set(&c->err, CE_INPUT, "%s is XML (CAP?), not a signed warning: CAP "
		    "carries no Yishi signature and its XML signature is not checked; "
		    "`yishi warn show ID --out FILE` writes a signed one", c->argv[0]);
		goto out;
	}
	it.env = buf;
	it.envlen = len;
	if (cmd_warn_check(&it, &root, cmd_now_ms()) == -1) {
		cerr_set(&c->err, CE_INTERNAL, "out of memory");
		goto out;
	}
	if (it.result != WARN_OK) {
		cerr_set(&c->err, cmd_warn_refusal_code(it.result), "%s: refused: %s",
		    c->argv[0], cmd_warn_result(it.result));
		goto out;
	}
	snprintf(it.state, sizeof it.state, "active");
	cmd_warn_print(c, &it, 1);
	ret = 0;
out:
	free(it.w);
	free(buf);
	return ret;
}

/*
 * Hand a signed envelope (from another node, or a file) to the node as it is; any
 * user may. It is verified first unless --force: the node verifies it anyway.
 */
int
cmd_warn_relay(struct cmd *c)
{
	struct account a;
	struct session *s = NULL;
	struct cmd_warn_root root;
	struct cmd_warn_list l;
	struct cmd_warn_item it;
	struct wire_frame *f;
	struct wire_rec req;
	struct json j;
	uint8_t *buf = NULL;
	size_t len;
	int ret = -1;

	memset(&it, 0, sizeof it);
	memset(&l, 0, sizeof l);
	memset(&a, 0, sizeof a);
	if (warns_file_read(c->argv[0], WARN_ENVELOPE_MAX, &buf, &len, &c->err) == -1)
		return -1;
	if ((s = cmd_warn_connect(c, &a)) == NULL)
		goto out;
	if (!c->force) {
		if (cmd_warn_fetch(c, s, a.home.dir, 0, &root, &l) == -1)
			goto out;
		it.env = buf;
		it.envlen = len;
		if (cmd_warn_check(&it, &root, cmd_now_ms()) == -1) {
			cerr_set(&c->err, CE_INTERNAL, "out of memory");
			goto out;
		}
		if (it.result != WARN_OK) {
			cerr_set(&c->err, it.result < 0 ? CE_INPUT :
			    cmd_warn_refusal_code(it.result), "%s: not relayed: %s (--force "
			    "relays it unchecked)", c->argv[0], cmd_warn_result(it.result));
			goto out;
		}
	}
	wire_rec_init(&req, &wire_kinds[WK_WARN_ISSUE]);
	wire_set_bin(&req, WF_ENV, buf, len);
	if ((f = session_call(s, WK_WARN_ISSUE, &req, WK_OK, &c->err)) == NULL)
		goto out;
	session_frame_free(f);
	if (c->json) {
		json_begin(&j);
		json_str(&j, "id", it.decoded ? it.hex : NULL);
		json_str(&j, "identifier", it.decoded ? it.w->identifier : NULL);
		json_str(&j, "state", "accepted");
		(void)json_end(&j, stdout);
	} else
		printf("%s accepted by the node\n", c->argv[0]);
	ret = 0;
out:
	free(it.w);
	free(buf);
	cmd_warn_list_free(&l);
	session_free(s);
	account_wipe(&a);
	return ret;
}

/* Store an issuer certificate for this home's key (checked if a root is known). */
int
cmd_warn_cert(struct cmd *c)
{
	struct account a;
	struct cmd_warn_root root;
	struct warn_cert wc, vc;
	struct json j;
	uint8_t cert[WARN_CERT_MAX];
	char areas[WARNS_LIST_MAX], pk[2 * YISHI_PK_BYTES + 1], mine[2 * YISHI_PK_BYTES + 1];
	char name[WARN_CERT_NAME_MAX * 3 + 1];
	const char *verdict = "not checked (no root key: --root HEX)";
	size_t len;
	int rc, ret = -1;

	memset(&a, 0, sizeof a);
	if (cmd_account(c, &a) == -1)
		return -1;
	if (warns_cert_load(a.home.dir, c->argv[0], cert, &len, &wc, &c->err) == -1 ||
	    cmd_warn_root(c, a.home.dir, NULL, NULL, &root) == -1)
		goto out;
	if (memcmp(wc.pk, a.me.pk, YISHI_PK_BYTES) != 0) {
		cerr_set(&c->err, CE_INPUT, "%s certifies the key %s, not yours (%s)",
		    c->argv[0], hex_encode(pk, wc.pk, YISHI_PK_BYTES),
		    hex_encode(mine, a.me.pk, YISHI_PK_BYTES));
		goto out;
	}
	if (root.have) {
		rc = warn_cert_verify(root.pk, WCK_ISSUER, cmd_now_ms(), cert, len, &vc);
		if (rc != WARN_OK) {
			cerr_set(&c->err, WE_BAD_SIGNATURE, "%s: %s", c->argv[0],
			    warn_result_str(rc));
			goto out;
		}
		verdict = "yes";
	}
	if (warns_cert_save(a.home.dir, cert, len, &c->err) == -1)
		goto out;
	warns_join(areas, sizeof areas, wc.areas[0], wc.nareas, sizeof wc.areas[0]);
	if (c->json) {
		json_begin(&j);
		json_str(&j, "name", wc.name);
		json_str(&j, "areas", areas);
		json_uint(&j, "not_after", wc.not_after);
		json_str(&j, "verified", verdict);
		(void)json_end(&j, stdout);
	} else
		printf("stored the issuer certificate of %s for %s (verified: %s)\n",
		    cmd_plain(name, sizeof name, wc.name), areas, verdict);
	ret = 0;
out:
	account_wipe(&a);
	return ret;
}

/* ---- watch -------------------------------------------------------------------- */

/* The root watch verifies against, chosen at the first warning. */
static struct cmd_warn_root	cmd_warn_watch_root;
static int			cmd_warn_watch_chosen;

void
cmd_warn_show_event(struct cmd *c, struct account *a, struct session *s,
    const struct wire_frame *ev)
{
	struct cmd_warn_list l;
	struct cmd_warn_item it;
	struct json j;
	struct cerr saved = c->err;

	if (!cmd_warn_watch_chosen) {
		uint8_t pinned[YISHI_PK_BYTES];
		int rc = 1;

		cmd_warn_watch_chosen = 1;
		if (c->warn.root == NULL)
			rc = warns_root_load(a->home.dir, pinned, &c->err);
		/* Nothing pinned: the node's root comes with its list (first use). */
		if (rc == 0) {
			if (cmd_warn_fetch(c, s, a->home.dir, 0, &cmd_warn_watch_root, &l) == 0)
				cmd_warn_list_free(&l);
			else
				fprintf(stderr, "yishi: warnings cannot be verified: %s\n",
				    c->err.msg);
		} else if (cmd_warn_root(c, a->home.dir, NULL, NULL,
		    &cmd_warn_watch_root) == -1)
			fprintf(stderr, "yishi: warnings cannot be verified: %s\n", c->err.msg);
		c->err = saved;
	}
	memset(&it, 0, sizeof it);
	it.env = ev->r.f[WF_ENV].p;
	it.envlen = ev->r.f[WF_ENV].len;
	it.ts = wire_u(&ev->r, WF_TS);
	if (cmd_warn_check(&it, &cmd_warn_watch_root, cmd_now_ms()) == -1)
		return;
	if (it.decoded && it.result == WARN_OK)
		snprintf(it.state, sizeof it.state, "%s", it.w->msg_type == WMSG_CANCEL ?
		    "superseded" : "active");
	if (c->json) {
		json_begin(&j);
		json_str(&j, "event", "warning");
		cmd_warn_json_fields(&j, &it, 1);
		(void)json_end(&j, stdout);
	} else
		cmd_warn_print_plain(&it, "[warning] ", 1);
	fflush(stdout);
	free(it.w);
}
