package io.ringfleet.agent.cli;

import io.ringfleet.api.HashFunction;
import io.ringfleet.api.Protocol;
import io.ringfleet.api.VipKey;
import io.ringfleet.state.VipFlags;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Parsers for lbctl's arguments; their messages say what is allowed. */
final class Args {
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)?");

    private Args() {}

    /** {@code tcp}, {@code udp}, or the protocol number 6 / 17. */
    static final class ProtocolConverter implements ITypeConverter<Protocol> {
        @Override
        public Protocol convert(String value) {
            switch (value.toLowerCase(Locale.ROOT)) {
                case "tcp":
                case "6":
                    return Protocol.TCP;
                case "udp":
                case "17":
                    return Protocol.UDP;
                default:
                    throw new TypeConversionException("'" + value + "' is not a protocol: allowed tcp or udp");
            }
        }
    }

    /** An address and port: {@code 10.200.200.1:22}, {@code [fc00::1]:443}. */
    record Endpoint(String address, int port) {
        @Override
        public String toString() {
            return (address.indexOf(':') >= 0 ? "[" + address + "]" : address) + ":" + port;
        }
    }

    static final class EndpointConverter implements ITypeConverter<Endpoint> {
        @Override
        public Endpoint convert(String value) {
            return endpoint(value);
        }
    }

    static Endpoint endpoint(String value) {
        String host;
        String port;
        if (value.startsWith("[")) {
            int close = value.indexOf(']');
            if (close < 0 || close + 1 >= value.length() || value.charAt(close + 1) != ':') {
                throw new TypeConversionException("'" + value + "' is not [IPv6]:PORT, e.g. [fc00::1]:443");
            }
            host = value.substring(1, close);
            port = value.substring(close + 2);
        } else {
            int colon = value.lastIndexOf(':');
            if (colon < 0) {
                throw new TypeConversionException(
                        "'" + value + "' has no port: write ADDRESS:PORT, e.g. 10.200.200.1:22"
                                + " or [fc00::1]:443 (port 0 = all ports)");
            }
            host = value.substring(0, colon);
            port = value.substring(colon + 1);
            if (host.indexOf(':') >= 0) {
                throw new TypeConversionException(
                        "'" + value + "': put an IPv6 address in brackets, e.g. [fc00::1]:443");
            }
        }
        if (host.isEmpty()) {
            throw new TypeConversionException("'" + value + "' has no address");
        }
        return new Endpoint(host, port(port, value));
    }

    private static int port(String text, String whole) {
        if (!text.matches("\\d{1,5}") || Integer.parseInt(text) > 65535) {
            throw new TypeConversionException(
                    "'" + whole + "' has port '" + text + "': allowed 0..65535 (0 = all ports)");
        }
        return Integer.parseInt(text);
    }

    /** {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}; a bare number is seconds. */
    static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            Matcher m = DURATION.matcher(value);
            if (!m.matches()) {
                throw new TypeConversionException("'" + value + "' is not a duration: write e.g. 500ms, 30s, 2m or 1h");
            }
            long n = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "s" : m.group(2);
            switch (unit) {
                case "ms":
                    return Duration.ofMillis(n);
                case "m":
                    return Duration.ofMinutes(n);
                case "h":
                    return Duration.ofHours(n);
                default:
                    return Duration.ofSeconds(n);
            }
        }
    }

    /** A VIP flag by name ({@code quic_vip}, {@code lru-bypass}) or as bits ({@code 0x4}, {@code 4}). */
    static final class FlagConverter implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            String v = value.trim().toLowerCase(Locale.ROOT).replace('-', '_');
            for (int bit = 0; bit < 32; bit++) {
                if (VipFlags.names(1 << bit).contains(v)) {
                    return 1 << bit;
                }
            }
            try {
                long bits = v.startsWith("0x") ? Long.parseLong(v.substring(2), 16) : Long.parseLong(v);
                if (bits >= 0 && bits <= 0xffffffffL) {
                    return (int) bits;
                }
            } catch (NumberFormatException e) {
                // not a number either
            }
            throw new TypeConversionException(
                    "'" + value + "' is not a vip flag: allowed names " + VipFlags.ALLOWED + ", or bits such as 0x4");
        }
    }

    /**
     * A log or state index: 0..9223372036854775807. The wire type is uint64, but no log gets past a signed
     * long, and the API refuses more; "-1" stops here rather than becoming 2^64-1.
     */
    static final class IndexConverter implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                long v = Long.parseLong(value);
                if (v >= 0) {
                    return v;
                }
            } catch (NumberFormatException e) {
                // fall through
            }
            throw new TypeConversionException("'" + value + "' is not a log index: allowed 0.." + Long.MAX_VALUE);
        }
    }

    /** A uint32 (weights, marks, ids): the fleet checks the real range and says it; negatives stop here. */
    static final class Uint32Converter implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            try {
                long v = value.startsWith("0x") ? Long.parseLong(value.substring(2), 16) : Long.parseLong(value);
                if (v >= 0 && v <= 0xffffffffL) {
                    return (int) v;
                }
            } catch (NumberFormatException e) {
                // fall through
            }
            throw new TypeConversionException("'" + value + "' is not a number in 0..4294967295");
        }
    }

    /** {@code maglev} or {@code maglev_v2}. */
    static final class HashConverter implements ITypeConverter<HashFunction> {
        @Override
        public HashFunction convert(String value) {
            switch (value.toLowerCase(Locale.ROOT).replace('-', '_')) {
                case "maglev":
                case "v1":
                    return HashFunction.MAGLEV;
                case "maglev_v2":
                case "v2":
                    return HashFunction.MAGLEV_V2;
                default:
                    throw new TypeConversionException(
                            "'" + value + "' is not a hash function: allowed maglev or maglev_v2");
            }
        }
    }

    /**
     * The VIP named by the optional {@code [PROTO VIP]} arguments of a read: empty without them, a usage error with
     * PROTO alone.
     */
    static Optional<VipKey> optionalVip(Protocol protocol, Endpoint endpoint) throws LbctlException {
        if (protocol != null && endpoint == null) {
            throw new LbctlException(ExitCodes.USAGE, "give both PROTO and VIP (e.g. tcp 10.200.200.1:22), or neither");
        }
        if (endpoint == null) {
            return Optional.empty();
        }
        return Optional.of(VipKey.newBuilder()
                .setProtocol(protocol)
                .setAddress(endpoint.address())
                .setPort(endpoint.port())
                .build());
    }

    /** A duration as the int milliseconds of a request field (at most Integer.MAX_VALUE). */
    static int millis(Duration d) {
        return (int) Math.min(Integer.MAX_VALUE, d.toMillis());
    }

    static String protocolName(Protocol p) {
        return p == Protocol.UDP ? "udp" : p == Protocol.TCP ? "tcp" : p.name().toLowerCase(Locale.ROOT);
    }

    static String vipText(io.ringfleet.api.VipKey key) {
        return protocolName(key.getProtocol()) + " " + new Endpoint(key.getAddress(), key.getPort());
    }
}
