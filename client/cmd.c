/* cmd.c: what the commands share. */
#include "client/cmd.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

int
cmd_account(struct cmd *c, struct account *a)
{
	if (account_load(a, c->home, &c->err) == -1)
		return -1;
	a->stop = c->stop;
	if (c->node != NULL && account_use(a, c->node, &c->err) == -1) {
		account_wipe(a);
		return -1;
	}
	return 0;
}

const char *
cmd_plain(char *buf, size_t len, const char *s)
{
	json_sanitize(buf, len, s, strlen(s), '?');
	return buf;
}

/* A redacted message: who removed it and why, never a text. */
static void
cmd_out_tombstone(const struct cmd *c, const struct post *p, const char *gid_hex,
    const char *gname)
{
	char by[YISHI_PK_BYTES * 2 + 1], when[32], name[WIRE_MAX_NAME * 3 + 1];
	char reason[256 * 3 + 1], group[WIRE_MAX_NAME * 3 + 1];
	struct json j;

	hex_encode(by, p->redacted_by, sizeof p->redacted_by);
	if (c->json) {
		json_begin(&j);
		if (gid_hex != NULL)
			json_str(&j, "group_id", gid_hex);
		json_uint(&j, "seq", p->seq);
		json_uint(&j, "ts", p->ts);
		json_bool(&j, "redacted", 1);
		json_str(&j, "redacted_by", by);
		if (p->redacted_by_name[0] != '\0')
			json_str(&j, "redacted_by_name", p->redacted_by_name);
		json_str(&j, "reason", p->reason);
		(void)json_end(&j, stdout);
		return;
	}
	cmd_time(when, sizeof when, p->ts);
	if (gname != NULL)
		printf("[%s] ", cmd_plain(group, sizeof group, gname));
	printf("#%llu [%s] [redacted by %s: %s]\n", (unsigned long long)p->seq, when,
	    p->redacted_by_name[0] != '\0' ? cmd_plain(name, sizeof name,
	    p->redacted_by_name) : by, cmd_plain(reason, sizeof reason, p->reason));
	fflush(stdout);
}

uint64_t
cmd_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

const char *
cmd_time(char *buf, size_t len, uint64_t ms)
{
	struct tm tm;
	time_t t;

	t = (time_t)(ms / 1000);
	localtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
	return buf;
}

void
cmd_out_post(const struct cmd *c, const struct post *p, const char *gid_hex,
    const char *gname)
{
	char id[YISHI_MID_BYTES * 2 + 1], sender[YISHI_PK_BYTES * 2 + 1], when[32];
	char name[WIRE_MAX_NAME * 3 + 1], group[WIRE_MAX_NAME * 3 + 1];
	char text[WIRE_MAX_TEXT * 3 + 1], *nl, *line;
	struct json j;

	if (p->redacted) {
		cmd_out_tombstone(c, p, gid_hex, gname);
		return;
	}
	if (p->have_hdr) {
		hex_encode(id, p->hdr.id, sizeof p->hdr.id);
		hex_encode(sender, p->hdr.sender, sizeof p->hdr.sender);
	}
	if (c->json) {
		json_begin(&j);
		if (gid_hex != NULL)
			json_str(&j, "group_id", gid_hex);
		json_uint(&j, "seq", p->seq);
		json_str(&j, "id", p->have_hdr ? id : NULL);
		json_str(&j, "sender", p->have_hdr ? sender : NULL);
		json_str(&j, "sender_name", p->sender_name);
		json_uint(&j, "ts", p->ts);
		json_str(&j, "text", p->ok ? p->text : NULL);
		if (!p->ok)
			json_str(&j, "error", p->error);
		(void)json_end(&j, stdout);
		return;
	}
	cmd_time(when, sizeof when, p->ts);
	if (gname != NULL)
		printf("[%s] ", cmd_plain(group, sizeof group, gname));
	printf("#%llu [%s] %s: ", (unsigned long long)p->seq, when,
	    cmd_plain(name, sizeof name, p->sender_name));
	if (!p->ok) {
		printf("(%s)\n", p->error);
	} else {
		/* Keep newlines, indented, but no other control bytes. */
		json_sanitize(text, sizeof text, p->text, strlen(p->text), 0);
		for (nl = text; *nl != '\0'; nl++)
			if ((unsigned char)*nl < 0x20 && *nl != '\n' && *nl != '\t')
				*nl = '?';
			else if (*nl == 0x7f)
				*nl = '?';
		for (line = text; (nl = strchr(line, '\n')) != NULL; line = nl + 1) {
			*nl = '\0';
			printf(line == text ? "%s\n" : "    %s\n", line);
		}
		printf(line == text ? "%s\n" : "    %s\n", line);
	}
	fflush(stdout);
}
