package io.ringfleet.bpf.bench;

import io.ringfleet.bpf.Bpf;
import io.ringfleet.bpf.BpfMap;
import io.ringfleet.bpf.BpfObject;
import io.ringfleet.bpf.BpfProgram;
import io.ringfleet.bpf.MapNames;
import io.ringfleet.bpf.NetNs;
import io.ringfleet.bpf.TestRun;
import io.ringfleet.bpf.abi.BackendCounter;
import io.ringfleet.bpf.abi.Counter;
import io.ringfleet.bpf.abi.Ctl;
import io.ringfleet.bpf.testing.TunnelFrames;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * ns/packet of ringfleet-backend (backend.bpf.c), same method as {@link DatapathBench} with plain repeat: the program
 * runs behind bench_wrapper (which rewinds the frame and restores its first 64 bytes every repetition) and the wrapper
 * around a trivial program of the same verdict is subtracted. Paths: plain IPIP decapsulation (what the backend does
 * for every packet the balancer sends), and the three second-chance outcomes: a SYN delivered, a segment of an
 * established local connection delivered (socket lookup hit), a segment without socket re-encapsulated to the second
 * real (lookup miss + IPIP). backend_stats must show every repetition on the path. Run inside a namespace of its own
 * (prefix {@code rfsc-bench}) that holds the VIP, the client and the established connection on lo.
 *
 * <p>Caveat of the method: the wrapper restores 64 bytes, and a second-chance frame's inner packet starts at byte 66;
 * the program's new Ethernet type lands on bytes 64-65 (the last two of the second real's 16 address bytes, unused
 * for an IPv4 second real), so those stay rewritten between repetitions without changing the path.
 *
 * <p>Usage: {@code BackendBench [--repeat N] [--runs R]}; run with {@code scripts/bench-datapath.sh --backend}.
 */
public final class BackendBench {
    private static final InetAddress VIP = TunnelFramesAddr.of("10.204.0.1");
    private static final InetAddress CLIENT = TunnelFramesAddr.of("10.204.0.2");
    private static final InetAddress LB = TunnelFramesAddr.of("10.204.1.1");
    private static final InetAddress HERE = TunnelFramesAddr.of("10.204.1.5");
    private static final InetAddress SECOND = TunnelFramesAddr.of("10.204.1.9");
    private static final int PORT = 8080;
    private static final int XDP_PASS = 2;
    private static final int XDP_TX = 3;
    private static final int CFG_SPORT_OFF = 0;
    private static final int CFG_FRAME_LEN = 1;
    private static final int RESTORE = 64;
    private static final int WARMUP = 10_000;

