/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rf_server_id.h — server ids a real wrote into its flow, besides QUIC's (rf_quic.h), and the real
 * an id names. All of them are looked up in quic_ids, the one server id -> real index map.
 *
 * UDP stable routing (VIPs with RF_VIP_F_UDP_STABLE_ROUTING): the UDP payload starts with a
 * RF_USR_HDR_LEN-byte header, type byte RF_USR_HDR_TYPE then a 24-bit big-endian id.
 * TCP server-id routing (builds with RF_TCP_SERVER_ID_ROUTING): a TCP option of kind
 * RF_TPR_OPT_KIND carries a 32-bit little-endian id; the option list is walked as TCP defines it,
 * at most RF_TPR_MAX_OPTS options, and any malformed option ends the walk without an id.
 * Both read at fixed offsets: the parser refused IPv4 options, and an IPv6 packet that reached
 * here has its TCP/UDP header right after the fixed header.
 */
#ifndef RF_SERVER_ID_H
#define RF_SERVER_ID_H

#include <linux/if_ether.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include "rf_consts.h"
#include "rf_abi.h"
#include "rf_maps.h"

/* The real index a server id maps to, or 0 (id 0, or no mapping). */
static __always_inline __u32 rf_server_id_real(__u32 server_id)
{
	__u32 *real_index;

	if (!server_id)
		return 0;
	real_index = bpf_map_lookup_elem(&quic_ids, &server_id);
	return real_index ? *real_index : 0;
}

/* UDP stable routing: the id of the payload's header, or 0 when it carries none. */
static __always_inline __u32 rf_usr_server_id(void *data, void *data_end, __u8 family)
{
	__u32 l3_hdr = family == RF_FAMILY_V6 ? RF_IPV6_HDR_LEN : RF_IPV4_HDR_LEN;
	__u8 *hdr = data + sizeof(struct ethhdr) + l3_hdr + sizeof(struct udphdr);
	__u8 *id;

	if ((void *)(hdr + RF_USR_HDR_LEN) > data_end)
		return 0;
	if (hdr[0] != RF_USR_HDR_TYPE)
		return 0;
	id = hdr + RF_USR_ID_OFF;
	return ((__u32)id[0] << 16) | ((__u32)id[1] << 8) | id[2];
}

/* TCP server-id routing: the id of the first server-id option, or 0 when the walk finds none. */
static __always_inline __u32 rf_tpr_server_id(void *data, void *data_end, __u8 family)
{
	__u32 l3_hdr = family == RF_FAMILY_V6 ? RF_IPV6_HDR_LEN : RF_IPV4_HDR_LEN;
	struct tcphdr *tcp = data + sizeof(struct ethhdr) + l3_hdr;
	__u8 *opts = (__u8 *)(tcp + 1);
	__u32 opts_len, off = 0;
	__u8 *opt, *id;
	__u8 kind, len;
	int i;

	if ((void *)opts > data_end)
		return 0;
	opts_len = tcp->doff * RF_TCP_DOFF_UNIT;
	if (opts_len < RF_TCP_HDR_LEN + RF_TPR_OPT_LEN)
		return 0; /* no room for the option */
	opts_len -= RF_TCP_HDR_LEN;

	for (i = 0; i < RF_TPR_MAX_OPTS; i++) {
		/* the second bound is the verifier's: off indexes the packet */
		if (off >= opts_len || off > RF_TCP_MAX_OPTS_LEN)
			return 0;
		opt = opts + off;
		if ((void *)(opt + 1) > data_end)
			return 0;
		kind = opt[0];
		if (kind == RF_TCP_OPT_EOL)
			return 0;
		if (kind == RF_TCP_OPT_NOP) {
			off++;
			continue;
		}
		if (opts_len - off < RF_TCP_OPT_HDR_LEN || (void *)(opt + RF_TCP_OPT_HDR_LEN) > data_end)
			return 0;
		len = opt[1];
		if (len > opts_len - off)
			return 0;
		if (kind == RF_TPR_OPT_KIND) {
			if (len != RF_TPR_OPT_LEN || (void *)(opt + RF_TPR_OPT_LEN) > data_end)
				return 0;
			id = opt + RF_TPR_OPT_ID_OFF;
			return id[0] | ((__u32)id[1] << 8) | ((__u32)id[2] << 16) | ((__u32)id[3] << 24);
		}
		if (!len)
			return 0; /* a zero length never moves on: nothing after it is reached */
		off += len;
	}
	return 0;
}

#endif /* RF_SERVER_ID_H */
