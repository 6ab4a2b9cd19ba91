package io.ringfleet.state;

import static io.ringfleet.state.testing.Commands.addReals;
import static io.ringfleet.state.testing.Commands.addVip;
import static io.ringfleet.state.testing.Commands.mapQuic;
import static io.ringfleet.state.testing.Commands.markDown;
import static io.ringfleet.state.testing.Commands.setHealthCheck;
import static io.ringfleet.state.testing.Commands.setMac;
import static io.ringfleet.state.testing.Commands.vip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringfleet.api.Command;
import io.ringfleet.state.testing.CommandLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Katran's test provisioning (shared/conformance/katran/provision.json), entered as one command batch,
 * gets exactly Katran's vip_num and real indexes. Skipped when the conformance data is not beside the
 * project.
 */
class KatranProvisionTest {
    static JsonNode provision;

    @BeforeAll
    static void load() throws IOException {
        Path file =
                Path.of(System.getProperty("ringfleet.shared", "../../shared"), "conformance/katran/provision.json");
        assumeTrue(Files.isRegularFile(file), "no Katran conformance data at " + file);
        provision = new ObjectMapper().readTree(file.toFile());
    }

    static io.ringfleet.api.VipKey key(JsonNode v) {
        return vip(
                v.get("address").asText(),
                v.get("port").asInt(),
                io.ringfleet.api.Protocol.forNumber(v.get("proto").asInt()));
    }

    static FleetImage provisioned() {
        List<Command> commands = new ArrayList<>();
        commands.add(setMac(provision.get("default_gateway_mac").asText()));
        for (JsonNode v : provision.get("vips")) {
            commands.add(addVip(key(v), v.get("flags").asInt()));
        }
        for (JsonNode v : provision.get("vips")) {
            List<String> reals = new ArrayList<>();
            v.get("reals")
                    .forEach(r -> reals.add(
                            r.get("address").asText() + "=" + r.get("weight").asInt()));
            if (!reals.isEmpty()) {
                commands.add(addReals(key(v), reals.toArray(new String[0])));
            }
        }
        List<String> quic = new ArrayList<>();
        provision
                .get("quic_server_id_map")
                .forEach(q -> quic.add(
                        q.get("server_id").asLong() + "=" + q.get("address").asText()));
        commands.add(mapQuic(quic.toArray(new String[0])));
        JsonNode hc = provision.get("healthcheck_dsts_configured_but_inactive");
        hc.fieldNames()
                .forEachRemaining(mark -> commands.add(
                        setHealthCheck(Integer.parseInt(mark), hc.get(mark).asText())));
        for (JsonNode d : provision.get("down_reals")) {
            String address = provision
                    .get("reals")
                    .get(d.get("real_index").asInt() - 1)
                    .get("address")
                    .asText();
            commands.add(markDown(
                    vip(
                            d.get("vip").asText(),
                            d.get("port").asInt(),
                            io.ringfleet.api.Protocol.forNumber(d.get("proto").asInt())),
                    address));
        }
        return new CommandLog().apply(commands.toArray(new Command[0]));
    }

    @Test
    void vipNumbersAreKatrans() {
        FleetImage image = provisioned();
        assertEquals(provision.get("vips").size(), image.vips().size());
        for (JsonNode v : provision.get("vips")) {
            VipImage vip = image.vips().get(v.get("vip_num").asInt()).orElseThrow();
            assertEquals(key(v).getAddress(), vip.key().address().toString());
            assertEquals(v.get("port").asInt(), vip.key().port());
            assertEquals(v.get("flags").asInt(), vip.flags());
        }
    }

    @Test
    void realIndexesAreKatrans() {
        FleetImage image = provisioned();
        for (JsonNode r : provision.get("reals")) {
            assertEquals(
                    r.get("index").asInt(),
                    image.reals()
                            .get(IpAddress.parse(r.get("address").asText()))
                            .orElseThrow()
                            .index(),
                    r.toString());
        }
        for (JsonNode v : provision.get("vips")) {
            List<Integer> expected = new ArrayList<>();
            v.get("reals").forEach(r -> expected.add(r.get("index").asInt()));
            assertEquals(
                    expected,
                    image.vips().get(v.get("vip_num").asInt()).orElseThrow().reals().stream()
                            .map(VipReal::realIndex)
                            .toList());
        }
        for (JsonNode q : provision.get("quic_server_id_map")) {
            assertEquals(
                    q.get("real_index").asInt(),
                    image.quicIds()
                            .get(q.get("server_id").asLong())
                            .orElseThrow()
                            .realIndex());
        }
    }

    @Test
    void gatewayMacAndDownRealsAreKatrans() {
        FleetImage image = provisioned();
        assertEquals(
                provision.get("default_gateway_mac").asText(),
                image.gatewayMac().orElseThrow().toString());
        VipImage migrating = image.vips()
                .get(new VipKey(IpAddress.parse("10.200.1.6"), 80, Protocol.UDP))
                .orElseThrow();
        assertEquals(List.of(1), List.copyOf(migrating.downReals()));
    }
}
