package io.ringfleet.agent.cli;

import io.ringfleet.api.Command;
import io.ringfleet.api.GetRealHealthRequest;
import io.ringfleet.api.GetRealHealthResponse;
import io.ringfleet.api.HealthCheck;
import io.ringfleet.api.HealthCheckKind;
import io.ringfleet.api.RemoveVipHealthCheck;
import io.ringfleet.api.SetVipHealthCheck;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * {@code lbctl vip health-check ...}: the fleet's health check of a VIP's reals (every LB probes, the log decides).
 * Not Katran's health-check destinations ({@code lbctl hc}): those map SO_MARKs to addresses and keep working.
 */
@picocli.CommandLine.Command(
        name = "health-check",
        aliases = "hcheck",
        description = "Set, disable or remove the health check of a VIP's reals (fleet version 3).",
        subcommands = {
            VipHealthCheckCommands.Set.class,
            VipHealthCheckCommands.Disable.class,
            VipHealthCheckCommands.Remove.class
        })
final class VipHealthCheckCommands {
    private VipHealthCheckCommands() {}

    @picocli.CommandLine.Command(
            name = "set",
            description =
                    "Set (or replace) the check: defaults are HAProxy's (2s interval, 1s timeout, rise 2, fall 3).")
    static final class Set extends VipWriteCommand {
        @Option(names = "--kind", defaultValue = "tcp", description = "tcp or http (default ${DEFAULT-VALUE}).")
        String kind;

        @Option(
                names = "--port",
                required = true,
                converter = Args.Uint32Converter.class,
                description = "Port probed on the VIP address, 1..65535.")
        int port;

        @Option(
                names = "--path",
                defaultValue = "/",
                description = "HTTP only: request path (default ${DEFAULT-VALUE}).")
        String path;

        @Option(
                names = "--status",
                defaultValue = "200",
                converter = Args.Uint32Converter.class,
                description = "HTTP only: expected status 100..599 (default ${DEFAULT-VALUE}).")
        int status;

        @Option(
                names = "--interval",
                defaultValue = "2s",
                converter = Args.DurationConverter.class,
                description = "Time between probes (default ${DEFAULT-VALUE}).")
        Duration interval;

        @Option(
                names = "--probe-timeout",
                defaultValue = "1s",
                converter = Args.DurationConverter.class,
                description = "Probe timeout, below the interval (default ${DEFAULT-VALUE}).")
        Duration timeout;

        @Option(
                names = "--rise",
                defaultValue = "2",
                converter = Args.Uint32Converter.class,
                description = "Successes that bring a real up (default ${DEFAULT-VALUE}).")
        int rise;

        @Option(
                names = "--fall",
                defaultValue = "3",
                converter = Args.Uint32Converter.class,
                description = "Failures that take a real down (default ${DEFAULT-VALUE}).")
        int fall;

        @Option(names = "--disabled", description = "Keep the check but stop probing and voting.")
        boolean disabled;

        @Override
        Command.Builder command() {
            boolean http = kind.toLowerCase(Locale.ROOT).equals("http");
            if (!http && !kind.equalsIgnoreCase("tcp")) {
                throw new picocli.CommandLine.ParameterException(
                        new picocli.CommandLine(this), "--kind must be tcp or http, got '" + kind + "'");
            }
            HealthCheck.Builder c = HealthCheck.newBuilder()
                    .setKind(http ? HealthCheckKind.HEALTH_CHECK_HTTP : HealthCheckKind.HEALTH_CHECK_TCP)
                    .setPort(port)
                    .setIntervalMs(millis(interval))
                    .setTimeoutMs(millis(timeout))
                    .setRise(rise)
                    .setFall(fall)
                    .setEnabled(!disabled);
            if (http) {
                c.setHttpPath(path).setExpectedStatus(status);
            }
            return Command.newBuilder()
                    .setSetVipHealthCheck(
                            SetVipHealthCheck.newBuilder().setVip(vip.key()).setCheck(c));
        }

        /** Out-of-range durations become a value the server refuses with its rule, never a silent wrap. */
        private static int millis(Duration d) {
            return (int) Math.min(Integer.MAX_VALUE, d.toMillis());
        }
    }

    @picocli.CommandLine.Command(
            name = "disable",
            description =
                    "Keep the VIP's check but stop probing and voting: its verdicts go, every real is in the ring.")
    static final class Disable extends VipWriteCommand {
        @Override
        int run(ApiConnection api, Output out) throws Exception {
            GetRealHealthResponse now = api.control()
                    .getRealHealth(
                            GetRealHealthRequest.newBuilder().setVip(vip.key()).build());
            if (!now.hasCheck()) {
                throw new LbctlException(
                        ExitCodes.REJECTED, "vip " + Args.vipText(vip.key()) + " has no health check to disable");
            }
            if (write.expectStateIndex == null) {
                // Based on the state read: a change logged in between refuses the write (read again and retry).
                write.expectStateIndex = now.getStamp().getStateIndex();
            }
            return write.apply(api, out, List.of(command(now.getCheck()).build()));
        }

        private Command.Builder command(HealthCheck current) {
            return Command.newBuilder()
                    .setSetVipHealthCheck(SetVipHealthCheck.newBuilder()
                            .setVip(vip.key())
                            .setCheck(current.toBuilder().setEnabled(false)));
        }

        @Override
        Command.Builder command() {
            throw new IllegalStateException("disable reads the current check first: see run");
        }
    }

    @picocli.CommandLine.Command(
            name = "remove",
            aliases = "del",
            description = "Remove the VIP's check, its votes and verdicts.")
    static final class Remove extends VipWriteCommand {
        @Override
        Command.Builder command() {
            return Command.newBuilder()
                    .setRemoveVipHealthCheck(RemoveVipHealthCheck.newBuilder().setVip(vip.key()));
        }
    }
}
