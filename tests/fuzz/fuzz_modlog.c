/*
 * fuzz_modlog.c: the client's replay of a group's audit log (client/modlog.c) on a
 * "modlog" frame from a hostile node. The frame decodes strictly (wire_decode, node
 * to client) and each record goes through modlog_next() as `yishi mod log` feeds it,
 * into a group log rooted at the first event's actor and into the station log.
 * Whatever the records say, a record that does not verify must change no role, and
 * the log keeps exactly one owner.
 */
#include <stdlib.h>
#include <string.h>

#include "client/modlog.h"
#include "proto/crypto.h"
#include "proto/modev.h"
#include "proto/wire.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static size_t
fuzz_modlog_owners(const struct modlog *l)
{
	size_t i, n = 0;

	for (i = 0; i < l->nholders; i++)
		n += l->holders[i].role == MODLOG_OWNER;
	return n;
}

/* Feed every record of f to l; abort if a refused record changed the roles. */
static void
fuzz_modlog_replay(struct modlog *l, const struct wire_frame *f)
{
	const struct wire_val *v = &f->r.f[WF_EVENTS];
	struct modlog_holder *before;
	struct modlog_entry e;
	struct wire_rec rec;
	size_t nbefore;
	uint32_t i;

	for (i = 0; i < v->len; i++) {
		if (wire_array_get(v, i, &wire_records[WR_MODEV], &rec) != WE_OK)
			abort();	/* a frame that decodes has valid elements */
		nbefore = l->nholders;
		if ((before = calloc(nbefore + 1, sizeof *before)) == NULL)
			abort();
		memcpy(before, l->holders, nbefore * sizeof *before);
		modlog_next(l, &rec, &e);
		if (!e.verified && (l->nholders != nbefore ||
		    memcmp(before, l->holders, nbefore * sizeof *before) != 0))
			abort();
		if (!l->station && fuzz_modlog_owners(l) != 1)
			abort();
		free(before);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t salt[YISHI_SALT_BYTES], nogroup[YISHI_GID_BYTES];
	struct wire_frame f;
	struct wire_rec rec;
	struct mod_event ev;
	struct modlog l;
	uint8_t founder[YISHI_PK_BYTES];

	if (wire_decode(data, size, WIRE_DIR_N2C, &f) != WE_OK)
		return 0;
	if (f.kind != WK_MODLOG) {
		wire_frame_free(&f);
		return 0;
	}
	/* Root the group at the first event's actor, so signed seeds reach the rules. */
	memset(founder, 0, sizeof founder);
	if (f.r.f[WF_EVENTS].len > 0 &&
	    wire_array_get(&f.r.f[WF_EVENTS], 0, &wire_records[WR_MODEV], &rec) == WE_OK &&
	    mod_event_decode(rec.f[WF_EV].p, rec.f[WF_EV].len, &ev) == 0)
		memcpy(founder, ev.actor, sizeof founder);
	if (modlog_init(&l, f.r.f[WF_GROUP].len == YISHI_GID_BYTES ? f.r.f[WF_GROUP].p : nogroup, founder,
	    salt) != 0)
		abort();
	fuzz_modlog_replay(&l, &f);
	modlog_free(&l);
	if (modlog_init(&l, NULL, founder, salt) != 0)
		abort();
	fuzz_modlog_replay(&l, &f);
	modlog_free(&l);
	wire_frame_free(&f);
	return 0;
}
