// SPDX-License-Identifier: Apache-2.0
/*
 * healthcheck — tc clsact egress program. A packet whose skb->mark (the SO_MARK of the
 * health-checker's socket) is a key of hc_reals is encapsulated towards that real, exactly as
 * the balancer would forward a client packet, so the health check tests the real's tunnel path:
 *   real is IPv4 -> outer IPv4 (protocol 4 for an IPv4 inner packet, 41 for IPv6: IPIP / 6in4)
 *   real is IPv6 -> outer IPv6 (next header 41 for IPv6 inside, 4 for IPv4: IP6IP6 / 4in6)
 * or, built with -DRF_GUE_ENCAP (healthcheck_gue), as the GUE balancer would: outer IP + UDP
 * (protocol / next header 17, destination port RF_GUE_DPORT, source port from the flow hash,
 * checksum 0), the inner IP packet right after the UDP header.
 * Outer IPv4: TOS 0, id 0, no DF (as the balancer's), TTL 64. Outer IPv6: traffic class and flow
 * label 0, hop limit 64.
 *
 * How: bpf_skb_adjust_room(BPF_ADJ_ROOM_MAC, ENCAP_L3_*) inserts the outer header's room after
 * the Ethernet header (the kernel records inner offsets, so GSO and checksum offload of the inner
 * packet keep working), then the outer header is written with bpf_skb_store_bytes. No tunnel
 * device is needed. hc_ctl gives the outer source addresses, optional MAC rewrites and an
 * optional device to redirect to (0 = continue on the device the program is attached to).
 * The mark is cleared after encapsulation so a redirect to a device running this program again
 * does not encapsulate twice.
 *
 * Verdicts: unmarked or unmapped packets are left untouched with TC_ACT_UNSPEC (not ours: the
 * next filter, if any, decides; alone, the packet goes on); an encapsulated packet is redirected
 * to hc_ctl.ifindex when that is set (even if it is this device), else TC_ACT_OK; a mapped packet
 * that cannot be encapsulated (no source of the real's family, adjust_room failure) is dropped
 * and counted — sending it unencapsulated would probe the VIP, not the real.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "rf_abi.h"
#include "hc_consts.h"
#include "hc_maps.h"

struct rf_hc_ipv4 {
	__u8 ver_ihl;
	__u8 tos;
	__be16 tot_len;
	__be16 id;
	__be16 frag_off;
	__u8 ttl;
	__u8 protocol;
	__u16 check;
	__be32 saddr;
	__be32 daddr;
};

struct rf_hc_ipv6 {
	__be32 ver_tc_flow;
	__be16 payload_len;
	__u8 nexthdr;
	__u8 hop_limit;
	__be32 saddr[4];
	__be32 daddr[4];
};

struct rf_hc_udp {
	__be16 source;
	__be16 dest;
	__be16 len;
	__u16 check;
};

static __always_inline void rf_hc_count(__u32 idx, __u64 bytes)
{
	struct rf_counter *c = bpf_map_lookup_elem(&hc_stats, &idx);

	if (c) {
		c->packets += 1;
		c->bytes += bytes;
	}
}

static __always_inline __u16 rf_hc_ipv4_csum(const struct rf_hc_ipv4 *ip)
{
	const __u16 *w = (const __u16 *)ip;
	__u32 sum = 0;

#pragma unroll
	for (int i = 0; i < (int)(sizeof(*ip) / 2); i++)
		sum += w[i];
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

static __always_inline int rf_hc_mac_set(const __u8 *mac)
{
	return mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5];
}

/* GUE build: the outer UDP header's room; 0 for IPIP. */
#ifdef RF_GUE_ENCAP
#define RF_HC_L4_HLEN RF_HC_UDP_HLEN
#define RF_HC_ENCAP_L4_FLAG BPF_F_ADJ_ROOM_ENCAP_L4_UDP
#else
#define RF_HC_L4_HLEN 0
#define RF_HC_ENCAP_L4_FLAG 0
#endif

/* GUE build: writes the outer UDP header after the outer IP header (`ip_hlen` bytes). The source
 * port is the packet's flow hash (stable for a flow, spread across flows) with
 * RF_HC_GUE_SPORT_BIT set; the checksum is 0 (allowed for tunnels over IPv6 too, RFC 6935). */
static __always_inline int rf_hc_store_udp(struct __sk_buff *skb, __u32 ip_hlen, __u32 inner_len,
					   __u32 flow_hash)
{
#ifdef RF_GUE_ENCAP
	struct rf_hc_udp udp = {};

	udp.source = bpf_htons((__u16)flow_hash | RF_HC_GUE_SPORT_BIT);
	udp.dest = bpf_htons(RF_GUE_DPORT);
	udp.len = bpf_htons((__u16)(inner_len + RF_HC_UDP_HLEN));
	return bpf_skb_store_bytes(skb, RF_HC_ETH_HLEN + ip_hlen, &udp, sizeof(udp), 0);
#else
	return 0;
#endif
}

