/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rf_sc.h — the second-chance encapsulation on the wire, shared by the balancer (which writes it)
 * and ringfleet-backend (which reads it):
 *
 *   Ethernet + outer IPv4/IPv6 + UDP (dport RF_GUE_DPORT) + struct rf_sc_hdr (24 bytes) + inner IP
 *
 * struct rf_sc_hdr is a GUE version-0 header (RFC draft-ietf-intarea-gue) with no flags, so no
 * optional fields, and 20 bytes of private data (hlen 5): a kind byte RF_SC_KIND, the second real's
 * family, two reserved zero bytes and its address (IPv4 in the first word, the rest zero). The
 * GUE protocol byte names the inner packet (IPPROTO_IPIP / IPPROTO_IPV6). Direct GUE (Katran's
 * IP-in-UDP, first nibble 4 or 6) and this header are told apart by the GUE version bits.
 */
#ifndef RF_SC_H
#define RF_SC_H

#include <linux/types.h>
#include "rf_abi.h"
#include "rf_consts.h"

struct rf_sc_hdr {
	__u8 ver_hlen;        /* RF_SC_GUE_VER_HLEN */
	__u8 proto;           /* inner packet: IPPROTO_IPIP (IPv4) or IPPROTO_IPV6 */
	__be16 flags;         /* 0: no optional fields */
	__u8 kind;            /* private data: RF_SC_KIND */
	__u8 family;          /* the second real's: RF_FAMILY_V4 / RF_FAMILY_V6 */
	__u8 reserved[2];     /* 0 */
	union rf_addr second; /* the real that served the flow before the ring changed */
};

#endif /* RF_SC_H */
