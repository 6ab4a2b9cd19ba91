/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rf_consts.h — every size, limit and protocol constant of the XDP balancer.
 * Each #define can be overridden on the compiler command line (-DNAME=value).
 * Map sizes given here are defaults only: the loader may change any map's max_entries
 * before load (see bpf/README.md, "Balancer").
 */
#ifndef RF_CONSTS_H
#define RF_CONSTS_H

#include "rf_abi.h" /* RF_RING_SIZE */

/* ---- Capacities (default max_entries of the maps) ---- */

/* Number of VIPs; vip_num is 0 .. RF_MAX_VIPS-1 (row of ch_rings, index of vip_stats). */
#ifndef RF_MAX_VIPS
#define RF_MAX_VIPS 512
#endif

/* Number of reals; index 0 is reserved ("no real"), so RF_MAX_REALS-1 reals fit. */
#ifndef RF_MAX_REALS
#define RF_MAX_REALS 4096
#endif

/* Entries of ch_rings: one ring per VIP. */
#ifndef RF_CH_RINGS_SIZE
#define RF_CH_RINGS_SIZE (RF_MAX_VIPS * RF_RING_SIZE)
#endif

/* Slots of conn_lru_maps: one inner LRU per CPU id; CPUs at or above this use conn_fallback. */
#ifndef RF_MAX_CPUS
#define RF_MAX_CPUS 128
#endif

/* max_entries of the inner-map template of conn_lru_maps. Only the template libbpf creates to
 * build the outer map uses it; the loader sizes the real per-CPU maps. Kept small on purpose. */
#ifndef RF_CONN_LRU_TEMPLATE_SIZE
#define RF_CONN_LRU_TEMPLATE_SIZE 64
#endif

/* Entries of conn_fallback, the shared connection table used when a CPU has no inner map
 * (Katran's test mode uses 1000). */
#ifndef RF_CONN_FALLBACK_SIZE
#define RF_CONN_FALLBACK_SIZE 1000
#endif

/* Entries of quic_ids (QUIC server id -> real index). */
#ifndef RF_MAX_QUIC_IDS
#define RF_MAX_QUIC_IDS 65536
#endif

/* Entries of down_reals ((vip_num, real index) pairs marked down for UDP flow migration). */
#ifndef RF_MAX_DOWN_REALS
#define RF_MAX_DOWN_REALS 4096
#endif

/* Entries of decap_dsts (builds with RF_INLINE_DECAP_GUE): addresses whose GUE packets are
 * decapsulated besides the balancer's own. */
#ifndef RF_MAX_DECAP_DSTS
#define RF_MAX_DECAP_DSTS 64
#endif

/* Entries of cidr_vips (builds with RF_CIDR_VIP): prefix VIPs. */
#ifndef RF_MAX_CIDR_VIPS
#define RF_MAX_CIDR_VIPS 512
#endif

/* Entries of src_routes (builds with RF_LPM_SRC_ROUTING): source prefixes, both families. */
#ifndef RF_MAX_SRC_ROUTES
#define RF_MAX_SRC_ROUTES 4096
#endif

/* ---- Limits and timers ---- */

/* Largest frame (Ethernet header included) forwarded; larger VIP frames are dropped, or
 * answered with ICMP "fragmentation needed" / ICMPv6 "packet too big" (RF_ICMP_TOO_BIG_GEN). */
#ifndef RF_MAX_PACKET_SIZE
#define RF_MAX_PACKET_SIZE 1514
#endif

/* A UDP connection-table entry idle for longer than this is ignored (the flow is re-hashed). */
#ifndef RF_UDP_TIMEOUT_NS
#define RF_UDP_TIMEOUT_NS 30000000000ULL
#endif

/* New flows inserted into the connection table per second per CPU; above it, new flows are
 * still forwarded by hash but not remembered (flood protection of the LRU). */
#ifndef RF_MAX_CONN_RATE
#define RF_MAX_CONN_RATE 125000
#endif

/* Length of one rate-limiter window. */
#ifndef RF_CONN_RATE_WINDOW_NS
#define RF_CONN_RATE_WINDOW_NS 1000000000ULL
#endif

/* ---- Flow hash (Katran-identical; see shared/conformance/katran/FACTS.md) ---- */

