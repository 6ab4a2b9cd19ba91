// SPDX-License-Identifier: Apache-2.0
/*
 * bench_wrapper — the datapath benchmark's harness (io.ringfleet.bpf.bench.DatapathBench), run
 * with BPF_PROG_TEST_RUN in live-frames mode. Live mode resets only the buffer pointers between
 * repetitions, not the bytes, so a forwarding program would see its own encapsulated output from
 * the second repetition on (STACK.md). This wrapper first restores the frame's first
 * RF_BENCH_RESTORE bytes (everything an encapsulating balancer overwrites: the outer headers go
 * in front of the frame and the new Ethernet header overlays its first 14 bytes), optionally
 * gives the flow a new source port from a per-CPU sequence (a "new flow" on every repetition),
 * then tail-calls bench_target[0]. Its own cost is measured with trivial targets
 * (bench_tx / bench_pass / bench_drop) and subtracted by the harness.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* Bytes restored at the start of every repetition; bench frames are at least this long. */
#define RF_BENCH_RESTORE 64

/* The original first bytes of the frame under test. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u8[RF_BENCH_RESTORE]);
} bench_frame SEC(".maps");

/* bench_cfg[0]: offset of the L4 source port to vary per repetition, 0 = keep the frame's. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} bench_cfg SEC(".maps");

/* Per-CPU sequence for the varied source port. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} bench_seq SEC(".maps");

/* Slot 0: the program under test. */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} bench_target SEC(".maps");

SEC("xdp")
int bench_wrapper(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 zero = 0;
	__u8 *orig = bpf_map_lookup_elem(&bench_frame, &zero);
	__u32 *sport_off = bpf_map_lookup_elem(&bench_cfg, &zero);
	__u32 *seq;

	if (!orig || !sport_off || data + RF_BENCH_RESTORE > data_end)
		return XDP_ABORTED;
	__builtin_memcpy(data, orig, RF_BENCH_RESTORE);
	if (*sport_off) {
		__u32 off = *sport_off & (RF_BENCH_RESTORE - 2);
		__u16 *port = data + off;

		seq = bpf_map_lookup_elem(&bench_seq, &zero);
		if (seq && (void *)(port + 1) <= data_end) {
			*seq += 1;
			*port = (__u16)*seq;
		}
	}
	bpf_tail_call(ctx, &bench_target, 0);
	return XDP_ABORTED;
}

SEC("xdp")
int bench_tx(struct xdp_md *ctx)
{
	return XDP_TX;
}

SEC("xdp")
int bench_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("xdp")
int bench_drop(struct xdp_md *ctx)
{
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
