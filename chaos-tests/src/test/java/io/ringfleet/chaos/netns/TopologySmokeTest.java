package io.ringfleet.chaos.netns;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ringfleet.api.AddReals;
import io.ringfleet.api.AddVip;
import io.ringfleet.api.Command;
import io.ringfleet.api.Protocol;
import io.ringfleet.api.RealSpec;
import io.ringfleet.api.VipKey;
import io.ringfleet.bpf.Xdp;
import io.ringfleet.state.FleetLimits;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class TopologySmokeTest {
    @Test
    void oneEcho() throws Exception {
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
            System.out.println(t.router().ip("route"));
            ClientNode c = t.clients().get(0);
            for (int i = 0; i < 5; i++) {
                SocketChannel ch = c.ns().call(SocketChannel::open);
                ch.socket().connect(new InetSocketAddress(t.vip4(), t.echoPort()), 3000);
                ch.socket().setSoTimeout(3000);
                OutputStream out = ch.socket().getOutputStream();
                InputStream in = ch.socket().getInputStream();
                out.write(("hello " + i + "\n").getBytes(StandardCharsets.US_ASCII));
                byte[] buf = new byte[100];
                int n = in.read(buf);
                System.out.println("reply: " + new String(buf, 0, n, StandardCharsets.US_ASCII));
                ch.close();
            }
            for (int n = 1; n <= 3; n++) {
                System.out.println("lb" + n + " digest " + fleet.kernelState(n).shortDigest());
            }
            assertEquals(3, t.nextHops4().size());
            assertEquals("fd77:200::1", Topology.text(t.vip6()));
            assertEquals("::1", Topology.text(java.net.InetAddress.getByName("::1")));
            assertEquals("fd77:0:11::2", Topology.text(java.net.InetAddress.getByName("fd77:0:11:0:0:0:0:2")));
            assertEquals("1::", Topology.text(java.net.InetAddress.getByName("1::")));
        }
    }
}
