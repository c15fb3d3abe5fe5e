package dev.preflight.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.testing.Await;
import dev.preflight.testing.PatternBytes;
import dev.preflight.testing.RawClient;
import dev.preflight.testing.RawResponse;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * P1 and P2: a client that goes away mid-exchange. The backend connection then carries half an
 * exchange (part of a request body, or a response nobody will read), so the proxy closes it at once
 * rather than returning it to the pool, and the next request gets a fresh one.
 */
@Timeout(60)
class SlowClientGoneTest {

    /** Long, so that a backend connection closed in time was closed because the client left. */
    private static final String FAULT_UPSTREAM = "response-timeout = 30s";

    private static final String GET_AFTER = "GET /fault/after HTTP/1.1\r\nHost: api.test\r\n\r\n";

    @ParameterizedTest(
            name =
                    "P2: a client that disconnects mid-upload (reset = {0}): the backend connection is closed, not reused")
    @ValueSource(booleans = {false, true})
    void disconnectMidUpload(boolean reset) throws Exception {
        try (BackendFaultServer backend =
                        BackendFaultServer.start().on("/fault/upload", BackendFaultServer.readBodyThenOk());
                BackendFaultProxy proxy = BackendFaultProxy.start(backend.url(), FAULT_UPSTREAM)) {
            Socket client = connect(proxy);
            send(client, "POST /fault/upload HTTP/1.1\r\nHost: api.test\r\nContent-Length: 1000000\r\n\r\n");
            client.getOutputStream().write(PatternBytes.bytes(64 * 1024));
            backend.awaitRequest("/fault/upload");
            long leftAt = System.nanoTime();
            leave(client, reset);

            backend.awaitClosedByProxy(1);

            assertThat(Duration.ofNanos(System.nanoTime() - leftAt))
                    .as("closed because the client left, not at the response timeout")
                    .isLessThan(Duration.ofSeconds(10));
            assertNextRequestOnFreshConnection(proxy, 2);
        }
    }

    @ParameterizedTest(
            name =
                    "P1: a client that disconnects while the backend works (reset = {0}): the backend connection is closed, not reused")
    @ValueSource(booleans = {false, true})
    void disconnectWhileBackendWorks(boolean reset) throws Exception {
        try (BackendFaultServer backend =
                        BackendFaultServer.start().on("/fault/slow", BackendFaultServer.neverAnswer());
                BackendFaultProxy proxy = BackendFaultProxy.start(backend.url(), FAULT_UPSTREAM)) {
            Socket client = connect(proxy);
            send(client, "GET /fault/slow HTTP/1.1\r\nHost: api.test\r\n\r\n");
            backend.awaitRequest("/fault/slow");
            long leftAt = System.nanoTime();
            leave(client, reset);

            backend.awaitClosedByProxy(1);

            assertThat(Duration.ofNanos(System.nanoTime() - leftAt)).isLessThan(Duration.ofSeconds(10));
            assertNextRequestOnFreshConnection(proxy, 2);
        }
    }

    @ParameterizedTest(
            name =
                    "P2: a client that disconnects mid-download (reset = {0}): the backend connection is closed, not reused")
    @ValueSource(booleans = {false, true})
    void disconnectMidDownload(boolean reset) throws Exception {
        try (BackendFaultServer backend =
                        BackendFaultServer.start().on("/fault/big", BackendFaultServer.stream(64L * 1024 * 1024));
                BackendFaultProxy proxy = BackendFaultProxy.start(backend.url(), FAULT_UPSTREAM)) {
            Socket client = connect(proxy);
            send(client, "GET /fault/big HTTP/1.1\r\nHost: api.test\r\n\r\n");
            byte[] some = client.getInputStream().readNBytes(256 * 1024); // the head and some of the body
            assertThat(new String(some, 0, 12, StandardCharsets.ISO_8859_1)).isEqualTo("HTTP/1.1 200");
            leave(client, reset);

            backend.awaitEnded(1);

            assertThat(backend.bodyBytesSent()).as("the backend stopped early").isLessThan(64L * 1024 * 1024);
            assertNextRequestOnFreshConnection(proxy, 2);
        }
    }

    @Test
    @DisplayName(
            "P6: a client that leaves while its request waits for a pool connection: its request never reaches the backend and the pool recovers")
    void disconnectWhileWaitingForThePool() throws Exception {
        try (BackendFaultServer backend =
                        BackendFaultServer.start().on("/fault/hold", BackendFaultServer.neverAnswer());
                BackendFaultProxy proxy = BackendFaultProxy.start(
                        backend.url(), "response-timeout = 30s, max-connections = 1, acquire-timeout = 30s")) {
            try (RawClient holder = proxy.raw();
                    RawClient waiter = proxy.raw()) {
                holder.send("GET /fault/hold HTTP/1.1\r\nHost: api.test\r\n\r\n");
                backend.awaitRequest("/fault/hold");
                waiter.send("GET /fault/waiting HTTP/1.1\r\nHost: api.test\r\n\r\n");
                Await.until("the second request waits for the pool", () -> proxy.upstreamPending() == 1);

                waiter.close();
                holder.close();
            }
            backend.awaitClosedByProxy(1);

            proxy.awaitUpstreamQuiet();
            try (RawClient next = proxy.raw()) {
                RawResponse after = next.exchange(GET_AFTER);
                assertThat(after.status()).as("%s", after).isEqualTo(200);
            }
            assertThat(backend.requestsTo("/fault/waiting"))
                    .as("the request of a client that left never reaches the backend")
                    .isEmpty();
            proxy.assertServesOthers();
        }
    }

    private static void assertNextRequestOnFreshConnection(BackendFaultProxy proxy, int expectedConnection)
            throws IOException {
        proxy.awaitUpstreamQuiet();
        try (RawClient next = proxy.raw()) {
            RawResponse after = next.exchange(GET_AFTER);
            assertThat(after.status()).as("%s", after).isEqualTo(200);
            assertThat(after.header("X-Connection"))
                    .as("the next request on a fresh backend connection")
                    .isEqualTo(Integer.toString(expectedConnection));
        }
        proxy.assertServesOthers();
    }

    private static Socket connect(BackendFaultProxy proxy) throws IOException {
        Socket socket = new Socket();
        socket.setSoTimeout(20_000);
        socket.connect(proxy.address(), 10_000);
        return socket;
    }

    private static void send(Socket client, String text) throws IOException {
        client.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Closes the client's connection: a FIN, or a reset (SO_LINGER 0). */
    private static void leave(Socket client, boolean reset) throws IOException {
        if (reset) {
            client.setSoLinger(true, 0);
        }
        client.close();
    }
}
