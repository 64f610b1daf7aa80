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
	return 0;
}

const char *
cmd_plain(char *buf, size_t len, const char *s)
{
	json_sanitize(buf, len, s, strlen(s), '?');
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
	struct tm tm;
	time_t t;

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
	t = (time_t)(p->ts / 1000);
	localtime_r(&t, &tm);
	strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
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
