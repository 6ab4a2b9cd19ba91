/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rf_stats.h — counter updates. Every counter is a per-CPU struct rf_counter, so plain
 * increments are race-free. "bytes" always means bytes of the frame as it was received.
 */
#ifndef RF_STATS_H
#define RF_STATS_H

#include "rf_maps.h"

static __always_inline void rf_count(void *map, __u32 index, __u32 bytes)
{
	struct rf_counter *counter = bpf_map_lookup_elem(map, &index);

	if (counter) {
		counter->packets++;
		counter->bytes += bytes;
	}
}

/* A named counter that only counts events (its bytes stay 0). */
static __always_inline void rf_count_event(enum rf_global_counter which)
{
	__u32 index = which;
	struct rf_counter *counter = bpf_map_lookup_elem(&global_stats, &index);

	if (counter)
		counter->packets++;
}

/* A named counter split by family: IPv4 events in packets, IPv6 events in bytes. */
static __always_inline void rf_count_by_family(enum rf_global_counter which, __u8 family)
{
	__u32 index = which;
	struct rf_counter *counter = bpf_map_lookup_elem(&global_stats, &index);

	if (!counter)
		return;
	if (family == RF_FAMILY_V6)
		counter->bytes++;
	else
		counter->packets++;
}

/* Per-action totals (packets and bytes) of every frame the program saw. */
static __always_inline void rf_count_action(int action, __u32 frame_len)
{
	__u32 index;

	switch (action) {
	case XDP_TX:
		index = RF_GC_XDP_TX;
		break;
	case XDP_PASS:
		index = RF_GC_XDP_PASS;
		break;
	default:
		index = RF_GC_XDP_DROP;
		break;
	}
	rf_count(&global_stats, index, frame_len);
}

#endif /* RF_STATS_H */
