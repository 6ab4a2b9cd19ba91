/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rf_abi.h — the one definition of every struct that crosses the kernel/user boundary:
 * map keys and values of the balancer, the health-check forwarder and xdp_root.
 * Included by the BPF programs and by the JNI shim (which reports sizeof/offsetof and the
 * constants below, so the Java side is tested against this file).
 *
 * Map names are the variable names in bpf/rf_maps.h, bpf/hc_maps.h and bpf/xdp_root.h (Java:
 * io.ringfleet.bpf.MapNames, tested against the objects). They carry no layout version: an agent
 * reuses a pinned map only when libbpf finds it compatible (type, key and value size, max_entries,
 * flags) and the load fails otherwise. A layout change that keeps those sizes is not detected:
 * change the map's name with it, or tell operators to remove the pin dir.
 *
 * All addresses and ports are in network byte order; everything else is host order.
 */
#ifndef RF_ABI_H
#define RF_ABI_H

#ifdef __BPF__
#include <linux/types.h>
#else
#include <linux/types.h>
#include <stddef.h>
#endif

/* An IPv4 address sits in v4 (the first word); the other three words are zero. */
union rf_addr {
	__be32 v4;
	__be32 v6[4];
};

/* vip_map key: (address, port, protocol). A port-0 VIP has port 0. */
struct rf_vip_key {
	union rf_addr addr;
	__be16 port;
	__u8 proto;
	__u8 family; /* RF_FAMILY_V4 / RF_FAMILY_V6, so a v4 VIP and a v6 VIP never collide */
};

/* vip_map value. */
struct rf_vip_meta {
	__u32 flags;   /* RF_VIP_F_* */
	__u32 vip_num; /* 0 .. max_vips-1: row of the ring map, index of vip_stats */
};

/* reals value (ARRAY indexed by real index; index 0 is never a real). */
struct rf_real {
	union rf_addr addr;
	__u8 flags; /* RF_REAL_F_V6 when addr is IPv6 */
	__u8 pad[3];
};

/* Connection-table key: the flow 5-tuple as it appears on the wire. */
struct rf_flow_key {
	union rf_addr src;
	union rf_addr dst;
	__be16 sport;
	__be16 dport;
	__u8 proto;
	__u8 pad[3];
};

/* Connection-table value. */
struct rf_conn {
	__u32 real_index;
	__u32 pad;
	__u64 atime_ns; /* last packet, for the UDP timeout; 0 for TCP entries */
	                /* (bpf_ktime_get_coarse_ns: CLOCK_MONOTONIC_COARSE, up to a tick behind CLOCK_MONOTONIC) */
};

/* Per-CPU counter cell of vip_stats, real_stats and global_stats. */
struct rf_counter {
	__u64 packets;
	__u64 bytes;
};

/* down_reals key: a real of a UDP-flow-migration VIP that is down. Value: __u8 1. */
struct rf_down_real_key {
	__u32 vip_num;
	__u32 real_index;
};

/* ctl_array value at RF_CTL_GATEWAY_MAC: the next hop every forwarded frame is sent to. */
struct rf_ctl {
	__u8 mac[6];
	__u8 pad[2];
};

/* vip_addrs key: struct rf_vip_key with port 0 and proto 0 (an address that hosts at least one
 * VIP). Value: __u32, the number of VIPs on that address (the datapath only tests presence).
 * Used to answer ICMP echo for VIP addresses and to tell malformed VIP traffic (dropped) from
 * other traffic (passed). */

/* conn_rate value (PERCPU_ARRAY, key 0): the new-connection rate limiter's current window. */
struct rf_conn_rate {
	__u64 window_start_ns; /* bpf_ktime_get_coarse_ns() (CLOCK_MONOTONIC_COARSE) at the window's start */
	__u64 new_conns;       /* connection-table inserts attempted in this window */
};

/* encap_srcs value (GUE build only; ARRAY indexed by RF_ENCAP_SRC_V4 / RF_ENCAP_SRC_V6): the
 * balancer's own address of that family, the outer source of GUE packets towards reals of that
 * family. All zero means "not configured": such packets are dropped (RF_GC_ENCAP_FAIL). */
struct rf_encap_src {
	union rf_addr addr;
};

