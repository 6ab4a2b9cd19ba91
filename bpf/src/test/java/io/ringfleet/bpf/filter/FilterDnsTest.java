package io.ringfleet.bpf.filter;

import static io.ringfleet.bpf.filter.FilterFrames.QTYPE_A;
import static io.ringfleet.bpf.filter.FilterFrames.QTYPE_AAAA;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ringfleet.bpf.TestRun;
import io.ringfleet.bpf.filter.FilterRule.Action;
import io.ringfleet.bpf.filter.FilterRule.DnsQuery;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** DNS query-name rules through BPF_PROG_TEST_RUN, malformed questions included. */
class FilterDnsTest {
    static final int XDP_DROP = 1;
    static final int XDP_PASS = 2;
    static final String CLIENT = "198.51.100.9";
    static final String RESOLVER = "203.0.113.53";
    private static int checks;

    private FilterProgram filter;

    @BeforeEach
    void load() {
        filter = FilterProgram.standalone(Map.of());
        filter.install(List.of(
                dns(1, "flood.example.net", 0, Action.DROP).build(),
                dns(2, "*.example.com", 0, Action.DROP).build(),
                dns(3, "*.good.example.com", 0, Action.ALLOW).build(),
                dns(4, "aaaa-only.example.org", QTYPE_AAAA, Action.DROP).build(),
                dns(5, "*.vip-only.test", 0, Action.DROP)
                        .other(Prefix.parse(RESOLVER + "/32"))
                        .build()));
    }

    @AfterEach
    void close() {
        filter.close();
    }

    @AfterAll
    static void summary() {
        System.out.println("filter-dns: " + checks + " DNS frames checked through BPF_PROG_TEST_RUN");
    }

    private static FilterRule.Builder dns(int id, String pattern, int qtype, Action action) {
        return FilterRule.builder(id, new DnsQuery(pattern, qtype), action);
    }

    private int run(byte[] frame) {
        checks++;
        return filter.program().testRun(TestRun.of(frame)).retval();
    }

    private int query(String name, int qtype) {
        return run(FilterFrames.dnsQuery(CLIENT, RESOLVER, name, qtype));
    }

    private byte[] queryFrame(int flags, int qdcount, byte[] question) {
        return FilterFrames.udp(CLIENT, RESOLVER, 40000, 53, FilterFrames.dnsMessage(flags, qdcount, question));
    }

    @Test
    void exactNamesMatchWholeNamesInAnyCase() {
        assertEquals(XDP_DROP, query("flood.example.net", QTYPE_A));
        assertEquals(XDP_DROP, query("FLOOD.Example.NET", QTYPE_A));
        assertEquals(XDP_PASS, query("x.flood.example.net", QTYPE_A));
        assertEquals(XDP_PASS, query("example.net", QTYPE_A));
        assertEquals(2, filter.counter(1).packets());
    }

    @Test
    void suffixPatternsNeedOneMoreLabelAndTheLongestWins() {
        assertEquals(XDP_DROP, query("a.example.com", QTYPE_A));
        assertEquals(XDP_DROP, query("a.b.c.example.com", QTYPE_A));
        assertEquals(XDP_PASS, query("example.com", QTYPE_A));
        assertEquals(XDP_PASS, query("www.good.example.com", QTYPE_A)); // *.good.example.com allows
        assertEquals(XDP_DROP, query("good.example.com", QTYPE_A)); // only *.example.com covers it
        assertEquals(3, filter.counter(2).packets()); // a, a.b.c, good
        assertEquals(1, filter.counter(3).packets());
    }

    @Test
    void namesLongerThanTheKeptLabelsStillMatchTheirSuffix() {
        String deep = "l1.l2.l3.l4.l5.l6.l7.l8.l9.l10.l11.l12.l13.l14.l15.l16.l17.l18.l19.l20.example.com";
        assertEquals(XDP_DROP, query(deep, QTYPE_A));
    }

    @Test
    void queryTypes() {
        assertEquals(XDP_DROP, query("aaaa-only.example.org", QTYPE_AAAA));
        assertEquals(XDP_PASS, query("aaaa-only.example.org", QTYPE_A));
    }

    @Test
    void theOtherPrefixOfADnsRuleIsTheDestination() {
        assertEquals(XDP_DROP, query("x.vip-only.test", QTYPE_A));
        assertEquals(XDP_PASS, run(FilterFrames.dnsQuery(CLIENT, "203.0.113.54", "x.vip-only.test", QTYPE_A)));
    }

