/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rf_encap.h — IP-in-IP encapsulation towards a real: IPv4 outer (IPIP, or IPv6-in-IPv4) for an
 * IPv4 real, IPv6 outer (IP6IP6, or IPv4-in-IPv6) for an IPv6 real.
 *
 * The outer source is derived from the inner source address and source port, so that a real's
 * NIC spreads flows over its queues (RSS) while every packet of a flow carries the same outer
 * header: IPv4 172.16.(S[n-2]^P[1]).(S[n-1]^P[0]), IPv6 0100::/96 followed by the last four
 * source bytes XOR [P[0], P[1], 0, 0] (S: inner source, last bytes; P: source port, wire order).
 * TTL / hop limit 64, TOS / traffic class copied, IPv4 id 0 without DF, flow label 0.
 * Ethernet: the new source MAC is the frame's old destination MAC, the new destination the gateway.
 */
#ifndef RF_ENCAP_H
#define RF_ENCAP_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "rf_abi.h"
#include "rf_consts.h"
#include "rf_csum.h"
#include "rf_parse.h"

#define RF_ENCAP_OK 0
#define RF_ENCAP_FAIL (-1)

static __always_inline void rf_copy_mac(__u8 *dst, const __u8 *src)
{
	__builtin_memcpy(dst, src, RF_ETH_ALEN);
}

/* Last four bytes of the inner source address (the whole address for IPv4). */
static __always_inline __be32 rf_src_tail(const struct rf_pkt *pkt)
{
	return pkt->family == RF_FAMILY_V6 ? pkt->flow.src.v6[3] : pkt->flow.src.v4;
}

/* Outer IPv4 source: 172.16 . (S[2] ^ P[1]) . (S[3] ^ P[0]). */
static __always_inline __be32 rf_outer_v4_src(const struct rf_pkt *pkt)
{
	__u32 src = bpf_ntohl(rf_src_tail(pkt));
	__u16 port = bpf_ntohs(pkt->flow.sport);
	__u16 port_swapped = (__u16)((port << 8) | (port >> 8));

	return bpf_htonl(RF_IPIP_V4_SRC_PREFIX | ((src ^ port_swapped) & ~RF_IPIP_V4_SRC_PREFIX_MASK));
}

/* Last word of the outer IPv6 source: S[12..15] ^ [P[0], P[1], 0, 0]. */
static __always_inline __be32 rf_outer_v6_src_tail(const struct rf_pkt *pkt)
{
	return rf_src_tail(pkt) ^ bpf_htonl((__u32)bpf_ntohs(pkt->flow.sport) << 16);
}

/* Rewrites the Ethernet header at `eth` from the old one at `old_eth` (which the new IP header
 * will overwrite, so this must run first). */
static __always_inline void rf_encap_eth(struct ethhdr *eth, const struct ethhdr *old_eth,
					 const struct rf_ctl *gateway, __be16 proto)
{
	rf_copy_mac(eth->h_source, old_eth->h_dest);
	rf_copy_mac(eth->h_dest, gateway->mac);
	eth->h_proto = proto;
}

/* Prepends Ethernet + IPv4 headers addressed to `real`. The packet must be `pkt`, unchanged. */
static __always_inline int rf_encap_v4(struct xdp_md *ctx, const struct rf_pkt *pkt,
				       const struct rf_real *real, const struct rf_ctl *gateway)
{
	void *data, *data_end;
	struct ethhdr *eth, *old_eth;
	struct iphdr *iph;

	if (bpf_xdp_adjust_head(ctx, 0 - (int)sizeof(struct iphdr)))
		return RF_ENCAP_FAIL;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	eth = data;
	iph = data + sizeof(struct ethhdr);
	old_eth = data + sizeof(struct iphdr);
	if ((void *)(old_eth + 1) > data_end) /* also covers eth and iph */
		return RF_ENCAP_FAIL;

	rf_encap_eth(eth, old_eth, gateway, bpf_htons(ETH_P_IP));
	*(__u8 *)iph = RF_IPV4_VERSION_IHL;
	iph->tos = pkt->tos;
	iph->tot_len = bpf_htons(pkt->l3_len + sizeof(struct iphdr));
	iph->id = 0;
	iph->frag_off = 0;
	iph->ttl = RF_DEFAULT_TTL;
	iph->protocol = pkt->family == RF_FAMILY_V6 ? IPPROTO_IPV6 : IPPROTO_IPIP;
	iph->check = 0;
	iph->saddr = rf_outer_v4_src(pkt);
	iph->daddr = real->addr.v4;
	iph->check = rf_ipv4_hdr_csum(iph);
	return RF_ENCAP_OK;
}

/* Prepends Ethernet + IPv6 headers addressed to `real`. The packet must be `pkt`, unchanged. */
static __always_inline int rf_encap_v6(struct xdp_md *ctx, const struct rf_pkt *pkt,
				       const struct rf_real *real, const struct rf_ctl *gateway)
{
	void *data, *data_end;
	struct ethhdr *eth, *old_eth;
	struct ipv6hdr *ip6h;
	__be32 *saddr, *daddr;

	if (bpf_xdp_adjust_head(ctx, 0 - (int)sizeof(struct ipv6hdr)))
		return RF_ENCAP_FAIL;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	eth = data;
	ip6h = data + sizeof(struct ethhdr);
	old_eth = data + sizeof(struct ipv6hdr);
	if ((void *)(old_eth + 1) > data_end) /* also covers eth and ip6h */
		return RF_ENCAP_FAIL;

	rf_encap_eth(eth, old_eth, gateway, bpf_htons(ETH_P_IPV6));
	/* version, traffic class, flow label 0 */
	*(__be32 *)ip6h = bpf_htonl(RF_IPV6_VERSION_WORD | ((__u32)pkt->tos << RF_IPV6_TCLASS_SHIFT));
	ip6h->payload_len = bpf_htons(pkt->l3_len);
	ip6h->nexthdr = pkt->family == RF_FAMILY_V6 ? IPPROTO_IPV6 : IPPROTO_IPIP;
	ip6h->hop_limit = RF_DEFAULT_TTL;
	saddr = ip6h->saddr.in6_u.u6_addr32;
	saddr[0] = bpf_htonl(RF_IPIP_V6_SRC_PREFIX0);
	saddr[1] = 0;
	saddr[2] = 0;
	saddr[3] = rf_outer_v6_src_tail(pkt);
	daddr = ip6h->daddr.in6_u.u6_addr32;
	daddr[0] = real->addr.v6[0];
	daddr[1] = real->addr.v6[1];
	daddr[2] = real->addr.v6[2];
	daddr[3] = real->addr.v6[3];
	return RF_ENCAP_OK;
}

#endif /* RF_ENCAP_H */
