/* SPDX-License-Identifier: Apache-2.0 */
/*
 * xdp_root.h — root_array, the PROG_ARRAY of xdp_root, and the helper a program registered in
 * a slot uses to hand a packet on to the next slot. A program that includes this header and is
 * loaded with root_array's pin path set reuses the root's map (BpfObject#setPinPath).
 */
#ifndef RF_XDP_ROOT_H
#define RF_XDP_ROOT_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "rf_abi.h"

/* Slot i holds the i-th XDP program of the chain (RF_ROOT_SLOTS slots, rf_abi.h). */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, RF_ROOT_SLOTS);
	__type(key, __u32);
	__type(value, __u32);
} root_array SEC(".maps");

/*
 * Continue the chain after slot `slot`: tail-calls the next non-empty slot. Returns XDP_PASS
 * when no later slot holds a program (a successful tail call does not return).
 */
static __always_inline int rf_root_next(struct xdp_md *ctx, __u32 slot)
{
#pragma unroll
	for (__u32 i = 0; i < RF_ROOT_SLOTS; i++) {
		if (i > slot)
			bpf_tail_call(ctx, &root_array, i);
	}
	return XDP_PASS;
}

#endif
