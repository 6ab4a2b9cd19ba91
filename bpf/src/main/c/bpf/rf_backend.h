/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rf_backend.h — ringfleet-backend's steps (backend.bpf.c): recognise what the balancer sends a
 * real, strip it, and give a second-chance packet that has no local connection to its second real.
 *
 * Recognised (anything else, and a tunnel whose inner packet does not match its label, passes
 * untouched):
 *  - IPIP / IPv6-in-IPv4 (outer IPv4 protocol 4 / 41, no options, not a fragment) and
 *    IP6IP6 / IPv4-in-IPv6 (outer IPv6 next header 41 / 4);
 *  - direct GUE: UDP to RF_GUE_DPORT whose payload starts with an IPv4 / IPv6 header;
 *  - second-chance GUE: UDP to RF_GUE_DPORT + struct rf_sc_hdr (rf_sc.h) + inner IP.
 * Stripping removes everything between the Ethernet header and the inner IP header, keeps both MAC
 * addresses and sets the ethertype of the inner family: the stack sees the client's packet to the
 * VIP as if it had come straight from the client (what an `ipip external` device would hand over).
 */
#ifndef RF_BACKEND_H
#define RF_BACKEND_H

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
#include "rf_parse.h"
#include "rf_encap.h"
#include "rf_sc.h"
#include "backend_maps.h"

#define RF_NOT_OURS (-1)

/* What the outer headers say about a tunnel packet. */
struct rf_tunnel {
	__u32 outer_len;      /* bytes between the Ethernet header and the inner IP header */
	__u8 inner_v6;        /* the inner packet is IPv6 */
	__u8 counter;         /* enum rf_backend_counter when the packet is delivered here */
	__u8 second_chance;   /* a second-chance header named `second` */
	__u8 second_v6;       /* `second` is an IPv6 address */
	union rf_addr second; /* the real that served the flow before the ring changed */
};

/* The inner family a tunnel label (IP protocol / next header) announces, checked against the
 * inner packet's version nibble at `inner` (which must be inside the frame). */
static __always_inline int rf_tunnel_inner(__u8 label, const __u8 *inner, void *data_end,
					   struct rf_tunnel *t)
{
	__u8 want;

	if ((void *)(inner + 1) > data_end)
		return RF_NOT_OURS;
	if (label == IPPROTO_IPIP)
		want = RF_FAMILY_V4;
	else if (label == IPPROTO_IPV6)
		want = RF_FAMILY_V6;
	else
		return RF_NOT_OURS;
	if ((*inner >> RF_IP_VERSION_SHIFT) != want)
		return RF_NOT_OURS;
	t->inner_v6 = want == RF_FAMILY_V6;
	return 0;
}

/* The second-chance header at `sc`; t->outer_len covers the outer IP and UDP headers. */
static __always_inline int rf_parse_sc(struct rf_sc_hdr *sc, void *data_end, struct rf_tunnel *t)
{
	if ((void *)(sc + 1) > data_end)
		return RF_NOT_OURS;
	if (sc->ver_hlen != RF_SC_GUE_VER_HLEN || sc->flags || sc->kind != RF_SC_KIND)
		return RF_NOT_OURS;
	if (sc->family != RF_FAMILY_V4 && sc->family != RF_FAMILY_V6)
		return RF_NOT_OURS;
	if (rf_tunnel_inner(sc->proto, (const __u8 *)(sc + 1), data_end, t))
		return RF_NOT_OURS;
	t->outer_len += sizeof(*sc);
	t->counter = RF_BC_SC_LOCAL;
	t->second_chance = 1;
	t->second_v6 = sc->family == RF_FAMILY_V6;
	t->second = sc->second;
	return 0;
}

/* UDP at `l4`: direct GUE or second-chance GUE, told apart by the GUE version bits. */
static __always_inline int rf_parse_gue_tunnel(struct udphdr *udp, void *data_end, struct rf_tunnel *t)
{
	__u8 *payload = (void *)(udp + 1);

	if ((void *)(payload + 1) > data_end || udp->dest != bpf_htons(RF_GUE_DPORT))
		return RF_NOT_OURS;
	t->outer_len += sizeof(*udp);
	if (!(*payload & RF_GUE_VERSION_MASK))
		return rf_parse_sc((void *)payload, data_end, t);
	t->counter = RF_BC_DECAP_GUE;
	/* direct GUE labels nothing: the version nibble is the label */
	return rf_tunnel_inner((*payload >> RF_IP_VERSION_SHIFT) == RF_FAMILY_V6 ? IPPROTO_IPV6 : IPPROTO_IPIP,
			       payload, data_end, t);
}

/* Reads the outer headers into `t`; RF_NOT_OURS when the frame is not a tunnel packet of ours. */
static __always_inline int rf_parse_tunnel(void *data, void *data_end, struct rf_tunnel *t)
{
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return RF_NOT_OURS;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *iph = (void *)(eth + 1);

		if ((void *)(iph + 1) > data_end || *(__u8 *)iph != RF_IPV4_VERSION_IHL ||
		    (iph->frag_off & bpf_htons(RF_IPV4_FRAG_MASK)))
			return RF_NOT_OURS;
		t->outer_len = sizeof(*iph);
		if (iph->protocol == IPPROTO_UDP)
			return rf_parse_gue_tunnel((void *)(iph + 1), data_end, t);
		t->counter = RF_BC_DECAP_IPIP;
		return rf_tunnel_inner(iph->protocol, (void *)(iph + 1), data_end, t);
	}
	if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6h = (void *)(eth + 1);

		if ((void *)(ip6h + 1) > data_end)
			return RF_NOT_OURS;
		t->outer_len = sizeof(*ip6h);
		if (ip6h->nexthdr == IPPROTO_UDP)
			return rf_parse_gue_tunnel((void *)(ip6h + 1), data_end, t);
		t->counter = RF_BC_DECAP_IPIP;
		return rf_tunnel_inner(ip6h->nexthdr, (void *)(ip6h + 1), data_end, t);
	}
	return RF_NOT_OURS;
}

