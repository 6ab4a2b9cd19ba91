package io.ringfleet.bpf.abi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ringfleet.bpf.AbiLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Java codecs against the layouts the C compiler gave rf_abi.h (reported by the shim). */
class AbiCodecTest {

    private static void offset(String struct, String field, int javaOffset) {
        assertEquals(AbiLayout.offsetOf(struct, field), javaOffset, struct + "." + field);
    }

    @Test
    void sizesMatchTheHeader() {
        assertEquals(AbiLayout.sizeOf("rf_vip_key"), VipKey.SIZE);
        assertEquals(AbiLayout.sizeOf("rf_vip_meta"), VipMeta.SIZE);
        assertEquals(AbiLayout.sizeOf("rf_real"), Real.SIZE);
        assertEquals(AbiLayout.sizeOf("rf_flow_key"), FlowKey.SIZE);
        assertEquals(AbiLayout.sizeOf("rf_conn"), Conn.SIZE);
        assertEquals(AbiLayout.sizeOf("rf_counter"), Counter.SIZE);
        assertEquals(AbiLayout.sizeOf("rf_down_real_key"), DownRealKey.SIZE);
        assertEquals(AbiLayout.sizeOf("rf_ctl"), Ctl.SIZE);
        assertEquals(AbiLayout.sizeOf("rf_hc_real"), HcReal.SIZE);
        assertEquals(AbiLayout.sizeOf("rf_conn_rate"), ConnRate.SIZE);
        assertEquals(AbiLayout.sizeOf("rf_hc_ctl"), HcCtl.SIZE);
        assertEquals(AbiLayout.sizeOf("rf_encap_src"), EncapSrc.SIZE);
        assertEquals(AbiLayout.sizeOf("rf_cidr_vip_key"), CidrVipKey.SIZE);
        assertEquals(AbiLayout.sizeOf("rf_src_route_key"), SrcRouteKey.SIZE);
    }

    @Test
    void offsetsMatchTheHeader() {
        offset("rf_vip_key", "addr", VipKey.OFF_ADDR);
        offset("rf_vip_key", "port", VipKey.OFF_PORT);
        offset("rf_vip_key", "proto", VipKey.OFF_PROTO);
        offset("rf_vip_key", "family", VipKey.OFF_FAMILY);
        offset("rf_vip_meta", "flags", VipMeta.OFF_FLAGS);
        offset("rf_vip_meta", "vip_num", VipMeta.OFF_VIP_NUM);
        offset("rf_real", "addr", Real.OFF_ADDR);
        offset("rf_real", "flags", Real.OFF_FLAGS);
        offset("rf_flow_key", "src", FlowKey.OFF_SRC);
        offset("rf_flow_key", "dst", FlowKey.OFF_DST);
        offset("rf_flow_key", "sport", FlowKey.OFF_SPORT);
        offset("rf_flow_key", "dport", FlowKey.OFF_DPORT);
        offset("rf_flow_key", "proto", FlowKey.OFF_PROTO);
        offset("rf_conn", "real_index", Conn.OFF_REAL_INDEX);
        offset("rf_conn", "atime_ns", Conn.OFF_ATIME);
        offset("rf_counter", "packets", Counter.OFF_PACKETS);
        offset("rf_counter", "bytes", Counter.OFF_BYTES);
        offset("rf_down_real_key", "vip_num", DownRealKey.OFF_VIP_NUM);
        offset("rf_down_real_key", "real_index", DownRealKey.OFF_REAL_INDEX);
        offset("rf_ctl", "mac", Ctl.OFF_MAC);
        offset("rf_conn_rate", "window_start_ns", ConnRate.OFF_WINDOW_START);
        offset("rf_conn_rate", "new_conns", ConnRate.OFF_NEW_CONNS);
        offset("rf_hc_real", "addr", HcReal.OFF_ADDR);
        offset("rf_hc_real", "flags", HcReal.OFF_FLAGS);
        offset("rf_hc_ctl", "src_v4", HcCtl.OFF_SRC_V4);
        offset("rf_hc_ctl", "src_v6", HcCtl.OFF_SRC_V6);
        offset("rf_hc_ctl", "ifindex", HcCtl.OFF_IFINDEX);
        offset("rf_hc_ctl", "src_mac", HcCtl.OFF_SRC_MAC);
        offset("rf_hc_ctl", "dst_mac", HcCtl.OFF_DST_MAC);
        offset("rf_encap_src", "addr", EncapSrc.OFF_ADDR);
        offset("rf_cidr_vip_key", "prefixlen", CidrVipKey.OFF_PREFIXLEN);
        offset("rf_cidr_vip_key", "port", CidrVipKey.OFF_PORT);
        offset("rf_cidr_vip_key", "proto", CidrVipKey.OFF_PROTO);
        offset("rf_cidr_vip_key", "family", CidrVipKey.OFF_FAMILY);
        offset("rf_cidr_vip_key", "addr", CidrVipKey.OFF_ADDR);
        offset("rf_src_route_key", "prefixlen", SrcRouteKey.OFF_PREFIXLEN);
        offset("rf_src_route_key", "family", SrcRouteKey.OFF_FAMILY);
        offset("rf_src_route_key", "addr", SrcRouteKey.OFF_ADDR);
    }

