package dev.preflight.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.hardening.BackendFaultServer.Then;
import dev.preflight.testing.RawClient;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * RFC 9110 15.2: the upstream's interim (1xx) responses that the proxy did not ask for go on to an
 * HTTP/1.1 client ahead of the final one, {@code 103 Early Hints} above all; never to an HTTP/1.0
 * client, which cannot read one; and an upstream's {@code 100 Continue} never, since the proxy answers
 * a client's {@code Expect} itself (P8). C10 applies to them, and to a response's trailers, as to the
 * response head: stripped where the route enforces CORS with {@code strip}, left alone where it is off.
 */
@Timeout(60)
class BackendInterimTest {

    private static final String FAULT_UPSTREAM = "response-timeout = 5s";
    private static final String EARLY_HINTS =
            "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload; as=style\r\n"
                    + "Connection: X-Hop\r\nX-Hop: 1\r\nContent-Length: 5\r\nAccess-Control-Allow-Origin: *\r\n\r\n";
    private static final String FINAL = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

    @Test
    @DisplayName(
            "RFC 9110 15.2: a 103 Early Hints reaches an HTTP/1.1 client before the final response, without hop-by-hop headers, a length or the backend's CORS headers")
    void earlyHintsAreForwarded() throws Exception {
        String received = exchange(EARLY_HINTS + FINAL, "HTTP/1.1");

        assertThat(received).startsWith("HTTP/1.1 103 Early Hints\r\n");
        String interim = received.substring(0, received.indexOf("\r\n\r\n") + 4);
        assertThat(interim.toLowerCase()).contains("link: </style.css>; rel=preload; as=style\r\n");
        assertThat(interim.toLowerCase()).doesNotContain("x-hop").doesNotContain("connection");
        // RFC 9110 8.6: no length on a 1xx; C10: the backend's CORS headers stripped, as on the final one.
        assertThat(interim.toLowerCase()).doesNotContain("content-length").doesNotContain("access-control-");
        assertThat(received.substring(interim.length()))
                .startsWith("HTTP/1.1 200 OK\r\n")
                .endsWith("ok");
    }

    @Test
    @DisplayName("RFC 9110 15.2: an HTTP/1.0 client gets the final response only")
    void noInterimToHttp10() throws Exception {
        String received = exchange(EARLY_HINTS + FINAL, "HTTP/1.0");

        assertThat(received)
                .startsWith("HTTP/1.1 200 OK\r\n")
                .doesNotContain("103")
                .endsWith("ok");
    }

    @Test
    @DisplayName("P8: the upstream's own 100 Continue is not forwarded")
    void upstreamContinueIsNotForwarded() throws Exception {
        String received = exchange("HTTP/1.1 100 Continue\r\n\r\n" + FINAL, "HTTP/1.1");

        assertThat(received)
                .startsWith("HTTP/1.1 200 OK\r\n")
                .doesNotContain("100 Continue")
                .endsWith("ok");
    }

    @Test
    @DisplayName(
            "C10: on a route with CORS off, a 103's Access-Control-* headers go through untouched, as the head's do")
    void corsOffLeavesTheInterimAlone() throws Exception {
        String received = exchange(EARLY_HINTS + FINAL, "HTTP/1.1", "cors.enabled = false");

        String interim = received.substring(0, received.indexOf("\r\n\r\n") + 4);
        assertThat(interim.toLowerCase()).contains("access-control-allow-origin: *\r\n");
    }

    @Test
    @DisplayName("C10: a response's trailers lose the backend's Access-Control-* headers, and keep the others")
    void trailersLoseBackendCorsHeaders() throws Exception {
        String trailers = trailersOf("X-Sum: 42\r\nAccess-Control-Allow-Origin: *\r\n");

        assertThat(trailers).contains("x-sum: 42\r\n").doesNotContain("access-control-");
    }

    @Test
    @DisplayName("P3: a response's trailers lose hop-by-hop fields (Connection, Keep-Alive, what Connection names)"
            + " as its head does, and keep the others")
    void trailersLoseHopByHopFields() throws Exception {
        String trailers = trailersOf("X-Sum: 42\r\nConnection: close, X-Hop\r\nKeep-Alive: timeout=5\r\nX-Hop: 1\r\n");

        assertThat(trailers).contains("x-sum: 42\r\n").doesNotContain("connection:", "keep-alive:", "x-hop:");
    }

    /** The trailers the client receives, lower-cased, after a chunked response whose trailer lines are {@code lines}. */
    private static String trailersOf(String lines) throws Exception {
        String received = exchange(
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n2\r\nok\r\n0\r\n" + lines
                        + "\r\n",
                "HTTP/1.1");
        return received.substring(received.indexOf("\r\n0\r\n") + 5).toLowerCase();
    }

    /** One request with {@code Connection: close}, and everything the client receives until the close. */
    private static String exchange(String reply, String version, String... settings) throws Exception {
        try (BackendFaultServer backend =
                        BackendFaultServer.start().on("/fault/interim", BackendFaultServer.raw(reply, Then.NEXT));
                BackendFaultProxy proxy = BackendFaultProxy.start(backend.url(), FAULT_UPSTREAM, settings);
                RawClient client = proxy.raw()) {
            client.send("GET /fault/interim " + version + "\r\nHost: api.test\r\nConnection: close\r\n\r\n");
            RawClient.Received received = client.readUntilClose(Duration.ofSeconds(10));
            assertThat(received.closedByPeer())
                    .as("the proxy closed after the response")
                    .isTrue();
            return received.text();
        }
    }
}