    @Test
    void malformedQuestionsAreNotReadAndNeverDropped() {
        byte[] good = FilterFrames.question(FilterFrames.name("a.example.com"), QTYPE_A);
        long unread = filter.global(FilterGlobal.DNS_UNREAD).packets();
        // a compression pointer in place of the name (to offset 12, itself)
        byte[] pointer = FilterFrames.question(new byte[] {(byte) 0xc0, 12}, QTYPE_A);
        assertEquals(XDP_PASS, run(queryFrame(0x0100, 1, pointer)));
        // a label after one normal label that is a pointer
        byte[] labelThenPointer = FilterFrames.question(new byte[] {1, 'a', (byte) 0xc0, 12}, QTYPE_A);
        assertEquals(XDP_PASS, run(queryFrame(0x0100, 1, labelThenPointer)));
        // an oversize label (64 bytes)
        byte[] oversize = ByteBuffer.allocate(1 + 64 + 1 + 4)
                .put((byte) 64)
                .put(new byte[64])
                .array();
        assertEquals(XDP_PASS, run(queryFrame(0x0100, 1, oversize)));
        // QDCOUNT 0 and 2
        assertEquals(XDP_PASS, run(queryFrame(0x0100, 0, good)));
        assertEquals(XDP_PASS, run(queryFrame(0x0100, 2, good)));
        // a response (QR set)
        assertEquals(XDP_PASS, run(queryFrame(0x8180, 1, good)));
        // a name over 255 bytes: 5 labels of 63
        String label63 = "x".repeat(63);
        byte[] tooLong = FilterFrames.name(String.join(".", label63, label63, label63, label63, "example", "com"));
        assertEquals(XDP_PASS, run(queryFrame(0x0100, 1, FilterFrames.question(tooLong, QTYPE_A))));
        assertEquals(unread + 7, filter.global(FilterGlobal.DNS_UNREAD).packets());
        // the same question whole is dropped (control: the rule does match it)
        assertEquals(XDP_DROP, run(queryFrame(0x0100, 1, good)));
    }

    @Test
    void truncatedQueriesAtEveryLengthAreSafe() {
        byte[] whole = FilterFrames.dnsQuery(CLIENT, RESOLVER, "a.example.com", QTYPE_A);
        assertEquals(XDP_DROP, run(whole));
        // every cut inside the question: the name or its type is missing, nothing is dropped
        int udpEnd = 14 + 20 + 8;
        for (int len = udpEnd; len < whole.length; len++) {
            assertEquals(XDP_PASS, run(FilterFrames.cut(whole, len)), "cut at " + len);
        }
        assertEquals(
                whole.length - udpEnd, filter.global(FilterGlobal.DNS_UNREAD).packets());
    }

    @Test
    void withoutDnsRulesNoNameIsRead() {
        byte[] query = FilterFrames.dnsQuery(CLIENT, RESOLVER, "a.example.com", QTYPE_A);
        assertEquals(XDP_DROP, run(query)); // control: with DNS rules the name is read
        assertEquals(1, filter.global(FilterGlobal.DNS_QUERY).packets());
        filter.install(
                List.of(FilterRule.builder(9, new FilterRule.SourcePrefix(Prefix.parse("10.0.0.0/8")), Action.DROP)
                        .build()));
        assertEquals(XDP_PASS, run(query));
        byte[] truncated = FilterFrames.cut(query, query.length - 3);
        assertEquals(XDP_PASS, run(truncated));
        assertEquals(1, filter.global(FilterGlobal.DNS_QUERY).packets(), "not read");
        assertEquals(0, filter.global(FilterGlobal.DNS_UNREAD).packets(), "not even looked at");
    }

    @Test
    void aNewRuleSetLooksUpItsOwnDepthsOnly() {
        // one suffix of three labels, then one exact name of five labels and a typed suffix of one label
        filter.install(List.of(dns(1, "*.three.labels.example", 0, Action.DROP).build()));
        assertEquals(XDP_DROP, query("a.three.labels.example", QTYPE_A));
        assertEquals(XDP_PASS, query("a.example.com", QTYPE_A)); // the set before is gone
        filter.install(List.of(
                dns(2, "deep.a.b.c.example", 0, Action.DROP).build(),
                dns(3, "*.test", QTYPE_AAAA, Action.DROP).build()));
        assertEquals(XDP_PASS, query("a.three.labels.example", QTYPE_A));
        assertEquals(XDP_DROP, query("DEEP.a.b.c.example", QTYPE_A));
        assertEquals(XDP_PASS, query("x.deep.a.b.c.example", QTYPE_A));
        assertEquals(XDP_DROP, query("x.y.test", QTYPE_AAAA));
        assertEquals(XDP_PASS, query("x.y.test", QTYPE_A));
        assertEquals(1, filter.counter(2).packets());
        assertEquals(1, filter.counter(3).packets());
    }

    @Test
    void queriesOverIpv6AndToOtherPortsAreMatchedOnlyOnPort53() {
        assertEquals(XDP_DROP, run(FilterFrames.dnsQuery("2001:db8::9", "2001:db8::53", "z.example.com", QTYPE_A)));
        byte[] otherPort = FilterFrames.udp(
                CLIENT,
                RESOLVER,
                40000,
                5353,
                FilterFrames.dnsMessage(0x0100, 1, FilterFrames.question(FilterFrames.name("z.example.com"), 1)));
        assertEquals(XDP_PASS, run(otherPort));
    }
}
