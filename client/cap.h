/*
 * cap.h: OASIS Common Alerting Protocol 1.2 XML to and from struct warning.
 *
 * Parsing is libxml2's, hardened: no network (XML_PARSE_NONET), no entity
 * substitution, no DTD loading or default attributes, no XInclude, and any
 * document with a DOCTYPE is refused the moment the parser meets it, before its
 * internal subset is read, so no external entity is ever resolved.
 *
 * Mapping (docs/warnings.md has the table). CAP fields Yishi keeps: every alert
 * field but restriction, addresses, note and incidents; every info field but
 * resource; area: areaDesc, one polygon, one circle, geocodes. Yishi fields ride
 * in CAP as: areas = geocode "yishi:area"; fraud type = eventCode "yishi:fraud-type";
 * target = parameters "yishi:target-area" and "yishi:target-station" (hex); issuer
 * key = parameter "yishi:issuer" (hex). Several <info> blocks become the texts of
 * one warning; they must agree on everything but their words (language, event,
 * senderName, headline, description, instruction, web, contact, areaDesc).
 * ds:Signature (an XML signature, as IPAWS sends) is ignored on import.
 * Only scope Public is accepted (warnings are public) and exported.
 */
#ifndef YISHI_CLIENT_CAP_H
#define YISHI_CLIENT_CAP_H

#include <stddef.h>

#include "proto/warn.h"

#define CAP_NS		"urn:oasis:names:tc:emergency:cap:1.2"
#define CAP_MAX_BYTES	(1024 * 1024)	/* largest document cap_import reads */

/*
 * Import a CAP 1.2 document of len bytes into *w (the caller's; the issuer stays
 * zero unless the document names one). Returns 0, or -1 with a one-line reason in
 * err (errlen bytes). Never reads a file or the network.
 */
int	 cap_import(const void *xml, size_t len, struct warning *w, char *err, size_t errlen)
	    __attribute__((warn_unused_result));

/*
 * Export w as a CAP 1.2 document (UTF-8, valid against the CAP 1.2 schema). Returns
 * a NUL-terminated buffer the caller frees with free(), its length in *len, or
 * NULL if w is not a valid warning or memory runs out.
 */
char	*cap_export(const struct warning *w, size_t *len);

#endif
