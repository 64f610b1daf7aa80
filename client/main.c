/*
 * main.c: the `yishi` command line: parse options and operands, pick the command
 * from the table, run it, report its error.
 *
 * Exit status: 0 success, 1 failure (one line on stderr), 2 usage error.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/cmd.h"
#include "proto/case.h"
#include "proto/crypto.h"
#include "proto/log.h"

/* Options, as bits, so each command says which it accepts. */
enum {
	OPT_NAME = 1 << 0,
	OPT_FORCE = 1 << 1,
	OPT_NODE = 1 << 2,
	OPT_CODE = 1 << 3,
	OPT_AREA = 1 << 4,
	OPT_APPROVAL = 1 << 5,
	OPT_SINCE = 1 << 6,
	OPT_WAIT = 1 << 7,
	OPT_REASON = 1 << 8,
	OPT_KIND = 1 << 9,
	OPT_URGENT = 1 << 10,
	OPT_FRAUD_TYPE = 1 << 11,
	OPT_AMOUNT = 1 << 12,
	OPT_ACCOUNT = 1 << 13,
	OPT_PHONE = 1 << 14,
	OPT_REF = 1 << 15,
	OPT_QUEUE = 1 << 16,
	OPT_STATE = 1 << 17,
	OPT_MINE = 1 << 18,
	OPT_OUTCOME = 1 << 19,
	OPT_PARTY = 1 << 20,
	OPT_OUT = 1 << 21,
	OPT_WEEK = 1 << 22,
	OPT_ATTACH = 1 << 23,
	OPT_WARN = 1 << 24,	/* --severity ... --target-station: what a warning says */
	OPT_CAP = 1 << 25,
	OPT_CERT = 1 << 26,
	OPT_ROOT = 1 << 27,
	OPT_ALL = 1 << 28,
	OPT__COUNT = 29,
};

struct main_cmd {
	const char	*word;		/* first command word */
	const char	*sub;		/* second word, or NULL */
	int		 (*fn)(struct cmd *);
	int		 min, max;	/* operands */
	int		 opts;		/* OPT_* accepted */
	const char	*usage;		/* after "yishi " */
	const char	*help;
};

