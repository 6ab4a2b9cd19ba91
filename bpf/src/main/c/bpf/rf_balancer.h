/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rf_balancer.h — from a parsed packet to a verdict: VIP lookup, real selection (QUIC server id,
 * connection table, consistent-hash ring), counters, encapsulation.
 *
 * VIP flags (rf_abi.h) change the flow before it is remembered and hashed:
 *  - matched through the VIP's port-0 entry: destination port 0 (unless DPORT_ONLY/SRC_DST_PORT);
 *  - HASH_NO_SRC_PORT: source port 0;
 *  - HASH_DPORT_ONLY: source address 0 and source port = destination port; such flows depend on
 *    the destination port alone, so the connection table is not used for them;
 *  - LRU_BYPASS: the connection table is not used;
 *  - QUIC: UDP is routed by the server id in the connection id when it maps to a real;
 *  - UDP_STABLE_ROUTING: UDP is routed by the server id of a stable-routing header when it maps
 *    to a real; such packets neither read nor write the connection table;
 *  - UDP_FLOW_MIGRATION: a remembered UDP flow whose real is in down_reals is hashed again.
 * The IPIP outer header always derives from the packet's own source port; GUE's source port
 * from the source port as hashed before a DPORT_ONLY rewrite (0 with HASH_NO_SRC_PORT).
 * Builds with RF_TCP_SERVER_ID_ROUTING route a non-SYN TCP packet by the server id of its TCP
 * option when it maps to a real, ahead of the connection table, and remember that real for the flow.
 * Encapsulation: IPIP / IP6IP6 (rf_encap.h), or GUE when built with RF_GUE_ENCAP (rf_gue.h).
 * Builds with RF_CIDR_VIP also match prefix VIPs when the exact lookup misses (rf_cidr_vip.h).
 * Builds with RF_LPM_SRC_ROUTING route new flows of SRC_ROUTING VIPs by source prefix (rf_src_route.h).
 * Builds with RF_SECOND_CHANCE send a TCP segment whose slot changed since the previous ring, and
 * which the connection table does not know, with a second chance (rf_second_chance.h).
 * Builds with RF_INLINE_DECAP_GUE settle GUE packets (UDP to the GUE port) before any VIP lookup:
 * decapsulated or passed (rf_gue_decap.h), never balanced.
 */
#ifndef RF_BALANCER_H
#define RF_BALANCER_H

#include <linux/bpf.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include "rf_abi.h"
#include "rf_consts.h"
#include "rf_maps.h"
#include "rf_parse.h"
#include "rf_hash.h"
#include "rf_stats.h"
#include "rf_conn.h"
#include "rf_quic.h"
#include "rf_server_id.h"
#include "rf_encap.h"
#if defined(RF_GUE_ENCAP) || defined(RF_SECOND_CHANCE)
#include "rf_gue.h"
#endif
#ifdef RF_SECOND_CHANCE
#include "rf_second_chance.h"
#endif
#include "rf_icmp.h"
#ifdef RF_INLINE_DECAP_GUE
#include "rf_gue_decap.h"
#endif
#ifdef RF_CIDR_VIP
#include "rf_cidr_vip.h"
#endif
#ifdef RF_LPM_SRC_ROUTING
#include "rf_src_route.h"
#endif

/* A reals entry is a real when its address is set (the array starts zero-filled). */
static __always_inline struct rf_real *rf_real_get(__u32 real_index)
{
	struct rf_real *real = bpf_map_lookup_elem(&reals, &real_index);

	if (!real)
		return NULL;
	if (!(real->addr.v6[0] | real->addr.v6[1] | real->addr.v6[2] | real->addr.v6[3]))
		return NULL;
	return real;
}

/* Is the destination address one that hosts a VIP? */
static __always_inline int rf_is_vip_addr(const struct rf_pkt *pkt)
{
	struct rf_vip_key key = {};

	key.addr = pkt->flow.dst;
	key.family = pkt->family;
	return bpf_map_lookup_elem(&vip_addrs, &key) != NULL;
}

