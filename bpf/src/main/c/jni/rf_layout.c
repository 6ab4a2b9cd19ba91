/* SPDX-License-Identifier: Apache-2.0 */
/* Reports sizeof/offsetof of every struct in rf_abi.h (and its counts) so the Java codecs are
 * tested against the C definitions, not against a second hand-written copy. */
#include <stddef.h>
#include <stdio.h>

#include "rf_abi.h"
#include "rf_jni.h"
#include "io_ringfleet_bpf_NativeBpf.h"

struct rf_layout_entry {
	const char *name;
	long value;
};

#define SZ(s)     { #s, (long)sizeof(struct s) }
#define OFF(s, f) { #s "." #f, (long)offsetof(struct s, f) }
#define CONST(c)  { "const." #c, (long)(c) }

static const struct rf_layout_entry rf_layout[] = {
	SZ(rf_vip_key), OFF(rf_vip_key, addr), OFF(rf_vip_key, port), OFF(rf_vip_key, proto),
	OFF(rf_vip_key, family),
	SZ(rf_vip_meta), OFF(rf_vip_meta, flags), OFF(rf_vip_meta, vip_num),
	SZ(rf_real), OFF(rf_real, addr), OFF(rf_real, flags),
	SZ(rf_flow_key), OFF(rf_flow_key, src), OFF(rf_flow_key, dst), OFF(rf_flow_key, sport),
	OFF(rf_flow_key, dport), OFF(rf_flow_key, proto),
	SZ(rf_conn), OFF(rf_conn, real_index), OFF(rf_conn, atime_ns),
	SZ(rf_counter), OFF(rf_counter, packets), OFF(rf_counter, bytes),
	SZ(rf_down_real_key), OFF(rf_down_real_key, vip_num), OFF(rf_down_real_key, real_index),
	SZ(rf_ctl), OFF(rf_ctl, mac),
	SZ(rf_conn_rate), OFF(rf_conn_rate, window_start_ns), OFF(rf_conn_rate, new_conns),
	SZ(rf_encap_src), OFF(rf_encap_src, addr),
	SZ(rf_cidr_vip_key), OFF(rf_cidr_vip_key, prefixlen), OFF(rf_cidr_vip_key, port),
	OFF(rf_cidr_vip_key, proto), OFF(rf_cidr_vip_key, family), OFF(rf_cidr_vip_key, addr),
	SZ(rf_src_route_key), OFF(rf_src_route_key, prefixlen), OFF(rf_src_route_key, family),
	OFF(rf_src_route_key, addr),
	SZ(rf_hc_real), OFF(rf_hc_real, addr), OFF(rf_hc_real, flags),
	SZ(rf_hc_ctl), OFF(rf_hc_ctl, src_v4), OFF(rf_hc_ctl, src_v6), OFF(rf_hc_ctl, ifindex),
	OFF(rf_hc_ctl, src_mac), OFF(rf_hc_ctl, dst_mac),
	CONST(RF_FAMILY_V4), CONST(RF_FAMILY_V6), CONST(RF_REAL_F_V6),
	CONST(RF_CTL_GATEWAY_MAC), CONST(RF_CTL_COUNT), CONST(RF_GC_COUNT),
	CONST(RF_GC_LRU_LOOKUP), CONST(RF_GC_LRU_HIT), CONST(RF_GC_LRU_MISS_TCP_SYN),
	CONST(RF_GC_LRU_MISS_TCP_OTHER), CONST(RF_GC_LRU_MISS_UDP), CONST(RF_GC_FALLBACK_HIT),
	CONST(RF_GC_NEW_CONN_LIMITED), CONST(RF_GC_ICMP_ECHO), CONST(RF_GC_ICMP_TOO_BIG),
	CONST(RF_GC_ICMP_PTB_FORWARD), CONST(RF_GC_CH_DROP), CONST(RF_GC_ENCAP_FAIL), CONST(RF_GC_QUIC_ROUTED),
	CONST(RF_GC_QUIC_FALLBACK), CONST(RF_GC_XDP_PASS), CONST(RF_GC_XDP_DROP), CONST(RF_GC_XDP_TX),
	CONST(RF_GC_UDP_FLOW_MIGRATED), CONST(RF_GC_OVERSIZE), CONST(RF_GC_SECOND_CHANCE),
	CONST(RF_HC_FORWARDED), CONST(RF_HC_NO_MAPPING), CONST(RF_HC_ENCAP_FAIL),
	CONST(RF_HC_NO_SOURCE), CONST(RF_HC_NOT_IP), CONST(RF_HC_COUNT),
	CONST(RF_HC_CTL_MAIN), CONST(RF_HC_CTL_COUNT), CONST(RF_ROOT_SLOTS), CONST(RF_RING_SIZE),
	CONST(RF_ENCAP_SRC_V4), CONST(RF_ENCAP_SRC_V6), CONST(RF_ENCAP_SRC_COUNT),
	CONST(RF_CIDR_KEY_FIXED_BITS), CONST(RF_SRC_ROUTE_KEY_FIXED_BITS), CONST(RF_VIP_F_SRC_ROUTING),
	CONST(RF_DECAP_F_EGRESS), CONST(RF_DECAP_PROG_RECIRC), CONST(RF_DECAP_PROGS_COUNT),
	CONST(RF_BACKEND_CTL_GATEWAY_MAC), CONST(RF_BACKEND_CTL_COUNT), CONST(RF_BC_NOT_TUNNEL),
	CONST(RF_BC_DECAP_IPIP), CONST(RF_BC_DECAP_GUE), CONST(RF_BC_SC_LOCAL), CONST(RF_BC_SC_FORWARDED),
	CONST(RF_BC_SC_UNROUTABLE), CONST(RF_BC_COUNT),
	SZ(rf_filter_v4_key), OFF(rf_filter_v4_key, prefixlen), OFF(rf_filter_v4_key, addr),
	SZ(rf_filter_v6_key), OFF(rf_filter_v6_key, prefixlen), OFF(rf_filter_v6_key, addr),
	SZ(rf_filter_chain), OFF(rf_filter_chain, rules),
	SZ(rf_filter_rule), OFF(rf_filter_rule, action), OFF(rf_filter_rule, flags), OFF(rf_filter_rule, proto),
	OFF(rf_filter_rule, tcp_flags_mask), OFF(rf_filter_rule, tcp_flags_value), OFF(rf_filter_rule, other_family),
	OFF(rf_filter_rule, other_prefixlen), OFF(rf_filter_rule, over_action), OFF(rf_filter_rule, sport_lo),
	OFF(rf_filter_rule, sport_hi), OFF(rf_filter_rule, dport_lo), OFF(rf_filter_rule, dport_hi),
	OFF(rf_filter_rule, len_min), OFF(rf_filter_rule, len_max), OFF(rf_filter_rule, other),
	OFF(rf_filter_rule, rate_pps), OFF(rf_filter_rule, rate_bps),
	SZ(rf_filter_dns_key), OFF(rf_filter_dns_key, name_hash), OFF(rf_filter_dns_key, qtype),
	OFF(rf_filter_dns_key, kind),
	SZ(rf_filter_dns_depths), OFF(rf_filter_dns_depths, exact_any), OFF(rf_filter_dns_depths, exact_typed),
	OFF(rf_filter_dns_depths, suffix_any), OFF(rf_filter_dns_depths, suffix_typed),
	SZ(rf_filter_counter), OFF(rf_filter_counter, packets), OFF(rf_filter_counter, bytes),
	OFF(rf_filter_counter, last_hit_ns), OFF(rf_filter_counter, over_rate),
	SZ(rf_filter_bucket), OFF(rf_filter_bucket, stamp_ns), OFF(rf_filter_bucket, packet_tokens),
	OFF(rf_filter_bucket, byte_tokens),
	SZ(rf_filter_ctl), OFF(rf_filter_ctl, flags), OFF(rf_filter_ctl, root_slot),
	CONST(RF_FILTER_CHAIN_LEN), CONST(RF_FILTER_A_DROP), CONST(RF_FILTER_A_ALLOW), CONST(RF_FILTER_A_RATE),
	CONST(RF_FILTER_F_OBSERVE), CONST(RF_FILTER_DNS_EXACT), CONST(RF_FILTER_DNS_SUFFIX),
	CONST(RF_FILTER_DNS_HASH_BASIS), CONST(RF_FILTER_DNS_HASH_PRIME), CONST(RF_FILTER_DNS_MAX_LABELS),
	CONST(RF_FILTER_CTL_MAIN), CONST(RF_FILTER_CTL_COUNT), CONST(RF_FILTER_CTL_F_CHAINED),
	CONST(RF_FG_HANDED_ON), CONST(RF_FG_DROPPED), CONST(RF_FG_NOT_IP), CONST(RF_FG_MALFORMED),
	CONST(RF_FG_NO_L4), CONST(RF_FG_DNS_QUERY), CONST(RF_FG_DNS_UNREAD), CONST(RF_FG_COUNT),
};

JNIEXPORT jobjectArray JNICALL RF_JNI(abiLayout)(JNIEnv *env, jclass cls)
{
	size_t n = sizeof(rf_layout) / sizeof(rf_layout[0]);
	jclass string_cls;
	jobjectArray out;
	char buf[128];

	(void)cls;
	string_cls = (*env)->FindClass(env, "java/lang/String");
	if (!string_cls)
		return NULL;
	out = (*env)->NewObjectArray(env, (jsize)n, string_cls, NULL);
	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		jstring s;

		snprintf(buf, sizeof(buf), "%s=%ld", rf_layout[i].name, rf_layout[i].value);
		s = (*env)->NewStringUTF(env, buf);
		if (!s)
			return NULL;
		(*env)->SetObjectArrayElement(env, out, (jsize)i, s);
		(*env)->DeleteLocalRef(env, s);
		if ((*env)->ExceptionCheck(env))
			return NULL;
	}
	return out;
}
