/* SPDX-License-Identifier: Apache-2.0 */
/*
 * filter_rules.h — one rule against one packet: its conditions, its counters, its token buckets and
 * its decision; and a chain of rules tried in order until one decides.
 */
#ifndef RF_FILTER_RULES_H
#define RF_FILTER_RULES_H

#include <linux/bpf.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "rf_abi.h"
#include "filter_consts.h"
#include "filter_maps.h"
#include "filter_parse.h"

/* A rule's decision besides RF_FILTER_A_DROP / RF_FILTER_A_ALLOW: it does not decide, try the next. */
#define RF_FILTER_NEXT 0

/* A filter_global counter: one packet of `len` bytes. */
static __always_inline void rf_filter_count_global(__u32 which, __u32 len)
{
	struct rf_counter *c = bpf_map_lookup_elem(&filter_global, &which);

	if (c) {
		c->packets++;
		c->bytes += len;
	}
}

/* Network-order mask of the first `bits` bits of a 32-bit word (bits may be <= 0 or >= 32). */
static __always_inline __be32 rf_filter_word_mask(int bits)
{
	if (bits <= 0)
		return 0;
	if (bits >= 32)
		return 0xffffffff;
	return bpf_htonl(0xffffffffu << (32 - bits));
}

/* `addr` lies in the rule's other prefix (or the rule sets none). */
static __always_inline int rf_filter_other_matches(const struct rf_filter_rule *rule, __u8 family,
						   const union rf_addr *addr)
{
	int bits = rule->other_prefixlen;

	if (!rule->other_family)
		return 1;
	if (rule->other_family != family)
		return 0;
#pragma unroll
	for (int w = 0; w < 4; w++) {
		__be32 mask = rf_filter_word_mask(bits - 32 * w);

		if ((addr->v6[w] & mask) != rule->other.v6[w])
			return 0;
	}
	return 1;
}

static __always_inline int rf_filter_in_range(__u32 value, __u16 lo, __u16 hi)
{
	return !hi || (value >= lo && value <= hi);
}

/* Protocol, ports, TCP flags and length. Port and flag conditions need a whole L4 header. */
static __always_inline int rf_filter_l4_matches(const struct rf_filter_rule *rule, const struct rf_filter_pkt *pkt)
{
	if (rule->proto && rule->proto != pkt->proto)
		return 0;
	if (!rf_filter_in_range(pkt->len, rule->len_min, rule->len_max))
		return 0;
	if (!rule->sport_hi && !rule->dport_hi && !rule->tcp_flags_mask)
		return 1;
	if (!pkt->has_l4)
		return 0;
	if (rule->tcp_flags_mask &&
	    (pkt->proto != IPPROTO_TCP || (pkt->tcp_flags & rule->tcp_flags_mask) != rule->tcp_flags_value))
		return 0;
	return rf_filter_in_range(pkt->sport, rule->sport_lo, rule->sport_hi) &&
	       rf_filter_in_range(pkt->dport, rule->dport_lo, rule->dport_hi);
}

static __always_inline void rf_filter_count(__u32 rule_id, __u32 len, __u64 now, int over)
{
	struct rf_filter_counter *c = bpf_map_lookup_elem(&filter_stats, &rule_id);

	if (!c)
		return;
	c->packets++;
	c->bytes += len;
	c->last_hit_ns = now;
	if (over)
		c->over_rate++;
}

/* Tokens after refilling `elapsed` ns at `rate` per second, up to the burst. */
static __always_inline __u64 rf_filter_refill(__u64 tokens, __u64 rate, __u64 elapsed)
{
	__u64 cap = rate * RF_FILTER_BURST_NS;
	__u64 add = elapsed * rate;

	if (tokens >= cap || add >= cap - tokens)
		return cap;
	return tokens + add;
}

