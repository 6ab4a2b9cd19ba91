package io.ringfleet.agent.datapath;

import static io.ringfleet.state.testing.Commands.TCP;
import static io.ringfleet.state.testing.Commands.addReals;
import static io.ringfleet.state.testing.Commands.addVip;
import static io.ringfleet.state.testing.Commands.setMac;
import static io.ringfleet.state.testing.Commands.vip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ringfleet.api.VipKey;
import io.ringfleet.bpf.BpfMap;
import io.ringfleet.bpf.TestRun;
import io.ringfleet.bpf.abi.Counter;
import io.ringfleet.bpf.abi.GlobalCounter;
import io.ringfleet.bpf.abi.HcCounter;
import io.ringfleet.bpf.abi.HcCtl;
import io.ringfleet.bpf.testing.Frames;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Counters read back after packets ran through the balancer, summed over CPUs. */
class DatapathStatsTest {
    private static final VipKey WEB = vip("10.1.0.1", 80, TCP);

    @Test
    void countsFollowTheTrafficPerVipPerRealAndGlobally() throws Exception {
        try (BalancerDatapath datapath = BalancerDatapath.open(
                DatapathConfig.builder().maxVips(4).fallbackConnTableOnly().build())) {
            ProgrammedLog log =
                    new ProgrammedLog(MapProgrammer.builder(datapath).build());
            log.apply(setMac("02:00:00:00:00:01"), addVip(WEB), addReals(WEB, "10.0.0.1=1"));
            int real = log.image().reals().all().iterator().next().index();
            DatapathStats stats = new DatapathStats(datapath);
            assertEquals(Map.of(), stats.vips());

            Inet4Address client = (Inet4Address) InetAddress.getByName("192.0.2.1");
            Inet4Address vip = (Inet4Address) InetAddress.getByName("10.1.0.1");
            byte[] syn = Frames.tcp4(client, vip, 1000, 80, Frames.TCP_SYN);
            byte[] ack = Frames.tcp4(client, vip, 1000, 80, Frames.TCP_ACK);
            byte[] other =
                    Frames.tcp4(client, (Inet4Address) InetAddress.getByName("10.9.9.9"), 1000, 80, Frames.TCP_SYN);
            for (byte[] frame : new byte[][] {syn, ack, other}) {
                datapath.program().testRun(TestRun.of(frame).dataOutCapacity(frame.length + 512));
            }

            Counter two = new Counter(2, 2L * syn.length);
            assertEquals(two, stats.vip(0));
            assertEquals(Map.of(0, two), stats.vips());
            assertEquals(two, stats.real(real));
            assertEquals(Map.of(real, two), stats.reals());
            Map<GlobalCounter, Counter> global = stats.global();
            assertEquals(two, global.get(GlobalCounter.XDP_TX));
            assertEquals(new Counter(1, other.length), global.get(GlobalCounter.XDP_PASS));
            assertEquals(1, global.get(GlobalCounter.LRU_MISS_TCP_SYN).packets());
            assertEquals(1, stats.global(GlobalCounter.FALLBACK_HIT).packets(), "the ACK found the SYN's entry");
            assertEquals(Counter.ZERO, stats.healthChecks().get(HcCounter.FORWARDED));
            assertThrows(IllegalArgumentException.class, () -> stats.vip(4));
        }
    }

    @Test
    void theHealthCheckControlEntryIsWrittenAsGiven() throws Exception {
        try (BalancerDatapath datapath = BalancerDatapath.open(
                DatapathConfig.builder().maxVips(2).fallbackConnTableOnly().build())) {
            HcCtl ctl = new HcCtl(
                    (Inet4Address) InetAddress.getByName("10.0.13.37"), null, 0, null, new byte[] {2, 0, 0, 0, 0, 9});
            datapath.setHealthCheckControl(ctl);
            assertEquals(
                    ctl,
                    HcCtl.decode(datapath.map("hc_ctl")
                            .lookup(BpfMap.u32(HcCtl.MAIN))
                            .orElseThrow()));
        }
    }
}
