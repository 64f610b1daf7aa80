/* test_schema.c: the frame table is well formed: names unique, fields named, bounds sane. */
#include <stdio.h>
#include <string.h>

#include "proto/wire.h"
#include "tests/unit/check.h"

int
main(void)
{
	int i, j;

	for (i = 0; i < WF__COUNT; i++)
		CHECK(wire_field_names[i] != NULL && wire_field_names[i][0] != '\0');
	for (i = 0; i < WK__COUNT; i++) {
		const struct wire_schema *s = &wire_kinds[i];

		CHECK(s->name != NULL);
		CHECK(s->dir == WIRE_DIR_N2C || s->dir == WIRE_DIR_C2N);
		for (j = 0; j < i; j++)
			CHECK(strcmp(wire_kinds[j].name, s->name) != 0);
		for (j = 0; j < s->nfields; j++) {
			const struct wire_fspec *f = &s->fields[j];

			CHECK(f->field < WF__COUNT && f->field != WF_RID);
			CHECK(f->min <= f->max);
			CHECK((f->type == WT_ARRAY) == (f->elem != NULL));
		}
	}
	for (i = 0; i < WR__COUNT; i++)
		CHECK(wire_records[i].name != NULL && wire_records[i].nfields > 0);
	return check_done("schema");
}