    @Test
    void constantsMatchTheHeader() {
        assertEquals(AbiLayout.constant("RF_FAMILY_V4"), VipKey.FAMILY_V4);
        assertEquals(AbiLayout.constant("RF_FAMILY_V6"), VipKey.FAMILY_V6);
        assertEquals(AbiLayout.constant("RF_REAL_F_V6"), Real.F_V6);
        assertEquals(AbiLayout.constant("RF_CTL_GATEWAY_MAC"), Ctl.GATEWAY_MAC);
        assertEquals(AbiLayout.constant("RF_HC_COUNT"), HcCounter.COUNT);
        assertEquals(AbiLayout.constant("RF_HC_CTL_MAIN"), HcCtl.MAIN);
        assertEquals(AbiLayout.constant("RF_ENCAP_SRC_V4"), EncapSrc.V4);
        assertEquals(AbiLayout.constant("RF_ENCAP_SRC_V6"), EncapSrc.V6);
        assertEquals(AbiLayout.constant("RF_ENCAP_SRC_COUNT"), EncapSrc.COUNT);
        assertEquals(AbiLayout.constant("RF_CIDR_KEY_FIXED_BITS"), CidrVipKey.FIXED_BITS);
        assertEquals(AbiLayout.constant("RF_SRC_ROUTE_KEY_FIXED_BITS"), SrcRouteKey.FIXED_BITS);
        assertEquals(AbiLayout.constant("RF_GC_COUNT"), GlobalCounter.COUNT);
        for (GlobalCounter c : GlobalCounter.values()) {
            assertEquals(AbiLayout.constant("RF_GC_" + c.name()), c.index(), c.name());
        }
        for (HcCounter c : HcCounter.values()) {
            assertEquals(AbiLayout.constant("RF_HC_" + c.name()), c.index(), c.name());
        }
        assertEquals(AbiLayout.constant("RF_BC_COUNT"), BackendCounter.COUNT);
        assertEquals(AbiLayout.constant("RF_BACKEND_CTL_GATEWAY_MAC"), BackendCounter.CTL_GATEWAY_MAC);
        for (BackendCounter c : BackendCounter.values()) {
            assertEquals(AbiLayout.constant("RF_BC_" + c.name()), c.index(), c.name());
        }
    }

    @Test
    void vipKeyPutsPortInNetworkOrderAndFamilyLast() throws Exception {
        byte[] b = new VipKey(InetAddress.getByName("10.0.0.1"), 0x1F90, 6).encode();
        assertArrayEquals(new byte[] {10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x1F, (byte) 0x90, 6, 4}, b);
        VipKey v6 = new VipKey(InetAddress.getByName("fd00::1"), 443, 17);
        assertEquals(v6, VipKey.decode(v6.encode()));
        assertEquals(6, v6.encode()[VipKey.OFF_FAMILY]);
        assertThrows(IllegalArgumentException.class, () -> new VipKey(InetAddress.getByName("10.0.0.1"), 70000, 6));
    }

    @Test
    void numbersAreLittleEndianHostOrder() {
        assertArrayEquals(new byte[] {1, 0, 0, 0, 2, 0, 0, 0}, new VipMeta(1, 2).encode());
        assertArrayEquals(new byte[] {5, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0}, new Conn(5, 0x101).encode());
        assertArrayEquals(new byte[] {3, 0, 0, 0, 9, 0, 0, 0}, new DownRealKey(3, 9).encode());
    }

    @Test
    void everyCodecRoundTrips() throws Exception {
        InetAddress v4 = InetAddress.getByName("10.77.2.5");
        InetAddress v6 = InetAddress.getByName("fd00:77::5");
        assertEquals(new Real(v4), Real.decode(new Real(v4).encode()));
        assertEquals(new Real(v6), Real.decode(new Real(v6).encode()));
        assertEquals(1, new Real(v6).encode()[Real.OFF_FLAGS]);
        assertEquals(new HcReal(v6), HcReal.decode(new HcReal(v6).encode()));
        assertEquals(new EncapSrc(v4), EncapSrc.decode(new EncapSrc(v4).encode(), EncapSrc.V4));
        assertEquals(new EncapSrc(v6), EncapSrc.decode(new EncapSrc(v6).encode(), EncapSrc.V6));
        assertEquals(EncapSrc.V6, new EncapSrc(v6).index());
        assertArrayEquals(new byte[] {10, 77, 2, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, new EncapSrc(v4).encode());
        FlowKey f4 = new FlowKey(InetAddress.getByName("10.77.0.1"), v4, 40000, 80, 6);
        FlowKey f6 = new FlowKey(InetAddress.getByName("fd00:77::1"), v6, 40000, 443, 17);
        assertEquals(f4, FlowKey.decode(f4.encode()));
        assertEquals(f6, FlowKey.decode(f6.encode()));
        assertEquals(new Counter(7, 8), Counter.decode(new Counter(7, 8).encode()));
        assertEquals(new ConnRate(5, 6), ConnRate.decode(new ConnRate(5, 6).encode()));
        assertEquals(
                new Counter(3, 30), Counter.sum(List.of(new Counter(1, 10).encode(), new Counter(2, 20).encode())));
        Ctl ctl = new Ctl(new byte[] {2, 0, 0, 0, 0, 9});
        assertEquals(ctl, Ctl.decode(ctl.encode()));
        HcCtl hc = new HcCtl(
                (Inet4Address) InetAddress.getByName("10.77.0.1"),
                (Inet6Address) InetAddress.getByName("fd00:77::1"),
                3,
                new byte[] {2, 1, 1, 1, 1, 1},
                null);
        assertEquals(hc, HcCtl.decode(hc.encode()));
        assertEquals(new HcCtl(null, null, 0, null, null), HcCtl.decode(new byte[HcCtl.SIZE]));
    }

    @Test
    void decodeRejectsWrongLengths() {
        assertThrows(IllegalArgumentException.class, () -> VipKey.decode(new byte[19]));
        assertThrows(IllegalArgumentException.class, () -> Counter.decode(null));
        assertThrows(IllegalArgumentException.class, () -> VipKey.decode(new byte[20]), "family 0");
    }
}
