/*
 * cmd_case.c: `yishi report`, `yishi case ...` and `yishi stats`: citizen reports
 * and the cases they open.
 *
 * A report is sealed to the handlers of its queue and the levels above before it
 * leaves the client (client/cases.h); every step of a case is an entry we sign, and
 * every entry shown is checked against its actor's key first. A mediation
 * agreement is a document whose hash the mediator and the parties sign as case
 * entries; `case export` writes it with those signatures and `case verify` checks
 * such a file offline, with nobody's word needed.
 */
/* strptime() */
#define _GNU_SOURCE

#include "client/cmd.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "client/cases.h"
#include "client/groups.h"
#include "client/keyring.h"
#include "proto/log.h"

#define CMD_CASE_FILE_MAX	(64 * 1024)	/* an exported agreement file */

/* Case states as the node names them (node/case.c). */
static const char *const cmd_case_states[] = {
	"new", "claimed", "in_progress", "resolved", "escalated", "transferred", "rejected",
};

#define CMD_CASE_NSTATES	(sizeof cmd_case_states / sizeof cmd_case_states[0])

/* Log in to the enrolled node. */
static struct session *
cmd_case_open(struct cmd *c, struct account *a)
{
	struct session *s;

	if (cmd_account(c, a) == -1)
		return NULL;
	if ((s = account_connect(a, NULL, ACCOUNT_LOGIN, NULL, &c->err)) == NULL) {
		account_wipe(a);
		return NULL;
	}
	return s;
}

/* Log in and resolve the case named by the first operand. */
static struct session *
cmd_case_open_id(struct cmd *c, struct account *a, uint8_t id[CASE_ID_BYTES])
{
	struct session *s;

	if ((s = cmd_case_open(c, a)) == NULL)
		return NULL;
	if (cases_resolve(s, c->argv[0], id, &c->err) == -1) {
		session_free(s);
		account_wipe(a);
		return NULL;
	}
	return s;
}

static int
cmd_case_digits(const char *s, size_t min, size_t max)
{
	size_t n = strlen(s), i;

	if (n < min || n > max)
		return 0;
	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

/* Only the bytes in allowed, 1..max of them. */
static int
cmd_case_chars(const char *s, size_t max, const char *allowed)
{
	size_t n = strlen(s);

	return n >= 1 && n <= max && strspn(s, allowed) == n;
}

/* An amount: digits, optionally a point and one or two decimals. */
static int
cmd_case_amount(const char *s)
{
	const char *dot;
	size_t n;

	if (strlen(s) > 32)
		return 0;
	n = strspn(s, "0123456789");
	if (n == 0)
		return 0;
	dot = s + n;
	if (*dot == '\0')
		return 1;
	return *dot == '.' && (n = strspn(dot + 1, "0123456789")) >= 1 && n <= 2 &&
	    dot[1 + n] == '\0';
}

static int
cmd_case_text(struct cmd *c, const char *what, const char *text)
{
	size_t n = strlen(text);

	if (n == 0) {
		cerr_set(&c->err, CE_INPUT, "the %s is empty", what);
		return -1;
	}
	if (n > REPORT_TEXT_MAX) {
		cerr_set(&c->err, CE_INPUT, "the %s is %zu bytes, at most %d", what, n,
		    REPORT_TEXT_MAX);
		return -1;
	}
	return 0;
}

/* Check the report's options into m and b, before any connection. */
/* --attach FILE: read each into memory (freed by cmd_case_free_attachments). */
static int
cmd_case_read_attachments(struct cmd *c, struct report_body *b)
{
	const char *base;
	size_t total = 0, n;
	uint8_t *data;
	FILE *fp;
	int i;

	for (i = 0; i < c->nattach; i++) {
		base = strrchr(c->attach[i], '/');
		base = base != NULL ? base + 1 : c->attach[i];
		if (strlen(base) == 0 || strlen(base) > 64) {
			cerr_set(&c->err, CE_INPUT, "--attach %s: the file name must be 1 to 64 "
			    "bytes", c->attach[i]);
			return -1;
		}
		if ((fp = fopen(c->attach[i], "rb")) == NULL) {
			cerr_set(&c->err, CE_IO, "--attach %s: cannot read it: %s", c->attach[i],
			    strerror(errno));
			return -1;
		}
		if ((data = malloc(REPORT_ATTACH_BYTES + 1)) == NULL) {
			fclose(fp);
			cerr_set(&c->err, CE_INTERNAL, "out of memory");
			return -1;
		}
		n = fread(data, 1, REPORT_ATTACH_BYTES + 1, fp);
		if (ferror(fp)) {
			cerr_set(&c->err, CE_IO, "--attach %s: cannot read it: %s", c->attach[i],
			    strerror(errno));
			fclose(fp);
			free(data);
			return -1;
		}
		fclose(fp);
		if ((total += n) > REPORT_ATTACH_BYTES) {
			free(data);
			cerr_set(&c->err, CE_INPUT, "--attach %s: attachments are limited to %d KiB "
			    "in all, and this one brings them over", c->attach[i],
			    REPORT_ATTACH_BYTES / 1024);
			return -1;
		}
		snprintf(b->attachments[i].name, sizeof b->attachments[i].name, "%s", base);
		b->attachments[i].data = data;
		b->attachments[i].len = (uint32_t)n;
		b->nattachments = i + 1;
	}
	return 0;
}

/* "name (N bytes), ..." for output; names are printed sanitized. */
static const char *
cmd_case_attachments(char *buf, size_t len, const struct report_body *b)
{
	char name[200];
	size_t off = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < b->nattachments && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s (%u bytes)", i ? ", " : "",
		    cmd_plain(name, sizeof name, b->attachments[i].name), b->attachments[i].len);
	return buf;
}

/* case show --out DIR: write the report's attachments into DIR (never outside it). */
static int
cmd_case_save_attachments(struct cmd *c, const struct report_body *b)
{
	char path[PATH_MAX];
	FILE *fp;
	int i, ok;

	for (i = 0; i < b->nattachments; i++) {
		if (strchr(b->attachments[i].name, '/') != NULL ||
		    strcmp(b->attachments[i].name, "..") == 0 ||
		    strcmp(b->attachments[i].name, ".") == 0 ||
		    snprintf(path, sizeof path, "%s/%s", c->out, b->attachments[i].name) >=
		    (int)sizeof path) {
			cerr_set(&c->err, CE_PROTOCOL, "an attachment has an unsafe name");
			return -1;
		}
		if ((fp = fopen(path, "wb")) == NULL) {
			cerr_set(&c->err, CE_USAGE, "cannot write %s: %s", path, strerror(errno));
			return -1;
		}
		ok = fwrite(b->attachments[i].data, 1, b->attachments[i].len, fp) ==
		    b->attachments[i].len;
		if (fclose(fp) != 0 || !ok) {
			cerr_set(&c->err, CE_USAGE, "cannot write %s", path);
			return -1;
		}
	}
	return 0;
}

static void
cmd_case_free_attachments(struct report_body *b)
{
	int i;

	for (i = 0; i < b->nattachments; i++)
		free((void *)(uintptr_t)b->attachments[i].data);
	b->nattachments = 0;
}

