// SPDX-License-Identifier: Apache-2.0
/*
 * xdp_root — the one XDP program attached to a device when several XDP programs share it
 * ("shared mode"). It tail-calls root_array slot 0, 1, ... in order: an empty slot falls
 * through to the next, and when every slot is empty the packet passes (XDP_PASS).
 * The balancer can run standalone (attached directly) or registered in a slot; a program in a
 * slot ends the chain with its verdict, or calls rf_root_next() to hand the packet on.
 */
#include "xdp_root.h"

SEC("xdp")
int xdp_root(struct xdp_md *ctx)
{
#pragma unroll
	for (__u32 i = 0; i < RF_ROOT_SLOTS; i++)
		bpf_tail_call(ctx, &root_array, i);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
