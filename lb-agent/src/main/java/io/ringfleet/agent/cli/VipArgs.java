package io.ringfleet.agent.cli;

import io.ringfleet.api.Protocol;
import io.ringfleet.api.VipKey;
import picocli.CommandLine.Parameters;

/** The two words that name a VIP: {@code tcp 10.200.200.1:22}, {@code udp [fc00::1]:443}. */
final class VipArgs {
    @Parameters(index = "0", paramLabel = "PROTO", description = "tcp or udp", converter = Args.ProtocolConverter.class)
    Protocol protocol;

    @Parameters(
            index = "1",
            paramLabel = "VIP",
            description = "ADDRESS:PORT, e.g. 10.200.200.1:22 or [fc00::1]:443" + " (port 0 = all ports)",
            converter = Args.EndpointConverter.class)
    Args.Endpoint endpoint;

    VipKey key() {
        return VipKey.newBuilder()
                .setAddress(endpoint.address())
                .setPort(endpoint.port())
                .setProtocol(protocol)
                .build();
    }
}
