package io.ringfleet.bpf.datapath;

import static io.ringfleet.bpf.datapath.Packets.ETH;
import static io.ringfleet.bpf.datapath.Packets.ICMP;
import static io.ringfleet.bpf.datapath.Packets.ICMPV6;
import static io.ringfleet.bpf.datapath.Packets.TCP;
import static io.ringfleet.bpf.datapath.Packets.UDP;
import static io.ringfleet.bpf.datapath.Packets.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.ringfleet.bpf.TestRun;
import io.ringfleet.bpf.abi.Counter;
import io.ringfleet.bpf.abi.GlobalCounter;
import io.ringfleet.bpf.testing.Frames;
import io.ringfleet.testing.XdpAction;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Seeded random and mutated frames through BPF_PROG_TEST_RUN, each checked against an oracle that
 * knows only the configuration: nothing is forwarded or answered unless it belongs to a VIP, a
 * forwarded frame goes to a real of its VIP's ring (or, for QUIC VIPs, a real a server id maps to)
 * and carries the original packet unchanged, passed and dropped frames are untouched, and the
 * counters add up. A failure names the seed; rerun it with -Dringfleet.fuzz.seed=SEED.
 */
class BalancerFuzzTest {
    private static final int FRAMES = 100_000;
    private static final long DEFAULT_SEED = 0x5eed_2026L;
    private static final int MAX_REPORTED = 5;

    private record Vip(InetAddress address, int port, int protocol, int flags, int vipNum, int[] ringReals) {}

    private static final int QUIC_REAL_A = 3;
    private static final int QUIC_REAL_B = 5;
    private static final List<Vip> VIPS = List.of(
            new Vip(ip("10.200.1.1"), 80, TCP, 0, 0, new int[] {1, 2, 3}),
            new Vip(ip("10.200.1.1"), 80, UDP, BalancerUnderTest.F_HASH_NO_SRC_PORT, 1, new int[] {2, 3}),
            new Vip(ip("10.200.1.2"), 0, TCP, 0, 2, new int[] {1, 4}),
            new Vip(ip("10.200.1.3"), 0, UDP, BalancerUnderTest.F_HASH_DPORT_ONLY, 3, new int[] {5}),
            new Vip(ip("10.200.1.4"), 443, UDP, BalancerUnderTest.F_QUIC, 4, new int[] {1, 2}),
            new Vip(ip("10.200.1.5"), 80, TCP, BalancerUnderTest.F_LRU_BYPASS, 5, new int[] {2, 4, 5}),
            new Vip(ip("10.200.1.6"), 80, UDP, BalancerUnderTest.F_UDP_FLOW_MIGRATION, 6, new int[] {1, 3}),
            new Vip(ip("10.200.1.7"), 80, TCP, 0, 7, new int[] {}),
            new Vip(ip("fc00:1::1"), 80, TCP, 0, 8, new int[] {4, 5}),
            new Vip(ip("fc00:1::2"), 443, UDP, BalancerUnderTest.F_QUIC, 9, new int[] {4}),
            new Vip(ip("fc00:1::3"), 0, TCP, BalancerUnderTest.F_HASH_SRC_DST_PORT, 10, new int[] {1, 5}));
    private static final List<InetAddress> NON_VIPS =
            List.of(ip("10.200.1.99"), ip("192.168.0.1"), ip("fc00:1::99"), ip("fc00:2::1"));

    @Test
    void randomAndMutatedFramesNeverBreakTheInvariants() {
        long seed = Long.getLong("ringfleet.fuzz.seed", DEFAULT_SEED);
        fuzz("balancer", seed);
    }

    @Test
    void randomAndMutatedFramesNeverBreakTheInvariantsWithTooBigGeneration() {
        long seed = Long.getLong("ringfleet.fuzz.seed", DEFAULT_SEED + 1);
        fuzz("balancer_toobig", seed);
    }

