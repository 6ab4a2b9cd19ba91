// SPDX-License-Identifier: Apache-2.0
/* Test-only: two programs for xdp_root's slots. chain_first counts and hands on to the next slot;
 * chain_second counts and drops. Load with root_array's pin path set to xdp_root's pinned map. */
#include "xdp_root.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} chain_hits SEC(".maps");

static __always_inline void hit(__u32 i)
{
	__u64 *v = bpf_map_lookup_elem(&chain_hits, &i);

	if (v)
		__sync_fetch_and_add(v, 1);
}

SEC("xdp")
int chain_first(struct xdp_md *ctx)
{
	hit(0);
	return rf_root_next(ctx, 0);
}

SEC("xdp")
int chain_second(struct xdp_md *ctx)
{
	hit(1);
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
