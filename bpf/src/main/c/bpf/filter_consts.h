/* SPDX-License-Identifier: Apache-2.0 */
/*
 * filter_consts.h — sizes, limits and protocol constants of the XDP pre-filter (filter.bpf.c).
 * Each #define can be overridden on the compiler command line (-DNAME=value); map sizes are defaults
 * the loader may change before load. ABI constants (chain length, DNS hash, flags) are in rf_abi.h.
 */
#ifndef RF_FILTER_CONSTS_H
#define RF_FILTER_CONSTS_H

#include "rf_abi.h"

/* ---- Capacities (default max_entries) ---- */

/* Rule ids 1 .. RF_FILTER_MAX_RULES-1 (filter_rules, filter_stats, filter_buckets). */
#ifndef RF_FILTER_MAX_RULES
#define RF_FILTER_MAX_RULES 16384
#endif

/* Chains (filter_chains): one per distinct prefix in the four tries. */
#ifndef RF_FILTER_MAX_CHAINS
#define RF_FILTER_MAX_CHAINS 16384
#endif

/* Prefixes per trie (filter_src_v4, filter_src_v6, filter_dst_v4, filter_dst_v6). */
#ifndef RF_FILTER_MAX_PREFIXES
#define RF_FILTER_MAX_PREFIXES 16384
#endif

/* DNS keys (filter_dns): names and suffixes, times the query types they name. */
#ifndef RF_FILTER_MAX_DNS
#define RF_FILTER_MAX_DNS 4096
#endif

/* ---- Rate limits ---- */

/* A token bucket holds at most this much time's worth of its rate (the burst a rule allows). */
#ifndef RF_FILTER_BURST_NS
#define RF_FILTER_BURST_NS 1000000000ULL
#endif

/* Tokens one packet (or one byte) costs: rates are per second and elapsed time is in ns. */
#define RF_FILTER_TOKEN_COST 1000000000ULL

/* ---- Protocol constants ---- */

#define RF_FILTER_ETH_HLEN     14
#define RF_FILTER_IPV4_MIN_IHL 5       /* 32-bit words of an IPv4 header without options */
#define RF_FILTER_IPV4_FRAG_OFF_MASK 0x1fff /* fragment offset bits of frag_off (host order) */
#define RF_FILTER_IPV6_HLEN    40
#define RF_FILTER_IPV6_FRAGHDR 44      /* IPv6 next header: fragment header */
#define RF_FILTER_IPV6_FRAG_OFF_MASK 0xfff8 /* fragment offset bits of the fragment header (host order) */
#define RF_FILTER_TCP_HLEN     20
#define RF_FILTER_TCP_FLAGS_OFF 13     /* byte of the TCP header holding FIN .. CWR */
#define RF_FILTER_UDP_HLEN     8

#define RF_FILTER_DNS_PORT     53
#define RF_FILTER_DNS_HLEN     12      /* id, flags, QDCOUNT, ANCOUNT, NSCOUNT, ARCOUNT */
#define RF_FILTER_DNS_QR       0x80    /* first flags byte: set in responses */
#define RF_FILTER_DNS_MAX_NAME 255     /* bytes of an encoded name, root label included (RFC 1035) */
#define RF_FILTER_DNS_MAX_LABEL 63     /* larger length bytes are compression pointers or reserved */
#define RF_FILTER_DNS_MAX_WALK 128     /* walk steps: 127 one-byte labels and the root label fill 255 bytes */
#define RF_FILTER_DNS_QTAIL_LEN 4     /* QTYPE and QCLASS after the name: a question without them is cut short */
#define RF_FILTER_DNS_NAME_MASK 0xff   /* offsets into a name (< RF_FILTER_DNS_MAX_NAME + 1), for the verifier */
#define RF_FILTER_L4_OFF_MASK  0xff    /* the L4 offset is under 256 (Ethernet + at most 60 / 48 header bytes) */

#endif