static int
cmd_case_report_args(struct cmd *c, struct report_meta *m, struct report_body *b)
{
	int i, kind;

	if (c->kind == NULL) {
		cerr_set(&c->err, CE_USAGE, "report: --kind fraud|dispute|non-police is required");
		return -1;
	}
	if ((kind = report_kind_parse(c->kind)) == -1) {
		cerr_set(&c->err, CE_INPUT, "%s: not a kind of report (fraud, dispute, "
		    "non-police)", c->kind);
		return -1;
	}
	if (c->area == NULL) {
		cerr_set(&c->err, CE_USAGE, "report: --area CODE is required");
		return -1;
	}
	if (!cmd_case_digits(c->area, 2, WIRE_MAX_AREA)) {
		cerr_set(&c->err, CE_INPUT, "%s: an area code is 2 to %d digits", c->area,
		    WIRE_MAX_AREA);
		return -1;
	}
	if (c->fraud_type != NULL && kind != RK_FRAUD) {
		cerr_set(&c->err, CE_INPUT, "--fraud-type is for fraud reports only");
		return -1;
	}
	if (c->fraud_type != NULL && !cmd_case_chars(c->fraud_type, 32,
	    "abcdefghijklmnopqrstuvwxyz0123456789-_")) {
		cerr_set(&c->err, CE_INPUT, "%s: a fraud type is 1 to 32 lower-case letters, "
		    "digits or '-', e.g. investment, part-time, fake-service", c->fraud_type);
		return -1;
	}
	if (c->amount != NULL && !cmd_case_amount(c->amount)) {
		cerr_set(&c->err, CE_INPUT, "%s: an amount is a number of yuan, e.g. 3000 or "
		    "2999.50", c->amount);
		return -1;
	}
	for (i = 0; i < c->naccounts; i++)
		if (!cmd_case_chars(c->accounts[i], 64, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "abcdefghijklmnopqrstuvwxyz -")) {
			cerr_set(&c->err, CE_INPUT, "%s: an account is 1 to 64 letters, digits, "
			    "spaces or '-'", c->accounts[i]);
			return -1;
		}
	for (i = 0; i < c->nphones; i++)
		if (!cmd_case_chars(c->phones[i], 32, "0123456789+- ") ||
		    strspn(c->phones[i], "0123456789+- ") < 3) {
			cerr_set(&c->err, CE_INPUT, "%s: a phone number is 3 to 32 digits, '+', "
			    "'-' or spaces", c->phones[i]);
			return -1;
		}
	if (cmd_case_text(c, "report text", c->argv[0]) == -1)
		return -1;

	memset(m, 0, sizeof *m);
	m->kind = kind;
	m->urgent = c->urgent != 0;
	snprintf(m->area, sizeof m->area, "%s", c->area);
	snprintf(m->fraud_type, sizeof m->fraud_type, "%s",
	    c->fraud_type != NULL ? c->fraud_type : "");
	memset(b, 0, sizeof *b);
	snprintf(b->text, sizeof b->text, "%s", c->argv[0]);
	snprintf(b->amount, sizeof b->amount, "%s", c->amount != NULL ? c->amount : "");
	for (i = 0; i < c->naccounts; i++)
		snprintf(b->accounts[i], sizeof b->accounts[i], "%s", c->accounts[i]);
	b->naccounts = c->naccounts;
	for (i = 0; i < c->nphones; i++)
		snprintf(b->phones[i], sizeof b->phones[i], "%s", c->phones[i]);
	b->nphones = c->nphones;
	return cmd_case_read_attachments(c, b);
}

/* --ref G:SEQ: a message of one of our groups the report is about. */
static int
cmd_case_ref(struct cmd *c, struct session *s, struct report_meta *m)
{
	struct groups_entry g;
	char garg[256], *colon, *end;
	unsigned long long seq;

	if (c->ref == NULL)
		return 0;
	snprintf(garg, sizeof garg, "%s", c->ref);
	if ((colon = strrchr(garg, ':')) == NULL || colon == garg)
		goto bad;
	*colon = '\0';
	errno = 0;
	seq = strtoull(colon + 1, &end, 10);
	if (!isdigit((unsigned char)colon[1]) || *end != '\0' || errno != 0 || seq == 0)
		goto bad;
	if (groups_resolve(s, garg, &g, &c->err) == -1)
		return -1;
	if (g.epoch == 0) {
		cerr_set(&c->err, WE_NOT_MEMBER, "--ref: you are not a member of group %s",
		    g.hex);
		return -1;
	}
	memcpy(m->ref_group, g.gid, YISHI_GID_BYTES);
	m->ref_seq = seq;
	return 0;
bad:
	cerr_set(&c->err, CE_INPUT, "%s: --ref takes GROUP:SEQ, e.g. 治安群:12 (see "
	    "`yishi read`)", c->ref);
	return -1;
}

int
cmd_case_report(struct cmd *c)
{
	struct account a;
	struct session *s = NULL;
	struct report_meta m;
	struct report_body *b;
	struct cases_queue q;
	struct json j;
	char hex[CASES_HEX_ID], queue[CASES_STATE_MAX + 1], when[32];
	uint64_t deadline;
	int ret = -1;

	memset(&q, 0, sizeof q);
	if ((b = calloc(1, sizeof *b)) == NULL) {
		cerr_set(&c->err, CE_INTERNAL, "out of memory");
		return -1;
	}
	if (cmd_case_report_args(c, &m, b) == -1) {
		cmd_case_free_attachments(b);
		free(b);
		return -1;
	}
	if ((s = cmd_case_open(c, &a)) == NULL) {
		cmd_case_free_attachments(b);
		free(b);
		return -1;
	}
	if (cmd_case_ref(c, s, &m) == -1 ||
	    cases_queue_fetch(&q, s, m.kind, &c->err) == -1 ||
	    cases_report(s, &a.me, &m, b, &q, &deadline, queue, &c->err) == -1)
		goto out;
	hex_encode(hex, m.id, sizeof m.id);
	if (c->json) {
		json_begin(&j);
		json_str(&j, "case_id", hex);
		json_str(&j, "queue", queue);
		json_uint(&j, "deadline", deadline);
		json_uint(&j, "readers", q.nhandlers + q.nescalation);
		(void)json_end(&j, stdout);
	} else
		printf("case %s in the %s queue, to be taken up by %s\n", hex, queue,
		    cmd_time(when, sizeof when, deadline));
	ret = 0;
out:
	cases_queue_free(&q);
	cmd_case_free_attachments(b);
	sodium_memzero(b, sizeof *b);
	free(b);
	session_free(s);
	account_wipe(&a);
	return ret;
}

