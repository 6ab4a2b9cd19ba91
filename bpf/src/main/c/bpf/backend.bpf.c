/* SPDX-License-Identifier: Apache-2.0 */
/*
 * backend.bpf.c — ringfleet-backend, the XDP program for reals (bpf/README.md, "ringfleet-backend"):
 * decapsulates what the balancer sends (IPIP, IP6IP6, direct GUE, second-chance GUE) and gives a
 * second-chance TCP segment that no local socket owns to the real that served its flow before the
 * ring changed, instead of letting the stack reset the connection.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "rf_abi.h"
#include "rf_backend.h"
#include "backend_maps.h"

static __always_inline int rf_backend_count(__u32 counter, __u64 frame_len, int action)
{
	struct rf_counter *c = bpf_map_lookup_elem(&backend_stats, &counter);

	if (c) {
		c->packets++;
		c->bytes += frame_len;
	}
	return action;
}

SEC("xdp")
int ringfleet_backend(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u64 frame_len = data_end - data;
	struct rf_tunnel t = {};
	int counter;

	if (rf_parse_tunnel(data, data_end, &t) || rf_strip_tunnel(ctx, &t))
		return rf_backend_count(RF_BC_NOT_TUNNEL, frame_len, XDP_PASS);
	if (!t.second_chance)
		return rf_backend_count(t.counter, frame_len, XDP_PASS);
	counter = rf_second_chance(ctx, &t);
	return rf_backend_count(counter, frame_len, counter == RF_BC_SC_FORWARDED ? XDP_TX : XDP_PASS);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
