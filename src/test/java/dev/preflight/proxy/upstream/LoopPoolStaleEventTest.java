package dev.preflight.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.config.UpstreamSettings;
import dev.preflight.proxy.Transports;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.handler.codec.http.HttpObject;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * P6 on the epoll transport: Netty's loop hands each round of ready events to channels by
 * descriptor number, and a socket opened during the round takes the lowest free number, often one
 * an earlier event of the same round has just closed. A connection must not be opened there, or an
 * event of the closed socket still due in that round reaches the new one, unconnected, whose failed
 * read closes it: a 502 for a healthy upstream (seen in the soak test).
 *
 * <p>Each round: two pooled connections, the loop held still while the upstream answers on the
 * second and sends bytes on the first (so both are due in the loop's next round, in that order);
 * the second's answer closes the first and asks the pool for a new connection. That one must
 * connect. The test checks that the new socket did get the closed one's number at least once, so
 * the case really ran.
 */
@Timeout(60)
class LoopPoolStaleEventTest {
    private static final int ROUNDS = 10;
    private static final byte[] EMPTY_OK =
            "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final BlockingQueue<Socket> accepted = new LinkedBlockingQueue<>();
    private final List<AutoCloseable> open = new ArrayList<>();

    @Test
    @DisplayName(
            "P6: a connection asked for while the loop handles its events is not closed by a late event of a socket closed in that round")
    void staleEventOfAClosedSocket() throws Exception {
        Transports transports = Transports.best();
        Assumptions.assumeTrue(
                transports.name().equals("epoll"), "NIO hands events by selection key, not by descriptor number");
        MultiThreadIoEventLoopGroup group = transports.newGroup(1, "stale-event-test");
        try (ServerSocket backend = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> acceptAll(backend));
            UpstreamPool pool = new UpstreamPool(settings(backend.getLocalPort()), transports);
            EventLoop loop = group.next();
            int reused = 0;
            for (int round = 1; round <= ROUNDS; round++) {
                if (round(pool, loop)) {
                    reused++;
                }
            }
            assertThat(reused)
                    .as("rounds in which the new socket took the number of the one just closed")
                    .isPositive();
        } finally {
            for (AutoCloseable c : open) {
                c.close();
            }
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /** One round; true when the new connection got the closed one's descriptor number. */
    private boolean round(UpstreamPool pool, EventLoop loop) throws Exception {
        UpstreamConnection first = acquire(pool, loop);
        Socket firstPeer = nextAccepted();
        UpstreamConnection second = acquire(pool, loop);
        Socket secondPeer = nextAccepted();
        int firstFd = fd(first.channel());

        CompletableFuture<Future<UpstreamConnection>> third = new CompletableFuture<>();
        first.attach(new Ignoring());
        second.attach(new Ignoring() {
            @Override
            public void onResponse(HttpObject message) {
                ReferenceCountUtil.release(message);
                if (!third.isDone()) {
                    pool.release(first, false);
                    third.complete(pool.acquire(loop));
                }
            }
        });
        loop.submit(() -> {
                    first.channel().read();
                    second.channel().read();
                })
                .sync();

        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        loop.execute(() -> {
            held.countDown();
            awaitQuietly(release);
        });
        assertThat(held.await(5, TimeUnit.SECONDS)).as("the loop is held").isTrue();
        write(secondPeer, EMPTY_OK);
        write(firstPeer, EMPTY_OK);
        release.countDown();

        Future<UpstreamConnection> opening = third.get(5, TimeUnit.SECONDS);
        assertThat(opening.await(5, TimeUnit.SECONDS))
                .as("the new connection is settled")
                .isTrue();
        assertThat(opening.isSuccess())
                .as("the new connection opened (failed with: %s)", opening.cause())
                .isTrue();
        Channel fresh = opening.getNow().channel();
        assertThat(fresh.isActive()).as("the new connection is open").isTrue();
        open.add(fresh::close);
        open.add(second.channel()::close);
        open.add(nextAccepted());
        return fd(fresh) == firstFd;
    }

    private static UpstreamConnection acquire(UpstreamPool pool, EventLoop loop) throws Exception {
        Future<UpstreamConnection> acquired =
                loop.submit(() -> pool.acquire(loop)).get(5, TimeUnit.SECONDS);
        return acquired.get(5, TimeUnit.SECONDS);
    }

    private Socket nextAccepted() throws InterruptedException {
        Socket socket = accepted.poll(5, TimeUnit.SECONDS);
        assertThat(socket).as("the backend accepted a connection").isNotNull();
        open.add(socket);
        return socket;
    }

    private void acceptAll(ServerSocket backend) {
        try {
            while (true) {
                accepted.add(backend.accept());
            }
        } catch (IOException closed) {
            // the test is over
        }
    }

    private static void write(Socket socket, byte[] bytes) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(bytes);
        out.flush();
    }

    private static int fd(Channel channel) {
        return ((EpollSocketChannel) channel).fd().intValue();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static UpstreamSettings settings(int port) {
        return new UpstreamSettings(
                URI.create("http://127.0.0.1:" + port),
                Duration.ofSeconds(5),
                Duration.ofSeconds(5),
                Duration.ofSeconds(60),
                4 * ROUNDS, // every round keeps two open until the end
                Duration.ofSeconds(5),
                UpstreamSettings.HostHeader.PRESERVE,
                null);
    }

    /** Hears nothing it cares about; releases what it is given. */
    private static class Ignoring implements UpstreamListener {
        @Override
        public void onResponse(HttpObject message) {
            ReferenceCountUtil.release(message);
        }

        @Override
        public void onReadComplete() {}

        @Override
        public void onUpstreamClosed(Throwable cause) {}
    }
}
