// SPDX-License-Identifier: Apache-2.0
/*
 * balancer.bpf.c — Ringfleet's XDP L4 load balancer (Katran-compatible behaviour).
 * The entry parses the frame by family and hands it to rf_balancer.h; every frame is counted
 * in the per-action totals. Build variants: see the Makefile (RF_ICMP_TOO_BIG_GEN, RF_GUE_ENCAP,
 * RF_TCP_SERVER_ID_ROUTING, RF_INLINE_DECAP_GUE, RF_CIDR_VIP,
 * RF_LPM_SRC_ROUTING).
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "rf_abi.h"
#include "rf_consts.h"
#include "rf_maps.h"
#include "rf_parse.h"
#include "rf_stats.h"
#include "rf_balancer.h"

SEC("xdp")
int balancer_ingress(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct rf_pkt pkt;
	int verdict, action;

	__builtin_memset(&pkt, 0, sizeof(pkt));
	pkt.frame_len = data_end - data;

	if ((void *)(eth + 1) > data_end)
		verdict = XDP_DROP;
	else if (eth->h_proto == bpf_htons(ETH_P_IP))
		verdict = rf_parse_v4(data, data_end, &pkt);
	else if (eth->h_proto == bpf_htons(ETH_P_IPV6))
		verdict = rf_parse_v6(data, data_end, &pkt);
	else
		verdict = XDP_PASS;

	action = rf_process(ctx, &pkt, verdict);
	rf_count_action(action, pkt.frame_len);
	return action;
}

/* A GPL-compatible string, as the kernel requires of programs that may use GPL-only helpers. */
char LICENSE[] SEC("license") = "Dual BSD/GPL";