/* Katran's flow hash: jhash_2words(source, ports) with the IPv6 source folded first. */
static __always_inline __u32 rf_flow_hash(const struct rf_pkt *pkt)
{
	__u32 ports, src;

	__builtin_memcpy(&ports, &pkt->flow.sport, sizeof(ports)); /* sport, dport: adjacent */
	if (pkt->family == RF_FAMILY_V6)
		src = rf_jhash_v6(pkt->flow.src.v6, RF_V6_SRC_HASH_SEED);
	else
		src = pkt->flow.src.v4;
	return rf_jhash_2words(src, ports, RF_FLOW_HASH_SEED);
}

/* The real of the flow's slot in the VIP's ring; 0 (counted as a CH drop) if there is none.
 * `*slot_key` is set to the slot's key in ch_rings. */
static __always_inline __u32 rf_ring_pick(const struct rf_pkt *pkt, __u32 vip_num, __u32 *slot_key)
{
	__u32 key = vip_num * RF_RING_SIZE + rf_flow_hash(pkt) % RF_RING_SIZE;
	__u32 *slot = bpf_map_lookup_elem(&ch_rings, &key);

	*slot_key = key;

	if (slot && *slot)
		return *slot;
	rf_count_event(RF_GC_CH_DROP);
	return 0;
}

static __always_inline int rf_real_is_down(__u32 vip_num, __u32 real_index)
{
	struct rf_down_real_key key = { .vip_num = vip_num, .real_index = real_index };
	__u8 *down = bpf_map_lookup_elem(&down_reals, &key);

	return down && *down;
}

/* QUIC: the real named by the packet's server id, or 0 (then the flow is hashed as usual). */
static __always_inline __u32 rf_quic_pick(struct xdp_md *ctx, const struct rf_pkt *pkt)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;

	return rf_server_id_real(rf_quic_server_id(data, data_end, pkt->family));
}

/* UDP stable routing: the real named by the payload's stable-routing header, or 0. */
static __always_inline __u32 rf_usr_pick(struct xdp_md *ctx, const struct rf_pkt *pkt)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;

	return rf_server_id_real(rf_usr_server_id(data, data_end, pkt->family));
}

#ifdef RF_TCP_SERVER_ID_ROUTING
/* TCP server-id routing: the real named by the packet's server-id option, or 0. */
static __always_inline __u32 rf_tpr_pick(struct xdp_md *ctx, const struct rf_pkt *pkt)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;

	return rf_server_id_real(rf_tpr_server_id(data, data_end, pkt->family));
}
#endif

#ifdef RF_LPM_SRC_ROUTING
/* Source-prefix routing: the real of the client's longest source prefix, or 0 (the ring decides):
 * not a SRC_ROUTING VIP, no prefix, a zeroed real, or the new-connection budget is spent.
 * `client` is the source as received (HASH_DPORT_ONLY has zeroed the flow's by now); on a hit the
 * flow gets it back, so GUE's source port derives from it (Katran's bytes). */
static __always_inline __u32 rf_src_route_pick(struct rf_pkt *pkt, __u32 vip_flags, const union rf_addr *client,
					       __u64 *now)
{
	__u32 real_index;

	if (!(vip_flags & RF_VIP_F_SRC_ROUTING) || rf_conn_rate_spent(rf_now(now)))
		return 0;
	real_index = rf_src_route_lookup(client, pkt->family);
	if (!real_index || !rf_real_get(real_index))
		return 0;
	pkt->flow.src = *client;
	return real_index;
}
#endif

#ifdef RF_ICMP_TOO_BIG_GEN
static __always_inline int rf_oversize(struct xdp_md *ctx, const struct rf_pkt *pkt)
{
	rf_count_event(RF_GC_OVERSIZE);
	if (pkt->flags & RF_PKT_ICMP_ERR) /* never an ICMP error about an ICMP error */
		return XDP_DROP;
	rf_count_by_family(RF_GC_ICMP_TOO_BIG, pkt->family);
	if (pkt->family == RF_FAMILY_V6)
		return rf_icmp6_too_big(ctx, pkt->frame_len);
	return rf_icmp4_too_big(ctx, pkt->frame_len);
}
#else
static __always_inline int rf_oversize(struct xdp_md *ctx, const struct rf_pkt *pkt)
{
	rf_count_event(RF_GC_OVERSIZE);
	return XDP_DROP;
}
#endif

