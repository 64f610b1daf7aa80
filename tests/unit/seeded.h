/*
 * seeded.h: the known-answer identities of the tests and of docs/protocol.md's
 * examples. ident_seeded(id, base) makes the identity whose Ed25519 seed is the 32
 * bytes base, base+1, ..., base+31; 0, or -1 if it cannot. With check.h included
 * first, seeded(id, base) does the same and counts a failure instead of returning it.
 */
#ifndef YISHI_SEEDED_H
#define YISHI_SEEDED_H

#include <sodium.h>

#include "proto/crypto.h"

static inline int
ident_seeded(struct ident *id, uint8_t base)
{
	uint8_t seed[32], sk[64], pk[32];
	int i, rc;

	for (i = 0; i < 32; i++)
		seed[i] = (uint8_t)(base + i);
	crypto_sign_seed_keypair(pk, sk, seed);
	rc = ident_from_sk(id, sk);
	sodium_memzero(sk, sizeof sk);
	return rc;
}

#ifdef YISHI_CHECK_H
static inline void
seeded(struct ident *id, uint8_t base)
{
	if (ident_seeded(id, base) != 0)
		check_fail++;
}
#endif

#endif