/* cidr_vips key (builds with RF_CIDR_VIP; LPM_TRIE): a prefix VIP. The trie matches bits from
 * `port` on, so port, proto and family (RF_CIDR_KEY_FIXED_BITS) are always matched whole:
 * prefixlen = RF_CIDR_KEY_FIXED_BITS + the address prefix length. Port 0: any port. An IPv4
 * prefix sits in addr.v4. Value: struct rf_vip_meta (vip_num shared with vip_map's VIPs). */
struct rf_cidr_vip_key {
	__u32 prefixlen;
	__be16 port;
	__u8 proto;
	__u8 family; /* RF_FAMILY_V4 / RF_FAMILY_V6 */
	union rf_addr addr;
};

/* src_routes key (builds with RF_LPM_SRC_ROUTING; LPM_TRIE): a client source prefix.
 * prefixlen = RF_SRC_ROUTE_KEY_FIXED_BITS + the address prefix length (the family and pad are
 * always matched whole). Value: __u32 real index. */
struct rf_src_route_key {
	__u32 prefixlen;
	__u8 family; /* RF_FAMILY_V4 / RF_FAMILY_V6 */
	__u8 pad[3];
	union rf_addr addr;
};

#define RF_CIDR_KEY_FIXED_BITS 32
#define RF_SRC_ROUTE_KEY_FIXED_BITS 32

/* Health-check forwarder: SO_MARK -> destination (hc_reals), and its own source addresses. */
struct rf_hc_real {
	union rf_addr addr;
	__u8 flags; /* RF_REAL_F_V6 */
	__u8 pad[3];
};

/* hc_ctl value (ARRAY, one entry at RF_HC_CTL_MAIN): how the health-check forwarder builds the
 * outer packet. An all-zero address of a family means "no source configured" for that family:
 * marked packets towards a real of that family are then dropped and counted (RF_HC_NO_SOURCE). */
struct rf_hc_ctl {
	__be32 src_v4;     /* outer source for IPIP */
	__be32 src_v6[4];  /* outer source for IP6IP6 */
	__u32 ifindex;     /* redirect the encapsulated packet out of this device; 0 = same device */
	__u8 src_mac[6];   /* all zero: keep the packet's source MAC */
	__u8 dst_mac[6];   /* all zero: keep the packet's destination MAC */
};

#define RF_HC_CTL_MAIN  0
#define RF_HC_CTL_COUNT 1

/* Slots of one VIP's Maglev ring: ch_rings is indexed vip_num * RF_RING_SIZE + slot and the flow
 * hash is taken modulo it. Userspace builds the rings, so it must use the same size: not
 * overridable at build time (Java: FleetLimits.RING_SIZE, checked against what the shim reports). */
#define RF_RING_SIZE 65537

/* xdp_root: slots of root_array, tail-called in order 0, 1, ...; empty slots are skipped. */
#define RF_ROOT_SLOTS 4

#define RF_FAMILY_V4 4
#define RF_FAMILY_V6 6

#define RF_REAL_F_V6 (1u << 0)

/* VIP flag bits: identical to Katran's, so Katran tooling and provision.json map one to one. */
#define RF_VIP_F_HASH_NO_SRC_PORT   (1u << 0)
#define RF_VIP_F_LRU_BYPASS         (1u << 1)
#define RF_VIP_F_QUIC               (1u << 2)
#define RF_VIP_F_HASH_DPORT_ONLY    (1u << 3)
#define RF_VIP_F_SRC_ROUTING        (1u << 4) /* source-prefix routing (builds with RF_LPM_SRC_ROUTING) */
#define RF_VIP_F_LOCAL              (1u << 5) /* accepted, not implemented by the datapath */
#define RF_VIP_F_GLOBAL_LRU         (1u << 6) /* accepted, not implemented by the datapath */
#define RF_VIP_F_HASH_SRC_DST_PORT  (1u << 7)
#define RF_VIP_F_UDP_STABLE_ROUTING (1u << 8) /* UDP: a stable-routing header's server id picks the real */
#define RF_VIP_F_UDP_FLOW_MIGRATION (1u << 9)

/* ctl_array indexes. */
#define RF_CTL_GATEWAY_MAC 0
#define RF_CTL_COUNT       4

/* encap_srcs indexes (GUE build). */
#define RF_ENCAP_SRC_V4    0
#define RF_ENCAP_SRC_V6    1
#define RF_ENCAP_SRC_COUNT 2

