/*
 * test_cap.c: CAP 1.2 import and export. Every sample in tests/data/cap imports;
 * its export validates against the CAP 1.2 schema (cap12.xsd, with libxml2's schema
 * API), says the same thing in CAP terms as the original (the multiset of its leaf
 * values, times compared as instants, numbers as numbers) and imports back to the
 * same warning, field by field. Hostile documents (XXE, any DOCTYPE) are refused
 * without a single external entity being loaded.
 *
 * The data directory is found from this file's path (CMake compiles it by absolute
 * path), or from $YISHI_SRC.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlschemas.h>

#include "client/cap.h"
#include "proto/crypto.h"
#include "proto/warn.h"
#include "tests/unit/check.h"

static char datadir[4096];
static xmlSchemaPtr schema;
static int loads;		/* external entity loads attempted */

static xmlParserInputPtr
counting_loader(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
	(void)url;
	(void)id;
	(void)ctxt;
	loads++;
	return NULL;
}

static void
find_datadir(void)
{
	const char	*src = getenv("YISHI_SRC");
	char		*slash;

	if (src != NULL)
		snprintf(datadir, sizeof datadir, "%s/tests/data/cap", src);
	else {
		snprintf(datadir, sizeof datadir, "%s", __FILE__);
		if ((slash = strrchr(datadir, '/')) != NULL)
			*slash = '\0';
		strncat(datadir, "/../data/cap", sizeof datadir - strlen(datadir) - 1);
	}
}

static char *
slurp(const char *name, size_t *len)
{
	char	 path[4200], *buf = NULL;
	FILE	*f;
	long	 n;

	snprintf(path, sizeof path, "%s/%s", datadir, name);
	if ((f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "cannot open %s\n", path);
		check_fail++;
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n + 1)) != NULL && fread(buf, 1, (size_t)n, f) == (size_t)n) {
		buf[n] = '\0';
		*len = (size_t)n;
	} else {
		free(buf);
		buf = NULL;
		check_fail++;
	}
	fclose(f);
	return buf;
}

/* Import with the counting loader installed: no document may make libxml2 load. */
static int
import(const char *xml, size_t len, struct warning *w, char *err, size_t errlen)
{
	xmlExternalEntityLoader	old = xmlGetExternalEntityLoader();
	int			rv;

	xmlSetExternalEntityLoader(counting_loader);
	rv = cap_import(xml, len, w, err, errlen);
	xmlSetExternalEntityLoader(old);
	return rv;
}

static int
validates(const char *xml, size_t len)
{
	xmlDocPtr		doc;
	xmlSchemaValidCtxtPtr	v;
	int			rv = -1;

	doc = xmlReadMemory(xml, (int)len, NULL, NULL, XML_PARSE_NONET);
	if (doc == NULL)
		return 0;
	if ((v = xmlSchemaNewValidCtxt(schema)) != NULL) {
		rv = xmlSchemaValidateDoc(v, doc);
		xmlSchemaFreeValidCtxt(v);
	}
	xmlFreeDoc(doc);
	return rv == 0;
}

/* CAP-level comparison: "path=value" per leaf, normalised, sorted. */
struct leaves {
	char	**v;
	size_t	  n, cap;
};

static void
leaves_add(struct leaves *l, const char *s)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->v = realloc(l->v, l->cap * sizeof *l->v);
	}
	l->v[l->n++] = strdup(s);
}

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* Numbers in polygon/circle as %.7f; times as instants. */
static void
normalise(const char *name, char *v, char *out, size_t outlen)
{
	uint64_t	ms;
	int		tz;
	char		*p, *end;
	size_t		n = 0;

	if ((strcmp(name, "sent") == 0 || strcmp(name, "effective") == 0 ||
	    strcmp(name, "onset") == 0 || strcmp(name, "expires") == 0) &&
	    warn_time_parse(v, &ms, &tz) == 0) {
		snprintf(out, outlen, "@%llu", (unsigned long long)ms);
		return;
	}
	if (strcmp(name, "polygon") == 0 || strcmp(name, "circle") == 0) {
		out[0] = '\0';
		for (p = v; *p != '\0' && n < outlen; p = end) {
			while (*p == ' ' || *p == ',' || *p == '\n' || *p == '\t')
				p++;
			if (*p == '\0')
				break;
			n += (size_t)snprintf(out + n, outlen - n, "%.7f ", strtod(p, &end));
			if (end == p)
				break;
		}
		return;
	}
	snprintf(out, outlen, "%s", v);
}

