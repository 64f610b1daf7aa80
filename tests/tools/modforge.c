/*
 * modforge.c: moderation events the `yishi` client would never send.
 *
 *     modforge --home DIR [--signer DIR2] [--actor-signer] [--times N]
 *              [--ts-offset SECS] ACTION G|- TARGET|- [ARG]
 *     modforge --home DIR --ct G SEQ
 *
 * Logs in as the identity in DIR, builds the event ACTION (a mod_action_names[]
 * name) for group G (32 hex, "-" for station-wide) on TARGET (64 hex, "-" for
 * none) with ARG (default 0), signs it and sends it N times (default 1) as the
 * same bytes. Forgeries:
 *     --signer DIR2	sign with DIR2's key instead (the actor stays DIR's user:
 *			a wrong signature)
 *     --actor-signer	name DIR2's user as the actor too (a valid signature by
 *			someone who is not the logged-in user)
 *     --times 2	a replay of the very same signed frame
 *     --ts-offset S	the event's clock S seconds off
 * Each reply is printed as one line: "frame t=ok rid=R seq=S epoch=E" or
 * "frame t=error rid=R code=C name=NAME msg=TEXT". Exit status: 0 if every send
 * got a reply, 1 otherwise, 2 for bad usage.
 *
 * --ct prints what the node serves as message SEQ of G: "ct HEX" (the ciphertext,
 * which the client never shows), "redacted", or "absent"; the redaction test looks
 * for those bytes in the node's store.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <sodium.h>

#include "client/account.h"
#include "client/home.h"
#include "client/session.h"
#include "proto/crypto.h"
#include "proto/modev.h"
#include "proto/wire.h"

static void
modforge_usage(void)
{
	fprintf(stderr, "usage: modforge --home DIR [--signer DIR2] [--actor-signer] "
	    "[--times N] [--ts-offset SECS] ACTION G|- TARGET|- [ARG]\n");
	exit(2);
}

static void
modforge_hex(const char *s, uint8_t *out, size_t len)
{
	if (strcmp(s, "-") == 0) {
		memset(out, 0, len);
		return;
	}
	if (strlen(s) != len * 2 || hex_decode(out, len, s) != 0) {
		fprintf(stderr, "modforge: %s: expected %zu hex digits or -\n", s, len * 2);
		exit(2);
	}
}

/* --ct: print the ciphertext the node serves for message seq of gid. */
static int
modforge_ct(struct session *s, const uint8_t gid[YISHI_GID_BYTES], uint64_t seq)
{
	struct wire_frame *f;
	struct wire_rec r, m;
	struct cerr e;
	char *hex;

	wire_rec_init(&r, &wire_kinds[WK_HISTORY]);
	wire_set_bin(&r, WF_GROUP, gid, YISHI_GID_BYTES);
	wire_set_uint(&r, WF_SINCE, seq - 1);
	wire_set_uint(&r, WF_LIMIT, 1);
	memset(&e, 0, sizeof e);
	if ((f = session_call(s, WK_HISTORY, &r, WK_MSGS, &e)) == NULL) {
		fprintf(stderr, "modforge: history: %s\n", e.msg);
		return 1;
	}
	if (f->r.f[WF_MSGS].len == 0 || wire_array_get(&f->r.f[WF_MSGS], 0,
	    &wire_records[WR_MSG], &m) != WE_OK || wire_u(&m, WF_SEQ) != seq)
		printf("absent\n");
	else if (!wire_has(&m, WF_CT))
		printf("redacted\n");
	else if ((hex = malloc(m.f[WF_CT].len * 2 + 1)) != NULL) {
		printf("ct %s\n", hex_encode(hex, m.f[WF_CT].p, m.f[WF_CT].len));
		free(hex);
	}
	session_frame_free(f);
	return 0;
}

