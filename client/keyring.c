/* keyring.c: see keyring.h. */
#include "client/keyring.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "client/groups.h"
#include "proto/log.h"

/* How long one turn of keyring_wait() waits before checking the clock again. */
#define KEYRING_SLICE_MS	250

void
keyring_init(struct keyring *kr, const uint8_t gid[YISHI_GID_BYTES])
{
	memset(kr, 0, sizeof *kr);
	memcpy(kr->gid, gid, YISHI_GID_BYTES);
}

void
keyring_clear(struct keyring *kr)
{
	if (kr->keys != NULL) {
		sodium_memzero(kr->keys, kr->n * sizeof *kr->keys);
		free(kr->keys);
	}
	kr->keys = NULL;
	kr->n = 0;
}

static const uint8_t *
keyring_find_in(const struct keyring_key *keys, size_t n, uint32_t epoch)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (keys[i].epoch == epoch)
			return keys[i].key;
	return NULL;
}

const uint8_t *
keyring_find(const struct keyring *kr, uint32_t epoch)
{
	return keyring_find_in(kr->keys, kr->n, epoch);
}

int
keyring_fetch(struct keyring *kr, struct session *s, const struct ident *me,
    struct cerr *e)
{
	struct wire_frame *f;
	struct wire_rec req, k;
	const struct wire_val *v;
	struct keyring_key *keys, *dst;
	char ghex[YISHI_GID_BYTES * 2 + 1];
	uint32_t i, epoch;
	size_t n = 0;

	wire_rec_init(&req, &wire_kinds[WK_KEYS_GET]);
	wire_set_bin(&req, WF_GROUP, kr->gid, YISHI_GID_BYTES);
	if ((f = session_call(s, WK_KEYS_GET, &req, WK_KEYS, e)) == NULL)
		return -1;
	hex_encode(ghex, kr->gid, YISHI_GID_BYTES);
	v = &f->r.f[WF_KEYS];
	if ((keys = calloc(v->len ? v->len : 1, sizeof *keys)) == NULL) {
		session_frame_free(f);
		cerr_set(e, CE_INTERNAL, "out of memory");
		return -1;
	}
	for (i = 0; i < v->len; i++) {
		if (wire_array_get(v, i, &wire_records[WR_KEY], &k) != WE_OK ||
		    !wire_has(&k, WF_EPOCH) || !wire_has(&k, WF_FROM)) {
			log_debug("group %s: key record %u malformed", ghex, i);
			continue;
		}
		epoch = (uint32_t)wire_u(&k, WF_EPOCH);
		if (keyring_find_in(keys, n, epoch) != NULL)
			continue;
		dst = &keys[n];
		if (keybox_open(me, k.f[WF_FROM].p, kr->gid, epoch, k.f[WF_BOX].p,
		    dst->key) == -1) {
			log_debug("group %s: key box for epoch %u does not open", ghex, epoch);
			continue;
		}
		dst->epoch = epoch;
		n++;
	}
	session_frame_free(f);
	keyring_clear(kr);
	kr->keys = keys;
	kr->n = n;
	return 0;
}

static int
keyring_is_key_event(const struct wire_frame *f, void *arg)
{
	const struct keyring *kr = arg;

	return f->kind == WK_EV_KEY &&
	    memcmp(f->r.f[WF_GROUP].p, kr->gid, YISHI_GID_BYTES) == 0;
}

static int64_t
keyring_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
keyring_wait(struct keyring *kr, struct session *s, const struct ident *me, uint32_t epoch,
    const char *gname, int subscribed, int wait_ms, struct cerr *e)
{
	struct wire_frame *f;
	struct wire_rec req;
	int64_t deadline, left;
	int rc;

	if (keyring_find(kr, epoch) != NULL)
		return 0;
	deadline = keyring_now_ms() + wait_ms;
	if (!subscribed) {
		wire_rec_init(&req, &wire_kinds[WK_SUBSCRIBE]);
		wire_set_bin(&req, WF_GROUP, kr->gid, YISHI_GID_BYTES);
		if ((f = session_call(s, WK_SUBSCRIBE, &req, WK_OK, e)) == NULL)
			return -1;
		session_frame_free(f);
	}
	/* The key may have been stored between our last fetch and the subscription. */
	if (keyring_fetch(kr, s, me, e) == -1)
		return -1;
	while (keyring_find(kr, epoch) == NULL) {
		if ((left = deadline - keyring_now_ms()) <= 0) {
			cerr_set(e, CE_NO_KEY, "no key yet for group %s epoch %u: a member who "
			    "holds it must come online", gname, epoch);
			return -1;
		}
		rc = session_event(s, keyring_is_key_event, kr,
		    left < KEYRING_SLICE_MS ? (int)left : KEYRING_SLICE_MS, &f, e);
		if (rc == -1)
			return -1;
		if (rc == 0)
			continue;
		session_frame_free(f);
		if (keyring_fetch(kr, s, me, e) == -1)
			return -1;
	}
	return 0;
}

