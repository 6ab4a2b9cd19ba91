/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rf_quic.h — the server id a QUIC server wrote into the destination connection id.
 *
 * Long header (first byte has RF_QUIC_LONG_HEADER): Initial and 0-RTT packets carry an id the
 * client chose, so they have none; Handshake and Retry have one if the destination connection
 * id is at least RF_QUIC_MIN_CONNID_LEN bytes. Short header: the id follows the first byte.
 * The id's first two bits give its layout: v1 holds 16 bits (6 + 8 + 2), v2 holds 24 (bytes 1..3),
 * v3 holds 32 (bytes 1..4); Katran's default build reads all three.
 */
#ifndef RF_QUIC_H
#define RF_QUIC_H

#include <linux/if_ether.h>
#include <linux/udp.h>
#include "rf_consts.h"
#include "rf_abi.h"

/* v1 layout: 6 low bits of byte 0, byte 1, 2 high bits of byte 2. */
#define RF_QUIC_CID_V1_B0_MASK  0x3F
#define RF_QUIC_CID_V1_B0_SHIFT 10
#define RF_QUIC_CID_V1_B1_SHIFT 2
#define RF_QUIC_CID_V1_B2_SHIFT 6

/* Server id of a UDP datagram to a QUIC VIP (no IP options, so the UDP payload offset is fixed
 * per family); 0 when the packet carries none. */
static __always_inline __u32 rf_quic_server_id(void *data, void *data_end, __u8 family)
{
	__u32 l3_hdr = family == RF_FAMILY_V6 ? RF_IPV6_HDR_LEN : RF_IPV4_HDR_LEN;
	__u8 *quic = data + sizeof(struct ethhdr) + l3_hdr + sizeof(struct udphdr);
	__u8 *cid;

	if ((void *)(quic + 1) > data_end)
		return 0;
	if (quic[0] & RF_QUIC_LONG_HEADER) {
		if ((void *)(quic + RF_QUIC_LONG_HDR_LEN) > data_end)
			return 0;
		if ((quic[0] & RF_QUIC_PACKET_TYPE_MASK) < RF_QUIC_HANDSHAKE)
			return 0;
		if (quic[RF_QUIC_LONG_DCID_LEN_OFF] < RF_QUIC_MIN_CONNID_LEN)
			return 0;
		cid = quic + RF_QUIC_LONG_DCID_OFF;
	} else {
		if ((void *)(quic + RF_QUIC_SHORT_HDR_LEN) > data_end)
			return 0;
		cid = quic + RF_QUIC_SHORT_DCID_OFF;
	}

	switch (cid[0] >> RF_QUIC_CID_VERSION_SHIFT) {
	case RF_QUIC_CID_V1:
		return ((__u32)(cid[0] & RF_QUIC_CID_V1_B0_MASK) << RF_QUIC_CID_V1_B0_SHIFT) |
		       ((__u32)cid[1] << RF_QUIC_CID_V1_B1_SHIFT) |
		       (cid[2] >> RF_QUIC_CID_V1_B2_SHIFT);
	case RF_QUIC_CID_V2:
		return ((__u32)cid[1] << 16) | ((__u32)cid[2] << 8) | cid[3];
	case RF_QUIC_CID_V3:
		return ((__u32)cid[1] << 24) | ((__u32)cid[2] << 16) | ((__u32)cid[3] << 8) | cid[4];
	default:
		return 0;
	}
}

#endif /* RF_QUIC_H */
