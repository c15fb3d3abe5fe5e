package dev.preflight.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.testing.Await;
import dev.preflight.testing.RawClient;
import dev.preflight.testing.RawResponse;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * P1 and P6: pooled keep-alive connections that the backend closes while they sit idle, the race
 * every keep-alive pool meets. The pool listens on its idle connections, so a close is noticed at
 * once and the next request, even one that could not be retried, gets a fresh connection; a close
 * that crosses a request in flight is retried for an idempotent request. No client ever sees a 502
 * for it. {@code dev.preflight.proxy.UpstreamRetryTest} has the retry rules themselves.
 */
@Timeout(60)
class BackendFaultIdleCloseTest {

    private static final String FAULT_UPSTREAM = "response-timeout = 5s";

    @ParameterizedTest(
            name =
                    "P6: the backend closes an idle pooled connection (reset = {0}): a POST after it gets a fresh connection, not a 502")
    @ValueSource(booleans = {false, true})
    void closedWhileIdle(boolean reset) throws Exception {
        CountDownLatch idle = new CountDownLatch(1);
        try (BackendFaultServer backend =
                        BackendFaultServer.start().on("/fault/first", BackendFaultServer.okThenCloseWhen(idle, reset));
                BackendFaultProxy proxy = BackendFaultProxy.start(backend.url(), FAULT_UPSTREAM);
                RawClient client = proxy.raw()) {
            RawResponse first = client.exchange("GET /fault/first HTTP/1.1\r\nHost: api.test\r\n\r\n");
            assertThat(first.status()).isEqualTo(200);
            assertThat(first.header("X-Connection")).isEqualTo("1");
            Await.until("the connection is back in the pool", () -> proxy.upstreamIdle() == 1);

            idle.countDown();
            backend.awaitEnded(1);
            Await.until("the pool noticed the close", () -> proxy.upstreamIdle() == 0 && proxy.upstreamInUse() == 0);

            // A POST is never retried: it only succeeds if the dead connection was not lent again.
            RawResponse second =
                    client.exchange("POST /fault/second HTTP/1.1\r\nHost: api.test\r\nContent-Length: 5\r\n\r\nhello");

            assertThat(second.status()).as("%s", second).isEqualTo(200);
            assertThat(second.header("X-Connection")).isEqualTo("2");
            assertThat(backend.requests())
                    .as("no request was sent on the dead connection")
                    .hasSize(2);
            assertThat(proxy.upstreamErrors("reset")).isZero();
            proxy.assertServesOthers();
        }
    }

    @Test
    @DisplayName(
            "P6: a backend that closes every connection right after its response, unannounced: 100 GETs in a row all get 200")
    void closesAfterEveryResponse() throws Exception {
        try (BackendFaultServer backend = BackendFaultServer.start().on("/fault/", BackendFaultServer.okThenClose());
                BackendFaultProxy proxy = BackendFaultProxy.start(backend.url(), FAULT_UPSTREAM);
                RawClient client = proxy.raw()) {
            Set<String> connections = new HashSet<>();
            for (int i = 0; i < 100; i++) {
                RawResponse response = client.exchange("GET /fault/" + i + " HTTP/1.1\r\nHost: api.test\r\n\r\n");
                assertThat(response.status()).as("request %d:\n%s", i, response).isEqualTo(200);
                connections.add(response.header("X-Connection"));
            }
            assertThat(connections)
                    .as("every answer on its own backend connection")
                    .hasSize(100);
            proxy.awaitUpstreamQuiet();
            proxy.assertServesOthers();
        }
    }

    @Test
    @DisplayName(
            "upstream.idle-timeout: the proxy closes its own idle pooled connections, and the next request opens a new one")
    void proxyClosesIdleConnections() throws Exception {
        try (BackendFaultServer backend = BackendFaultServer.start();
                BackendFaultProxy proxy = BackendFaultProxy.start(backend.url(), "idle-timeout = 300ms");
                RawClient client = proxy.raw()) {
            RawResponse first = client.exchange("GET /fault/first HTTP/1.1\r\nHost: api.test\r\n\r\n");
            assertThat(first.header("X-Connection")).isEqualTo("1");

            backend.awaitClosedByProxy(1);
            Await.until("the pool dropped it", () -> proxy.upstreamIdle() == 0);

            RawResponse second = client.exchange("GET /fault/second HTTP/1.1\r\nHost: api.test\r\n\r\n");
            assertThat(second.status()).isEqualTo(200);
            assertThat(second.header("X-Connection")).isEqualTo("2");
        }
    }
}
