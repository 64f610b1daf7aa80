/*
 * cap.c: CAP 1.2 XML import and export over libxml2. See cap.h for the mapping and
 * docs/warnings.md for the table.
 *
 * Import walks the tree by hand rather than through XPath: the shape is small, and
 * a walk can refuse what it does not know (an unknown CAP element, a second
 * polygon) instead of silently dropping it. Token-like values (identifiers, enums,
 * times, codes, coordinates) are trimmed of XML whitespace; words (headline,
 * description, ...) are kept byte for byte.
 */
#include "client/cap.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#define DSIG_NS		"http://www.w3.org/2000/09/xmldsig#"
#define YI_AREA		"yishi:area"
#define YI_FRAUD	"yishi:fraud-type"
#define YI_TARGET_AREA	"yishi:target-area"
#define YI_TARGET_NODE	"yishi:target-station"
#define YI_ISSUER	"yishi:issuer"
#define CAP_WS		" \t\r\n"
#define E7		10000000LL

struct cap_ctx {
	char	*err;
	size_t	 errlen;
	int	 failed;
};

static void	 cap_fail(struct cap_ctx *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

static void
cap_fail(struct cap_ctx *c, const char *fmt, ...)
{
	va_list ap;

	if (c->failed)
		return;		/* the first reason is the one to show */
	c->failed = 1;
	if (c->errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(c->err, c->errlen, fmt, ap);
	va_end(ap);
}

static int
cap_is(const xmlNode *n, const char *ns, const char *name)
{
	return n->ns != NULL && strcmp((const char *)n->ns->href, ns) == 0 &&
	    (name == NULL || strcmp((const char *)n->name, name) == 0);
}

/*
 * The next element child after prev (NULL: the first). Text between elements must
 * be blank; comments and processing instructions are skipped.
 */
static xmlNode *
cap_next(struct cap_ctx *c, xmlNode *parent, xmlNode *prev)
{
	xmlNode		*n = prev != NULL ? prev->next : parent->children;
	const xmlChar	*p;

	for (; n != NULL && !c->failed; n = n->next) {
		if (n->type == XML_ELEMENT_NODE)
			return n;
		if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
			for (p = n->content; p != NULL && *p != '\0'; p++)
				if (strchr(CAP_WS, *p) == NULL) {
					cap_fail(c, "text outside an element in <%s>",
					    (const char *)parent->name);
					return NULL;
				}
		} else if (n->type != XML_COMMENT_NODE && n->type != XML_PI_NODE) {
			cap_fail(c, "unexpected XML node in <%s>", (const char *)parent->name);
			return NULL;
		}
	}
	return NULL;
}

/* Copy the text of leaf element n into dst (cap bytes), trimmed if asked. */
static int
cap_leaf(struct cap_ctx *c, xmlNode *n, char *dst, size_t cap, int trim)
{
	xmlNode		*k;
	xmlChar		*s;
	const char	*p;
	size_t		 len;

	for (k = n->children; k != NULL; k = k->next)
		if (k->type != XML_TEXT_NODE && k->type != XML_CDATA_SECTION_NODE &&
		    k->type != XML_COMMENT_NODE) {
			cap_fail(c, "<%s> must hold only text", (const char *)n->name);
			return -1;
		}
	if ((s = xmlNodeGetContent(n)) == NULL) {
		dst[0] = '\0';
		return 0;
	}
	p = (const char *)s;
	len = strlen(p);
	if (trim) {
		while (len > 0 && strchr(CAP_WS, *p) != NULL) {
			p++;
			len--;
		}
		while (len > 0 && strchr(CAP_WS, p[len - 1]) != NULL)
			len--;
	}
	if (len >= cap) {
		cap_fail(c, "<%s> is longer than %zu bytes", (const char *)n->name, cap - 1);
		xmlFree(s);
		return -1;
	}
	memcpy(dst, p, len);
	dst[len] = '\0';
	xmlFree(s);
	return 0;
}

/* A singleton: refuse a second occurrence (seen is a bit set over field ids). */
static int
cap_once(struct cap_ctx *c, xmlNode *n, uint32_t *seen, int bit)
{
	if (*seen & (1u << bit)) {
		cap_fail(c, "<%s> appears twice", (const char *)n->name);
		return -1;
	}
	*seen |= 1u << bit;
	return 0;
}

static int
cap_enum(struct cap_ctx *c, xmlNode *n, const char *const *names, int count, int *out)
{
	char s[32];

	if (cap_leaf(c, n, s, sizeof s, 1) != 0)
		return -1;
	/* CAP values are case-sensitive; warn_name_parse is not, so check the spelling. */
	if ((*out = warn_name_parse(names, count, s)) < 0 || strcmp(names[*out], s) != 0) {
		cap_fail(c, "<%s> has an unknown value '%s'", (const char *)n->name, s);
		return -1;
	}
	return 0;
}

static int
cap_time(struct cap_ctx *c, xmlNode *n, uint64_t *ms, int *tz)
{
	char	s[WARN_TIME_LEN + 8];
	int	tz2;

	if (cap_leaf(c, n, s, sizeof s, 1) != 0)
		return -1;
	if (warn_time_parse(s, ms, tz != NULL ? tz : &tz2) != 0) {
		cap_fail(c, "<%s> is not a CAP time (YYYY-MM-DDThh:mm:ss+hh:mm)",
		    (const char *)n->name);
		return -1;
	}
	return 0;
}

/* A valueName/value pair (eventCode, parameter, geocode). */
static int
cap_pair(struct cap_ctx *c, xmlNode *n, struct warn_pair *p)
{
	xmlNode		*k = NULL;
	uint32_t	 seen = 0;

	memset(p, 0, sizeof *p);
	while ((k = cap_next(c, n, k)) != NULL) {
		if (cap_is(k, CAP_NS, "valueName")) {
			if (cap_once(c, k, &seen, 0) || cap_leaf(c, k, p->name, sizeof p->name, 1))
				return -1;
		} else if (cap_is(k, CAP_NS, "value")) {
			if (cap_once(c, k, &seen, 1) ||
			    cap_leaf(c, k, p->value, sizeof p->value, 1))
				return -1;
		} else {
			cap_fail(c, "unknown element <%s> in <%s>", (const char *)k->name,
			    (const char *)n->name);
			return -1;
		}
	}
	if (!c->failed && seen != 3)
		cap_fail(c, "<%s> needs a valueName and a value", (const char *)n->name);
	return c->failed ? -1 : 0;
}

static int
cap_pair_add(struct cap_ctx *c, xmlNode *n, struct warn_pair *list, int *count, int max,
    const struct warn_pair *p)
{
	if (*count >= max) {
		cap_fail(c, "more than %d <%s> elements", max, (const char *)n->name);
		return -1;
	}
	list[(*count)++] = *p;
	return 0;
}

/* "[-+]D[.D]" as value * 10^7; digits past the seventh decimal are dropped. */
static int
cap_decimal(const char *s, size_t len, int64_t max, int64_t *out)
{
	size_t	i = 0, nd = 0, fd = 0;
	int64_t	ip = 0, fp = 0;
	int	neg = 0;

	if (i < len && (s[i] == '-' || s[i] == '+'))
		neg = s[i++] == '-';
	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, nd++) {
		if (nd >= 6)
			return -1;
		ip = ip * 10 + (s[i] - '0');
	}
	if (nd == 0)
		return -1;
	if (i < len && s[i] == '.') {
		for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++, fd++)
			if (fd < 7)
				fp = fp * 10 + (s[i] - '0');
		if (fd == 0)
			return -1;
		for (; fd < 7; fd++)
			fp *= 10;
	}
	if (i != len)
		return -1;
	*out = ip * E7 + fp;
	if (*out > max)
		return -1;
	if (neg)
		*out = -*out;
	return 0;
}

