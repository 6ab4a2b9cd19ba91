package io.ringfleet.bpf.filter;

import java.util.Optional;

/**
 * One pre-filter rule: what it is keyed by ({@link Target}: a source or destination prefix, or a DNS query pattern),
 * the further conditions a packet must meet (0 / absent: any), and what happens to it. Rules are numbered by the
 * control plane, 1 .. {@code max rules - 1}; within a chain, rules are tried in the order given to
 * {@link FilterEncoding#encode}. Rates are per CPU: each CPU keeps its own token buckets.
 */
public record FilterRule(
        int id,
        Target target,
        Action action,
        boolean observeOnly,
        int protocol,
        PortRange sourcePorts,
        PortRange destinationPorts,
        int tcpFlagsMask,
        int tcpFlagsValue,
        int lengthMin,
        int lengthMax,
        Optional<Prefix> other,
        long packetsPerSecondPerCpu,
        long bytesPerSecondPerCpu,
        Action overRateAction) {

    /** Largest rate per CPU: rate x 1e9 ns of burst must fit in the program's 64-bit token counts. */
    public static final long MAX_RATE_PER_CPU = 10_000_000_000L;

    public enum Action {
        DROP(1),
        ALLOW(2),
        RATE(3);

        final int code;

        Action(int code) {
            this.code = code;
        }
    }

    /** What a rule is looked up by. */
    public sealed interface Target {}

    /** Packets whose source address lies in the prefix (other = their destination). */
    public record SourcePrefix(Prefix prefix) implements Target {}

    /** Packets whose destination address lies in the prefix (other = their source). */
    public record DestinationPrefix(Prefix prefix) implements Target {}

    /**
     * UDP queries to port 53 for {@code pattern}: a name ({@code www.example.com}) or {@code *.suffix} (one label or
     * more before the suffix); {@code qtype} 0 for any query type (other = their destination).
     */
    public record DnsQuery(String pattern, int qtype) implements Target {
        public DnsQuery {
            if (pattern == null) {
                throw new IllegalArgumentException("DNS pattern is missing");
            }
        }

        public boolean wildcard() {
            return pattern.trim().startsWith("*.");
        }

        /** The labels of the name, or of the suffix after "*.". */
        public java.util.List<String> labels() {
            String p = pattern.trim();
            return DnsNameHash.labels(wildcard() ? p.substring(2) : p);
        }
    }

    /** Ports {@code from..to} inclusive; {@link #ANY} matches every packet, even without a port. */
    public record PortRange(int from, int to) {
        public static final PortRange ANY = new PortRange(0, 0);

        public PortRange {
            if (!(from == 0 && to == 0) && (from < 0 || to > 65535 || from > to || to == 0)) {
                throw new IllegalArgumentException(
                        "port range " + from + "-" + to + " is not within 0-65535 with from <= to");
            }
        }

        public static PortRange of(int port) {
            return new PortRange(port, port);
        }

        boolean any() {
            return to == 0;
        }
    }

    public FilterRule {
        if (id < 1) {
            throw new IllegalArgumentException("filter rule id " + id + " must be 1 or more");
        }
        if (target == null || action == null || sourcePorts == null || destinationPorts == null || other == null) {
            throw new IllegalArgumentException("filter rule " + id + " lacks its target, action or ranges");
        }
        if (target instanceof DnsQuery dns) {
            dns.labels(); // throws with a one-line message on a bad pattern
            check(dns.qtype() >= 0 && dns.qtype() <= 65535, id, "DNS query type " + dns.qtype() + " is not 0-65535");
        }
        check(protocol >= 0 && protocol <= 255, id, "protocol " + protocol + " is not 0-255");
        check(
                (tcpFlagsMask & ~0xff) == 0 && (tcpFlagsValue & ~tcpFlagsMask) == 0,
                id,
                "TCP flags value must use only bits of the mask, and both fit in one byte");
        check(tcpFlagsMask == 0 || protocol == 0 || protocol == 6, id, "TCP flags on a rule for protocol " + protocol);
        check(
                lengthMin >= 0 && lengthMax >= 0 && lengthMax <= 65535 && (lengthMax == 0 || lengthMin <= lengthMax),
                id,
                "length range " + lengthMin + "-" + lengthMax + " is not within 0-65535 with min <= max (max 0: any)");
        check(lengthMax != 0 || lengthMin == 0, id, "a minimum length needs a maximum (use 65535)");
        if (action == Action.RATE) {
            check(packetsPerSecondPerCpu > 0 || bytesPerSecondPerCpu > 0, id, "a rate rule needs packets/s or bytes/s");
            check(
                    packetsPerSecondPerCpu >= 0
                            && packetsPerSecondPerCpu <= MAX_RATE_PER_CPU
                            && bytesPerSecondPerCpu >= 0
                            && bytesPerSecondPerCpu <= MAX_RATE_PER_CPU,
                    id,
                    "rates must be 0-" + MAX_RATE_PER_CPU + " per CPU");
            check(
                    overRateAction == Action.DROP || overRateAction == Action.ALLOW,
                    id,
                    "a rate rule's over-rate action is DROP or ALLOW");
        } else {
            check(packetsPerSecondPerCpu == 0 && bytesPerSecondPerCpu == 0, id, "rates are for RATE rules only");
        }
    }

    private static void check(boolean ok, int id, String message) {
        if (!ok) {
            throw new IllegalArgumentException("filter rule " + id + ": " + message);
        }
    }

    public static Builder builder(int id, Target target, Action action) {
        return new Builder(id, target, action);
    }

    /** Conditions default to "any"; a RATE rule's over-rate action defaults to DROP. */
    public static final class Builder {
        private final int id;
        private final Target target;
        private final Action action;
        private boolean observeOnly;
        private int protocol;
        private PortRange sourcePorts = PortRange.ANY;
        private PortRange destinationPorts = PortRange.ANY;
        private int tcpFlagsMask;
        private int tcpFlagsValue;
        private int lengthMin;
        private int lengthMax;
        private Optional<Prefix> other = Optional.empty();
        private long pps;
        private long bps;
        private Action overRate = Action.DROP;

        private Builder(int id, Target target, Action action) {
            this.id = id;
            this.target = target;
            this.action = action;
        }

        public Builder observeOnly() {
            this.observeOnly = true;
            return this;
        }

        public Builder protocol(int protocol) {
            this.protocol = protocol;
            return this;
        }

        public Builder sourcePorts(PortRange ports) {
            this.sourcePorts = ports;
            return this;
        }

        public Builder destinationPorts(PortRange ports) {
            this.destinationPorts = ports;
            return this;
        }

        /** The TCP flag bits in {@code mask} must equal {@code value} (FIN 0x01, SYN 0x02, RST 0x04, ACK 0x10 ...). */
        public Builder tcpFlags(int mask, int value) {
            this.tcpFlagsMask = mask;
            this.tcpFlagsValue = value;
            return this;
        }

        /** Frame length (Ethernet header included), inclusive. */
        public Builder length(int min, int max) {
            this.lengthMin = min;
            this.lengthMax = max;
            return this;
        }

        /** The address the rule is not keyed by must lie in {@code prefix}. */
        public Builder other(Prefix prefix) {
            this.other = Optional.of(prefix);
            return this;
        }

        public Builder rate(long packetsPerSecondPerCpu, long bytesPerSecondPerCpu, Action overRate) {
            this.pps = packetsPerSecondPerCpu;
            this.bps = bytesPerSecondPerCpu;
            this.overRate = overRate;
            return this;
        }

        public FilterRule build() {
            return new FilterRule(
                    id,
                    target,
                    action,
                    observeOnly,
                    protocol,
                    sourcePorts,
                    destinationPorts,
                    tcpFlagsMask,
                    tcpFlagsValue,
                    lengthMin,
                    lengthMax,
                    other,
                    pps,
                    bps,
                    action == Action.RATE ? overRate : null);
        }
    }
}
