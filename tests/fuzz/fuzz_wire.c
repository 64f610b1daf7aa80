/*
 * fuzz_wire.c: wire_decode() on arbitrary bytes, in both directions. A frame that
 * decodes must be valid throughout: every array element decodes, the record
 * re-encodes, that encoding decodes to the same kind and rid, and re-encoding that
 * gives the same bytes again.
 */
#include <stdlib.h>
#include <string.h>

#include "proto/wire.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/*
 * Encode decoded frame f into sb. The decoded record holds msgpack arrays and
 * encoding wants records, so each array is decoded element by element first.
 */
static int
fuzz_wire_reencode(const struct wire_frame *f, msgpack_sbuffer *sb)
{
	const struct wire_schema	*s = f->r.schema;
	const struct wire_fspec		*fs;
	struct wire_rec			 r, *recs[WF__COUNT];
	uint32_t			 j;
	int				 i, e;

	r = f->r;
	memset(recs, 0, sizeof(recs));
	for (i = 0; i < s->nfields; i++) {
		fs = &s->fields[i];
		if (fs->type != WT_ARRAY || !wire_has(&f->r, fs->field))
			continue;
		if ((recs[i] = calloc(f->r.f[fs->field].len + 1, sizeof(*recs[i]))) == NULL)
			abort();
		for (j = 0; j < f->r.f[fs->field].len; j++)
			if (wire_array_get(&f->r.f[fs->field], j, fs->elem, &recs[i][j]) != WE_OK)
				abort();
		wire_set_array(&r, fs->field, recs[i], f->r.f[fs->field].len);
	}
	e = wire_encode(f->kind, f->rid, &r, sb);
	for (i = 0; i < WF__COUNT; i++)
		free(recs[i]);
	return e;
}

static void
fuzz_wire_check(const uint8_t *data, size_t size, int dir)
{
	struct wire_frame	f, g;
	msgpack_sbuffer		sb1, sb2;

	if (wire_decode(data, size, dir, &f) != WE_OK) {
		if (f.buf != NULL)
			abort();	/* a failed decode frees everything */
		return;
	}
	if ((wire_kinds[f.kind].dir & dir) == 0 || f.r.schema != &wire_kinds[f.kind])
		abort();

	msgpack_sbuffer_init(&sb1);
	msgpack_sbuffer_init(&sb2);
	if (fuzz_wire_reencode(&f, &sb1) != WE_OK)
		abort();
	if (wire_decode(sb1.data, sb1.size, dir, &g) != WE_OK)
		abort();
	if (g.kind != f.kind || g.rid != f.rid)
		abort();
	if (fuzz_wire_reencode(&g, &sb2) != WE_OK ||
	    sb1.size != sb2.size || memcmp(sb1.data, sb2.data, sb1.size) != 0)
		abort();
	wire_frame_free(&g);
	msgpack_sbuffer_destroy(&sb1);
	msgpack_sbuffer_destroy(&sb2);
	wire_frame_free(&f);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_wire_check(data, size, WIRE_DIR_C2N);
	fuzz_wire_check(data, size, WIRE_DIR_N2C);
	return 0;
}
