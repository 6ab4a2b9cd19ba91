/* SPDX-License-Identifier: Apache-2.0 */
/* backend_maps.h — the maps of ringfleet-backend (backend.bpf.c); layouts in rf_abi.h. */
#ifndef RF_BACKEND_MAPS_H
#define RF_BACKEND_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "rf_abi.h"

/* The next hop of re-encapsulated second-chance packets, at RF_BACKEND_CTL_GATEWAY_MAC. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, RF_BACKEND_CTL_COUNT);
	__type(key, __u32);
	__type(value, struct rf_ctl);
} backend_ctl SEC(".maps");

/* Counters (packets, bytes) per enum rf_backend_counter. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, RF_BC_COUNT);
	__type(key, __u32);
	__type(value, struct rf_counter);
} backend_stats SEC(".maps");

#endif /* RF_BACKEND_MAPS_H */