/* Takes one packet's tokens from the rule's buckets on this CPU; 1 if there were not enough (none taken). */
static __always_inline int rf_filter_over_rate(__u32 rule_id, const struct rf_filter_rule *rule, __u32 len, __u64 now)
{
	struct rf_filter_bucket *b = bpf_map_lookup_elem(&filter_buckets, &rule_id);
	__u64 packet_cost = rule->rate_pps ? RF_FILTER_TOKEN_COST : 0;
	__u64 byte_cost = rule->rate_bps ? RF_FILTER_TOKEN_COST * len : 0;
	__u64 elapsed;

	if (!b)
		return 0;
	if (now > b->stamp_ns) {
		elapsed = now - b->stamp_ns;
		/* a longer idle time fills the bucket anyway; capping keeps elapsed * rate in 64 bits */
		if (elapsed > RF_FILTER_BURST_NS)
			elapsed = RF_FILTER_BURST_NS;
		b->packet_tokens = rf_filter_refill(b->packet_tokens, rule->rate_pps, elapsed);
		b->byte_tokens = rf_filter_refill(b->byte_tokens, rule->rate_bps, elapsed);
		b->stamp_ns = now;
	}
	if (b->packet_tokens < packet_cost || b->byte_tokens < byte_cost)
		return 1;
	b->packet_tokens -= packet_cost;
	b->byte_tokens -= byte_cost;
	return 0;
}

/*
 * Rule `rule_id` against the packet; `other` is the address the rule's `other` prefix tests.
 * Returns RF_FILTER_A_DROP, RF_FILTER_A_ALLOW or RF_FILTER_NEXT.
 */
static __always_inline int rf_filter_apply(__u32 rule_id, const struct rf_filter_pkt *pkt, const union rf_addr *other)
{
	struct rf_filter_rule *rule = bpf_map_lookup_elem(&filter_rules, &rule_id);
	int decision, over = 0;
	__u64 now;

	if (!rule || rule->action == RF_FILTER_A_NONE)
		return RF_FILTER_NEXT;
	if (!rf_filter_l4_matches(rule, pkt) || !rf_filter_other_matches(rule, pkt->family, other))
		return RF_FILTER_NEXT;
	/* the clock is read only for matched packets: the no-match path costs no clock read. The coarse clock (a
	 * tick's resolution) is plenty for a last-hit stamp and one-second token buckets, and on this VM costs
	 * ≈ 30 ns less per matched packet than bpf_ktime_get_ns (BENCHMARKS.md, "XDP pre-filter") */
	now = bpf_ktime_get_coarse_ns();
	decision = rule->action;
	if (decision == RF_FILTER_A_RATE) {
		over = rf_filter_over_rate(rule_id, rule, pkt->len, now);
		decision = over ? rule->over_action : RF_FILTER_NEXT;
	}
	rf_filter_count(rule_id, pkt->len, now, over);
	if (rule->flags & RF_FILTER_F_OBSERVE)
		return RF_FILTER_NEXT;
	return decision;
}

/* The rules of chain `chain_id` in order, until one decides. */
static __always_inline int rf_filter_chain(__u32 chain_id, const struct rf_filter_pkt *pkt, const union rf_addr *other)
{
	struct rf_filter_chain *chain = bpf_map_lookup_elem(&filter_chains, &chain_id);
	int decision;

	if (!chain)
		return RF_FILTER_NEXT;
	for (int i = 0; i < RF_FILTER_CHAIN_LEN; i++) {
		__u32 rule_id = chain->rules[i];

		if (!rule_id)
			break;
		decision = rf_filter_apply(rule_id, pkt, other);
		if (decision != RF_FILTER_NEXT)
			return decision;
	}
	return RF_FILTER_NEXT;
}

/* The chain of the longest prefix holding `addr` in the side's trie of the packet's family. */
static __always_inline int rf_filter_prefix(void *trie_v4, void *trie_v6, const union rf_addr *addr,
					    const struct rf_filter_pkt *pkt, const union rf_addr *other)
{
	struct rf_filter_v4_key k4 = { .prefixlen = 32, .addr = addr->v4 };
	struct rf_filter_v6_key k6 = { .prefixlen = 128 };
	__u32 *chain_id;

	if (pkt->family == RF_FAMILY_V4) {
		chain_id = bpf_map_lookup_elem(trie_v4, &k4);
	} else {
		__builtin_memcpy(k6.addr, addr->v6, sizeof(k6.addr));
		chain_id = bpf_map_lookup_elem(trie_v6, &k6);
	}
	return chain_id ? rf_filter_chain(*chain_id, pkt, other) : RF_FILTER_NEXT;
}

#endif
