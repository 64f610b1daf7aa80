/*
 * keyring.h: a group's epoch keys, fetched from the node and opened locally.
 *
 * The node keeps every epoch key boxed to each member (keybox_seal); it never sees
 * a key. keyring_fetch() asks for the boxes made for us and opens them. Members
 * who lack the current key are announced by the node ("needs"); any member holding
 * that key boxes it to them (keyring_distribute), so a group needs no key server.
 * Keys live only in memory and are wiped by keyring_clear().
 */
#ifndef YISHI_CLIENT_KEYRING_H
#define YISHI_CLIENT_KEYRING_H

#include <stddef.h>
#include <stdint.h>

#include "client/cerr.h"
#include "client/session.h"
#include "proto/crypto.h"

struct keyring_key {
	uint32_t	epoch;
	uint8_t		key[YISHI_KEY_BYTES];
};

struct keyring {
	uint8_t			 gid[YISHI_GID_BYTES];
	struct keyring_key	*keys;
	size_t			 n;
};

/* Start an empty keyring for group gid. */
void	 keyring_init(struct keyring *kr, const uint8_t gid[YISHI_GID_BYTES]);
/* Wipe and free the keys; kr can be fetched into again. */
void	 keyring_clear(struct keyring *kr);

/*
 * Replace kr's keys with those the node holds for us (keys_get). Boxes that do not
 * open are skipped: the node cannot forge a key, only withhold one.
 */
int	 keyring_fetch(struct keyring *kr, struct session *s, const struct ident *me,
	    struct cerr *e) __attribute__((warn_unused_result));

/* The key of epoch, or NULL. */
const uint8_t *keyring_find(const struct keyring *kr, uint32_t epoch);

/*
 * Make sure kr holds the key of epoch, waiting up to wait_ms for a member to box
 * it to us: subscribe to the group (unless `subscribed`, e.g. `yishi watch`
 * already is), refetch, then wait for a "key" event and refetch again. gname names
 * the group in the error (CE_NO_KEY) if the key does not come.
 */
int	 keyring_wait(struct keyring *kr, struct session *s, const struct ident *me,
	    uint32_t epoch, const char *gname, int subscribed, int wait_ms, struct cerr *e)
	    __attribute__((warn_unused_result));

/*
 * Box the keys we hold to the members listed in a "needs" frame (the reply to
 * keys_needed or an event), one keys_put per group and epoch; where the list names
 * us, seed that epoch (keyring_seed). Needs we cannot serve (no key, or not the
 * current epoch any more) are skipped. -1 with e set on the
 * first failure; the remaining needs will be listed again next time.
 */
int	 keyring_distribute(struct session *s, const struct ident *me,
	    const struct wire_frame *needs, struct cerr *e) __attribute__((warn_unused_result));
/*
 * Seed epoch of group gid after a member was removed, when we are the epoch's
 * rotator (the moderator who removed them): a fresh key boxed to every current
 * member, ourselves first, in keys_put frames of at most WIRE_MAX_ARRAY boxes. If
 * we already hold that epoch's key (seeded before), nothing is made: a second key
 * for one epoch would split the group. The removed member is not listed any more,
 * so it never gets this key.
 */
int	 keyring_seed(struct session *s, const struct ident *me,
	    const uint8_t gid[YISHI_GID_BYTES], uint32_t epoch, struct cerr *e)
	    __attribute__((warn_unused_result));

/*
 * Ask the node what is needed (keys_needed) and distribute. A needs list naming
 * ourselves means we are a rotator whose epoch has no key yet: we seed it.
 */
int	 keyring_distribute_all(struct session *s, const struct ident *me, struct cerr *e)
	    __attribute__((warn_unused_result));

#endif
