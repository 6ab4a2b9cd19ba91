/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rf_icmp.h — ICMP the balancer answers itself: echo replies for VIP addresses and, when built
 * with RF_ICMP_TOO_BIG_GEN, "fragmentation needed" / "packet too big" for VIP frames over
 * RF_MAX_PACKET_SIZE. (ICMP errors about a VIP's flow are forwarded, see rf_parse.h.)
 * All replies go back out of the interface they came in on, MAC addresses swapped.
 */
#ifndef RF_ICMP_H
#define RF_ICMP_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/icmpv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "rf_consts.h"
#include "rf_csum.h"
#include "rf_parse.h"

static __always_inline void rf_swap_macs(struct ethhdr *eth)
{
	__u8 tmp[RF_ETH_ALEN];

	__builtin_memcpy(tmp, eth->h_source, RF_ETH_ALEN);
	__builtin_memcpy(eth->h_source, eth->h_dest, RF_ETH_ALEN);
	__builtin_memcpy(eth->h_dest, tmp, RF_ETH_ALEN);
}

/* Turns an IPv4 echo request (already parsed: no options) into its reply. */
static __always_inline int rf_icmp4_echo_reply(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph = (void *)(eth + 1);
	struct rf_icmphdr *icmp = (void *)(iph + 1);
	__u16 old_word, new_word;
	__be32 addr;

	if ((void *)(icmp + 1) > data_end)
		return XDP_DROP;
	old_word = *(__u16 *)icmp;
	icmp->type = RF_ICMP_ECHO_REPLY;
	new_word = *(__u16 *)icmp;
	icmp->checksum = rf_csum_replace(icmp->checksum, old_word, new_word);

	addr = iph->saddr;
	iph->saddr = iph->daddr;
	iph->daddr = addr;
	iph->ttl = RF_DEFAULT_TTL;
	iph->check = 0;
	iph->check = rf_ipv4_hdr_csum(iph);
	rf_swap_macs(eth);
	return XDP_TX;
}

/* Turns an ICMPv6 echo request into its reply (the pseudo-header sum is unchanged by the swap). */
static __always_inline int rf_icmp6_echo_reply(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct ipv6hdr *ip6h = (void *)(eth + 1);
	struct icmp6hdr *icmp6 = (void *)(ip6h + 1);
	struct in6_addr addr;
	__u16 old_word, new_word;

	if ((void *)(icmp6 + 1) > data_end)
		return XDP_DROP;
	old_word = *(__u16 *)icmp6;
	icmp6->icmp6_type = RF_ICMPV6_ECHO_REPLY;
	new_word = *(__u16 *)icmp6;
	icmp6->icmp6_cksum = rf_csum_replace(icmp6->icmp6_cksum, old_word, new_word);

	addr = ip6h->saddr;
	ip6h->saddr = ip6h->daddr;
	ip6h->daddr = addr;
	ip6h->hop_limit = RF_DEFAULT_TTL;
	rf_swap_macs(eth);
	return XDP_TX;
}

#ifdef RF_ICMP_TOO_BIG_GEN

/* Bytes of the generated IPv4 error: headers we add plus the quoted start of the frame. */
#define RF_ICMP4_TOO_BIG_ADDED (sizeof(struct iphdr) + sizeof(struct rf_icmphdr))
#define RF_ICMP4_TOO_BIG_FRAME (RF_ICMP_TOO_BIG_QUOTE + RF_ICMP4_TOO_BIG_ADDED)
#define RF_ICMP4_TOO_BIG_MSG   (RF_ICMP4_TOO_BIG_FRAME - sizeof(struct ethhdr) - sizeof(struct iphdr))
#define RF_ICMP6_TOO_BIG_ADDED (sizeof(struct ipv6hdr) + sizeof(struct icmp6hdr))
#define RF_ICMP6_TOO_BIG_FRAME (RF_ICMPV6_TOO_BIG_QUOTE + RF_ICMP6_TOO_BIG_ADDED)
#define RF_ICMP6_TOO_BIG_MSG   (RF_ICMP6_TOO_BIG_FRAME - sizeof(struct ethhdr) - sizeof(struct ipv6hdr))

/* Sum of the two 16-bit halves of a 32-bit big-endian value, in memory order. */
static __always_inline __u32 rf_csum_be32(__u32 host_value)
{
	__u32 wire = bpf_htonl(host_value);

	return (wire & 0xffff) + (wire >> 16);
}

/* Replaces an oversized IPv4 frame with ICMP "fragmentation needed" quoting its start.
 * The frame was parsed as IPv4 without options. */
static __always_inline int rf_icmp4_too_big(struct xdp_md *ctx, __u32 frame_len)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph = (void *)(eth + 1);
	struct rf_icmphdr *icmp;
	__u8 client_mac[RF_ETH_ALEN], our_mac[RF_ETH_ALEN];
	__be32 client, vip;
	__s64 sum;

	if ((void *)(iph + 1) > data_end)
		return XDP_DROP;
	__builtin_memcpy(client_mac, eth->h_source, RF_ETH_ALEN);
	__builtin_memcpy(our_mac, eth->h_dest, RF_ETH_ALEN);
	client = iph->saddr;
	vip = iph->daddr;

	if (bpf_xdp_adjust_tail(ctx, RF_ICMP_TOO_BIG_QUOTE - (int)frame_len))
		return XDP_DROP;
	if (bpf_xdp_adjust_head(ctx, 0 - (int)RF_ICMP4_TOO_BIG_ADDED))
		return XDP_DROP;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	if (data + RF_ICMP4_TOO_BIG_FRAME > data_end)
		return XDP_DROP;
	eth = data;
	iph = (void *)(eth + 1);
	icmp = (void *)(iph + 1);

	__builtin_memcpy(eth->h_dest, client_mac, RF_ETH_ALEN);
	__builtin_memcpy(eth->h_source, our_mac, RF_ETH_ALEN);
	eth->h_proto = bpf_htons(ETH_P_IP);

	*(__u8 *)iph = RF_IPV4_VERSION_IHL;
	iph->tos = 0;
	iph->tot_len = bpf_htons(RF_ICMP4_TOO_BIG_FRAME - sizeof(struct ethhdr));
	iph->id = 0;
	iph->frag_off = 0;
	iph->ttl = RF_DEFAULT_TTL;
	iph->protocol = IPPROTO_ICMP;
	iph->check = 0;
	iph->saddr = vip;
	iph->daddr = client;
	iph->check = rf_ipv4_hdr_csum(iph);

	icmp->type = RF_ICMP_DEST_UNREACH;
	icmp->code = RF_ICMP_FRAG_NEEDED;
	icmp->checksum = 0;
	icmp->rest_hi = 0;
	icmp->rest_lo = bpf_htons(RF_TOO_BIG_MTU);
	sum = bpf_csum_diff(NULL, 0, (__be32 *)icmp, RF_ICMP4_TOO_BIG_MSG, 0);
	if (sum < 0)
		return XDP_DROP;
	icmp->checksum = (__u16)~rf_csum_fold((__u32)sum);
	return XDP_TX;
}

