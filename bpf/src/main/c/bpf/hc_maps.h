/* SPDX-License-Identifier: Apache-2.0 */
/* hc_maps.h — the maps of the health-check forwarder; layouts in rf_abi.h. */
#ifndef RF_HC_MAPS_H
#define RF_HC_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "rf_abi.h"
#include "hc_consts.h"

/* SO_MARK of a health-check socket -> the real its packets are encapsulated to. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, RF_HC_MAX_REALS);
	__type(key, __u32);
	__type(value, struct rf_hc_real);
} hc_reals SEC(".maps");

/* Outer-header configuration, one entry at RF_HC_CTL_MAIN. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, RF_HC_CTL_COUNT);
	__type(key, __u32);
	__type(value, struct rf_hc_ctl);
} hc_ctl SEC(".maps");

/* Counters (packets, bytes) per enum rf_hc_counter. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, RF_HC_COUNT);
	__type(key, __u32);
	__type(value, struct rf_counter);
} hc_stats SEC(".maps");

#endif