int
cmd_case_list(struct cmd *c)
{
	struct account a;
	struct session *s;
	struct wire_frame *f = NULL;
	struct wire_rec req, r;
	const struct wire_val *v;
	struct json j;
	char hex[CASES_HEX_ID], rep[YISHI_PK_BYTES * 2 + 1], hnd[YISHI_PK_BYTES * 2 + 1];
	char kind[17], queue[17], state[17], area[WIRE_MAX_AREA + 1], ft[33], dept[65];
	char when[32], pft[100], pdept[200];
	uint64_t now = cmd_now_ms(), deadline;
	uint32_t i;
	size_t k;
	int ret = -1;

	if (c->queue != NULL && case_queue_parse(c->queue) == -1) {
		cerr_set(&c->err, CE_INPUT, "%s: not a queue (anti-fraud, mediation, transfer)",
		    c->queue);
		return -1;
	}
	if (c->state != NULL) {
		for (k = 0; k < CMD_CASE_NSTATES; k++)
			if (strcmp(c->state, cmd_case_states[k]) == 0)
				break;
		if (k == CMD_CASE_NSTATES) {
			cerr_set(&c->err, CE_INPUT, "%s: not a case state (new, claimed, "
			    "in_progress, resolved, escalated, transferred, rejected)", c->state);
			return -1;
		}
	}
	if ((s = cmd_case_open(c, &a)) == NULL)
		return -1;
	wire_rec_init(&req, &wire_kinds[WK_CASE_LIST]);
	if (c->queue != NULL)
		wire_set_str(&req, WF_QUEUE, c->queue);
	if (c->state != NULL)
		wire_set_str(&req, WF_STATE, c->state);
	if (c->mine)
		wire_set_bool(&req, WF_MINE, 1);
	if ((f = session_call(s, WK_CASE_LIST, &req, WK_CASES, &c->err)) == NULL)
		goto out;
	v = &f->r.f[WF_CASES];
	for (i = 0; i < v->len; i++) {
		if (wire_array_get(v, i, &wire_records[WR_CASEREC], &r) != WE_OK) {
			cerr_set(&c->err, CE_PROTOCOL, "node sent a malformed case record");
			goto out;
		}
		hex_encode(hex, r.f[WF_CASE].p, CASE_ID_BYTES);
		hex_encode(rep, r.f[WF_REPORTER].p, YISHI_PK_BYTES);
		if (wire_has(&r, WF_HANDLER))
			hex_encode(hnd, r.f[WF_HANDLER].p, YISHI_PK_BYTES);
		wire_str(&r, WF_KIND, kind, sizeof kind);
		wire_str(&r, WF_QUEUE, queue, sizeof queue);
		wire_str(&r, WF_STATE, state, sizeof state);
		wire_str(&r, WF_AREA, area, sizeof area);
		wire_str(&r, WF_FRAUD_TYPE, ft, sizeof ft);
		wire_str(&r, WF_DEPT, dept, sizeof dept);
		deadline = wire_u(&r, WF_DEADLINE);
		if (c->json) {
			json_begin(&j);
			json_str(&j, "case_id", hex);
			json_str(&j, "kind", kind);
			json_str(&j, "queue", queue);
			json_bool(&j, "urgent", wire_u(&r, WF_URGENT) != 0);
			json_str(&j, "area", area);
			json_str(&j, "fraud_type", ft);
			json_str(&j, "state", state);
			json_uint(&j, "ts", wire_u(&r, WF_TS));
			json_uint(&j, "deadline", deadline);
			json_bool(&j, "overdue", strcmp(state, "new") == 0 && now > deadline);
			json_str(&j, "reporter", rep);
			json_str(&j, "handler", wire_has(&r, WF_HANDLER) ? hnd : NULL);
			if (wire_has(&r, WF_CLAIMED))
				json_uint(&j, "claimed", wire_u(&r, WF_CLAIMED));
			else
				json_null(&j, "claimed");
			json_str(&j, "dept", wire_has(&r, WF_DEPT) ? dept : NULL);
			(void)json_end(&j, stdout);
			continue;
		}
		printf("%s  %-10s %-11s %s%-12s area %s", hex, kind, queue,
		    wire_u(&r, WF_URGENT) ? "URGENT " : "", state, area);
		if (ft[0] != '\0')
			printf("  %s", cmd_plain(pft, sizeof pft, ft));
		if (strcmp(state, "new") == 0)
			printf("  %s %s", now > deadline ? "OVERDUE since" : "claim by",
			    cmd_time(when, sizeof when, deadline));
		if (wire_has(&r, WF_DEPT))
			printf("  -> %s", cmd_plain(pdept, sizeof pdept, dept));
		printf("\n");
	}
	ret = 0;
out:
	session_frame_free(f);
	session_free(s);
	account_wipe(&a);
	return ret;
}

/* "name" or the first 16 hex digits of a user, or "the node". */
static const char *
cmd_case_who(char *buf, size_t len, const struct cases_queue *q, const uint8_t *user,
    const uint8_t *reporter, int by_node)
{
	char hex[YISHI_PK_BYTES * 2 + 1], name[WIRE_MAX_NAME * 3 + 1];
	const char *n;

	if (by_node) {
		snprintf(buf, len, "the node");
		return buf;
	}
	hex_encode(hex, user, YISHI_PK_BYTES);
	if (q != NULL && (n = cases_queue_name(q, user)) != NULL)
		snprintf(buf, len, "%s", cmd_plain(name, sizeof name, n));
	else if (reporter != NULL && memcmp(user, reporter, YISHI_PK_BYTES) == 0)
		snprintf(buf, len, "the reporter");
	else
		snprintf(buf, len, "%.16s", hex);
	return buf;
}

/* Comma-joined list, for JSON and plain output (json.h writes no arrays). */
static const char *
cmd_case_join(char *buf, size_t len, const char *items, size_t stride, int n)
{
	int i;

	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		if (i > 0)
			strncat(buf, ",", len - strlen(buf) - 1);
		strncat(buf, items + (size_t)i * stride, len - strlen(buf) - 1);
	}
	return buf;
}

static void
cmd_case_print_text(const char *prefix, const char *text)
{
	char *buf, *line, *nl;
	size_t n = strlen(text) * 3 + 1;

	if ((buf = malloc(n)) == NULL)
		return;
	json_sanitize(buf, n, text, strlen(text), 0);
	for (nl = buf; *nl != '\0'; nl++)
		if (((unsigned char)*nl < 0x20 && *nl != '\n') || *nl == 0x7f)
			*nl = '?';
	for (line = buf; (nl = strchr(line, '\n')) != NULL; line = nl + 1) {
		*nl = '\0';
		printf("%s%s\n", prefix, line);
	}
	printf("%s%s\n", prefix, line);
	free(buf);
}

static void
cmd_case_out_case(const struct cmd *c, const struct cases_case *cc,
    const struct cases_queue *q)
{
	char rep[YISHI_PK_BYTES * 2 + 1], hnd[YISHI_PK_BYTES * 2 + 1], when[32], dl[32];
	char list[REPORT_LIST_MAX * 66 + 1], who[WIRE_MAX_NAME * 3 + 1], pft[100];
	char pdept[200];
	const struct report_body *b = cc->body;
	struct json j;

	hex_encode(rep, cc->reporter, YISHI_PK_BYTES);
	if (cc->has_handler)
		hex_encode(hnd, cc->handler, YISHI_PK_BYTES);
	if (c->json) {
		json_begin(&j);
		json_str(&j, "record", "case");
		json_str(&j, "case_id", cc->hex);
		json_str(&j, "kind", cc->kind);
		json_str(&j, "queue", cc->queue);
		json_bool(&j, "urgent", cc->urgent);
		json_str(&j, "area", cc->area);
		json_str(&j, "fraud_type", cc->fraud_type);
		json_str(&j, "state", cc->state);
		json_uint(&j, "ts", cc->ts);
		json_uint(&j, "deadline", cc->deadline);
		json_str(&j, "reporter", rep);
		json_str(&j, "handler", cc->has_handler ? hnd : NULL);
		if (cc->claimed != 0)
			json_uint(&j, "claimed", cc->claimed);
		else
			json_null(&j, "claimed");
		json_str(&j, "dept", cc->dept[0] != '\0' ? cc->dept : NULL);
		json_bool(&j, "verified", cc->meta_ok);
		if (!cc->meta_ok)
			json_str(&j, "error", cc->meta_why);
		if (cc->meta_ok && (cc->meta.ref_seq != 0)) {
			char g[YISHI_GID_BYTES * 2 + 1];

			json_str(&j, "ref_group", hex_encode(g, cc->meta.ref_group,
			    YISHI_GID_BYTES));
			json_uint(&j, "ref_seq", cc->meta.ref_seq);
		}
		json_str(&j, "text", b != NULL ? b->text : NULL);
		if (b != NULL) {
			json_str(&j, "amount", b->amount[0] != '\0' ? b->amount : NULL);
			json_str(&j, "accounts", cmd_case_join(list, sizeof list,
			    b->accounts[0], sizeof b->accounts[0], b->naccounts));
			json_str(&j, "phones", cmd_case_join(list, sizeof list, b->phones[0],
			    sizeof b->phones[0], b->nphones));
			json_str(&j, "attachments", cmd_case_attachments(list, sizeof list, b));
		} else
			json_str(&j, "body_error", cc->body_why);
		(void)json_end(&j, stdout);
		return;
	}
	printf("case %s  %s (%s)%s  area %s", cc->hex, cc->kind, cc->queue,
	    cc->urgent ? "  URGENT" : "", cc->area);
	if (cc->fraud_type[0] != '\0')
		printf("  fraud type %s", cmd_plain(pft, sizeof pft, cc->fraud_type));
	printf("\nstate %s  reported %s  claim deadline %s\n", cc->state,
	    cmd_time(when, sizeof when, cc->ts), cmd_time(dl, sizeof dl, cc->deadline));
	if (cc->has_handler)
		printf("handler %s", cmd_case_who(who, sizeof who, q, cc->handler, NULL, 0));
	if (cc->claimed != 0)
		printf("  claimed %s", cmd_time(when, sizeof when, cc->claimed));
	if (cc->has_handler || cc->claimed != 0)
		printf("\n");
	if (cc->dept[0] != '\0')
		printf("transferred to %s\n", cmd_plain(pdept, sizeof pdept, cc->dept));
	printf("reporter %s  %s\n", rep, cc->meta_ok ? "(report signature verified)" :
	    cc->meta_why);
	if (cc->meta_ok && cc->meta.ref_seq != 0) {
		char g[YISHI_GID_BYTES * 2 + 1];

		printf("about message #%llu of group %s\n", (unsigned long long)cc->meta.ref_seq,
		    hex_encode(g, cc->meta.ref_group, YISHI_GID_BYTES));
	}
	if (b == NULL) {
		printf("report: (%s)\n", cc->body_why);
		return;
	}
	cmd_case_print_text("report: ", b->text);
	if (b->amount[0] != '\0')
		printf("  amount: %s\n", b->amount);
	if (b->naccounts > 0)
		printf("  accounts: %s\n", cmd_case_join(list, sizeof list, b->accounts[0],
		    sizeof b->accounts[0], b->naccounts));
	if (b->nphones > 0)
		printf("  phones: %s\n", cmd_case_join(list, sizeof list, b->phones[0],
		    sizeof b->phones[0], b->nphones));
	if (b->nattachments > 0)
		printf("  attachments: %s\n", cmd_case_attachments(list, sizeof list, b));
}