    private static void fuzz(String variant, long seed) {
        Random random = new Random(seed);
        List<String> violations = new ArrayList<>();
        long forwarded = 0;
        long forwardedBytes = 0;
        long replies = 0;
        long sent = 0;
        long sentBytes = 0;
        try (BalancerUnderTest lb = provision(variant)) {
            List<byte[]> seeds = seedFrames(random);
            for (int i = 0; i < FRAMES; i++) {
                byte[] frame = nextFrame(random, seeds);
                if (frame.length < ETH) {
                    continue; // the kernel refuses to run XDP on less than an Ethernet header
                }
                TestRun.Result r = lb.run(frame);
                sent++;
                sentBytes += frame.length;
                String why;
                try {
                    why = check(frame, r);
                } catch (RuntimeException e) {
                    why = "the oracle could not read the result: " + e;
                }
                if (why == null && r.retval() == XdpAction.TX) {
                    if (isReply(frame, r.data())) {
                        replies++;
                    } else {
                        forwarded++;
                        forwardedBytes += frame.length;
                    }
                }
                if (why != null && violations.size() < MAX_REPORTED) {
                    violations.add("frame " + i + ": " + why + " (" + XdpAction.name(r.retval()) + ")\n  in  "
                            + Packets.hex(frame) + "\n  out " + Packets.hex(r.data()));
                }
            }
            Counter tx = lb.global(GlobalCounter.XDP_TX);
            Counter pass = lb.global(GlobalCounter.XDP_PASS);
            Counter drop = lb.global(GlobalCounter.XDP_DROP);
            String counters = null;
            Counter realTotal = Counter.ZERO;
            for (int real = 1; real < TestBed.REALS.size(); real++) {
                realTotal = realTotal.plus(lb.realStats(real));
            }
            Counter vipTotal = Counter.ZERO;
            for (Vip v : VIPS) {
                vipTotal = vipTotal.plus(lb.vipStats(v.vipNum()));
            }
            Counter echo = lb.global(GlobalCounter.ICMP_ECHO);
            Counter tooBig = lb.global(GlobalCounter.ICMP_TOO_BIG);
            long lookups = lb.global(GlobalCounter.LRU_LOOKUP).packets();
            long outcomes = lb.global(GlobalCounter.LRU_HIT).packets()
                    + lb.global(GlobalCounter.FALLBACK_HIT).packets()
                    + lb.global(GlobalCounter.LRU_MISS_TCP_OTHER).packets()
                    + lb.global(GlobalCounter.LRU_MISS_UDP).packets();
            if (tx.packets() + pass.packets() + drop.packets() != sent
                    || tx.bytes() + pass.bytes() + drop.bytes() != sentBytes) {
                counters = "action totals " + tx + " " + pass + " " + drop + " for " + sent + " frames, " + sentBytes
                        + " bytes";
            } else if (!realTotal.equals(new Counter(forwarded, forwardedBytes))) {
                counters = "real_stats total " + realTotal + " for " + forwarded + " forwarded frames, "
                        + forwardedBytes + " bytes";
            } else if (vipTotal.packets() < forwarded) {
                counters = "vip_stats total " + vipTotal + " below " + forwarded + " forwarded frames";
            } else if (echo.packets() + echo.bytes() + tooBig.packets() + tooBig.bytes() != replies) {
                counters = "echo " + echo + " + too-big " + tooBig + " replies counted for " + replies + " replies";
            } else if (lookups != outcomes) {
                counters = "LRU lookups " + lookups + " but hits + misses " + outcomes;
            }
            if (counters != null) {
                violations.add("counters: " + counters);
            }
            // the mix must reach every outcome, or the fuzz proves little
            long least = sent / 20;
            if (forwarded < least || pass.packets() < least || drop.packets() < least || replies == 0) {
                violations.add("degenerate mix: forwarded " + forwarded + ", replies " + replies + ", passed "
                        + pass.packets() + ", dropped " + drop.packets() + " of " + sent);
            }
        }
        if (!violations.isEmpty()) {
            fail("fuzz of " + variant + " with seed " + seed + " (rerun: -Dringfleet.fuzz.seed=" + seed + "):\n"
                    + String.join("\n", violations));
        }
        assertEquals(List.of(), violations);
    }

