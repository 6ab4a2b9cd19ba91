/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rf_gue_decap.h — inline decapsulation of GUE (direct IP-in-UDP) packets, in builds with
 * -DRF_INLINE_DECAP_GUE (which need -DRF_GUE_ENCAP: the same port and the same own addresses).
 *
 * Every UDP packet to port RF_GUE_DPORT is GUE, never balanced. By its outer destination:
 *  - listed in decap_dsts with RF_DECAP_F_EGRESS: decapsulated, MAC addresses swapped, XDP_TX;
 *  - listed without it: decapsulated and run through the balancer again (tail call into
 *    decap_progs slot RF_DECAP_PROG_RECIRC, which holds the balancer; if that slot is empty the
 *    decapsulated packet is passed);
 *  - not listed, but the balancer's own address of that family (encap_srcs): decapsulated, XDP_PASS;
 *  - otherwise (somebody else's tunnel): XDP_PASS, untouched.
 * Decapsulation removes the outer IP and UDP headers, keeps both MAC addresses (unless swapped
 * above) and sets the ethertype from the inner IP version. The inner TTL / hop limit is
 * decremented first (the IPv4 checksum updated); when it reaches 0 the frame is still
 * decapsulated but dropped, and an inner TTL already 0 is dropped without being changed.
 * An inner packet that is neither IPv4 nor IPv6, or shorter than its IP header: XDP_PASS, untouched.
 */
#ifndef RF_GUE_DECAP_H
#define RF_GUE_DECAP_H

#ifndef RF_GUE_ENCAP
#error "RF_INLINE_DECAP_GUE needs RF_GUE_ENCAP (GUE port and encap_srcs)"
#endif

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "rf_abi.h"
#include "rf_consts.h"
#include "rf_csum.h"
#include "rf_maps.h"
#include "rf_parse.h"
#include "rf_encap.h"

/* Is this parsed packet GUE (a UDP datagram to the GUE port, not an ICMP error quoting one)? */
static __always_inline int rf_is_gue(const struct rf_pkt *pkt)
{
	return pkt->flow.proto == IPPROTO_UDP && pkt->flow.dport == bpf_htons(RF_GUE_DPORT) &&
	       !(pkt->flags & RF_PKT_ICMP_ERR);
}

/* Is the packet's destination the balancer's own address of its family (encap_srcs)? */
static __always_inline int rf_is_own_addr(const struct rf_pkt *pkt)
{
	__u32 key = pkt->family == RF_FAMILY_V6 ? RF_ENCAP_SRC_V6 : RF_ENCAP_SRC_V4;
	struct rf_encap_src *own = bpf_map_lookup_elem(&encap_srcs, &key);

	if (!own)
		return 0;
	return own->addr.v6[0] == pkt->flow.dst.v6[0] && own->addr.v6[1] == pkt->flow.dst.v6[1] &&
	       own->addr.v6[2] == pkt->flow.dst.v6[2] && own->addr.v6[3] == pkt->flow.dst.v6[3];
}

/* Decrements the TTL / hop limit of the inner IP header (bounds checked by the caller).
 * Returns 0 when the packet is to be dropped (the new value is 0, or it was 0 already). */
static __always_inline int rf_decap_ttl(void *inner, int inner_v6)
{
	if (inner_v6) {
		struct ipv6hdr *ip6h = inner;

		if (!ip6h->hop_limit)
			return 0;
		return --ip6h->hop_limit != 0;
	} else {
		struct iphdr *iph = inner;
		__u16 *ttl_word = inner + RF_IPV4_TTL_WORD_OFF;
		__u16 old_word = *ttl_word;

		if (!iph->ttl)
			return 0;
		iph->ttl--;
		iph->check = rf_csum_replace(iph->check, old_word, *ttl_word);
		return iph->ttl != 0;
	}
}

/* Settles a GUE packet (rf_is_gue) as described at the top. */
static __always_inline int rf_gue_decap(struct xdp_md *ctx, const struct rf_pkt *pkt)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 outer_len = (pkt->family == RF_FAMILY_V6 ? sizeof(struct ipv6hdr) : sizeof(struct iphdr)) +
			  sizeof(struct udphdr);
	struct ethhdr *eth = data, *new_eth;
	void *inner = data + sizeof(struct ethhdr) + outer_len;
	__u8 mac_dst[RF_ETH_ALEN], mac_src[RF_ETH_ALEN];
	__u32 *dst_flags;
	int inner_v6, alive, egress;
	__u8 version;

	dst_flags = bpf_map_lookup_elem(&decap_dsts, &pkt->flow.dst);
	if (!dst_flags && !rf_is_own_addr(pkt))
		return XDP_PASS;
	egress = dst_flags && (*dst_flags & RF_DECAP_F_EGRESS);

	if (inner + 1 > data_end || (void *)(eth + 1) > data_end)
		return XDP_PASS;
	version = *(__u8 *)inner >> RF_IP_VERSION_SHIFT;
	if (version == RF_FAMILY_V6)
		inner_v6 = 1;
	else if (version == RF_FAMILY_V4)
		inner_v6 = 0;
	else
		return XDP_PASS;
	if (inner + (inner_v6 ? sizeof(struct ipv6hdr) : sizeof(struct iphdr)) > data_end)
		return XDP_PASS;

	alive = rf_decap_ttl(inner, inner_v6);
	/* the new Ethernet header ends where the inner packet starts; it cannot overlap the old one
	 * (the outer headers are longer than it) */
	new_eth = inner - sizeof(struct ethhdr);
	rf_copy_mac(mac_dst, eth->h_dest);
	rf_copy_mac(mac_src, eth->h_source);
	if (egress && alive) {
		rf_copy_mac(new_eth->h_dest, mac_src);
		rf_copy_mac(new_eth->h_source, mac_dst);
	} else {
		rf_copy_mac(new_eth->h_dest, mac_dst);
		rf_copy_mac(new_eth->h_source, mac_src);
	}
	new_eth->h_proto = bpf_htons(inner_v6 ? ETH_P_IPV6 : ETH_P_IP);
	if (bpf_xdp_adjust_head(ctx, (int)outer_len))
		return XDP_DROP;

	if (!alive)
		return XDP_DROP;
	if (!dst_flags)
		return XDP_PASS;
	if (egress)
		return XDP_TX;
	bpf_tail_call(ctx, &decap_progs, RF_DECAP_PROG_RECIRC);
	return XDP_PASS;
}

#endif /* RF_GUE_DECAP_H */
