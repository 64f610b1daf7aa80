/*
 * groups.h: the caller's groups as the node lists them (group_list), and naming
 * one on the command line by id (32 hex digits) or by exact name.
 */
#ifndef YISHI_CLIENT_GROUPS_H
#define YISHI_CLIENT_GROUPS_H

#include <stddef.h>
#include <stdint.h>

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

#endif