SEC("tc")
int healthcheck(struct __sk_buff *skb)
{
	__u32 mark = skb->mark;
	__u32 key = RF_HC_CTL_MAIN;
	struct rf_hc_real *real;
	struct rf_hc_ctl *ctl;
	__u32 inner_len, flow_hash = 0;
	__u16 inner_eth;
	__u8 inner_proto;
	__be16 outer_eth;

	if (!mark)
		return TC_ACT_UNSPEC;
	real = bpf_map_lookup_elem(&hc_reals, &mark);
	if (!real) {
		rf_hc_count(RF_HC_NO_MAPPING, skb->len);
		return TC_ACT_UNSPEC;
	}
	ctl = bpf_map_lookup_elem(&hc_ctl, &key);
	if (!ctl)
		return TC_ACT_UNSPEC;

	inner_eth = bpf_ntohs(skb->protocol);
	if (inner_eth == RF_ETH_P_IP) {
		inner_proto = RF_IPPROTO_IPIP;
	} else if (inner_eth == RF_ETH_P_IPV6) {
		inner_proto = RF_IPPROTO_IPV6;
	} else {
		rf_hc_count(RF_HC_NOT_IP, skb->len);
		return TC_ACT_UNSPEC;
	}
	if (skb->len < RF_HC_ETH_HLEN) {
		rf_hc_count(RF_HC_NOT_IP, skb->len);
		return TC_ACT_UNSPEC;
	}
	inner_len = skb->len - RF_HC_ETH_HLEN;
#ifdef RF_GUE_ENCAP
	inner_proto = RF_IPPROTO_UDP;
	flow_hash = bpf_get_hash_recalc(skb); /* of the inner packet: read before encapsulating */
#endif

	if (real->flags & RF_REAL_F_V6) {
		struct rf_hc_ipv6 ip6 = {};

		if (!(ctl->src_v6[0] | ctl->src_v6[1] | ctl->src_v6[2] | ctl->src_v6[3])) {
			rf_hc_count(RF_HC_NO_SOURCE, skb->len);
			return TC_ACT_SHOT;
		}
		if (inner_len + RF_HC_L4_HLEN > 0xffff ||
		    bpf_skb_adjust_room(skb, RF_HC_IPV6_HLEN + RF_HC_L4_HLEN, BPF_ADJ_ROOM_MAC,
					BPF_F_ADJ_ROOM_ENCAP_L3_IPV6 | RF_HC_ENCAP_L4_FLAG)) {
			rf_hc_count(RF_HC_ENCAP_FAIL, skb->len);
			return TC_ACT_SHOT;
		}
		ip6.ver_tc_flow = bpf_htonl(6u << 28);
		ip6.payload_len = bpf_htons((__u16)(inner_len + RF_HC_L4_HLEN));
		ip6.nexthdr = inner_proto;
		ip6.hop_limit = RF_HC_TTL;
		__builtin_memcpy(ip6.saddr, ctl->src_v6, sizeof(ip6.saddr));
		__builtin_memcpy(ip6.daddr, real->addr.v6, sizeof(ip6.daddr));
		if (bpf_skb_store_bytes(skb, RF_HC_ETH_HLEN, &ip6, sizeof(ip6), 0) ||
		    rf_hc_store_udp(skb, sizeof(ip6), inner_len, flow_hash)) {
			rf_hc_count(RF_HC_ENCAP_FAIL, skb->len);
			return TC_ACT_SHOT;
		}
		outer_eth = bpf_htons(RF_ETH_P_IPV6);
	} else {
		struct rf_hc_ipv4 ip4 = {};

		if (!ctl->src_v4) {
			rf_hc_count(RF_HC_NO_SOURCE, skb->len);
			return TC_ACT_SHOT;
		}
		if (inner_len + RF_HC_IPV4_HLEN + RF_HC_L4_HLEN > 0xffff ||
		    bpf_skb_adjust_room(skb, RF_HC_IPV4_HLEN + RF_HC_L4_HLEN, BPF_ADJ_ROOM_MAC,
					BPF_F_ADJ_ROOM_ENCAP_L3_IPV4 | RF_HC_ENCAP_L4_FLAG)) {
			rf_hc_count(RF_HC_ENCAP_FAIL, skb->len);
			return TC_ACT_SHOT;
		}
		ip4.ver_ihl = 0x45;
		ip4.tot_len = bpf_htons((__u16)(inner_len + RF_HC_IPV4_HLEN + RF_HC_L4_HLEN));
		ip4.ttl = RF_HC_TTL;
		ip4.protocol = inner_proto;
		ip4.saddr = ctl->src_v4;
		ip4.daddr = real->addr.v4;
		ip4.check = rf_hc_ipv4_csum(&ip4);
		if (bpf_skb_store_bytes(skb, RF_HC_ETH_HLEN, &ip4, sizeof(ip4), 0) ||
		    rf_hc_store_udp(skb, sizeof(ip4), inner_len, flow_hash)) {
			rf_hc_count(RF_HC_ENCAP_FAIL, skb->len);
			return TC_ACT_SHOT;
		}
		outer_eth = bpf_htons(RF_ETH_P_IP);
	}

	/* Ethernet: the outer family's ethertype, then the configured MACs. */
	if (bpf_skb_store_bytes(skb, 12, &outer_eth, sizeof(outer_eth), 0) ||
	    (rf_hc_mac_set(ctl->dst_mac) && bpf_skb_store_bytes(skb, 0, ctl->dst_mac, 6, 0)) ||
	    (rf_hc_mac_set(ctl->src_mac) && bpf_skb_store_bytes(skb, 6, ctl->src_mac, 6, 0))) {
		rf_hc_count(RF_HC_ENCAP_FAIL, skb->len);
		return TC_ACT_SHOT;
	}
	skb->mark = 0;
	rf_hc_count(RF_HC_FORWARDED, skb->len);
	if (ctl->ifindex)
		return bpf_redirect(ctl->ifindex, 0);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