static const struct main_cmd main_cmds[] = {
	{ "id", "new", cmd_id_new, 0, 0, OPT_NAME | OPT_FORCE,
	  "id new --name NAME [--force]", "create your identity (a signing key)" },
	{ "id", "show", cmd_id_show, 0, 0, 0,
	  "id show", "show your user id, name, and the nodes you are enrolled with (the "
	  "default first) and your role on each" },
	{ "enroll", NULL, cmd_station_enroll, 0, 0, OPT_NODE | OPT_CODE | OPT_FORCE,
	  "enroll --node ws://HOST:PORT [--code CODE] [--force]",
	  "register with a station's node (with its enrollment code: as station admin) and "
	  "make it your default node (--force: accept a changed node key)" },
	{ "role", "grant", cmd_station_role_grant, 2, 2, OPT_NODE,
	  "role grant USER ROLE", "give USER a station role (resident, police, auxiliary, "
	  "grid, mediator, admin)" },
	{ "group", "create", cmd_group_create, 1, 1, OPT_NODE | OPT_AREA | OPT_APPROVAL,
	  "group create NAME --area CODE [--approval]", "create a group you own" },
	{ "group", "list", cmd_group_list, 0, 0, OPT_NODE,
	  "group list", "list your groups on all your nodes" },
	{ "group", "members", cmd_group_members, 1, 1, OPT_NODE,
	  "group members G", "list a group's members" },
	{ "group", "invite", cmd_group_invite, 1, 1, OPT_NODE,
	  "group invite G", "make an invite link" },
	{ "join", NULL, cmd_group_join, 1, 1, 0,
	  "join LINK", "join a group by its invite link, registering with its node if it is "
	  "new to you (your default node stays)" },
	{ "mod", "approve", cmd_mod_action, 2, 2, OPT_NODE | OPT_REASON,
	  "mod approve G USER [--reason TEXT]", "let USER into a group that requires approval" },
	{ "mod", "refuse", cmd_mod_action, 2, 2, OPT_NODE | OPT_REASON,
	  "mod refuse G USER [--reason TEXT]", "turn down USER's request to join" },
	{ "mod", "mute", cmd_mod_action, 3, 3, OPT_NODE | OPT_REASON,
	  "mod mute G USER DURATION [--reason TEXT]",
	  "USER may not post for DURATION (30s, 10m, 2h, 1d)" },
	{ "mod", "unmute", cmd_mod_action, 2, 2, OPT_NODE | OPT_REASON,
	  "mod unmute G USER [--reason TEXT]", "end USER's mute" },
	{ "mod", "kick", cmd_mod_action, 2, 2, OPT_NODE | OPT_REASON,
	  "mod kick G USER [--reason TEXT]",
	  "remove USER (who may rejoin by invite) and start a new key epoch" },
	{ "mod", "ban", cmd_mod_action, 2, 2, OPT_NODE | OPT_REASON,
	  "mod ban G USER [--reason TEXT]", "remove USER for good and start a new key epoch" },
	{ "mod", "unban", cmd_mod_action, 2, 2, OPT_NODE | OPT_REASON,
	  "mod unban G USER [--reason TEXT]", "let a banned USER join again" },
	{ "mod", "redact", cmd_mod_action, 2, 2, OPT_NODE | OPT_REASON,
	  "mod redact G SEQ [--reason TEXT]",
	  "delete message SEQ from the node; a tombstone says who and why" },
	{ "mod", "pin", cmd_mod_action, 2, 2, OPT_NODE | OPT_REASON,
	  "mod pin G SEQ [--reason TEXT]", "pin message SEQ as the group's announcement" },
	{ "mod", "unpin", cmd_mod_action, 1, 1, OPT_NODE | OPT_REASON,
	  "mod unpin G [--reason TEXT]", "unpin the announcement" },
	{ "mod", "slow", cmd_mod_action, 2, 2, OPT_NODE | OPT_REASON,
	  "mod slow G SECONDS [--reason TEXT]",
	  "one message per member per SECONDS (0: off)" },
	{ "mod", "announce-only", cmd_mod_action, 2, 2, OPT_NODE | OPT_REASON,
	  "mod announce-only G on|off [--reason TEXT]", "only moderators post (on) or all" },
	{ "mod", "invite-policy", cmd_mod_action, 2, 2, OPT_NODE | OPT_REASON,
	  "mod invite-policy G moderators|members [--reason TEXT]", "who may make invites" },
	{ "mod", "promote", cmd_mod_action, 2, 2, OPT_NODE | OPT_REASON,
	  "mod promote G USER [--reason TEXT]", "make USER a moderator (owner only)" },
	{ "mod", "demote", cmd_mod_action, 2, 2, OPT_NODE | OPT_REASON,
	  "mod demote G USER [--reason TEXT]", "make a moderator a plain member (owner only)" },
	{ "mod", "transfer", cmd_mod_action, 2, 2, OPT_NODE | OPT_REASON,
	  "mod transfer G USER [--reason TEXT]",
	  "make USER the owner; you become a moderator (owner only)" },
	{ "mod", "station-ban", cmd_mod_action, 1, 1, OPT_NODE | OPT_REASON,
	  "mod station-ban USER [--reason TEXT]",
	  "station admin: ban USER from the station and all its groups" },
	{ "mod", "station-unban", cmd_mod_action, 1, 1, OPT_NODE | OPT_REASON,
	  "mod station-unban USER [--reason TEXT]", "station admin: lift a station ban" },
	{ "mod", "log", cmd_mod_log, 0, 1, OPT_NODE,
	  "mod log [G]", "the audit log of G (moderators) or of the station (admins), verified" },
	{ "mod", "flag", cmd_mod_flag, 3, 3, OPT_NODE,
	  "mod flag G SEQ REASON", "report message SEQ to the group's moderators" },
	{ "mod", "flags", cmd_mod_flags, 1, 1, OPT_NODE,
	  "mod flags G", "the reports members made to you (moderators)" },
	{ "send", NULL, cmd_msg_send, 2, 2, OPT_NODE | OPT_WAIT,
	  "send G TEXT [--wait SECONDS]", "send a message" },
	{ "read", NULL, cmd_msg_read, 1, 1, OPT_NODE | OPT_SINCE | OPT_WAIT,
	  "read G [--since SEQ] [--wait SECONDS]", "print a group's messages" },
	{ "watch", NULL, cmd_msg_watch, 0, 1, OPT_NODE | OPT_WAIT | OPT_ROOT,
	  "watch [G] [--wait SECONDS] [--root HEX]",
	  "print new messages, the steps of your cases and the warnings for your areas "
	  "(verified) as they arrive, until interrupted; without G, those of one node: "
	  "the default (or --node)" },
	{ "report", NULL, cmd_case_report, 1, 1, OPT_NODE | OPT_KIND | OPT_URGENT |
	  OPT_AREA | OPT_FRAUD_TYPE | OPT_AMOUNT | OPT_ACCOUNT | OPT_PHONE | OPT_REF | OPT_ATTACH,
	  "report --kind fraud|dispute|non-police [--urgent] --area CODE [--fraud-type T] "
	  "[--amount A] [--account X]... [--phone P]... [--ref G:SEQ] [--attach FILE]... TEXT",
	  "report to the station; only the handlers of the kind's queue (and the "
	  "levels above) can read it" },
	{ "case", "list", cmd_case_list, 0, 0, OPT_NODE | OPT_QUEUE | OPT_STATE | OPT_MINE,
	  "case list [--queue Q] [--state S] [--mine]",
	  "the cases of the queues you handle, or your own reports" },
	{ "case", "show", cmd_case_show, 1, 1, OPT_NODE | OPT_OUT,
	  "case show ID [--out DIR]", "a case: the report and notes decrypted, every log entry "
	  "verified; --out DIR saves the report's attachments there "
	  "(--json: a {\"record\":\"case\"} line, then one {\"record\":\"log\"} "
	  "line per entry)" },
	{ "case", "claim", cmd_case_act, 1, 1, OPT_NODE,
	  "case claim ID", "take a case of your queue" },
	{ "case", "progress", cmd_case_act, 1, 1, OPT_NODE,
	  "case progress ID", "say work on a case you claimed has started" },
	{ "case", "note", cmd_case_act, 2, 2, OPT_NODE,
	  "case note ID TEXT", "an encrypted note to the reporter and the handlers" },
	{ "case", "resolve", cmd_case_act, 1, 1, OPT_NODE | OPT_OUTCOME,
	  "case resolve ID [--outcome LABEL]", "close a case you claimed as resolved" },
	{ "case", "reject", cmd_case_act, 1, 1, OPT_NODE | OPT_OUTCOME,
	  "case reject ID [--outcome LABEL]", "close a case you claimed as rejected" },
	{ "case", "escalate", cmd_case_act, 1, 1, OPT_NODE | OPT_REASON,
	  "case escalate ID [--reason LABEL]", "hand a case up to the parent level" },
	{ "case", "transfer", cmd_case_act, 2, 2, OPT_NODE,
	  "case transfer ID DEPT", "hand a non-police case to a government department" },
	{ "case", "mediate", cmd_case_act, 1, 1, OPT_NODE,
	  "case mediate ID", "open an encrypted mediation room with the reporter; prints an "
	  "invite link for the other party" },
	{ "case", "agree", cmd_case_agree, 2, 2, OPT_NODE | OPT_PARTY,
	  "case agree ID --party USER [--party USER]... TEXT",
	  "draft the agreement the parties sign (the reporter is always a party)" },
	{ "case", "sign", cmd_case_sign, 1, 1, OPT_NODE,
	  "case sign ID", "show the case's agreement and sign it as a party" },
	{ "case", "export", cmd_case_export, 1, 1, OPT_NODE | OPT_OUT,
	  "case export ID --out FILE", "write the signed agreement to FILE" },
	{ "case", "verify", cmd_case_verify, 1, 1, 0,
	  "case verify FILE", "check a signed agreement offline (exit 1 if it does not hold)" },
	{ "stats", NULL, cmd_case_stats, 0, 0, OPT_NODE | OPT_WEEK | OPT_SINCE,
	  "stats [--week] [--since YYYY-MM-DD]",
	  "cases by kind, area, fraud type and outcome, time to claim against the "
	  "deadline (--week: per ISO week)" },
	{ "warn", "issue", cmd_warn_issue, 1, 1, OPT_NODE | OPT_AREA | OPT_FRAUD_TYPE |
	  OPT_WARN | OPT_CAP | OPT_CERT | OPT_OUT,
	  "warn issue --severity S --urgency U [--certainty C] --area CODES "
	  "[--audience TAGS] [--fraud-type T] --expires T --headline H [--instruction I] "
	  "[--lang L] [--status S] [--category C,...] [--target-area CODE "
	  "--target-station NODE] [--cert FILE] [--out FILE] TEXT",
	  "issue a warning signed with your key and issuer certificate (--cert, or the "
	  "one `warn cert` stored); T: 2h, 3d, YYYY-MM-DD or a CAP time; --out: only "
	  "sign it into FILE (for `warn relay`)" },
	{ "warn", "issue", cmd_warn_issue, 1, 1, OPT_NODE | OPT_AREA | OPT_WARN | OPT_CAP |
	  OPT_CERT | OPT_OUT,
	  "warn issue --cap FILE [--area CODES] [--expires T] [--cert FILE] [--out FILE]",
	  "import a CAP 1.2 alert and issue it, re-signed with your key, sent now (its own "
	  "XML signature is not checked)" },
	{ "warn", "update", cmd_warn_update, 1, 2, OPT_NODE | OPT_AREA | OPT_FRAUD_TYPE |
	  OPT_WARN | OPT_CERT | OPT_ROOT,
	  "warn update ID [--severity S ...] [TEXT]",
	  "an update of your warning ID: it supersedes ID, with the options that change" },
	{ "warn", "cancel", cmd_warn_cancel, 1, 1, OPT_NODE | OPT_CERT | OPT_ROOT,
	  "warn cancel ID [--cert FILE]", "cancel your warning ID" },
	{ "warn", "list", cmd_warn_list, 0, 0, OPT_NODE | OPT_ALL | OPT_ROOT,
	  "warn list [--all] [--root HEX]",
	  "the warnings in force on your node, each verified (--all: superseded and "
	  "expired too)" },
	{ "warn", "show", cmd_warn_show, 1, 1, OPT_NODE | OPT_CAP | OPT_OUT | OPT_ROOT,
	  "warn show ID [--cap] [--out FILE]",
	  "one warning, verified; --cap: as CAP 1.2 XML; --out: write it (the signed "
	  "envelope, or with --cap the XML) to FILE" },
	{ "warn", "verify", cmd_warn_verify, 1, 1, OPT_ROOT,
	  "warn verify FILE [--root HEX]",
	  "check a signed warning file offline against the federation root (exit 1 if "
	  "it does not verify)" },
	{ "warn", "relay", cmd_warn_relay, 1, 1, OPT_NODE | OPT_FORCE | OPT_ROOT,
	  "warn relay FILE [--force]",
	  "hand a signed warning file to your node as it is (checked first unless --force)" },
	{ "warn", "cert", cmd_warn_cert, 1, 1, OPT_ROOT,
	  "warn cert FILE [--root HEX]",
	  "store your issuer certificate (from `yishi-admin issuer`) in your home" },
};

