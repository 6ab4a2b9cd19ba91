package io.ringfleet.chaos.netns;

import io.ringfleet.bpf.NetNs;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.Channel;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A backend's TCP and UDP echo service, on the VIP addresses inside the backend's namespace (sockets are
 * created on a thread that entered the namespace, and stay in it). Every answer names the backend:
 * a TCP line {@code L} is answered with {@code NAME L}, a UDP datagram {@code D} with {@code NAME D}. So a
 * client learns which real served it, and sees its own bytes come back.
 */
public final class EchoServer implements AutoCloseable {
    /** Longest line accepted; a longer one closes the connection. */
    public static final int MAX_LINE = 1024;

    private final String name;
    private final List<ServerSocketChannel> listeners = new ArrayList<>();
    private final List<DatagramChannel> datagrams = new ArrayList<>();
    private final Set<SocketChannel> connections = ConcurrentHashMap.newKeySet();
    private final ExecutorService threads;
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong tcpEchoes = new AtomicLong();
    private final AtomicLong udpEchoes = new AtomicLong();
    private volatile boolean closed;

    private EchoServer(String name) {
        this.name = name;
        AtomicInteger seq = new AtomicInteger();
        this.threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "echo-" + name + "-" + seq.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Listens on TCP and UDP port on each address, inside ns.
     *
     * @param name what every answer starts with (no spaces)
     */
    public static EchoServer start(NetNs ns, String name, List<InetAddress> addresses, int port) {
        Objects.requireNonNull(ns, "ns");
        if (name == null || name.isEmpty() || name.contains(" ")) {
            throw new IllegalArgumentException("echo server name must be non-empty without spaces, got '" + name + "'");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1..65535, got " + port);
        }
        EchoServer s = new EchoServer(name);
        try {
            for (InetAddress a : addresses) {
                InetSocketAddress at = new InetSocketAddress(a, port);
                ServerSocketChannel l = ns.call(() -> {
                    ServerSocketChannel c = ServerSocketChannel.open();
                    c.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                    return c.bind(at, 512);
                });
                s.listeners.add(l);
                s.threads.execute(() -> s.acceptLoop(l));
                DatagramChannel d = ns.call(() -> DatagramChannel.open().bind(at));
                s.datagrams.add(d);
                s.threads.execute(() -> s.datagramLoop(d));
            }
            return s;
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
    }

    public String name() {
        return name;
    }

    /** TCP connections accepted so far. */
    public long accepted() {
        return accepted.get();
    }

    /** TCP connections open now. */
    public int openConnections() {
        return connections.size();
    }

    public long tcpEchoes() {
        return tcpEchoes.get();
    }

    public long udpEchoes() {
        return udpEchoes.get();
    }

    private void acceptLoop(ServerSocketChannel listener) {
        while (!closed) {
            SocketChannel c;
            try {
                c = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            accepted.incrementAndGet();
            connections.add(c);
            try {
                threads.execute(() -> serve(c));
            } catch (RuntimeException rejected) {
                closeQuietly(c);
                connections.remove(c);
            }
        }
    }

    private void serve(SocketChannel c) {
        try (c;
                InputStream in = new BufferedInputStream(Channels.newInputStream(c));
                OutputStream out = Channels.newOutputStream(c)) {
            c.setOption(StandardSocketOptions.TCP_NODELAY, true);
            byte[] prefix = (name + " ").getBytes(StandardCharsets.US_ASCII);
            byte[] line = new byte[MAX_LINE + 1];
            int len = 0;
            while (true) {
                int b = in.read();
                if (b < 0) {
                    return;
                }
                line[len++] = (byte) b;
                if (b == '\n') {
                    byte[] reply = new byte[prefix.length + len];
                    System.arraycopy(prefix, 0, reply, 0, prefix.length);
                    System.arraycopy(line, 0, reply, prefix.length, len);
                    out.write(reply);
                    out.flush();
                    tcpEchoes.incrementAndGet();
                    len = 0;
                } else if (len > MAX_LINE) {
                    return;
                }
            }
        } catch (IOException e) {
            // the peer reset or we are closing: the client side judges what that means
        } finally {
            connections.remove(c);
        }
    }

    private void datagramLoop(DatagramChannel d) {
        ByteBuffer in = ByteBuffer.allocate(2048);
        byte[] prefix = (name + " ").getBytes(StandardCharsets.US_ASCII);
        while (!closed) {
            try {
                in.clear();
                InetSocketAddress from = (InetSocketAddress) d.receive(in);
                in.flip();
                ByteBuffer out = ByteBuffer.allocate(prefix.length + in.remaining());
                out.put(prefix).put(in).flip();
                d.send(out, from);
                udpEchoes.incrementAndGet();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        listeners.forEach(EchoServer::closeQuietly);
        datagrams.forEach(EchoServer::closeQuietly);
        connections.forEach(EchoServer::closeQuietly);
        threads.shutdownNow();
    }

    private static void closeQuietly(Channel c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public String toString() {
        return "EchoServer[" + name + "]";
    }
}