static void
collect(xmlNode *n, const char *path, struct leaves *l)
{
	char		 sub[512], buf[16384], val[16384], *v;
	xmlNode		*k, *vn = NULL, *vv = NULL;
	xmlChar		*c;
	int		 elems = 0, info = 0;

	for (k = n->children; k != NULL; k = k->next)
		if (k->type == XML_ELEMENT_NODE) {
			elems++;
			if (strcmp((const char *)k->name, "valueName") == 0)
				vn = k;
			if (strcmp((const char *)k->name, "value") == 0)
				vv = k;
		}
	if (n->ns != NULL && strcmp((const char *)n->ns->href, CAP_NS) != 0)
		return;		/* ds:Signature */
	if (vn != NULL && vv != NULL && elems == 2) {
		xmlChar *a = xmlNodeGetContent(vn), *b = xmlNodeGetContent(vv);

		snprintf(buf, sizeof buf, "%s", (const char *)a);
		snprintf(val, sizeof val, "%s/%s=%s", path, trim(buf), "");
		snprintf(buf, sizeof buf, "%s", (const char *)b);
		strncat(val, trim(buf), sizeof val - strlen(val) - 1);
		leaves_add(l, val);
		xmlFree(a);
		xmlFree(b);
		return;
	}
	if (elems == 0) {
		c = xmlNodeGetContent(n);
		snprintf(buf, sizeof buf, "%s", c != NULL ? (const char *)c : "");
		xmlFree(c);
		v = trim(buf);
		normalise((const char *)n->name, v, val, sizeof val);
		c = (xmlChar *)malloc(strlen(path) + strlen(val) + 2);
		sprintf((char *)c, "%s=%s", path, val);
		leaves_add(l, (const char *)c);
		free(c);
		return;
	}
	for (k = n->children; k != NULL; k = k->next) {
		if (k->type != XML_ELEMENT_NODE)
			continue;
		if (strcmp((const char *)k->name, "info") == 0)
			snprintf(sub, sizeof sub, "%s/info%d", path, info++);
		else
			snprintf(sub, sizeof sub, "%s/%s", path, (const char *)k->name);
		collect(k, sub, l);
	}
}

static int
cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
leaves_of(const char *xml, size_t len, struct leaves *l)
{
	xmlDocPtr doc = xmlReadMemory(xml, (int)len, NULL, NULL, XML_PARSE_NONET);

	memset(l, 0, sizeof *l);
	CHECK(doc != NULL);
	if (doc == NULL)
		return;
	collect(xmlDocGetRootElement(doc), "alert", l);
	qsort(l->v, l->n, sizeof *l->v, cmpstr);
	xmlFreeDoc(doc);
}

