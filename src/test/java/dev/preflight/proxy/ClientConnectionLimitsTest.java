package dev.preflight.proxy;

import static dev.preflight.testing.ProblemAssertions.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.testing.Await;
import dev.preflight.testing.ProxyHarness;
import dev.preflight.testing.RawClient;
import dev.preflight.testing.RawResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** P6 and {@code limits}: slow heads, too many connections, idle connections. */
@Timeout(60)
class ClientConnectionLimitsTest {

    private static final String GET = "GET /%s HTTP/1.1\r\nHost: api.test\r\n\r\n";

    @Test
    @DisplayName("P6: 408 for a client sending its head one byte every 300 ms past limits.header-timeout, then close")
    void slowHead() throws Exception {
        byte[] head = "GET /slow-head HTTP/1.1\r\nHost: api.test\r\nX-Padding: one byte at a time\r\n\r\n"
                .getBytes(StandardCharsets.ISO_8859_1);
        ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor();
        try (ProxyHarness proxy = ProxyHarness.start("limits.header-timeout = 1s");
                RawClient client = proxy.raw()) {
            AtomicInteger sent = new AtomicInteger();
            writer.scheduleAtFixedRate(
                    () -> {
                        int i = sent.getAndIncrement();
                        if (i >= head.length || !client.trySend(new byte[] {head[i]})) {
                            throw new IllegalStateException("done"); // cancels the schedule
                        }
                    },
                    0,
                    300,
                    TimeUnit.MILLISECONDS);

            RawResponse response = client.readResponse();

            assertProblem(response, 408);
            assertThat(sent.get()).as("bytes sent before the 408").isLessThan(head.length);
            assertThat(client.readUntilClose().closedByPeer()).isTrue();
            assertThat(proxy.backend().requests()).isEmpty();
        } finally {
            writer.shutdownNow();
        }
    }

    @Test
    @DisplayName("limits.max-connections = 2: a third concurrent connection is closed; a slot frees when one closes")
    void maxConnections() throws Exception {
        try (ProxyHarness proxy = ProxyHarness.start("limits.max-connections = 2");
                RawClient second = proxy.raw()) {
            RawClient first = proxy.raw(); // closed halfway through, to free a slot
            assertThat(first.exchange(GET.formatted("first")).status()).isEqualTo(200);
            assertThat(second.exchange(GET.formatted("second")).status()).isEqualTo(200);

            try (RawClient third = proxy.raw()) {
                third.trySend(GET.formatted("third").getBytes(StandardCharsets.ISO_8859_1));
                RawClient.Received received = third.readUntilClose();

                assertThat(received.closedByPeer())
                        .as("the third connection was closed")
                        .isTrue();
                assertThat(received.text()).doesNotContain("200");
            }
            assertThat(proxy.backend().sawRequestFor("/third")).isFalse();

            first.close();
            Await.until("a new connection is served after one of the two closed", () -> {
                try (RawClient fourth = proxy.raw()) {
                    return fourth.exchange(GET.formatted("fourth")).status() == 200;
                } catch (IOException closedByProxy) {
                    return false;
                }
            });
        }
    }

    @Test
    @DisplayName("limits.idle-timeout: an idle keep-alive client connection is closed")
    void idleTimeout() throws Exception {
        try (ProxyHarness proxy = ProxyHarness.start("limits.idle-timeout = 1s");
                RawClient client = proxy.raw()) {
            assertThat(client.exchange(GET.formatted("once")).status()).isEqualTo(200);
            long idleSince = System.nanoTime();

            RawClient.Received received = client.readUntilClose();

            assertThat(received.closedByPeer()).isTrue();
            assertThat(received.bytes()).isEmpty();
            assertThat(Duration.ofNanos(System.nanoTime() - idleSince)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
        }
    }
}
