/*
 * groups.h: the caller's groups as a node lists them (group_list), naming one
 * on the command line by id (32 hex digits) or by exact name, on one node or
 * across all the nodes of the home, and a group's members (group_members).
 */
#ifndef YISHI_CLIENT_GROUPS_H
#define YISHI_CLIENT_GROUPS_H

#include <stddef.h>
#include <stdint.h>

#include "client/account.h"
#include "client/cerr.h"
#include "client/session.h"
#include "proto/crypto.h"
#include "proto/wire.h"

struct groups_entry {
	uint8_t		gid[YISHI_GID_BYTES];
	char		hex[YISHI_GID_BYTES * 2 + 1];
	char		name[WIRE_MAX_NAME + 1];
	char		area[WIRE_MAX_AREA + 1];
	uint32_t	epoch;			/* current epoch; 0: not listed */
	char		role[YISHI_ROLE_MAX + 1];	/* owner, moderator, member */
	char		state[17];			/* member, pending */
	uint64_t	count;
	int		approval;
	uint8_t		founder[YISHI_PK_BYTES];
	uint8_t		salt[YISHI_SALT_BYTES];
	int		rooted;		/* gid == group_id_derive(founder, salt) */
	uint64_t	slow;		/* slow mode, seconds; 0: off */
	int		announce_only;	/* only moderators post */
	int		invite_mods;	/* only moderators invite */
	uint64_t	pinned;		/* seq of the pinned message; 0: none */
};

struct groups {
	struct groups_entry	*v;
	size_t			 n;
};

/* Fetch the list; the caller frees it with groups_free(). */
int	 groups_fetch(struct groups *g, struct session *s, struct cerr *e)
	    __attribute__((warn_unused_result));
void	 groups_free(struct groups *g);

/*
 * Resolve arg among the caller's groups into *out. An id that is not listed still
 * resolves (epoch 0, name = the id) so the node can say why it is refused; a name
 * must match exactly one group (else CE_INPUT, listing the candidates' ids).
 */
int	 groups_resolve(struct session *s, const char *arg, struct groups_entry *out,
	    struct cerr *e) __attribute__((warn_unused_result));
/*
 * Find the group arg names among the groups of every node the home is enrolled
 * with (only a->node if a->chosen, i.e. --node), the default node asked first, and
 * log in to the node that hosts it. By id: the first node listing it; an id no
 * node lists resolves as in groups_resolve on the default node. By name: the name
 * must be unique across the nodes, else CE_INPUT listing the matches with their
 * nodes. A node that cannot be reached is skipped unless the group is found on
 * none of the others: then its error is returned. Returns the session (the caller
 * frees it) with *out filled and a->node set to the group's node; NULL with e set.
 */
struct session	*groups_open(struct account *a, const char *arg, struct groups_entry *out,
		    struct cerr *e) __attribute__((warn_unused_result));

/* One member as the node lists it. */
struct groups_member {
	uint8_t		user[YISHI_PK_BYTES];
	char		name[WIRE_MAX_NAME + 1];
	char		role[YISHI_ROLE_MAX + 1];	/* owner, moderator, member */
	char		srole[YISHI_ROLE_MAX + 1];	/* station role */
	char		state[17];			/* member, pending */
	uint64_t	muted_until;			/* node time, ms; 0: not muted */
};

struct groups_members {
	struct groups_member	*v;
	size_t			 n;
};

/* Fetch gid's member list; the caller frees it with groups_members_free(). */
int	 groups_members_fetch(struct groups_members *m, struct session *s,
	    const uint8_t gid[YISHI_GID_BYTES], struct cerr *e)
	    __attribute__((warn_unused_result));
void	 groups_members_free(struct groups_members *m);
/* The member with id user, or NULL. */
const struct groups_member *groups_members_find(const struct groups_members *m,
	    const uint8_t user[YISHI_PK_BYTES]);
/* Whether a listed member moderates: state member and role owner or moderator. */
int	 groups_member_is_moderator(const struct groups_member *gm);

#endif