    public static void main(String[] args) {
        int repeat = 100_000;
        int runs = 7;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--repeat" -> repeat = Integer.parseInt(args[i + 1]);
                case "--runs" -> runs = Integer.parseInt(args[i + 1]);
                default -> {
                    System.err.println(
                            "bench-backend: unknown argument " + args[i] + "; usage: [--repeat N] [--runs R]");
                    System.exit(2);
                }
            }
        }
        System.out.println(new BackendBench().run(repeat, runs));
    }

    private record Path(String name, byte[] frame, int verdict, BackendCounter counter) {}

    String run(int repeat, int runs) {
        List<String> lines = new ArrayList<>();
        try (NetNs ns = NetNs.create("rfsc-bench");
                BpfObject wrapperObject = BpfObject.open(Bpf.resourceFile("/native/bench_wrapper.bpf.o"))
                        .load();
                BpfObject backendObject =
                        BpfObject.open(Bpf.shippedObject("backend")).load();
                BpfProgram wrapper = wrapperObject.program("bench_wrapper");
                BpfProgram backend = backendObject.program("ringfleet_backend");
                BpfMap frameMap = wrapperObject.map("bench_frame");
                BpfMap cfg = wrapperObject.map("bench_cfg");
                BpfMap target = wrapperObject.map("bench_target");
                BpfMap stats = backendObject.map(MapNames.BACKEND_STATS);
                BpfMap ctl = backendObject.map(MapNames.BACKEND_CTL)) {
            ns.ip("addr", "add", "10.204.0.1/32", "dev", "lo");
            ns.ip("addr", "add", "10.204.0.2/32", "dev", "lo");
            ctl.update(BpfMap.u32(BackendCounter.CTL_GATEWAY_MAC), new Ctl(new byte[] {2, 0x5c, 0, 0, 0, 9}).encode());
            int clientPort = connect(ns);
            byte[] ack = TunnelFrames.tcpPacket(CLIENT, VIP, clientPort, PORT, 0x10, 0);
            byte[] otherAck = TunnelFrames.tcpPacket(CLIENT, VIP, clientPort + 1, PORT, 0x10, 0);
            byte[] syn = TunnelFrames.tcpPacket(CLIENT, VIP, clientPort + 1, PORT, 0x02, 0);
            List<Path> paths = List.of(
                    new Path("ipip_decap", wire(TunnelFrames.ipip(LB, HERE, ack)), XDP_PASS, BackendCounter.DECAP_IPIP),
                    new Path("second_chance_syn_local", sc(syn), XDP_PASS, BackendCounter.SC_LOCAL),
                    new Path("second_chance_established_local", sc(ack), XDP_PASS, BackendCounter.SC_LOCAL),
                    new Path("second_chance_no_socket_forward", sc(otherAck), XDP_TX, BackendCounter.SC_FORWARDED));
            double plainDecap = 0;
            for (Path p : paths) {
                frameMap.update(BpfMap.u32(0), Arrays.copyOf(p.frame(), RESTORE));
                cfg.update(BpfMap.u32(CFG_SPORT_OFF), BpfMap.u32(0));
                cfg.update(BpfMap.u32(CFG_FRAME_LEN), BpfMap.u32(p.frame().length));
                target.setProgram(0, backend);
                long before = count(stats, p.counter());
                double gross = timed(ns, wrapper, p, repeat, runs);
                long moved = count(stats, p.counter()) - before;
                long expected = (long) runs * repeat + WARMUP;
                if (moved != expected) {
                    throw new IllegalStateException(p.name() + ": " + p.counter() + " grew by " + moved + ", expected "
                            + expected + ": the repetitions did not all take the measured path");
                }
                target.setProgram(0, wrapperObject.program(p.verdict() == XDP_TX ? "bench_tx" : "bench_pass"));
                double baseline = timed(ns, wrapper, p, repeat, runs);
                double net = gross - baseline;
                if (p.name().equals("ipip_decap")) {
                    plainDecap = net;
                }
                lines.add(String.format(
                        java.util.Locale.ROOT,
                        "{\"path\": \"%s\", \"net_ns\": %.1f, \"gross_ns\": %.1f, \"baseline_ns\": %.1f,"
                                + " \"added_to_plain_decap_ns\": %.1f, \"%s\": %d}",
                        p.name(),
                        net,
                        gross,
                        baseline,
                        net - plainDecap,
                        p.counter().name().toLowerCase(),
                        moved));
            }
        }
        for (java.nio.channels.Channel c : sockets) {
            try {
                c.close();
            } catch (java.io.IOException ignored) {
                // the namespace is gone with its sockets
            }
        }
        return "{\n  \"program\": \"backend.bpf.o\",\n  \"kernel\": \"" + System.getProperty("os.version")
                + "\",\n  \"repeat\": " + repeat + ",\n  \"runs\": " + runs
                + ",\n  \"unit\": \"ns/packet, median of runs, plain repeat through bench_wrapper; net = gross - "
                + "baseline\",\n  \"scenarios\": [\n    " + String.join(",\n    ", lines) + "\n  ]\n}";
    }

    private static byte[] wire(byte[] packet) {
        return TunnelFrames.ethernet(new byte[] {2, 0x5c, 0, 0, 0, 5}, new byte[] {2, 0x5c, 0, 0, 0, 1}, packet);
    }

    private static byte[] sc(byte[] client) {
        return wire(TunnelFrames.gue(LB, HERE, TunnelFrames.secondChancePayload(SECOND, client)));
    }

    /** The listener and both ends of the connection, held so that no collection closes them mid-run. */
    private final List<java.nio.channels.Channel> sockets = new ArrayList<>();

    /** A listener on VIP:PORT and one established connection from CLIENT, kept in {@link #sockets}. */
    private int connect(NetNs ns) {
        return ns.call(() -> {
            ServerSocketChannel listener = ServerSocketChannel.open().bind(new InetSocketAddress(VIP, PORT));
            SocketChannel client = SocketChannel.open();
            sockets.add(listener);
            sockets.add(client);
            client.bind(new InetSocketAddress(CLIENT, 0));
            client.connect(new InetSocketAddress(VIP, PORT));
            sockets.add(listener.accept());
            return ((InetSocketAddress) client.getLocalAddress()).getPort();
        });
    }

    private static double timed(NetNs ns, BpfProgram wrapper, Path p, int repeat, int runs) {
        double[] t = new double[runs];
        ns.run(() -> {
            check(p, wrapper.testRun(TestRun.of(p.frame()).repeat(WARMUP)));
            for (int i = 0; i < runs; i++) {
                TestRun.Result r = wrapper.testRun(TestRun.of(p.frame()).repeat(repeat));
                check(p, r);
                t[i] = r.durationNs();
            }
        });
        Arrays.sort(t);
        return t[runs / 2];
    }

    private static void check(Path p, TestRun.Result r) {
        if (r.retval() != p.verdict()) {
            throw new IllegalStateException(p.name() + ": verdict " + r.retval() + ", expected " + p.verdict());
        }
    }

    private static long count(BpfMap stats, BackendCounter c) {
        return Counter.sum(stats.lookupPerCpu(BpfMap.u32(c.index())).orElseThrow())
                .packets();
    }

    /** Literal addresses without a name lookup. */
    private static final class TunnelFramesAddr {
        static InetAddress of(String literal) {
            try {
                return InetAddress.getByName(literal);
            } catch (java.net.UnknownHostException e) {
                throw new IllegalArgumentException(e);
            }
        }
    }
}
