/* SPDX-License-Identifier: Apache-2.0 */
/*
 * filter_maps.h — every map of the XDP pre-filter. The variable names are the map names (Java:
 * io.ringfleet.bpf.MapNames); sizes are defaults from filter_consts.h. Structs are in rf_abi.h.
 */
#ifndef RF_FILTER_MAPS_H
#define RF_FILTER_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "rf_abi.h"
#include "filter_consts.h"

/* Source / destination prefix -> chain id, one trie per family and side. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, RF_FILTER_MAX_PREFIXES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct rf_filter_v4_key);
	__type(value, __u32);
} filter_src_v4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, RF_FILTER_MAX_PREFIXES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct rf_filter_v6_key);
	__type(value, __u32);
} filter_src_v6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, RF_FILTER_MAX_PREFIXES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct rf_filter_v4_key);
	__type(value, __u32);
} filter_dst_v4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, RF_FILTER_MAX_PREFIXES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct rf_filter_v6_key);
	__type(value, __u32);
} filter_dst_v6 SEC(".maps");

/* Chain id -> the rule ids to try, in order. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, RF_FILTER_MAX_CHAINS);
	__type(key, __u32);
	__type(value, struct rf_filter_chain);
} filter_chains SEC(".maps");

/* Rule id -> its conditions and action. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, RF_FILTER_MAX_RULES);
	__type(key, __u32);
	__type(value, struct rf_filter_rule);
} filter_rules SEC(".maps");

/* DNS name or suffix hash (and query type) -> rule id. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, RF_FILTER_MAX_DNS);
	__type(key, struct rf_filter_dns_key);
	__type(value, __u32);
} filter_dns SEC(".maps");

/* Which filter_dns keys exist, by kind and label count (rf_abi.h): the DNS fold looks up only those. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rf_filter_dns_depths);
} filter_dns_depths SEC(".maps");

/* Rule id -> per-CPU counters. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, RF_FILTER_MAX_RULES);
	__type(key, __u32);
	__type(value, struct rf_filter_counter);
} filter_stats SEC(".maps");

/* Rule id -> per-CPU token buckets of RATE rules. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, RF_FILTER_MAX_RULES);
	__type(key, __u32);
	__type(value, struct rf_filter_bucket);
} filter_buckets SEC(".maps");

/* Where a packet goes when no rule drops it (standalone: XDP_PASS; in xdp_root: the next slot). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, RF_FILTER_CTL_COUNT);
	__type(key, __u32);
	__type(value, struct rf_filter_ctl);
} filter_ctl SEC(".maps");

/* Per-CPU room for a DNS query name and its label hashes (too large for the BPF stack). */
struct rf_filter_scratch {
	__u8 name[RF_FILTER_DNS_MAX_NAME + 1];
	__u64 label_hash[RF_FILTER_DNS_MAX_LABELS]; /* label i at i % RF_FILTER_DNS_MAX_LABELS: the last ones survive */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rf_filter_scratch);
} filter_scratch SEC(".maps");

/* enum rf_filter_global_counter -> per-CPU packets and bytes. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, RF_FG_COUNT);
	__type(key, __u32);
	__type(value, struct rf_counter);
} filter_global SEC(".maps");

#endif
