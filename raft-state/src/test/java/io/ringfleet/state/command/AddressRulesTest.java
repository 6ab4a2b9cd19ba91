package io.ringfleet.state.command;

import static io.ringfleet.state.command.CommandValidatorTest.assertRejected;
import static io.ringfleet.state.testing.Commands.TCP;
import static io.ringfleet.state.testing.Commands.UDP;
import static io.ringfleet.state.testing.Commands.addReals;
import static io.ringfleet.state.testing.Commands.addVip;
import static io.ringfleet.state.testing.Commands.batch;
import static io.ringfleet.state.testing.Commands.mapQuic;
import static io.ringfleet.state.testing.Commands.removeReals;
import static io.ringfleet.state.testing.Commands.removeVip;
import static io.ringfleet.state.testing.Commands.setHealthCheck;
import static io.ringfleet.state.testing.Commands.vip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringfleet.api.Command;
import io.ringfleet.api.FleetRecord;
import io.ringfleet.api.RealsAdded;
import io.ringfleet.api.VipAdded;
import io.ringfleet.api.VipKey;
import io.ringfleet.api.VipRealEntry;
import io.ringfleet.state.FleetDelta;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.FleetLimits;
import io.ringfleet.state.IpAddress;
import io.ringfleet.state.Provenance;
import io.ringfleet.state.testing.CommandLog;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The fleet-wide address policy: which addresses may become a VIP or a real (AddressRules), a rule of fleet
 * version 2. Each refusal is checked on a fleet at version 2 and, as the control, accepted by the same fleet at
 * version 1 (the rule is gated, so replicas mid-upgrade validate alike).
 */
class AddressRulesTest {
    static final VipKey WEB = vip("10.200.1.1", 80, TCP);
    static final VipKey WEB6 = vip("fc00:1::1", 80, TCP);

    static final String VIP_RULE = ": a vip must be a unicast address routed to the balancers, not loopback,"
            + " multicast, broadcast, unspecified, link-local or a peer's control address";
    static final String REAL_RULE =
            ": a real must be a unicast address of a backend, not multicast, broadcast or unspecified";

    /** A fleet at fleet version 2 (the policy in force), with an IPv4 VIP with one real and an IPv6 VIP. */
    static CommandLog webFleet() {
        return webFleet(2);
    }

    static CommandLog webFleet(int fleetVersion) {
        CommandLog fleet = new CommandLog(FleetLimits.DEFAULT, fleetVersion);
        fleet.apply(addVip(WEB), addReals(WEB, "10.0.0.1=1"), addVip(WEB6));
        return fleet;
    }

