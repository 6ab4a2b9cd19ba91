package io.ringfleet.chaos.netnschaos;

import io.ringfleet.chaos.agents.LbAgentFleet;
import io.ringfleet.chaos.agents.LbctlProcess;
import io.ringfleet.chaos.netns.Addresses;
import io.ringfleet.chaos.netns.LbNode;
import io.ringfleet.chaos.netns.Topology;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The operator write load of a scenario: lbctl writes through the faulted node and random ones (dead or cut off
 * ones included), on
 * chaos VIPs ({@code tcp VIP4:9001...}) that carry no traffic, so their ring changes never touch a flow. Each
 * write is recorded with its exit status. An acknowledged write (exit 0) must be in the final state; a failed
 * one (timeout, unavailable, rejected) must be there completely or not at all.
 *
 * <p>To keep that checkable per VIP, writes on a VIP are sequential and a VIP gets no write after one whose
 * outcome is unknown: its final state is then either the state of its acknowledged writes or that plus the
 * unknown one. Runs on its own thread between {@link #start()} and {@link #stop()}.
 */
final class OperatorWrites {
    /** Chaos VIPs that may exist at once (a failed write leaves its VIP untouchable): 6 of the 32 VIPs are others. */
    private static final int MAX_CHAOS_VIPS = 20;

    private static final int MAX_REALS_PER_VIP = 6;
    private static final String TIMEOUT = "10s";
    /** Between two writes: each is a JVM, and the restarting agents need the two cores too. */
    private static final long PAUSE_MILLIS = 300;

    private final LbAgentFleet fleet;
    private final Topology topology;
    private final Random random;
    private final Consumer<String> log;
    private final Path scratch;
    private final WriteLedger ledger;
    private int nextReal = 1;
    private volatile boolean running;
    private volatile int focus;
    private int written;
    private Thread thread;
    private volatile RuntimeException error;

    OperatorWrites(LbAgentFleet fleet, Topology topology, long seed, Consumer<String> log) {
        this.fleet = fleet;
        this.topology = topology;
        this.random = new Random(seed * 31 + 7);
        this.log = log;
        this.ledger = new WriteLedger(Addresses.text(topology.vip4()));
        this.scratch = fleet.dir().resolve("writes");
        try {
            Files.createDirectories(scratch);
        } catch (IOException e) {
            throw new UncheckedIOException("creating " + scratch, e);
        }
    }

    /** Starts writing on a thread (one write after the other) until {@link #stop()}. */
    synchronized void start() {
        running = true;
        thread = new Thread(
                () -> {
                    try {
                        while (running) {
                            writeOne();
                            pause(PAUSE_MILLIS);
                        }
                    } catch (RuntimeException e) {
                        error = e;
                        log.accept("  the write load stopped: " + e);
                    }
                },
                "operator-writes");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * From now on every other write goes through LB number n (the one the fault hits), the others through a random
     * LB; 0 = all random.
     */
    void focus(int n) {
        focus = n;
    }

    /** Lets the write in flight finish and stops. */
    void stop() {
        Thread t;
        synchronized (this) {
            running = false;
            t = thread;
            thread = null;
        }
        if (t != null) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Why the write load stopped by itself, or null. */
    RuntimeException error() {
        return error;
    }

    /** The writes made and their outcomes. */
    WriteLedger ledger() {
        return ledger;
    }

    private void writeOne() {
        List<WriteLedger.ChaosVip> open = ledger.open();
        boolean canCreate = ledger.mayExist() < MAX_CHAOS_VIPS;
        if (open.isEmpty() && !canCreate) {
            pause(500); // every VIP has a write of unknown outcome: nothing left to write that can be checked
            return;
        }
        if (open.isEmpty() || (canCreate && random.nextInt(5) == 0)) {
            create();
            return;
        }
        WriteLedger.ChaosVip v = open.get(random.nextInt(open.size()));
        List<String> reals = new ArrayList<>(v.acked.keySet());
        int r = random.nextInt(10);
        if (r < 3 && reals.size() < MAX_REALS_PER_VIP) {
            String a = freshReal();
            int w = 1 + random.nextInt(100);
            write(v, new VipOp.AddReal(a, w), "real", "add", "tcp", vip(v.port), a, "-w", Integer.toString(w));
        } else if (r < 7 || r < 9 && reals.size() == 1 || r == 9 && open.size() < 2) {
            String a = reals.get(random.nextInt(reals.size()));
            int w = v.acked.get(a) % 100 + 1; // always another weight
            write(v, new VipOp.Reweight(a, w), "real", "weight", "tcp", vip(v.port), a, "-w", Integer.toString(w));
        } else if (r < 9) {
            String a = reals.get(random.nextInt(reals.size()));
            write(v, new VipOp.RemoveReal(a), "real", "delete", "tcp", vip(v.port), a);
        } else {
            write(v, new VipOp.Delete(), "vip", "delete", "tcp", vip(v.port));
        }
    }

    private void create() {
        WriteLedger.ChaosVip v = ledger.newVip();
        SortedMap<String, Integer> reals = new TreeMap<>();
        int n = 1 + random.nextInt(3);
        for (int i = 0; i < n; i++) {
            reals.put(freshReal(), 1 + random.nextInt(100));
        }
        String key = CommandJson.key(topology.vip4(), v.port, "TCP");
        String json = new CommandJson().addVip(key).addReals(key, reals).json();
        Path file = scratch.resolve("create-" + v.port + ".json");
        try {
            Files.writeString(file, json);
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + file, e);
        }
        write(v, new VipOp.Create(reals), "apply", "-f", file.toString());
    }

    private void write(WriteLedger.ChaosVip v, VipOp op, String... args) {
        int n = focus > 0 && written++ % 2 == 0
                ? focus
                : 1 + random.nextInt(topology.lbs().size());
        LbNode via = topology.lb(n);
        String[] all = new String[args.length + 4];
        System.arraycopy(args, 0, all, 0, args.length);
        System.arraycopy(new String[] {"-o", "json", "--timeout", TIMEOUT}, 0, all, args.length, 4);
        LbctlProcess.Result r;
        try {
            r = fleet.lbctl().run(via, all);
        } catch (RuntimeException e) {
            r = new LbctlProcess.Result(List.of("lbctl", String.join(" ", args)), -1, "", e.getMessage());
        }
        ledger.record(v, op, r.ok());
        if (!r.ok()) {
            log.accept("  write failed (outcome checked at the end): " + String.join(" ", args) + " via " + via.id()
                    + ": exit " + r.exit() + " " + firstLine(r.err() + r.out()));
        }
    }

    private String vip(int port) {
        return topology.vip4().getHostAddress() + ":" + port;
    }

    /** A real address no traffic goes to, never used before in this run (10.77.250.1 and up). */
    private String freshReal() {
        int n = nextReal++;
        return "10.77." + (250 + n / 250) + "." + (1 + n % 250);
    }

    private static String firstLine(String s) {
        String t = s.strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl);
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
