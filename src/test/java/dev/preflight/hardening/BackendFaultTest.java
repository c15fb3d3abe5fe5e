package dev.preflight.hardening;

import static dev.preflight.testing.ProblemAssertions.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import dev.preflight.hardening.BackendFaultServer.Reply;
import dev.preflight.hardening.BackendFaultServer.Then;
import dev.preflight.testing.LogCapture;
import dev.preflight.testing.RawClient;
import dev.preflight.testing.RawResponse;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * P6: a backend that fails before sending a usable response head. The client gets the proxy's own
 * problem response with the status of P6, promptly; the upstream connection is closed, never lent
 * again, and its slot in the pool comes back (the fault route has {@code max-connections = 1}, so a
 * slot lost once would turn the second request into a 503); and the proxy keeps serving the healthy
 * route. Mid-response faults are in {@link BackendFaultMidResponseTest}.
 */
@Timeout(60)
class BackendFaultTest {

    /** The fault route's upstream: short timeouts, and one connection, so a leaked slot shows as a 503. */
    private static final String FAULT_UPSTREAM =
            "connect-timeout = 500ms, response-timeout = 500ms, max-connections = 1, acquire-timeout = 3s";

    private static final String GET_FAULT = "GET /fault/%d HTTP/1.1\r\nHost: api.test\r\n\r\n";

    static Stream<Arguments> faultsBeforeTheResponse() {
        String big = "X-Big: " + "b".repeat(70 * 1024) + "\r\n";
        return Stream.of(
                row(
                        "P6: backend accepts and never answers: 504 at response-timeout",
                        BackendFaultServer.neverAnswer(),
                        504,
                        "timeout"),
                row(
                        "P6: backend closes (FIN) without a response byte: 502",
                        BackendFaultServer.raw("", Then.CLOSE),
                        502,
                        "reset"),
                row(
                        "P6: backend resets (RST) without a response byte: 502",
                        BackendFaultServer.rawThenReset(""),
                        502,
                        "reset"),
                row(
                        "P6: backend closes halfway through its response head: 502",
                        BackendFaultServer.raw("HTTP/1.1 200 OK\r\nContent-Le", Then.CLOSE),
                        502,
                        null),
                row(
                        "P6: backend resets halfway through its response head: 502",
                        BackendFaultServer.rawThenReset("HTTP/1.1 200 OK\r\nContent-Le"),
                        502,
                        null),
                row(
                        "P6: garbage instead of a status line: 502",
                        BackendFaultServer.raw("HELLO WORLD\r\n\r\n", Then.AWAIT_CLOSE),
                        502,
                        "malformed"),
                row(
                        "P6: a body without any head (HTTP/0.9 style): 502",
                        BackendFaultServer.raw("ok\n", Then.AWAIT_CLOSE),
                        502,
                        "malformed"),
                row(
                        "P6: a non-numeric status code: 502",
                        BackendFaultServer.raw("HTTP/1.1 2OO OK\r\nContent-Length: 2\r\n\r\nok", Then.AWAIT_CLOSE),
                        502,
                        "malformed"),
                row(
                        "P6: two different Content-Length headers: 502",
                        BackendFaultServer.raw(
                                "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok",
                                Then.AWAIT_CLOSE),
                        502,
                        "malformed"),
                row(
                        "P6: a Content-Length list with different values: 502",
                        BackendFaultServer.raw("HTTP/1.1 200 OK\r\nContent-Length: 2, 3\r\n\r\nok", Then.AWAIT_CLOSE),
                        502,
                        "malformed"),
                row(
                        "P6: a negative Content-Length: 502",
                        BackendFaultServer.raw("HTTP/1.1 200 OK\r\nContent-Length: -2\r\n\r\nok", Then.AWAIT_CLOSE),
                        502,
                        "malformed"),
                row(
                        "P6: a Content-Length that is not a number: 502",
                        BackendFaultServer.raw("HTTP/1.1 200 OK\r\nContent-Length: two\r\n\r\nok", Then.AWAIT_CLOSE),
                        502,
                        "malformed"),
                row(
                        "P6: a header line without a colon: 502",
                        BackendFaultServer.raw(
                                "HTTP/1.1 200 OK\r\nNoColonHere\r\nContent-Length: 2\r\n\r\nok", Then.AWAIT_CLOSE),
                        502,
                        "malformed"),
                row(
                        "P6: a bare CR inside a header value (a response-splitting attempt): 502",
                        BackendFaultServer.raw(
                                "HTTP/1.1 200 OK\r\nX-Evil: a\rSet-Cookie: x=1\r\nContent-Length: 2\r\n\r\nok",
                                Then.AWAIT_CLOSE),
                        502,
                        "malformed"),
                row(
                        "P6: a NUL inside a header value: 502",
                        BackendFaultServer.raw(
                                "HTTP/1.1 200 OK\r\nX-Evil: a\0b\r\nContent-Length: 2\r\n\r\nok", Then.AWAIT_CLOSE),
                        502,
                        "malformed"),
                row(
                        "P6: a transfer coding besides chunked (gzip, chunked), which would reach the client unlabelled: 502",
                        BackendFaultServer.raw(
                                "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n",
                                Then.AWAIT_CLOSE),
                        502,
                        "malformed"),
                row(
                        "P6: a 101 Switching Protocols to a request that asked for no upgrade: 502, a malformed answer",
                        BackendFaultServer.raw(
                                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n",
                                Then.AWAIT_CLOSE),
                        502,
                        "malformed"),
                row(
                        "P6: a four-digit status code: 502",
                        BackendFaultServer.raw("HTTP/1.1 1000 High\r\nContent-Length: 2\r\n\r\nok", Then.AWAIT_CLOSE),
                        502,
                        "malformed"),
                row(
                        "P6: a status code with a leading zero (0200), not three digits: 502",
                        BackendFaultServer.raw("HTTP/1.1 0200 OK\r\nContent-Length: 2\r\n\r\nok", Then.AWAIT_CLOSE),
                        502,
                        "malformed"),
                row(
                        "P6: a version other than HTTP/1.x (HTTP/2.0): 502",
                        BackendFaultServer.raw("HTTP/2.0 200 OK\r\nContent-Length: 2\r\n\r\nok", Then.AWAIT_CLOSE),
                        502,
                        "malformed"),
                row(
                        "P6: a status code below 100: 502",
                        BackendFaultServer.raw("HTTP/1.1 099 Low\r\nContent-Length: 2\r\n\r\nok", Then.AWAIT_CLOSE),
                        502,
                        "malformed"),
                row(
                        "P6: a response head larger than the proxy's 64 KiB limit: 502",
                        BackendFaultServer.raw(
                                "HTTP/1.1 200 OK\r\n" + big + "Content-Length: 2\r\n\r\nok", Then.AWAIT_CLOSE),
                        502,
                        "malformed"));
    }

