/* SPDX-License-Identifier: Apache-2.0 */
/*
 * backend_decap.bpf.c — a backend's decapsulation of what the balancer sends it, for kernels built
 * without IPIP / IPv6 tunnel devices (CONFIG_NET_IPIP, CONFIG_IPV6_TUNNEL unset): attached to the
 * backend's link (XDP), it strips the outer IPv4 header of IPIP / IPv6-in-IPv4 frames and the outer
 * IPv6 header of IP6IP6 / IPv4-in-IPv6 frames, rewrites the Ethernet type for the inner packet and
 * passes it to the stack, which then sees the client's packet to the VIP as if it had arrived
 * directly (like an `ipip external` / `ip6tnl external` device would hand it over). Everything else
 * passes untouched. Outer IPv4 headers with options or fragments, and outer IPv6 headers followed by
 * extension headers, are passed as they are (the balancer never sends them).
 *
 * Counters (decap_stats, per CPU): 0 = IPv4 outer stripped, 1 = IPv6 outer stripped.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define DECAP_V4 0
#define DECAP_V6 1
#define IP_MF_OR_OFFSET 0x3fff

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} decap_stats SEC(".maps");

static __always_inline void count(__u32 which)
{
	__u64 *c = bpf_map_lookup_elem(&decap_stats, &which);

	if (c)
		*c += 1;
}

SEC("xdp")
int backend_decap(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	unsigned char dst[ETH_ALEN], src[ETH_ALEN];
	__u16 inner;
	int outer_len;
	__u32 which;

	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *iph = (void *)(eth + 1);

		if ((void *)(iph + 1) > data_end || iph->ihl != 5 ||
		    (iph->frag_off & bpf_htons(IP_MF_OR_OFFSET)))
			return XDP_PASS;
		if (iph->protocol == IPPROTO_IPIP)
			inner = ETH_P_IP;
		else if (iph->protocol == IPPROTO_IPV6)
			inner = ETH_P_IPV6;
		else
			return XDP_PASS;
		outer_len = sizeof(struct iphdr);
		which = DECAP_V4;
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);

		if ((void *)(ip6 + 1) > data_end)
			return XDP_PASS;
		if (ip6->nexthdr == IPPROTO_IPV6)
			inner = ETH_P_IPV6;
		else if (ip6->nexthdr == IPPROTO_IPIP)
			inner = ETH_P_IP;
		else
			return XDP_PASS;
		outer_len = sizeof(struct ipv6hdr);
		which = DECAP_V6;
	} else {
		return XDP_PASS;
	}

	__builtin_memcpy(dst, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(src, eth->h_source, ETH_ALEN);
	if (bpf_xdp_adjust_head(ctx, outer_len))
		return XDP_DROP;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	eth = data;
	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	__builtin_memcpy(eth->h_dest, dst, ETH_ALEN);
	__builtin_memcpy(eth->h_source, src, ETH_ALEN);
	eth->h_proto = bpf_htons(inner);
	count(which);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
