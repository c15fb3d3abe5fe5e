package dev.preflight.hardening;

import static dev.preflight.testing.ProblemAssertions.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.testing.Await;
import dev.preflight.testing.Behaviour;
import dev.preflight.testing.RawClient;
import dev.preflight.testing.RawResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * P6 {@code limits.header-timeout}: slowloris clients, which open connections and send their heads a
 * byte at a time to hold the proxy's connections forever, get 408 and a close once the head has
 * taken longer than the header timeout, all at once and without slowing anyone else down.
 * {@code dev.preflight.proxy.ClientConnectionLimitsTest} has the single-connection case.
 */
@Timeout(60)
class SlowClientHeadTest {

    private static final Duration HEADER_TIMEOUT = Duration.ofSeconds(1);

    private final ScheduledExecutorService dribbler = Executors.newScheduledThreadPool(2);

    @AfterEach
    void stopDribbling() {
        dribbler.shutdownNow();
    }

    @Test
    @DisplayName(
            "P6: twenty slowloris connections all get 408 and a close at header-timeout; others are served meanwhile")
    void manySlowlorisConnections() throws Exception {
        try (BackendFaultProxy proxy =
                BackendFaultProxy.start("http://127.0.0.1:1", "", "limits.header-timeout = 1s")) {
            List<RawClient> slow = new ArrayList<>();
            List<Long> started = new ArrayList<>();
            try {
                for (int i = 0; i < 20; i++) {
                    RawClient client = proxy.raw();
                    slow.add(client);
                    started.add(System.nanoTime());
                    dribble(
                            client,
                            "GET /slowloris/" + i + " HTTP/1.1\r\nHost: api.test\r\nX-Pad: " + "p".repeat(200)
                                    + "\r\n\r\n");
                }
                try (RawClient normal = proxy.raw()) {
                    for (int i = 0; i < 5; i++) {
                        RawResponse response = normal.exchange(BackendFaultProxy.GET_HEALTHY);
                        assertThat(response.status())
                                .as("a normal request amid the slowloris")
                                .isEqualTo(200);
                    }
                }
                for (int i = 0; i < slow.size(); i++) {
                    RawResponse response = slow.get(i).readResponse();
                    Duration took = Duration.ofNanos(System.nanoTime() - started.get(i));

                    assertProblem(response, 408);
                    assertThat(response.connectionTokens()).contains("close");
                    assertThat(took)
                            .as("408 after header-timeout")
                            .isGreaterThanOrEqualTo(HEADER_TIMEOUT.minusMillis(100));
                    assertThat(slow.get(i)
                                    .readUntilClose(Duration.ofSeconds(10))
                                    .closedByPeer())
                            .as("connection %d closed after its 408", i)
                            .isTrue();
                }
            } finally {
                for (RawClient client : slow) {
                    client.close();
                }
            }
            assertThat(proxy.healthy().requests().stream().filter(r -> r.path().startsWith("/slowloris")))
                    .as("nothing of a slow head reaches the backend")
                    .isEmpty();
            proxy.assertServesOthers();
        }
    }

    @Test
    @DisplayName(
            "P6: a slowloris second request on a keep-alive connection gets 408 at header-timeout, counted from its first byte")
    void slowSecondHead() throws Exception {
        try (BackendFaultProxy proxy = BackendFaultProxy.start("http://127.0.0.1:1", "", "limits.header-timeout = 1s");
                RawClient client = proxy.raw()) {
            assertThat(client.exchange(BackendFaultProxy.GET_HEALTHY).status()).isEqualTo(200);
            long start = System.nanoTime();
            dribble(
                    client,
                    "GET /slowloris/second HTTP/1.1\r\nHost: api.test\r\nX-Pad: " + "p".repeat(200) + "\r\n\r\n");

            RawResponse response = client.readResponse();

            assertProblem(response, 408);
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .isGreaterThanOrEqualTo(HEADER_TIMEOUT.minusMillis(100));
            assertThat(client.readUntilClose(Duration.ofSeconds(10)).closedByPeer())
                    .isTrue();
            assertThat(proxy.healthy().sawRequestFor("/slowloris/second")).isFalse();
        }
    }