/* Seed of the final 2-word jhash of (source, ports). Katran derives it from its sizes
 * (512 VIPs x 65537 slots); it is a fixed constant here so that resizing maps never remaps flows. */
#ifndef RF_FLOW_HASH_SEED
#define RF_FLOW_HASH_SEED 33554944u
#endif

/* Seed of the jhash that folds a 16-byte IPv6 source into one word (Katran: its VIP count). */
#ifndef RF_V6_SRC_HASH_SEED
#define RF_V6_SRC_HASH_SEED 512u
#endif

/* ---- Outer headers ---- */

/* TTL / hop limit of outer headers, echo replies and generated ICMP errors. */
#define RF_DEFAULT_TTL 64

/* Outer IPv4 source: 172.16.x.y, x.y derived from the inner source and source port (RSS). */
#define RF_IPIP_V4_SRC_PREFIX 0xAC100000u /* 172.16.0.0, host order */
#define RF_IPIP_V4_SRC_PREFIX_MASK 0xFFFF0000u

/* Outer IPv6 source: 0100::/96 followed by 4 bytes derived from the inner source and port. */
#define RF_IPIP_V6_SRC_PREFIX0 0x01000000u /* first word, host order; words 1 and 2 are zero */

/* Outer IPv6 first word: version 6; the traffic class is shifted in; flow label 0. */
#define RF_IPV6_VERSION_WORD 0x60000000u
#define RF_IPV6_TCLASS_SHIFT 20

/* ---- GUE encapsulation (build with -DRF_GUE_ENCAP; see rf_gue.h) ---- */

/* UDP destination port of GUE packets towards reals: the port the reals' GUE/FOU receiver
 * listens on. A fleet-wide tunnel contract, so a build constant (override with
 * -DRF_GUE_DPORT=...). 9886 is what Katran's fixtures expect; Katran's own default is 6080. */
#ifndef RF_GUE_DPORT
#define RF_GUE_DPORT 9886
#endif

/* Fewest bytes that must follow the inner IP header for the outer UDP checksum to be filled
 * in (an L4 header of the flow's protocol); with fewer, the checksum is left 0. */
#define RF_GUE_CSUM_MIN_UDP 8
#define RF_GUE_CSUM_MIN_TCP 20

/* ---- Inline GUE decapsulation (build with -DRF_INLINE_DECAP_GUE; see rf_gue_decap.h) ---- */

#define RF_IP_VERSION_SHIFT 4      /* IP version: the high nibble of the first byte */
#define RF_IPV4_TTL_WORD_OFF 8     /* byte offset of the 16-bit word (TTL, protocol) in IPv4 */

/* ---- Prefix lookups (LPM tries: rf_cidr_vip.h, rf_src_route.h) ---- */

#define RF_V4_ADDR_BITS 32
#define RF_V6_ADDR_BITS 128

/* ---- Protocol constants not in the UAPI headers we include ---- */

#define RF_ETH_ALEN 6
#define RF_IPV4_HDR_LEN 20         /* IPv4 header without options */
#define RF_IPV4_IHL_NO_OPT 5       /* ihl of an IPv4 header without options */
#define RF_IPV4_VERSION_IHL 0x45   /* version 4, ihl 5 */
#define RF_IPV4_FRAG_MASK 0x3FFF   /* MF flag and fragment offset (host order) */
#define RF_IPV6_HDR_LEN 40
#define RF_L4_PORTS_LEN 4          /* source + destination port: all we need of an L4 header */
#define RF_ICMP_HDR_LEN 8          /* ICMP and ICMPv6 header (type, code, csum, 4 bytes) */

#define RF_ICMP_ECHO_REPLY 0
#define RF_ICMP_DEST_UNREACH 3
#define RF_ICMP_FRAG_NEEDED 4
#define RF_ICMP_ECHO_REQUEST 8
#define RF_ICMPV6_DEST_UNREACH 1
#define RF_ICMPV6_PKT_TOOBIG 2
#define RF_ICMPV6_ECHO_REQUEST 128
#define RF_ICMPV6_ECHO_REPLY 129

/* Generated "too big" errors quote the start of the offending packet: the frame is cut to this
 * many bytes (Ethernet header included) before the new headers are prepended (Katran's sizes). */