/* decap_dsts (builds with RF_INLINE_DECAP_GUE): key union rf_addr (an IPv4 address in v4, the
 * other words zero), value __u32 flags. A GUE packet to a listed address is decapsulated; then,
 * with RF_DECAP_F_EGRESS, sent back out with its MAC addresses swapped (XDP_TX), otherwise run
 * through the balancer again (decap_progs slot RF_DECAP_PROG_RECIRC). */
#define RF_DECAP_F_EGRESS (1u << 1)

/* decap_progs slots (PROG_ARRAY, builds with RF_INLINE_DECAP_GUE): the loader stores the
 * balancer's own program at RF_DECAP_PROG_RECIRC. */
#define RF_DECAP_PROG_RECIRC 0
#define RF_DECAP_PROGS_COUNT 1

/* global_stats indexes: named counters, each an rf_counter (packets, bytes). */
enum rf_global_counter {
	RF_GC_LRU_LOOKUP = 0,    /* packets: flows looked up in the connection table; bytes: unused */
	RF_GC_LRU_HIT,           /* connection-table hits (per-CPU LRU) */
	RF_GC_LRU_MISS_TCP_SYN,  /* misses on a TCP SYN (a new connection) */
	RF_GC_LRU_MISS_TCP_OTHER,/* misses on a non-SYN TCP packet (a flow this LB has not seen) */
	RF_GC_LRU_MISS_UDP,      /* misses on UDP */
	RF_GC_FALLBACK_HIT,      /* hits in the fallback LRU */
	RF_GC_NEW_CONN_LIMITED,  /* new flows not inserted because of the rate limit */
	RF_GC_ICMP_ECHO,         /* packets: v4 echo replies; bytes: v6 echo replies */
	RF_GC_ICMP_TOO_BIG,      /* packets: v4 frag-needed sent; bytes: v6 packet-too-big sent */
	RF_GC_ICMP_PTB_FORWARD,  /* ICMP frag-needed / PTB for a VIP forwarded to the real of the inner flow */
	RF_GC_CH_DROP,           /* new flow whose ring slot held no real */
	RF_GC_ENCAP_FAIL,        /* bpf_xdp_adjust_head or a bounds check after it failed */
	RF_GC_QUIC_ROUTED,       /* QUIC packets routed by server id */
	RF_GC_QUIC_FALLBACK,     /* QUIC packets with no usable server id (hashed instead) */
	RF_GC_XDP_PASS,          /* totals per action: packets and bytes */
	RF_GC_XDP_DROP,
	RF_GC_XDP_TX,
	/* Added by the datapath (appended; the entries above keep their indexes). */
	RF_GC_UDP_FLOW_MIGRATED, /* UDP flows moved off a real listed in down_reals */
	RF_GC_OVERSIZE,          /* VIP frames over the size limit (dropped, or answered with too-big) */
	RF_GC_SECOND_CHANCE,     /* second-chance frames sent (builds with RF_SECOND_CHANCE): a non-SYN TCP
	                          * segment without table entry whose slot changed since the previous ring */
	RF_GC_COUNT
};

/* hc_stats indexes (health-check forwarder). */
enum rf_hc_counter {
	RF_HC_FORWARDED = 0,
	RF_HC_NO_MAPPING,   /* marked packet whose mark has no real */
	RF_HC_ENCAP_FAIL,
	RF_HC_NO_SOURCE,    /* no outer source address of the real's family in hc_ctl */
	RF_HC_NOT_IP,       /* marked packet that is neither IPv4 nor IPv6 over Ethernet */
	RF_HC_COUNT
};

/* backend_ctl (ringfleet-backend, ARRAY, one entry at RF_BACKEND_CTL_GATEWAY_MAC): struct rf_ctl, the
 * next hop a second-chance packet is re-encapsulated to. All zero: not configured, second-chance
 * packets are then delivered locally (RF_BC_SC_UNROUTABLE). */
#define RF_BACKEND_CTL_GATEWAY_MAC 0
#define RF_BACKEND_CTL_COUNT       1

