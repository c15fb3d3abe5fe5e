package dev.preflight.hardening;

import static dev.preflight.testing.ProblemAssertions.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.hardening.BackendFaultServer.Reply;
import dev.preflight.hardening.BackendFaultServer.Then;
import dev.preflight.testing.RawClient;
import dev.preflight.testing.RawResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * P6: a backend that fails after its response head. The client gets the head and every body byte
 * the backend sent, then the connection closes without the end the framing promised (short of the
 * Content-Length, or no last chunk), so no client can take a cut response for a whole one. The
 * backend connection is closed and never lent again, and the proxy keeps serving. {@code
 * dev.preflight.proxy.MidResponseFailureTest} has the RST-after-partial-body case through the
 * {@code TestBackend}; here are the others, through a raw backend.
 */
@Timeout(60)
class BackendFaultMidResponseTest {

    private static final String FAULT_UPSTREAM = "response-timeout = 500ms, max-connections = 1, acquire-timeout = 3s";
    private static final String SENT = "a".repeat(100);
    private static final String LENGTH_HEAD = "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n";
    private static final String CHUNKED_HEAD = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    private static final String CHUNK = "64\r\n" + SENT + "\r\n"; // 0x64 = 100 bytes

    static Stream<Arguments> faultsAfterTheHead() {
        return Stream.of(
                row(
                        "P6: head and part of a Content-Length body, then silence: cut at response-timeout",
                        BackendFaultServer.raw(LENGTH_HEAD + SENT, Then.AWAIT_CLOSE),
                        true),
                row(
                        "P6: head and one chunk, then silence: cut at response-timeout",
                        BackendFaultServer.raw(CHUNKED_HEAD + CHUNK, Then.AWAIT_CLOSE),
                        true),
                row(
                        "P6: head only, then silence: the client has the head, then the connection closes",
                        BackendFaultServer.raw(LENGTH_HEAD, Then.AWAIT_CLOSE),
                        true,
                        ""),
                row(
                        "P6: head only, then FIN: the client has the head, then the connection closes",
                        BackendFaultServer.raw(LENGTH_HEAD, Then.CLOSE),
                        false,
                        ""),
                row(
                        "P6: head, then a malformed chunk size in the same read: the head, held for its body, still goes first",
                        BackendFaultServer.raw(CHUNKED_HEAD + "zz\r\nhello\r\n0\r\n\r\n", Then.AWAIT_CLOSE),
                        false,
                        ""),
                row(
                        "P6: part of a Content-Length body, then FIN: the client's connection closes short of the length",
                        BackendFaultServer.raw(LENGTH_HEAD + SENT, Then.CLOSE),
                        false),
                row(
                        "P6: one chunk, then FIN: the client's connection closes without a last chunk",
                        BackendFaultServer.raw(CHUNKED_HEAD + CHUNK, Then.CLOSE),
                        false),
                row(
                        "P6: part of a Content-Length body, then RST",
                        BackendFaultServer.rawThenReset(LENGTH_HEAD + SENT),
                        false),
                row(
                        "P6: one chunk, then a malformed chunk size",
                        BackendFaultServer.raw(CHUNKED_HEAD + CHUNK + "zz\r\nhello\r\n0\r\n\r\n", Then.AWAIT_CLOSE),
                        false),
                row(
                        "P6: one chunk, then a chunk with more data than its size",
                        BackendFaultServer.raw(CHUNKED_HEAD + CHUNK + "2\r\nhello\r\n0\r\n\r\n", Then.AWAIT_CLOSE),
                        false,
                        SENT + "he"));
    }

    private static Arguments row(String name, Reply reply, boolean stalls) {
        return row(name, reply, stalls, SENT);
    }

