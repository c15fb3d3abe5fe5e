package dev.preflight.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.preflight.config.ConfigLoader;
import dev.preflight.testing.Await;
import dev.preflight.testing.ProxyHarness;
import dev.preflight.testing.RawClient;
import dev.preflight.testing.RawResponse;
import dev.preflight.testing.RecordedRequest;
import dev.preflight.testing.WebSocketBackend;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * P7: WebSocket handshakes are tunnelled to a real WebSocket backend and back, with the JDK's own
 * WebSocket client, after an {@code Origin} check that CORS alone would not make.
 */
@Timeout(60)
class WebSocketTunnelTest {
    private static final String APP = "https://app.example.com";

    private final WebSocketBackend backend;
    private ProxyHarness proxy;

    WebSocketTunnelTest() throws InterruptedException {
        backend = WebSocketBackend.start();
    }

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        backend.close();
    }

    private void startProxy(String... settings) throws Exception {
        String[] all = new String[settings.length + 1];
        all[0] = "cors.allowed-origins = [\"" + APP + "\"]";
        System.arraycopy(settings, 0, all, 1, settings.length);
        proxy = ProxyHarness.withoutBackend(backend.url(), all);
    }

    @Test
    @DisplayName("P7: an allowed origin's socket is tunnelled both ways, the backend's first frame included")
    void tunnelsBothWays() throws Exception {
        startProxy();
        Frames frames = new Frames();
        WebSocket socket = connect(APP, frames);

        assertThat(frames.nextText()).isEqualTo(WebSocketBackend.WELCOME);
        socket.sendText("hello through the proxy", true).join();
        assertThat(frames.nextText()).isEqualTo("hello through the proxy");

        byte[] big = new byte[1 << 20];
        new Random(7).nextBytes(big);
        socket.sendBinary(ByteBuffer.wrap(big), true).join();
        assertThat(frames.nextBinary(big.length)).isEqualTo(big);

        RecordedRequest handshake = backend.handshakes().getFirst();
        assertThat(handshake.header("Origin")).isEqualTo(APP);
        assertThat(handshake.header("Upgrade")).isEqualToIgnoringCase("websocket");
        assertThat(handshake.header("Connection")).containsIgnoringCase("upgrade");
        assertThat(handshake.header("Sec-WebSocket-Key")).isNotBlank();
        assertThat(handshake.header("X-Forwarded-For")).isEqualTo("127.0.0.1");
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").join();
        Await.until("the backend connection to close", () -> backend.openConnections() == 0);
    }

    @Test
    @DisplayName("P7, C7: a disallowed origin gets 403 (Vary: Origin) and never reaches the backend, even with"
            + " disallowed-origin = forward")
    void disallowedOrigin() throws Exception {
        startProxy("cors.disallowed-origin = forward");
        assertThatThrownBy(() -> connect("https://evil.example.net", new Frames()))
                .isInstanceOf(CompletionException.class)
                .cause()
                .isInstanceOfSatisfying(WebSocketHandshakeException.class, e -> {
                    assertThat(e.getResponse().statusCode()).isEqualTo(403);
                    // C7: the answer depends on the Origin, as a refused request's 403 does
                    assertThat(e.getResponse().headers().allValues("Vary")).containsExactly("Origin");
                });
        assertThat(backend.handshakes()).isEmpty();
        assertThat(backend.plainRequests()).isZero();
    }

    @Test
    @DisplayName("P7: a same-origin page (Origin = the proxy's own origin) always passes")
    void sameOriginPasses() throws Exception {
        startProxy();
        Frames frames = new Frames();
        WebSocket socket = connect("http://" + proxy.authority(), frames);
        assertThat(frames.nextText()).isEqualTo(WebSocketBackend.WELCOME);
        socket.abort();
    }

    @Test
    @DisplayName("P7: a client that sends no Origin (not a browser) passes, as for C1")
    void noOriginPasses() throws Exception {
        startProxy();
        Frames frames = new Frames();
        WebSocket socket = connect(null, frames);
        assertThat(frames.nextText()).isEqualTo(WebSocketBackend.WELCOME);
        socket.abort();
        Await.until("the backend connection to close after the client aborts", () -> backend.openConnections() == 0);
    }

    @Test
    @DisplayName("P7: on a route with CORS disabled the proxy does not check the origin")
    void corsDisabledRoute() throws Exception {
        startProxy("routes = [{ name = sockets, path-prefix = \"/ws\", cors.enabled = false }]");
        Frames frames = new Frames();
        WebSocket socket = connect("https://evil.example.net", frames);
        assertThat(frames.nextText()).isEqualTo(WebSocketBackend.WELCOME);
        socket.abort();
    }

    @Test
    @DisplayName("C13/P7: in report-only mode a disallowed origin's handshake is forwarded (and logged)")
    void reportOnlyForwards() throws Exception {
        startProxy("cors.mode = report-only");
        Frames frames = new Frames();
        WebSocket socket = connect("https://evil.example.net", frames);
        assertThat(frames.nextText()).isEqualTo(WebSocketBackend.WELCOME);
        socket.abort();
    }

    @Test
    @DisplayName("C13/P7: in report-only mode handshakes are compared too: the backend's 101 to a disallowed origin is"
            + " would-reject, to an allowed one agree (found by probing: they were not counted)")
    void reportOnlyCountsHandshakes() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ProxyServer server = ProxyServer.start(
                ConfigLoader.parse(
                        ProxyHarness.hocon(
                                backend.url(), 0, "cors { allowed-origins = [\"" + APP + "\"], mode = report-only }"),
                        Map.of()),
                registry);
        try {
            for (String origin : List.of("https://evil.example.net", APP)) {
                try (RawClient client = RawClient.connect(server.address())) {
                    RawResponse switched = client.exchange(handshake(WebSocketBackend.PATH, origin));
                    assertThat(switched.status()).as(origin).isEqualTo(101);
                }
            }
            Await.until(
                    "both handshakes compared",
                    () -> reportOnly(registry, "would-reject") == 1 && reportOnly(registry, "agree") == 1);
        } finally {
            server.close();
        }
    }

    private static double reportOnly(SimpleMeterRegistry registry, String result) {
        var counter =
                registry.find(ProxyMetrics.REPORT_ONLY).tag("result", result).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    @DisplayName(
            "F4/P7: a handshake fetch metadata refuses says so in its 403, not 'origin not allowed' (its origin is)")
    void fetchMetadataRefusalOfAHandshakeSaysWhy() throws Exception {
        startProxy("fetch-metadata.enabled = true");
        try (RawClient client = proxy.raw()) {
            RawResponse refused = client.exchange(handshake(WebSocketBackend.PATH, APP)
                    .replace("\r\n\r\n", "\r\nSec-Fetch-Site: cross-site\r\nSec-Fetch-Mode: no-cors\r\n\r\n"));

            assertThat(refused.status()).isEqualTo(403);
            assertThat(refused.bodyText())
                    .contains("cross-site requests of this kind are not accepted (fetch-metadata: site=cross-site")
                    .doesNotContain("origin not allowed");
        }
    }

    @Test
    @DisplayName("P7: a backend that refuses the upgrade has its answer relayed, and the connection stays HTTP")
    void refusedUpgrade() throws Exception {
        startProxy();
        try (RawClient client = proxy.raw()) {
            RawResponse refused = client.exchange(handshake("/elsewhere", APP));
            assertThat(refused.status()).isEqualTo(404);
            assertThat(refused.header("Upgrade")).isNull();
            RawResponse next = client.exchange("GET /elsewhere/again HTTP/1.1\r\nHost: api.test\r\n\r\n");
            assertThat(next.status()).isEqualTo(404);
        }
        assertThat(backend.plainRequests()).isEqualTo(2);
    }

    @Test
    @DisplayName("P3/P7: Upgrade on anything but a bodiless GET handshake is stripped, never tunnelled")
    void upgradeWithBodyIsNotTunnelled() throws Exception {
        startProxy();
        try (RawClient client = proxy.raw()) {
            RawResponse response = client.exchange("POST /ws HTTP/1.1\r\n"
                    + "Host: api.test\r\n"
                    + "Origin: " + APP + "\r\n"
                    + "Connection: Upgrade\r\n"
                    + "Upgrade: websocket\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\n"
                    + "Content-Length: 5\r\n"
                    + "\r\n"
                    + "hello");
            assertThat(response.status()).isNotEqualTo(101);
        }
        RecordedRequest received = Await.value(
                "the POST at the backend",
                () -> backend.handshakes().stream().findFirst().orElse(null));
        assertThat(received.headerNames()).doesNotContain("upgrade");
    }

    @Test
    @DisplayName("P7: a tunnel with no traffic either way closes after limits.idle-timeout, both sides")
    void idleTunnelCloses() throws Exception {
        startProxy("limits.idle-timeout = 300ms");
        try (RawClient client = proxy.raw()) {
            client.send(handshake(WebSocketBackend.PATH, APP));
            RawClient.Received received = client.readUntilClose(Duration.ofSeconds(20));
            assertThat(received.closedByPeer()).isTrue();
            assertThat(received.text()).startsWith("HTTP/1.1 101 ").contains(WebSocketBackend.WELCOME);
        }
        Await.until("the backend connection to close", () -> backend.openConnections() == 0);
    }

    private static String handshake(String path, String origin) {
        return "GET " + path + " HTTP/1.1\r\n"
                + "Host: api.test\r\n"
                + "Origin: " + origin + "\r\n"
                + "Connection: Upgrade\r\n"
                + "Upgrade: websocket\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Sec-WebSocket-Version: 13\r\n"
                + "\r\n";
    }

    private WebSocket connect(String origin, Frames frames) {
        WebSocket.Builder builder = proxy.http().newWebSocketBuilder().connectTimeout(Await.PATIENCE);
        if (origin != null) {
            builder.header("Origin", origin);
        }
        URI uri = URI.create("ws://" + proxy.authority() + WebSocketBackend.PATH);
        return builder.buildAsync(uri, frames).join();
    }

    /** Collects whole messages as they arrive. */
    private static final class Frames implements WebSocket.Listener {
        private final BlockingQueue<Object> messages = new LinkedBlockingQueue<>();
        private final StringBuilder text = new StringBuilder();
        private final java.io.ByteArrayOutputStream binary = new java.io.ByteArrayOutputStream();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                messages.add(text.toString());
                text.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            binary.writeBytes(bytes);
            if (last) {
                messages.add(binary.toByteArray());
                binary.reset();
            }
            webSocket.request(1);
            return null;
        }

        String nextText() throws InterruptedException {
            return (String) next();
        }

        byte[] nextBinary(int expectedLength) throws InterruptedException {
            byte[] bytes = (byte[]) next();
            assertThat(bytes).hasSize(expectedLength);
            return bytes;
        }

        private Object next() throws InterruptedException {
            Object message = messages.poll(Await.PATIENCE.toSeconds(), TimeUnit.SECONDS);
            assertThat(message).as("a message within %s", Await.PATIENCE).isNotNull();
            return message;
        }
    }
}