/* Box key to each of users[0..n) and store the boxes with one keys_put. */
static int
keyring_put(struct session *s, const struct ident *me, const uint8_t *gid, uint32_t epoch,
    const uint8_t key[YISHI_KEY_BYTES], const uint8_t (*users)[YISHI_PK_BYTES], size_t n,
    struct cerr *e)
{
	uint8_t (*boxes)[YISHI_KEYBOX_BYTES];
	struct wire_rec req, *recs;
	struct wire_frame *f;
	size_t i;
	int rc = -1;

	boxes = calloc(n, sizeof *boxes);
	recs = calloc(n, sizeof *recs);
	if (boxes == NULL || recs == NULL) {
		cerr_set(e, CE_INTERNAL, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (keybox_seal(me, users[i], gid, epoch, key, boxes[i]) == -1) {
			cerr_set(e, CE_INTERNAL, "cannot box a key");
			goto out;
		}
		wire_rec_init(&recs[i], &wire_records[WR_KEY]);
		wire_set_bin(&recs[i], WF_TO, users[i], YISHI_PK_BYTES);
		wire_set_bin(&recs[i], WF_BOX, boxes[i], YISHI_KEYBOX_BYTES);
	}
	wire_rec_init(&req, &wire_kinds[WK_KEYS_PUT]);
	wire_set_bin(&req, WF_GROUP, gid, YISHI_GID_BYTES);
	wire_set_uint(&req, WF_EPOCH, epoch);
	wire_set_array(&req, WF_KEYS, recs, (uint32_t)n);
	if ((f = session_call(s, WK_KEYS_PUT, &req, WK_OK, e)) == NULL)
		goto out;
	session_frame_free(f);
	rc = 0;
out:
	free(boxes);
	free(recs);
	return rc;
}

int
keyring_seed(struct session *s, const struct ident *me, const uint8_t gid[YISHI_GID_BYTES],
    uint32_t epoch, struct cerr *e)
{
	struct groups_members gm;
	struct keyring kr;
	uint8_t (*users)[YISHI_PK_BYTES] = NULL;
	uint8_t key[YISHI_KEY_BYTES];
	char ghex[YISHI_GID_BYTES * 2 + 1];
	size_t i, n = 0, off, chunk;
	int rc = -1;

	hex_encode(ghex, gid, YISHI_GID_BYTES);
	keyring_init(&kr, gid);
	if (keyring_fetch(&kr, s, me, e) == -1)
		return -1;
	if (keyring_find(&kr, epoch) != NULL) {
		keyring_clear(&kr);
		return 0;
	}
	keyring_clear(&kr);
	if (groups_members_fetch(&gm, s, gid, e) == -1)
		return -1;
	/* Ourselves first: later frames are accepted because we then hold the key. */
	if ((users = calloc(gm.n + 1, sizeof *users)) == NULL) {
		cerr_set(e, CE_INTERNAL, "out of memory");
		goto out;
	}
	memcpy(users[n++], me->pk, YISHI_PK_BYTES);
	for (i = 0; i < gm.n; i++)
		if (strcmp(gm.v[i].state, "member") == 0 &&
		    memcmp(gm.v[i].user, me->pk, YISHI_PK_BYTES) != 0)
			memcpy(users[n++], gm.v[i].user, YISHI_PK_BYTES);
	epoch_key_new(key);
	for (off = 0; off < n; off += chunk) {
		chunk = n - off < WIRE_MAX_ARRAY ? n - off : WIRE_MAX_ARRAY;
		if (keyring_put(s, me, gid, epoch, key,
		    (const uint8_t (*)[YISHI_PK_BYTES])users + off, chunk, e) == -1)
			goto out;
	}
	log_debug("group %s: seeded epoch %u for %zu members", ghex, epoch, n);
	rc = 0;
out:
	sodium_memzero(key, sizeof key);
	free(users);
	groups_members_free(&gm);
	return rc;
}

/* One group and epoch of a needs list, with the users that lack its key. */
struct keyring_batch {
	uint8_t		 gid[YISHI_GID_BYTES];
	uint32_t	 epoch;
	uint8_t		(*users)[YISHI_PK_BYTES];
	size_t		 n;
	int		 seed;		/* the list names us: we are the rotator */
};

int
keyring_distribute(struct session *s, const struct ident *me, const struct wire_frame *needs,
    struct cerr *e)
{
	const struct wire_val *v = &needs->r.f[WF_NEEDS];
	struct keyring_batch *batches = NULL, *b;
	struct keyring kr;
	struct wire_rec r;
	const uint8_t *key, *gid, *user;
	char ghex[YISHI_GID_BYTES * 2 + 1];
	size_t nb = 0, i, j;
	uint32_t epoch, k;
	int rc = -1;

