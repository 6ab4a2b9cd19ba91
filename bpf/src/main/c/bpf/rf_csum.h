/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rf_csum.h — Internet checksum helpers (RFC 1071 / RFC 1624). Sums are kept in 32 bits over
 * 16-bit words as they lie in memory; folding and complementing work in either byte order.
 */
#ifndef RF_CSUM_H
#define RF_CSUM_H

#include <linux/types.h>
#include <linux/ip.h>
#include "rf_consts.h"

/* Folds a 32-bit one's-complement sum to 16 bits (two folds absorb every carry). */
static __always_inline __u16 rf_csum_fold(__u32 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)sum;
}

/* Checksum of an option-less IPv4 header whose check field is zero. */
static __always_inline __u16 rf_ipv4_hdr_csum(const struct iphdr *iph)
{
	const __u16 *words = (const __u16 *)iph;
	__u32 sum = 0;

#pragma unroll
	for (int i = 0; i < RF_IPV4_HDR_LEN / 2; i++)
		sum += words[i];
	return (__u16)~rf_csum_fold(sum);
}

/*
 * Updates a checksum after one 16-bit word of the covered data changed from `old_word` to
 * `new_word` (all in memory order): C' = C + old - new in one's-complement arithmetic (RFC 1624),
 * done as a 16-bit add with end-around carry or a 16-bit subtract with end-around borrow. Unlike
 * C + old + ~new, this never turns a result of zero into 0xffff: where a plain 16-bit edit of the
 * field neither carries nor borrows, the bytes are the ones that edit gives (Katran's, whose
 * in-place edits drop the carry or borrow; where it would, ours folds it back in).
 */
static __always_inline __u16 rf_csum_replace(__u16 csum, __u16 old_word, __u16 new_word)
{
	__u32 sum;
	__u16 diff;

	if (old_word >= new_word) {
		sum = (__u32)csum + (__u16)(old_word - new_word);
		return (__u16)(sum + (sum >> 16));
	}
	diff = new_word - old_word;
	if (csum >= diff)
		return csum - diff;
	return (__u16)(csum - diff - 1);
}

/* Sum of the 16-bit words of a 16-byte address (for pseudo-headers). */
static __always_inline __u32 rf_csum_v6_addr(const __u32 addr[4])
{
	__u32 sum = 0;

#pragma unroll
	for (int i = 0; i < 4; i++)
		sum += (addr[i] & 0xffff) + (addr[i] >> 16);
	return sum;
}

#endif /* RF_CSUM_H */