#define MAIN_NCMDS	(sizeof main_cmds / sizeof main_cmds[0])

static volatile sig_atomic_t main_stop;

static void
main_usage_all(FILE *out)
{
	size_t i;

	fprintf(out, "usage: yishi COMMAND [--home DIR] [--json] ...\n\ncommands:\n");
	for (i = 0; i < MAIN_NCMDS; i++)
		fprintf(out, "  yishi %-52s %s\n", main_cmds[i].usage, main_cmds[i].help);
	fprintf(out, "\nG is a group id (32 hex digits) or the exact name of one of your "
	    "groups;\nUSER is a user id (64 hex digits), or in a group the exact name of a member.\n"
	    "A group is looked for on all the nodes you are enrolled with (a name must be\n"
	    "unique across them); other commands use your default node (the one you last\n"
	    "ran `yishi enroll` for, else the first you joined through).\n"
	    "--node URL     one of your nodes: the one to use, or the only one G is looked for on\n"
	    "--home DIR     state directory (default $YISHI_HOME, else ~/.yishi)\n"
	    "--json         one JSON object per output line\n"
	    "YISHI_DEBUG=1  log protocol traffic to stderr\n"
	    "\nID is a case id (32 hex digits) or a unique prefix of at least 6; Q is a queue\n"
	    "(anti-fraud, mediation, transfer); S a state (new, claimed, in_progress,\n"
	    "resolved, escalated, transferred, rejected).\n");
}