static void
cmd_case_out_entry(const struct cmd *c, const struct cases_case *cc,
    const struct cases_entry *ce, const struct cases_queue *q)
{
	char actor[YISHI_PK_BYTES * 2 + 1], who[WIRE_MAX_NAME * 3 + 1], when[32];
	char parg[CASE_ARG_MAX * 3 + 1], hash[AGREEMENT_HASH_HEX];
	char parties[AGREEMENT_PARTIES_MAX * 65 + 1], ph[YISHI_PK_BYTES * 2 + 1];
	const char *action;
	struct json j;
	int i;

	action = ce->decoded ? case_action_names[ce->ent.action] : NULL;
	if (ce->decoded)
		hex_encode(actor, ce->ent.actor, YISHI_PK_BYTES);
	if (c->json) {
		json_begin(&j);
		json_str(&j, "record", "log");
		json_str(&j, "case_id", cc->hex);
		json_uint(&j, "seq", ce->seq);
		json_uint(&j, "ts", ce->ts);
		json_str(&j, "action", action);
		json_str(&j, "actor", ce->decoded ? actor : NULL);
		if (ce->decoded && !ce->by_node && q != NULL &&
		    cases_queue_name(q, ce->ent.actor) != NULL)
			json_str(&j, "actor_name", cases_queue_name(q, ce->ent.actor));
		json_bool(&j, "by_node", ce->by_node);
		json_str(&j, "arg", ce->decoded ? ce->ent.arg : NULL);
		json_bool(&j, "verified", ce->verified);
		if (!ce->verified)
			json_str(&j, "error", ce->why);
		if (ce->text != NULL)
			json_str(&j, "text", ce->text);
		if (ce->agr != NULL) {
			agreement_hash(ce->doc, ce->doclen, hash);
			json_str(&j, "agreement_hash", hash);
			json_str(&j, "text", ce->agr->text);
			parties[0] = '\0';
			for (i = 0; i < ce->agr->nparties; i++) {
				if (i > 0)
					strcat(parties, ",");
				strcat(parties, hex_encode(ph, ce->agr->parties[i],
				    YISHI_PK_BYTES));
			}
			json_str(&j, "parties", parties);
		}
		if (ce->sealed && !ce->opened)
			json_str(&j, "body_error", ce->open_why[0] != '\0' ? ce->open_why :
			    "not opened");
		(void)json_end(&j, stdout);
		return;
	}
	printf("  #%llu [%s] ", (unsigned long long)ce->seq, cmd_time(when, sizeof when,
	    ce->ts));
	if (!ce->decoded) {
		printf("(undecodable entry: %s)\n", ce->why);
		return;
	}
	printf("%s by %s", action, cmd_case_who(who, sizeof who, q, ce->ent.actor,
	    cc->reporter, ce->by_node));
	if (ce->ent.arg[0] != '\0')
		printf(": %s", cmd_plain(parg, sizeof parg, ce->ent.arg));
	printf(ce->verified ? "  [verified]\n" : "  [NOT VERIFIED: %s]\n", ce->why);
	if (ce->text != NULL)
		cmd_case_print_text("      ", ce->text);
	if (ce->agr != NULL)
		cmd_case_print_text("      agreement: ", ce->agr->text);
	if (ce->sealed && !ce->opened)
		printf("      (%s)\n", ce->open_why[0] != '\0' ? ce->open_why : "not opened");
}

int
cmd_case_show(struct cmd *c)
{
	struct account a;
	struct session *s;
	struct cases_case cc;
	struct cases_queue q;
	struct cerr qe;
	uint8_t id[CASE_ID_BYTES];
	size_t i;
	int kind, haveq = 0, rc;

	memset(&cc, 0, sizeof cc);
	if ((s = cmd_case_open_id(c, &a, id)) == NULL)
		return -1;
	if (cases_fetch(&cc, s, &a.me, a.node.node, id, &c->err) == -1) {
		session_free(s);
		account_wipe(&a);
		return -1;
	}
	/* Names of the handlers, for people rather than keys; not essential. */
	if ((kind = report_kind_parse(cc.kind)) != -1) {
		if (cases_queue_fetch(&q, s, kind, &qe) == 0)
			haveq = 1;
		else
			log_debug("queue_info: %s", qe.msg);
	}
	cmd_case_out_case(c, &cc, haveq ? &q : NULL);
	if (!c->json && cc.nlog > 0)
		printf("log:\n");
	for (i = 0; i < cc.nlog; i++)
		cmd_case_out_entry(c, &cc, &cc.log[i], haveq ? &q : NULL);
	fflush(stdout);
	rc = 0;
	if (c->out != NULL) {
		if (cc.body == NULL) {
			cerr_set(&c->err, CE_USAGE, "the report is not readable by you: no "
			    "attachments to save");
			rc = -1;
		} else
			rc = cmd_case_save_attachments(c, cc.body);
	}
	if (haveq)
		cases_queue_free(&q);
	cases_free(&cc);
	session_free(s);
	account_wipe(&a);
	return rc;
}

/*
 * Seal text (a note) bound to entry ent to the reporter, the readers of the case's
 * queue and me, and submit it.
 */
static int
cmd_case_note(struct cmd *c, struct session *s, const struct account *a,
    const struct cases_case *cc, const struct case_entry *ent, const char *text,
    uint64_t *seq)
{
	uint8_t raw[CASE_ENTRY_MAX], key[YISHI_KEY_BYTES], *sealed = NULL;
	struct report_body *nb = NULL;
	struct cases_queue q;
	struct cases_seals ss;
	msgpack_sbuffer sb;
	size_t rawlen;
	int kind, ret = -1;

	memset(&q, 0, sizeof q);
	cases_seals_init(&ss);
	msgpack_sbuffer_init(&sb);
	if ((kind = report_kind_parse(cc->kind)) == -1) {
		cerr_set(&c->err, CE_PROTOCOL, "node lists case %s with an unknown kind",
		    cc->hex);
		goto out;
	}
	if (cases_queue_fetch(&q, s, kind, &c->err) == -1)
		goto out;
	if ((nb = calloc(1, sizeof *nb)) == NULL) {
		cerr_set(&c->err, CE_INTERNAL, "out of memory");
		goto out;
	}
	snprintf(nb->text, sizeof nb->text, "%s", text);
	if (report_body_encode(nb, &sb) == -1 ||
	    (rawlen = case_entry_encode(ent, raw, sizeof raw)) == 0) {
		cerr_set(&c->err, CE_INPUT, "the note is not valid UTF-8 text");
		goto out;
	}
	if ((sealed = malloc(sb.size + YISHI_NONCE_BYTES + YISHI_TAG_BYTES)) == NULL) {
		cerr_set(&c->err, CE_INTERNAL, "out of memory");
		goto out;
	}
	report_seal_body(raw, rawlen, (const uint8_t *)sb.data, sb.size, key, sealed);
	if (cases_seals_add(&ss, key, a->me.pk, &c->err) == -1 ||
	    cases_seals_add(&ss, key, cc->reporter, &c->err) == -1 ||
	    cases_seals_add_queue(&ss, key, &q, &c->err) == -1)
		goto out;
	if (cases_submit(s, &a->me, ent, sealed, sb.size + YISHI_NONCE_BYTES +
	    YISHI_TAG_BYTES, &ss, seq, &c->err) == -1)
		goto out;
	ret = 0;
out:
	sodium_memzero(key, sizeof key);
	if (nb != NULL)
		sodium_memzero(nb, sizeof *nb);
	free(nb);
	if (sb.data != NULL)
		sodium_memzero(sb.data, sb.size);
	msgpack_sbuffer_destroy(&sb);
	free(sealed);
	cases_seals_free(&ss);
	cases_queue_free(&q);
	return ret;
}