static void
modforge_print(const struct wire_frame *f)
{
	const struct wire_val *m;
	uint32_t i;

	printf("frame t=%s rid=%llu", wire_kinds[f->kind].name, (unsigned long long)f->rid);
	if (f->kind == WK_ERROR) {
		m = &f->r.f[WF_MSG];
		printf(" code=%llu name=%s msg=", (unsigned long long)wire_u(&f->r, WF_CODE),
		    wire_err_name((int)wire_u(&f->r, WF_CODE)));
		for (i = 0; i < m->len; i++)
			putchar(m->p[i] < ' ' || m->p[i] == 0x7f ? '?' : m->p[i]);
	} else {
		if (wire_has(&f->r, WF_SEQ))
			printf(" seq=%llu", (unsigned long long)wire_u(&f->r, WF_SEQ));
		if (wire_has(&f->r, WF_EPOCH))
			printf(" epoch=%llu", (unsigned long long)wire_u(&f->r, WF_EPOCH));
	}
	printf("\n");
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	struct account a;
	struct home sh;
	struct ident signer;
	struct session *s;
	struct wire_frame *f;
	struct wire_rec req;
	struct mod_event ev;
	struct timeval tv;
	struct cerr e;
	uint8_t body[MOD_EVENT_MAX], sig[YISHI_SIG_BYTES];
	char sname[WIRE_MAX_NAME + 1];
	const char *home = NULL, *signer_home = NULL;
	long long offset = 0;
	int i, times = 1, actor_signer = 0, ct = 0, status = 0;
	size_t len;

	for (i = 1; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		if (strcmp(argv[i], "--home") == 0 && i + 1 < argc)
			home = argv[++i];
		else if (strcmp(argv[i], "--signer") == 0 && i + 1 < argc)
			signer_home = argv[++i];
		else if (strcmp(argv[i], "--ct") == 0)
			ct = 1;
		else if (strcmp(argv[i], "--actor-signer") == 0)
			actor_signer = 1;
		else if (strcmp(argv[i], "--times") == 0 && i + 1 < argc)
			times = atoi(argv[++i]);
		else if (strcmp(argv[i], "--ts-offset") == 0 && i + 1 < argc)
			offset = atoll(argv[++i]);
		else
			modforge_usage();
	}
	if (ct && home != NULL && argc - i == 2) {
		uint8_t gid[YISHI_GID_BYTES];
		uint64_t seq = strtoull(argv[i + 1], NULL, 10);

		modforge_hex(argv[i], gid, sizeof gid);
		if (seq == 0 || crypto_init() == -1)
			modforge_usage();
		memset(&e, 0, sizeof e);
		if (account_load(&a, home, &e) == -1 ||
		    (s = account_connect(&a, NULL, ACCOUNT_LOGIN, NULL, &e)) == NULL) {
			fprintf(stderr, "modforge: %s\n", e.msg);
			return 1;
		}
		status = modforge_ct(s, gid, seq);
		session_free(s);
		account_wipe(&a);
		return status;
	}
	if (home == NULL || ct || argc - i < 3 || argc - i > 4 || times < 1 ||
	    (actor_signer && signer_home == NULL))
		modforge_usage();
	if (crypto_init() == -1)
		return 1;
	memset(&e, 0, sizeof e);
	if (account_load(&a, home, &e) == -1) {
		fprintf(stderr, "modforge: %s\n", e.msg);
		return 1;
	}
	signer = a.me;
	if (signer_home != NULL && (home_init(&sh, signer_home, &e) == -1 ||
	    home_ident_load(&sh, &signer, sname, sizeof sname, &e) == -1)) {
		fprintf(stderr, "modforge: %s\n", e.msg);
		return 1;
	}

	memset(&ev, 0, sizeof ev);
	if ((ev.action = mod_action_parse(argv[i])) == -1) {
		fprintf(stderr, "modforge: %s: unknown action\n", argv[i]);
		return 2;
	}
	modforge_hex(argv[i + 1], ev.group, sizeof ev.group);
	modforge_hex(argv[i + 2], ev.target, sizeof ev.target);
	if (argc - i == 4)
		ev.arg = strtoull(argv[i + 3], NULL, 10);
	memcpy(ev.actor, actor_signer ? signer.pk : a.me.pk, YISHI_PK_BYTES);
	snprintf(ev.reason, sizeof ev.reason, "forged by modforge");
	gettimeofday(&tv, NULL);
	ev.ts_ms = (uint64_t)((long long)tv.tv_sec * 1000 + tv.tv_usec / 1000 + offset * 1000);
	randombytes_buf(ev.id, sizeof ev.id);
	if ((len = mod_event_encode(&ev, body, sizeof body)) == 0) {
		fprintf(stderr, "modforge: the event does not encode (target/group shape?)\n");
		return 2;
	}
	mod_event_sign(&signer, body, len, sig);

	if ((s = account_connect(&a, NULL, ACCOUNT_LOGIN, NULL, &e)) == NULL) {
		fprintf(stderr, "modforge: %s\n", e.msg);
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (; times > 0; times--) {
		wire_rec_init(&req, &wire_kinds[WK_MODERATE]);
		wire_set_bin(&req, WF_EV, body, len);
		wire_set_bin(&req, WF_SIG, sig, sizeof sig);
		if ((f = session_request(s, WK_MODERATE, &req, &e)) == NULL) {
			printf("failed %s\n", e.msg);
			status = 1;
			break;
		}
		modforge_print(f);
		session_frame_free(f);
	}
	session_free(s);
	ident_wipe(&signer);
	account_wipe(&a);
	return status;
}
