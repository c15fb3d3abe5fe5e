package dev.preflight.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.config.UpstreamSettings;
import dev.preflight.proxy.Transports;
import dev.preflight.testing.Await;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * P1, P6: a connection back in the pool goes on at once only to the client it served; another client
 * gets it once it has settled, so bytes its backend sends past a response in a later write (a HEAD's
 * or a 204's body, a desync's second answer) close it before they can answer someone else.
 */
@Timeout(60)
class LoopPoolSettleTest {
    private static final Object ALICE = new Object();
    private static final Object BOB = new Object();

    private final List<Socket> accepted = new CopyOnWriteArrayList<>();
    private ServerSocket backend;
    private MultiThreadIoEventLoopGroup group;
    private EventLoop loop;

    @BeforeEach
    void start() throws IOException {
        backend = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            try {
                while (true) {
                    accepted.add(backend.accept());
                }
            } catch (IOException closed) {
                // the test is over
            }
        });
        group = Transports.best().newGroup(1, "settle-test");
        loop = group.next();
    }

    @AfterEach
    void stop() throws Exception {
        backend.close();
        for (Socket socket : accepted) {
            socket.close();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    @Test
    @DisplayName("P6: the client a connection served gets it back at once; another client only once it has settled")
    void ownClientAtOnceOthersOnceSettled() throws Exception {
        UpstreamPool pool = new UpstreamPool(settings(4), Transports.best());
        UpstreamConnection alices = acquire(pool, ALICE).get(5, TimeUnit.SECONDS);

        UpstreamConnection forBob = loop.submit(() -> {
                    pool.release(alices, true);
                    return pool.pollIdle(loop, BOB);
                })
                .get(5, TimeUnit.SECONDS);
        assertThat(forBob).as("Bob, the moment it is back").isNull();
        Await.until("the connection to settle for Bob", () -> bobGets(pool, alices));
        assertThat(accepted).as("one connection all along").hasSize(1);
    }

    @Test
    @DisplayName("P6: a connection its client took back before it settled is that client's alone: closed, never"
            + " another client's")
    void takenBackAtOnceIsPinned() throws Exception {
        UpstreamPool pool = new UpstreamPool(settings(4), Transports.best());
        UpstreamConnection alices = acquire(pool, ALICE).get(5, TimeUnit.SECONDS);

        UpstreamConnection again = loop.submit(() -> {
                    pool.release(alices, true);
                    UpstreamConnection forAlice = pool.pollIdle(loop, ALICE);
                    pool.release(forAlice, true);
                    return forAlice;
                })
                .get(5, TimeUnit.SECONDS);
        assertThat(again).as("Alice, the moment it is back").isSameAs(alices);

        // A late answer to Alice's second request could still come on it, at any time: Bob never gets
        // it, and once it has settled it is closed rather than held for her.
        Await.until("the pinned connection to be closed when Bob asks", () -> {
            assertThat(bobGets(pool, alices))
                    .as("Bob got Alice's pinned connection")
                    .isFalse();
            return !alices.channel().isOpen();
        });
    }

    @Test
    @DisplayName("P6: with the budget spent, a waiting client gets another client's connection once it has settled,"
            + " not the moment it comes back")
    void waiterServedOnceSettled() throws Exception {
        UpstreamPool pool = new UpstreamPool(settings(1), Transports.best());
        UpstreamConnection alices = acquire(pool, ALICE).get(5, TimeUnit.SECONDS);
        Future<UpstreamConnection> bobs = acquire(pool, BOB);
        assertThat(bobs.isDone()).as("Bob waits: the budget is spent").isFalse();

        boolean servedAtOnce = loop.submit(() -> {
                    pool.release(alices, true);
                    return bobs.isDone();
                })
                .get(5, TimeUnit.SECONDS);

        assertThat(servedAtOnce)
                .as("Bob served the moment Alice's connection came back")
                .isFalse();
        assertThat(bobs.get(5, TimeUnit.SECONDS)).as("Bob, once it settled").isSameAs(alices);
    }

    /** Whether Bob gets {@code expected} from the idle connections now; given back if so. */
    private boolean bobGets(UpstreamPool pool, UpstreamConnection expected) {
        try {
            return loop.submit(() -> {
                        UpstreamConnection forBob = pool.pollIdle(loop, BOB);
                        if (forBob != null) {
                            assertThat(forBob).isSameAs(expected);
                            pool.release(forBob, true);
                        }
                        return forBob != null;
                    })
                    .get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private Future<UpstreamConnection> acquire(UpstreamPool pool, Object client) throws Exception {
        return loop.submit(() -> pool.acquire(loop, client)).get(5, TimeUnit.SECONDS);
    }

    private UpstreamSettings settings(int maxConnections) {
        return new UpstreamSettings(
                URI.create("http://127.0.0.1:" + backend.getLocalPort()),
                Duration.ofSeconds(5),
                Duration.ofSeconds(5),
                Duration.ofSeconds(60),
                maxConnections,
                Duration.ofSeconds(20),
                UpstreamSettings.HostHeader.PRESERVE,
                null);
    }
}
