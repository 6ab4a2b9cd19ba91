// SPDX-License-Identifier: Apache-2.0
/* Test-only programs and maps for the Java bridge tests (never shipped). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "rf_abi.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16); /* the tests override this before load */
	__type(key, __u32);
	__type(value, __u64);
} t_hash SEC(".maps");

/* t_array[0]: the verdict bridge_xdp returns (0 = XDP_PASS); [1]: the byte written at data[0]. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u32);
} t_array SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct rf_counter);
} t_percpu SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 128);
	__type(key, struct rf_flow_key);
	__type(value, struct rf_conn);
} t_lru SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 16);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u64); /* prefixlen + 4-byte address */
	__type(value, __u32);
} t_lpm SEC(".maps");

struct t_inner_lru {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 64);
	__uint(map_flags, BPF_F_NO_COMMON_LRU);
	__type(key, struct rf_flow_key);
	__type(value, struct rf_conn);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, struct t_inner_lru);
} t_outer SEC(".maps");

/* Counts the packet in t_percpu[0], writes t_array[1] into the first byte (if set), returns t_array[0]. */
SEC("xdp")
int bridge_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 k0 = 0, k1 = 1;
	struct rf_counter *c = bpf_map_lookup_elem(&t_percpu, &k0);
	__u32 *verdict = bpf_map_lookup_elem(&t_array, &k0);
	__u32 *byte = bpf_map_lookup_elem(&t_array, &k1);

	if (c) {
		c->packets += 1;
		c->bytes += data_end - data;
	}
	if (byte && *byte && data + 1 <= data_end)
		*(__u8 *)data = (__u8)*byte;
	return verdict && *verdict ? (int)*verdict : XDP_PASS;
}

SEC("xdp")
int xdp_pass_prog(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("xdp")
int xdp_drop_prog(struct xdp_md *ctx)
{
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