#define RF_ICMP_TOO_BIG_QUOTE 98
#define RF_ICMPV6_TOO_BIG_QUOTE 262
/* MTU announced in generated errors: the largest frame minus its Ethernet header. */
#define RF_TOO_BIG_MTU (RF_MAX_PACKET_SIZE - 14)

/* ---- QUIC (see rf_quic.h) ---- */

#define RF_QUIC_LONG_HEADER 0x80       /* first byte: long header form */
#define RF_QUIC_PACKET_TYPE_MASK 0x30  /* long header packet type bits */
#define RF_QUIC_HANDSHAKE 0x20         /* types below (Initial, 0-RTT) carry a client-chosen id */
#define RF_QUIC_MIN_CONNID_LEN 8       /* shortest destination connection id we read */
#define RF_QUIC_LONG_HDR_LEN 14        /* flags, version(4), dcid length, 8 bytes of dcid */
#define RF_QUIC_SHORT_HDR_LEN 9        /* flags, 8 bytes of dcid */
#define RF_QUIC_LONG_DCID_LEN_OFF 5    /* offset of the dcid length byte in a long header */
#define RF_QUIC_LONG_DCID_OFF 6        /* offset of the dcid in a long header */
#define RF_QUIC_SHORT_DCID_OFF 1       /* offset of the dcid in a short header */
#define RF_QUIC_CID_VERSION_SHIFT 6    /* connection-id version: top 2 bits of its first byte */
#define RF_QUIC_CID_V1 1               /* 16-bit server id: 6 + 8 + 2 bits of bytes 0..2 */
#define RF_QUIC_CID_V2 2               /* 24-bit server id: bytes 1..3 */
#define RF_QUIC_CID_V3 3               /* 32-bit server id: bytes 1..4 */

/* ---- Routing by a server id the real wrote into the flow (rf_server_id.h) ---- */

/* UDP stable routing (VIP flag RF_VIP_F_UDP_STABLE_ROUTING): a header at the start of the UDP
 * payload, RF_USR_HDR_LEN bytes: type byte RF_USR_HDR_TYPE, then a 24-bit big-endian server id
 * (bytes RF_USR_ID_OFF .. RF_USR_ID_OFF+2), then reserved bytes. */
#define RF_USR_HDR_TYPE 0x52       /* 'R' */
#define RF_USR_HDR_LEN 8           /* fewer payload bytes: no header */
#define RF_USR_ID_OFF 1            /* offset of the server id in the header */

/* TCP server-id routing (build with -DRF_TCP_SERVER_ID_ROUTING): a TCP option of kind
 * RF_TPR_OPT_KIND and length RF_TPR_OPT_LEN whose 4 data bytes are a little-endian server id. */
#define RF_TPR_OPT_KIND 0xB7       /* 183 */
#define RF_TPR_OPT_LEN 6           /* kind, length, 4 bytes of server id */
#define RF_TPR_OPT_ID_OFF 2        /* offset of the server id in the option */
#define RF_TPR_MAX_OPTS 15         /* options examined at most before giving up */
#define RF_TCP_OPT_EOL 0           /* end of option list */
#define RF_TCP_OPT_NOP 1           /* one byte of padding */
#define RF_TCP_OPT_HDR_LEN 2       /* kind and length bytes of every other option */
#define RF_TCP_HDR_LEN 20          /* TCP header without options */
#define RF_TCP_MAX_OPTS_LEN 40     /* data offset 15 words: 60 bytes, 20 of them the header */
#define RF_TCP_DOFF_UNIT 4         /* data offset counts 32-bit words */

/* ---- Second-chance forwarding (the balancer's second-chance frames; ringfleet-backend) ----
 * A second-chance frame is GUE (UDP to RF_GUE_DPORT) with a version-0 GUE header whose private data
 * names the real that served the flow before the ring changed (struct rf_sc_hdr, rf_sc.h). */
#define RF_SC_GUE_VER_HLEN 0x05    /* GUE version 0, C = 0, hlen 5 words (20 bytes of private data) */
#define RF_SC_KIND 0x01            /* private data kind: second chance */
#define RF_GUE_VERSION_MASK 0xc0   /* GUE version bits of the first byte; 0 = GUE header follows */

#endif /* RF_CONSTS_H */