    private static BalancerUnderTest provision(String variant) {
        BalancerUnderTest lb = BalancerUnderTest.load(variant);
        lb.gatewayMac(Packets.GATEWAY_MAC);
        for (int i = 1; i < TestBed.REALS.size(); i++) {
            lb.addReal(i, TestBed.REALS.get(i));
        }
        for (Vip v : VIPS) {
            lb.addVip(v.address(), v.port(), v.protocol(), v.flags(), v.vipNum());
            lb.fillRing(v.vipNum(), v.ringReals().length == 0 ? new int[] {0} : v.ringReals());
        }
        lb.quicId(1026, QUIC_REAL_A);
        lb.quicId(197634, QUIC_REAL_B);
        lb.markDown(6, 1);
        return lb;
    }

    // ---- frames ----

    private static final byte[][] QUIC_HEADERS = {
        {0x40, 0x41, 0x00, (byte) 0x83, 4, 5, 6, 7, 8, 9}, // short, v1 id 1026
        {0x40, (byte) 0x80, 3, 4, 2, 5, 6, 7, 8, 9}, // short, v2 id 197634
        {(byte) 0xe0, 0, 0, 0, 1, 8, 0x41, 0, (byte) 0x83, 4, 5, 6, 7, 8}, // handshake, v1 id 1026
        {(byte) 0xc0, 0, 0, 0, 1, 8, 0x41, 0, (byte) 0x83, 4, 5, 6, 7, 8}, // initial
        {0x40, 0x41, 0x11, 0, 0, 0, 0, 0, 0, 0}, // unknown id
    };

    /** Well-formed frames towards VIPs and other addresses: the material mutations start from. */
    private static List<byte[]> seedFrames(Random random) {
        List<byte[]> out = new ArrayList<>();
        List<InetAddress> targets = new ArrayList<>(NON_VIPS);
        VIPS.forEach(v -> targets.add(v.address()));
        for (int i = 0; i < 400; i++) {
            InetAddress dst = targets.get(random.nextInt(targets.size()));
            boolean v6 = Packets.isV6(dst);
            InetAddress src = randomAddress(random, v6);
            Vip vip =
                    VIPS.stream().filter(v -> v.address().equals(dst)).findAny().orElse(null);
            int dport = vip != null && vip.port() != 0 && random.nextInt(4) > 0 ? vip.port() : random.nextInt(65536);
            int sport = random.nextInt(65536);
            byte[] payload = randomBytes(random, random.nextInt(40));
            switch (random.nextInt(6)) {
                case 0 -> out.add(Packets.tcp(src, dst, sport, dport, random.nextInt(256), payload));
                case 1 -> out.add(Packets.udp(src, dst, sport, dport, payload));
                case 2 ->
                    out.add(Packets.udp(src, dst, sport, dport, QUIC_HEADERS[random.nextInt(QUIC_HEADERS.length)]));
                case 3 -> out.add(Packets.echoRequest(src, dst));
                case 4 -> {
                    byte[] quoted = random.nextBoolean()
                            ? Packets.tcp(dst, src, dport, sport, Packets.ACK, new byte[0])
                            : Packets.udp(dst, src, dport, sport, new byte[0]);
                    out.add(Packets.tooBigError(randomAddress(random, v6), dst, quoted));
                }
                default -> out.add(Packets.tcp(src, dst, sport, dport, Packets.SYN, randomBytes(random, 1400)));
            }
        }
        return out;
    }

    private static byte[] nextFrame(Random random, List<byte[]> seeds) {
        int kind = random.nextInt(10);
        if (kind == 0) { // noise, sometimes with an IP ethertype
            byte[] f = randomBytes(random, random.nextInt(200));
            if (f.length > 13 && random.nextBoolean()) {
                boolean v6 = random.nextBoolean();
                f[12] = (byte) (v6 ? 0x86 : 0x08);
                f[13] = (byte) (v6 ? 0xdd : 0x00);
            }
            return f;
        }
        byte[] f = seeds.get(random.nextInt(seeds.size())).clone();
        int mutations = kind < 4 ? 0 : 1 + random.nextInt(3);
        for (int m = 0; m < mutations && f.length > 0; m++) {
            switch (random.nextInt(4)) {
                case 0 -> f[random.nextInt(Math.min(f.length, 80))] = (byte) random.nextInt(256);
                case 1 -> f[random.nextInt(f.length)] ^= (byte) (1 << random.nextInt(8));
                case 2 -> f = Arrays.copyOf(f, random.nextInt(f.length));
                default -> {
                    byte[] extra = randomBytes(random, random.nextInt(64));
                    byte[] g = Arrays.copyOf(f, f.length + extra.length);
                    System.arraycopy(extra, 0, g, f.length, extra.length);
                    f = g;
                }
            }
        }
        return f;
    }