/* backend_stats indexes (ringfleet-backend): packets and bytes of the frame as received. */
enum rf_backend_counter {
	RF_BC_NOT_TUNNEL = 0, /* not a tunnel packet of ours: passed untouched */
	RF_BC_DECAP_IPIP,     /* IPIP / IPv6-in-IPv4 / IP6IP6 / IPv4-in-IPv6 decapsulated, passed */
	RF_BC_DECAP_GUE,      /* direct GUE (IP-in-UDP) decapsulated, passed */
	RF_BC_SC_LOCAL,       /* second-chance GUE delivered here: a local socket, a SYN, not TCP */
	RF_BC_SC_FORWARDED,   /* second-chance hits: no local socket, re-encapsulated to the second real */
	RF_BC_SC_UNROUTABLE,  /* a hit that could not be forwarded (no gateway MAC, no second address): delivered */
	RF_BC_COUNT
};

/* ---- XDP pre-filter (filter.bpf.c, maps in bpf/filter_maps.h) ----
 * Rules are numbered 1 .. max-1 by the control plane (0 = "no rule"). Source and destination prefixes
 * lead to a chain: the ids of the rules that apply to an address in that prefix, covering prefixes'
 * rules included, in priority order. DNS rules are found by the hash of a query name or suffix. */

/* Rule ids per chain; a chain is cut by the first id 0. */
#define RF_FILTER_CHAIN_LEN 8

/* filter_src_v4 / filter_dst_v4 key (LPM_TRIE): prefixlen = the address prefix length (0 .. 32). */
struct rf_filter_v4_key {
	__u32 prefixlen;
	__be32 addr;
};

/* filter_src_v6 / filter_dst_v6 key (LPM_TRIE): prefixlen = the address prefix length (0 .. 128). */
struct rf_filter_v6_key {
	__u32 prefixlen;
	__be32 addr[4];
};

/* filter_chains value (ARRAY indexed by the chain id a trie gives): rules tried in this order. */
struct rf_filter_chain {
	__u32 rules[RF_FILTER_CHAIN_LEN];
};

/* Rule actions. */
#define RF_FILTER_A_NONE  0 /* an empty slot: never matches */
#define RF_FILTER_A_DROP  1 /* XDP_DROP */
#define RF_FILTER_A_ALLOW 2 /* stop filtering: hand the packet on (next xdp_root slot, or XDP_PASS) */
#define RF_FILTER_A_RATE  3 /* token buckets: within the rate the rule does not decide; over it, over_action */

/* Rule flags. */
#define RF_FILTER_F_OBSERVE (1u << 0) /* count (and take tokens) but never decide: the packet goes on to the next rule */

/* filter_rules value (ARRAY indexed by rule id). Conditions left 0 match anything. */
struct rf_filter_rule {
	__u8 action;          /* RF_FILTER_A_* */
	__u8 flags;           /* RF_FILTER_F_* */
	__u8 proto;           /* IP protocol / IPv6 next header (after a fragment header); 0: any */
	__u8 tcp_flags_mask;  /* TCP flag bits (header byte 13) tested; 0: not tested. Non-zero: TCP only */
	__u8 tcp_flags_value; /* the tested bits must equal this */
	__u8 other_family;    /* 0: no condition on the other address; RF_FAMILY_V4 / RF_FAMILY_V6 */
	__u8 other_prefixlen; /* prefix length of `other` */
	__u8 over_action;     /* RATE rules: RF_FILTER_A_DROP or RF_FILTER_A_ALLOW for packets over the rate */
	__u16 sport_lo;       /* source port range, host order, inclusive; sport_hi 0: any */
	__u16 sport_hi;
	__u16 dport_lo;       /* destination port range, likewise */
	__u16 dport_hi;
	__u16 len_min;        /* frame length range (Ethernet header included), inclusive; len_max 0: any */
	__u16 len_max;
	__u32 pad;
	union rf_addr other;  /* the address the rule is not keyed by (a source-prefix rule's destination, a
	                       * destination-prefix rule's source, a DNS rule's destination), masked to other_prefixlen */
	__u64 rate_pps;       /* RATE: packets per second on each CPU; 0: no packet limit */
	__u64 rate_bps;       /* RATE: bytes per second on each CPU; 0: no byte limit */
};

/* filter_dns key (HASH): a query name (kind EXACT) or the part after "*." of a pattern (kind SUFFIX,
 * matching names with at least one more label), and the query type (0: any). Value: __u32 rule id. */