/* "lat,lon" within s[0..len). */
static int
cap_point(const char *s, size_t len, struct warn_point *pt)
{
	const char	*comma = memchr(s, ',', len);
	int64_t		 lat, lon;

	if (comma == NULL || cap_decimal(s, (size_t)(comma - s), 90 * E7, &lat) != 0 ||
	    cap_decimal(comma + 1, len - (size_t)(comma - s) - 1, 180 * E7, &lon) != 0)
		return -1;
	pt->lat = (int32_t)lat;
	pt->lon = (int32_t)lon;
	return 0;
}

/* The next whitespace-separated token of s after *pos: its start and length. */
static int
cap_token(const char *s, size_t *pos, const char **tok, size_t *len)
{
	size_t i = *pos;

	while (s[i] != '\0' && strchr(CAP_WS, s[i]) != NULL)
		i++;
	if (s[i] == '\0')
		return 0;
	*tok = s + i;
	while (s[i] != '\0' && strchr(CAP_WS, s[i]) == NULL)
		i++;
	*len = (size_t)(s + i - *tok);
	*pos = i;
	return 1;
}

static int
cap_polygon(struct cap_ctx *c, xmlNode *n, struct warning *w)
{
	char		 s[WARN_POLY_MAX * 48];
	const char	*tok;
	size_t		 pos = 0, len;

	if (cap_leaf(c, n, s, sizeof s, 1) != 0)
		return -1;
	while (cap_token(s, &pos, &tok, &len)) {
		if (w->npolygon >= WARN_POLY_MAX) {
			cap_fail(c, "a <polygon> of more than %d points", WARN_POLY_MAX);
			return -1;
		}
		if (cap_point(tok, len, &w->polygon[w->npolygon++]) != 0) {
			cap_fail(c, "<polygon> has a bad point '%.*s'", (int)len, tok);
			return -1;
		}
	}
	if (w->npolygon < 4 || memcmp(&w->polygon[0], &w->polygon[w->npolygon - 1],
	    sizeof w->polygon[0]) != 0) {
		cap_fail(c, "a <polygon> needs 4 or more points, the first equal to the last");
		return -1;
	}
	return 0;
}

