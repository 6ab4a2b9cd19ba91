/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rf_maps.h — every map of the XDP balancer, in one place. Userspace finds them by these names;
 * keys and values are the structs of rf_abi.h. Sizes are defaults (rf_consts.h): the loader may
 * set any max_entries before load.
 */
#ifndef RF_MAPS_H
#define RF_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "rf_abi.h"
#include "rf_consts.h"

/* (address, port, proto, family) -> flags and vip_num. A port-0 entry matches any port. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, RF_MAX_VIPS);
	__type(key, struct rf_vip_key);
	__type(value, struct rf_vip_meta);
} vip_map SEC(".maps");

/* (address, port 0, proto 0, family) -> number of VIPs on that address. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, RF_MAX_VIPS);
	__type(key, struct rf_vip_key);
	__type(value, __u32);
} vip_addrs SEC(".maps");

/* real index -> backend address. Index 0 and entries with a zero address are "no real". */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, RF_MAX_REALS);
	__type(key, __u32);
	__type(value, struct rf_real);
} reals SEC(".maps");

/* vip_num * RF_RING_SIZE + slot -> real index (0: no real, the packet is dropped). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, RF_CH_RINGS_SIZE);
	__type(key, __u32);
	__type(value, __u32);
} ch_rings SEC(".maps");

/* Connection table of CPUs that have no inner map in conn_lru_maps. Declared before the
 * template below so that clang emits full BTF for the key and value types. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, RF_CONN_FALLBACK_SIZE);
	__type(key, struct rf_flow_key);
	__type(value, struct rf_conn);
} conn_fallback SEC(".maps");

/* Template of the per-CPU connection tables. The loader creates one map like this per CPU
 * (any max_entries, but the same type, key, value and flags) and stores it at that CPU's id. */
struct rf_conn_lru_inner {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, RF_CONN_LRU_TEMPLATE_SIZE);
	__uint(map_flags, BPF_F_NO_COMMON_LRU);
	__type(key, struct rf_flow_key);
	__type(value, struct rf_conn);
};

/* CPU id -> that CPU's connection table. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, RF_MAX_CPUS);
	__type(key, __u32);
	__array(values, struct rf_conn_lru_inner);
} conn_lru_maps SEC(".maps");

/* Per-VIP counters, indexed by vip_num: every packet that matched the VIP. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, RF_MAX_VIPS);
	__type(key, __u32);
	__type(value, struct rf_counter);
} vip_stats SEC(".maps");

/* Per-real counters, indexed by real index: every packet forwarded to the real. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, RF_MAX_REALS);
	__type(key, __u32);
	__type(value, struct rf_counter);
} real_stats SEC(".maps");

/* Named counters, indexed by enum rf_global_counter. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, RF_GC_COUNT);
	__type(key, __u32);
	__type(value, struct rf_counter);
} global_stats SEC(".maps");

/* Control values; RF_CTL_GATEWAY_MAC holds the next hop's MAC. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, RF_CTL_COUNT);
	__type(key, __u32);
	__type(value, struct rf_ctl);
} ctl_array SEC(".maps");

/* QUIC server id (from the destination connection id) -> real index. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, RF_MAX_QUIC_IDS);
	__type(key, __u32);
	__type(value, __u32);
} quic_ids SEC(".maps");

/* (vip_num, real index) of UDP-flow-migration VIPs whose real is down -> 1. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, RF_MAX_DOWN_REALS);
	__type(key, struct rf_down_real_key);
	__type(value, __u8);
} down_reals SEC(".maps");

/* New-connection rate limiter state, one window per CPU (key 0). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rf_conn_rate);
} conn_rate SEC(".maps");

#if defined(RF_GUE_ENCAP) || defined(RF_SECOND_CHANCE)
/* RF_ENCAP_SRC_V4 / RF_ENCAP_SRC_V6 -> the balancer's own address: outer source of GUE packets
 * (second-chance frames are GUE in every build). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, RF_ENCAP_SRC_COUNT);
	__type(key, __u32);
	__type(value, struct rf_encap_src);
} encap_srcs SEC(".maps");
#endif

#ifdef RF_CIDR_VIP
/* Prefix VIPs: consulted when the exact vip_map lookup misses (see rf_cidr_vip.h). */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, RF_MAX_CIDR_VIPS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct rf_cidr_vip_key);
	__type(value, struct rf_vip_meta);
} cidr_vips SEC(".maps");
#endif

#ifdef RF_LPM_SRC_ROUTING
/* Client source prefix -> real index, for VIPs with RF_VIP_F_SRC_ROUTING (see rf_src_route.h). */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, RF_MAX_SRC_ROUTES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct rf_src_route_key);
	__type(value, __u32);
} src_routes SEC(".maps");
#endif

#ifdef RF_INLINE_DECAP_GUE
/* Decap destinations: address (union rf_addr) -> RF_DECAP_F_* flags (see rf_gue_decap.h). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, RF_MAX_DECAP_DSTS);
	__type(key, union rf_addr);
	__type(value, __u32);
} decap_dsts SEC(".maps");

/* RF_DECAP_PROG_RECIRC -> the balancer itself: decapsulated packets of a listed destination
 * without RF_DECAP_F_EGRESS are balanced again through it. */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, RF_DECAP_PROGS_COUNT);
	__type(key, __u32);
	__type(value, __u32);
} decap_progs SEC(".maps");
#endif

#ifdef RF_SECOND_CHANCE
/* The previous ring of every VIP, laid out as ch_rings (vip_num * RF_RING_SIZE + slot -> real
 * index; 0: no history). A TCP segment that is not a SYN, has no connection-table entry and whose
 * slot names another real here than in ch_rings goes to the ch_rings real with this one as its
 * second chance (rf_sc.h). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, RF_CH_RINGS_SIZE);
	__type(key, __u32);
	__type(value, __u32);
} ch_rings_prev SEC(".maps");
#endif

#endif /* RF_MAPS_H */
