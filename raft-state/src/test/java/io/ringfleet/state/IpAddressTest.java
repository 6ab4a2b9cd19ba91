package io.ringfleet.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class IpAddressTest {
    @Test
    void parsesAndPrintsIpv4() {
        IpAddress a = IpAddress.parse("10.200.1.1");
        assertTrue(a.isV4());
        assertEquals("10.200.1.1", a.toString());
        assertEquals(IpAddress.parse("255.255.255.255"), IpAddress.fromBytes(new byte[] {-1, -1, -1, -1}));
    }

    @Test
    void printsIpv6Canonically() {
        assertEquals(
                "fc00:1::1",
                IpAddress.parse("FC00:0001:0000:0000:0000:0000:0000:0001").toString());
        assertEquals("::", IpAddress.parse("::").toString());
        assertEquals("::1", IpAddress.parse("0:0:0:0:0:0:0:1").toString());
        assertEquals("1::", IpAddress.parse("1:0:0:0:0:0:0:0").toString());
        assertEquals(
                "2001:db8:0:1:1:1:1:1", IpAddress.parse("2001:db8:0:1:1:1:1:1").toString(), "one zero group stays");
        assertEquals("2001:0:0:1::1", IpAddress.parse("2001:0:0:1:0:0:0:1").toString(), "longest run compressed");
        assertEquals("1::1:0:0:1:1", IpAddress.parse("1:0:0:1:0:0:1:1").toString(), "first run wins on a tie");
        assertEquals("::ffff:a00:1", IpAddress.parse("::ffff:10.0.0.1").toString());
    }

    @Test
    void rejectsMalformedText() {
        for (String bad : List.of(
                "",
                "1.2.3",
                "1.2.3.4.5",
                "256.1.1.1",
                "01.2.3.4",
                "1.2.3.-4",
                "a.b.c.d",
                "1..2.3",
                "1:2:3:4:5:6:7",
                "1:2:3:4:5:6:7:8:9",
                "1::2::3",
                ":::",
                "12345::",
                "g::1",
                "fe80::1%eth0",
                "[::1]",
                "1.2.3.4::",
                ":1:2:3:4:5:6:7",
                "1:2:3:4:5:6:7:",
                "::1.2.3",
                " 10.0.0.1",
                "١.2.3.4")) {
            assertThrows(IllegalArgumentException.class, () -> IpAddress.parse(bad), bad);
        }
    }

    @Test
    void ordersIpv4BeforeIpv6ThenUnsignedBytes() {
        assertTrue(IpAddress.parse("255.0.0.1").compareTo(IpAddress.parse("::1")) < 0);
        assertTrue(IpAddress.parse("10.0.0.2").compareTo(IpAddress.parse("10.0.0.128")) < 0);
        assertTrue(IpAddress.parse("fc00::1").compareTo(IpAddress.parse("fc00::80")) < 0);
    }

    @Test
    void recognisesUnspecifiedAndMapped() {
        assertTrue(IpAddress.parse("0.0.0.0").isUnspecified());
        assertTrue(IpAddress.parse("::").isUnspecified());
        assertTrue(IpAddress.parse("::ffff:1.2.3.4").isV4Mapped());
        assertFalse(IpAddress.parse("::1.2.3.4").isV4Mapped());
    }
}
