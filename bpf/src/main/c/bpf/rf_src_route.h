/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rf_src_route.h — source-prefix routing (builds with -DRF_LPM_SRC_ROUTING): for VIPs with
 * RF_VIP_F_SRC_ROUTING, a flow the connection table does not know (or a SYN) goes to the real
 * that src_routes, an LPM trie of client prefixes, gives the longest prefix holding its source
 * address; without a match it is hashed onto the ring as usual. Either way the connection table
 * is then written as usual. While the new-connection rate limit is spent (the connection table
 * takes no more entries, rf_conn.h) the trie is not consulted and the ring decides.
 */
#ifndef RF_SRC_ROUTE_H
#define RF_SRC_ROUTE_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "rf_abi.h"
#include "rf_consts.h"
#include "rf_maps.h"

/* The real index of the longest source prefix holding `src`, or 0. */
static __always_inline __u32 rf_src_route_lookup(const union rf_addr *src, __u8 family)
{
	struct rf_src_route_key key = {};
	__u32 *real_index;

	key.prefixlen = RF_SRC_ROUTE_KEY_FIXED_BITS +
			(family == RF_FAMILY_V6 ? RF_V6_ADDR_BITS : RF_V4_ADDR_BITS);
	key.family = family;
	key.addr = *src;
	real_index = bpf_map_lookup_elem(&src_routes, &key);
	return real_index ? *real_index : 0;
}

#endif /* RF_SRC_ROUTE_H */