    private static Arguments row(String name, Reply reply, boolean stalls, String bodySent) {
        return Arguments.of(name, reply, stalls, bodySent);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("faultsAfterTheHead")
    @DisplayName("P6: faults after the response head")
    void faultAfterTheHead(String name, Reply reply, boolean stalls, String bodySent) throws Exception {
        try (BackendFaultServer backend = BackendFaultServer.start().on("/fault", reply);
                BackendFaultProxy proxy = BackendFaultProxy.start(backend.url(), FAULT_UPSTREAM)) {
            for (int attempt = 1; attempt <= 2; attempt++) {
                try (RawClient client = proxy.raw()) {
                    long start = System.nanoTime();
                    client.send("GET /fault/" + attempt + " HTTP/1.1\r\nHost: api.test\r\n\r\n");
                    RawResponse response = client.readResponse();
                    RawClient.Received rest = client.readUntilClose(Duration.ofSeconds(10));
                    Duration took = Duration.ofNanos(System.nanoTime() - start);

                    assertThat(response.status())
                            .as("the backend's status, relayed")
                            .isEqualTo(200);
                    assertThat(response.complete())
                            .as("a cut response must not look complete:\n%s", response)
                            .isFalse();
                    assertThat(new String(response.body(), StandardCharsets.ISO_8859_1))
                            .as("the body bytes the backend sent")
                            .isEqualTo(bodySent);
                    assertThat(rest.closedByPeer())
                            .as("the client connection is closed")
                            .isTrue();
                    assertThat(rest.bytes()).as("nothing after the cut").isEmpty();
                    assertThat(took).isLessThan(Duration.ofSeconds(10));
                    if (stalls) {
                        assertThat(took).as("cut at response-timeout").isGreaterThanOrEqualTo(Duration.ofMillis(450));
                    }
                }
                assertThat(backend.awaitRequest("/fault/" + attempt).connectionId())
                        .as("request %d on a fresh backend connection", attempt)
                        .isEqualTo(attempt);
                backend.awaitEnded(attempt);
                proxy.awaitUpstreamQuiet();
            }
            proxy.assertServesOthers();
        }
    }

    @Test
    @DisplayName(
            "P6: a response with both Content-Length and Transfer-Encoding: 502, or the chunked body alone, and the connection not reused")
    void contentLengthAndTransferEncoding() throws Exception {
        String conflicting =
                "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
        try (BackendFaultServer backend = BackendFaultServer.start()
                        .on("/fault/conflict", BackendFaultServer.raw(conflicting, Then.NEXT));
                BackendFaultProxy proxy = BackendFaultProxy.start(backend.url(), FAULT_UPSTREAM);
                RawClient client = proxy.raw()) {
            RawResponse response = client.exchange("GET /fault/conflict HTTP/1.1\r\nHost: api.test\r\n\r\n");

            if (response.status() == 502) {
                assertProblem(response, 502);
            } else {
                // RFC 9112 6.3: Transfer-Encoding overrides; an intermediary that forwards must drop Content-Length.
                assertThat(response.status()).as("%s", response).isEqualTo(200);
                assertThat(response.hasHeader("Content-Length") && response.hasHeader("Transfer-Encoding"))
                        .as("both framing headers reached the client:\n%s", response)
                        .isFalse();
                assertThat(response.complete()).isTrue();
                assertThat(response.bodyText()).isEqualTo("abc");
            }
            backend.awaitEnded(1);
            RawClient fresh = response.connectionTokens().contains("close") ? proxy.raw() : client;
            try (fresh) {
                RawResponse next = fresh.exchange("GET /fault/next HTTP/1.1\r\nHost: api.test\r\n\r\n");
                assertThat(next.bodyText()).isEqualTo("ok");
                assertThat(next.header("X-Connection"))
                        .as("a connection whose framing was ambiguous is not reused")
                        .isEqualTo("2");
            }
            proxy.awaitUpstreamQuiet();
            proxy.assertServesOthers();
        }
    }

    @Test
    @DisplayName("P6: bytes past the Content-Length (a second response nobody asked for) never answer the next request")
    void extraBytesAfterTheBody() throws Exception {
        String smuggling = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst"
                + "HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nsmuggled";
        try (BackendFaultServer backend =
                        BackendFaultServer.start().on("/fault/first", BackendFaultServer.raw(smuggling, Then.NEXT));
                BackendFaultProxy proxy = BackendFaultProxy.start(backend.url(), FAULT_UPSTREAM);
                RawClient client = proxy.raw()) {
            RawResponse first = client.exchange("GET /fault/first HTTP/1.1\r\nHost: api.test\r\n\r\n");
            assertThat(first.bodyText()).isEqualTo("first");

            RawResponse second = client.exchange("GET /fault/second HTTP/1.1\r\nHost: api.test\r\n\r\n");

            assertThat(second.bodyText())
                    .as("the second request's own answer:\n%s", second)
                    .isEqualTo("ok");
            assertThat(second.header("X-Connection"))
                    .as("answered on a fresh backend connection")
                    .isEqualTo("2");
            backend.awaitEnded(1);
            proxy.awaitUpstreamQuiet();
        }
    }
}
