package io.ringfleet.bpf;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * tcpdump in a namespace capturing the first frame that matches a filter, written as pcap to
 * stdout and parsed here. Start it, wait for {@link #awaitListening()}, send, then {@link #frame}.
 */
final class Capture implements AutoCloseable {
    private final Process process;
    private final CompletableFuture<byte[]> stdout;
    private final CompletableFuture<Void> listening = new CompletableFuture<>();
    private final StringBuilder stderr = new StringBuilder();

    private Capture(Process process) {
        this.process = process;
        this.stdout = CompletableFuture.supplyAsync(() -> {
            try {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                process.getInputStream().transferTo(out);
                return out.toByteArray();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        Thread err = new Thread(
                () -> {
                    try (BufferedReader r = new BufferedReader(
                            new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
                        String line;
                        while ((line = r.readLine()) != null) {
                            synchronized (stderr) {
                                stderr.append(line).append('\n');
                            }
                            if (line.contains("listening on")) {
                                listening.complete(null);
                            }
                        }
                    } catch (IOException ignored) {
                        // process ended
                    }
                    listening.complete(null);
                },
                "tcpdump-stderr");
        err.setDaemon(true);
        err.start();
    }

    /** Captures one frame matching filter on device, inside ns. */
    static Capture start(NetNs ns, String device, String filter) {
        return new Capture(ns.start("tcpdump", "-i", device, "-n", "-U", "-c", "1", "-s", "2048", "-w", "-", filter));
    }

    void awaitListening() throws Exception {
        listening.get(20, TimeUnit.SECONDS);
        Thread.sleep(200); // the filter is attached right after the message
    }

    /** The captured frame (Ethernet), waiting up to timeoutMs for it. */
    byte[] frame(long timeoutMs) throws Exception {
        if (!process.waitFor(timeoutMs, TimeUnit.MILLISECONDS)) {
            process.destroy();
            throw new AssertionError("no matching frame captured in " + timeoutMs + " ms; tcpdump: " + stderr());
        }
        byte[] pcap = stdout.get(5, TimeUnit.SECONDS);
        if (pcap.length < 24 + 16) {
            throw new AssertionError("tcpdump wrote no packet (" + pcap.length + " bytes): " + stderr());
        }
        ByteBuffer b = ByteBuffer.wrap(pcap).order(ByteOrder.LITTLE_ENDIAN);
        int magic = b.getInt(0);
        if (magic != 0xa1b2c3d4 && magic != 0xa1b23c4d) {
            b.order(ByteOrder.BIG_ENDIAN);
        }
        int capLen = b.getInt(24 + 8);
        return Arrays.copyOfRange(pcap, 24 + 16, 24 + 16 + capLen);
    }

    private String stderr() {
        synchronized (stderr) {
            return stderr.toString();
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
