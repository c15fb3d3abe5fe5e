package dev.preflight.proxy;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.internal.PlatformDependent;

/**
 * The native epoll transport when its library is packaged and loads, NIO otherwise. Client and
 * upstream channels share one event loop group, so an upstream channel can live on its client's
 * event loop; the datagram channel is for the upstreams' DNS lookups, which run on those loops too.
 */
public record Transports(
        String name,
        IoHandlerFactory ioHandlerFactory,
        Class<? extends ServerChannel> serverChannel,
        Class<? extends SocketChannel> socketChannel,
        Class<? extends DatagramChannel> datagramChannel) {

    /**
     * Netty's native transports ship their library in the jar under {@code META-INF/native/} (the
     * {@code linux-x86_64}, {@code linux-aarch_64} and {@code linux-riscv64} classifiers of
     * netty-transport-native-epoll, which the jar carries). Netty loads it from {@code
     * java.library.path} first (the Docker image keeps it unpacked there, for read-only root
     * filesystems), else from a copy in the temporary directory. When the jar has none for this
     * machine, {@link Epoll#isAvailable()} is not asked: its failed loads (the jar, a temporary copy,
     * {@code java.library.path}, each name tried) cost about 50 ms of every start (issue 7), to learn
     * what the jar's contents already say.
     */
    public static Transports best() {
        if (epollPackaged() && Epoll.isAvailable()) {
            return new Transports(
                    "epoll",
                    EpollIoHandler.newFactory(),
                    EpollServerSocketChannel.class,
                    EpollSocketChannel.class,
                    EpollDatagramChannel.class);
        }
        return new Transports(
                "nio",
                NioIoHandler.newFactory(),
                NioServerSocketChannel.class,
                NioSocketChannel.class,
                NioDatagramChannel.class);
    }

    private static boolean epollPackaged() {
        String library =
                "META-INF/native/libnetty_transport_native_epoll_" + PlatformDependent.normalizedArch() + ".so";
        return Transports.class.getClassLoader().getResource(library) != null;
    }

    public MultiThreadIoEventLoopGroup newGroup(int threads, String threadPrefix) {
        return new MultiThreadIoEventLoopGroup(
                threads, new DefaultThreadFactory(threadPrefix, true), LoopClock.around(ioHandlerFactory));
    }
}
