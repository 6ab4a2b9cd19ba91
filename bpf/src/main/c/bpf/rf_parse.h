/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rf_parse.h — reads Ethernet, IPv4/IPv6 and the L4 header into a struct rf_pkt, the packet's
 * description for the rest of the balancer. ICMP errors about a VIP's flow are described by the
 * flow they quote, turned around (client -> VIP), so they are routed like that flow.
 *
 * A parser returns RF_CONTINUE (balance the packet), a final XDP action, or a verdict the caller
 * settles with the destination address (rf_balancer.h): RF_MALFORMED (fragment, IP options, bad
 * length, truncated header: dropped if the destination is a VIP address, passed otherwise) or
 * RF_ECHO (echo request: answered if the destination is a VIP address, passed otherwise).
 */
#ifndef RF_PARSE_H
#define RF_PARSE_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/icmpv6.h>
#include <bpf/bpf_endian.h>
#include "rf_abi.h"
#include "rf_consts.h"

/* ICMPv4 header (linux/icmp.h drags in libc socket headers, so it is declared here). */
struct rf_icmphdr {
	__u8 type;
	__u8 code;
	__sum16 checksum;
	__be16 rest_hi; /* echo: identifier; frag-needed: unused */
	__be16 rest_lo; /* echo: sequence; frag-needed: next-hop MTU */
};

/* Parser verdicts besides the XDP actions (which are all >= 0). */
#define RF_CONTINUE  (-1)
#define RF_MALFORMED (-2)
#define RF_ECHO      (-3)

/* struct rf_pkt flags. */
#define RF_PKT_SYN      (1u << 0) /* TCP SYN: a new connection, the connection table is not read */
#define RF_PKT_ICMP_ERR (1u << 1) /* ICMP error quoting a flow; `flow` is that flow, turned around */

/* What the parser learned about a packet. */
struct rf_pkt {
	struct rf_flow_key flow; /* the flow as hashed and remembered (VIP flags may zero parts) */
	__u32 frame_len;         /* bytes of the frame as received */
	__u32 l3_len;            /* bytes of the received IP packet, header included */
	__u8 tos;                /* IPv4 TOS / IPv6 traffic class, copied to outer headers */
	__u8 family;             /* RF_FAMILY_V4 / RF_FAMILY_V6: the received packet's family */
	__u8 flags;              /* RF_PKT_* */
};

/* Ports of a TCP or UDP header (4 bytes, all an ICMP error is sure to quote): into the flow,
 * as they are, or swapped when the header is quoted by an ICMP error (it travelled VIP -> client). */
static __always_inline int rf_parse_ports(void *l4, void *data_end, struct rf_pkt *pkt, int quoted)
{
	__be16 *ports = l4;

	if ((void *)ports + RF_L4_PORTS_LEN > data_end)
		return RF_MALFORMED;
	if (quoted) {
		pkt->flow.sport = ports[1];
		pkt->flow.dport = ports[0];
	} else {
		pkt->flow.sport = ports[0];
		pkt->flow.dport = ports[1];
	}
	return RF_CONTINUE;
}

static __always_inline int rf_parse_tcp(void *l4, void *data_end, struct rf_pkt *pkt)
{
	struct tcphdr *tcp = l4;

	if ((void *)(tcp + 1) > data_end)
		return RF_MALFORMED;
	pkt->flow.sport = tcp->source;
	pkt->flow.dport = tcp->dest;
	if (tcp->syn)
		pkt->flags |= RF_PKT_SYN;
	return RF_CONTINUE;
}

static __always_inline int rf_parse_udp(void *l4, void *data_end, struct rf_pkt *pkt)
{
	struct udphdr *udp = l4;

	if ((void *)(udp + 1) > data_end)
		return RF_MALFORMED;
	pkt->flow.sport = udp->source;
	pkt->flow.dport = udp->dest;
	return RF_CONTINUE;
}

static __always_inline int rf_is_tcp_or_udp(__u8 proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP;
}

/* ICMP: echo requests, and destination-unreachable errors quoting a TCP/UDP flow. */
static __always_inline int rf_parse_icmp4(void *l4, void *data_end, struct rf_pkt *pkt)
{
	struct rf_icmphdr *icmp = l4;
	struct iphdr *quoted;

	if ((void *)(icmp + 1) > data_end)
		return RF_MALFORMED;
	if (icmp->type == RF_ICMP_ECHO_REQUEST)
		return RF_ECHO;
	if (icmp->type != RF_ICMP_DEST_UNREACH)
		return XDP_PASS;
	quoted = (void *)(icmp + 1);
	if ((void *)(quoted + 1) > data_end)
		return RF_MALFORMED;
	if (*(__u8 *)quoted != RF_IPV4_VERSION_IHL)
		return RF_MALFORMED;
	if (!rf_is_tcp_or_udp(quoted->protocol))
		return XDP_PASS;
	pkt->flow.proto = quoted->protocol;
	pkt->flow.src.v4 = quoted->daddr;
	pkt->flow.dst.v4 = quoted->saddr;
	pkt->flags |= RF_PKT_ICMP_ERR;
	return rf_parse_ports(quoted + 1, data_end, pkt, 1);
}

