package dev.preflight.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.hardening.BackendFaultServer.Reply;
import dev.preflight.hardening.BackendFaultServer.Then;
import dev.preflight.testing.Await;
import dev.preflight.testing.RawClient;
import dev.preflight.testing.RawResponse;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * P1 and P6: a backend that sends more than its response (a body on a 204 or on the answer to a
 * HEAD, bytes past its Content-Length, a second response nobody asked for) must not have the rest read
 * as the answer to the next request sent on that connection, which may be another client's: a
 * response-splitting or cache-poisoning hole (RFC 9112 6.3: a client must not process, cache or
 * forward such extra data as a separate response). The connection is closed instead of pooled, and the
 * next request goes out on a fresh one.
 */
@Timeout(60)
class BackendFaultLeftoverTest {

    private static final String FAULT_UPSTREAM = "response-timeout = 5s";
    private static final String POISON = "Set-Cookie: session=attacker";

    static Stream<Arguments> leftovers() {
        return Stream.of(
                Arguments.of(
                        "a 204 and the start of another head after it",
                        "GET",
                        "HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 200 OK\r\n" + POISON + "\r\nX-Pad: ",
                        204),
                Arguments.of(
                        "a 204 and a whole second response after it",
                        "GET",
                        "HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 8\r\n" + POISON
                                + "\r\n\r\nPOISONED",
                        204),
                Arguments.of(
                        "a HEAD answered with a body",
                        "HEAD",
                        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
                        200),
                Arguments.of(
                        "a 200 with bytes past its Content-Length",
                        "GET",
                        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n" + POISON + "\r\n",
                        200));
    }

    @ParameterizedTest(name = "P6: {0}: the connection is not reused, the next request gets its own answer")
    @MethodSource("leftovers")
    void bytesPastTheResponseNeverAnswerTheNextRequest(String name, String method, String reply, int status)
            throws Exception {
        try (BackendFaultServer backend =
                        BackendFaultServer.start().on("/fault/leftover", BackendFaultServer.raw(reply, Then.NEXT));
                BackendFaultProxy proxy = BackendFaultProxy.start(backend.url(), FAULT_UPSTREAM);
                RawClient client = proxy.raw()) {
            client.send(method + " /fault/leftover HTTP/1.1\r\nHost: api.test\r\n\r\n");
            RawResponse first = client.readResponse(method);
            assertThat(first.status()).as("%s", first).isEqualTo(status);

            assertNextRequestAnsweredOnAFreshConnection(client, backend);
            proxy.assertServesOthers();
        }
    }

    @ParameterizedTest(name = "P6: a {0} to a request with a body: the connection is not reused")
    @MethodSource("refusalsOfABody")
    void refusalOfABodyEndsTheConnection(String what, int status) throws Exception {
        String reply = "HTTP/1.1 " + status + " " + what + "\r\nContent-Length: 4\r\n\r\nnope";
        try (BackendFaultServer backend =
                        BackendFaultServer.start().on("/fault/refuse", BackendFaultServer.raw(reply, Then.NEXT));
                BackendFaultProxy proxy = BackendFaultProxy.start(backend.url(), FAULT_UPSTREAM);
                RawClient client = proxy.raw()) {
            // The backend here does read the body; one that answers such a request without reading it
            // would take the body for a request of its own, whose answer would go to the next exchange.
            RawResponse refused = client.exchange(
                    "POST /fault/refuse HTTP/1.1\r\nHost: api.test\r\nContent-Length: 7\r\n\r\nx=1&y=2");
            assertThat(refused.status()).as("%s", refused).isEqualTo(status);

            assertNextRequestAnsweredOnAFreshConnection(client, backend);
        }
    }

    static Stream<Arguments> refusalsOfABody() {
        return Stream.of(
                Arguments.of("Unauthorized", 401),
                Arguments.of("Found", 302),
                Arguments.of("Not Found", 404),
                Arguments.of("Internal Server Error", 500));
    }

    @Test
    @DisplayName("P6: a 2xx to a request with a body, and a refusal of a request without one, keep the connection")
    void ordinaryAnswersKeepTheConnection() throws Exception {
        try (BackendFaultServer backend = BackendFaultServer.start()
                        .on("/fault/post", BackendFaultServer.readBodyThenOk())
                        .on(
                                "/fault/missing",
                                BackendFaultServer.raw(
                                        "HTTP/1.1 404 Not Found\r\nContent-Length: 4\r\n\r\nnope", Then.NEXT));
                BackendFaultProxy proxy = BackendFaultProxy.start(backend.url(), FAULT_UPSTREAM);
                RawClient client = proxy.raw()) {
            assertThat(client.exchange("POST /fault/post HTTP/1.1\r\nHost: api.test\r\nContent-Length: 3\r\n\r\nx=1")
                            .status())
                    .isEqualTo(200);
            assertThat(client.exchange("GET /fault/missing HTTP/1.1\r\nHost: api.test\r\n\r\n")
                            .status())
                    .isEqualTo(404);
            RawResponse next = client.exchange("GET /fault/next HTTP/1.1\r\nHost: api.test\r\n\r\n");
            assertThat(next.header("X-Connection"))
                    .as("the same backend connection all along")
                    .isEqualTo("1");
        }
    }

    @Test
    @DisplayName("P6: bytes that arrive while a connection sits idle in the pool, too few for a message, close it")
    void partialBytesWhileIdleKeepTheConnectionOutOfUse() throws Exception {
        CountDownLatch idle = new CountDownLatch(1);
        Reply okThenPartialHead = (connection, request) -> {
            BackendFaultServer.ok().serve(connection, request);
            try {
                idle.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Then.CLOSE;
            }
            connection.write("HTTP/1.1 200 OK\r\n" + POISON + "\r\nX-Pad: ");
            return Then.AWAIT_CLOSE;
        };
        try (BackendFaultServer backend = BackendFaultServer.start().on("/fault/leftover", okThenPartialHead);
                BackendFaultProxy proxy = BackendFaultProxy.start(backend.url(), FAULT_UPSTREAM);
                RawClient client = proxy.raw()) {
            RawResponse first = client.exchange("GET /fault/leftover HTTP/1.1\r\nHost: api.test\r\n\r\n");
            assertThat(first.status()).isEqualTo(200);
            Await.until("the connection is back in the pool", () -> proxy.upstreamIdle() == 1);

            idle.countDown();
            backend.awaitClosedByProxy(1);
            Await.until("the pool let it go", () -> proxy.upstreamIdle() == 0);

            assertNextRequestAnsweredOnAFreshConnection(client, backend);
        }
    }

    private static void assertNextRequestAnsweredOnAFreshConnection(RawClient client, BackendFaultServer backend)
            throws Exception {
        RawResponse next = client.exchange("GET /fault/next HTTP/1.1\r\nHost: api.test\r\n\r\n");

        assertThat(next.status()).as("%s", next).isEqualTo(200);
        assertThat(next.bodyText()).isEqualTo("ok");
        assertThat(next.headers("Set-Cookie"))
                .as("the backend's leftover, never an answer")
                .isEmpty();
        assertThat(next.header("X-Connection")).as("a fresh backend connection").isEqualTo("2");
    }
}
