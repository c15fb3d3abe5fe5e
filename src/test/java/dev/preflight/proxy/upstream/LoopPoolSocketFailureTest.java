package dev.preflight.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.config.UpstreamSettings;
import dev.preflight.proxy.Transports;
import dev.preflight.testing.Await;
import io.netty.channel.ChannelException;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.Future;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * P6, upstream.max-connections: a connect that fails before there is a socket at all (the process is
 * out of descriptors, EMFILE) gives its share of the budget back. Netty fails such a connect on a
 * stand-in channel whose close never comes; the pool used to give the share back only at the close,
 * so every such failure lost one for good, until every request got a 503 (found by probing).
 */
@Timeout(60)
class LoopPoolSocketFailureTest {
    private static final int MAX_CONNECTIONS = 2;

    /** While set, no socket can be made, as when the process has no descriptor left. */
    private static final AtomicBoolean OUT_OF_DESCRIPTORS = new AtomicBoolean();

    /** NIO's socket channel, unless {@link #OUT_OF_DESCRIPTORS}: then its making fails as Netty's would. */
    public static final class ScarceSocketChannel extends NioSocketChannel {
        public ScarceSocketChannel() {
            super(open());
        }

        private static java.nio.channels.SocketChannel open() {
            if (OUT_OF_DESCRIPTORS.get()) {
                throw new ChannelException("Failed to open a socket.", new java.io.IOException("Too many open files"));
            }
            try {
                return java.nio.channels.SocketChannel.open();
            } catch (java.io.IOException e) {
                throw new ChannelException(e);
            }
        }
    }

    @Test
    @DisplayName("P6: connects that fail for want of a socket give their share of max-connections back")
    void failedSocketsGiveTheirShareBack() throws Exception {
        Transports scarce = new Transports(
                "nio-scarce",
                NioIoHandler.newFactory(),
                family -> new NioServerSocketChannel(),
                ScarceSocketChannel.class,
                NioDatagramChannel.class);
        MultiThreadIoEventLoopGroup group = scarce.newGroup(1, "socket-failure-test");
        try (ServerSocket backend = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            UpstreamPool pool = new UpstreamPool(settings(backend.getLocalPort()), scarce);
            EventLoop loop = group.next();

            OUT_OF_DESCRIPTORS.set(true);
            for (int i = 0; i < 3 * MAX_CONNECTIONS; i++) {
                Future<UpstreamConnection> failed = acquire(pool, loop);
                assertThat(failed.await(5, TimeUnit.SECONDS))
                        .as("attempt %d settles", i)
                        .isTrue();
                assertThat(failed.isSuccess()).as("attempt %d fails", i).isFalse();
                assertThat(failed.cause()).as("attempt %d", i).isInstanceOf(UpstreamFailure.UpstreamException.class);
            }
            awaitOpen(pool, 0);

            OUT_OF_DESCRIPTORS.set(false);
            Future<UpstreamConnection> opened = acquire(pool, loop);
            assertThat(opened.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(opened.isSuccess())
                    .as("a connect once sockets can be made again (failed with: %s)", opened.cause())
                    .isTrue();
            opened.getNow().channel().close().sync();
        } finally {
            OUT_OF_DESCRIPTORS.set(false);
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    private static Future<UpstreamConnection> acquire(UpstreamPool pool, EventLoop loop) throws Exception {
        return loop.submit(() -> pool.acquire(loop)).get(5, TimeUnit.SECONDS);
    }

    /** The share is given back on the pool's loop, a moment after the failure is reported. */
    private static void awaitOpen(UpstreamPool pool, int expected) {
        Await.until(
                "connections counted against max-connections: " + expected, () -> pool.openConnections() == expected);
    }

    private static UpstreamSettings settings(int port) {
        return new UpstreamSettings(
                URI.create("http://127.0.0.1:" + port),
                Duration.ofSeconds(5),
                Duration.ofSeconds(5),
                Duration.ofSeconds(60),
                MAX_CONNECTIONS,
                Duration.ofMillis(200),
                UpstreamSettings.HostHeader.PRESERVE,
                null);
    }
}