/* Removes the outer headers (rf_parse_tunnel checked they are in the frame). */
static __always_inline int rf_strip_tunnel(struct xdp_md *ctx, const struct rf_tunnel *t)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u8 dst[RF_ETH_ALEN], src[RF_ETH_ALEN];

	if ((void *)(eth + 1) > data_end)
		return -1;
	rf_copy_mac(dst, eth->h_dest);
	rf_copy_mac(src, eth->h_source);
	if (bpf_xdp_adjust_head(ctx, (int)t->outer_len))
		return -1;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	eth = data;
	if ((void *)(eth + 1) > data_end)
		return -1;
	rf_copy_mac(eth->h_dest, dst);
	rf_copy_mac(eth->h_source, src);
	eth->h_proto = bpf_htons(t->inner_v6 ? ETH_P_IPV6 : ETH_P_IP);
	return 0;
}

/* Does the host have a socket of this TCP flow (established, SYN-received or time-wait; a listener
 * does not count: it would answer a stray segment with a reset)? Looked up in the namespace of the
 * device the packet arrived on. */
static __always_inline int rf_has_local_socket(struct xdp_md *ctx, const struct rf_pkt *pkt)
{
	struct bpf_sock_tuple tuple = {};
	struct bpf_sock *sk;
	__u32 size;
	int present;

	if (pkt->family == RF_FAMILY_V6) {
		__builtin_memcpy(tuple.ipv6.saddr, pkt->flow.src.v6, sizeof(tuple.ipv6.saddr));
		__builtin_memcpy(tuple.ipv6.daddr, pkt->flow.dst.v6, sizeof(tuple.ipv6.daddr));
		tuple.ipv6.sport = pkt->flow.sport;
		tuple.ipv6.dport = pkt->flow.dport;
		size = sizeof(tuple.ipv6);
	} else {
		tuple.ipv4.saddr = pkt->flow.src.v4;
		tuple.ipv4.daddr = pkt->flow.dst.v4;
		tuple.ipv4.sport = pkt->flow.sport;
		tuple.ipv4.dport = pkt->flow.dport;
		size = sizeof(tuple.ipv4);
	}
	sk = bpf_skc_lookup_tcp(ctx, &tuple, size, BPF_F_CURRENT_NETNS, 0);
	if (!sk)
		return 0;
	present = sk->state != BPF_TCP_LISTEN;
	bpf_sk_release(sk);
	return present;
}

static __always_inline int rf_mac_is_zero(const __u8 *mac)
{
	return !(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]);
}

/* Re-encapsulates the (stripped) packet to the second real with IPIP / IP6IP6, as the balancer
 * forwards: the second real delivers it whatever it finds, so a packet takes at most one extra hop. */
static __always_inline int rf_forward_second(struct xdp_md *ctx, const struct rf_pkt *pkt,
					     const struct rf_tunnel *t)
{
	__u32 key = RF_BACKEND_CTL_GATEWAY_MAC;
	struct rf_ctl *gateway = bpf_map_lookup_elem(&backend_ctl, &key);
	struct rf_real real = { .addr = t->second, .flags = t->second_v6 ? RF_REAL_F_V6 : 0 };
	int encap;

	if (!gateway || rf_mac_is_zero(gateway->mac) ||
	    !(real.addr.v6[0] | real.addr.v6[1] | real.addr.v6[2] | real.addr.v6[3]))
		return RF_BC_SC_UNROUTABLE;
	encap = t->second_v6 ? rf_encap_v6(ctx, pkt, &real, gateway) : rf_encap_v4(ctx, pkt, &real, gateway);
	return encap == RF_ENCAP_OK ? RF_BC_SC_FORWARDED : RF_BC_SC_UNROUTABLE;
}

/* A stripped second-chance packet: forwarded (RF_BC_SC_FORWARDED) when it is a TCP segment other
 * than a SYN that no local socket owns; delivered here otherwise. Returns its counter. */
static __always_inline int rf_second_chance(struct xdp_md *ctx, const struct rf_tunnel *t)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct rf_pkt pkt = {};
	int parsed = t->inner_v6 ? rf_parse_v6(data, data_end, &pkt) : rf_parse_v4(data, data_end, &pkt);

	if (parsed != RF_CONTINUE || pkt.flow.proto != IPPROTO_TCP ||
	    (pkt.flags & (RF_PKT_SYN | RF_PKT_ICMP_ERR)))
		return RF_BC_SC_LOCAL;
	if (rf_has_local_socket(ctx, &pkt))
		return RF_BC_SC_LOCAL;
	return rf_forward_second(ctx, &pkt, t);
}

#endif /* RF_BACKEND_H */