    /** The control: a fleet that has not finalised version 2 accepts {@code commands} (the rule is gated). */
    static void acceptedAtVersion1(Command... commands) {
        CommandLog v1 = webFleet(1);
        CommandResult r = v1.submit(commands);
        assertTrue(r.isOk(), "fleet version 1 must accept what version 2 refuses: " + r);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "127.0.0.1       | 127.0.0.1       | a loopback address (127.0.0.0/8)",
                "127.255.255.254 | 127.255.255.254 | a loopback address (127.0.0.0/8)",
                "::1             | ::1             | the loopback address (::1)",
                "0:0::1          | ::1             | the loopback address (::1)",
                "224.0.0.1       | 224.0.0.1       | a multicast address (224.0.0.0/4)",
                "239.255.255.255 | 239.255.255.255 | a multicast address (224.0.0.0/4)",
                "ff02::1         | ff02::1         | a multicast address (ff00::/8)",
                "FF0E::1         | ff0e::1         | a multicast address (ff00::/8)",
                "255.255.255.255 | 255.255.255.255 | the limited broadcast address (255.255.255.255)",
                "169.254.0.1     | 169.254.0.1     | a link-local address (169.254.0.0/16)",
                "169.254.169.254 | 169.254.169.254 | a link-local address (169.254.0.0/16)",
                "fe80::1         | fe80::1         | a link-local address (fe80::/10)",
                "febf:ffff::1    | febf:ffff::1    | a link-local address (fe80::/10)",
            })
    void aVipAddressOutsideThePolicyIsRefusedAndTheBatchChangesNothing(String text, String shown, String range) {
        CommandLog fleet = webFleet();
        assertRejected(
                ErrorCode.INVALID_ARGUMENT,
                "vip address \"" + shown + "\" is " + range + VIP_RULE,
                fleet,
                addReals(WEB, "10.0.0.2=1"),
                addVip(vip(text, 0, TCP)));
        assertRejected(
                ErrorCode.INVALID_ARGUMENT,
                "vip address \"" + shown + "\" is " + range + VIP_RULE,
                fleet,
                addVip(vip(text, 443, UDP)));
        acceptedAtVersion1(addVip(vip(text, 0, TCP)));
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "10.0.0.9    | 224.0.0.251     | a multicast address (224.0.0.0/4)",
                "fc00::9     | ff05::2         | a multicast address (ff00::/8)",
                "10.0.0.9    | 255.255.255.255 | the limited broadcast address (255.255.255.255)",
            })
    void aRealAddressOutsideThePolicyIsRefusedWhereverARealIsAdded(String good, String bad, String range) {
        CommandLog fleet = webFleet();
        VipKey vip = good.contains(":") ? WEB6 : WEB;
        assertRejected(
                ErrorCode.INVALID_ARGUMENT,
                "real address \"" + bad + "\" is " + range + REAL_RULE,
                fleet,
                addReals(vip, good + "=1", bad + "=1"));
        assertRejected(
                ErrorCode.INVALID_ARGUMENT,
                "quic real address \"" + bad + "\" is " + range + REAL_RULE,
                fleet,
                mapQuic("7=" + good, "8=" + bad));
        assertRejected(
                ErrorCode.INVALID_ARGUMENT,
                "health-check address \"" + bad + "\" is " + range + REAL_RULE,
                fleet,
                setHealthCheck(1, good),
                setHealthCheck(2, bad));
        acceptedAtVersion1(addReals(vip, good + "=1", bad + "=1"), mapQuic("8=" + bad), setHealthCheck(2, bad));
    }

    /** The list for reals is multicast, broadcast and unspecified: loopback and link-local reals stay. */
    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "169.254.1.1", "::1", "fe80::1"})
    void loopbackAndLinkLocalRealsAreAccepted(String text) {
        CommandLog fleet = webFleet();
        FleetImage image = fleet.apply(
                addReals(text.contains(":") ? WEB6 : WEB, text + "=1"), mapQuic("9=" + text), setHealthCheck(3, text));
        assertTrue(image.reals().get(IpAddress.parse(text)).isPresent(), text);
        assertEquals(text, image.healthChecks().destination(3).orElseThrow().toString());
    }

    /** Any IP of a peer's Raft, API or metrics address in the fleet settings is refused as a VIP, on any port. */
    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "10.255.0.1 | lb1",
                "10.255.0.3 | lb3",
            })
    void aVipOnAPeersControlAddressIsRefused(String address, String peer) {
        CommandLog fleet = webFleet();
        assertRejected(
                ErrorCode.INVALID_ARGUMENT,
                "vip address \"" + address + "\" is a control address of peer " + peer + " (raft " + address
                        + ":7000, api " + address + ":7001, metrics " + address + ":7002)" + VIP_RULE,
                fleet,
                addVip(vip(address, 443, TCP)));
        acceptedAtVersion1(addVip(vip(address, 443, TCP)));
        // The next address is no peer's: accepted at version 2 too.
        assertTrue(fleet.submit(addVip(vip("10.255.0.4", 443, TCP))).isOk());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.0", "::"})
    void theUnspecifiedAddressIsRefusedAsBefore(String text) {
        CommandLog fleet = webFleet();
        String shown = IpAddress.parse(text).toString();
        assertRejected(
                ErrorCode.INVALID_ARGUMENT,
                "vip address " + shown + " is the unspecified address: give a host address",
                fleet,
                addVip(vip(text, 80, TCP)));
        assertRejected(
                ErrorCode.INVALID_ARGUMENT,
                "real address " + shown + " is the unspecified address: give a host address",
                fleet,
                addReals(text.contains(":") ? WEB6 : WEB, text + "=1"));
    }

    /** Next to each boundary, both sides of the refused range are accepted, as VIP and as real. */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "126.255.255.255",
                "128.0.0.0",
                "223.255.255.255",
                "240.0.0.1", // reserved (240.0.0.0/4) but not in a refused class
                "255.255.255.254",
                "169.253.255.255",
                "169.255.0.0",
                "168.254.0.1",
                "::2",
                "fe7f:ffff::1",
                "fec0::1",
                "feff::1",
                "fd00::1",
            })
    void theAddressesNextToEachRefusedRangeAreAccepted(String text) {
        CommandLog fleet = webFleet();
        boolean v6 = text.contains(":");
        VipKey vip = vip(text, 8080, TCP);
        FleetImage image = fleet.apply(
                addVip(vip), addReals(v6 ? WEB6 : WEB, text + "=1"), mapQuic("9=" + text), setHealthCheck(3, text));
        assertEquals(3, image.vips().size(), text);
        assertTrue(image.reals().get(IpAddress.parse(text)).isPresent(), text);
    }

    /**
     * The policy applies where an address enters the state: a VIP or real in the state from before it (a
     * snapshot or a log written by an older version) can still be named, and removed.
     */
    @Test
    void anAddressAlreadyInTheStateCanStillBeRemoved() {
        FleetImage v2 = new CommandLog(FleetLimits.DEFAULT, 2).image();
        FleetDelta d = new FleetDelta(v2);
        d.replayAll(List.of(
                FleetRecord.newBuilder()
                        .setVipAdded(VipAdded.newBuilder()
                                .setVipNum(0)
                                .setAddress(IpAddress.parse("127.0.0.1").toByteString())
                                .setPort(0)
                                .setProtocol(TCP))
                        .build(),
                FleetRecord.newBuilder()
                        .setRealsAdded(RealsAdded.newBuilder()
                                .setVipNum(0)
                                .addReals(VipRealEntry.newBuilder()
                                        .setRealIndex(1)
                                        .setAddress(
                                                IpAddress.parse("169.254.1.1").toByteString())
                                        .setWeight(1)))
                        .build()));
        FleetImage image = d.apply(new Provenance(1, 2));
        assertEquals(2, image.settings().fleetVersion());
        CommandValidator validator = new CommandValidator();
        VipKey lo = vip("127.0.0.1", 0, TCP);
        CommandResult r = validator.validate(image, batch(removeReals(lo, "169.254.1.1"), removeVip(lo)));
        assertTrue(r.isOk(), r.toString());
        assertEquals(2, r.records().size());
    }
}