/* ICMPv6: echo requests, and packet-too-big / destination-unreachable quoting a TCP/UDP flow. */
static __always_inline int rf_parse_icmp6(void *l4, void *data_end, struct rf_pkt *pkt)
{
	struct icmp6hdr *icmp6 = l4;
	struct ipv6hdr *quoted;

	if ((void *)(icmp6 + 1) > data_end)
		return RF_MALFORMED;
	if (icmp6->icmp6_type == RF_ICMPV6_ECHO_REQUEST)
		return RF_ECHO;
	if (icmp6->icmp6_type != RF_ICMPV6_PKT_TOOBIG && icmp6->icmp6_type != RF_ICMPV6_DEST_UNREACH)
		return XDP_PASS;
	quoted = (void *)(icmp6 + 1);
	if ((void *)(quoted + 1) > data_end)
		return RF_MALFORMED;
	if (!rf_is_tcp_or_udp(quoted->nexthdr))
		return XDP_PASS;
	pkt->flow.proto = quoted->nexthdr;
	__builtin_memcpy(pkt->flow.src.v6, quoted->daddr.in6_u.u6_addr32, sizeof(pkt->flow.src.v6));
	__builtin_memcpy(pkt->flow.dst.v6, quoted->saddr.in6_u.u6_addr32, sizeof(pkt->flow.dst.v6));
	pkt->flags |= RF_PKT_ICMP_ERR;
	return rf_parse_ports(quoted + 1, data_end, pkt, 1);
}

/* IPv4 without options, not a fragment, with a total length the frame holds. */
static __always_inline int rf_parse_v4(void *data, void *data_end, struct rf_pkt *pkt)
{
	struct iphdr *iph = data + sizeof(struct ethhdr);
	void *l4 = iph + 1;

	if (l4 > data_end)
		return XDP_DROP;
	pkt->family = RF_FAMILY_V4;
	pkt->flow.src.v4 = iph->saddr;
	pkt->flow.dst.v4 = iph->daddr;
	pkt->flow.proto = iph->protocol;
	pkt->tos = iph->tos;
	pkt->l3_len = bpf_ntohs(iph->tot_len);
	/* version 4 and ihl 5 in one byte: options (and garbage) are refused */
	if (*(__u8 *)iph != RF_IPV4_VERSION_IHL)
		return RF_MALFORMED;
	if (iph->frag_off & bpf_htons(RF_IPV4_FRAG_MASK))
		return RF_MALFORMED;
	if (pkt->l3_len < RF_IPV4_HDR_LEN || pkt->l3_len > (__u32)(data_end - (void *)iph))
		return RF_MALFORMED;

	switch (iph->protocol) {
	case IPPROTO_TCP:
		return rf_parse_tcp(l4, data_end, pkt);
	case IPPROTO_UDP:
		return rf_parse_udp(l4, data_end, pkt);
	case IPPROTO_ICMP:
		return rf_parse_icmp4(l4, data_end, pkt);
	default:
		return XDP_PASS;
	}
}

/* IPv6 whose payload length the frame holds; a fragment header is refused, other extension
 * headers are not followed (such packets are passed). */
static __always_inline int rf_parse_v6(void *data, void *data_end, struct rf_pkt *pkt)
{
	struct ipv6hdr *ip6h = data + sizeof(struct ethhdr);
	void *l4 = ip6h + 1;
	__u32 payload_len;

	if (l4 > data_end)
		return XDP_DROP;
	pkt->family = RF_FAMILY_V6;
	__builtin_memcpy(pkt->flow.src.v6, ip6h->saddr.in6_u.u6_addr32, sizeof(pkt->flow.src.v6));
	__builtin_memcpy(pkt->flow.dst.v6, ip6h->daddr.in6_u.u6_addr32, sizeof(pkt->flow.dst.v6));
	pkt->flow.proto = ip6h->nexthdr;
	pkt->tos = (ip6h->priority << 4) | (ip6h->flow_lbl[0] >> 4);
	payload_len = bpf_ntohs(ip6h->payload_len);
	pkt->l3_len = payload_len + RF_IPV6_HDR_LEN;
	if (ip6h->version != 6 || payload_len > (__u32)(data_end - l4))
		return RF_MALFORMED;

	switch (ip6h->nexthdr) {
	case IPPROTO_TCP:
		return rf_parse_tcp(l4, data_end, pkt);
	case IPPROTO_UDP:
		return rf_parse_udp(l4, data_end, pkt);
	case IPPROTO_ICMPV6:
		return rf_parse_icmp6(l4, data_end, pkt);
	case IPPROTO_FRAGMENT:
		return RF_MALFORMED;
	default:
		return XDP_PASS;
	}
}

#endif /* RF_PARSE_H */