struct rf_filter_dns_key {
	__u64 name_hash; /* RF_FILTER_DNS_HASH of the labels, see filter_dns.h and Java's DnsNameHash */
	__u16 qtype;
	__u8 kind;       /* RF_FILTER_DNS_EXACT / RF_FILTER_DNS_SUFFIX */
	__u8 pad[5];
};

#define RF_FILTER_DNS_EXACT  1
#define RF_FILTER_DNS_SUFFIX 2

/* The label-wise name hash (FNV-1a, 64 bits): each label hashed alone over its length byte and its
 * bytes in lower case; a name of labels l1 .. ln (ln the top-level one) is folded from the right:
 * H0 = BASIS, Hj = (Hj-1 XOR label_hash(l(n-j+1))) * PRIME, and the name's hash is Hn. */
#define RF_FILTER_DNS_HASH_BASIS 0xcbf29ce484222325ULL
#define RF_FILTER_DNS_HASH_PRIME 0x100000001b3ULL
/* Labels the program keeps (the last ones of a name): patterns may have at most this many. */
#define RF_FILTER_DNS_MAX_LABELS 16

/* filter_dns_depths value (ARRAY, one entry at 0): which filter_dns keys exist, by kind and number of labels
 * (bit d-1: a key of d labels), for any query type and for a given one. The program looks up only the suffixes
 * whose bit is set: with no DNS rules it reads no name at all, and a miss costs one hash lookup per depth that
 * has rules rather than two per label. Userspace writes it with filter_dns (a bit set before its keys are
 * removed and after they are added is harmless: it only costs a lookup). */
struct rf_filter_dns_depths {
	__u32 exact_any;    /* EXACT keys with qtype 0 */
	__u32 exact_typed;  /* EXACT keys with a query type */
	__u32 suffix_any;   /* SUFFIX keys with qtype 0 */
	__u32 suffix_typed; /* SUFFIX keys with a query type */
};

/* filter_stats value (PERCPU_ARRAY indexed by rule id). */
struct rf_filter_counter {
	__u64 packets;     /* packets the rule matched (observe-only included) */
	__u64 bytes;       /* their frame bytes */
	__u64 last_hit_ns; /* bpf_ktime_get_coarse_ns (CLOCK_MONOTONIC_COARSE) of the last match on this CPU; 0: never */
	__u64 over_rate;   /* RATE rules: matched packets over the rate */
};

/* filter_buckets value (PERCPU_ARRAY indexed by rule id): a RATE rule's token buckets on one CPU.
 * Units: a packet costs 1e9 packet tokens, a byte 1e9 byte tokens; elapsed ns x rate refills them, up
 * to rate x RF_FILTER_BURST_NS. A stamp in the future is not refilled until then (tests preset one). */
struct rf_filter_bucket {
	__u64 stamp_ns;
	__u64 packet_tokens;
	__u64 byte_tokens;
};

/* filter_ctl value (ARRAY, one entry at RF_FILTER_CTL_MAIN). */
struct rf_filter_ctl {
	__u32 flags;     /* RF_FILTER_CTL_F_* */
	__u32 root_slot; /* with RF_FILTER_CTL_F_CHAINED: the xdp_root slot this program sits in */
};

#define RF_FILTER_CTL_MAIN  0
#define RF_FILTER_CTL_COUNT 1
#define RF_FILTER_CTL_F_CHAINED (1u << 0) /* hand packets on to the next xdp_root slot, not XDP_PASS */

/* filter_global indexes: rf_counter (packets, bytes of the frame). */
enum rf_filter_global_counter {
	RF_FG_HANDED_ON = 0, /* not dropped: passed / handed to the next slot */
	RF_FG_DROPPED,       /* dropped by a rule */
	RF_FG_NOT_IP,        /* not IPv4 / IPv6 over Ethernet: handed on unfiltered */
	RF_FG_MALFORMED,     /* truncated Ethernet / IP header, bad IHL: handed on unfiltered */
	RF_FG_NO_L4,         /* a fragment after the first, or a truncated TCP / UDP header: port and flag rules do not match */
	RF_FG_DNS_QUERY,     /* UDP/53 queries whose question was read */
	RF_FG_DNS_UNREAD,    /* UDP/53 packets whose question was not read (a response, QDCOUNT != 1, compression,
	                      * label over 63, name over 255, truncated): DNS rules do not match */
	RF_FG_COUNT
};

#endif /* RF_ABI_H */
