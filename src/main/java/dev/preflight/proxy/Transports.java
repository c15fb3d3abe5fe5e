package dev.preflight.proxy;

import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.ChannelFactory;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.internal.PlatformDependent;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.channels.spi.SelectorProvider;
import java.util.function.Function;

/**
 * The native epoll transport when its library is packaged and loads, NIO otherwise. Client and
 * upstream channels share one event loop group, so an upstream channel can live on its client's
 * event loop; the datagram channel is for the upstreams' DNS lookups, which run on those loops too.
 */
public record Transports(
        String name,
        IoHandlerFactory ioHandlerFactory,
        Function<SocketProtocolFamily, ServerChannel> serverChannels,
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
    /** The largest buffer one read of a socket fills, client's or upstream's ({@link #reads()}). */
    public static final int MAX_READ = 32 * 1024;

    // 16 messages a read, as Netty gives a socket channel by default: the allocator's own default of 1
    // measured about 0.2 us more per forwarded GET side by side (bench/HISTORY.md).
    private static final RecvByteBufAllocator READS =
            new AdaptiveRecvByteBufAllocator(64, 2048, MAX_READ).maxMessagesPerRead(16);

    /**
     * How large a buffer each read of a socket gets: Netty's adaptive guess, at most {@link #MAX_READ}
     * (Netty's own limit is 64 KiB). A body or a tunnel holds one read's buffer per direction while its
     * peer is slow, so this bounds what a stalled exchange or tunnel holds of direct memory: at 64 KiB,
     * 512 of them (the upstream pool's limit) held 55-63 MiB of the image's 64 MiB and a few
     * unfinished heads beside them stopped the process; at 32 KiB, with 1,000-2,000 such heads, 52
     * MiB at most, and it stayed up (found by probing). Not 16 KiB, which held 33-36 MiB: a part is
     * read only once the one before has been written, and a backend with a 16 KiB receive buffer then
     * took a 1 MB upload in 6 s instead of 0.3 (an 8 KiB one takes 12 s at any of these sizes; README,
     * Known gaps).
     */
    public static RecvByteBufAllocator reads() {
        return READS;
    }

    public static Transports best() {
        if (epollPackaged() && Epoll.isAvailable()) {
            return new Transports(
                    "epoll",
                    EpollIoHandler.newFactory(),
                    EpollServerSocketChannel::new,
                    EpollSocketChannel.class,
                    EpollDatagramChannel.class);
        }
        return new Transports(
                "nio",
                NioIoHandler.newFactory(),
                family -> new NioServerSocketChannel(SelectorProvider.provider(), family),
                NioSocketChannel.class,
                NioDatagramChannel.class);
    }

    private static boolean epollPackaged() {
        String library =
                "META-INF/native/libnetty_transport_native_epoll_" + PlatformDependent.normalizedArch() + ".so";
        return Transports.class.getClassLoader().getResource(library) != null;
    }

    /**
     * Listening sockets for {@code address}, of its own family. Netty opens IPv6 sockets where it
     * can, and on one of those an IPv4 wildcard ({@code 0.0.0.0}, the default {@code listen.host})
     * listens on every IPv6 address as well: a proxy its operator meant for IPv4 only answered on
     * {@code [::1]} and the host's public IPv6 addresses (found by probing). {@code ::} listens on
     * both, as Linux does by default.
     */
    public ChannelFactory<ServerChannel> serverChannelFor(InetAddress address) {
        SocketProtocolFamily family =
                address instanceof Inet4Address ? SocketProtocolFamily.INET : SocketProtocolFamily.INET6;
        return () -> serverChannels.apply(family);
    }

    /**
     * {@code host} resolved for listening on; an unknown name is the {@link UnknownHostException}
     * that a failed bind's message names (it was an unchecked {@code UnresolvedAddressException},
     * a stack trace where the proxy says "cannot listen on" in one line).
     */
    public static InetAddress listenAddress(String host) throws UnknownHostException {
        try {
            return InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new UnknownHostException("no such host");
        }
    }

    public MultiThreadIoEventLoopGroup newGroup(int threads, String threadPrefix) {
        return new MultiThreadIoEventLoopGroup(
                threads, new DefaultThreadFactory(threadPrefix, true), LoopClock.around(ioHandlerFactory));
    }
}
