/*
 * fuzz_warn.c: the certificate, warning and envelope decoders. Whatever decodes
 * must re-encode to the same bytes (one certificate or warning, one byte string);
 * a warning body that decodes is signed with a fixed issuer and must then verify
 * or be refused for a reason other than its encoding or signature.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "proto/crypto.h"
#include "proto/warn.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct ident	root, issuer;
static uint8_t		cert[WARN_CERT_MAX];
static size_t		certlen;

static void
fuzz_init(void)
{
	struct warn_cert c;

	if (crypto_init() != 0 || ident_new(&root) != 0 || ident_new(&issuer) != 0)
		abort();
	memset(&c, 0, sizeof c);
	c.kind = WCK_ISSUER;
	memcpy(c.pk, issuer.pk, YISHI_PK_BYTES);
	memcpy(c.name, "fuzz", 5);
	memcpy(c.areas[0], "11", 3);
	memcpy(c.areas[1], "3302", 5);
	c.nareas = 2;
	c.not_before = 0;
	c.not_after = UINT64_MAX;
	if ((certlen = warn_cert_make(&root, &c, cert, sizeof cert)) == 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int		 ready;
	static struct warning	 w, back, again;
	static uint8_t		 re[WARN_ENVELOPE_MAX], re2[WARN_ENVELOPE_MAX];
	struct warn_cert	 c;
	size_t			 len;
	int			 rv;

	if (!ready) {
		fuzz_init();
		ready = 1;
	}
	if (warn_cert_decode(data, size, &c) == WARN_OK) {
		if (warn_cert_verify(root.pk, c.kind, 1, data, size, &c) == WARN_OK &&
		    memcmp(data, cert, certlen) != 0)
			abort();	/* only our one certificate is signed by root */
		len = warn_cert_make(&root, &c, re, sizeof re);
		if (len != size || warn_cert_decode(re, len, &c) != WARN_OK)
			abort();	/* same body, so the same length */
	}
	if (warn_decode(data, size, &w) == 0) {
		len = warn_encode(&w, re, sizeof re);
		if (len != size || memcmp(re, data, size) != 0)
			abort();
		if ((len = warn_sign(&issuer, cert, certlen, &w, re, sizeof re)) == 0)
			abort();
		rv = warn_verify(root.pk, w.sent_ms, re, len, &back, &c);
		if (rv == WARN_EENCODING || rv == WARN_ESIGNATURE || rv == WARN_EUNCERTIFIED ||
		    rv == WARN_EKIND)
			abort();
		if (rv == WARN_OK && memcmp(back.issuer, issuer.pk, YISHI_PK_BYTES) != 0)
			abort();
		/* A node reads its stored envelopes back without the checks: same warning. */
		if ((rv == WARN_OK || rv == WARN_EEXPIRED) &&
		    (warn_env_body(re, len, &again) != 0 ||
		    (len = warn_encode(&back, re, sizeof re)) == 0 ||
		    warn_encode(&again, re2, sizeof re2) != len || memcmp(re, re2, len) != 0))
			abort();
	}
	/* Whatever the bytes, the unchecked reading of an envelope must not crash. */
	(void)warn_env_body(data, size, &again);
	rv = warn_verify(root.pk, 1, data, size, &back, &c);
	if (rv == WARN_OK || rv == WARN_EEXPIRED) {
		/* Only an envelope carrying our certificate and signed by issuer gets here. */
		if (memcmp(back.issuer, issuer.pk, YISHI_PK_BYTES) != 0)
			abort();
	}
	return 0;
}
