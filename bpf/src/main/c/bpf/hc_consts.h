/* SPDX-License-Identifier: Apache-2.0 */
/* hc_consts.h — sizes and protocol constants of the health-check forwarder (healthcheck.bpf.c). */
#ifndef RF_HC_CONSTS_H
#define RF_HC_CONSTS_H

/* hc_reals capacity: health-check destinations (one SO_MARK per real). Override with -D. */
#ifndef RF_HC_MAX_REALS
#define RF_HC_MAX_REALS 4096
#endif

/* Outer headers. */
#define RF_HC_ETH_HLEN   14
#define RF_HC_IPV4_HLEN  20
#define RF_HC_IPV6_HLEN  40
#define RF_HC_TTL        64     /* outer TTL / hop limit */
#define RF_HC_IP_DF      0x4000 /* outer IPv4 don't-fragment: id 0 is then valid (RFC 6864) */

#define RF_ETH_P_IP      0x0800
#define RF_ETH_P_IPV6    0x86DD
#define RF_IPPROTO_IPIP  4      /* IPv4 inside */
#define RF_IPPROTO_IPV6  41     /* IPv6 inside */

#endif