static int
cap_circle(struct cap_ctx *c, xmlNode *n, struct warning *w)
{
	char		 s[128];
	const char	*tok, *rtok, *more;
	size_t		 pos = 0, len, rlen, mlen;
	int64_t		 r;

	if (cap_leaf(c, n, s, sizeof s, 1) != 0)
		return -1;
	if (!cap_token(s, &pos, &tok, &len) || cap_point(tok, len, &w->circle) != 0 ||
	    !cap_token(s, &pos, &rtok, &rlen) || cap_token(s, &pos, &more, &mlen) ||
	    cap_decimal(rtok, rlen, 20000 * E7, &r) != 0 || r < 0) {
		cap_fail(c, "<circle> is not 'lat,lon radius'");
		return -1;
	}
	w->has_circle = 1;
	w->circle_radius = (uint64_t)r;
	return 0;
}

static int
cap_area(struct cap_ctx *c, xmlNode *n, struct warning *w, struct warn_text *t)
{
	xmlNode			*k = NULL;
	struct warn_pair	 p;
	uint32_t		 seen = 0;

	while ((k = cap_next(c, n, k)) != NULL) {
		if (cap_is(k, CAP_NS, "areaDesc")) {
			if (cap_once(c, k, &seen, 0) ||
			    cap_leaf(c, k, t->area_desc, sizeof t->area_desc, 0))
				return -1;
		} else if (cap_is(k, CAP_NS, "polygon")) {
			if (cap_once(c, k, &seen, 1) || cap_polygon(c, k, w))
				return -1;
		} else if (cap_is(k, CAP_NS, "circle")) {
			if (cap_once(c, k, &seen, 2) || cap_circle(c, k, w))
				return -1;
		} else if (cap_is(k, CAP_NS, "geocode")) {
			if (cap_pair(c, k, &p) != 0)
				return -1;
			if (strcmp(p.name, YI_AREA) != 0) {
				if (cap_pair_add(c, k, w->geocodes, &w->ngeocodes,
				    WARN_GEOCODES_MAX, &p) != 0)
					return -1;
				continue;
			}
			if (w->nareas >= WARN_AREAS_MAX || !warn_area_valid(p.value)) {
				cap_fail(c, "bad or too many %s geocodes ('%s')", YI_AREA, p.value);
				return -1;
			}
			memcpy(w->areas[w->nareas++], p.value, strlen(p.value) + 1);
		} else if (cap_is(k, CAP_NS, "altitude") || cap_is(k, CAP_NS, "ceiling")) {
			;	/* not kept: Yishi areas are on the ground */
		} else {
			cap_fail(c, "unknown element <%s> in <area>", (const char *)k->name);
			return -1;
		}
	}
	if (!c->failed && !(seen & 1))
		cap_fail(c, "<area> needs an <areaDesc>");
	return c->failed ? -1 : 0;
}

/* A parameter Yishi defines, or 0 if p is an ordinary one. */
static int
cap_param_yishi(struct cap_ctx *c, const struct warn_pair *p, struct warning *w)
{
	if (strcmp(p->name, YI_TARGET_AREA) == 0) {
		if (!warn_area_valid(p->value) || w->target_area[0] != '\0')
			cap_fail(c, "bad %s parameter", YI_TARGET_AREA);
		else
			memcpy(w->target_area, p->value, strlen(p->value) + 1);
		return 1;
	}
	if (strcmp(p->name, YI_TARGET_NODE) == 0) {
		if (hex_decode(w->target_station, YISHI_PK_BYTES, p->value) != 0)
			cap_fail(c, "bad %s parameter", YI_TARGET_NODE);
		return 1;
	}
	if (strcmp(p->name, YI_ISSUER) == 0) {
		if (hex_decode(w->issuer, YISHI_PK_BYTES, p->value) != 0)
			cap_fail(c, "bad %s parameter", YI_ISSUER);
		return 1;
	}
	return 0;
}

