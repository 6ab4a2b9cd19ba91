/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rf_cidr_vip.h — prefix VIPs (builds with -DRF_CIDR_VIP): cidr_vips, an LPM trie keyed by
 * (port, protocol, family, address prefix), answers when vip_map has no exact VIP. Lookup order:
 *   vip_map (address, port) -> cidr_vips (port) -> vip_map (address, 0) -> cidr_vips (0)
 * The first hit decides; none: the packet is not for a VIP. A prefix VIP shares vip_num, rings,
 * flags and counters with the exact VIPs. As for a port-0 VIP, a packet matched after the first
 * miss is hashed and remembered with destination port 0 (unless HASH_DPORT_ONLY or
 * HASH_SRC_DST_PORT). Both families (Katran's prefix VIPs are IPv6 only).
 */
#ifndef RF_CIDR_VIP_H
#define RF_CIDR_VIP_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "rf_abi.h"
#include "rf_consts.h"
#include "rf_maps.h"

/* The longest prefix VIP holding the key's address, port and protocol, or NULL. */
static __always_inline struct rf_vip_meta *rf_cidr_vip_lookup(const struct rf_vip_key *vip_key)
{
	struct rf_cidr_vip_key key = {};

	key.prefixlen = RF_CIDR_KEY_FIXED_BITS +
			(vip_key->family == RF_FAMILY_V6 ? RF_V6_ADDR_BITS : RF_V4_ADDR_BITS);
	key.port = vip_key->port;
	key.proto = vip_key->proto;
	key.family = vip_key->family;
	key.addr = vip_key->addr;
	return bpf_map_lookup_elem(&cidr_vips, &key);
}

#endif /* RF_CIDR_VIP_H */
