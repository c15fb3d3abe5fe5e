package dev.preflight.proxy;

import static dev.preflight.testing.ProblemAssertions.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.testing.ProxyHarness;
import dev.preflight.testing.RawClient;
import dev.preflight.testing.RawResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * P6: requests over {@code limits} or malformed get the proxy's own problem response, never reach the
 * backend, and cost the client its connection.
 */
@Timeout(60)
class RequestLimitsTest {

    @AutoClose
    ProxyHarness proxy;

    @BeforeEach
    void start() throws Exception {
        proxy = ProxyHarness.start(
                "limits.max-body-size = 1k", "limits.max-initial-line = 1k", "limits.max-header-size = 2k");
    }

    @Test
    @DisplayName("P6: 413 for a Content-Length over limits.max-body-size, and the connection closes")
    void declaredBodyTooLarge() throws Exception {
        try (RawClient client = proxy.raw()) {
            client.send("POST /big HTTP/1.1\r\nHost: api.test\r\nContent-Length: 2000\r\n\r\n");
            client.trySend(new byte[2000]);

            assertProblem(client.readResponse(), 413);
            assertThat(client.readUntilClose().closedByPeer()).isTrue();
        }
        assertThat(proxy.backend().sawRequestFor("/big"))
                .as("the backend saw /big")
                .isFalse();
    }

    @Test
    @DisplayName("P6: 413 for a chunked upload that grows past limits.max-body-size, and the connection closes")
    void chunkedBodyGrowsTooLarge() throws Exception {
        String chunk = "200\r\n" + "x".repeat(0x200) + "\r\n";
        try (RawClient client = proxy.raw()) {
            client.send("POST /growing HTTP/1.1\r\nHost: api.test\r\nTransfer-Encoding: chunked\r\n\r\n");
            for (int i = 0; i < 4; i++) {
                client.trySend(chunk.getBytes(StandardCharsets.ISO_8859_1));
            }

            assertProblem(client.readResponse(), 413);
            assertThat(client.readUntilClose().closedByPeer()).isTrue();
        }
        assertThat(proxy.backend().requestsTo("/growing"))
                .as("complete requests for /growing at the backend")
                .isEmpty();
    }

    @Test
    @DisplayName("P6: a body exactly at limits.max-body-size is forwarded")
    void bodyAtTheLimit() throws Exception {
        try (RawClient client = proxy.raw()) {
            RawResponse response = client.exchange(
                    "POST /exact HTTP/1.1\r\nHost: api.test\r\nContent-Length: 1024\r\n\r\n" + "y".repeat(1024));

            assertThat(response.status()).isEqualTo(200);
        }
        assertThat(proxy.backend().awaitRequest("/exact").bodyLength()).isEqualTo(1024);
    }

    @Test
    @DisplayName("P6: 414 for a request line over limits.max-initial-line, and the connection closes")
    void requestLineTooLong() throws Exception {
        try (RawClient client = proxy.raw()) {
            client.send("GET /" + "a".repeat(2000) + " HTTP/1.1\r\nHost: api.test\r\n\r\n");

            assertProblem(client.readResponse(), 414);
            assertThat(client.readUntilClose().closedByPeer()).isTrue();
        }
        assertThat(proxy.backend().requests()).isEmpty();
    }

    @Test
    @DisplayName("P6: 431 for more header fields than limits.max-header-count, also while the head is still coming"
            + " (a head of tiny fields held 22 times its bytes); the limit itself passes")
    void tooManyHeaderFields() throws Exception {
        proxy.close();
        proxy = ProxyHarness.start("limits.max-header-count = 20");
        try (RawClient client = proxy.raw()) {
            RawResponse atLimit =
                    client.exchange("GET /fields HTTP/1.1\r\nHost: api.test\r\n" + "a:\r\n".repeat(19) + "\r\n");
            assertThat(atLimit.status()).as("Host and 19 more: 20").isEqualTo(200);
        }
        try (RawClient client = proxy.raw()) {
            client.send("GET /fields HTTP/1.1\r\nHost: api.test\r\n" + "a:\r\n".repeat(20) + "\r\n");

            RawResponse tooMany = client.readResponse();
            assertProblem(tooMany, 431);
            assertThat(tooMany.bodyText()).contains("the request has more than 20 header fields");
            assertThat(client.readUntilClose().closedByPeer()).isTrue();
        }
        try (RawClient client = proxy.raw()) {
            client.send("GET /fields HTTP/1.1\r\nHost: api.test\r\n" + "a:\r\n".repeat(1000)); // no end yet

            assertProblem(client.readResponse(), 431);
        }
        try (RawClient client = proxy.raw()) {
            client.send("POST /fields HTTP/1.1\r\nHost: api.test\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n"
                    + "t:\r\n".repeat(21) + "\r\n");

            RawResponse trailers = client.readResponse();
            assertProblem(trailers, 431);
            assertThat(trailers.bodyText()).contains("the request's trailers has more than 20 header fields");
        }
        assertThat(proxy.backend().requests())
                .as("only the one at the limit answered")
                .hasSize(1);
    }

    @Test
    @DisplayName("P6: 431 for headers over limits.max-header-size, and the connection closes")
    void headersTooLarge() throws Exception {
        try (RawClient client = proxy.raw()) {
            client.send("GET /headers HTTP/1.1\r\nHost: api.test\r\nX-Big: " + "b".repeat(3000) + "\r\n\r\n");

            assertProblem(client.readResponse(), 431);
            assertThat(client.readUntilClose().closedByPeer()).isTrue();
        }
        assertThat(proxy.backend().requests()).isEmpty();
    }

    @Test
    @DisplayName(
            "P6: 400 for a Content-Length / Transfer-Encoding conflict, never forwarded, and the connection closes")
    void contentLengthTransferEncodingConflict() throws Exception {
        try (RawClient client = proxy.raw()) {
            client.send("POST /smuggle HTTP/1.1\r\nHost: api.test\r\nContent-Length: 5\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");

            assertProblem(client.readResponse(), 400);
            assertThat(client.readUntilClose().closedByPeer()).isTrue();
        }
        assertThat(proxy.backend().sawRequestFor("/smuggle"))
                .as("the backend saw /smuggle")
                .isFalse();
    }

    @Test
    @DisplayName("P6: 400 for a malformed request line, and the connection closes")
    void malformedRequest() throws Exception {
        try (RawClient client = proxy.raw()) {
            client.send("THIS IS NOT HTTP\r\n\r\n");

            assertProblem(client.readResponse(), 400);
            assertThat(client.readUntilClose().closedByPeer()).isTrue();
        }
        assertThat(proxy.backend().requests()).isEmpty();
    }
}
