package io.ringfleet.agent.api;

import io.ringfleet.api.AddReals;
import io.ringfleet.api.AddVip;
import io.ringfleet.api.ApplyRequest;
import io.ringfleet.api.Command;
import io.ringfleet.api.Protocol;
import io.ringfleet.api.RealSpec;
import io.ringfleet.api.RemoveVip;
import io.ringfleet.api.SetRealWeights;
import io.ringfleet.api.VipKey;

/** Short builders for the commands tests send. */
public final class Commands {
  private Commands() {}

  public static VipKey tcp(String address, int port) {
    return VipKey.newBuilder().setAddress(address).setPort(port).setProtocol(Protocol.TCP).build();
  }

  public static Command addVip(VipKey vip) {
    return Command.newBuilder().setAddVip(AddVip.newBuilder().setVip(vip)).build();
  }

  public static Command removeVip(VipKey vip) {
    return Command.newBuilder().setRemoveVip(RemoveVip.newBuilder().setVip(vip)).build();
  }

  public static Command addReal(VipKey vip, String address, int weight) {
    return Command.newBuilder().setAddReals(AddReals.newBuilder().setVip(vip)
        .addReals(RealSpec.newBuilder().setAddress(address).setWeight(weight))).build();
  }

  public static Command setWeight(VipKey vip, String address, int weight) {
    return Command.newBuilder().setSetRealWeights(SetRealWeights.newBuilder().setVip(vip)
        .addReals(RealSpec.newBuilder().setAddress(address).setWeight(weight))).build();
  }

  public static ApplyRequest apply(Command... commands) {
    return ApplyRequest.newBuilder().addAllCommands(java.util.List.of(commands)).build();
  }
}
