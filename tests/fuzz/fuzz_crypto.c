/*
 * fuzz_crypto.c: the strict decoders in proto/crypto.c on arbitrary bytes.
 *
 * Every input goes to msg_hdr_decode, body_decode and cert_role_verify. A header
 * that decodes must re-encode to exactly the input (one header, one encoding), and
 * a certificate that verifies must name the fixed node and carry bounded strings.
 * The node key comes from the seed 0x20..0x3f, the same node as the unit test's
 * vectors, so the seed certificate in the corpus verifies.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "proto/crypto.h"

#define TEXT_MAX	4096

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static uint8_t	node_pk[YISHI_PK_BYTES];

static void
fuzz_init(void)
{
	uint8_t	seed[crypto_sign_SEEDBYTES], sk[crypto_sign_SECRETKEYBYTES];
	size_t	i;

	if (crypto_init() != 0)
		abort();
	for (i = 0; i < sizeof(seed); i++)
		seed[i] = (uint8_t)(0x20 + i);
	crypto_sign_seed_keypair(node_pk, sk, seed);
	sodium_memzero(sk, sizeof(sk));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int		 ready;
	struct msg_hdr		 h;
	struct role_cert	 rc;
	uint8_t			 re[YISHI_HDR_MAX];
	char			 text[TEXT_MAX + 1];
	size_t			 n;

	if (!ready) {
		fuzz_init();
		ready = 1;
	}

	if (msg_hdr_decode(data, size, &h) == 0) {
		n = msg_hdr_encode(&h, re);
		if (n != size || memcmp(re, data, size) != 0)
			abort();
	}

	if (body_decode(data, size, text, sizeof(text)) == 0) {
		if (strlen(text) >= sizeof(text))
			abort();
	}

	if (cert_role_verify(node_pk, data, size, &rc) == 0) {
		if (memcmp(rc.node, node_pk, sizeof(node_pk)) != 0 ||
		    strlen(rc.name) == 0 || strlen(rc.name) >= sizeof(rc.name) ||
		    strlen(rc.role) == 0 || strlen(rc.role) > YISHI_ROLE_MAX)
			abort();
	}
	return (0);
}
