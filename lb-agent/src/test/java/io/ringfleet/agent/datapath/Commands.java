package io.ringfleet.agent.datapath;

import io.ringfleet.api.AddReals;
import io.ringfleet.api.AddVip;
import io.ringfleet.api.Command;
import io.ringfleet.api.CommandBatch;
import io.ringfleet.api.MapQuicServerIds;
import io.ringfleet.api.MarkRealDown;
import io.ringfleet.api.ModifyVipFlags;
import io.ringfleet.api.Protocol;
import io.ringfleet.api.QuicMapping;
import io.ringfleet.api.RealSpec;
import io.ringfleet.api.RemoveHealthCheckDst;
import io.ringfleet.api.RemoveReals;
import io.ringfleet.api.RemoveVip;
import io.ringfleet.api.SetGatewayMac;
import io.ringfleet.api.SetHealthCheckDst;
import io.ringfleet.api.SetRealWeights;
import io.ringfleet.api.UnmapQuicServerIds;
import io.ringfleet.api.VipKey;
import io.ringfleet.state.FleetDelta;
import io.ringfleet.state.FleetImage;
import io.ringfleet.state.FleetLimits;
import io.ringfleet.state.FleetPublisher;
import io.ringfleet.state.Provenance;
import io.ringfleet.state.command.BatchApplier;
import io.ringfleet.state.command.CommandResult;
import io.ringfleet.state.command.CommandValidator;
import java.util.ArrayList;
import java.util.List;

/** Terse commands for tests, and a log of batches applied with raft-state's BatchApplier. */
public final class Commands {
    /** Where a test's batches go: a log in this JVM, or a node's API. */
    @FunctionalInterface
    public interface Sink {
        /** One batch (one log entry); fails the test when it is rejected. */
        void submit(Command... commands);
    }

    public static final Protocol TCP = Protocol.TCP;
    public static final Protocol UDP = Protocol.UDP;

    private Commands() {}

    public static VipKey vip(String address, int port, Protocol protocol) {
        return VipKey.newBuilder().setAddress(address).setPort(port).setProtocol(protocol).build();
    }

    public static Command addVip(VipKey vip) {
        return Command.newBuilder().setAddVip(AddVip.newBuilder().setVip(vip)).build();
    }

    public static Command removeVip(VipKey vip) {
        return Command.newBuilder().setRemoveVip(RemoveVip.newBuilder().setVip(vip)).build();
    }

    public static Command setFlags(VipKey vip, int flags) {
        return Command.newBuilder().setModifyVipFlags(ModifyVipFlags.newBuilder().setVip(vip).setSetFlags(flags)).build();
    }

    /** "address=weight" pairs. */
    public static Command addReals(VipKey vip, String... specs) {
        return Command.newBuilder().setAddReals(AddReals.newBuilder().setVip(vip).addAllReals(reals(specs))).build();
    }

    public static Command setWeights(VipKey vip, String... specs) {
        return Command.newBuilder().setSetRealWeights(SetRealWeights.newBuilder().setVip(vip).addAllReals(reals(specs)))
                .build();
    }

    public static Command removeReals(VipKey vip, String... addresses) {
        return Command.newBuilder().setRemoveReals(RemoveReals.newBuilder().setVip(vip)
                .addAllAddresses(List.of(addresses))).build();
    }

    /** "id=address" pairs. */
    public static Command mapQuic(String... mappings) {
        MapQuicServerIds.Builder b = MapQuicServerIds.newBuilder();
        for (String m : mappings) {
            int eq = m.indexOf('=');
            b.addMappings(QuicMapping.newBuilder().setServerId(Integer.parseUnsignedInt(m.substring(0, eq)))
                    .setAddress(m.substring(eq + 1)));
        }
        return Command.newBuilder().setMapQuicServerIds(b).build();
    }

    public static Command unmapQuic(int... ids) {
        UnmapQuicServerIds.Builder b = UnmapQuicServerIds.newBuilder();
        for (int id : ids) {
            b.addServerIds(id);
        }
        return Command.newBuilder().setUnmapQuicServerIds(b).build();
    }

    public static Command setHealthCheck(int somark, String address) {
        return Command.newBuilder().setSetHealthCheckDst(SetHealthCheckDst.newBuilder().setSomark(somark)
                .setAddress(address)).build();
    }

    public static Command removeHealthCheck(int somark) {
        return Command.newBuilder().setRemoveHealthCheckDst(RemoveHealthCheckDst.newBuilder().setSomark(somark)).build();
    }

    public static Command markDown(VipKey vip, String address) {
        return Command.newBuilder().setMarkRealDown(MarkRealDown.newBuilder().setVip(vip).setAddress(address)).build();
    }

    public static Command setMac(String mac) {
        return Command.newBuilder().setSetGatewayMac(SetGatewayMac.newBuilder().setMac(mac)).build();
    }

    private static List<RealSpec> reals(String... specs) {
        List<RealSpec> out = new ArrayList<>();
        for (String s : specs) {
            int eq = s.lastIndexOf('=');
            out.add(RealSpec.newBuilder().setAddress(s.substring(0, eq))
                    .setWeight(Integer.parseUnsignedInt(s.substring(eq + 1))).build());
        }
        return out;
    }

    /**
     * A log: each {@link #apply} is one entry (term 1, next index), validated and applied by BatchApplier, then
     * handed to the publishers as a Ratis state machine would.
     */
    public static final class Log implements Sink {
        private final BatchApplier applier;
        private final List<FleetPublisher> publishers = new ArrayList<>();
        private FleetImage image = FleetImage.EMPTY;
        private long index;
        private ProgramReport lastReport;

        public Log() {
            this(FleetLimits.DEFAULT);
        }

        public Log(FleetLimits limits) {
            this.applier = new BatchApplier(new CommandValidator(limits));
        }

        public Log publishTo(FleetPublisher publisher) {
            publishers.add(publisher);
            return this;
        }

        /**
         * Programs every image with {@code programmer}, on the applying thread (a synchronous stand-in for the
         * agent's programming pipeline); a failed run throws out of {@link #apply}.
         */
        public Log publishTo(MapProgrammer programmer) {
            return publishTo((delta, image) -> lastReport = programmer.program(image));
        }

        /** The report of the last successful run of the programmer given to {@link #publishTo(MapProgrammer)}. */
        public ProgramReport lastReport() {
            return lastReport;
        }

        /** The index the last successful run programmed; -1 before the first. */
        public long programmedIndex() {
            return lastReport == null ? -1 : lastReport.index();
        }

        public FleetImage image() {
            return image;
        }

        /** Applies one batch; fails the test when it is rejected. */
        @Override
        public void submit(Command... commands) {
            apply(commands);
        }

        public FleetImage apply(Command... commands) {
            CommandBatch batch = CommandBatch.newBuilder().addAllCommands(List.of(commands)).setPrincipal("test")
                    .setTimestampMillis(1_700_000_000_000L).setRequestId("req-" + (index + 1)).build();
            BatchApplier.Applied a = applier.apply(image, batch, new Provenance(1, ++index));
            CommandResult r = a.result();
            if (!r.isOk()) {
                throw new AssertionError("batch " + index + " rejected: " + r);
            }
            FleetDelta delta = a.delta();
            image = a.image();
            for (FleetPublisher p : publishers) {
                p.publish(delta, image);
            }
            return image;
        }
    }
}
