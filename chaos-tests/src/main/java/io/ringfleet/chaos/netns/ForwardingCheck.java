package io.ringfleet.chaos.netns;

import io.ringfleet.bpf.TestRun;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The dual check of consistency: a seeded sample of new flows (TCP SYNs, first UDP datagrams) to one VIP is
 * run through every LB's loaded balancer with BPF_PROG_TEST_RUN, and the real each one picks (the outer
 * destination of the encapsulated frame) is compared across LBs. Equal rings must give equal answers for
 * every flow. Each run also inserts the flow into the LB's connection table, so run it when live traffic no
 * longer needs its entries (the demo does it after stopping the traffic).
 *
 * @param flows flows tried
 * @param agreed flows every LB forwarded (XDP_TX) to the same real
 * @param byReal flows per real (by the first LB's answer, named by realName)
 * @param firstDisagreement the first flow the LBs did not agree on, with each LB's answer, or empty
 */
public record ForwardingCheck(int flows, int agreed, SortedMap<String, Integer> byReal, String firstDisagreement) {
    private static final int XDP_TX = 3;

    /**
     * @param nodes the LBs
     * @param vip the VIP's address; port and protocol: the VIP's
     * @param realName a real's address → its name (for the distribution)
     */
    public static ForwardingCheck run(
            List<BalancerNode> nodes,
            InetAddress vip,
            int port,
            int protocol,
            int flows,
            long seed,
            Function<InetAddress, String> realName) {
        Random random = new Random(seed);
        boolean v6 = vip.getAddress().length == 16;
        SortedMap<String, Integer> byReal = new TreeMap<>();
        int agreed = 0;
        String first = "";
        for (int i = 0; i < flows; i++) {
            byte[] src = v6 ? Addresses.address("fd77:0:200::").getAddress() : new byte[] {10, 77, (byte) 200, 0};
            src[src.length - 2] = (byte) random.nextInt(256);
            src[src.length - 1] = (byte) random.nextInt(256);
            byte[] frame = Frames.first(DatapathState.inet(src), vip, protocol, 1024 + random.nextInt(64_000), port);
            String[] answers = new String[nodes.size()];
            for (int n = 0; n < nodes.size(); n++) {
                answers[n] = real(nodes.get(n), frame, realName);
            }
            boolean same = Arrays.stream(answers).allMatch(a -> a.equals(answers[0])) && !answers[0].startsWith("XDP");
            if (same) {
                agreed++;
                byReal.merge(answers[0], 1, Integer::sum);
            } else if (first.isEmpty()) {
                first = "flow " + i + " (seed " + seed + "): " + String.join(" / ", answers);
            }
        }
        return new ForwardingCheck(flows, agreed, byReal, first);
    }

    private static String real(BalancerNode node, byte[] frame, Function<InetAddress, String> realName) {
        TestRun.Result r = node.datapath().program().testRun(TestRun.of(frame).dataOutCapacity(frame.length + 64));
        if (r.retval() != XDP_TX) {
            return "XDP verdict " + r.retval();
        }
        byte[] out = r.data();
        // the outer header's destination: the real (IPv4 outer for IPv4 reals, IPv6 outer for IPv6 reals)
        boolean outerV6 = ((out[12] & 0xff) << 8 | (out[13] & 0xff)) == 0x86dd;
        byte[] dst = outerV6 ? Arrays.copyOfRange(out, 14 + 24, 14 + 40) : Arrays.copyOfRange(out, 14 + 16, 14 + 20);
        return realName.apply(DatapathState.inet(dst));
    }
}
