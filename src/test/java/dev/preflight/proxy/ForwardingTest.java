package dev.preflight.proxy;

import static dev.preflight.testing.Behaviour.echo;
import static dev.preflight.testing.BytesAssertions.assertSameBytes;
import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.testing.BackendExchange.Framing;
import dev.preflight.testing.Behaviour;
import dev.preflight.testing.PatternBytes;
import dev.preflight.testing.ProxyHarness;
import dev.preflight.testing.RawClient;
import dev.preflight.testing.RawResponse;
import dev.preflight.testing.RecordedRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Requests of every method reach the configured backend, and its responses come back intact (P1, P2). */
@Timeout(60)
class ForwardingTest {

    @AutoClose
    ProxyHarness proxy;

    @BeforeEach
    void start() throws Exception {
        proxy = ProxyHarness.start();
        proxy.backend()
                .on(
                        "/items",
                        echo().withHeaders(
                                        "X-Backend-Custom", "v1",
                                        "Set-Cookie", "a=1; Path=/",
                                        "Set-Cookie", "b=2; Path=/"));
    }

    @ParameterizedTest(name = "P1: {0} with a body reaches the backend, and the response comes back intact")
    @ValueSource(strings = {"POST", "PUT", "PATCH", "DELETE"})
    void methodWithBody(String method) throws Exception {
        byte[] body = PatternBytes.bytes(10_000);

        HttpResponse<byte[]> response = proxy.send(proxy.request("/items/42?x=1&y=a%20b")
                .method(method, BodyPublishers.ofByteArray(body))
                .build());

        assertThat(response.statusCode()).isEqualTo(200);
        assertSameBytes(response.body(), body);
        assertThat(response.headers().allValues("X-Backend-Custom")).containsExactly("v1");
        assertThat(response.headers().allValues("Set-Cookie")).containsExactly("a=1; Path=/", "b=2; Path=/");
        RecordedRequest received = proxy.backend().awaitRequest("/items/42");
        assertThat(received.method()).isEqualTo(method);
        assertThat(received.uri()).isEqualTo("/items/42?x=1&y=a%20b");
        assertSameBytes(received.body(), body);
    }

