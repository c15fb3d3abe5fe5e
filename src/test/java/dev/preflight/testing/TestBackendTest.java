package dev.preflight.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.testing.BackendExchange.Framing;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The test backend itself, talked to directly: if these fail, proxy test failures mean nothing. */
@Timeout(60)
class TestBackendTest {

    TestBackend backend;
    HttpClient http;

    @BeforeEach
    void start() throws Exception {
        backend = TestBackend.start();
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterEach
    void stop() {
        http.shutdownNow();
        backend.close();
    }

    @Test
    @DisplayName("echo returns the request body and records the request")
    void echo() throws Exception {
        byte[] body = PatternBytes.bytes(100_000);
        HttpResponse<byte[]> response = http.send(
                HttpRequest.newBuilder(uri("/e?q=1"))
                        .PUT(BodyPublishers.ofByteArray(body))
                        .build(),
                BodyHandlers.ofByteArray());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(body);
        assertThat(response.headers().firstValue("X-Echo-Uri")).hasValue("/e?q=1");
        RecordedRequest recorded = backend.awaitRequest("/e");
        assertThat(recorded.method()).isEqualTo("PUT");
        assertThat(recorded.bodySha256()).isEqualTo(PatternBytes.sha256Hex(100_000));
        assertThat(recorded.connectionId()).isEqualTo(1);
        assertThat(backend.connectionsAccepted()).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(Framing.class)
    @DisplayName("stream sends the pattern")
    void stream(Framing framing) throws Exception {
        int length = 5 * 1024 * 1024 + 3;
        backend.on("/s", Behaviour.stream(length, framing));
        HttpResponse<byte[]> response =
                http.send(HttpRequest.newBuilder(uri("/s")).build(), BodyHandlers.ofByteArray());

        assertThat(response.body()).isEqualTo(PatternBytes.bytes(length));
    }

    @Test
    @DisplayName("pipelined requests are answered in order even when the first is slow")
    void pipelining() throws Exception {
        backend.on("/slow", Behaviour.delayed(Duration.ofMillis(200), Behaviour.echo()));
        try (RawClient client = RawClient.connect(new InetSocketAddress("127.0.0.1", backend.port()))) {
            client.send("GET /slow HTTP/1.1\r\nHost: b\r\n\r\nGET /fast HTTP/1.1\r\nHost: b\r\n\r\n");
            assertThat(client.readResponse().header("X-Echo-Uri")).isEqualTo("/slow");
            assertThat(client.readResponse().header("X-Echo-Uri")).isEqualTo("/fast");
        }
    }

    @ParameterizedTest
    @EnumSource(Framing.class)
    @DisplayName("resetAfterPartialBody sends part of the body, then resets")
    void resetAfterPartialBody(Framing framing) throws Exception {
        backend.on("/cut", Behaviour.resetAfterPartialBody(framing, 100_000, 1000));
        try (RawClient client = RawClient.connect(new InetSocketAddress("127.0.0.1", backend.port()))) {
            client.send("GET /cut HTTP/1.1\r\nHost: b\r\n\r\n");
            RawResponse response = client.readResponse();

            assertThat(response.complete()).isFalse();
            assertThat(response.body()).isEqualTo(PatternBytes.bytes(1000));
        }
    }

    private URI uri(String path) {
        return URI.create(backend.url() + path);
    }
}
