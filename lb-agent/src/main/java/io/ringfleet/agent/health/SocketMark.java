package io.ringfleet.agent.health;

import io.netty.channel.ChannelOption;
import io.netty.channel.unix.IntegerUnixChannelOption;

/**
 * SO_MARK as a Netty channel option. Netty's epoll transport has no named SO_MARK option, but sets any integer
 * socket option through {@link IntegerUnixChannelOption} (a plain setsockopt on the channel's fd, no JDK
 * internals). Values from Linux's {@code <asm-generic/socket.h>}, the same on every architecture Netty's
 * epoll transport ships for (x86_64, aarch64). Setting it needs CAP_NET_ADMIN.
 */
final class SocketMark {
    private static final int SOL_SOCKET = 1;
    private static final int SO_MARK = 36;

    /** Created once: a channel option's name is registered in Netty's constant pool. */
    static final ChannelOption<Integer> OPTION = new IntegerUnixChannelOption("RINGFLEET_SO_MARK", SOL_SOCKET, SO_MARK);

    private SocketMark() {}
}
