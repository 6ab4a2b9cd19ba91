package io.ringfleet.chaos.netns;

import io.ringfleet.api.AddReals;
import io.ringfleet.api.AddVip;
import io.ringfleet.api.Command;
import io.ringfleet.api.Protocol;
import io.ringfleet.api.RealSpec;
import io.ringfleet.api.VipKey;
import io.ringfleet.bpf.Xdp;
import io.ringfleet.bpf.abi.GlobalCounter;
import io.ringfleet.state.FleetLimits;
import java.util.List;

/** Debugging aid: builds and provisions the fleet, prints counters every 5 s, holds for N seconds. */
public final class HoldTopology {
    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 60;
        try (Topology t = Topology.builder().log(System.out::println).build()) {
            DatapathFleet fleet = DatapathFleet.attach(t, 4, 64, 1024, Xdp.Mode.DRIVER, System.out::println);
            LocalFleetLog log = new LocalFleetLog(FleetLimits.builder().maxVips(4).maxReals(64).build());
            VipKey vip = VipKey.newBuilder().setAddress(t.vip4().getHostAddress()).setPort(t.echoPort()).setProtocol(Protocol.TCP).build();
            AddReals.Builder reals = AddReals.newBuilder().setVip(vip);
            for (BackendNode b : t.backends()) {
                reals.addReals(RealSpec.newBuilder().setAddress(b.address4().getHostAddress()).setWeight(1));
            }
            fleet.program(log.submit("r1", List.of(Command.newBuilder().setAddVip(AddVip.newBuilder().setVip(vip)).build(),
                    Command.newBuilder().setAddReals(reals).build())));
            System.out.println("HOLDING " + t.prefix());
            for (int i = 0; i < seconds / 5; i++) {
                Thread.sleep(5000);
                for (BalancerNode n : fleet.nodes()) {
                    System.out.println(n.lb().id() + " tx=" + n.global(GlobalCounter.XDP_TX).packets() + " pass="
                            + n.global(GlobalCounter.XDP_PASS).packets() + " drop=" + n.global(GlobalCounter.XDP_DROP).packets());
                }
                for (BackendDecap d : t.decaps()) {
                    System.out.println(d + " v4=" + d.decapsulated(0) + " v6=" + d.decapsulated(1));
                }
            }
        }
    }
}
