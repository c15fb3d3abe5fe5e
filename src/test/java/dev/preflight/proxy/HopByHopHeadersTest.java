package dev.preflight.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.testing.Behaviour;
import dev.preflight.testing.ProxyHarness;
import dev.preflight.testing.RawClient;
import dev.preflight.testing.RawResponse;
import dev.preflight.testing.RecordedRequest;
import java.util.Locale;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** P3: hop-by-hop headers stop at the proxy, in both directions; end-to-end ones pass. */
@Timeout(60)
class HopByHopHeadersTest {

    @AutoClose
    ProxyHarness proxy;

    @BeforeEach
    void start() throws Exception {
        proxy = ProxyHarness.start();
    }

    @Test
    @DisplayName(
            "P3: Connection, the headers it names, Keep-Alive, Proxy-* (and Proxy, Proxy_*), TE, Trailer and Upgrade do not"
                    + " reach the backend")
    void hopByHopRequestHeadersAreRemoved() throws Exception {
        try (RawClient client = proxy.raw()) {
            RawResponse response = client.exchange("GET /hop HTTP/1.1\r\n"
                    + "Host: api.test\r\n"
                    + "Connection: keep-alive, X-Secret\r\n"
                    + "X-Secret: do-not-forward\r\n"
                    + "Keep-Alive: timeout=5\r\n"
                    + "Proxy-Authorization: Basic Zm9vOmJhcg==\r\n"
                    + "Proxy-Connection: keep-alive\r\n"
                    + "Proxy: http://evil.example:3128\r\n" // httpoxy: a CGI backend's HTTP_PROXY
                    + "Proxy_Authorization: Basic Zm9vOmJhcg==\r\n"
                    + "Proxyish: kept\r\n"
                    + "TE: gzip\r\n"
                    + "Trailer: X-Checksum\r\n"
                    + "Upgrade: foo\r\n"
                    + "X-Kept: yes\r\n"
                    + "Authorization: Bearer end-to-end\r\n"
                    + "\r\n");
            assertThat(response.status()).isEqualTo(200);
        }

        RecordedRequest received = proxy.backend().awaitRequest("/hop");
        assertThat(received.headerNames())
                .doesNotContain(
                        "x-secret",
                        "keep-alive",
                        "proxy-authorization",
                        "proxy-connection",
                        "proxy",
                        "proxy_authorization",
                        "te",
                        "trailer",
                        "upgrade");
        assertThat(String.join(",", received.headers("Connection")).toLowerCase(Locale.ROOT))
                .doesNotContain("x-secret")
                .doesNotContain("upgrade");
        assertThat(received.headers("X-Kept")).containsExactly("yes");
        assertThat(received.headers("Proxyish")).containsExactly("kept");
        assertThat(received.headers("Authorization")).containsExactly("Bearer end-to-end");
    }

    @Test
    @DisplayName("P3: a Host named by Connection still reaches the backend (RFC 9112 3.2)")
    void hostNamedByConnectionIsKept() throws Exception {
        try (RawClient client = proxy.raw()) {
            RawResponse response =
                    client.exchange("GET /host HTTP/1.1\r\nHost: api.test\r\nConnection: Host, X-A\r\nX-A: 1\r\n\r\n");
            assertThat(response.status()).isEqualTo(200);
        }

        RecordedRequest received = proxy.backend().awaitRequest("/host");
        assertThat(received.headers("Host")).containsExactly("api.test");
        assertThat(received.headers("X-A")).isEmpty();
    }

    @Test
    @DisplayName("P3: TE: trailers reaches the backend")
    void teTrailersIsKept() throws Exception {
        try (RawClient client = proxy.raw()) {
            RawResponse response = client.exchange("GET /te HTTP/1.1\r\nHost: api.test\r\nTE: trailers\r\n\r\n");
            assertThat(response.status()).isEqualTo(200);
        }

        assertThat(proxy.backend().awaitRequest("/te").headers("TE")).containsExactly("trailers");
    }

    @Test
    @DisplayName("P3: a backend's Content-Length named by its Connection still frames the response for the client")
    void contentLengthNamedByTheBackendsConnectionIsKept() throws Exception {
        proxy.backend().on("/named-length", Behaviour.respond(200, "hello", "Connection", "Content-Length"));
        try (RawClient client = proxy.raw()) {
            RawResponse first = client.exchange("GET /named-length HTTP/1.1\r\nHost: api.test\r\n\r\n");
            RawResponse second = client.exchange("GET /named-length HTTP/1.1\r\nHost: api.test\r\n\r\n");

            // Without its length on a kept-alive connection, the first body would run into the next response.
            assertThat(first.headers("Content-Length")).containsExactly("5");
            assertThat(first.bodyText()).isEqualTo("hello");
            assertThat(second.status()).isEqualTo(200);
            assertThat(second.bodyText()).isEqualTo("hello");
        }
    }

    @Test
    @DisplayName(
            "P3: the backend's Connection, the headers it names, Keep-Alive, Proxy-* and Upgrade do not reach the client")
    void hopByHopResponseHeadersAreRemoved() throws Exception {
        proxy.backend()
                .on(
                        "/hop-response",
                        Behaviour.respond(
                                200,
                                "body",
                                "Connection",
                                "X-Backend-Hop",
                                "X-Backend-Hop",
                                "1",
                                "Keep-Alive",
                                "timeout=5, max=100",
                                "Proxy-Authenticate",
                                "Basic realm=\"backend\"",
                                "Upgrade",
                                "foo",
                                "X-Backend-Custom",
                                "kept"));
        try (RawClient client = proxy.raw()) {
            RawResponse response = client.exchange("GET /hop-response HTTP/1.1\r\nHost: api.test\r\n\r\n");

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.bodyText()).isEqualTo("body");
            assertThat(response.headerNames()).doesNotContain("x-backend-hop", "proxy-authenticate", "upgrade");
            // The proxy may announce its own keep-alive parameters, never the backend's.
            assertThat(response.headers("Keep-Alive")).doesNotContain("timeout=5, max=100");
            assertThat(response.connectionTokens()).doesNotContain("x-backend-hop");
            assertThat(response.headers("X-Backend-Custom")).containsExactly("kept");
        }
    }
}