    @Test
    @DisplayName(
            "P6: a head begun behind a request in flight, its lines whole, whose client then stalls, gets 408 at header-timeout from its turn")
    void stalledPipelinedHead() throws Exception {
        try (BackendFaultProxy proxy = BackendFaultProxy.start(
                        "http://127.0.0.1:1", "", "limits.header-timeout = 1s", "limits.idle-timeout = 20s");
                RawClient client = proxy.raw()) {
            proxy.healthy().on("/held", Behaviour.delayed(Duration.ofSeconds(1), Behaviour.echo()));
            client.send("GET /held HTTP/1.1\r\nHost: api.test\r\n\r\n");
            proxy.healthy().awaitRequest("/held");
            // Decoded while the first is in flight: the decoder keeps no byte of it, only its head begun.
            client.send("GET /stalled HTTP/1.1\r\nHost: api.test\r\n");

            assertThat(client.readResponse().status()).isEqualTo(200);
            long answered = System.nanoTime();
            RawResponse response = client.readResponse();

            assertProblem(response, 408);
            assertThat(Duration.ofNanos(System.nanoTime() - answered))
                    .as("timed from its turn, not left to the idle timeout")
                    .isLessThan(Duration.ofSeconds(10));
            assertThat(client.readUntilClose(Duration.ofSeconds(10)).closedByPeer())
                    .isTrue();
            assertThat(proxy.healthy().sawRequestFor("/stalled")).isFalse();
        }
    }

    @Test
    @DisplayName("P6: a head sent slowly but completely within header-timeout is served")
    void slowButInTime() throws Exception {
        try (BackendFaultProxy proxy =
                        BackendFaultProxy.start("http://127.0.0.1:1", "", "limits.header-timeout = 10s");
                RawClient client = proxy.raw()) {
            long start = System.nanoTime();
            // 48 bytes, 4 every 50 ms: about 0.6 s for the whole head.
            dribble(client, "GET /slow-but-fine HTTP/1.1\r\nHost: api.test\r\n\r\n", 4, Duration.ofMillis(50));

            RawResponse response = client.readResponse();

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.header("X-Echo-Uri")).isEqualTo("/slow-but-fine");
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .as("the head really was slow")
                    .isGreaterThan(Duration.ofMillis(400));
        }
    }

    @Test
    @DisplayName(
            "limits.idle-timeout: a connection that never sends a byte is closed at the idle timeout, without a response")
    void silentConnection() throws Exception {
        try (BackendFaultProxy proxy = BackendFaultProxy.start(
                        "http://127.0.0.1:1", "", "limits.header-timeout = 500ms", "limits.idle-timeout = 1500ms");
                RawClient client = proxy.raw()) {
            long start = System.nanoTime();

            RawClient.Received received = client.readUntilClose(Duration.ofSeconds(15));

            assertThat(received.closedByPeer()).as("closed by the proxy").isTrue();
            assertThat(received.bytes())
                    .as("no 408 for a head that never started")
                    .isEmpty();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(1400));
            Await.until("the connection is no longer counted", () -> proxy.clientConnections() == 0);
        }
    }

    /** Sends {@code head} one byte every 100 ms until it is all sent or the connection is closed. */
    private void dribble(RawClient client, String head) {
        dribble(client, head, 1, Duration.ofMillis(100));
    }

    /** Sends {@code head} {@code size} bytes every {@code period}, until it is all sent or the connection closed. */
    private void dribble(RawClient client, String head, int size, Duration period) {
        byte[] bytes = head.getBytes(StandardCharsets.ISO_8859_1);
        AtomicInteger next = new AtomicInteger();
        dribbler.scheduleAtFixedRate(
                () -> {
                    int from = next.getAndAdd(size);
                    if (from >= bytes.length
                            || !client.trySend(Arrays.copyOfRange(bytes, from, Math.min(bytes.length, from + size)))) {
                        throw new CancellationException("done"); // ends the schedule
                    }
                },
                0,
                period.toNanos(),
                TimeUnit.NANOSECONDS);
    }
}
