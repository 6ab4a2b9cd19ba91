package io.ringfleet.state;

import io.ringfleet.api.AddReals;
import io.ringfleet.api.AddVip;
import io.ringfleet.api.ClearRealDown;
import io.ringfleet.api.Command;
import io.ringfleet.api.CommandBatch;
import io.ringfleet.api.DrainNode;
import io.ringfleet.api.MapQuicServerIds;
import io.ringfleet.api.MarkRealDown;
import io.ringfleet.api.ModifyVipFlags;
import io.ringfleet.api.QuicMapping;
import io.ringfleet.api.RealSpec;
import io.ringfleet.api.RemoveHealthCheckDst;
import io.ringfleet.api.RemoveReals;
import io.ringfleet.api.RemoveVip;
import io.ringfleet.api.SetGatewayMac;
import io.ringfleet.api.SetHealthCheckDst;
import io.ringfleet.api.SetRealWeights;
import io.ringfleet.api.SetVipHashFunction;
import io.ringfleet.api.UndrainNode;
import io.ringfleet.api.UnmapQuicServerIds;
import io.ringfleet.state.command.BatchApplier;
import io.ringfleet.state.command.CommandResult;
import io.ringfleet.state.command.CommandValidator;
import java.util.ArrayList;
import java.util.List;

/** Terse command builders for tests: vip("10.0.0.1", 80, TCP), reals("10.0.0.1=1", "10.0.0.2=5"). */
public final class Cmds {
  public static final io.ringfleet.api.Protocol TCP = io.ringfleet.api.Protocol.TCP;
  public static final io.ringfleet.api.Protocol UDP = io.ringfleet.api.Protocol.UDP;

  private Cmds() {}

  public static io.ringfleet.api.VipKey vip(String address, int port, io.ringfleet.api.Protocol protocol) {
    return io.ringfleet.api.VipKey.newBuilder().setAddress(address).setPort(port).setProtocol(protocol).build();
  }

  /** "address=weight" pairs. */
  public static List<RealSpec> reals(String... specs) {
    List<RealSpec> out = new ArrayList<>();
    for (String s : specs) {
      int eq = s.lastIndexOf('=');
      out.add(RealSpec.newBuilder().setAddress(s.substring(0, eq)).setWeight(Integer.parseUnsignedInt(s.substring(eq + 1))).build());
    }
    return out;
  }

  public static Command addVip(io.ringfleet.api.VipKey vip) {
    return addVip(vip, 0);
  }

  public static Command addVip(io.ringfleet.api.VipKey vip, int flags) {
    return Command.newBuilder().setAddVip(AddVip.newBuilder().setVip(vip).setFlags(flags)).build();
  }

  public static Command removeVip(io.ringfleet.api.VipKey vip) {
    return Command.newBuilder().setRemoveVip(RemoveVip.newBuilder().setVip(vip)).build();
  }

  public static Command modifyFlags(io.ringfleet.api.VipKey vip, int set, int clear) {
    return Command.newBuilder().setModifyVipFlags(
        ModifyVipFlags.newBuilder().setVip(vip).setSetFlags(set).setClearFlags(clear)).build();
  }

  public static Command setHash(io.ringfleet.api.VipKey vip, io.ringfleet.api.HashFunction hash) {
    return Command.newBuilder().setSetVipHashFunction(
        SetVipHashFunction.newBuilder().setVip(vip).setHashFunction(hash)).build();
  }

  public static Command addReals(io.ringfleet.api.VipKey vip, String... specs) {
    return Command.newBuilder().setAddReals(AddReals.newBuilder().setVip(vip).addAllReals(reals(specs))).build();
  }

  public static Command upsertReals(io.ringfleet.api.VipKey vip, String... specs) {
    return Command.newBuilder().setAddReals(
        AddReals.newBuilder().setVip(vip).addAllReals(reals(specs)).setUpdateExisting(true)).build();
  }

  public static Command removeReals(io.ringfleet.api.VipKey vip, String... addresses) {
    return Command.newBuilder().setRemoveReals(
        RemoveReals.newBuilder().setVip(vip).addAllAddresses(List.of(addresses))).build();
  }

  public static Command removeRealsIfPresent(io.ringfleet.api.VipKey vip, String... addresses) {
    return Command.newBuilder().setRemoveReals(
        RemoveReals.newBuilder().setVip(vip).addAllAddresses(List.of(addresses)).setIgnoreMissing(true)).build();
  }

  public static Command setWeights(io.ringfleet.api.VipKey vip, String... specs) {
    return Command.newBuilder().setSetRealWeights(SetRealWeights.newBuilder().setVip(vip).addAllReals(reals(specs))).build();
  }

  public static Command setHc(int somark, String address) {
    return Command.newBuilder().setSetHealthCheckDst(
        SetHealthCheckDst.newBuilder().setSomark(somark).setAddress(address)).build();
  }

  public static Command removeHc(int somark) {
    return Command.newBuilder().setRemoveHealthCheckDst(RemoveHealthCheckDst.newBuilder().setSomark(somark)).build();
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

  public static Command drain(String node, String reason) {
    return Command.newBuilder().setDrainNode(DrainNode.newBuilder().setNodeId(node).setReason(reason)).build();
  }

  public static Command undrain(String node) {
    return Command.newBuilder().setUndrainNode(UndrainNode.newBuilder().setNodeId(node)).build();
  }

  public static Command setMac(String mac) {
    return Command.newBuilder().setSetGatewayMac(SetGatewayMac.newBuilder().setMac(mac)).build();
  }

  public static Command markDown(io.ringfleet.api.VipKey vip, String address) {
    return Command.newBuilder().setMarkRealDown(MarkRealDown.newBuilder().setVip(vip).setAddress(address)).build();
  }

  public static Command clearDown(io.ringfleet.api.VipKey vip, String address) {
    return Command.newBuilder().setClearRealDown(ClearRealDown.newBuilder().setVip(vip).setAddress(address)).build();
  }

  public static CommandBatch batch(Command... commands) {
    return CommandBatch.newBuilder().addAllCommands(List.of(commands))
        .setPrincipal("alice").setTimestampMillis(1_700_000_000_000L).setRequestId("req").build();
  }

  /** A fleet driven by batches at successive log indexes, term 1. Fails the test on a rejection. */
  public static final class Fleet {
    private final BatchApplier applier;
    private FleetImage image = FleetImage.EMPTY;
    private long index;

    public Fleet() {
      this(FleetLimits.DEFAULT);
    }

    public Fleet(FleetLimits limits) {
      this.applier = new BatchApplier(new CommandValidator(limits));
    }

    public FleetImage image() {
      return image;
    }

    /** Applies and returns the result, whatever it is. */
    public CommandResult submit(CommandBatch batch) {
      BatchApplier.Applied applied = applier.apply(image, batch, new Provenance(1, ++index));
      image = applied.image();
      return applied.result();
    }

    public CommandResult submit(Command... commands) {
      return submit(batch(commands));
    }

    /** Applies, expecting success. */
    public FleetImage ok(Command... commands) {
      CommandResult r = submit(commands);
      if (!r.isOk()) {
        throw new AssertionError("expected OK, got " + r);
      }
      return image;
    }
  }
}
