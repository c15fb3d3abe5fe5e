package dev.preflight.proxy;

import static dev.preflight.testing.ProblemAssertions.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.testing.Behaviour;
import dev.preflight.testing.ProxyHarness;
import dev.preflight.testing.RawClient;
import dev.preflight.testing.RawResponse;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** P6: what the client gets when the backend cannot answer. */
@Timeout(60)
class UpstreamErrorsTest {

    @Test
    @DisplayName("P6: 502 when the backend refuses connections")
    void backendDown() throws Exception {
        try (ProxyHarness proxy = ProxyHarness.withoutBackend("http://127.0.0.1:" + closedPort())) {
            assertProblem(proxy.get("/down"), 502);
        }
    }

    @Test
    @DisplayName("P6: 502 when the backend resets the connection before responding")
    void backendResetsBeforeResponse() throws Exception {
        try (ProxyHarness proxy = ProxyHarness.start()) {
            proxy.backend().on("/reset", Behaviour.resetWithoutResponse());

            assertProblem(proxy.get("/reset"), 502);
        }
    }

    @Test
    @DisplayName("P6: 504 when the backend never answers within upstream.response-timeout")
    void backendNeverAnswers() throws Exception {
        try (ProxyHarness proxy = ProxyHarness.start("upstream.response-timeout = 1s")) {
            proxy.backend().on("/never", Behaviour.neverAnswer());
            long start = System.nanoTime();

            assertProblem(proxy.get("/never"), 504);
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .as("time until 504")
                    .isGreaterThanOrEqualTo(Duration.ofMillis(900));
        }
    }

    @Test
    @DisplayName("P6: 503 when the pool is exhausted and no connection frees up within acquire-timeout")
    void poolExhausted() throws Exception {
        try (ProxyHarness proxy = ProxyHarness.start(
                        "upstream.max-connections = 1",
                        "upstream.acquire-timeout = 500ms",
                        "upstream.response-timeout = 20s");
                RawClient hanging = proxy.raw();
                RawClient waiting = proxy.raw()) {
            proxy.backend().on("/hang", Behaviour.neverAnswer());
            hanging.send("GET /hang HTTP/1.1\r\nHost: api.test\r\n\r\n");
            proxy.backend().awaitRequest("/hang");

            RawResponse response = waiting.exchange("GET /other HTTP/1.1\r\nHost: api.test\r\n\r\n");

            assertProblem(response, 503);
            assertThat(proxy.backend().requestsTo("/other")).isEmpty();
        }
    }

    @Test
    @DisplayName("P6: after a 502 the client connection either serves the next request or says close and closes")
    void recoversAfterBackendError() throws Exception {
        try (ProxyHarness proxy = ProxyHarness.start();
                RawClient client = proxy.raw()) {
            proxy.backend().on("/reset", Behaviour.resetWithoutResponse());

            RawResponse failed = client.exchange("GET /reset HTTP/1.1\r\nHost: api.test\r\n\r\n");
            assertProblem(failed, 502);
            if (failed.connectionTokens().contains("close")) {
                assertThat(client.readUntilClose().closedByPeer()).isTrue();
                return;
            }
            RawResponse next = client.exchange("GET /fine HTTP/1.1\r\nHost: api.test\r\n\r\n");
            assertThat(next.status()).isEqualTo(200);
        }
    }

    /** A port that was just bound and released: nothing listens there. */
    private static int closedPort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
