/*
 * cmd.h: the commands of `yishi`, and what they share.
 *
 * main.c parses the command line into a struct cmd and calls the command's
 * function, which returns 0, or -1 with cmd->err set; main prints the error. The
 * output of every command goes through cmd_out_*: one JSON object per line with
 * --json, else a short human line.
 */
#ifndef YISHI_CLIENT_CMD_H
#define YISHI_CLIENT_CMD_H

#include <signal.h>
#include <stdint.h>

#include "client/account.h"
#include "client/cerr.h"
#include "client/json.h"
#include "client/post.h"

#define CMD_WAIT_DEFAULT	10	/* seconds to wait for a missing epoch key */
#define CMD_LIST_MAX		8	/* --account, --phone: REPORT_LIST_MAX (proto/case.h) */
#define CMD_PARTIES_MAX		4	/* --party: AGREEMENT_PARTIES_MAX (proto/case.h) */

struct cmd {
	/* Options; NULL / 0 when not given. */
	const char		*home;
	int			 json;
	const char		*name;
	int			 force;
	const char		*node;
	const char		*code;
	const char		*area;
	int			 approval;
	int			 has_since;
	uint64_t		 since;
	int			 wait_s;
	const char		*reason;	/* --reason, for moderation */
	const char		*since_str;	/* --since as given (stats: a date) */

	/* Reports and cases (cmd_case.c). */
	const char		*kind;		/* --kind fraud|dispute|non-police */
	int			 urgent;
	const char		*fraud_type;
	const char		*amount;
	const char		*accounts[CMD_LIST_MAX];	/* --account, repeated */
	int			 naccounts;
	const char		*phones[CMD_LIST_MAX];		/* --phone, repeated */
	const char		*attach[4];	/* --attach FILE, repeated (REPORT_ATTACH_MAX) */
	int			 nattach;
	int			 nphones;
	const char		*ref;		/* --ref G:SEQ */
	const char		*queue;		/* --queue */
	const char		*state;		/* --state */
	int			 mine;
	const char		*outcome;
	const char		*parties[CMD_PARTIES_MAX];	/* --party, repeated */
	int			 nparties;
	const char		*out;		/* --out FILE */
	int			 week;

	/* Warnings (cmd_warn.c); --area, --fraud-type, --out and --force are shared. */
	struct cmd_warn_opts {
		const char	*severity, *urgency, *certainty, *status;
		const char	*category;	/* --category: CAP categories, comma-separated */
		const char	*audience, *expires, *headline, *instruction, *lang;
		const char	*target_area, *target_station;
		const char	*cert;		/* --cert FILE */
		const char	*root;		/* --root HEX */
		int		 cap;		/* --cap: the operand is, or print, CAP XML */
		int		 all;		/* --all */
	} warn;

	/* The command words, e.g. "mod" and "kick" (sub NULL for one-word commands). */
	const char		*word;
	const char		*sub;

	/* Operands after the command words. */
	int			 argc;
	char			**argv;

	struct cerr		 err;
	const volatile sig_atomic_t *stop;	/* set by SIGINT / SIGTERM */
};

/* Shared helpers (cmd.c). */
/*
 * Load the account; with --node URL that enrolled node is the one in use (for a
 * group argument: the only one searched, see groups_open() in groups.h).
 */
int	 cmd_account(struct cmd *c, struct account *a) __attribute__((warn_unused_result));
/* Print the plain or JSON form of a message; gid_hex is added in JSON if not NULL. */
void	 cmd_out_post(const struct cmd *c, const struct post *p, const char *gid_hex,
	    const char *gname);
/*
 * Show a pushed moderation event ("modev") or flag ("flagged") in watch: checked
 * first (modlog_check_event, mod_note_open); what fails says so and why.
 */
void	 cmd_mod_show_event(const struct cmd *c, const struct wire_frame *ev,
	    const char *gname);
void	 cmd_mod_show_flagged(const struct cmd *c, const struct ident *me,
	    const struct wire_frame *ev, const char *gname);
/*
 * Show a pushed case step ("case_ev") in watch, checked first (cases_check_entry
 * against the pinned node key a->node.node).
 */
void	 cmd_case_show_event(const struct cmd *c, const struct account *a,
	    const struct wire_frame *ev);
/*
 * Show a pushed warning ("warning") in watch, verified against the federation root
 * (--root, the one pinned in the home, else on first use the node's, then pinned);
 * one that does not verify is shown as such, with the reason.
 */
void	 cmd_warn_show_event(struct cmd *c, struct account *a, struct session *s,
	    const struct wire_frame *ev);
/* Sanitize untrusted text for a terminal into buf. */
const char *cmd_plain(char *buf, size_t len, const char *s);
/* Wall-clock time in ms since the epoch (the node's clock is compared with it). */
uint64_t cmd_now_ms(void);
/* Local "YYYY-mm-dd HH:MM:SS" of a time in ms since the epoch, into buf. */
const char *cmd_time(char *buf, size_t len, uint64_t ms);

/* Commands. */
int	 cmd_id_new(struct cmd *);
int	 cmd_id_show(struct cmd *);
int	 cmd_station_enroll(struct cmd *);
int	 cmd_station_role_grant(struct cmd *);
int	 cmd_group_create(struct cmd *);
int	 cmd_group_list(struct cmd *);
int	 cmd_group_members(struct cmd *);
int	 cmd_group_invite(struct cmd *);
int	 cmd_group_join(struct cmd *);
int	 cmd_mod_action(struct cmd *);	/* every `mod ACTION` that is a signed event */
int	 cmd_mod_log(struct cmd *);
int	 cmd_mod_flag(struct cmd *);
int	 cmd_mod_flags(struct cmd *);
int	 cmd_msg_send(struct cmd *);
int	 cmd_msg_read(struct cmd *);
int	 cmd_msg_watch(struct cmd *);
int	 cmd_case_report(struct cmd *);
int	 cmd_case_list(struct cmd *);
int	 cmd_case_show(struct cmd *);
int	 cmd_case_act(struct cmd *);	/* claim, progress, escalate, resolve, reject, transfer, note */
int	 cmd_case_mediate(struct cmd *);
int	 cmd_case_agree(struct cmd *);
int	 cmd_case_sign(struct cmd *);
int	 cmd_case_export(struct cmd *);
int	 cmd_case_verify(struct cmd *);
int	 cmd_case_stats(struct cmd *);
int	 cmd_warn_issue(struct cmd *);
int	 cmd_warn_update(struct cmd *);
int	 cmd_warn_cancel(struct cmd *);
int	 cmd_warn_list(struct cmd *);
int	 cmd_warn_show(struct cmd *);
int	 cmd_warn_verify(struct cmd *);
int	 cmd_warn_relay(struct cmd *);
int	 cmd_warn_cert(struct cmd *);

#endif
