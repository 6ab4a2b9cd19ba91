package io.ringfleet.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HostPortTest {
    private static String reason(String text) {
        return assertThrows(IllegalArgumentException.class, () -> HostPort.parse(text))
                .getMessage();
    }

    @Test
    void parsesIpv4NamesAndBracketedIpv6() {
        assertEquals(new HostPort("10.0.0.1", 9870), HostPort.parse("10.0.0.1:9870"));
        assertEquals(new HostPort("lb1.example.net", 1), HostPort.parse("LB1.Example.NET:1"));
        assertEquals(new HostPort("fd00::1", 9870), HostPort.parse("[fd00::1]:9870"));
    }

    @Test
    void ipv6IsCanonical() {
        assertEquals("fd00::1", HostPort.parse("[FD00:0:0:0:0:0:0:1]:1").host());
        assertEquals("::", HostPort.parse("[0:0:0:0:0:0:0:0]:1").host());
        assertEquals("::1", HostPort.parse("[::1]:1").host());
        assertEquals("1::", HostPort.parse("[1:0:0:0:0:0:0:0]:1").host());
        assertEquals("1:0:1::1", HostPort.parse("[1:0:1:0:0:0:0:1]:1").host(), "the longest zero run is compressed");
        assertEquals("1::1:0:0:1", HostPort.parse("[1:0:0:0:1:0:0:1]:1").host(), "the first of equal runs");
        assertEquals("1:2:3:4:5:6:7:8", HostPort.parse("[1:2:3:4:5:6:7:8]:1").host());
        assertEquals("1:0:2:3:4:5:6:7", HostPort.parse("[1:0:2:3:4:5:6:7]:1").host(), "a single 0 stays");
        assertEquals("::ffff:a00:1", HostPort.parse("[::ffff:10.0.0.1]:1").host());
        assertEquals("[fd00::1]:9870", HostPort.parse("[fd00:0::1]:9870").toString());
    }

    @Test
    void refusesMalformedAddresses() {
        assertEquals("no port", reason("10.0.0.1"));
        assertEquals("no port", reason("10.0.0.1:"));
        assertEquals("port \"http\" is not a number from 1 to 65535", reason("10.0.0.1:http"));
        assertEquals("port 70000 is not from 1 to 65535", reason("10.0.0.1:70000"));
        assertEquals("an IPv6 address needs brackets: [address]:port", reason("::1:80"));
        assertEquals("the IPv6 address has no closing ']'", reason("[::1:80"));
        assertEquals("\"fd00:::1\" is not an IPv6 address", reason("[fd00:::1]:1"));
        assertEquals("\"1:2:3:4:5:6:7:8:9\" is not an IPv6 address", reason("[1:2:3:4:5:6:7:8:9]:1"));
        assertEquals("\"1::2::3\" is not an IPv6 address", reason("[1::2::3]:1"));
        assertEquals("\"12345::\" is not an IPv6 address", reason("[12345::]:1"));
        assertEquals(
                "\"010.0.0.1\" is not an IPv4 address (four numbers 0-255 without leading zeros)",
                reason("010.0.0.1:1"));
        assertEquals("\"1.2.3\" is not an IPv4 address (four numbers 0-255 without leading zeros)", reason("1.2.3:1"));
        assertEquals(
                "\"-lb\" is not an IP address or a DNS name (labels of letters, digits and '-', at most 63"
                        + " characters each)",
                reason("-lb:1"));
        assertEquals("host must not be empty; use an IPv4 address, [IPv6] or a DNS name", reason(":80"));
    }

    @Test
    void knowsWildcardsAndLoopback() {
        assertTrue(HostPort.parse("0.0.0.0:1").isWildcard());
        assertTrue(HostPort.parse("[::]:1").isWildcard());
        assertFalse(HostPort.parse("10.0.0.1:1").isWildcard());
        assertTrue(HostPort.parse("127.0.0.2:1").isLoopback());
        assertTrue(HostPort.parse("[::1]:1").isLoopback());
        assertTrue(HostPort.parse("localhost:1").isLoopback());
        assertFalse(HostPort.parse("127.example:1").isLoopback());
    }

    @Test
    void constructorChecksThePort() {
        assertEquals(
                "port must be from 1 to 65535, got 0",
                assertThrows(IllegalArgumentException.class, () -> new HostPort("a", 0))
                        .getMessage());
    }
}
