/* SPDX-License-Identifier: Apache-2.0 */
/* hc_consts.h — sizes and protocol constants of the health-check forwarder (healthcheck.bpf.c). */
#ifndef RF_HC_CONSTS_H
#define RF_HC_CONSTS_H

#include "rf_consts.h" /* RF_GUE_DPORT */

/* hc_reals capacity: health-check destinations (one SO_MARK per real). Override with -D. */
#ifndef RF_HC_MAX_REALS
#define RF_HC_MAX_REALS 4096
#endif

/* Outer headers. */
#define RF_HC_ETH_HLEN   14
#define RF_HC_IPV4_HLEN  20
#define RF_HC_IPV6_HLEN  40
#define RF_HC_TTL        64     /* outer TTL / hop limit */

#define RF_ETH_P_IP      0x0800
#define RF_ETH_P_IPV6    0x86DD
#define RF_IPPROTO_IPIP  4      /* IPv4 inside */
#define RF_IPPROTO_IPV6  41     /* IPv6 inside */
#define RF_IPPROTO_UDP   17     /* GUE outer header */

/* GUE build (-DRF_GUE_ENCAP): outer IP + UDP, to the balancer's GUE port (RF_GUE_DPORT in
 * rf_consts.h, so both reach the same receiver on the real). */
#define RF_HC_UDP_HLEN   8
/* Always set in the outer UDP source port (which is otherwise the packet's flow hash): keeps it
 * out of the well-known range 0..1023, as Katran's random port does. */
#define RF_HC_GUE_SPORT_BIT 0x0400

#endif
