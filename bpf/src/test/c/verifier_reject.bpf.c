// SPDX-License-Identifier: Apache-2.0
/* Test-only: a program the verifier must reject (packet read without a bounds check), to test
 * that a load failure is a BpfException carrying the verifier log. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int unchecked_read(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;

	return *(volatile __u8 *)(data + 20) ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