static void
main_usage_cmd(FILE *out, const struct main_cmd *mc)
{
	fprintf(out, "usage: yishi %s%s [--home DIR] [--json]\n  %s\n", mc->usage,
	    (mc->opts & OPT_NODE) && strstr(mc->usage, "--node") == NULL ? " [--node URL]" :
	    "", mc->help);
}

/* Print a failure: a line on stderr, and with --json a record on stdout. */
static void
main_error(const struct cmd *c, const struct cerr *e)
{
	struct json j;

	fprintf(stderr, "yishi: %s\n", e->msg);
	if (c->json) {
		json_begin(&j);
		json_str(&j, "error", cerr_name(e->code));
		json_uint(&j, "code", (uint64_t)e->code);
		json_str(&j, "message", e->msg);
		(void)json_end(&j, stdout);
	}
}

/* A usage error: say what is wrong and how the command is used; exit 2. */
static int
main_usage_error(const struct cmd *c, const struct main_cmd *mc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
main_usage_error(const struct cmd *c, const struct main_cmd *mc, const char *fmt, ...)
{
	struct cerr e;
	va_list ap;

	e.code = CE_USAGE;
	va_start(ap, fmt);
	vsnprintf(e.msg, sizeof e.msg, fmt, ap);
	va_end(ap);
	main_error(c, &e);
	if (mc != NULL)
		main_usage_cmd(stderr, mc);
	else
		fprintf(stderr, "run `yishi --help` for the list of commands\n");
	return 2;
}

static void
main_on_signal(int sig)
{
	(void)sig;
	main_stop = 1;
}

static void
main_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = main_on_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a signal should cut a poll() short. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

static int
main_uint(const char *s, uint64_t max, uint64_t *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 10);
	if (*end != '\0' || errno != 0 || *out > max)
		return -1;
	return 0;
}