/* One <info> into the shared fields of w and the words of t. */
static int
cap_info(struct cap_ctx *c, xmlNode *n, struct warning *w, struct warn_text *t)
{
	static const char *const once[] = {
		"language", "event", "urgency", "severity", "certainty", "audience",
		"effective", "onset", "expires", "senderName", "headline", "description",
		"instruction", "web", "contact", "area",
	};
	char			 aud[WARN_AUDIENCE_MAX * (WARN_TAG_MAX + 1) + 64];
	const char		*tok;
	xmlNode			*k = NULL;
	struct warn_pair	 p;
	uint32_t		 seen = 0;
	size_t			 i, pos, len;
	int			 v, j, dup;

	while ((k = cap_next(c, n, k)) != NULL) {
		if (!cap_is(k, CAP_NS, NULL)) {
			cap_fail(c, "element <%s> outside CAP in <info>", (const char *)k->name);
			return -1;
		}
		for (i = 0; i < sizeof once / sizeof once[0]; i++)
			if (strcmp((const char *)k->name, once[i]) == 0 &&
			    cap_once(c, k, &seen, (int)i) != 0)
				return -1;
		if (cap_is(k, CAP_NS, "language")) {
			if (cap_leaf(c, k, t->language, sizeof t->language, 1))
				return -1;
		} else if (cap_is(k, CAP_NS, "category")) {
			if (cap_enum(c, k, warn_category_names, WCAT__COUNT, &v))
				return -1;
			w->categories |= 1u << v;
		} else if (cap_is(k, CAP_NS, "event")) {
			if (cap_leaf(c, k, t->event, sizeof t->event, 0))
				return -1;
		} else if (cap_is(k, CAP_NS, "responseType")) {
			if (cap_enum(c, k, warn_response_names, WRESP__COUNT, &v))
				return -1;
			w->responses |= 1u << v;
		} else if (cap_is(k, CAP_NS, "urgency")) {
			if (cap_enum(c, k, warn_urgency_names, WURG__COUNT, &w->urgency))
				return -1;
		} else if (cap_is(k, CAP_NS, "severity")) {
			if (cap_enum(c, k, warn_severity_names, WSEV__COUNT, &w->severity))
				return -1;
		} else if (cap_is(k, CAP_NS, "certainty")) {
			if (cap_enum(c, k, warn_certainty_names, WCTN__COUNT, &w->certainty))
				return -1;
		} else if (cap_is(k, CAP_NS, "audience")) {
			/* Tags, separated by white space; duplicates are dropped. */
			if (cap_leaf(c, k, aud, sizeof aud, 1))
				return -1;
			pos = 0;
			while (cap_token(aud, &pos, &tok, &len)) {
				if (len > WARN_TAG_MAX || w->naudience >= WARN_AUDIENCE_MAX) {
					cap_fail(c, "<audience> has more than %d tags or a tag "
					    "longer than %d bytes", WARN_AUDIENCE_MAX, WARN_TAG_MAX);
					return -1;
				}
				for (j = 0, dup = 0; j < w->naudience; j++)
					dup |= strlen(w->audience[j]) == len &&
					    memcmp(w->audience[j], tok, len) == 0;
				if (!dup)
					snprintf(w->audience[w->naudience++], WARN_TAG_MAX + 1,
					    "%.*s", (int)len, tok);
			}
		} else if (cap_is(k, CAP_NS, "eventCode")) {
			if (cap_pair(c, k, &p))
				return -1;
			if (strcmp(p.name, YI_FRAUD) == 0) {
				if (w->fraud_type[0] != '\0' || strlen(p.value) > WARN_FRAUD_MAX) {
					cap_fail(c, "bad %s event code", YI_FRAUD);
					return -1;
				}
				memcpy(w->fraud_type, p.value, strlen(p.value) + 1);
			} else if (cap_pair_add(c, k, w->event_codes, &w->nevent_codes,
			    WARN_PAIRS_MAX, &p))
				return -1;
		} else if (cap_is(k, CAP_NS, "effective")) {
			if (cap_time(c, k, &w->effective_ms, NULL))
				return -1;
		} else if (cap_is(k, CAP_NS, "onset")) {
			if (cap_time(c, k, &w->onset_ms, NULL))
				return -1;
		} else if (cap_is(k, CAP_NS, "expires")) {
			if (cap_time(c, k, &w->expires_ms, NULL))
				return -1;
		} else if (cap_is(k, CAP_NS, "senderName")) {
			if (cap_leaf(c, k, t->sender_name, sizeof t->sender_name, 0))
				return -1;
		} else if (cap_is(k, CAP_NS, "headline")) {
			if (cap_leaf(c, k, t->headline, sizeof t->headline, 0))
				return -1;
		} else if (cap_is(k, CAP_NS, "description")) {
			if (cap_leaf(c, k, t->description, sizeof t->description, 0))
				return -1;
		} else if (cap_is(k, CAP_NS, "instruction")) {
			if (cap_leaf(c, k, t->instruction, sizeof t->instruction, 0))
				return -1;
		} else if (cap_is(k, CAP_NS, "web")) {
			if (cap_leaf(c, k, t->web, sizeof t->web, 1))
				return -1;
		} else if (cap_is(k, CAP_NS, "contact")) {
			if (cap_leaf(c, k, t->contact, sizeof t->contact, 0))
				return -1;
		} else if (cap_is(k, CAP_NS, "parameter")) {
			if (cap_pair(c, k, &p))
				return -1;
			if (!cap_param_yishi(c, &p, w) &&
			    cap_pair_add(c, k, w->params, &w->nparams, WARN_PAIRS_MAX, &p))
				return -1;
		} else if (cap_is(k, CAP_NS, "resource")) {
			;	/* attachments are not carried */
		} else if (cap_is(k, CAP_NS, "area")) {
			if (cap_area(c, k, w, t))
				return -1;
		} else {
			cap_fail(c, "unknown element <%s> in <info>", (const char *)k->name);
			return -1;
		}
	}
	if (c->failed)
		return -1;
	/* category+, event, urgency, severity, certainty are required. */
	if (w->categories == 0 || !(seen & (1u << 1)) || !(seen & (1u << 2)) ||
	    !(seen & (1u << 3)) || !(seen & (1u << 4))) {
		cap_fail(c, "<info> needs category, event, urgency, severity and certainty");
		return -1;
	}
	w->has_target = w->target_area[0] != '\0';
	if (w->has_target != (memcmp(w->target_station, (uint8_t[YISHI_PK_BYTES]){ 0 },
	    YISHI_PK_BYTES) != 0)) {
		cap_fail(c, "%s and %s go together", YI_TARGET_AREA, YI_TARGET_NODE);
		return -1;
	}
	return 0;
}

