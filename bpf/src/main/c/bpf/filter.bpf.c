// SPDX-License-Identifier: Apache-2.0
/*
 * filter.bpf.c — the XDP pre-filter: drop, allow, rate-limit or observe packets by rules in maps,
 * ahead of the balancer (in an xdp_root slot, handing packets on with rf_root_next) or alone.
 * Per packet: the source prefix's chain, then the destination prefix's chain, then (UDP queries to
 * port 53) the DNS rules; the first rule that decides wins. Nothing dropped goes on: to the next
 * xdp_root slot when filter_ctl says the program is chained, else XDP_PASS. Frames it cannot read
 * (not IP, truncated headers) go on unfiltered; the balancer settles them.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "rf_abi.h"
#include "filter_consts.h"
#include "filter_maps.h"
#include "filter_parse.h"
#include "filter_rules.h"
#include "filter_dns.h"
#include "xdp_root.h"

/* The rules' decision for a parsed packet: RF_FILTER_A_DROP, RF_FILTER_A_ALLOW or RF_FILTER_NEXT. */
static __always_inline int rf_filter_decide(struct xdp_md *ctx, void *data, void *data_end, const struct rf_filter_pkt *pkt)
{
	int decision = rf_filter_prefix(&filter_src_v4, &filter_src_v6, &pkt->src, pkt, &pkt->dst);

	if (decision == RF_FILTER_NEXT)
		decision = rf_filter_prefix(&filter_dst_v4, &filter_dst_v6, &pkt->dst, pkt, &pkt->src);
	if (decision == RF_FILTER_NEXT)
		decision = rf_filter_dns(ctx, data, data_end, pkt);
	return decision;
}

/* Where a packet not dropped goes. */
static __always_inline int rf_filter_hand_on(struct xdp_md *ctx)
{
	__u32 key = RF_FILTER_CTL_MAIN;
	struct rf_filter_ctl *ctl = bpf_map_lookup_elem(&filter_ctl, &key);

	if (ctl && (ctl->flags & RF_FILTER_CTL_F_CHAINED))
		return rf_root_next(ctx, ctl->root_slot);
	return XDP_PASS;
}

SEC("xdp")
int xdp_filter(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct rf_filter_pkt pkt;
	int parsed;

	__builtin_memset(&pkt, 0, sizeof(pkt));
	parsed = rf_filter_parse(data, data_end, &pkt);
	if (parsed != RF_FILTER_PARSED) {
		rf_filter_count_global(parsed == RF_FILTER_NOT_IP ? RF_FG_NOT_IP : RF_FG_MALFORMED, pkt.len);
	} else {
		if (!pkt.has_l4 && (pkt.proto == IPPROTO_TCP || pkt.proto == IPPROTO_UDP))
			rf_filter_count_global(RF_FG_NO_L4, pkt.len);
		if (rf_filter_decide(ctx, data, data_end, &pkt) == RF_FILTER_A_DROP) {
			rf_filter_count_global(RF_FG_DROPPED, pkt.len);
			return XDP_DROP;
		}
	}
	rf_filter_count_global(RF_FG_HANDED_ON, pkt.len);
	return rf_filter_hand_on(ctx);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