    private static byte[] randomBytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static InetAddress randomAddress(Random random, boolean v6) {
        try {
            return InetAddress.getByAddress(randomBytes(random, v6 ? 16 : 4));
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- oracle ----

    private static boolean isReply(byte[] in, byte[] out) {
        return Arrays.equals(out, 0, 6, in, 6, 12);
    }

    /** null when the result is allowed, else what is wrong. */
    private static String check(byte[] in, TestRun.Result r) {
        byte[] out = r.data();
        if (r.retval() == XdpAction.PASS || r.retval() == XdpAction.DROP) {
            return Arrays.equals(in, out) ? null : "passed or dropped frame was modified";
        }
        if (r.retval() != XdpAction.TX) {
            return "unexpected action";
        }
        int ethertype = Frames.u16(in, 12);
        if (ethertype != 0x0800 && ethertype != 0x86DD) {
            return "non-IP frame sent";
        }
        boolean v6 = ethertype == 0x86DD;
        InetAddress dst = address(in, ETH + (v6 ? 24 : 16), v6);
        if (isReply(in, out)) {
            return VIPS.stream().anyMatch(v -> v.address().equals(dst)) ? null : "reply for a non-VIP address";
        }
        if (!Arrays.equals(out, 0, 6, Packets.GATEWAY_MAC, 0, 6)) {
            return "sent neither back nor to the gateway";
        }
        Packets.Encapsulated e = Packets.encapsulated(out);
        if (!Arrays.equals(e.inner(), Arrays.copyOfRange(in, ETH, in.length))) {
            return "forwarded packet differs from the received one";
        }
        int l3 = v6 ? Packets.IPV6 : Packets.IPV4;
        int proto = in[ETH + (v6 ? 6 : 9)] & 0xff;
        InetAddress flowDst = dst;
        int dport = Frames.u16(in, ETH + l3 + 2);
        if (proto == ICMP || proto == ICMPV6) { // an error: the quoted flow, turned around
            int quoted = ETH + l3 + 8;
            proto = in[quoted + (v6 ? 6 : 9)] & 0xff;
            flowDst = address(in, quoted + (v6 ? 8 : 12), v6);
            dport = Frames.u16(in, quoted + l3);
        }
        Vip vip = findVip(flowDst, dport, proto);
        if (vip == null) {
            return "forwarded a flow of no VIP";
        }
        int real = TestBed.REALS.indexOf(e.outerDst());
        Set<Integer> allowed = new HashSet<>();
        Arrays.stream(vip.ringReals()).forEach(allowed::add);
        if ((vip.flags() & BalancerUnderTest.F_QUIC) != 0) {
            allowed.add(QUIC_REAL_A);
            allowed.add(QUIC_REAL_B);
        }
        if (!allowed.contains(real)) {
            return "forwarded to " + e.outerDst() + ", outside VIP " + vip.vipNum() + "'s reals " + allowed;
        }
        return null;
    }

    private static Vip findVip(InetAddress dst, int port, int proto) {
        for (int wanted : new int[] {port, 0}) {
            for (Vip v : VIPS) {
                if (v.address().equals(dst) && v.port() == wanted && v.protocol() == proto) {
                    return v;
                }
            }
        }
        return null;
    }

    private static InetAddress address(byte[] f, int off, boolean v6) {
        try {
            return InetAddress.getByAddress(Arrays.copyOfRange(f, off, off + (v6 ? 16 : 4)));
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