/* Replaces an oversized IPv6 frame with ICMPv6 "packet too big" quoting its start. */
static __always_inline int rf_icmp6_too_big(struct xdp_md *ctx, __u32 frame_len)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct ipv6hdr *ip6h = (void *)(eth + 1);
	struct icmp6hdr *icmp6;
	__u8 client_mac[RF_ETH_ALEN], our_mac[RF_ETH_ALEN];
	struct in6_addr client, vip;
	__u32 pseudo;
	__s64 sum;

	if ((void *)(ip6h + 1) > data_end)
		return XDP_DROP;
	__builtin_memcpy(client_mac, eth->h_source, RF_ETH_ALEN);
	__builtin_memcpy(our_mac, eth->h_dest, RF_ETH_ALEN);
	client = ip6h->saddr;
	vip = ip6h->daddr;

	if (bpf_xdp_adjust_tail(ctx, RF_ICMPV6_TOO_BIG_QUOTE - (int)frame_len))
		return XDP_DROP;
	if (bpf_xdp_adjust_head(ctx, 0 - (int)RF_ICMP6_TOO_BIG_ADDED))
		return XDP_DROP;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	if (data + RF_ICMP6_TOO_BIG_FRAME > data_end)
		return XDP_DROP;
	eth = data;
	ip6h = (void *)(eth + 1);
	icmp6 = (void *)(ip6h + 1);

	__builtin_memcpy(eth->h_dest, client_mac, RF_ETH_ALEN);
	__builtin_memcpy(eth->h_source, our_mac, RF_ETH_ALEN);
	eth->h_proto = bpf_htons(ETH_P_IPV6);

	*(__be32 *)ip6h = bpf_htonl(RF_IPV6_VERSION_WORD);
	ip6h->payload_len = bpf_htons(RF_ICMP6_TOO_BIG_MSG);
	ip6h->nexthdr = IPPROTO_ICMPV6;
	ip6h->hop_limit = RF_DEFAULT_TTL;
	ip6h->saddr = vip;
	ip6h->daddr = client;

	icmp6->icmp6_type = RF_ICMPV6_PKT_TOOBIG;
	icmp6->icmp6_code = 0;
	icmp6->icmp6_cksum = 0;
	icmp6->icmp6_mtu = bpf_htonl(RF_TOO_BIG_MTU);
	/* pseudo-header: both addresses, upper-layer length, next header */
	pseudo = rf_csum_v6_addr(vip.in6_u.u6_addr32) + rf_csum_v6_addr(client.in6_u.u6_addr32) +
		 rf_csum_be32(RF_ICMP6_TOO_BIG_MSG) + rf_csum_be32(IPPROTO_ICMPV6);
	sum = bpf_csum_diff(NULL, 0, (__be32 *)icmp6, RF_ICMP6_TOO_BIG_MSG, pseudo);
	if (sum < 0)
		return XDP_DROP;
	icmp6->icmp6_cksum = (__u16)~rf_csum_fold((__u32)sum);
	return XDP_TX;
}

#endif /* RF_ICMP_TOO_BIG_GEN */

#endif /* RF_ICMP_H */
