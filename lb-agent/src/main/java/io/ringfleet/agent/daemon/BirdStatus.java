package io.ringfleet.agent.daemon;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the host's BIRD says about this node's routing, read with {@code birdc -s SOCKET}: the BGP session state
 * ({@code show protocols}), the BFD session state ({@code show bfd sessions}) and how many routes it exports to
 * its BGP neighbour ({@code show route export NAME count}). The agent shows it in its status and metrics; the
 * route hook, not this class, changes what BIRD announces.
 *
 * @param bgp the BGP sessions' state ({@code Established}, {@code Active}, ...; the worst of several); empty
 *     when BIRD has no BGP protocol
 * @param bfd the BFD sessions' state ({@code Up}, {@code Down}, {@code Init}; the worst of several); empty when
 *     there is no BFD session
 * @param announcedRoutes routes exported to a BGP neighbour (the most over neighbours)
 * @param error why BIRD could not be read; empty when it answered
 */
public record BirdStatus(Optional<String> bgp, Optional<String> bfd, long announcedRoutes, Optional<String> error) {
    private static final Pattern TOTAL = Pattern.compile("(?m)^Total: (\\d+) of ");
    private static final Pattern PER_TABLE = Pattern.compile("(?m)^(\\d+) of \\d+ routes for .* in table ");
    private static final int MAX_OUTPUT = 64 * 1024;

    public BirdStatus {
        Objects.requireNonNull(bgp, "bgp");
        Objects.requireNonNull(bfd, "bfd");
        Objects.requireNonNull(error, "error");
    }

    static BirdStatus unreachable(String why) {
        return new BirdStatus(Optional.empty(), Optional.empty(), 0, Optional.of(why));
    }

    /** Reads BIRD's state through its control socket; a BIRD that does not answer gives {@link #error()}. */
    public static BirdStatus read(Path socket, Duration timeout) {
        try {
            String protocols = birdc(socket, timeout, "show protocols");
            List<String> names = bgpProtocols(protocols);
            long announced = 0;
            for (String name : names) {
                announced =
                        Math.max(announced, routeCount(birdc(socket, timeout, "show route export " + name + " count")));
            }
            return new BirdStatus(
                    bgpState(protocols),
                    bfdState(birdc(socket, timeout, "show bfd sessions")),
                    announced,
                    Optional.empty());
        } catch (BirdException e) {
            return unreachable(e.getMessage());
        }
    }

    /** The BGP protocols' names in a {@code show protocols} answer. */
    static List<String> bgpProtocols(String showProtocols) {
        List<String> names = new ArrayList<>();
        for (String[] f : rows(showProtocols)) {
            if (f.length >= 4 && f[1].equals("BGP")) {
                names.add(f[0]);
            }
        }
        return names;
    }

    /**
     * The BGP sessions' state: the Info column's first word (BIRD shows the BGP state there), or the protocol
     * state ({@code down}, {@code start}) when there is none. Several sessions: the first that is not
     * established, else {@code Established}.
     */
    static Optional<String> bgpState(String showProtocols) {
        Optional<String> state = Optional.empty();
        for (String[] f : rows(showProtocols)) {
            if (f.length >= 4 && f[1].equals("BGP")) {
                String s = f.length >= 6 ? f[5] : f[3];
                if (state.isEmpty() || !s.equals("Established")) {
                    state = Optional.of(s);
                }
            }
        }
        return state;
    }

    /** The BFD sessions' state ({@code show bfd sessions}): the first that is not up, else {@code Up}. */
    static Optional<String> bfdState(String showBfdSessions) {
        Optional<String> state = Optional.empty();
        for (String[] f : rows(showBfdSessions)) {
            // address, interface, state, since, interval, timeout
            if (f.length >= 6 && (f[0].contains(".") || f[0].contains(":")) && !f[0].endsWith(":")) {
                if (state.isEmpty() || !f[2].equals("Up")) {
                    state = Optional.of(f[2]);
                }
            }
        }
        return state;
    }

    /** Routes in a {@code show route ... count} answer (the total over tables). */
    static long routeCount(String showRouteCount) {
        Matcher total = TOTAL.matcher(showRouteCount);
        if (total.find()) {
            return Long.parseLong(total.group(1));
        }
        long sum = 0;
        Matcher m = PER_TABLE.matcher(showRouteCount);
        while (m.find()) {
            sum += Long.parseLong(m.group(1));
        }
        return sum;
    }

    private static List<String[]> rows(String text) {
        List<String[]> rows = new ArrayList<>();
        for (String line : text.split("\n")) {
            String s = line.strip();
            if (!s.isEmpty()) {
                rows.add(s.split("\\s+"));
            }
        }
        return rows;
    }

    /** Runs one birdc command; throws with one line when BIRD cannot be reached or does not answer in time. */
    static String birdc(Path socket, Duration timeout, String command) {
        List<String> argv = new ArrayList<>(List.of("birdc", "-s", socket.toString()));
        argv.addAll(List.of(command.split(" ")));
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            p.getOutputStream().close();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new BirdException(
                        "birdc -s " + socket + " " + command + ": no answer within " + timeout.toMillis() + " ms");
            }
            String out = new String(p.getInputStream().readNBytes(MAX_OUTPUT), StandardCharsets.UTF_8);
            if (p.exitValue() != 0 || out.contains("Unable to connect")) {
                throw new BirdException(
                        "birdc -s " + socket + ": " + out.strip().replaceAll("\\s*\\R\\s*", " | "));
            }
            return out;
        } catch (IOException e) {
            throw new BirdException("cannot run birdc: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BirdException("interrupted reading BIRD");
        }
    }

    /** BIRD could not be read (the message is the one line shown). */
    static final class BirdException extends RuntimeException {
        BirdException(String message) {
            super(message, null, false, false);
        }
    }
}