    @ParameterizedTest(name = "P1: {0} without a body reaches the backend without one")
    @ValueSource(strings = {"GET", "DELETE", "OPTIONS", "POST", "PUT"})
    void methodWithoutBody(String method) throws Exception {
        HttpResponse<byte[]> response = proxy.send(proxy.request("/items/7")
                .method(method, BodyPublishers.noBody())
                .build());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("X-Echo-Method")).hasValue(method);
        assertThat(response.headers().allValues("X-Backend-Custom")).containsExactly("v1");
        assertThat(response.body()).isEmpty();
        RecordedRequest received = proxy.backend().awaitRequest("/items/7");
        assertThat(received.method()).isEqualTo(method);
        assertThat(received.bodyLength()).isZero();
        assertThat(received.hasHeader("Transfer-Encoding"))
                .as("a request without a body is not sent chunked")
                .isFalse();
    }

    @Test
    @DisplayName("P1: HEAD gets the backend's headers, including Content-Length, and no body")
    void head() throws Exception {
        proxy.backend().on("/head", Behaviour.respond(200, "twelve bytes", "X-Backend-Custom", "head"));
        try (RawClient client = proxy.raw()) {
            RawResponse head = client.exchange("HEAD /head HTTP/1.1\r\nHost: api.test\r\n\r\n");
            // If the proxy wrongly sent a body, it would be read as the next response's status line.
            RawResponse next = client.exchange("GET /next HTTP/1.1\r\nHost: api.test\r\n\r\n");

            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("Content-Length")).isEqualTo("12");
            assertThat(head.header("X-Backend-Custom")).isEqualTo("head");
            assertThat(next.status()).isEqualTo(200);
            assertThat(next.header("X-Echo-Uri")).isEqualTo("/next");
        }
        assertThat(proxy.backend().awaitRequest("/head").method()).isEqualTo("HEAD");
    }

    @ParameterizedTest(name = "P1: the backend''s status {0} and its headers and body are passed through")
    @ValueSource(ints = {201, 204, 301, 404, 500, 503})
    void statusPassesThrough(int status) throws Exception {
        String body = status == 204 ? "" : "from the backend: " + status;
        proxy.backend()
                .on(
                        "/status",
                        Behaviour.respond(
                                status,
                                body,
                                "Content-Type",
                                "text/plain; charset=utf-8",
                                "Location",
                                "/elsewhere",
                                "X-Backend-Custom",
                                "status " + status));
        try (RawClient client = proxy.raw()) {
            RawResponse response = client.exchange("GET /status HTTP/1.1\r\nHost: api.test\r\n\r\n");

            assertThat(response.status()).isEqualTo(status);
            assertThat(response.bodyText()).isEqualTo(body);
            assertThat(response.headers("Content-Type")).containsExactly("text/plain; charset=utf-8");
            assertThat(response.headers("Location")).containsExactly("/elsewhere");
            assertThat(response.headers("X-Backend-Custom")).containsExactly("status " + status);
        }
    }

    @Test
    @DisplayName("P1: every end-to-end header the backend sends arrives with the same values")
    void endToEndResponseHeadersArriveIntact() throws Exception {
        List<String> sent = List.of(
                "Content-Type", "application/json",
                "Cache-Control", "no-store, max-age=0",
                "ETag", "\"33a64df5\"",
                "Last-Modified", "Wed, 21 Oct 2015 07:28:00 GMT",
                "Set-Cookie", "session=abc; HttpOnly",
                "Set-Cookie", "theme=dark",
                "Link", "</style.css>; rel=preload",
                "X-Odd-Value", "a,b;c=d \"quoted\"",
                "X-Empty", "");
        proxy.backend().on("/headers", Behaviour.respond(200, "{}", sent.toArray(String[]::new)));
        try (RawClient client = proxy.raw()) {
            RawResponse response = client.exchange("GET /headers HTTP/1.1\r\nHost: api.test\r\n\r\n");

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.bodyText()).isEqualTo("{}");
            for (int i = 0; i < sent.size(); i += 2) {
                String name = sent.get(i);
                List<String> values = IntStream.iterate(0, j -> j < sent.size(), j -> j + 2)
                        .filter(j -> sent.get(j).equals(name))
                        .mapToObj(j -> sent.get(j + 1))
                        .toList();
                assertThat(response.headers(name)).as(name).containsExactlyElementsOf(values);
            }
        }
    }

    @Test
    @DisplayName("P3: a Content-Length written with leading zeros is restated as the number for the upstream")
    void contentLengthRestated() throws Exception {
        try (RawClient client = proxy.raw()) {
            RawResponse response = client.exchange("POST /items/zeros HTTP/1.1\r\nHost: api.test\r\n"
                    + "Content-Length: " + "0".repeat(40) + "5\r\n\r\nhello");

            assertThat(response.status()).isEqualTo(200);
        }
        RecordedRequest received = proxy.backend().awaitRequest("/items/zeros");
        assertThat(received.headers("Content-Length")).containsExactly("5");
        assertThat(received.bodyText()).isEqualTo("hello");
    }

    @Test
    @DisplayName("P2: a chunked upload reaches the backend byte for byte")
    void chunkedUpload() throws Exception {
        try (RawClient client = proxy.raw()) {
            RawResponse response = client.exchange("POST /items/chunked HTTP/1.1\r\nHost: api.test\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n"
                    + "5\r\nhello\r\n"
                    + "7\r\n, world\r\n"
                    + "1;ext=1\r\n!\r\n"
                    + "0\r\n\r\n");

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.bodyText()).isEqualTo("hello, world!");
        }
        assertThat(proxy.backend().awaitRequest("/items/chunked").bodyText()).isEqualTo("hello, world!");
    }

    @Test
    @DisplayName("P2: a large upload of unknown length (chunked) arrives intact")
    void largeChunkedUpload() throws Exception {
        int length = 3 * 1024 * 1024 + 17;
        HttpResponse<byte[]> response = proxy.send(proxy.request("/items/big")
                .POST(BodyPublishers.ofInputStream(() -> PatternBytes.stream(length)))
                .build());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("X-Echo-Body-Length")).hasValue(Integer.toString(length));
        assertThat(response.headers().firstValue("X-Echo-Body-Sha256")).hasValue(PatternBytes.sha256Hex(length));
        assertSameBytes(response.body(), PatternBytes.bytes(length));
    }

    @ParameterizedTest(name = "P2: a large {0} download arrives intact")
    @ValueSource(strings = {"CHUNKED", "CONTENT_LENGTH"})
    void largeDownload(Framing framing) throws Exception {
        int length = 5 * 1024 * 1024 + 3;
        proxy.backend().on("/download", Behaviour.stream(length, framing));

        HttpResponse<byte[]> response = proxy.send(proxy.request("/download").build());

        assertThat(response.statusCode()).isEqualTo(200);
        assertSameBytes(response.body(), PatternBytes.bytes(length));
    }
}
