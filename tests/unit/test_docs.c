/*
 * test_docs.c: the examples of docs/protocol.md are real frames, and the document
 * covers every kind of the frame table.
 *
 * Every fenced block tagged hex (a line "```hex" up to a line "```") holds the exact
 * bytes of one frame, as hex digits with optional spaces. Each must decode strictly in
 * the direction of its kind (a frame inside a batch too); every kind of wire_kinds[]
 * must have at least one such block; and every kind must have a row in the table of
 * kinds at a glance (section 4), which must name no kind the table does not have.
 *
 * The document's path is compiled in (YISHI_PROTOCOL_MD, set by CMakeLists.txt) or
 * given as the first argument.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/wire.h"
#include "tests/unit/check.h"

#define DOCS_LINE_MAX	4096
#define DOCS_FRAME_MAX	(64 * 1024)
#define DOCS_TABLE_MARK	"Kinds and directions at a glance"

static int	docs_hex_covered[WK__COUNT];
static int	docs_in_table[WK__COUNT];

static int
docs_kind(const char *name, size_t len)
{
	int	k;

	for (k = 0; k < WK__COUNT; k++)
		if (strlen(wire_kinds[k].name) == len && memcmp(wire_kinds[k].name, name, len) == 0)
			return k;
	return -1;
}

/* Decode one example in the direction that accepts its kind; check a batch's frames too. */
static void
docs_frame(const uint8_t *buf, size_t len, int line)
{
	struct wire_frame	f;
	struct wire_rec		el;
	uint32_t		i;
	int			e, dir = WIRE_DIR_N2C;

	if ((e = wire_decode(buf, len, dir, &f)) == WE_UNKNOWN_KIND) {
		dir = WIRE_DIR_C2N;
		e = wire_decode(buf, len, dir, &f);
	}
	if (e != WE_OK) {
		fprintf(stderr, "protocol.md:%d: the hex example does not decode: %s\n", line,
		    wire_err_name(e));
		CHECK(e == WE_OK);
		return;
	}
	CHECK(wire_kinds[f.kind].dir == dir);
	docs_hex_covered[f.kind] = 1;
	if (f.kind == WK_BATCH) {
		for (i = 0; i < f.r.f[WF_FRAMES].len; i++) {
			struct wire_frame	inner;

			CHECK(wire_array_get(&f.r.f[WF_FRAMES], i, &wire_records[WR_FRAME], &el) ==
			    WE_OK);
			e = wire_decode(el.f[WF_FRAME].p, el.f[WF_FRAME].len, WIRE_DIR_N2C, &inner);
			if (e != WE_OK)
				fprintf(stderr, "protocol.md:%d: frame %u of the batch: %s\n", line, i,
				    wire_err_name(e));
			CHECK(e == WE_OK);
			if (e == WE_OK) {
				CHECK(inner.kind != WK_BATCH);
				wire_frame_free(&inner);
			}
		}
	}
	wire_frame_free(&f);
}

/* One row of the table at a glance: the kind in the first cell. */
static void
docs_table_row(const char *l, int line)
{
	const char	*p, *q;
	int		 k;

	if ((p = strchr(l + 1, '`')) == NULL || p > strchr(l + 1, '|'))
		return;		/* the header or the rule */
	if ((q = strchr(p + 1, '`')) == NULL) {
		CHECK(q != NULL);
		return;
	}
	if ((k = docs_kind(p + 1, (size_t)(q - p - 1))) < 0) {
		fprintf(stderr, "protocol.md:%d: the table names no kind: %.*s\n", line,
		    (int)(q - p - 1), p + 1);
		CHECK(k >= 0);
		return;
	}
	docs_in_table[k] = 1;
}

int
main(int argc, char *argv[])
{
	const char	*path = argc > 1 ? argv[1] : YISHI_PROTOCOL_MD;
	static char	 l[DOCS_LINE_MAX];
	static uint8_t	 frame[DOCS_FRAME_MAX];
	FILE		*fp;
	size_t		 n = 0, i;
	int		 line = 0, start = 0, in_hex = 0, in_fence = 0, in_table = 0;
	int		 nibble = -1, bad = 0, nblocks = 0, k;

	if ((fp = fopen(path, "r")) == NULL) {
		perror(path);
		return 1;
	}
	while (fgets(l, sizeof(l), fp) != NULL) {
		line++;
		l[strcspn(l, "\n")] = '\0';
		if (strncmp(l, "```", 3) == 0) {
			if (in_hex) {
				CHECK(!bad && nibble < 0 && n > 0);
				if (bad || nibble >= 0 || n == 0)
					fprintf(stderr, "protocol.md:%d: not hex bytes\n", start);
				else
					docs_frame(frame, n, start);
				in_hex = 0;
				nblocks++;
			} else if (in_fence)
				in_fence = 0;
			else if (strcmp(l, "```hex") == 0) {
				in_hex = 1;
				start = line;
				n = 0;
				nibble = -1;
				bad = 0;
			} else
				in_fence = 1;
			continue;
		}
		if (in_hex) {
			for (i = 0; l[i] != '\0'; i++) {
				if (l[i] == ' ')
					continue;
				if (!isxdigit((unsigned char)l[i]) || n == sizeof(frame)) {
					bad = 1;
					break;
				}
				k = isdigit((unsigned char)l[i]) ? l[i] - '0' :
				    tolower((unsigned char)l[i]) - 'a' + 10;
				if (nibble < 0)
					nibble = k;
				else {
					frame[n++] = (uint8_t)(nibble << 4 | k);
					nibble = -1;
				}
			}
			continue;
		}
		if (in_fence)
			continue;
		if (strstr(l, DOCS_TABLE_MARK) != NULL)
			in_table = 1;
		else if (in_table == 1 && l[0] == '|')
			in_table = 2;
		if (in_table == 2) {
			if (l[0] == '|')
				docs_table_row(l, line);
			else
				in_table = 3;	/* the table ended */
		}
	}
	fclose(fp);
	CHECK(!in_hex && !in_fence);
	CHECK(in_table == 3);
	CHECK(nblocks > 0);
	for (k = 0; k < WK__COUNT; k++) {
		if (!docs_hex_covered[k])
			fprintf(stderr, "protocol.md: no hex example of %s\n", wire_kinds[k].name);
		if (!docs_in_table[k])
			fprintf(stderr, "protocol.md: %s is not in the table of kinds\n",
			    wire_kinds[k].name);
		CHECK(docs_hex_covered[k]);
		CHECK(docs_in_table[k]);
	}
	printf("docs: %d hex examples\n", nblocks);
	return check_done("docs");
}
