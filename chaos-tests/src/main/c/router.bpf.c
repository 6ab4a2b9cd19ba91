/* SPDX-License-Identifier: Apache-2.0 */
/*
 * router.bpf.c — two helpers for the namespace router of the demo fleet.
 *
 * router_pass (XDP, on the router's end of each LB link): passes every frame. A veth only receives
 * the frames its peer sends with XDP_TX when it runs NAPI itself; an attached XDP program is what
 * turns that on (on the 6.18 kernel measured here, enabling GRO did not).
 *
 * router_rehash (tc ingress, on the router's end of each client link): forgets the flow hash a packet
 * brings from the client's socket (veth keeps skb->hash across namespaces, and a socket may pick a new
 * random one after a timeout), so the router's multipath choice is computed by the router itself, over
 * addresses and ports (fib_multipath_hash_policy=1), as on a real router.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int router_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("tc")
int router_rehash(struct __sk_buff *skb)
{
	bpf_set_hash_invalid(skb);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