	if (v->len == 0)
		return 0;
	/* At most one batch and one user per need: allocate for the worst case. */
	if ((batches = calloc(v->len, sizeof *batches)) == NULL)
		goto oom;
	for (k = 0; k < v->len; k++) {
		if (wire_array_get(v, k, &wire_records[WR_NEED], &r) != WE_OK) {
			cerr_set(e, CE_PROTOCOL, "node sent a malformed needs record");
			goto out;
		}
		gid = r.f[WF_GROUP].p;
		user = r.f[WF_USER].p;
		epoch = (uint32_t)wire_u(&r, WF_EPOCH);
		for (i = 0; i < nb; i++)
			if (batches[i].epoch == epoch &&
			    memcmp(batches[i].gid, gid, YISHI_GID_BYTES) == 0)
				break;
		b = &batches[i];
		if (i == nb) {
			memcpy(b->gid, gid, YISHI_GID_BYTES);
			b->epoch = epoch;
			if ((b->users = calloc(v->len, sizeof *b->users)) == NULL)
				goto oom;
			nb++;
		}
		if (memcmp(user, me->pk, YISHI_PK_BYTES) == 0) {
			b->seed = 1;
			continue;
		}
		for (j = 0; j < b->n; j++)
			if (memcmp(b->users[j], user, YISHI_PK_BYTES) == 0)
				break;
		if (j == b->n)
			memcpy(b->users[b->n++], user, YISHI_PK_BYTES);
	}

	for (i = 0; i < nb; i++) {
		b = &batches[i];
		/* Seeding boxes the new key to every member, those listed included. */
		if (b->seed) {
			if (keyring_seed(s, me, b->gid, b->epoch, e) == -1)
				goto out;
			continue;
		}
		if (b->n == 0)
			continue;
		hex_encode(ghex, b->gid, YISHI_GID_BYTES);
		keyring_init(&kr, b->gid);
		if (keyring_fetch(&kr, s, me, e) == -1)
			goto out;
		if ((key = keyring_find(&kr, b->epoch)) == NULL) {
			log_debug("group %s: %zu members need epoch %u, which we lack", ghex,
			    b->n, b->epoch);
			keyring_clear(&kr);
			continue;
		}
		/*
		 * The node chooses who is listed, and we trust it here as we trust its
		 * member list: joins (invite links, a rejoin after a kick or an unban)
		 * are not signed events, so a user the signed log shows kicked may be a
		 * member again, and only moderators may read that log. What is not
		 * trusted is the key: it is boxed to the listed user's own key alone.
		 */
		if (keyring_put(s, me, b->gid, b->epoch, key,
		    (const uint8_t (*)[YISHI_PK_BYTES])b->users, b->n, e) == -1) {
			keyring_clear(&kr);
			goto out;
		}
		log_debug("group %s: boxed epoch %u to %zu members", ghex, b->epoch, b->n);
		keyring_clear(&kr);
	}
	rc = 0;
	goto out;
oom:
	cerr_set(e, CE_INTERNAL, "out of memory");
out:
	if (batches != NULL)
		for (i = 0; i < nb; i++)
			free(batches[i].users);
	free(batches);
	return rc;
}

int
keyring_distribute_all(struct session *s, const struct ident *me, struct cerr *e)
{
	struct wire_frame *f;
	int rc;

	if ((f = session_call(s, WK_KEYS_NEEDED, NULL, WK_NEEDS, e)) == NULL)
		return -1;
	rc = keyring_distribute(s, me, f, e);
	session_frame_free(f);
	return rc;
}
