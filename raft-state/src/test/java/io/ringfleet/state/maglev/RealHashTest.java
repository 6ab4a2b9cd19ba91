package io.ringfleet.state.maglev;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringfleet.testing.KatranData;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class RealHashTest {

    // From FACTS.md / real_hashes.json, so the algorithm is pinned even without the shared data.
    private static final long HASH_10_0_0_1 = 0xd671359dbaa15954L;
    private static final long HASH_255_255_255_255 = 0x8f2a3add05a6d637L;
    private static final long HASH_FC00_1 = 0x64e74a25b986d744L;

    @Test
    void hashesEveryAddressOfRealHashesJsonExactlyLikeKatran() throws Exception {
        JsonNode vectors = KatranData.load().json("real_hashes.json").get("vectors");
        List<Executable> checks = new ArrayList<>();
        for (JsonNode v : vectors) {
            String address = v.get("address").asText();
            long expected = KatranData.u64(v.get("hash_hex"));
            assertEquals(expected, KatranData.u64(v.get("hash_dec")), "fixture's hex and decimal agree for " + address);
            long hash = RealHash.of(InetAddress.getByName(address));
            int offset = v.get("maglev_offset_65537").asInt();
            int skip = v.get("maglev_skip_65537").asInt();
            checks.add(() -> assertEquals(Long.toHexString(expected), Long.toHexString(hash), "hash of " + address));
            checks.add(() -> assertEquals(offset, MaglevRing.offset(hash, 65537), "offset of " + address));
            checks.add(() -> assertEquals(skip, MaglevRing.skip(hash, 65537), "skip of " + address));
        }
        assertEquals(13, vectors.size(), "real_hashes.json vectors");
        assertAll(checks);
    }

    @Test
    void hashesTheProvisionedRealsExactlyLikeKatran() throws Exception {
        JsonNode reals = KatranData.load().json("provision.json").get("reals");
        List<Executable> checks = new ArrayList<>();
        for (JsonNode r : reals) {
            String address = r.get("address").asText();
            long expected = KatranData.u64(r.get("folly_ipaddress_hash"));
            long hash = RealHash.of(InetAddress.getByName(address));
            int offset = r.get("maglev_offset").asInt();
            int skip = r.get("maglev_skip").asInt();
            checks.add(() -> assertEquals(Long.toHexString(expected), Long.toHexString(hash), "hash of " + address));
            checks.add(() -> assertEquals(offset, MaglevRing.offset(hash, 65537), "offset of " + address));
            checks.add(() -> assertEquals(skip, MaglevRing.skip(hash, 65537), "skip of " + address));
        }
        assertEquals(6, reals.size(), "provision.json reals");
        assertAll(checks);
    }

    @Test
    void hashes10_0_0_1AndItsMaglevPermutationLikeKatran() {
        long hash = RealHash.of(new byte[] {10, 0, 0, 1});
        assertEquals(HASH_10_0_0_1, hash);
        assertEquals(4577, MaglevRing.offset(hash, 65537));
        assertEquals(18292, MaglevRing.skip(hash, 65537));
    }

    @Test
    void signExtendsIpv4BytesFromTheHighHalf() {
        assertEquals(HASH_255_255_255_255, RealHash.of(new byte[] {-1, -1, -1, -1}));
    }

    @Test
    void hashesIpv6WithSpookyHash() {
        byte[] fc00_1 = new byte[16];
        fc00_1[0] = (byte) 0xfc;
        fc00_1[15] = 1;
        assertEquals(HASH_FC00_1, RealHash.of(fc00_1));
    }

    @Test
    void hashesV4MappedIpv6AsItsIpv4Address() {
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        mapped[12] = 10;
        mapped[15] = 1;
        assertEquals(HASH_10_0_0_1, RealHash.of(mapped));
        // ::a00:1 (v4-compatible, not v4-mapped) is an ordinary IPv6 address
        mapped[10] = 0;
        mapped[11] = 0;
        assertTrue(RealHash.of(mapped) != HASH_10_0_0_1);
    }

    @Test
    void agreesAcrossInetAddressRawBytesAndIntForms() throws Exception {
        for (String a :
                new String[] {"10.0.0.1", "192.168.1.200", "172.16.255.128", "0.0.0.0", "fe80::1ff:fe23:4567:890a"}) {
            InetAddress inet = InetAddress.getByName(a);
            assertEquals(RealHash.of(inet.getAddress()), RealHash.of(inet), a);
            if (inet.getAddress().length == 4) {
                byte[] b = inet.getAddress();
                int v = (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
                assertEquals(RealHash.of(inet), RealHash.ofIpv4(v), a);
            }
        }
    }

    @Test
    void rejectsAddressesThatAreNeither4Nor16Bytes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RealHash.of(new byte[5]));
        assertTrue(e.getMessage().contains("4 bytes (IPv4) or 16 bytes (IPv6), got 5"), e.getMessage());
    }
}
