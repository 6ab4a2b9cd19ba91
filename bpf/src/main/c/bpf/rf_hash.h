/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rf_hash.h — Bob Jenkins' lookup3 hash in the Linux kernel's jhash flavour, only the two shapes
 * the flow hash needs: 2 words, and 16 bytes (4 words). Words are loaded in CPU order from the
 * wire bytes, exactly as the kernel's jhash does on a little-endian machine.
 */
#ifndef RF_HASH_H
#define RF_HASH_H

#include <linux/types.h>
#include "rf_consts.h"

/* lookup3's arbitrary start value. */
#define RF_JHASH_INITVAL 0xdeadbeefu
/* Byte length folded into the start value of jhash_2words (2 words). */
#define RF_JHASH_2WORDS_LEN 8u
/* Byte length of an IPv6 address. */
#define RF_JHASH_V6_LEN 16u

static __always_inline __u32 rf_rol32(__u32 word, unsigned int shift)
{
	return (word << shift) | (word >> (32 - shift));
}

/* lookup3 mix(): reversibly mixes three words. */
static __always_inline void rf_jhash_mix(__u32 *a, __u32 *b, __u32 *c)
{
	*a -= *c; *a ^= rf_rol32(*c, 4);  *c += *b;
	*b -= *a; *b ^= rf_rol32(*a, 6);  *a += *c;
	*c -= *b; *c ^= rf_rol32(*b, 8);  *b += *a;
	*a -= *c; *a ^= rf_rol32(*c, 16); *c += *b;
	*b -= *a; *b ^= rf_rol32(*a, 19); *a += *c;
	*c -= *b; *c ^= rf_rol32(*b, 4);  *b += *a;
}

/* lookup3 final(): final mixing of three words into c. */
static __always_inline __u32 rf_jhash_final(__u32 a, __u32 b, __u32 c)
{
	c ^= b; c -= rf_rol32(b, 14);
	a ^= c; a -= rf_rol32(c, 11);
	b ^= a; b -= rf_rol32(a, 25);
	c ^= b; c -= rf_rol32(b, 16);
	a ^= c; a -= rf_rol32(c, 4);
	b ^= a; b -= rf_rol32(a, 14);
	c ^= b; c -= rf_rol32(b, 24);
	return c;
}

/* The kernel's jhash_2words(a, b, initval). */
static __always_inline __u32 rf_jhash_2words(__u32 a, __u32 b, __u32 initval)
{
	__u32 start = RF_JHASH_INITVAL + RF_JHASH_2WORDS_LEN + initval;

	return rf_jhash_final(a + start, b + start, start);
}

/* The kernel's jhash(key, 16, initval) of an IPv6 address given as 4 words. */
static __always_inline __u32 rf_jhash_v6(const __u32 w[4], __u32 initval)
{
	__u32 a, b, c;

	a = b = c = RF_JHASH_INITVAL + RF_JHASH_V6_LEN + initval;
	a += w[0];
	b += w[1];
	c += w[2];
	rf_jhash_mix(&a, &b, &c);
	a += w[3];
	return rf_jhash_final(a, b, c);
}

#endif /* RF_HASH_H */
