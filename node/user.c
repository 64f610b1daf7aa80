/*
 * user.c: registration, login and station roles.
 *
 * The edge has already checked the login signature over this session's challenge,
 * so these handlers only decide who the key belongs to.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "node/core.h"
#include "proto/log.h"
#include "storage/store.h"

void
user_enroll_hash(const char *code, uint8_t out[32])
{
	crypto_generichash(out, 32, (const unsigned char *)code, strlen(code), NULL, 0);
}

static void
user_welcome(struct core *c, struct core_session *s, uint64_t rid, const struct user_rec *u)
{
	static const uint8_t station[16];
	uint8_t cert[YISHI_CERT_MAX];
	struct ban_rec ban;
	struct wire_rec r;
	int len;

	if (store_ban_get(c->st, c->txn, station, u->pk, &ban) == 0) {
		core_error(c, s, rid, WE_BANNED, "you are banned from this station");
		return;
	}

	len = cert_role_make(&c->ident->id, u->pk, u->name, u->role, node_now_ms(), cert,
	    sizeof cert);
	if (len < 0) {
		core_error(c, s, rid, WE_INTERNAL, "cannot issue a role certificate");
		return;
	}
	s->authed = 1;
	memcpy(s->user, u->pk, 32);
	snprintf(s->name, sizeof s->name, "%s", u->name);
	snprintf(s->role, sizeof s->role, "%s", u->role);
	wire_rec_init(&r, &wire_kinds[WK_WELCOME]);
	wire_set_bin(&r, WF_USER, u->pk, 32);
	wire_set_str(&r, WF_NAME, u->name);
	wire_set_str(&r, WF_ROLE, u->role);
	wire_set_bin(&r, WF_CERT, cert, (size_t)len);
	core_reply(c, s, rid, WK_WELCOME, &r);
}

void
user_register(struct core *c, struct core_session *s, struct wire_frame *f, struct qitem *it)
{
	struct user_rec u;
	struct node_meta m;
	char code[65];
	uint8_t h[32];
	MDB_txn *txn;
	int rc;

	(void)it;
	if ((txn = core_txn(c)) == NULL) {
		core_error(c, s, f->rid, WE_INTERNAL, "storage unavailable");
		return;
	}
	memset(&u, 0, sizeof u);
	memcpy(u.pk, f->r.f[WF_USER].p, 32);
	if ((rc = store_user_get(c->st, txn, u.pk, &u)) == 0) {
		core_error(c, s, f->rid, WE_EXISTS, "this key is already registered: log in");
		return;
	} else if (rc < 0) {
		core_error(c, s, f->rid, WE_INTERNAL, "storage error");
		return;
	}
	snprintf(u.role, sizeof u.role, "resident");
	if (wire_has(&f->r, WF_ENROLL)) {
		wire_str(&f->r, WF_ENROLL, code, sizeof code);
		user_enroll_hash(code, h);
		if (store_meta_get(c->st, txn, &m) != 0) {
			core_error(c, s, f->rid, WE_INTERNAL, "storage error");
			return;
		}
		if (m.enroll_used || sodium_memcmp(h, m.enroll_hash, 32) != 0) {
			sodium_memzero(&m, sizeof m);
			core_error(c, s, f->rid, WE_BAD_CODE,
			    "the enrollment code is wrong or was already used");
			return;
		}
		m.enroll_used = 1;
		rc = store_meta_put(c->st, txn, &m);
		sodium_memzero(&m, sizeof m);
		if (rc != 0) {
			core_error(c, s, f->rid, WE_INTERNAL, "storage error");
			return;
		}
		snprintf(u.role, sizeof u.role, "admin");
	}
	wire_str(&f->r, WF_NAME, u.name, sizeof u.name);
	u.created_ms = node_now_ms();
	if (store_user_put(c->st, txn, &u) != 0) {
		core_error(c, s, f->rid, WE_INTERNAL, "storage error");
		return;
	}
	log_info("user %s: registered as %s", u.name, u.role);
	user_welcome(c, s, f->rid, &u);
}

void
user_login(struct core *c, struct core_session *s, struct wire_frame *f, struct qitem *it)
{
	struct user_rec u;
	MDB_txn *txn;
	int rc;

	(void)it;
	if ((txn = core_txn(c)) == NULL) {
		core_error(c, s, f->rid, WE_INTERNAL, "storage unavailable");
		return;
	}
	if ((rc = store_user_get(c->st, txn, f->r.f[WF_USER].p, &u)) == STORE_NOTFOUND) {
		core_error(c, s, f->rid, WE_AUTH_FAILED, "unknown user: register first");
		return;
	} else if (rc != 0) {
		core_error(c, s, f->rid, WE_INTERNAL, "storage error");
		return;
	}
	user_welcome(c, s, f->rid, &u);
}

void
user_role_grant(struct core *c, struct core_session *s, struct wire_frame *f, struct qitem *it)
{
	uint8_t cert[YISHI_CERT_MAX];
	struct user_rec u;
	struct wire_rec r;
	char role[CORE_ROLE_MAX];
	MDB_txn *txn;
	uint32_t i;
	int rc, len;

	(void)it;
	if (strcmp(s->role, "admin") != 0) {
		core_error(c, s, f->rid, WE_FORBIDDEN, "only the station admin grants roles");
		return;
	}
	wire_str(&f->r, WF_ROLE, role, sizeof role);
	if (!role_is_station(role)) {
		core_error(c, s, f->rid, WE_BAD_VALUE, "unknown role '%s' (resident, police, "
		    "auxiliary, grid, mediator, admin)", role);
		return;
	}
	if ((txn = core_txn(c)) == NULL) {
		core_error(c, s, f->rid, WE_INTERNAL, "storage unavailable");
		return;
	}
	if ((rc = store_user_get(c->st, txn, f->r.f[WF_USER].p, &u)) == STORE_NOTFOUND) {
		core_error(c, s, f->rid, WE_NOT_FOUND, "no such user on this node");
		return;
	} else if (rc != 0) {
		core_error(c, s, f->rid, WE_INTERNAL, "storage error");
		return;
	}
	snprintf(u.role, sizeof u.role, "%s", role);
	if (store_user_put(c->st, txn, &u) != 0) {
		core_error(c, s, f->rid, WE_INTERNAL, "storage error");
		return;
	}
	len = cert_role_make(&c->ident->id, u.pk, u.name, u.role, node_now_ms(), cert,
	    sizeof cert);
	if (len < 0) {
		core_error(c, s, f->rid, WE_INTERNAL, "cannot issue a role certificate");
		return;
	}
	/* Sessions of that user act with the new role from now on. */
	for (i = 0; i < c->nslots; i++)
		if (c->sess[i] != NULL && c->sess[i]->authed &&
		    memcmp(c->sess[i]->user, u.pk, 32) == 0)
			snprintf(c->sess[i]->role, sizeof c->sess[i]->role, "%s", role);
	log_info("user %s: role %s granted by %s", u.name, role, s->name);
	wire_rec_init(&r, &wire_kinds[WK_OK]);
	wire_set_bin(&r, WF_CERT, cert, (size_t)len);
	core_reply(c, s, f->rid, WK_OK, &r);
}
