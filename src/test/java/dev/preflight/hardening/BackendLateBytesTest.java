package dev.preflight.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.hardening.BackendFaultServer.Reply;
import dev.preflight.hardening.BackendFaultServer.Then;
import dev.preflight.testing.RawClient;
import dev.preflight.testing.RawResponse;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * P1, "One answer per request": a backend that follows an answer without a body (a 204, the answer to
 * a HEAD) with a body, or a whole second response, in a later write of its own. The client's next
 * request on the same connection must get its own answer, not those late bytes: such a connection
 * settles before even its own client has it back (found by probing: behind a fronting proxy with
 * keep-alive, one client connection carries many users, and the late bytes answered the next user).
 *
 * <p>The backend writes its late bytes when the next request shows up: on another connection (the
 * proxy did not take this one back at once: the bytes find it idle and close it), or, failing that
 * within two seconds, on this connection, where they would be read as its answer.
 */
@Timeout(60)
class BackendLateBytesTest {
    private static final String STRAY = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nSTRAY";

    @ParameterizedTest(name = "{0} {1}, then a late response")
    @CsvSource({"GET, /fault/late204", "HEAD, /fault/latehead"})
    void nextRequestGetsItsOwnAnswer(String method, String path) throws Exception {
        CountDownLatch nextArrived = new CountDownLatch(1);
        Reply late = (connection, request) -> {
            connection.write(
                    path.endsWith("204")
                            ? "HTTP/1.1 204 No Content\r\n\r\n"
                            : "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n");
            try {
                nextArrived.await(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            connection.write(STRAY);
            return Then.NEXT;
        };
        Reply next = (connection, request) -> {
            nextArrived.countDown();
            return BackendFaultServer.ok().serve(connection, request);
        };
        try (BackendFaultServer backend =
                        BackendFaultServer.start().on(path, late).on("/fault/next", next);
                BackendFaultProxy proxy = BackendFaultProxy.start(backend.url(), "response-timeout = 30s");
                RawClient client = proxy.raw()) {
            RawResponse first = client.exchange(method + " " + path + " HTTP/1.1\r\nHost: api.test\r\n\r\n");
            RawResponse second = client.exchange("GET /fault/next HTTP/1.1\r\nHost: api.test\r\n\r\n");

            assertThat(first.status()).isIn(200, 204);
            assertThat(second.bodyText()).as("the next request's answer").doesNotContain("STRAY");
            assertThat(second.status()).isEqualTo(200);
        }
    }
}