static void
leaves_free(struct leaves *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

/* The export says what the original says. */
static void
check_equivalent(const char *name, const char *a, size_t alen, const char *b, size_t blen)
{
	struct leaves	x, y;
	size_t		i;
	int		same;

	leaves_of(a, alen, &x);
	leaves_of(b, blen, &y);
	same = x.n == y.n;
	for (i = 0; same && i < x.n; i++)
		same = strcmp(x.v[i], y.v[i]) == 0;
	CHECK(same);
	if (!same) {
		fprintf(stderr, "%s: CAP leaves differ (%zu vs %zu)\n", name, x.n, y.n);
		for (i = 0; i < x.n || i < y.n; i++)
			if (i >= x.n || i >= y.n || strcmp(x.v[i], y.v[i]) != 0)
				fprintf(stderr, "  < %s\n  > %s\n", i < x.n ? x.v[i] : "",
				    i < y.n ? y.v[i] : "");
	}
	leaves_free(&x);
	leaves_free(&y);
}

/* import -> export (valid, equivalent) -> import: the same warning. */
static struct warning *
roundtrip(const char *name, const char *xml, size_t len)
{
	struct warning	*w = calloc(1, sizeof *w), *w2 = calloc(1, sizeof *w2);
	uint8_t		*a = malloc(WARN_BODY_MAX), *b = malloc(WARN_BODY_MAX);
	char		 err[256], *out;
	size_t		 olen = 0, alen, blen;

	loads = 0;
	if (import(xml, len, w, err, sizeof err) != 0) {
		fprintf(stderr, "%s: %s\n", name, err);
		check_fail++;
	}
	out = cap_export(w, &olen);
	CHECK(out != NULL);
	if (out == NULL)
		goto done;
	CHECK(validates(out, olen));
	check_equivalent(name, xml, len, out, olen);
	CHECK(import(out, olen, w2, err, sizeof err) == 0);
	alen = warn_encode(w, a, WARN_BODY_MAX);
	blen = warn_encode(w2, b, WARN_BODY_MAX);
	CHECK(alen > 0 && alen == blen && memcmp(a, b, alen) == 0);
	CHECK(memcmp(w, w2, sizeof *w) == 0);
	CHECK(loads == 0);
	free(out);
done:
	free(w2);
	free(a);
	free(b);
	return w;
}

static void
test_samples(void)
{
	struct warning	*w;
	char		*xml, t[WARN_TIME_LEN + 1];
	size_t		 len;

	/* A.2: polygon and SAME geocodes. */
	if ((xml = slurp("v1dot2_appendix_adot2.xml", &len)) != NULL) {
		CHECK(validates(xml, len));
		w = roundtrip("A.2", xml, len);
		CHECK(strcmp(w->identifier, "KSTO1055887203") == 0);
		CHECK(strcmp(warn_time_format(t, w->sent_ms, w->tz_min),
		    "2003-06-17T14:57:00-07:00") == 0);
		CHECK(w->status == WSTAT_ACTUAL && w->msg_type == WMSG_ALERT);
		CHECK(w->categories == 1u << WCAT_MET && w->responses == 1u << WRESP_SHELTER);
		CHECK(w->urgency == WURG_IMMEDIATE && w->severity == WSEV_SEVERE &&
		    w->certainty == WCTN_OBSERVED);
		CHECK(w->npolygon == 5 && w->polygon[0].lat == 384700000 &&
		    w->polygon[0].lon == -1201400000);
		CHECK(w->ngeocodes == 3 && strcmp(w->geocodes[2].value, "006003") == 0);
		CHECK(w->nevent_codes == 1 && strcmp(w->event_codes[0].value, "SVR") == 0);
		CHECK(w->ntexts == 1 && strcmp(w->texts[0].contact, "BARUFFALDI/JUSKIE") == 0);
		CHECK(w->expires_ms == w->sent_ms + 3780000);
		CHECK(w->nareas == 0);
		free(w);
		free(xml);
	}
	/* A.3: an Update with references and a circle. */
	if ((xml = slurp("v1dot2_appendix_adot3.xml", &len)) != NULL) {
		w = roundtrip("A.3", xml, len);
		CHECK(w->msg_type == WMSG_UPDATE && w->nrefs == 1);
		CHECK(strcmp(w->refs[0], "trinet@caltech.edu,TRI13970876.1,"
		    "2003-06-11T20:30:00-07:00") == 0);
		CHECK(w->has_circle && w->circle.lat == 329525000 && w->circle.lon ==
		    -1155527000 && w->circle_radius == 0);
		CHECK(w->nparams == 5 && strcmp(w->params[2].value, "3.4 Ml") == 0);
		CHECK(strcmp(w->texts[0].web, "http://www.trinet.org/scsn/scsn.html") == 0);
		free(w);
		free(xml);
	}
	/* A.4: two languages. */
	if ((xml = slurp("v1dot2_appendix_adot4.xml", &len)) != NULL) {
		w = roundtrip("A.4", xml, len);
		CHECK(w->ntexts == 2);
		CHECK(strcmp(w->texts[0].language, "en-US") == 0 &&
		    strcmp(w->texts[1].language, "es-US") == 0);
		CHECK(strcmp(w->texts[1].event, "Abducción de Niño") == 0);
		CHECK(strcmp(w->texts[1].area_desc, "condado de Los Ángeles") == 0);
		CHECK(strcmp(w->source, "SW") == 0);
		free(w);
		free(xml);
	}
	/* IPAWS: a Cancel with no info and an XML signature. */
	if ((xml = slurp("ipaws-5e6dd9de023f1930ef6548d9.xml", &len)) != NULL) {
		w = roundtrip("IPAWS", xml, len);
		CHECK(w->msg_type == WMSG_CANCEL && w->ntexts == 0 && w->nrefs == 1);
		CHECK(w->ncodes == 1 && strcmp(w->codes[0], "IPAWSv1.0") == 0);
		CHECK(strcmp(w->source, "AlertSense") == 0);
		free(w);
		free(xml);
	}
	/* Taiwan: Chinese, effective, code. */
	if ((xml = slurp("taiwan.cap", &len)) != NULL) {
		w = roundtrip("taiwan", xml, len);
		CHECK(strcmp(w->texts[0].headline, "明德水庫:洩洪中") == 0);
		CHECK(strcmp(w->texts[0].language, "zh-tw") == 0);
		CHECK(w->effective_ms == w->sent_ms && w->tz_min == 480);
		CHECK(w->ncodes == 1 && strcmp(w->codes[0], "Progress") == 0);
		CHECK(w->nparams == 4 && strcmp(w->params[3].value, "紅色") == 0);
		free(w);
		free(xml);
	}
}

/* A Yishi warning with every Yishi field: export, validate, import, re-sign. */
static void
test_native(void)
{
	struct warning	*w = calloc(1, sizeof *w), *w2 = calloc(1, sizeof *w2);
	struct ident	 root, iss;
	struct warn_cert c;
	uint8_t		 cert[WARN_CERT_MAX], *e1 = malloc(WARN_ENVELOPE_MAX);
	uint8_t		*e2 = malloc(WARN_ENVELOPE_MAX);
	char		*out, err[256];
	size_t		 olen, clen, l1, l2;

	CHECK(ident_new(&root) == 0 && ident_new(&iss) == 0);
	memset(&c, 0, sizeof c);
	c.kind = WCK_ISSUER;
	memcpy(c.pk, iss.pk, 32);
	snprintf(c.name, sizeof c.name, "宁波市反诈中心");
	snprintf(c.areas[0], sizeof c.areas[0], "3302");
	c.nareas = 1;
	c.not_before = 1700000000000ULL;
	c.not_after = 1900000000000ULL;
	clen = warn_cert_make(&root, &c, cert, sizeof cert);
	CHECK(clen > 0);

	snprintf(w->identifier, sizeof w->identifier, "NB-2026-0042");
	snprintf(w->sender, sizeof w->sender, "fzzx@nbgaj.example");
	CHECK(warn_time_parse("2026-03-01T09:30:00+08:00", &w->sent_ms, &w->tz_min) == 0);
	w->status = WSTAT_ACTUAL;
	w->msg_type = WMSG_UPDATE;
	snprintf(w->refs[0], sizeof w->refs[0],
	    "fzzx@nbgaj.example,NB-2026-0041,2026-03-01T08:00:00+08:00");
	w->nrefs = 1;
	w->categories = 1u << WCAT_SECURITY | 1u << WCAT_SAFETY;
	snprintf(w->fraud_type, sizeof w->fraud_type, "investment");
	w->responses = 1u << WRESP_AVOID;
	w->urgency = WURG_IMMEDIATE;
	w->severity = WSEV_EXTREME;
	w->certainty = WCTN_OBSERVED;
	snprintf(w->audience[0], sizeof w->audience[0], "elderly");
	snprintf(w->audience[1], sizeof w->audience[1], "students");
	w->naudience = 2;
	w->expires_ms = w->sent_ms + 86400000;
	snprintf(w->areas[0], sizeof w->areas[0], "330281");
	snprintf(w->areas[1], sizeof w->areas[1], "330282");
	w->nareas = 2;
	w->npolygon = 4;
	w->polygon[0] = (struct warn_point){ 299000000, 1215000000 };
	w->polygon[1] = (struct warn_point){ 299100000, 1215000000 };
	w->polygon[2] = (struct warn_point){ 299100000, -1215123456 };
	w->polygon[3] = w->polygon[0];
	w->has_circle = 1;
	w->circle = (struct warn_point){ -299000001, 1215000000 };
	w->circle_radius = 25000000;	/* 2.5 km */
	w->has_target = 1;
	snprintf(w->target_area, sizeof w->target_area, "330281102");
	memset(w->target_station, 0x5a, 32);
	w->ntexts = 2;
	snprintf(w->texts[0].language, sizeof w->texts[0].language, "zh-CN");
	snprintf(w->texts[0].event, sizeof w->texts[0].event, "投资理财诈骗");
	snprintf(w->texts[0].sender_name, sizeof w->texts[0].sender_name, "宁波市反诈中心");
	snprintf(w->texts[0].headline, sizeof w->texts[0].headline, "高危预警 <勿转账> & 核实");
	snprintf(w->texts[0].description, sizeof w->texts[0].description,
	    "  第一行\n\t第二行 \"引号\" 'x' ]]> &amp;  ");
	snprintf(w->texts[0].instruction, sizeof w->texts[0].instruction, "立即拨打96110");
	snprintf(w->texts[0].area_desc, sizeof w->texts[0].area_desc, "余姚市、慈溪市");
	snprintf(w->texts[1].language, sizeof w->texts[1].language, "en");
	snprintf(w->texts[1].event, sizeof w->texts[1].event, "Investment fraud");
	snprintf(w->texts[1].headline, sizeof w->texts[1].headline, "High-risk alert");
	l1 = warn_sign(&iss, cert, clen, w, e1, WARN_ENVELOPE_MAX);
	CHECK(l1 > 0);
	CHECK(warn_verify(root.pk, w->sent_ms, e1, l1, w, NULL) == WARN_OK);

	out = cap_export(w, &olen);
	CHECK(out != NULL);
	if (out != NULL) {
		CHECK(validates(out, olen));
		CHECK(strstr(out, "<valueName>yishi:area</valueName>") != NULL);
		CHECK(strstr(out, "<circle>-29.9000001,121.5 2.5</circle>") != NULL);
		CHECK(strstr(out, "29.91,-121.5123456") != NULL);
		CHECK(strstr(out, "<sent>2026-03-01T09:30:00+08:00</sent>") != NULL);
		CHECK(import(out, olen, w2, err, sizeof err) == 0);
		CHECK(memcmp(w, w2, sizeof *w) == 0);
		/* Same warning, same key: Ed25519 gives the same envelope. */
		l2 = warn_sign(&iss, cert, clen, w2, e2, WARN_ENVELOPE_MAX);
		CHECK(l1 == l2 && memcmp(e1, e2, l1) == 0);
		free(out);
	}
	/* Invalid warnings are not exported. */
	w->nrefs = 0;
	CHECK(cap_export(w, &olen) == NULL);
	ident_wipe(&root);
	ident_wipe(&iss);
	free(w);
	free(w2);
	free(e1);
	free(e2);
}

static void
refused(const char *what, const char *xml, const char *want)
{
	struct warning	*w = calloc(1, sizeof *w);
	char		 err[512];
	int		 rv;

	loads = 0;
	rv = import(xml, strlen(xml), w, err, sizeof err);
	CHECK(rv == -1);
	CHECK(loads == 0);
	CHECK(strstr(err, want) != NULL);
	if (rv != -1 || strstr(err, want) == NULL)
		fprintf(stderr, "%s: rv %d, err '%s' (want '%s')\n", what, rv, err, want);
	CHECK(w->identifier[0] == '\0');
	free(w);
}

#define HEAD	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
#define ALERT	"<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">"
#define TOP	"<identifier>X-1</identifier><sender>a@b</sender>" \
		"<sent>2026-01-01T00:00:00+08:00</sent><status>Actual</status>"
#define INFO	"<info><category>Security</category><event>e</event><urgency>Immediate" \
		"</urgency><severity>Severe</severity><certainty>Likely</certainty>"

static void
test_hostile(void)
{
	char	 path[] = "/tmp/yishi-xxe-XXXXXX", doc[2048], err[256], *xml;
	struct warning *w = calloc(1, sizeof *w);
	size_t	 len;
	int	 fd;

	/* The sample: DOCTYPE, external entities, parameter entities, XInclude. */
	if ((xml = slurp("xee.cap", &len)) != NULL) {
		loads = 0;
		CHECK(import(xml, len, w, err, sizeof err) == -1);
		CHECK(strstr(err, "DOCTYPE") != NULL);
		CHECK(loads == 0);
		free(xml);
	}
	/* A file entity we control: refused, never read (its marker shows nowhere). */
	if ((fd = mkstemp(path)) >= 0) {
		CHECK(write(fd, "SECRET-MARKER", 13) == 13);
		close(fd);
		snprintf(doc, sizeof doc, HEAD "<!DOCTYPE alert [<!ENTITY x SYSTEM \"file://%s\">]>"
		    ALERT "<identifier>&x;</identifier><sender>a@b</sender></alert>", path);
		loads = 0;
		CHECK(import(doc, strlen(doc), w, err, sizeof err) == -1);
		CHECK(loads == 0 && strstr(err, "SECRET") == NULL);
		CHECK(strstr(w->identifier, "SECRET") == NULL);
		unlink(path);
	}
	refused("plain doctype", HEAD "<!DOCTYPE alert>" ALERT TOP
	    "<msgType>Alert</msgType><scope>Public</scope></alert>", "DOCTYPE");
	refused("public doctype", HEAD "<!DOCTYPE alert PUBLIC \"-//A//EN\" \"cap.dtd\">"
	    ALERT TOP "<msgType>Alert</msgType><scope>Public</scope></alert>", "DOCTYPE");
	refused("laughs", HEAD "<!DOCTYPE a [<!ENTITY a \"aaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;"
	    "&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;\">]>" ALERT
	    "<identifier>&c;</identifier></alert>", "DOCTYPE");
	refused("undeclared entity", HEAD ALERT "<identifier>&x;</identifier></alert>",
	    "not well-formed");
	refused("xinclude", HEAD ALERT TOP "<msgType>Alert</msgType><scope>Public</scope>"
	    "<xi:include xmlns:xi=\"http://www.w3.org/2001/XInclude\" href=\"/etc/passwd\" "
	    "parse=\"text\"/></alert>", "outside CAP");
	refused("truncated", HEAD ALERT TOP, "not well-formed");
	refused("empty", " ", "not well-formed");
	refused("cap 1.1", HEAD "<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.1\">" TOP
	    "</alert>", "not a CAP 1.2 alert");
	refused("status case", HEAD ALERT "<identifier>X-1</identifier><sender>a@b</sender>"
	    "<sent>2026-01-01T00:00:00+08:00</sent><status>actual</status></alert>",
	    "unknown value");
	refused("ack", HEAD ALERT TOP "<msgType>Ack</msgType><scope>Public</scope></alert>",
	    "not a warning");
	refused("private", HEAD ALERT TOP "<msgType>Alert</msgType><scope>Private</scope>"
	    "</alert>", "Public");
	refused("missing scope", HEAD ALERT TOP "<msgType>Alert</msgType></alert>",
	    "needs identifier");
	refused("two identifiers", HEAD ALERT TOP "<identifier>Y</identifier></alert>",
	    "twice");
	refused("unknown element", HEAD ALERT TOP "<msgType>Alert</msgType><scope>Public"
	    "</scope><bogus/></alert>", "unknown element");
	refused("update without refs", HEAD ALERT TOP "<msgType>Update</msgType><scope>Public"
	    "</scope>" INFO "</info></alert>", "rule of Yishi warnings");
	refused("bad time", HEAD ALERT "<identifier>X-1</identifier><sender>a@b</sender>"
	    "<sent>2026-01-01T00:00:00Z</sent></alert>", "not a CAP time");
	refused("infos differ", HEAD ALERT TOP "<msgType>Alert</msgType><scope>Public</scope>"
	    INFO "</info><info><category>Security</category><event>e</event><urgency>Expected"
	    "</urgency><severity>Severe</severity><certainty>Likely</certainty></info></alert>",
	    "differ");
	refused("two polygons", HEAD ALERT TOP "<msgType>Alert</msgType><scope>Public</scope>"
	    INFO "<area><areaDesc>x</areaDesc><polygon>1,1 1,2 2,2 1,1</polygon>"
	    "<polygon>1,1 1,2 2,2 1,1</polygon></area></info></alert>", "twice");
	refused("open polygon", HEAD ALERT TOP "<msgType>Alert</msgType><scope>Public</scope>"
	    INFO "<area><areaDesc>x</areaDesc><polygon>1,1 1,2 2,2 1,3</polygon></area></info>"
	    "</alert>", "first equal to the last");
	refused("latitude", HEAD ALERT TOP "<msgType>Alert</msgType><scope>Public</scope>"
	    INFO "<area><areaDesc>x</areaDesc><circle>91,1 1</circle></area></info></alert>",
	    "circle");
	refused("info without urgency", HEAD ALERT TOP "<msgType>Alert</msgType><scope>Public"
	    "</scope><info><category>Geo</category><event>e</event></info></alert>",
	    "needs category");
	refused("bad yishi area", HEAD ALERT TOP "<msgType>Alert</msgType><scope>Public</scope>"
	    INFO "<area><areaDesc>x</areaDesc><geocode><valueName>yishi:area</valueName>"
	    "<value>33a</value></geocode></area></info></alert>", "yishi:area");
	refused("nested markup", HEAD ALERT "<identifier>X<b/>1</identifier></alert>",
	    "only text");
	free(w);
}

int
main(void)
{
	xmlSchemaParserCtxtPtr	pc;
	char			xsd[4200];

	if (crypto_init() != 0)
		return 1;
	find_datadir();
	snprintf(xsd, sizeof xsd, "%s/cap12.xsd", datadir);
	if ((pc = xmlSchemaNewParserCtxt(xsd)) == NULL ||
	    (schema = xmlSchemaParse(pc)) == NULL) {
		fprintf(stderr, "test_cap: cannot load %s\n", xsd);
		return 1;
	}
	xmlSchemaFreeParserCtxt(pc);
	test_samples();
	test_native();
	test_hostile();
	xmlSchemaFree(schema);
	xmlCleanupParser();
	return check_done("test_cap");
}