/*
 * The node's rules for a mediate entry, checked on the fetched case before a room is
 * created: a refusal afterwards would leave an empty room behind, and groups cannot
 * be deleted.
 */
static int
cmd_case_can_mediate(struct cmd *c, const struct account *a, const struct cases_case *cc)
{
	if (strcmp(cc->queue, case_queue_names[CQ_MEDIATION]) != 0) {
		cerr_set(&c->err, WE_INVALID, "case %s is a %s case: only disputes are mediated",
		    cc->hex, cc->kind);
		return -1;
	}
	if (strcmp(cc->state, "claimed") != 0 && strcmp(cc->state, "in_progress") != 0) {
		cerr_set(&c->err, WE_INVALID, "case %s is %s: claim it before mediating", cc->hex,
		    cc->state);
		return -1;
	}
	if (!cc->has_handler || memcmp(cc->handler, a->me.pk, YISHI_PK_BYTES) != 0) {
		cerr_set(&c->err, WE_FORBIDDEN, "only the handler who claimed case %s may "
		    "mediate it", cc->hex);
		return -1;
	}
	return 0;
}

/*
 * Open the mediation room: a group we found for this case, named after it; after
 * the node has accepted the mediate entry (and admitted the reporter), box the key
 * to them and make an invite for the other party.
 */
static int
cmd_case_room(struct cmd *c, struct session *s, const struct account *a,
    const struct cases_case *cc, char gidhex[YISHI_GID_BYTES * 2 + 1])
{
	uint8_t gid[YISHI_GID_BYTES], salt[YISHI_SALT_BYTES], key[YISHI_KEY_BYTES];
	uint8_t box[YISHI_KEYBOX_BYTES];
	struct wire_frame *f;
	struct wire_rec req;
	char name[WIRE_MAX_NAME + 1];

	randombytes_buf(salt, sizeof salt);
	group_id_derive(a->me.pk, salt, gid);
	epoch_key_new(key);
	if (keybox_seal(&a->me, a->me.pk, gid, 1, key, box) == -1) {
		sodium_memzero(key, sizeof key);
		cerr_set(&c->err, CE_INTERNAL, "cannot box the room's key");
		return -1;
	}
	sodium_memzero(key, sizeof key);
	snprintf(name, sizeof name, "调解 %.8s", cc->hex);
	wire_rec_init(&req, &wire_kinds[WK_GROUP_CREATE]);
	wire_set_bin(&req, WF_GROUP, gid, sizeof gid);
	wire_set_bin(&req, WF_SALT, salt, sizeof salt);
	wire_set_str(&req, WF_NAME, name);
	wire_set_str(&req, WF_AREA, cc->area);
	wire_set_bin(&req, WF_BOX, box, sizeof box);
	if ((f = session_call(s, WK_GROUP_CREATE, &req, WK_JOINED, &c->err)) == NULL)
		return -1;
	session_frame_free(f);
	hex_encode(gidhex, gid, sizeof gid);
	return 0;
}

static int
cmd_case_invite(struct cmd *c, struct session *s, const char *gidhex, char *link,
    size_t linklen)
{
	uint8_t gid[YISHI_GID_BYTES];
	struct wire_frame *f;
	struct wire_rec req;
	char token[16 * 2 + 1];

	if (hex_decode(gid, sizeof gid, gidhex) == -1)
		return -1;
	wire_rec_init(&req, &wire_kinds[WK_INVITE_CREATE]);
	wire_set_bin(&req, WF_GROUP, gid, sizeof gid);
	if ((f = session_call(s, WK_INVITE_CREATE, &req, WK_INVITE, &c->err)) == NULL)
		return -1;
	hex_encode(token, f->r.f[WF_TOKEN].p, 16);
	session_frame_free(f);
	snprintf(link, linklen, "http://%s/join/%s", session_url(s)->canon + strlen("ws://"),
	    token);
	return 0;
}

/* A department name must be one the node lists (for a clear error before signing). */
static int
cmd_case_dept(struct cmd *c, struct session *s, const char *dept)
{
	struct cases_queue q;
	char list[1024];
	size_t i;

	if (cases_queue_fetch(&q, s, RK_NONPOLICE, &c->err) == -1)
		return -1;
	for (i = 0; i < q.ndepts; i++)
		if (strcmp(q.depts[i], dept) == 0) {
			cases_queue_free(&q);
			return 0;
		}
	list[0] = '\0';
	for (i = 0; i < q.ndepts && strlen(list) + strlen(q.depts[i]) + 3 < sizeof list; i++) {
		if (i > 0)
			strcat(list, ", ");
		strcat(list, q.depts[i]);
	}
	cerr_set(&c->err, CE_INPUT, "%s: not a department of this station (%s)", dept,
	    q.ndepts > 0 ? list : "none configured");
	cases_queue_free(&q);
	return -1;
}

int
cmd_case_act(struct cmd *c)
{
	struct account a;
	struct session *s;
	struct cases_case cc;
	struct case_entry ent;
	struct cerr ke;
	struct json j;
	uint8_t id[CASE_ID_BYTES];
	char hex[CASES_HEX_ID], gidhex[YISHI_GID_BYTES * 2 + 1], link[400];
	const char *arg = "";
	uint64_t seq = 0;
	int action, ret = -1;

	memset(&cc, 0, sizeof cc);
	gidhex[0] = link[0] = '\0';
	if ((action = case_action_parse(c->sub)) == -1) {
		cerr_set(&c->err, CE_USAGE, "case %s: unknown action", c->sub);
		return -1;
	}
	switch (action) {
	case CA_RESOLVE:
	case CA_REJECT:
		arg = c->outcome != NULL ? c->outcome : action == CA_RESOLVE ? "resolved" :
		    "rejected";
		break;
	case CA_ESCALATE:
		arg = c->reason != NULL ? c->reason : "handler";
		break;
	case CA_TRANSFER:
		arg = c->argv[1];
		break;
	case CA_NOTE:
		arg = "note";
		if (cmd_case_text(c, "note", c->argv[1]) == -1)
			return -1;
		break;
	default:
		break;
	}
	if (strlen(arg) > CASE_ARG_MAX) {
		cerr_set(&c->err, CE_INPUT, "%s: at most %d bytes", arg, CASE_ARG_MAX);
		return -1;
	}
	if ((s = cmd_case_open_id(c, &a, id)) == NULL)
		return -1;
	hex_encode(hex, id, sizeof id);
	/* What some actions need to know of the case first. */
	if ((action == CA_NOTE || action == CA_MEDIATE) &&
	    cases_fetch(&cc, s, &a.me, a.node.node, id, &c->err) == -1)
		goto out;
	if (action == CA_TRANSFER && cmd_case_dept(c, s, arg) == -1)
		goto out;
	if (action == CA_MEDIATE) {
		if (cmd_case_can_mediate(c, &a, &cc) == -1 ||
		    cmd_case_room(c, s, &a, &cc, gidhex) == -1)
			goto out;
		arg = gidhex;
	}
	cases_entry_new(&ent, &a.me, id, action, arg);
	if (action == CA_NOTE) {
		if (cmd_case_note(c, s, &a, &cc, &ent, c->argv[1], &seq) == -1)
			goto out;
	} else if (cases_submit(s, &a.me, &ent, NULL, 0, NULL, &seq, &c->err) == -1) {
		/* The protocol has no way to delete a group: say what is left behind. */
		if (action == CA_MEDIATE)
			fprintf(stderr, "yishi: the node refused the mediation after the room %s "
			    "was created; the room stays, empty but for you (groups cannot be "
			    "deleted)\n", gidhex);
		goto out;
	}
	if (action == CA_MEDIATE) {
		/* The node let the reporter in: give them the room's key now. */
		if (keyring_distribute_all(s, &a.me, &ke) == -1)
			fprintf(stderr, "yishi: warning: the room key is not with the reporter "
			    "yet (%s); any later yishi command of yours boxes it\n", ke.msg);
		if (cmd_case_invite(c, s, gidhex, link, sizeof link) == -1)
			goto out;
	}
	if (c->json) {
		json_begin(&j);
		json_str(&j, "case_id", hex);
		json_str(&j, "action", case_action_names[action]);
		json_uint(&j, "seq", seq);
		if (arg[0] != '\0' && action != CA_MEDIATE && action != CA_NOTE)
			json_str(&j, "arg", arg);
		if (action == CA_MEDIATE) {
			json_str(&j, "group_id", gidhex);
			json_str(&j, "link", link);
		}
		(void)json_end(&j, stdout);
	} else if (action == CA_MEDIATE)
		printf("case %s: mediation room %s (the reporter is in it)\ninvite the other "
		    "party: %s\n", hex, gidhex, link);
	else
		printf("case %s: %s (#%llu)\n", hex, case_action_names[action],
		    (unsigned long long)seq);
	ret = 0;
out:
	cases_free(&cc);
	session_free(s);
	account_wipe(&a);
	return ret;
}