static const char *
main_opt_name(int bit)
{
	switch (bit) {
	case OPT_NAME:		return "--name";
	case OPT_FORCE:		return "--force";
	case OPT_NODE:		return "--node";
	case OPT_CODE:		return "--code";
	case OPT_AREA:		return "--area";
	case OPT_APPROVAL:	return "--approval";
	case OPT_SINCE:		return "--since";
	case OPT_WAIT:		return "--wait";
	case OPT_REASON:	return "--reason";
	case OPT_KIND:		return "--kind";
	case OPT_URGENT:	return "--urgent";
	case OPT_FRAUD_TYPE:	return "--fraud-type";
	case OPT_AMOUNT:	return "--amount";
	case OPT_ACCOUNT:	return "--account";
	case OPT_PHONE:		return "--phone";
	case OPT_REF:		return "--ref";
	case OPT_QUEUE:		return "--queue";
	case OPT_STATE:		return "--state";
	case OPT_MINE:		return "--mine";
	case OPT_OUTCOME:	return "--outcome";
	case OPT_PARTY:		return "--party";
	case OPT_OUT:		return "--out";
	case OPT_WEEK:		return "--week";
	case OPT_ATTACH:	return "--attach";
	case OPT_WARN:		return "a warning option (--severity, --headline...)";
	case OPT_CAP:		return "--cap";
	case OPT_CERT:		return "--cert";
	case OPT_ROOT:		return "--root";
	case OPT_ALL:		return "--all";
	default:		return "?";
	}
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "home", required_argument, NULL, 'H' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "name", required_argument, NULL, 'n' },
		{ "force", no_argument, NULL, 'f' },
		{ "node", required_argument, NULL, 'N' },
		{ "code", required_argument, NULL, 'c' },
		{ "area", required_argument, NULL, 'a' },
		{ "approval", no_argument, NULL, 'A' },
		{ "since", required_argument, NULL, 's' },
		{ "wait", required_argument, NULL, 'w' },
		{ "reason", required_argument, NULL, 'r' },
		{ "kind", required_argument, NULL, 256 },
		{ "urgent", no_argument, NULL, 257 },
		{ "fraud-type", required_argument, NULL, 258 },
		{ "amount", required_argument, NULL, 259 },
		{ "account", required_argument, NULL, 260 },
		{ "phone", required_argument, NULL, 261 },
		{ "ref", required_argument, NULL, 262 },
		{ "queue", required_argument, NULL, 263 },
		{ "state", required_argument, NULL, 264 },
		{ "mine", no_argument, NULL, 265 },
		{ "outcome", required_argument, NULL, 266 },
		{ "party", required_argument, NULL, 267 },
		{ "out", required_argument, NULL, 268 },
		{ "attach", required_argument, NULL, 290 },
		{ "severity", required_argument, NULL, 300 },
		{ "urgency", required_argument, NULL, 301 },
		{ "certainty", required_argument, NULL, 302 },
		{ "status", required_argument, NULL, 303 },
		{ "audience", required_argument, NULL, 304 },
		{ "expires", required_argument, NULL, 305 },
		{ "headline", required_argument, NULL, 306 },
		{ "instruction", required_argument, NULL, 307 },
		{ "lang", required_argument, NULL, 308 },
		{ "target-area", required_argument, NULL, 309 },
		{ "target-station", required_argument, NULL, 310 },
		{ "cap", no_argument, NULL, 311 },
		{ "cert", required_argument, NULL, 312 },
		{ "root", required_argument, NULL, 313 },
		{ "all", no_argument, NULL, 314 },
		{ "category", required_argument, NULL, 315 },
		{ "week", no_argument, NULL, 269 },
		{ NULL, 0, NULL, 0 }
	};
	const struct main_cmd *mc = NULL;
	struct cmd c;
	const char *bad = NULL;
	uint64_t u;
	int ch, help = 0, given = 0, nops, i, rc, since_bad = 0;
	size_t k, nwords;

	memset(&c, 0, sizeof c);
	c.wait_s = -1;
	c.stop = &main_stop;
	log_init("yishi", getenv("YISHI_DEBUG") != NULL);

	/* Options may come anywhere; getopt moves the operands to the end. */
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'H': c.home = optarg; break;
		case 'j': c.json = 1; break;
		case 'h': help = 1; break;
		case 'n': c.name = optarg; given |= OPT_NAME; break;
		case 'f': c.force = 1; given |= OPT_FORCE; break;
		case 'N': c.node = optarg; given |= OPT_NODE; break;
		case 'c': c.code = optarg; given |= OPT_CODE; break;
		case 'a': c.area = optarg; given |= OPT_AREA; break;
		case 'A': c.approval = 1; given |= OPT_APPROVAL; break;
		case 'r': c.reason = optarg; given |= OPT_REASON; break;
		case 's':
			given |= OPT_SINCE;
			c.has_since = 1;
			c.since_str = optarg;
			/* Judged once the command is known: stats takes a date. */
			if (main_uint(optarg, UINT64_MAX, &c.since) == -1)
				since_bad = 1;
			break;
		case 256: c.kind = optarg; given |= OPT_KIND; break;
		case 257: c.urgent = 1; given |= OPT_URGENT; break;
		case 258: c.fraud_type = optarg; given |= OPT_FRAUD_TYPE; break;
		case 259: c.amount = optarg; given |= OPT_AMOUNT; break;
		case 260:
			given |= OPT_ACCOUNT;
			if (c.naccounts == CMD_LIST_MAX)
				bad = "at most 8 --account options";
			else
				c.accounts[c.naccounts++] = optarg;
			break;
		case 261:
			given |= OPT_PHONE;
			if (c.nphones == CMD_LIST_MAX)
				bad = "at most 8 --phone options";
			else
				c.phones[c.nphones++] = optarg;
			break;
		case 262: c.ref = optarg; given |= OPT_REF; break;
		case 263: c.queue = optarg; given |= OPT_QUEUE; break;
		case 264: c.state = optarg; given |= OPT_STATE; break;
		case 265: c.mine = 1; given |= OPT_MINE; break;
		case 266: c.outcome = optarg; given |= OPT_OUTCOME; break;
		case 267:
			given |= OPT_PARTY;
			if (c.nparties == CMD_PARTIES_MAX)
				bad = "at most 4 --party options";
			else
				c.parties[c.nparties++] = optarg;
			break;
		case 268: c.out = optarg; given |= OPT_OUT; break;
		case 290:
			given |= OPT_ATTACH;
			if (c.nattach == REPORT_ATTACH_MAX)
				bad = "at most 4 --attach options";
			else
				c.attach[c.nattach++] = optarg;
			break;
		case 269: c.week = 1; given |= OPT_WEEK; break;
		case 300: c.warn.severity = optarg; given |= OPT_WARN; break;
		case 301: c.warn.urgency = optarg; given |= OPT_WARN; break;
		case 302: c.warn.certainty = optarg; given |= OPT_WARN; break;
		case 303: c.warn.status = optarg; given |= OPT_WARN; break;
		case 304: c.warn.audience = optarg; given |= OPT_WARN; break;
		case 305: c.warn.expires = optarg; given |= OPT_WARN; break;
		case 306: c.warn.headline = optarg; given |= OPT_WARN; break;
		case 307: c.warn.instruction = optarg; given |= OPT_WARN; break;
		case 308: c.warn.lang = optarg; given |= OPT_WARN; break;
		case 309: c.warn.target_area = optarg; given |= OPT_WARN; break;
		case 310: c.warn.target_station = optarg; given |= OPT_WARN; break;
		case 311: c.warn.cap = 1; given |= OPT_CAP; break;
		case 312: c.warn.cert = optarg; given |= OPT_CERT; break;
		case 313: c.warn.root = optarg; given |= OPT_ROOT; break;
		case 314: c.warn.all = 1; given |= OPT_ALL; break;
		case 315: c.warn.category = optarg; given |= OPT_WARN; break;
		case 'w':
			given |= OPT_WAIT;
			if (main_uint(optarg, 3600, &u) == -1)
				bad = "--wait takes a number of seconds (0 to 3600)";
			else
				c.wait_s = (int)u;
			break;
		default:
			/* Scan the remaining words for --json so the error is shaped right. */
			for (i = optind; i < argc; i++)
				if (strcmp(argv[i], "--json") == 0)
					c.json = 1;
			if (optopt != 0)
				return main_usage_error(&c, NULL, "unknown option -%c", optopt);
			return main_usage_error(&c, NULL, "unknown or incomplete option %s",
			    argv[optind - 1]);
		}
	}
	nops = argc - optind;
	argv += optind;

	if (nops == 0) {
		if (help) {
			main_usage_all(stdout);
			return 0;
		}
		return main_usage_error(&c, NULL, "no command given");
	}
	for (k = 0; k < MAIN_NCMDS; k++) {
		if (strcmp(main_cmds[k].word, argv[0]) != 0)
			continue;
		if (main_cmds[k].sub == NULL ||
		    (nops > 1 && strcmp(main_cmds[k].sub, argv[1]) == 0)) {
			mc = &main_cmds[k];
			break;
		}
	}
	if (mc == NULL) {
		for (k = 0; k < MAIN_NCMDS; k++)
			if (strcmp(main_cmds[k].word, argv[0]) == 0)
				break;
		if (k < MAIN_NCMDS && help && nops == 1) {
			/* "yishi group --help": the group commands. */
			for (; k < MAIN_NCMDS; k++)
				if (strcmp(main_cmds[k].word, argv[0]) == 0)
					main_usage_cmd(stdout, &main_cmds[k]);
			return 0;
		}
		if (k < MAIN_NCMDS)
			return main_usage_error(&c, NULL, "%s: unknown or missing subcommand%s%s",
			    argv[0], nops > 1 ? " " : "", nops > 1 ? argv[1] : "");
		return main_usage_error(&c, NULL, "%s: unknown command", argv[0]);
	}
	if (help) {
		main_usage_cmd(stdout, mc);
		return 0;
	}
	if (since_bad && mc->fn != cmd_case_stats)
		bad = "--since takes a sequence number";
	if (bad != NULL)
		return main_usage_error(&c, mc, "%s", bad);
	for (i = 0; i < OPT__COUNT; i++)
		if ((given & (1 << i)) && !(mc->opts & (1 << i)))
			return main_usage_error(&c, mc, "%s%s%s does not take %s", mc->word,
			    mc->sub != NULL ? " " : "", mc->sub != NULL ? mc->sub : "",
			    main_opt_name(1 << i));
	nwords = mc->sub != NULL ? 2 : 1;
	c.word = mc->word;
	c.sub = mc->sub;
	c.argc = nops - (int)nwords;
	c.argv = argv + nwords;
	if (c.argc < mc->min || c.argc > mc->max)
		return main_usage_error(&c, mc, "wrong number of arguments");

	if (crypto_init() == -1) {
		cerr_set(&c.err, CE_INTERNAL, "cannot initialise libsodium");
		main_error(&c, &c.err);
		return 1;
	}
	main_signals();
	if ((rc = mc->fn(&c)) == 0)
		return 0;
	if (c.err.code == CE_USAGE) {
		main_error(&c, &c.err);
		main_usage_cmd(stderr, mc);
		return 2;
	}
	if (c.err.code == 0)
		cerr_set(&c.err, CE_INTERNAL, "failed");
	main_error(&c, &c.err);
	return 1;
}