/* Split a <references> value into triples. */
static int
cap_refs(struct cap_ctx *c, xmlNode *n, struct warning *w)
{
	char		 s[WARN_REFS_MAX * (WARN_REF_MAX + 1) + 64], snd[WARN_SENDER_MAX + 1];
	char		 id[WARN_ID_MAX + 1];
	const char	*tok;
	size_t		 pos = 0, len;
	uint64_t	 t;

	if (cap_leaf(c, n, s, sizeof s, 1) != 0)
		return -1;
	while (cap_token(s, &pos, &tok, &len)) {
		if (w->nrefs >= WARN_REFS_MAX || len > WARN_REF_MAX) {
			cap_fail(c, "<references> has more than %d references or a long one",
			    WARN_REFS_MAX);
			return -1;
		}
		snprintf(w->refs[w->nrefs], WARN_REF_MAX + 1, "%.*s", (int)len, tok);
		if (warn_ref_split(w->refs[w->nrefs], snd, id, &t) != 0) {
			cap_fail(c, "<references>: '%s' is not sender,identifier,sent",
			    w->refs[w->nrefs]);
			return -1;
		}
		w->nrefs++;
	}
	return 0;
}

/* Merge info block k (parsed into iw) into w: the shared fields must agree. */
static int
cap_merge(struct cap_ctx *c, struct warning *w, const struct warning *iw, int k)
{
	const size_t from = offsetof(struct warning, categories);
	const size_t to = offsetof(struct warning, texts);

	if (k >= WARN_TEXTS_MAX) {
		cap_fail(c, "more than %d <info> blocks", WARN_TEXTS_MAX);
		return -1;
	}
	if (k == 0) {
		memcpy((char *)w + from, (const char *)iw + from, to - from);
		memcpy(w->issuer, iw->issuer, YISHI_PK_BYTES);
	} else if (memcmp((const char *)w + from, (const char *)iw + from, to - from) != 0 ||
	    memcmp(w->issuer, iw->issuer, YISHI_PK_BYTES) != 0) {
		cap_fail(c, "<info> blocks differ in more than their language and words");
		return -1;
	}
	w->texts[k] = iw->texts[0];
	w->ntexts = k + 1;
	return 0;
}

static int
cap_alert(struct cap_ctx *c, xmlNode *root, struct warning *w)
{
	static const char *const once[] = {
		"identifier", "sender", "sent", "status", "msgType", "source", "scope",
		"restriction", "addresses", "note", "references", "incidents",
	};
	struct warning	*iw = NULL;
	xmlNode		*k = NULL;
	char		 s[WARN_CODE_MAX + 1];
	uint32_t	 seen = 0;
	size_t		 i;
	int		 v, ninfo = 0;

	if (!cap_is(root, CAP_NS, "alert")) {
		cap_fail(c, "not a CAP 1.2 alert (root element <%s>)", (const char *)root->name);
		return -1;
	}
	while ((k = cap_next(c, root, k)) != NULL) {
		if (cap_is(k, DSIG_NS, NULL))
			continue;	/* an XML signature: not ours to check */
		if (!cap_is(k, CAP_NS, NULL)) {
			cap_fail(c, "element <%s> outside CAP in <alert>", (const char *)k->name);
			break;
		}
		for (i = 0; i < sizeof once / sizeof once[0]; i++)
			if (strcmp((const char *)k->name, once[i]) == 0 &&
			    cap_once(c, k, &seen, (int)i) != 0)
				goto out;
		if (cap_is(k, CAP_NS, "identifier")) {
			if (cap_leaf(c, k, w->identifier, sizeof w->identifier, 1))
				break;
		} else if (cap_is(k, CAP_NS, "sender")) {
			if (cap_leaf(c, k, w->sender, sizeof w->sender, 1))
				break;
		} else if (cap_is(k, CAP_NS, "sent")) {
			if (cap_time(c, k, &w->sent_ms, &w->tz_min))
				break;
		} else if (cap_is(k, CAP_NS, "status")) {
			if (cap_enum(c, k, warn_status_names, WSTAT__COUNT, &w->status))
				break;
		} else if (cap_is(k, CAP_NS, "msgType")) {
			if (cap_leaf(c, k, s, sizeof s, 1))
				break;
			if ((v = warn_name_parse(warn_msgtype_names, WMSG__COUNT, s)) < 0 ||
			    strcmp(s, warn_msgtype_names[v]) != 0) {
				cap_fail(c, "msgType %s is not a warning (Alert, Update, Cancel)",
				    s);
				break;
			}
			w->msg_type = v;
		} else if (cap_is(k, CAP_NS, "source")) {
			if (cap_leaf(c, k, w->source, sizeof w->source, 0))
				break;
		} else if (cap_is(k, CAP_NS, "scope")) {
			if (cap_leaf(c, k, s, sizeof s, 1))
				break;
			if (strcmp(s, "Public") != 0) {
				cap_fail(c, "scope %s: warnings are Public", s);
				break;
			}
		} else if (cap_is(k, CAP_NS, "restriction") || cap_is(k, CAP_NS, "addresses")) {
			cap_fail(c, "<%s>: warnings are Public", (const char *)k->name);
			break;
		} else if (cap_is(k, CAP_NS, "code")) {
			if (w->ncodes >= WARN_CODES_MAX) {
				cap_fail(c, "more than %d <code> elements", WARN_CODES_MAX);
				break;
			}
			if (cap_leaf(c, k, w->codes[w->ncodes], sizeof w->codes[0], 1))
				break;
			w->ncodes++;
		} else if (cap_is(k, CAP_NS, "note") || cap_is(k, CAP_NS, "incidents")) {
			;	/* not kept */
		} else if (cap_is(k, CAP_NS, "references")) {
			if (cap_refs(c, k, w))
				break;
		} else if (cap_is(k, CAP_NS, "info")) {
			if (iw == NULL && (iw = malloc(sizeof *iw)) == NULL) {
				cap_fail(c, "out of memory");
				break;
			}
			memset(iw, 0, sizeof *iw);
			if (cap_info(c, k, iw, &iw->texts[0]) || cap_merge(c, w, iw, ninfo++))
				break;
		} else {
			cap_fail(c, "unknown element <%s> in <alert>", (const char *)k->name);
			break;
		}
	}
	/* identifier, sender, sent, status, msgType, scope are required. */
	if (!c->failed && (seen & 0x5f) != 0x5f)
		cap_fail(c, "<alert> needs identifier, sender, sent, status, msgType and scope");
out:
	free(iw);
	if (!c->failed && ninfo == 0) {
		w->urgency = WURG_UNKNOWN;
		w->severity = WSEV_UNKNOWN;
		w->certainty = WCTN_UNKNOWN;
	}
	return c->failed ? -1 : 0;
}

