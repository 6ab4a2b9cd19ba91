package io.ringfleet.agent.health;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/** A TCP server on loopback that accepts and closes every connection: a real that is up for a TCP check. */
final class AcceptingServer {
    private AcceptingServer() {}

    /** Listens on loopback {@code port} (0: any) and accepts on a daemon thread until the socket is closed. */
    static ServerSocket listen(int port) throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        Thread accept = new Thread(() -> {
            while (!s.isClosed()) {
                try (Socket c = s.accept()) {
                    c.getInputStream().available();
                } catch (IOException closed) {
                    return;
                }
            }
        });
        accept.setDaemon(true);
        accept.start();
        return s;
    }
}
