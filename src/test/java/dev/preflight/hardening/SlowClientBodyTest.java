package dev.preflight.hardening;

import static dev.preflight.testing.ProblemAssertions.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.testing.Behaviour;
import dev.preflight.testing.PatternBytes;
import dev.preflight.testing.RawClient;
import dev.preflight.testing.RawResponse;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * P2 and P6: request bodies that arrive slowly. A body that keeps coming, however slowly, is
 * forwarded whole: {@code upstream.response-timeout} counts time without progress, not the length of
 * the exchange, and {@code limits.body-timeout} the time between two parts. A body that stops coming
 * gets 408 at the body timeout, whichever of the two is shorter ({@code limits.idle-timeout} only
 * applies between requests and to stalled readers), with a close, and the backend connection, which
 * holds half a request, is closed rather than reused.
 */
@Timeout(60)
class SlowClientBodyTest {

    private static final int PIECE = 1024;
    private static final int PIECES = 60;
    private static final Duration PERIOD = Duration.ofMillis(40); // 60 x 40 ms = 2.4 s, over twice the timeout

    private final ScheduledExecutorService dribbler = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stopDribbling() {
        dribbler.shutdownNow();
    }

    @ParameterizedTest(
            name = "P2: a body dribbled steadily for longer than response-timeout is forwarded whole (chunked = {0})")
    @ValueSource(booleans = {false, true})
    void steadyDribble(boolean chunked) throws Exception {
        try (BackendFaultProxy proxy =
                        BackendFaultProxy.start("http://127.0.0.1:1", "", "upstream.response-timeout = 1s");
                RawClient client = proxy.raw()) {
            proxy.healthy().on("/upload", Behaviour.digest());
            long length = (long) PIECE * PIECES;
            client.send("POST /upload HTTP/1.1\r\nHost: api.test\r\n"
                    + (chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: " + length + "\r\n") + "\r\n");
            long start = System.nanoTime();
            AtomicInteger piece = new AtomicInteger();
            dribbler.scheduleAtFixedRate(
                    () -> {
                        int i = piece.getAndIncrement();
                        if (i > PIECES || !client.trySend(framed(i, chunked))) {
                            throw new CancellationException("done"); // ends the schedule
                        }
                    },
                    0,
                    PERIOD.toNanos(),
                    TimeUnit.NANOSECONDS);

            RawResponse response = client.readResponse();

            assertThat(response.status()).as("%s", response).isEqualTo(200);
            assertThat(response.bodyText()).isEqualTo(length + " " + PatternBytes.sha256Hex(length));
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .as("the upload took longer than the response timeout")
                    .isGreaterThan(Duration.ofMillis(1500));
            proxy.awaitUpstreamQuiet();
        }
    }

    /** Piece {@code i} of the body (or, at {@code PIECES}, its end), framed as the request declared. */
    private static byte[] framed(int i, boolean chunked) {
        if (i == PIECES) {
            return chunked ? "0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1) : new byte[0];
        }
        byte[] data = PatternBytes.bytes((long) i * PIECE, PIECE);
        if (!chunked) {
            return data;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes((Integer.toHexString(PIECE) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(data);
        out.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
        return out.toByteArray();
    }

    @ParameterizedTest(
            name = "P6: a body that stops halfway gets 408 at body-timeout ({0}, response-timeout {1}), then close;"
                    + " the backend connection is closed, not reused")
    @CsvSource({"1500ms, 30s", "2500ms, 300ms"})
    void stalledBody(String bodyTimeout, String responseTimeout) throws Exception {
        try (BackendFaultServer backend =
                        BackendFaultServer.start().on("/fault/upload", BackendFaultServer.readBodyThenOk());
                BackendFaultProxy proxy = BackendFaultProxy.start(
                        backend.url(),
                        "response-timeout = " + responseTimeout,
                        "limits { idle-timeout = 500ms, body-timeout = " + bodyTimeout + " }");
                RawClient client = proxy.raw()) {
            long start = System.nanoTime();
            client.send("POST /fault/upload HTTP/1.1\r\nHost: api.test\r\nContent-Length: 100000\r\n\r\n");
            client.send(PatternBytes.bytes(10_000));
            backend.awaitRequest("/fault/upload");

            RawResponse response = client.readResponse();
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(response.status()).as("%s", response).isEqualTo(408);
            assertProblem(response, 408);
            assertThat(response.connectionTokens()).contains("close");
            assertThat(client.readUntilClose(Duration.ofSeconds(10)).closedByPeer())
                    .isTrue();
            // Neither the idle timeout (between requests only) nor the response timeout (the upstream
            // waits for the body too) ends it: the body timeout does, counted from the proxy's ask.
            assertThat(took)
                    .as("ended by the body timeout of %s", bodyTimeout)
                    .isGreaterThanOrEqualTo(duration(bodyTimeout))
                    .isLessThan(Duration.ofSeconds(10));
            assertThat(proxy.upstreamErrors("timeout"))
                    .as("the client's stall is not counted as the upstream's")
                    .isZero();
            backend.awaitClosedByProxy(1);
            proxy.awaitUpstreamQuiet();
            try (RawClient next = proxy.raw()) {
                RawResponse after = next.exchange("GET /fault/after HTTP/1.1\r\nHost: api.test\r\n\r\n");
                assertThat(after.status()).isEqualTo(200);
                assertThat(after.header("X-Connection"))
                        .as("a fresh backend connection")
                        .isEqualTo("2");
            }
            proxy.assertServesOthers();
        }
    }

    private static Duration duration(String millis) {
        return Duration.ofMillis(Long.parseLong(millis.replace("ms", "")));
    }
}
