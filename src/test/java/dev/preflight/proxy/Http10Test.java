package dev.preflight.proxy;

import static dev.preflight.testing.BytesAssertions.assertSameBytes;
import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.testing.BackendExchange.Framing;
import dev.preflight.testing.Behaviour;
import dev.preflight.testing.PatternBytes;
import dev.preflight.testing.ProxyHarness;
import dev.preflight.testing.RawClient;
import dev.preflight.testing.RawResponse;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** P1: HTTP/1.0 clients. */
@Timeout(60)
class Http10Test {

    private static final int LENGTH = 200_000;

    @AutoClose
    ProxyHarness proxy;

    @BeforeEach
    void start() throws Exception {
        proxy = ProxyHarness.start();
        proxy.backend().on("/chunked", Behaviour.stream(LENGTH, Framing.CHUNKED));
    }

    @Test
    @DisplayName("P1: an HTTP/1.0 request without keep-alive gets its response, then the connection closes")
    void http10WithoutKeepAlive() throws Exception {
        try (RawClient client = proxy.raw()) {
            RawResponse response = client.exchange("GET /old HTTP/1.0\r\nHost: api.test\r\n\r\n");

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.complete()).isTrue();
            assertThat(response.header("X-Echo-Uri")).isEqualTo("/old");
            assertThat(client.readUntilClose().closedByPeer()).isTrue();
        }
    }

    @Test
    @DisplayName("P1: an HTTP/1.0 request with a body reaches the backend intact")
    void http10WithBody() throws Exception {
        try (RawClient client = proxy.raw()) {
            RawResponse response =
                    client.exchange("POST /old-post HTTP/1.0\r\nHost: api.test\r\nContent-Length: 4\r\n\r\nold!");

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.bodyText()).isEqualTo("old!");
        }
        assertThat(proxy.backend().awaitRequest("/old-post").bodyText()).isEqualTo("old!");
    }

    @Test
    @DisplayName("P1: a chunked backend response reaches an HTTP/1.0 client un-chunked")
    void chunkedResponseToHttp10Client() throws Exception {
        try (RawClient client = proxy.raw()) {
            RawResponse response = client.exchange("GET /chunked HTTP/1.0\r\nHost: api.test\r\n\r\n");

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.headers("Transfer-Encoding"))
                    .as("Transfer-Encoding to a 1.0 client")
                    .isEmpty();
            assertThat(response.complete()).as("a cleanly delimited body").isTrue();
            assertSameBytes(response.body(), PatternBytes.bytes(LENGTH));
            assertThat(client.readUntilClose().closedByPeer()).isTrue();
        }
    }
}