int
cmd_case_agree(struct cmd *c)
{
	struct account a;
	struct session *s;
	struct cases_case cc;
	struct cases_queue q;
	struct cases_seals ss;
	struct case_entry ent;
	struct agreement *ag = NULL;
	struct json j;
	uint8_t id[CASE_ID_BYTES], key[YISHI_KEY_BYTES], *doc = NULL, *sealed = NULL;
	uint8_t pk[YISHI_PK_BYTES];
	char hash[AGREEMENT_HASH_HEX];
	size_t doclen;
	uint64_t seq;
	int i, k, kind, ret = -1;

	memset(&cc, 0, sizeof cc);
	memset(&q, 0, sizeof q);
	cases_seals_init(&ss);
	if (cmd_case_text(c, "agreement text", c->argv[1]) == -1)
		return -1;
	if (c->nparties == 0) {
		cerr_set(&c->err, CE_USAGE, "case agree: name the other party with --party USER "
		    "(the reporter is a party already)");
		return -1;
	}
	if ((ag = calloc(1, sizeof *ag)) == NULL ||
	    (doc = malloc(AGREEMENT_MAX)) == NULL ||
	    (sealed = malloc(AGREEMENT_MAX + YISHI_NONCE_BYTES + YISHI_TAG_BYTES)) == NULL) {
		free(ag);
		free(doc);
		cerr_set(&c->err, CE_INTERNAL, "out of memory");
		return -1;
	}
	if ((s = cmd_case_open_id(c, &a, id)) == NULL)
		goto out_nos;
	if (cases_fetch(&cc, s, &a.me, a.node.node, id, &c->err) == -1)
		goto out;
	if (!cc.meta_ok) {
		cerr_set(&c->err, CE_PROTOCOL, "case %s does not check: %s", cc.hex, cc.meta_why);
		goto out;
	}
	/* The parties: the reporter, then each --party once. */
	memcpy(ag->case_id, id, CASE_ID_BYTES);
	memcpy(ag->mediator, a.me.pk, YISHI_PK_BYTES);
	memcpy(ag->parties[ag->nparties++], cc.reporter, YISHI_PK_BYTES);
	for (i = 0; i < c->nparties; i++) {
		if (strlen(c->parties[i]) != YISHI_PK_BYTES * 2 ||
		    hex_decode(pk, sizeof pk, c->parties[i]) == -1) {
			cerr_set(&c->err, CE_INPUT, "%s: not a user id (64 hex digits)",
			    c->parties[i]);
			goto out;
		}
		for (k = 0; k < ag->nparties; k++)
			if (memcmp(ag->parties[k], pk, YISHI_PK_BYTES) == 0)
				break;
		if (k < ag->nparties)
			continue;
		if (ag->nparties == AGREEMENT_PARTIES_MAX) {
			cerr_set(&c->err, CE_INPUT, "an agreement has at most %d parties",
			    AGREEMENT_PARTIES_MAX);
			goto out;
		}
		memcpy(ag->parties[ag->nparties++], pk, YISHI_PK_BYTES);
	}
	snprintf(ag->text, sizeof ag->text, "%s", c->argv[1]);
	ag->ts_ms = cmd_now_ms();
	if ((doclen = agreement_encode(ag, doc, AGREEMENT_MAX)) == 0) {
		cerr_set(&c->err, CE_INPUT, "the agreement text is not valid UTF-8");
		goto out;
	}
	agreement_hash(doc, doclen, hash);
	report_seal_body(id, CASE_ID_BYTES, doc, doclen, key, sealed);
	if ((kind = report_kind_parse(cc.kind)) == -1 ||
	    cases_queue_fetch(&q, s, kind, &c->err) == -1)
		goto out;
	if (cases_seals_add(&ss, key, a.me.pk, &c->err) == -1)
		goto out;
	for (i = 0; i < ag->nparties; i++)
		if (cases_seals_add(&ss, key, ag->parties[i], &c->err) == -1)
			goto out;
	if (cases_seals_add_queue(&ss, key, &q, &c->err) == -1)
		goto out;
	cases_entry_new(&ent, &a.me, id, CA_AGREE, hash);
	if (cases_submit(s, &a.me, &ent, sealed, doclen + YISHI_NONCE_BYTES + YISHI_TAG_BYTES,
	    &ss, &seq, &c->err) == -1)
		goto out;
	if (c->json) {
		json_begin(&j);
		json_str(&j, "case_id", cc.hex);
		json_str(&j, "action", "agree");
		json_uint(&j, "seq", seq);
		json_str(&j, "agreement_hash", hash);
		json_uint(&j, "parties", (uint64_t)ag->nparties);
		(void)json_end(&j, stdout);
	} else
		printf("case %s: agreement %s drafted for %d parties (#%llu); each signs it "
		    "with `yishi case sign %s`\n", cc.hex, hash, ag->nparties,
		    (unsigned long long)seq, cc.hex);
	ret = 0;
out:
	session_free(s);
	account_wipe(&a);
out_nos:
	sodium_memzero(key, sizeof key);
	cases_seals_free(&ss);
	cases_queue_free(&q);
	cases_free(&cc);
	free(ag);
	free(doc);
	free(sealed);
	return ret;
}

