package io.ringfleet.bpf;

import java.nio.channels.NetworkChannel;

/** Socket options the JDK does not expose. */
public final class Sockets {
    private Sockets() {}

    /**
     * Sets SO_MARK on a JDK NIO channel (SocketChannel, DatagramChannel, ServerSocketChannel): the
     * health-check forwarder sends packets whose mark names a real to that real. Needs CAP_NET_ADMIN.
     */
    public static void setMark(NetworkChannel channel, int mark) {
        NativeBpf.setSocketMark(channel, mark);
    }
}