/* Balances a parsed packet (RF_CONTINUE) to a real of its VIP. */
static __always_inline int rf_balance(struct xdp_md *ctx, struct rf_pkt *pkt)
{
	struct rf_vip_key vip_key = {};
	struct rf_vip_meta *vip;
	struct rf_conn_table table = {};
	struct rf_real *real = NULL;
	struct rf_ctl *gateway;
	__u32 ctl_key = RF_CTL_GATEWAY_MAC;
	__u32 vip_num, vip_flags, real_index = 0;
	__be16 sport = pkt->flow.sport; /* the outer header's seed, whatever the VIP flags do */
	__u64 now = 0;
	__u32 slot_key = 0;
	int use_table, ret, second_chance = 0;
#ifdef RF_SECOND_CHANCE
	struct rf_sc_hdr sc = {};
#endif
#ifdef RF_LPM_SRC_ROUTING
	union rf_addr client = pkt->flow.src; /* before HASH_DPORT_ONLY zeroes it */
#endif

	vip_key.addr = pkt->flow.dst;
	vip_key.port = pkt->flow.dport;
	vip_key.proto = pkt->flow.proto;
	vip_key.family = pkt->family;
	vip = bpf_map_lookup_elem(&vip_map, &vip_key);
	if (!vip) {
#ifdef RF_CIDR_VIP
		vip = rf_cidr_vip_lookup(&vip_key);
		if (!vip) {
			vip_key.port = 0;
			vip = bpf_map_lookup_elem(&vip_map, &vip_key);
			if (!vip)
				vip = rf_cidr_vip_lookup(&vip_key);
		}
#else
		vip_key.port = 0;
		vip = bpf_map_lookup_elem(&vip_map, &vip_key);
#endif
		if (!vip)
			return XDP_PASS;
		if (!(vip->flags & (RF_VIP_F_HASH_DPORT_ONLY | RF_VIP_F_HASH_SRC_DST_PORT)))
			pkt->flow.dport = 0;
	}
	vip_num = vip->vip_num;
	vip_flags = vip->flags;
	rf_count(&vip_stats, vip_num, pkt->frame_len);

	if (pkt->frame_len > RF_MAX_PACKET_SIZE)
		return rf_oversize(ctx, pkt);

	use_table = !(vip_flags & (RF_VIP_F_LRU_BYPASS | RF_VIP_F_HASH_DPORT_ONLY));
	if (use_table)
		rf_conn_table_get(&table);

	/* QUIC: the server id, when it names a real, wins and is remembered for the flow */
	if ((vip_flags & RF_VIP_F_QUIC) && pkt->flow.proto == IPPROTO_UDP &&
	    !(pkt->flags & RF_PKT_ICMP_ERR)) {
		real_index = rf_quic_pick(ctx, pkt);
		real = real_index ? rf_real_get(real_index) : NULL;
		if (real) {
			rf_count_event(RF_GC_QUIC_ROUTED);
			if (use_table)
				rf_conn_set(&table, pkt, real_index, &now);
		} else {
			rf_count_event(RF_GC_QUIC_FALLBACK);
		}
	}

	/* UDP stable routing: the header's server id, when it names a real, decides alone */
	if (!real && (vip_flags & RF_VIP_F_UDP_STABLE_ROUTING) && pkt->flow.proto == IPPROTO_UDP &&
	    !(pkt->flags & RF_PKT_ICMP_ERR)) {
		real_index = rf_usr_pick(ctx, pkt);
		real = real_index ? rf_real_get(real_index) : NULL;
	}

#ifdef RF_TCP_SERVER_ID_ROUTING
	/* TCP server id: wins over the connection table and is remembered for the flow; not on SYNs */
	if (!real && pkt->flow.proto == IPPROTO_TCP && !(pkt->flags & (RF_PKT_SYN | RF_PKT_ICMP_ERR))) {
		real_index = rf_tpr_pick(ctx, pkt);
		real = real_index ? rf_real_get(real_index) : NULL;
		if (real && use_table)
			rf_conn_set(&table, pkt, real_index, &now);
	}
#endif

	if (!real) {
		if (vip_flags & RF_VIP_F_HASH_NO_SRC_PORT)
			pkt->flow.sport = 0;
		if (vip_flags & RF_VIP_F_HASH_DPORT_ONLY) {
			__builtin_memset(&pkt->flow.src, 0, sizeof(pkt->flow.src));
			pkt->flow.sport = pkt->flow.dport;
		}
		/* the connection table: not for SYNs (always a new connection) */
		if (use_table && !(pkt->flags & RF_PKT_SYN)) {
			real_index = rf_conn_lookup(&table, pkt, &now);
			if (real_index && pkt->flow.proto == IPPROTO_UDP &&
			    (vip_flags & RF_VIP_F_UDP_FLOW_MIGRATION) && rf_real_is_down(vip_num, real_index)) {
				rf_count_event(RF_GC_UDP_FLOW_MIGRATED);
				real_index = 0;
			}
			real = real_index ? rf_real_get(real_index) : NULL;
			if (real)
				rf_count_event(table.fallback ? RF_GC_FALLBACK_HIT : RF_GC_LRU_HIT);
		}
		if (!real) {
			if (use_table)
				rf_conn_count_miss(pkt);
#ifdef RF_LPM_SRC_ROUTING
			real_index = rf_src_route_pick(pkt, vip_flags, &client, &now);
			if (!real_index)
				real_index = rf_ring_pick(pkt, vip_num, &slot_key);
#else
			real_index = rf_ring_pick(pkt, vip_num, &slot_key);
#endif
			if (!real_index)
				return XDP_DROP;
			real = rf_real_get(real_index);
			if (!real) {
				rf_count_event(RF_GC_CH_DROP);
				return XDP_DROP;
			}
#ifdef RF_SECOND_CHANCE
			second_chance = rf_sc_second(pkt, slot_key, real_index, &sc);
#endif
			/* ICMP errors are routed like their flow but never create an entry */
			if (use_table && !(pkt->flags & RF_PKT_ICMP_ERR) && !second_chance)
				rf_conn_insert(&table, pkt, real_index, &now);
		}
	}

	gateway = bpf_map_lookup_elem(&ctl_array, &ctl_key);
	if (!gateway)
		return XDP_DROP;
	rf_count(&real_stats, real_index, pkt->frame_len);
	if (pkt->flags & RF_PKT_ICMP_ERR)
		rf_count(&global_stats, RF_GC_ICMP_PTB_FORWARD, pkt->frame_len);

#ifdef RF_SECOND_CHANCE
	if (second_chance) {
		/* GUE's source port and checksum as for a GUE build's packets */
		pkt->flow.sport = (vip_flags & RF_VIP_F_HASH_NO_SRC_PORT) ? 0 : sport;
		rf_count_event(RF_GC_SECOND_CHANCE);
		ret = rf_gue_encap_sc(ctx, pkt, real, gateway, &sc);
		goto encapsulated;
	}
#endif
#ifdef RF_GUE_ENCAP
	/* GUE's source port: the source port as the flow was hashed, before a DPORT_ONLY rewrite */
	pkt->flow.sport = (vip_flags & RF_VIP_F_HASH_NO_SRC_PORT) ? 0 : sport;
	ret = rf_gue_encap(ctx, pkt, real, gateway);
#else
	pkt->flow.sport = sport;
	if (real->flags & RF_REAL_F_V6)
		ret = rf_encap_v6(ctx, pkt, real, gateway);
	else
		ret = rf_encap_v4(ctx, pkt, real, gateway);
#endif
#ifdef RF_SECOND_CHANCE
encapsulated:
#endif
	if (ret != RF_ENCAP_OK) {
		rf_count_event(RF_GC_ENCAP_FAIL);
		return XDP_DROP;
	}
	return XDP_TX;
}

/* Settles a parser verdict. */
static __always_inline int rf_process(struct xdp_md *ctx, struct rf_pkt *pkt, int verdict)
{
	switch (verdict) {
	case RF_CONTINUE:
#ifdef RF_INLINE_DECAP_GUE
		if (rf_is_gue(pkt))
			return rf_gue_decap(ctx, pkt);
#endif
		return rf_balance(ctx, pkt);
	case RF_MALFORMED:
		return rf_is_vip_addr(pkt) ? XDP_DROP : XDP_PASS;
	case RF_ECHO:
		if (!rf_is_vip_addr(pkt))
			return XDP_PASS;
		rf_count_by_family(RF_GC_ICMP_ECHO, pkt->family);
		if (pkt->family == RF_FAMILY_V6)
			return rf_icmp6_echo_reply(ctx);
		return rf_icmp4_echo_reply(ctx);
	default:
		return verdict;
	}
}

#endif /* RF_BALANCER_H */
