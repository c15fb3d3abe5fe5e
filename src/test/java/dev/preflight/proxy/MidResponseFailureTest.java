package dev.preflight.proxy;

import static dev.preflight.testing.BytesAssertions.assertSameBytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.preflight.testing.BackendExchange.Framing;
import dev.preflight.testing.Behaviour;
import dev.preflight.testing.PatternBytes;
import dev.preflight.testing.ProxyHarness;
import dev.preflight.testing.RawClient;
import dev.preflight.testing.RawResponse;
import java.io.IOException;
import java.net.http.HttpResponse.BodyHandlers;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * P6: a backend that dies mid-response gets its bytes forwarded and the client connection closed,
 * never a clean-looking end.
 */
@Timeout(60)
class MidResponseFailureTest {

    private static final int SENT = 1000;
    private static final long DECLARED = 100_000;

    @AutoClose
    ProxyHarness proxy;

    @BeforeEach
    void start() throws Exception {
        proxy = ProxyHarness.start();
        proxy.backend()
                .on("/cut/length", Behaviour.resetAfterPartialBody(Framing.CONTENT_LENGTH, DECLARED, SENT))
                .on("/cut/chunked", Behaviour.resetAfterPartialBody(Framing.CHUNKED, 0, SENT));
    }

    @Test
    @DisplayName(
            "P6: a Content-Length response cut short: the client gets the bytes, then EOF before the declared length")
    void contentLengthResponseCutShort() throws Exception {
        try (RawClient client = proxy.raw()) {
            client.send("GET /cut/length HTTP/1.1\r\nHost: api.test\r\n\r\n");
            RawResponse response = client.readResponse();

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.complete())
                    .as("complete-looking response:\n%s", response)
                    .isFalse();
            assertSameBytes(response.body(), PatternBytes.bytes(SENT));
            if (response.framing() == RawResponse.Framing.CONTENT_LENGTH) {
                assertThat(response.header("Content-Length")).isEqualTo(Long.toString(DECLARED));
            }
            assertThat(client.readUntilClose().closedByPeer()).isTrue();
        }
    }

    @Test
    @DisplayName("P6: a chunked response cut short: the client gets the bytes, then EOF without the last chunk")
    void chunkedResponseCutShort() throws Exception {
        try (RawClient client = proxy.raw()) {
            client.send("GET /cut/chunked HTTP/1.1\r\nHost: api.test\r\n\r\n");
            RawResponse response = client.readResponse();

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.framing()).isEqualTo(RawResponse.Framing.CHUNKED);
            assertThat(response.complete())
                    .as("response ended with 0\\r\\n\\r\\n:\n%s", response)
                    .isFalse();
            assertSameBytes(response.body(), PatternBytes.bytes(SENT));
            assertThat(client.readUntilClose().closedByPeer()).isTrue();
        }
    }

    @Test
    @DisplayName("P6: to the JDK client a response cut short is an error, not a short body")
    void jdkClientSeesAnError() {
        for (String path : new String[] {"/cut/length", "/cut/chunked"}) {
            assertThatThrownBy(() -> proxy.http().send(proxy.request(path).build(), BodyHandlers.ofByteArray()))
                    .as(path)
                    .isInstanceOf(IOException.class);
        }
    }
}