int
cmd_case_sign(struct cmd *c)
{
	struct account a;
	struct session *s;
	struct cases_case cc;
	const struct cases_entry *ag;
	struct case_entry ent;
	struct json j;
	uint8_t id[CASE_ID_BYTES];
	uint64_t seq;
	size_t i;
	int k, ret = -1;

	memset(&cc, 0, sizeof cc);
	if ((s = cmd_case_open_id(c, &a, id)) == NULL)
		return -1;
	if (cases_fetch(&cc, s, &a.me, a.node.node, id, &c->err) == -1)
		goto out;
	if ((ag = cases_agreement(&cc)) == NULL) {
		for (i = cc.nlog; i-- > 0;)
			if (cc.log[i].verified && cc.log[i].ent.action == CA_AGREE)
				break;
		if (i == (size_t)-1)
			cerr_set(&c->err, WE_NOT_FOUND, "case %s has no agreement to sign yet",
			    cc.hex);
		else
			cerr_set(&c->err, CE_INPUT, "case %s: cannot read its agreement: %s",
			    cc.hex, cc.log[i].open_why);
		goto out;
	}
	for (k = 0; k < ag->agr->nparties; k++)
		if (memcmp(ag->agr->parties[k], a.me.pk, YISHI_PK_BYTES) == 0)
			break;
	if (k == ag->agr->nparties) {
		cerr_set(&c->err, WE_FORBIDDEN, "you are not a party to the agreement of case %s",
		    cc.hex);
		goto out;
	}
	/* What we sign is what we were shown: the hash of this very document. */
	cases_entry_new(&ent, &a.me, id, CA_SIGN, ag->ent.arg);
	if (cases_submit(s, &a.me, &ent, NULL, 0, NULL, &seq, &c->err) == -1)
		goto out;
	if (c->json) {
		json_begin(&j);
		json_str(&j, "case_id", cc.hex);
		json_str(&j, "action", "sign");
		json_uint(&j, "seq", seq);
		json_str(&j, "agreement_hash", ag->ent.arg);
		json_str(&j, "text", ag->agr->text);
		(void)json_end(&j, stdout);
	} else {
		printf("agreement of case %s (%s):\n", cc.hex, ag->ent.arg);
		cmd_case_print_text("  ", ag->agr->text);
		printf("signed (#%llu)\n", (unsigned long long)seq);
	}
	ret = 0;
out:
	cases_free(&cc);
	session_free(s);
	account_wipe(&a);
	return ret;
}

