/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rf_gue.h — GUE encapsulation towards a real (the balancer built with -DRF_GUE_ENCAP), in GUE's
 * direct IP-in-UDP form: there is no GUE header, the inner IPv4/IPv6 header follows the outer
 * UDP header, and the receiver tells the inner family from the IP version nibble.
 *   IPv4 real -> Ethernet + IPv4 + UDP + the received IP packet
 *   IPv6 real -> Ethernet + IPv6 + UDP + the received IP packet (IPv4 flows included)
 *
 * Outer addresses: source = encap_srcs entry of the real's family (the balancer's own address),
 * destination = the real. TTL / hop limit 64, TOS / traffic class copied, IPv4 id 0 without DF,
 * flow label 0; Ethernet as rf_encap.h (source MAC = old destination MAC, destination = gateway).
 *
 * Outer UDP: destination port RF_GUE_DPORT; length = inner IP length + 8.
 * Source port: the same for every packet of a flow and different across flows, so a real's NIC
 * spreads GUE flows over its queues (RSS). From the port seed P (wire order, P0 = high byte) and
 * two bytes (Sh, Sl) of the flow's source address (S[2], S[3] of IPv4, S[12], S[13] of IPv6):
 *   outer IPv4: [P1 ^ Sh, P0 ^ Sl]        outer IPv6: [P0 ^ Sh, P1 ^ Sl]
 * (Katran's bytes; the rf_balancer.h caller decides what P and S are.)
 * Checksum: from the headers alone, see rf_gue_inner_sum.
 */
#ifndef RF_GUE_H
#define RF_GUE_H

#include <stddef.h>
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
#include "rf_sc.h"

/* Bytes prepended in front of the received IP packet (besides the Ethernet header, reused). */
#define RF_GUE_V4_ADDED (sizeof(struct iphdr) + sizeof(struct udphdr))
#define RF_GUE_V6_ADDED (sizeof(struct ipv6hdr) + sizeof(struct udphdr))

/* Outer UDP source port, wire order. */
static __always_inline __be16 rf_gue_sport(const struct rf_pkt *pkt, int outer_v6)
{
	__u16 port = bpf_ntohs(pkt->flow.sport); /* P0 << 8 | P1 */
	__u16 addr;                              /* Sh << 8 | Sl */

	if (pkt->family == RF_FAMILY_V6)
		addr = (__u16)(bpf_ntohl(pkt->flow.src.v6[3]) >> 16); /* S[12], S[13] */
	else
		addr = (__u16)bpf_ntohl(pkt->flow.src.v4);            /* S[2], S[3] */
	if (!outer_v6)
		port = (__u16)((port << 8) | (port >> 8));
	return bpf_htons(port ^ addr);
}

/* One's-complement sum of the two 16-bit halves of a word, in memory order. */
static __always_inline __u32 rf_gue_word_sum(__u32 word)
{
	return (word & 0xffff) + (word >> 16);
}

/* One's-complement subtraction: sum - value, as sum + ~fold(value). */
static __always_inline __u32 rf_gue_csum_sub(__u32 sum, __u32 value)
{
	return sum + (__u16)~rf_csum_fold(value);
}

/*
 * The outer UDP checksum is computed from headers only, never over the payload (what local
 * checksum offload does, and Katran's bytes):
 *   ~fold(S(outer pseudo-header) + S(outer UDP header, check 0) + S(inner IP header)
 *         - S(inner pseudo-header))
 * where the inner pseudo-header is the one the inner IP header implies (its addresses, its
 * payload length, its protocol / next header). It equals the true UDP checksum whenever the
 * inner TCP/UDP checksum is valid, since that makes the inner L4 bytes sum to -S(inner pseudo).
 * For a forwarded ICMP error the inner IP header is the ICMP packet's own, so the value is not
 * the true checksum (as with Katran). No 0 -> 0xffff substitution.
 *
 * This is the inner part, S(inner IP header) - S(inner pseudo-header), in memory order. The
 * addresses are in both and cancel; so does the IPv6 payload length. Returns 0 and sets *sum, or
 * -1 when the checksum is to stay 0: the flow is neither TCP nor UDP, or fewer bytes than that
 * protocol's header follow the inner IP header (an IPv4 inner header is 20 bytes: no options
 * get this far).
 */
static __always_inline int rf_gue_inner_sum(void *inner, void *data_end, const struct rf_pkt *pkt,
					    __u32 *sum)
{
	__u32 min_l4, hdr_len;

	if (pkt->flow.proto == IPPROTO_TCP)
		min_l4 = RF_GUE_CSUM_MIN_TCP;
	else if (pkt->flow.proto == IPPROTO_UDP)
		min_l4 = RF_GUE_CSUM_MIN_UDP;
	else
		return -1;
	hdr_len = pkt->family == RF_FAMILY_V6 ? sizeof(struct ipv6hdr) : sizeof(struct iphdr);
	if (inner + hdr_len + min_l4 > data_end)
		return -1;

	if (pkt->family == RF_FAMILY_V6) {
		struct ipv6hdr *ip6h = inner;

		if ((void *)(ip6h + 1) > data_end)
			return -1;
		/* version / traffic class / flow label, then the next-header + hop-limit word */
		*sum = rf_gue_word_sum(*(__u32 *)ip6h) + *(__u16 *)&ip6h->nexthdr;
		*sum = rf_gue_csum_sub(*sum, bpf_htons(ip6h->nexthdr));
	} else {
		struct iphdr *iph = inner;
		const __u16 *words = inner;
		__u32 hdr = 0;

		if ((void *)(iph + 1) > data_end)
			return -1;
#pragma unroll
		for (int i = 0; i < (int)(offsetof(struct iphdr, saddr) / sizeof(__u16)); i++)
			hdr += words[i];
		*sum = rf_gue_csum_sub(hdr, bpf_htons(iph->protocol) +
					    bpf_htons(bpf_ntohs(iph->tot_len) - RF_IPV4_HDR_LEN));
	}
	return 0;
}

/* Writes the second-chance header `sc` at `at` and returns the sum of its words (memory order),
 * or -1 when the frame does not hold it. */
static __always_inline int rf_gue_put_sc(void *at, void *data_end, const struct rf_sc_hdr *sc, __u32 *sum)
{
	const __u32 *words = (const __u32 *)sc;

	if (at + sizeof(*sc) > data_end)
		return -1;
	*(struct rf_sc_hdr *)at = *sc;
	*sum = 0;
#pragma unroll
	for (int i = 0; i < (int)(sizeof(*sc) / sizeof(__u32)); i++)
		*sum += rf_gue_word_sum(words[i]);
	return 0;
}

/* Fills the outer UDP header, and the second-chance header after it when `sc` is set (NULL for
 * plain GUE); `pseudo` is the sum of the outer pseudo-header's addresses. */
static __always_inline void rf_gue_udp(struct udphdr *udp, void *data_end, const struct rf_pkt *pkt,
				       int outer_v6, __u32 pseudo, const struct rf_sc_hdr *sc)
{
	__u32 inner_sum, sum, sc_sum = 0;
	__u32 sc_len = sc ? sizeof(*sc) : 0;

	udp->source = rf_gue_sport(pkt, outer_v6);
	udp->dest = bpf_htons(RF_GUE_DPORT);
	udp->len = bpf_htons(pkt->l3_len + sizeof(struct udphdr) + sc_len);
	udp->check = 0;
	if (sc && rf_gue_put_sc(udp + 1, data_end, sc, &sc_sum))
		return;
	if (rf_gue_inner_sum((void *)(udp + 1) + sc_len, data_end, pkt, &inner_sum))
		return;
	/* pseudo-header: addresses, protocol, UDP length; then the UDP header itself */
	sum = pseudo + bpf_htons(IPPROTO_UDP) + udp->len;
	sum += udp->source + udp->dest + udp->len;
	if (sc)
		sum += rf_csum_fold(sc_sum);
	udp->check = (__u16)~rf_csum_fold(rf_csum_fold(sum) + rf_csum_fold(inner_sum));
}

/* Prepends Ethernet + IPv4 + UDP (+ `sc` unless NULL) addressed to an IPv4 `real`. The packet must
 * be `pkt`, unchanged. */
static __always_inline int rf_gue_encap_v4(struct xdp_md *ctx, const struct rf_pkt *pkt,
					   const struct rf_real *real, const struct rf_ctl *gateway,
					   __be32 src, const struct rf_sc_hdr *sc)
{
	__u32 added = RF_GUE_V4_ADDED + (sc ? sizeof(*sc) : 0);
	void *data, *data_end;
	struct ethhdr *eth, *old_eth;
	struct iphdr *iph;
	struct udphdr *udp;

	if (bpf_xdp_adjust_head(ctx, 0 - (int)added))
		return RF_ENCAP_FAIL;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	eth = data;
	iph = data + sizeof(struct ethhdr);
	udp = (void *)(iph + 1);
	old_eth = data + added;
	if ((void *)(old_eth + 1) > data_end) /* also covers eth, iph, udp and sc */
		return RF_ENCAP_FAIL;

	rf_encap_eth(eth, old_eth, gateway, bpf_htons(ETH_P_IP));
	*(__u8 *)iph = RF_IPV4_VERSION_IHL;
	iph->tos = pkt->tos;
	iph->tot_len = bpf_htons(pkt->l3_len + added);
	iph->id = 0;
	iph->frag_off = 0;
	iph->ttl = RF_DEFAULT_TTL;
	iph->protocol = IPPROTO_UDP;
	iph->check = 0;
	iph->saddr = src;
	iph->daddr = real->addr.v4;
	iph->check = rf_ipv4_hdr_csum(iph);
	rf_gue_udp(udp, data_end, pkt, 0, rf_gue_word_sum(src) + rf_gue_word_sum(real->addr.v4), sc);
	return RF_ENCAP_OK;
}

/* Prepends Ethernet + IPv6 + UDP (+ `sc` unless NULL) addressed to an IPv6 `real`. The packet must
 * be `pkt`, unchanged. */
static __always_inline int rf_gue_encap_v6(struct xdp_md *ctx, const struct rf_pkt *pkt,
					   const struct rf_real *real, const struct rf_ctl *gateway,
					   const union rf_addr *src, const struct rf_sc_hdr *sc)
{
	__u32 added = RF_GUE_V6_ADDED + (sc ? sizeof(*sc) : 0);
	void *data, *data_end;
	struct ethhdr *eth, *old_eth;
	struct ipv6hdr *ip6h;
	struct udphdr *udp;
	__be32 *saddr, *daddr;

	if (bpf_xdp_adjust_head(ctx, 0 - (int)added))
		return RF_ENCAP_FAIL;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	eth = data;
	ip6h = data + sizeof(struct ethhdr);
	udp = (void *)(ip6h + 1);
	old_eth = data + added;
	if ((void *)(old_eth + 1) > data_end) /* also covers eth, ip6h, udp and sc */
		return RF_ENCAP_FAIL;

	rf_encap_eth(eth, old_eth, gateway, bpf_htons(ETH_P_IPV6));
	/* version, traffic class, flow label 0 */
	*(__be32 *)ip6h = bpf_htonl(RF_IPV6_VERSION_WORD | ((__u32)pkt->tos << RF_IPV6_TCLASS_SHIFT));
	ip6h->payload_len = bpf_htons(pkt->l3_len + added - sizeof(struct ipv6hdr));
	ip6h->nexthdr = IPPROTO_UDP;
	ip6h->hop_limit = RF_DEFAULT_TTL;
	saddr = ip6h->saddr.in6_u.u6_addr32;
	daddr = ip6h->daddr.in6_u.u6_addr32;
#pragma unroll
	for (int i = 0; i < 4; i++) {
		saddr[i] = src->v6[i];
		daddr[i] = real->addr.v6[i];
	}
	rf_gue_udp(udp, data_end, pkt, 1, rf_csum_v6_addr(src->v6) + rf_csum_v6_addr(real->addr.v6), sc);
	return RF_ENCAP_OK;
}

/* GUE towards `real`, with the second-chance header `sc` after the UDP header unless it is NULL:
 * outer family by the real's. Fails (the caller drops and counts) when encap_srcs has no address
 * of that family or the frame cannot grow. */
static __always_inline int rf_gue_encap_sc(struct xdp_md *ctx, const struct rf_pkt *pkt,
					   const struct rf_real *real, const struct rf_ctl *gateway,
					   const struct rf_sc_hdr *sc)
{
	int outer_v6 = real->flags & RF_REAL_F_V6;
	__u32 key = outer_v6 ? RF_ENCAP_SRC_V6 : RF_ENCAP_SRC_V4;
	struct rf_encap_src *src = bpf_map_lookup_elem(&encap_srcs, &key);

	if (!src || !(src->addr.v6[0] | src->addr.v6[1] | src->addr.v6[2] | src->addr.v6[3]))
		return RF_ENCAP_FAIL;
	if (outer_v6)
		return rf_gue_encap_v6(ctx, pkt, real, gateway, &src->addr, sc);
	return rf_gue_encap_v4(ctx, pkt, real, gateway, src->addr.v4, sc);
}

/* Plain GUE towards `real` (Katran's direct IP-in-UDP). */
static __always_inline int rf_gue_encap(struct xdp_md *ctx, const struct rf_pkt *pkt,
					const struct rf_real *real, const struct rf_ctl *gateway)
{
	return rf_gue_encap_sc(ctx, pkt, real, gateway, NULL);
}

#endif /* RF_GUE_H */
