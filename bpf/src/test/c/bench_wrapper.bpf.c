// SPDX-License-Identifier: Apache-2.0
/*
 * bench_wrapper — the datapath benchmark's harness (io.ringfleet.bpf.bench.DatapathBench).
 *
 * BPF_PROG_TEST_RUN runs a program `repeat` times on one frame, but restores nothing between
 * repetitions: with plain repeat the buffer pointers a program moved stay moved and the bytes it
 * rewrote stay rewritten; in live-frames mode the pointers are reset but the bytes are not
 * (STACK.md). So on every repetition this wrapper
 *   1. moves the packet start back to where the frame began: an encapsulating balancer grew the
 *      frame at its head (bpf_xdp_adjust_head by minus the outer headers), so the start moves by
 *      (current length - original length); the call is made even when that is 0, so the trivial
 *      baseline pays for it too;
 *   2. restores the frame's first RF_BENCH_RESTORE bytes (everything a balancer overwrites);
 *   3. optionally gives the flow a new source port from a per-CPU sequence (a new flow on every
 *      repetition);
 *   4. tail-calls bench_target[0].
 * Its own cost is measured with trivial targets (bench_tx / bench_pass / bench_drop) and
 * subtracted by the harness.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* Bytes restored at the start of every repetition; bench frames are at least this long. */
#define RF_BENCH_RESTORE 64

/* bench_cfg indexes. */
enum rf_bench_cfg {
	RF_BENCH_SPORT_OFF = 0, /* offset of the L4 source port to vary per repetition, 0 = keep */
	RF_BENCH_FRAME_LEN,     /* length of the original frame */
	RF_BENCH_CFG_COUNT
};

/* The original first bytes of the frame under test. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u8[RF_BENCH_RESTORE]);
} bench_frame SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, RF_BENCH_CFG_COUNT);
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

static __always_inline __u32 *rf_bench_cfg(__u32 index)
{
	return bpf_map_lookup_elem(&bench_cfg, &index);
}

/* Step 1: the packet starts where the original frame started. */
static __always_inline int rf_bench_rewind(struct xdp_md *ctx)
{
	__u32 *frame_len = rf_bench_cfg(RF_BENCH_FRAME_LEN);

	if (!frame_len)
		return -1;
	return bpf_xdp_adjust_head(ctx, (int)bpf_xdp_get_buff_len(ctx) - (int)*frame_len);
}

/* Step 3: a new source port from the per-CPU sequence. */
static __always_inline void rf_bench_vary_sport(void *data, void *data_end, __u32 offset)
{
	__u32 zero = 0;
	__u16 *port = data + (offset & (RF_BENCH_RESTORE - 2));
	__u32 *seq;

	if ((void *)(port + 1) > data_end)
		return;
	seq = bpf_map_lookup_elem(&bench_seq, &zero);
	if (!seq)
		return;
	*seq += 1;
	*port = (__u16)*seq;
}

SEC("xdp")
int bench_wrapper(struct xdp_md *ctx)
{
	__u32 zero = 0;
	__u8 *orig = bpf_map_lookup_elem(&bench_frame, &zero);
	__u32 *sport_off = rf_bench_cfg(RF_BENCH_SPORT_OFF);
	void *data, *data_end;

	if (!orig || !sport_off || rf_bench_rewind(ctx))
		return XDP_ABORTED;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	if (data + RF_BENCH_RESTORE > data_end)
		return XDP_ABORTED;
	__builtin_memcpy(data, orig, RF_BENCH_RESTORE);
	if (*sport_off)
		rf_bench_vary_sport(data, data_end, *sport_off);
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