/*
 * SAX callback for <!DOCTYPE: stop the parser before the internal subset is read.
 * A CAP alert never needs a DTD, and refusing all of them closes every entity
 * trick (XXE, billion laughs, parameter entities) at once.
 */
static void
cap_doctype(void *ctx, const xmlChar *name, const xmlChar *ext, const xmlChar *sys)
{
	xmlParserCtxtPtr p = ctx;

	(void)name;
	(void)ext;
	(void)sys;
	*(int *)p->_private = 1;
	xmlStopParser(p);
}

/* libxml2 reports some errors (encoding conversion) only to its generic handler. */
static void
cap_quiet(void *ctx, const char *fmt, ...)
{
	(void)ctx;
	(void)fmt;
}

int
cap_import(const void *xml, size_t len, struct warning *w, char *err, size_t errlen)
{
	struct cap_ctx		 c = { err, errlen, 0 };
	xmlParserCtxtPtr	 p;
	xmlDocPtr		 doc = NULL;
	const xmlError		*e;
	uint8_t			*buf;
	xmlGenericErrorFunc	 old_fn;
	void			*old_ctx;
	int			 doctype = 0;

	memset(w, 0, sizeof *w);
	if (errlen > 0)
		err[0] = '\0';
	if (len == 0 || len > CAP_MAX_BYTES) {
		cap_fail(&c, "a CAP document is 1 to %d bytes", CAP_MAX_BYTES);
		return -1;
	}
	xmlInitParser();
	if ((p = xmlNewParserCtxt()) == NULL) {
		cap_fail(&c, "out of memory");
		return -1;
	}
	old_ctx = xmlGenericErrorContext;
	old_fn = xmlGenericError;
	xmlSetGenericErrorFunc(NULL, cap_quiet);
	p->_private = &doctype;
	p->sax->internalSubset = cap_doctype;
	p->sax->externalSubset = cap_doctype;
	/* Deliberately absent: XML_PARSE_NOENT, DTDLOAD, DTDATTR, DTDVALID, XINCLUDE, HUGE. */
	doc = xmlCtxtReadMemory(p, xml, (int)len, NULL, NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (doctype || (doc != NULL && (doc->intSubset != NULL || doc->extSubset != NULL)))
		cap_fail(&c, "a DOCTYPE is not allowed in CAP (refused: it could declare "
		    "external entities)");
	else if (doc == NULL || !p->wellFormed) {
		e = xmlCtxtGetLastError(p);
		cap_fail(&c, "not well-formed XML: line %d: %s", e != NULL ? e->line : 0,
		    e != NULL && e->message != NULL ? e->message : "parse error\n");
		if (errlen > 0 && (len = strlen(err)) > 0 && err[len - 1] == '\n')
			err[len - 1] = '\0';
	} else if (xmlDocGetRootElement(doc) == NULL)
		cap_fail(&c, "empty document");
	else if (cap_alert(&c, xmlDocGetRootElement(doc), w) == 0) {
		/* The shape rules of the signed encoding are the last word. */
		if ((buf = malloc(WARN_BODY_MAX)) == NULL)
			cap_fail(&c, "out of memory");
		else if (warn_encode(w, buf, WARN_BODY_MAX) == 0)
			cap_fail(&c, "the alert breaks a rule of Yishi warnings (identifier or "
			    "sender characters, a length, an Update/Cancel without references, "
			    "a bad language tag, or control characters)");
		free(buf);
	}
	xmlFreeDoc(doc);
	xmlFreeParserCtxt(p);
	xmlSetGenericErrorFunc(old_ctx, old_fn);
	if (c.failed) {
		memset(w, 0, sizeof *w);
		return -1;
	}
	return 0;
}

/* Export. */

static void
cap_add(xmlNode *parent, xmlNs *ns, const char *name, const char *text)
{
	xmlNewTextChild(parent, ns, (const xmlChar *)name, (const xmlChar *)text);
}

static void
cap_add_pair(xmlNode *parent, xmlNs *ns, const char *elem, const char *name,
    const char *value)
{
	xmlNode *n = xmlNewChild(parent, ns, (const xmlChar *)elem, NULL);

	if (n == NULL)
		return;
	cap_add(n, ns, "valueName", name);
	cap_add(n, ns, "value", value);
}

static char *
cap_fmt_e7(char *buf, size_t len, int64_t v)
{
	int64_t	a = v < 0 ? -v : v;
	size_t	n;

	if (a % E7 == 0)
		snprintf(buf, len, "%s%lld", v < 0 ? "-" : "", (long long)(a / E7));
	else {
		snprintf(buf, len, "%s%lld.%07lld", v < 0 ? "-" : "", (long long)(a / E7),
		    (long long)(a % E7));
		n = strlen(buf);
		while (buf[n - 1] == '0')
			buf[--n] = '\0';
	}
	return buf;
}

static char *
cap_fmt_point(char *buf, size_t len, const struct warn_point *p)
{
	char	a[24], b[24];

	snprintf(buf, len, "%s,%s", cap_fmt_e7(a, sizeof a, p->lat),
	    cap_fmt_e7(b, sizeof b, p->lon));
	return buf;
}

static int
cap_has_area(const struct warning *w)
{
	int i;

	if (w->nareas || w->ngeocodes || w->npolygon || w->has_circle)
		return 1;
	for (i = 0; i < w->ntexts; i++)
		if (w->texts[i].area_desc[0] != '\0')
			return 1;
	return 0;
}

static void
cap_export_area(xmlNode *info, xmlNs *ns, const struct warning *w, const struct warn_text *t)
{
	char	 s[WARN_POLY_MAX * 48], pt[64];
	xmlNode	*a;
	size_t	 n;
	int	 i;

	if ((a = xmlNewChild(info, ns, (const xmlChar *)"area", NULL)) == NULL)
		return;
	cap_add(a, ns, "areaDesc", t->area_desc);
	if (w->npolygon > 0) {
		s[0] = '\0';
		for (i = 0, n = 0; i < w->npolygon; i++)
			n += (size_t)snprintf(s + n, sizeof s - n, "%s%s", i ? " " : "",
			    cap_fmt_point(pt, sizeof pt, &w->polygon[i]));
		cap_add(a, ns, "polygon", s);
	}
	if (w->has_circle) {
		char r[24];

		snprintf(s, sizeof s, "%s %s", cap_fmt_point(pt, sizeof pt, &w->circle),
		    cap_fmt_e7(r, sizeof r, (int64_t)w->circle_radius));
		cap_add(a, ns, "circle", s);
	}
	for (i = 0; i < w->nareas; i++)
		cap_add_pair(a, ns, "geocode", YI_AREA, w->areas[i]);
	for (i = 0; i < w->ngeocodes; i++)
		cap_add_pair(a, ns, "geocode", w->geocodes[i].name, w->geocodes[i].value);
}

/* One <info> per text, in the schema's element order. */
static void
cap_export_info(xmlNode *root, xmlNs *ns, const struct warning *w, const struct warn_text *t)
{
	char	 s[WARN_AUDIENCE_MAX * (WARN_TAG_MAX + 1) + 1], tm[WARN_TIME_LEN + 1];
	char	 hex[2 * YISHI_PK_BYTES + 1];
	xmlNode	*info;
	size_t	 n;
	int	 i;

	if ((info = xmlNewChild(root, ns, (const xmlChar *)"info", NULL)) == NULL)
		return;
	if (t->language[0] != '\0')
		cap_add(info, ns, "language", t->language);
	for (i = 0; i < WCAT__COUNT; i++)
		if (w->categories & (1u << i))
			cap_add(info, ns, "category", warn_category_names[i]);
	cap_add(info, ns, "event", t->event);
	for (i = 0; i < WRESP__COUNT; i++)
		if (w->responses & (1u << i))
			cap_add(info, ns, "responseType", warn_response_names[i]);
	cap_add(info, ns, "urgency", warn_urgency_names[w->urgency]);
	cap_add(info, ns, "severity", warn_severity_names[w->severity]);
	cap_add(info, ns, "certainty", warn_certainty_names[w->certainty]);
	if (w->naudience > 0) {
		s[0] = '\0';
		for (i = 0, n = 0; i < w->naudience; i++)
			n += (size_t)snprintf(s + n, sizeof s - n, "%s%s", i ? " " : "",
			    w->audience[i]);
		cap_add(info, ns, "audience", s);
	}
	if (w->fraud_type[0] != '\0')
		cap_add_pair(info, ns, "eventCode", YI_FRAUD, w->fraud_type);
	for (i = 0; i < w->nevent_codes; i++)
		cap_add_pair(info, ns, "eventCode", w->event_codes[i].name,
		    w->event_codes[i].value);
	if (w->effective_ms != 0)
		cap_add(info, ns, "effective", warn_time_format(tm, w->effective_ms, w->tz_min));
	if (w->onset_ms != 0)
		cap_add(info, ns, "onset", warn_time_format(tm, w->onset_ms, w->tz_min));
	if (w->expires_ms != 0)
		cap_add(info, ns, "expires", warn_time_format(tm, w->expires_ms, w->tz_min));
	if (t->sender_name[0] != '\0')
		cap_add(info, ns, "senderName", t->sender_name);
	if (t->headline[0] != '\0')
		cap_add(info, ns, "headline", t->headline);
	if (t->description[0] != '\0')
		cap_add(info, ns, "description", t->description);
	if (t->instruction[0] != '\0')
		cap_add(info, ns, "instruction", t->instruction);
	if (t->web[0] != '\0')
		cap_add(info, ns, "web", t->web);
	if (t->contact[0] != '\0')
		cap_add(info, ns, "contact", t->contact);
	for (i = 0; i < w->nparams; i++)
		cap_add_pair(info, ns, "parameter", w->params[i].name, w->params[i].value);
	if (w->has_target) {
		cap_add_pair(info, ns, "parameter", YI_TARGET_AREA, w->target_area);
		cap_add_pair(info, ns, "parameter", YI_TARGET_NODE,
		    hex_encode(hex, w->target_station, YISHI_PK_BYTES));
	}
	if (memcmp(w->issuer, (uint8_t[YISHI_PK_BYTES]){ 0 }, YISHI_PK_BYTES) != 0)
		cap_add_pair(info, ns, "parameter", YI_ISSUER,
		    hex_encode(hex, w->issuer, YISHI_PK_BYTES));
	if (cap_has_area(w))
		cap_export_area(info, ns, w, t);
}

char *
cap_export(const struct warning *w, size_t *len)
{
	char		 s[WARN_REFS_MAX * (WARN_REF_MAX + 1) + 1], tm[WARN_TIME_LEN + 1];
	uint8_t		*buf;
	xmlDocPtr	 doc;
	xmlNode		*root;
	xmlNs		*ns;
	xmlChar		*mem = NULL;
	char		*out = NULL;
	size_t		 n;
	int		 i, size = 0;

	if ((buf = malloc(WARN_BODY_MAX)) == NULL)
		return NULL;
	n = warn_encode(w, buf, WARN_BODY_MAX);	/* exports only valid warnings */
	free(buf);
	if (n == 0)
		return NULL;
	xmlInitParser();
	if ((doc = xmlNewDoc((const xmlChar *)"1.0")) == NULL)
		return NULL;
	if ((root = xmlNewNode(NULL, (const xmlChar *)"alert")) == NULL)
		goto out;
	xmlDocSetRootElement(doc, root);
	if ((ns = xmlNewNs(root, (const xmlChar *)CAP_NS, NULL)) == NULL)
		goto out;
	xmlSetNs(root, ns);
	cap_add(root, ns, "identifier", w->identifier);
	cap_add(root, ns, "sender", w->sender);
	cap_add(root, ns, "sent", warn_time_format(tm, w->sent_ms, w->tz_min));
	cap_add(root, ns, "status", warn_status_names[w->status]);
	cap_add(root, ns, "msgType", warn_msgtype_names[w->msg_type]);
	if (w->source[0] != '\0')
		cap_add(root, ns, "source", w->source);
	cap_add(root, ns, "scope", "Public");
	for (i = 0; i < w->ncodes; i++)
		cap_add(root, ns, "code", w->codes[i]);
	if (w->nrefs > 0) {
		s[0] = '\0';
		for (i = 0, n = 0; i < w->nrefs; i++)
			n += (size_t)snprintf(s + n, sizeof s - n, "%s%s", i ? " " : "",
			    w->refs[i]);
		cap_add(root, ns, "references", s);
	}
	for (i = 0; i < w->ntexts; i++)
		cap_export_info(root, ns, w, &w->texts[i]);
	xmlDocDumpFormatMemoryEnc(doc, &mem, &size, "UTF-8", 1);
	if (mem == NULL || size <= 0 || (out = malloc((size_t)size + 1)) == NULL)
		goto out;
	memcpy(out, mem, (size_t)size);
	out[size] = '\0';
	*len = (size_t)size;
out:
	xmlFree(mem);
	xmlFreeDoc(doc);
	return out;
}
