/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rf_conn.h — the connection table: flow -> real index, per CPU (conn_lru_maps) with a shared
 * fallback (conn_fallback), UDP entries expiring after RF_UDP_TIMEOUT_NS idle, and a per-CPU
 * new-connection rate limit that stops inserts (not forwarding) under a flood of new flows.
 */
#ifndef RF_CONN_H
#define RF_CONN_H

#include <linux/bpf.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include "rf_abi.h"
#include "rf_consts.h"
#include "rf_maps.h"
#include "rf_parse.h"
#include "rf_stats.h"

/* The connection table of this CPU. */
struct rf_conn_table {
	void *map;    /* this CPU's inner map, or NULL: use conn_fallback */
	int fallback; /* 1: conn_fallback, because this CPU has no inner map */
};

/*
 * Every access to the table has one call site per map: a helper call that may see two different
 * maps cannot be turned into a direct call by the verifier and costs an indirect call (a
 * retpoline on most kernels). The empty asm keeps the compiler from merging the two calls.
 */
static __always_inline struct rf_conn *rf_conn_get(const struct rf_conn_table *table,
						   const struct rf_flow_key *key)
{
	struct rf_conn *conn;

	if (table->fallback)
		return bpf_map_lookup_elem(&conn_fallback, key);
	conn = bpf_map_lookup_elem(table->map, key);
	asm volatile("" : "+r"(conn));
	return conn;
}

static __always_inline void rf_conn_put(const struct rf_conn_table *table, const struct rf_flow_key *key,
					const struct rf_conn *conn)
{
	long err;

	if (table->fallback) {
		bpf_map_update_elem(&conn_fallback, key, conn, BPF_ANY);
		return;
	}
	err = bpf_map_update_elem(table->map, key, conn, BPF_ANY);
	asm volatile("" : "+r"(err));
}

static __always_inline void rf_conn_table_get(struct rf_conn_table *table)
{
	__u32 cpu = bpf_get_smp_processor_id();

	table->map = bpf_map_lookup_elem(&conn_lru_maps, &cpu);
	table->fallback = !table->map;
}

/* Monotonic time, read at most once per packet (0 = not read yet). The coarse clock (one tick of
 * resolution) is plenty for a 30 s timeout and a 1 s window, and costs no clock-source read. */
static __always_inline __u64 rf_now(__u64 *now)
{
	if (!*now)
		*now = bpf_ktime_get_coarse_ns();
	return *now;
}

/* Counts one new flow against this CPU's budget; true when the budget of the window is spent. */
static __always_inline int rf_conn_rate_exceeded(__u64 now)
{
	__u32 zero = 0;
	struct rf_conn_rate *rate = bpf_map_lookup_elem(&conn_rate, &zero);

	if (!rate)
		return 1;
	if (now - rate->window_start_ns >= RF_CONN_RATE_WINDOW_NS) {
		rate->window_start_ns = now;
		rate->new_conns = 1;
		return 0;
	}
	return ++rate->new_conns > RF_MAX_CONN_RATE;
}

/* True while this CPU's window has no budget left: the next insert would be refused. Counts nothing. */
static __always_inline int rf_conn_rate_spent(__u64 now)
{
	__u32 zero = 0;
	struct rf_conn_rate *rate = bpf_map_lookup_elem(&conn_rate, &zero);

	if (!rate)
		return 1;
	return now - rate->window_start_ns < RF_CONN_RATE_WINDOW_NS && rate->new_conns >= RF_MAX_CONN_RATE;
}

/* Remembers flow -> real index, unless new flows arrive too fast. UDP entries get a time stamp. */
static __always_inline void rf_conn_insert(const struct rf_conn_table *table, const struct rf_pkt *pkt,
					   __u32 real_index, __u64 *now)
{
	struct rf_conn conn = {};

	if (rf_conn_rate_exceeded(rf_now(now))) {
		rf_count_event(RF_GC_NEW_CONN_LIMITED);
		return;
	}
	conn.real_index = real_index;
	if (pkt->flow.proto == IPPROTO_UDP)
		conn.atime_ns = *now;
	rf_conn_put(table, &pkt->flow, &conn);
}

/* Points an existing entry at `real_index`, or inserts one (QUIC routing by server id). */
static __always_inline void rf_conn_set(const struct rf_conn_table *table, const struct rf_pkt *pkt,
					__u32 real_index, __u64 *now)
{
	struct rf_conn *conn = rf_conn_get(table, &pkt->flow);

	if (!conn) {
		rf_conn_insert(table, pkt, real_index, now);
		return;
	}
	if (conn->real_index != real_index)
		conn->real_index = real_index;
	if (pkt->flow.proto == IPPROTO_UDP)
		conn->atime_ns = rf_now(now);
}

/* Counts a connection-table miss by its kind. */
static __always_inline void rf_conn_count_miss(const struct rf_pkt *pkt)
{
	if (pkt->flow.proto == IPPROTO_UDP)
		rf_count_event(RF_GC_LRU_MISS_UDP);
	else if (pkt->flags & RF_PKT_SYN)
		rf_count_event(RF_GC_LRU_MISS_TCP_SYN);
	else
		rf_count_event(RF_GC_LRU_MISS_TCP_OTHER);
}

/*
 * Real index remembered for the flow, or 0 (miss). A UDP entry idle for longer than the timeout
 * is a miss; a hit refreshes its time stamp (not for ICMP errors, which are not flow traffic).
 */
static __always_inline __u32 rf_conn_lookup(const struct rf_conn_table *table, const struct rf_pkt *pkt,
					    __u64 *now)
{
	struct rf_conn *conn;

	rf_count_event(RF_GC_LRU_LOOKUP);
	conn = rf_conn_get(table, &pkt->flow);
	if (!conn)
		return 0;
	if (pkt->flow.proto == IPPROTO_UDP) {
		if (rf_now(now) - conn->atime_ns > RF_UDP_TIMEOUT_NS)
			return 0;
		if (!(pkt->flags & RF_PKT_ICMP_ERR))
			conn->atime_ns = *now;
	}
	return conn->real_index;
}

#endif /* RF_CONN_H */
