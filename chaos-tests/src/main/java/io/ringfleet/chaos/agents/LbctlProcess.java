package io.ringfleet.chaos.agents;

import io.ringfleet.chaos.netns.LbNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code lbctl} as an operator would on an LB host: a new process inside that LB's namespace, targeting the
 * local agent's API ({@code 10.77.0.N:9871}) with the run's operator certificate.
 */
public final class LbctlProcess {
    private static final String MAIN = "io.ringfleet.agent.cli.Lbctl";
    private static final long TIMEOUT_SECONDS = 120;

    private final Path tlsDir;
    private final String certName;

    LbctlProcess(Path tlsDir, String certName) {
        this.tlsDir = tlsDir;
        this.certName = certName;
    }

    /** What one lbctl run printed and returned. */
    public record Result(List<String> command, int exit, String out, String err) {
        public boolean ok() {
            return exit == 0;
        }

        /** The command as a person would type it (without the connection options). */
        public String shown() {
            return String.join(" ", command);
        }

        /** For an assertion message: the command, its exit status and what it printed. */
        public String failure() {
            return shown() + " exited " + exit + ": " + (err + out).strip();
        }
    }

    /** Runs {@code lbctl ARGS} on lb's host against its agent; waits for it (at most 2 minutes). */
    public Result run(LbNode lb, String... args) {
        List<String> lbctlArgs = new ArrayList<>(Arrays.asList(args));
        lbctlArgs.addAll(List.of(
                "--target",
                lb.controlAddress().getHostAddress() + ":" + FleetConfigFile.API_PORT,
                "--ca",
                tlsDir.resolve("ca.pem").toString(),
                "--cert",
                tlsDir.resolve(certName + ".pem").toString(),
                "--key",
                tlsDir.resolve(certName + "-key.pem").toString()));
        List<String> cmd = JavaCommand.inNamespace(lb.ns().path(), MAIN, List.of(), lbctlArgs);
        try {
            Process p = new ProcessBuilder(cmd).start();
            p.getOutputStream().close();
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("lbctl " + String.join(" ", args) + " on " + lb.id()
                        + " did not finish within " + TIMEOUT_SECONDS + " s");
            }
            List<String> shown = new ArrayList<>(List.of("lbctl"));
            shown.addAll(Arrays.asList(args));
            return new Result(shown, p.exitValue(), out.join(), err.join());
        } catch (IOException e) {
            throw new UncheckedIOException("starting lbctl on " + lb.id(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while lbctl ran on " + lb.id(), e);
        }
    }

    private static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(output lost: " + e.getMessage() + ")";
        }
    }
}
