/* SPDX-License-Identifier: Apache-2.0 */
/*
 * filter_parse.h — what the pre-filter reads of a frame: family, addresses, protocol, and, when the
 * packet carries a whole TCP / UDP header (not a later fragment, not truncated), ports and TCP flags.
 * IPv4 options are stepped over; one IPv6 fragment header is read (other extension headers are left
 * as the protocol). Nothing is written to the packet.
 */
#ifndef RF_FILTER_PARSE_H
#define RF_FILTER_PARSE_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_endian.h>
#include "rf_abi.h"
#include "filter_consts.h"

/* Parse results. */
#define RF_FILTER_PARSED    0
#define RF_FILTER_NOT_IP    1
#define RF_FILTER_MALFORMED 2

/* The IPv6 fragment header (linux/ipv6.h's frag_hdr is kernel-internal). */
struct rf_filter_frag6 {
	__u8 nexthdr;
	__u8 reserved;
	__be16 frag_off; /* offset in 8-byte units << 3, and the M flag */
	__be32 id;
};

struct rf_filter_pkt {
	union rf_addr src;
	union rf_addr dst;
	__u32 len;       /* frame bytes as received */
	__u32 l4_off;    /* offset of the TCP / UDP header from the frame start (has_l4 only) */
	__u16 sport;     /* host order (has_l4 only) */
	__u16 dport;
	__u8 family;     /* RF_FAMILY_V4 / RF_FAMILY_V6 */
	__u8 proto;
	__u8 tcp_flags;
	__u8 has_l4;     /* ports (and, for TCP, flags) were read */
};

/* Ports and flags of a whole TCP / UDP header at `off`; anything else leaves has_l4 0. */
static __always_inline void rf_filter_parse_l4(void *data, void *data_end, __u32 off, struct rf_filter_pkt *pkt)
{
	__u8 *l4 = data + off;

	if (pkt->proto != IPPROTO_TCP && pkt->proto != IPPROTO_UDP)
		return;
	/* the UDP header is the shorter one: both need these bytes */
	if ((void *)(l4 + RF_FILTER_UDP_HLEN) > data_end)
		return;
	if (pkt->proto == IPPROTO_TCP) {
		if ((void *)(l4 + RF_FILTER_TCP_HLEN) > data_end)
			return;
		pkt->tcp_flags = l4[RF_FILTER_TCP_FLAGS_OFF];
	}
	pkt->sport = ((__u16)l4[0] << 8) | l4[1];
	pkt->dport = ((__u16)l4[2] << 8) | l4[3];
	pkt->l4_off = off;
	pkt->has_l4 = 1;
}

static __always_inline int rf_filter_parse_v4(void *data, void *data_end, struct rf_filter_pkt *pkt)
{
	struct iphdr *ip = data + RF_FILTER_ETH_HLEN;
	__u32 hlen;

	if ((void *)(ip + 1) > data_end || ip->ihl < RF_FILTER_IPV4_MIN_IHL)
		return RF_FILTER_MALFORMED;
	hlen = ip->ihl * 4;
	if (data + RF_FILTER_ETH_HLEN + hlen > data_end)
		return RF_FILTER_MALFORMED;
	pkt->family = RF_FAMILY_V4;
	pkt->src.v4 = ip->saddr;
	pkt->dst.v4 = ip->daddr;
	pkt->proto = ip->protocol;
	/* a later fragment has no L4 header (a first one, offset 0, has it) */
	if (bpf_ntohs(ip->frag_off) & RF_FILTER_IPV4_FRAG_OFF_MASK)
		return RF_FILTER_PARSED;
	rf_filter_parse_l4(data, data_end, RF_FILTER_ETH_HLEN + hlen, pkt);
	return RF_FILTER_PARSED;
}

static __always_inline int rf_filter_parse_v6(void *data, void *data_end, struct rf_filter_pkt *pkt)
{
	struct ipv6hdr *ip6 = data + RF_FILTER_ETH_HLEN;
	struct rf_filter_frag6 *frag;
	__u32 off = RF_FILTER_ETH_HLEN + RF_FILTER_IPV6_HLEN;

	if ((void *)(ip6 + 1) > data_end)
		return RF_FILTER_MALFORMED;
	pkt->family = RF_FAMILY_V6;
	__builtin_memcpy(pkt->src.v6, ip6->saddr.in6_u.u6_addr32, sizeof(pkt->src.v6));
	__builtin_memcpy(pkt->dst.v6, ip6->daddr.in6_u.u6_addr32, sizeof(pkt->dst.v6));
	pkt->proto = ip6->nexthdr;
	if (pkt->proto == RF_FILTER_IPV6_FRAGHDR) {
		frag = (void *)(ip6 + 1);
		if ((void *)(frag + 1) > data_end)
			return RF_FILTER_MALFORMED;
		pkt->proto = frag->nexthdr;
		if (bpf_ntohs(frag->frag_off) & RF_FILTER_IPV6_FRAG_OFF_MASK)
			return RF_FILTER_PARSED;
		off += sizeof(*frag);
	}
	rf_filter_parse_l4(data, data_end, off, pkt);
	return RF_FILTER_PARSED;
}

static __always_inline int rf_filter_parse(void *data, void *data_end, struct rf_filter_pkt *pkt)
{
	struct ethhdr *eth = data;

	pkt->len = data_end - data;
	if ((void *)(eth + 1) > data_end)
		return RF_FILTER_MALFORMED;
	if (eth->h_proto == bpf_htons(ETH_P_IP))
		return rf_filter_parse_v4(data, data_end, pkt);
	if (eth->h_proto == bpf_htons(ETH_P_IPV6))
		return rf_filter_parse_v6(data, data_end, pkt);
	return RF_FILTER_NOT_IP;
}

#endif