    private static Arguments row(String name, Reply reply, int status, String metricKind) {
        return Arguments.of(name, reply, status, metricKind);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("faultsBeforeTheResponse")
    @DisplayName("P6: faults before the response head")
    void faultBeforeTheResponse(String name, Reply reply, int status, String metricKind) throws Exception {
        try (BackendFaultServer backend = BackendFaultServer.start().on("/fault", reply);
                BackendFaultProxy proxy = BackendFaultProxy.start(backend.url(), FAULT_UPSTREAM);
                RawClient client = proxy.raw()) {
            for (int attempt = 1; attempt <= 2; attempt++) {
                long start = System.nanoTime();
                RawResponse response = client.exchange(GET_FAULT.formatted(attempt));
                Duration took = Duration.ofNanos(System.nanoTime() - start);

                assertProblem(response, status);
                assertThat(took).as("time to the %d", status).isLessThan(Duration.ofSeconds(10));
                if (status == 504) {
                    assertThat(took).as("time to the 504").isGreaterThanOrEqualTo(Duration.ofMillis(450));
                }
                BackendFaultServer.Request received = backend.awaitRequest("/fault/" + attempt);
                assertThat(received.connectionId())
                        .as("request %d came on a fresh backend connection, not the broken one", attempt)
                        .isEqualTo(attempt);
                backend.awaitEnded(attempt);
                proxy.awaitUpstreamQuiet();
                if (response.connectionTokens().contains("close")) {
                    assertThat(client.readUntilClose().closedByPeer()).isTrue();
                    break;
                }
            }
            if (metricKind != null) {
                assertThat(proxy.upstreamErrors(metricKind))
                        .as("upstream errors of kind %s", metricKind)
                        .isPositive();
            }
            assertThat(backend.requests()).as("requests the backend saw").hasSizeBetween(1, 2);
            proxy.assertServesOthers();
        }
    }

    static Stream<Arguments> repairableHeads() {
        return Stream.of(
                Arguments.of(
                        "RFC 9112 5.1: whitespace between a header name and its colon is removed (or 502)",
                        "HTTP/1.1 200 OK\r\nX-Spaced : yes\r\nContent-Length : 2\r\n\r\nok",
                        "X-Spaced",
                        "yes"),
                Arguments.of(
                        "RFC 9112 5.2: an obs-fold is replaced with spaces (or 502)",
                        "HTTP/1.1 200 OK\r\nX-Fold: a\r\n b\r\nContent-Length: 2\r\n\r\nok",
                        "X-Fold",
                        "a b"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("repairableHeads")
    @DisplayName("P6: response heads an intermediary must repair before forwarding, or refuse")
    void repairedOrRefused(String name, String head, String header, String repairedValue) throws Exception {
        try (BackendFaultServer backend =
                        BackendFaultServer.start().on("/fault", BackendFaultServer.raw(head, Then.NEXT));
                BackendFaultProxy proxy = BackendFaultProxy.start(backend.url(), FAULT_UPSTREAM);
                RawClient client = proxy.raw()) {
            client.send(GET_FAULT.formatted(1));
            RawResponse response = client.readResponse();

            if (response.status() == 502) {
                assertProblem(response, 502);
            } else {
                assertThat(response.status()).isEqualTo(200);
                assertThat(response.header(header)).as("%s", response).isEqualTo(repairedValue);
                assertThat(response.headerNames()).as("names as forwarded").allMatch(n -> n.equals(n.strip()));
                assertThat(response.headers().stream().map(h -> h.getValue()))
                        .as("no line break survives in a value")
                        .noneMatch(v -> v.contains("\r") || v.contains("\n"));
                assertThat(response.bodyText()).isEqualTo("ok");
            }
            proxy.assertServesOthers();
        }
    }

    @Test
    @DisplayName(
            "RFC 9112 6.3: a HEAD answered with both Content-Length and Transfer-Encoding is forwarded without the length")
    void headWithBothLengthsLosesTheLength() throws Exception {
        try (BackendFaultServer backend = BackendFaultServer.start()
                        .on(
                                "/fault/both",
                                BackendFaultServer.raw(
                                        "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
                                        Then.NEXT));
                BackendFaultProxy proxy = BackendFaultProxy.start(backend.url(), FAULT_UPSTREAM);
                RawClient client = proxy.raw()) {
            client.send("HEAD /fault/both HTTP/1.1\r\nHost: api.test\r\n\r\n");
            RawResponse response = client.readResponse("HEAD");

            assertThat(response.status()).as("%s", response).isEqualTo(200);
            assertThat(response.headers("Content-Length")).as("%s", response).doesNotContain("3");
            proxy.assertServesOthers();
        }
    }

    @Test
    @DisplayName(
            "P6/O6: backend refuses connections: 502 at once, every time, without using up the pool; the log says why")
    void refused() throws Exception {
        String upstream = "http://127.0.0.1:" + closedPort();
        try (LogCapture lines = LogCapture.of("preflight.upstream");
                BackendFaultProxy proxy = BackendFaultProxy.start(upstream, FAULT_UPSTREAM);
                RawClient client = proxy.raw()) {
            for (int attempt = 1; attempt <= 10; attempt++) {
                long start = System.nanoTime();
                RawResponse response = client.exchange(GET_FAULT.formatted(attempt));

                assertProblem(response, 502);
                assertThat(response.bodyText()).contains("\"detail\":\"the upstream refused the connection\"");
                assertThat(Duration.ofNanos(System.nanoTime() - start))
                        .as("a refused connect fails fast, well before connect-timeout")
                        .isLessThan(Duration.ofSeconds(5));
            }
            assertThat(proxy.upstreamErrors("connect")).isEqualTo(10);
            assertThat(lines.events())
                    .as("one WARN line per failed connect, naming the upstream and what the system said")
                    .hasSize(10)
                    .allSatisfy(line -> {
                        assertThat(line.getLevel()).isEqualTo(Level.WARN);
                        assertThat(line.getFormattedMessage())
                                .startsWith("cannot connect to the upstream " + upstream + ": ")
                                .contains("Connection refused");
                    });
            proxy.awaitUpstreamQuiet();
            assertThat(client.exchange(BackendFaultProxy.GET_HEALTHY).status()).isEqualTo(200);
            proxy.assertServesOthers();
        }
    }

    @Test
    @DisplayName("P6: blackholed backend (connect never answered): 504 at upstream.connect-timeout, pool slot returned")
    void blackholedConnect() throws Exception {
        try (BackendFaultBlackhole blackhole = new BackendFaultBlackhole()) {
            Assumptions.assumeTrue(
                    blackhole.swallowsConnects(), "this machine answers connects to a full accept queue");
            try (BackendFaultProxy proxy = BackendFaultProxy.start(blackhole.url(), FAULT_UPSTREAM);
                    RawClient client = proxy.raw()) {
                for (int attempt = 1; attempt <= 2; attempt++) {
                    long start = System.nanoTime();
                    RawResponse response = client.exchange(GET_FAULT.formatted(attempt));
                    Duration took = Duration.ofNanos(System.nanoTime() - start);

                    assertProblem(response, 504);
                    assertThat(took).as("time to the 504").isBetween(Duration.ofMillis(450), Duration.ofSeconds(10));
                }
                assertThat(proxy.upstreamErrors("timeout")).isEqualTo(2);
                proxy.awaitUpstreamQuiet();
                assertThat(client.exchange(BackendFaultProxy.GET_HEALTHY).status())
                        .isEqualTo(200);
                proxy.assertServesOthers();
            }
        }
    }

    /** A port that was just bound and released: nothing listens there. */
    private static int closedPort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
