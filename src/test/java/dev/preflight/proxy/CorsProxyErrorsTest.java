package dev.preflight.proxy;

import static dev.preflight.proxy.CorsWire.APP;
import static dev.preflight.proxy.CorsWire.EVIL;
import static dev.preflight.proxy.CorsWire.corsHeaders;
import static dev.preflight.proxy.CorsWire.header;
import static dev.preflight.testing.ProblemAssertions.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.testing.Behaviour;
import dev.preflight.testing.ProxyHarness;
import dev.preflight.testing.RawClient;
import dev.preflight.testing.RawResponse;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * C11: the responses the proxy makes itself for a CORS request carry the C8 headers when the origin
 * is allowed, so the page can read the error, and none when it is not; 400 and 431 for unparseable
 * requests never do.
 */
@Timeout(60)
class CorsProxyErrorsTest {
    private static final String ORIGINS = "cors.allowed-origins = [\"http://app.example\"]";
    private static final String CREDENTIALS = "cors.allow-credentials = true";

    @Test
    @DisplayName("C11: 502 (backend down) carries ACAO and ACAC for an allowed origin, nothing for a disallowed one")
    void badGateway() throws Exception {
        try (ProxyHarness proxy =
                ProxyHarness.withoutBackend("http://127.0.0.1:" + closedPort(), ORIGINS, CREDENTIALS)) {
            RawResponse allowed = exchange(proxy, CorsWire.get(proxy.authority(), "/down", APP));
            RawResponse disallowed = exchange(proxy, CorsWire.get(proxy.authority(), "/down", EVIL));

            assertProblem(allowed, 502);
            assertReadableByThePage(allowed);
            assertProblem(disallowed, 502);
            assertThat(corsHeaders(disallowed)).isEmpty();
        }
    }

    @Test
    @DisplayName("C11: 503 (pool exhausted) carries ACAO and ACAC for an allowed origin, nothing for a disallowed one")
    void poolExhausted() throws Exception {
        try (ProxyHarness proxy = ProxyHarness.start(
                        ORIGINS, CREDENTIALS, "upstream.max-connections = 1", "upstream.acquire-timeout = 300ms");
                RawClient hanging = proxy.raw()) {
            proxy.backend().on("/hang", Behaviour.neverAnswer());
            hanging.send(CorsWire.get(proxy.authority(), "/hang", APP));
            proxy.backend().awaitRequest("/hang");

            RawResponse allowed = exchange(proxy, CorsWire.get(proxy.authority(), "/other", APP));
            RawResponse disallowed = exchange(proxy, CorsWire.get(proxy.authority(), "/other", EVIL));

            assertProblem(allowed, 503);
            assertReadableByThePage(allowed);
            assertProblem(disallowed, 503);
            assertThat(corsHeaders(disallowed)).isEmpty();
            assertThat(proxy.backend().requestsTo("/other")).isEmpty();
        }
    }

    @Test
    @DisplayName(
            "C11: 504 (response timeout) carries ACAO and ACAC for an allowed origin, nothing for a disallowed one")
    void gatewayTimeout() throws Exception {
        try (ProxyHarness proxy = ProxyHarness.start(ORIGINS, CREDENTIALS, "upstream.response-timeout = 1s")) {
            proxy.backend().on("/never", Behaviour.neverAnswer());

            RawResponse allowed = exchange(proxy, CorsWire.get(proxy.authority(), "/never", APP));
            RawResponse disallowed = exchange(proxy, CorsWire.get(proxy.authority(), "/never", EVIL));

            assertProblem(allowed, 504);
            assertReadableByThePage(allowed);
            assertProblem(disallowed, 504);
            assertThat(corsHeaders(disallowed)).isEmpty();
        }
    }

    @Test
    @DisplayName(
            "C11: 413 for a declared body too large carries ACAO and ACAC for an allowed origin, nothing otherwise")
    void declaredBodyTooLarge() throws Exception {
        try (ProxyHarness proxy = ProxyHarness.start(ORIGINS, CREDENTIALS, "limits.max-body-size = 1k")) {
            RawResponse allowed = exchange(proxy, post(proxy, APP, "Content-Length: 5000"));
            RawResponse disallowed = exchange(proxy, post(proxy, EVIL, "Content-Length: 5000"));

            assertProblem(allowed, 413);
            assertReadableByThePage(allowed);
            assertProblem(disallowed, 413);
            assertThat(corsHeaders(disallowed)).isEmpty();
            assertThat(proxy.backend().sawRequestFor("/upload")).isFalse();
        }
    }

    @Test
    @DisplayName("C11: 413 for a chunked body that grows too large carries ACAO and ACAC for an allowed origin")
    void streamedBodyTooLarge() throws Exception {
        try (ProxyHarness proxy = ProxyHarness.start(ORIGINS, CREDENTIALS, "limits.max-body-size = 1k")) {
            String chunk = "800\r\n" + "x".repeat(0x800) + "\r\n0\r\n\r\n";

            RawResponse allowed = exchange(proxy, post(proxy, APP, "Transfer-Encoding: chunked") + chunk);
            RawResponse disallowed = exchange(proxy, post(proxy, EVIL, "Transfer-Encoding: chunked") + chunk);

            assertProblem(allowed, 413);
            assertReadableByThePage(allowed);
            assertProblem(disallowed, 413);
            assertThat(corsHeaders(disallowed)).isEmpty();
        }
    }

    @Test
    @DisplayName(
            "C11: 400 for an ambiguous path and 431 for oversized headers carry no CORS headers, allowed origin or not")
    void unparseableRequestsGetNone() throws Exception {
        try (ProxyHarness proxy = ProxyHarness.start(ORIGINS, CREDENTIALS, "limits.max-header-size = 1k")) {
            RawResponse ambiguous = exchange(proxy, CorsWire.get(proxy.authority(), "/a%2Fb", APP));
            RawResponse oversized = exchange(
                    proxy, CorsWire.request("GET", proxy.authority(), "/big", APP, "X-Big: " + "b".repeat(2000)));

            assertProblem(ambiguous, 400);
            assertThat(corsHeaders(ambiguous)).isEmpty();
            assertProblem(oversized, 431);
            assertThat(corsHeaders(oversized)).isEmpty();
        }
    }

    private static void assertReadableByThePage(RawResponse response) {
        assertThat(corsHeaders(response))
                .as("C8 headers on\n%s", response)
                .containsExactlyInAnyOrder(
                        header("access-control-allow-origin", APP), header("access-control-allow-credentials", "true"));
        assertThat(CorsWire.vary(response)).contains("Origin");
    }

    private static String post(ProxyHarness proxy, String origin, String framing) {
        return CorsWire.request("POST", proxy.authority(), "/upload", origin, "Content-Type: text/plain", framing);
    }

    /** One request on a connection of its own, since an error may close it. */
    private static RawResponse exchange(ProxyHarness proxy, String request) throws Exception {
        try (RawClient client = proxy.raw()) {
            return client.exchange(request);
        }
    }

    /** A port that was just bound and released: nothing listens there. */
    private static int closedPort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