/* Write len bytes to path atomically: a temporary file, fsync, rename. */
static int
cmd_case_write(struct cmd *c, const char *path, const void *buf, size_t len)
{
	char tmp[4096];
	int fd;

	if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >=
	    sizeof tmp) {
		cerr_set(&c->err, CE_INPUT, "%s: path too long", path);
		return -1;
	}
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) == -1) {
		cerr_set(&c->err, CE_IO, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	if (write(fd, buf, len) != (ssize_t)len || fsync(fd) == -1) {
		cerr_set(&c->err, CE_IO, "%s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		return -1;
	}
	close(fd);
	if (rename(tmp, path) == -1) {
		cerr_set(&c->err, CE_IO, "%s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

int
cmd_case_export(struct cmd *c)
{
	struct account a;
	struct session *s;
	struct cases_case cc;
	struct agreement *ag = NULL;
	msgpack_sbuffer sb;
	struct json j;
	uint8_t id[CASE_ID_BYTES];
	char why[200];
	int ok, ret = -1;

	if (c->out == NULL) {
		cerr_set(&c->err, CE_USAGE, "case export: --out FILE is required");
		return -1;
	}
	memset(&cc, 0, sizeof cc);
	msgpack_sbuffer_init(&sb);
	if ((s = cmd_case_open_id(c, &a, id)) == NULL) {
		msgpack_sbuffer_destroy(&sb);
		return -1;
	}
	if (cases_fetch(&cc, s, &a.me, a.node.node, id, &c->err) == -1 ||
	    cases_export(&cc, &sb, &c->err) == -1 ||
	    cmd_case_write(c, c->out, sb.data, sb.size) == -1)
		goto out;
	if ((ag = calloc(1, sizeof *ag)) == NULL) {
		cerr_set(&c->err, CE_INTERNAL, "out of memory");
		goto out;
	}
	/* Say whether the file is complete: every party has signed. */
	ok = agreement_file_verify(sb.data, sb.size, ag, why, sizeof why) == 0;
	if (c->json) {
		json_begin(&j);
		json_str(&j, "case_id", cc.hex);
		json_str(&j, "file", c->out);
		json_bool(&j, "verified", ok);
		if (!ok)
			json_str(&j, "reason", why);
		(void)json_end(&j, stdout);
	} else
		printf("%s: agreement of case %s%s%s\n", c->out, cc.hex,
		    ok ? ", signed by every party" : ", not complete yet: ", ok ? "" : why);
	ret = 0;
out:
	free(ag);
	msgpack_sbuffer_destroy(&sb);
	cases_free(&cc);
	session_free(s);
	account_wipe(&a);
	return ret;
}

int
cmd_case_verify(struct cmd *c)
{
	struct agreement *ag;
	struct json j;
	uint8_t *buf;
	char why[200], hex[CASES_HEX_ID], med[YISHI_PK_BYTES * 2 + 1];
	char parties[AGREEMENT_PARTIES_MAX * 65 + 1], ph[YISHI_PK_BYTES * 2 + 1];
	const char *path = c->argv[0];
	size_t len = 0;
	ssize_t n;
	int fd, i, ret = -1;

	if ((buf = malloc(CMD_CASE_FILE_MAX + 1)) == NULL ||
	    (ag = calloc(1, sizeof *ag)) == NULL) {
		free(buf);
		cerr_set(&c->err, CE_INTERNAL, "out of memory");
		return -1;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		cerr_set(&c->err, CE_IO, "%s: %s", path, strerror(errno));
		goto out;
	}
	while (len <= CMD_CASE_FILE_MAX &&
	    (n = read(fd, buf + len, CMD_CASE_FILE_MAX + 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	if (len > CMD_CASE_FILE_MAX) {
		cerr_set(&c->err, CE_INPUT, "%s: larger than any agreement file (%d bytes)",
		    path, CMD_CASE_FILE_MAX);
		goto out;
	}
	if (agreement_file_verify(buf, len, ag, why, sizeof why) != 0) {
		cerr_set(&c->err, WE_BAD_SIGNATURE, "%s: the agreement does not verify: %s",
		    path, why);
		goto out;
	}
	hex_encode(hex, ag->case_id, sizeof ag->case_id);
	hex_encode(med, ag->mediator, sizeof ag->mediator);
	parties[0] = '\0';
	for (i = 0; i < ag->nparties; i++) {
		if (i > 0)
			strcat(parties, ",");
		strcat(parties, hex_encode(ph, ag->parties[i], YISHI_PK_BYTES));
	}
	if (c->json) {
		json_begin(&j);
		json_bool(&j, "verified", 1);
		json_str(&j, "case_id", hex);
		json_str(&j, "mediator", med);
		json_str(&j, "parties", parties);
		json_uint(&j, "ts", ag->ts_ms);
		json_str(&j, "text", ag->text);
		(void)json_end(&j, stdout);
	} else {
		printf("verified: agreement of case %s, signed by all %d parties\n", hex,
		    ag->nparties);
		printf("mediator %s\n", med);
		for (i = 0; i < ag->nparties; i++)
			printf("party    %s\n", hex_encode(ph, ag->parties[i], YISHI_PK_BYTES));
		cmd_case_print_text("  ", ag->text);
	}
	ret = 0;
out:
	free(buf);
	free(ag);
	return ret;
}

/* A stats row, possibly merged over weeks. */
struct cmd_case_stat {
	char		week[17], kind[17], area[WIRE_MAX_AREA + 1], ft[33], state[17];
	uint64_t	count, claimed, in_time;
	uint64_t	claim_ms_sum;	/* claimed-weighted weekly medians */
	uint64_t	claim_w;
	int		weeks;
};

/* --since YYYY-MM-DD: local midnight, in ms. */
static int
cmd_case_date(struct cmd *c, uint64_t *ms)
{
	struct tm tm;
	char *end;
	time_t t;

	memset(&tm, 0, sizeof tm);
	if ((end = strptime(c->since_str, "%Y-%m-%d", &tm)) == NULL || *end != '\0') {
		cerr_set(&c->err, CE_INPUT, "%s: --since takes a date, YYYY-MM-DD",
		    c->since_str);
		return -1;
	}
	tm.tm_isdst = -1;
	if ((t = mktime(&tm)) == (time_t)-1 || t < 0) {
		cerr_set(&c->err, CE_INPUT, "%s: not a date this system can represent",
		    c->since_str);
		return -1;
	}
	*ms = (uint64_t)t * 1000;
	return 0;
}

static int
cmd_case_stat_cmp(const void *pa, const void *pb)
{
	const struct cmd_case_stat *x = pa, *y = pb;
	int r;

	if ((r = strcmp(x->week, y->week)) != 0 || (r = strcmp(x->kind, y->kind)) != 0 ||
	    (r = strcmp(x->area, y->area)) != 0 || (r = strcmp(x->ft, y->ft)) != 0)
		return r;
	return strcmp(x->state, y->state);
}

static const char *
cmd_case_dur(char *buf, size_t len, uint64_t ms)
{
	if (ms < 60000)
		snprintf(buf, len, "%.1fs", (double)ms / 1000);
	else if (ms < 3600000)
		snprintf(buf, len, "%.1fm", (double)ms / 60000);
	else
		snprintf(buf, len, "%.1fh", (double)ms / 3600000);
	return buf;
}

int
cmd_case_stats(struct cmd *c)
{
	struct account a;
	struct session *s;
	struct wire_frame *f = NULL;
	struct wire_rec req, r;
	const struct wire_val *v;
	struct cmd_case_stat *rows = NULL, row, *t;
	struct json j;
	char pft[100], dur[32];
	uint64_t since = 0, total = 0, tclaimed = 0, tin = 0, med;
	uint32_t i;
	size_t n = 0, k;
	int ret = -1;

	if (c->since_str != NULL && cmd_case_date(c, &since) == -1)
		return -1;
	if ((s = cmd_case_open(c, &a)) == NULL)
		return -1;
	wire_rec_init(&req, &wire_kinds[WK_STATS_GET]);
	if (c->since_str != NULL)
		wire_set_uint(&req, WF_SINCE, since);
	if ((f = session_call(s, WK_STATS_GET, &req, WK_STATS, &c->err)) == NULL)
		goto out;
	v = &f->r.f[WF_ROWS];
	if ((rows = calloc(v->len ? v->len : 1, sizeof *rows)) == NULL) {
		cerr_set(&c->err, CE_INTERNAL, "out of memory");
		goto out;
	}
	for (i = 0; i < v->len; i++) {
		if (wire_array_get(v, i, &wire_records[WR_STAT], &r) != WE_OK) {
			cerr_set(&c->err, CE_PROTOCOL, "node sent a malformed figures row");
			goto out;
		}
		memset(&row, 0, sizeof row);
		if (c->week)
			wire_str(&r, WF_WEEK, row.week, sizeof row.week);
		else
			snprintf(row.week, sizeof row.week, "all");
		wire_str(&r, WF_KIND, row.kind, sizeof row.kind);
		wire_str(&r, WF_AREA, row.area, sizeof row.area);
		wire_str(&r, WF_FRAUD_TYPE, row.ft, sizeof row.ft);
		wire_str(&r, WF_STATE, row.state, sizeof row.state);
		row.count = wire_u(&r, WF_COUNT);
		row.claimed = wire_u(&r, WF_CLAIMED);
		row.in_time = wire_u(&r, WF_IN_TIME);
		row.claim_ms_sum = wire_u(&r, WF_CLAIM_MS) * row.claimed;
		row.claim_w = row.claimed;
		row.weeks = 1;
		/* Without --week, rows that differ only by week merge. */
		for (k = 0, t = NULL; k < n; k++)
			if (cmd_case_stat_cmp(&rows[k], &row) == 0) {
				t = &rows[k];
				break;
			}
		if (t == NULL) {
			rows[n++] = row;
			continue;
		}
		t->count += row.count;
		t->claimed += row.claimed;
		t->in_time += row.in_time;
		t->claim_ms_sum += row.claim_ms_sum;
		t->claim_w += row.claim_w;
		t->weeks++;
	}
	qsort(rows, n, sizeof *rows, cmd_case_stat_cmp);
	if (!c->json && n > 0)
		printf("%-9s %-10s %-12s %-14s %-12s %6s %7s %7s %9s\n", "WEEK", "KIND", "AREA",
		    "FRAUD TYPE", "OUTCOME", "CASES", "CLAIMED", "IN TIME", "TO CLAIM");
	for (k = 0; k < n; k++) {
		t = &rows[k];
		med = t->claim_w > 0 ? t->claim_ms_sum / t->claim_w : 0;
		total += t->count;
		tclaimed += t->claimed;
		tin += t->in_time;
		if (c->json) {
			json_begin(&j);
			json_str(&j, "week", t->week);
			json_str(&j, "kind", t->kind);
			json_str(&j, "area", t->area);
			json_str(&j, "fraud_type", t->ft);
			json_str(&j, "state", t->state);
			json_uint(&j, "count", t->count);
			json_uint(&j, "claimed", t->claimed);
			json_uint(&j, "in_time", t->in_time);
			json_uint(&j, "claim_ms", med);
			(void)json_end(&j, stdout);
			continue;
		}
		printf("%-9s %-10s %-12s %-14s %-12s %6llu %7llu %7llu %9s\n", t->week, t->kind,
		    t->area, t->ft[0] != '\0' ? cmd_plain(pft, sizeof pft, t->ft) : "-",
		    t->state, (unsigned long long)t->count, (unsigned long long)t->claimed,
		    (unsigned long long)t->in_time, t->claimed > 0 ?
		    cmd_case_dur(dur, sizeof dur, med) : "-");
	}
	if (!c->json)
		printf("%llu cases; %llu claimed, %llu of them within the deadline\n",
		    (unsigned long long)total, (unsigned long long)tclaimed,
		    (unsigned long long)tin);
	ret = 0;
out:
	free(rows);
	session_frame_free(f);
	session_free(s);
	account_wipe(&a);
	return ret;
}

void
cmd_case_show_event(const struct cmd *c, const struct account *a, const struct wire_frame *ev)
{
	struct cases_entry *ce;
	struct json j;
	char hex[CASES_HEX_ID], actor[YISHI_PK_BYTES * 2 + 1], when[32];
	char parg[CASE_ARG_MAX * 3 + 1];

	if ((ce = calloc(1, sizeof *ce)) == NULL)
		return;
	hex_encode(hex, ev->r.f[WF_CASE].p, CASE_ID_BYTES);
	cases_check_entry(ce, ev->r.f[WF_CASE].p, ev->r.f[WF_ENTRY].p, ev->r.f[WF_ENTRY].len,
	    ev->r.f[WF_SIG].p, a->node.node);
	ce->seq = wire_u(&ev->r, WF_SEQ);
	ce->ts = wire_u(&ev->r, WF_TS);
	if (ce->decoded)
		hex_encode(actor, ce->ent.actor, YISHI_PK_BYTES);
	if (c->json) {
		json_begin(&j);
		json_str(&j, "event", "case");
		json_str(&j, "case_id", hex);
		json_uint(&j, "seq", ce->seq);
		json_uint(&j, "ts", ce->ts);
		json_str(&j, "action", ce->decoded ? case_action_names[ce->ent.action] : NULL);
		json_str(&j, "actor", ce->decoded ? actor : NULL);
		json_bool(&j, "by_node", ce->by_node);
		json_str(&j, "arg", ce->decoded ? ce->ent.arg : NULL);
		json_bool(&j, "verified", ce->verified);
		if (!ce->verified)
			json_str(&j, "error", ce->why);
		(void)json_end(&j, stdout);
	} else if (!ce->decoded)
		printf("[case %.8s] #%llu (undecodable step: %s)\n", hex,
		    (unsigned long long)ce->seq, ce->why);
	else {
		actor[16] = '\0';
		printf("[case %.8s] #%llu [%s] %s by %s%s%s", hex, (unsigned long long)ce->seq,
		    cmd_time(when, sizeof when, ce->ts), case_action_names[ce->ent.action],
		    ce->by_node ? "the node" : memcmp(ce->ent.actor, a->me.pk,
		    YISHI_PK_BYTES) == 0 ? "you" : actor, ce->ent.arg[0] != '\0' ? ": " : "",
		    cmd_plain(parg, sizeof parg, ce->ent.arg));
		printf(ce->verified ? "  [verified]\n" : "  [NOT VERIFIED: %s]\n", ce->why);
	}
	fflush(stdout);
	free(ce);
}
