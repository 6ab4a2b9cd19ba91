package io.ringfleet.agent.datapath;

import static io.ringfleet.state.testing.Commands.addReals;
import static io.ringfleet.state.testing.Commands.addVip;
import static io.ringfleet.state.testing.Commands.mapQuic;
import static io.ringfleet.state.testing.Commands.markDown;
import static io.ringfleet.state.testing.Commands.modifyFlags;
import static io.ringfleet.state.testing.Commands.setHealthCheck;
import static io.ringfleet.state.testing.Commands.setMac;
import static io.ringfleet.state.testing.Commands.vip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringfleet.api.Command;
import io.ringfleet.api.Protocol;
import io.ringfleet.api.VipKey;
import io.ringfleet.bpf.BpfMap;
import io.ringfleet.bpf.TestRun;
import io.ringfleet.bpf.abi.HcReal;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.IpAddress;
import io.ringfleet.testing.KatranData;
import io.ringfleet.testing.XdpAction;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Katran's conformance end to end through the control plane: provision.json entered only as commands (one log
 * entry per operator action, applied by raft-state's BatchApplier), every entry published to the map
 * programmer, rings computed by raft-state's Maglev, maps written by the programmer into a freshly loaded
 * balancer; then base_fixtures.json in file order through BPF_PROG_TEST_RUN (repeat 1), every byte compared.
 *
 * <p>The balancer runs with the fallback connection table only, as Katran's test mode does: fixtures rely on
 * connection-table state carried from one packet to the next, which per-CPU tables keep only when every
 * test run lands on the same CPU.
 */
public class KatranConformanceE2eTest {

    @Test
    void provisionedThroughCommandsPassesEveryBaseFixture() throws Exception {
        KatranData data = KatranData.load();
        JsonNode p = data.provision();
        DatapathConfig config =
                DatapathConfig.builder().maxVips(16).fallbackConnTableOnly().build();
        try (BalancerDatapath datapath = BalancerDatapath.open(config)) {
            MapProgrammer programmer = MapProgrammer.builder(datapath).build();
            ProgrammedLog log = new ProgrammedLog(programmer);
            provision(log::apply, p);
            FleetImage image = log.image();

            assertEquals(image.index(), log.programmedIndex());
            checkIdentifiersAreKatrans(image, p);
            checkHealthCheckDestinations(datapath, p);

            List<KatranData.Fixture> fixtures = data.baseFixtures();
            List<String> failures = new ArrayList<>();
            for (KatranData.Fixture f : fixtures) {
                TestRun.Result r =
                        datapath.program().testRun(TestRun.of(f.input()).dataOutCapacity(f.input().length + 512));
                if (r.retval() != f.expectedAction() || !Arrays.equals(r.data(), f.expectedOutput())) {
                    failures.add("fixture #" + f.index() + " \"" + f.name() + "\": got " + XdpAction.name(r.retval())
                            + " " + HexFormat.of().formatHex(r.data()) + "\n  want "
                            + XdpAction.name(f.expectedAction())
                            + " " + HexFormat.of().formatHex(f.expectedOutput()));
                }
            }
            System.out.println("katran-conformance e2e: " + (fixtures.size() - failures.size()) + "/" + fixtures.size()
                    + " passed");
            if (!failures.isEmpty()) {
                fail(String.join("\n", failures));
            }
            assertEquals(36, fixtures.size(), "base_fixtures.json holds Katran's 36 base fixtures");
        }
    }

    /** Where a test's batches go: a log in this JVM, or a node's API. */
    @FunctionalInterface
    public interface Sink {
        /** One batch (one log entry); fails the test when it is rejected. */
        void submit(Command... commands);
    }

    /** provision.json as an operator would enter it: one batch per action, each one a log entry. */
    public static void provision(Sink log, JsonNode p) {
        log.submit(setMac(p.get("default_gateway_mac").asText()));
        List<Command> adds = new ArrayList<>();
        List<Command> flags = new ArrayList<>();
        for (JsonNode v : p.get("vips")) {
            adds.add(addVip(key(v)));
            if (v.get("flags").asInt() != 0) {
                flags.add(modifyFlags(key(v), v.get("flags").asInt(), 0));
            }
        }
        log.submit(adds.toArray(new Command[0]));
        log.submit(flags.toArray(new Command[0]));
        for (JsonNode v : p.get("vips")) {
            List<String> reals = new ArrayList<>();
            v.get("reals")
                    .forEach(r -> reals.add(
                            r.get("address").asText() + "=" + r.get("weight").asInt()));
            if (!reals.isEmpty()) {
                log.submit(addReals(key(v), reals.toArray(new String[0])));
            }
        }
        List<String> quic = new ArrayList<>();
        p.get("quic_server_id_map")
                .forEach(q -> quic.add(
                        q.get("server_id").asLong() + "=" + q.get("address").asText()));
        log.submit(mapQuic(quic.toArray(new String[0])));
        JsonNode hc = p.get("healthcheck_dsts_configured_but_inactive");
        List<Command> hcs = new ArrayList<>();
        hc.fieldNames()
                .forEachRemaining(mark -> hcs.add(
                        setHealthCheck(Integer.parseInt(mark), hc.get(mark).asText())));
        log.submit(hcs.toArray(new Command[0]));
        for (JsonNode d : p.get("down_reals")) {
            String address = realAddress(p, d.get("real_index").asInt());
            log.submit(markDown(
                    vip(
                            d.get("vip").asText(),
                            d.get("port").asInt(),
                            Protocol.forNumber(d.get("proto").asInt())),
                    address));
        }
    }

    private static VipKey key(JsonNode v) {
        return vip(
                v.get("address").asText(),
                v.get("port").asInt(),
                Protocol.forNumber(v.get("proto").asInt()));
    }

    private static String realAddress(JsonNode p, int index) {
        for (JsonNode r : p.get("reals")) {
            if (r.get("index").asInt() == index) {
                return r.get("address").asText();
            }
        }
        throw new IllegalStateException("provision.json has no real " + index);
    }

    /** The fixtures' expected frames depend on Katran's vip_num and real indexes: the log must allocate the same. */
    public static void checkIdentifiersAreKatrans(FleetImage image, JsonNode p) {
        for (JsonNode v : p.get("vips")) {
            assertEquals(
                    v.get("vip_num").asInt(),
                    image.vips()
                            .get(new io.ringfleet.state.VipKey(
                                    IpAddress.parse(v.get("address").asText()),
                                    v.get("port").asInt(),
                                    v.get("proto").asInt() == 6
                                            ? io.ringfleet.state.Protocol.TCP
                                            : io.ringfleet.state.Protocol.UDP))
                            .orElseThrow()
                            .vipNum(),
                    v.toString());
        }
        for (JsonNode r : p.get("reals")) {
            assertEquals(
                    r.get("index").asInt(),
                    image.reals()
                            .get(IpAddress.parse(r.get("address").asText()))
                            .orElseThrow()
                            .index(),
                    r.toString());
        }
    }

    public static void checkHealthCheckDestinations(BalancerDatapath datapath, JsonNode p) throws Exception {
        JsonNode hc = p.get("healthcheck_dsts_configured_but_inactive");
        BpfMap hcReals = datapath.map("hc_reals");
        assertEquals(hc.size(), hcReals.keys().size());
        for (var it = hc.fieldNames(); it.hasNext(); ) {
            String mark = it.next();
            assertEquals(
                    new HcReal(InetAddress.getByName(hc.get(mark).asText())),
                    HcReal.decode(
                            hcReals.lookup(BpfMap.u32(Integer.parseInt(mark))).orElseThrow()));
        }
    }
}
