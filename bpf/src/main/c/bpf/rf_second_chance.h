/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rf_second_chance.h — the balancer's side of second-chance forwarding (builds with
 * -DRF_SECOND_CHANCE): when a TCP segment that is not a SYN finds no connection-table entry (or its
 * VIP does not use the table) and its ring slot names another real in ch_rings_prev than in
 * ch_rings, the flow may have begun before the ring changed, on another LB: it goes to the current
 * real in a second-chance GUE frame (rf_sc.h) naming the previous real, whose ringfleet-backend
 * sends it on if it has no socket of the flow. Such flows are not written to the connection table
 * (each packet gets its second chance). SYNs, unchanged slots and slots without history
 * (ch_rings_prev 0) go as in every other build.
 */
#ifndef RF_SECOND_CHANCE_H
#define RF_SECOND_CHANCE_H

#include <linux/bpf.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include "rf_abi.h"
#include "rf_consts.h"
#include "rf_maps.h"
#include "rf_parse.h"
#include "rf_sc.h"

/* Fills `sc` and returns 1 when the packet gets a second chance: see above. `slot_key` is the
 * ring key the current real came from, `real_index` that real. */
static __always_inline int rf_sc_second(const struct rf_pkt *pkt, __u32 slot_key, __u32 real_index,
					struct rf_sc_hdr *sc)
{
	__u32 *prev_index;
	struct rf_real *prev;

	if (pkt->flow.proto != IPPROTO_TCP || (pkt->flags & (RF_PKT_SYN | RF_PKT_ICMP_ERR)))
		return 0;
	prev_index = bpf_map_lookup_elem(&ch_rings_prev, &slot_key);
	if (!prev_index || !*prev_index || *prev_index == real_index)
		return 0;
	prev = bpf_map_lookup_elem(&reals, prev_index);
	if (!prev || !(prev->addr.v6[0] | prev->addr.v6[1] | prev->addr.v6[2] | prev->addr.v6[3]))
		return 0; /* the previous real is gone: nobody to ask */
	sc->ver_hlen = RF_SC_GUE_VER_HLEN;
	sc->proto = pkt->family == RF_FAMILY_V6 ? IPPROTO_IPV6 : IPPROTO_IPIP;
	sc->flags = 0;
	sc->kind = RF_SC_KIND;
	sc->family = (prev->flags & RF_REAL_F_V6) ? RF_FAMILY_V6 : RF_FAMILY_V4;
	sc->reserved[0] = 0;
	sc->reserved[1] = 0;
	sc->second = prev->addr;
	return 1;
}

#endif /* RF_SECOND_CHANCE_H */
