package dev.preflight.hardening;

import static dev.preflight.hardening.RecordingRig.SMUGGLED;
import static dev.preflight.hardening.RecordingRig.assertRejected;

import dev.preflight.hardening.RecordingRig.Case;
import dev.preflight.testing.RawClient;
import java.util.stream.Stream;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * P6: a head whose lines do not end in CRLF is refused (400, close, nothing forwarded). A bare LF or
 * CR that one parser takes for a line end and another for data is how a header hides from the proxy
 * and shows itself to the backend; the proxy parses strictly, so nothing reaches the backend.
 */
@Timeout(60)
class FramingLineEndingTest {

    @AutoClose
    RecordingRig rig;

    @BeforeEach
    void start() throws Exception {
        rig = RecordingRig.start();
    }

    static Stream<Case> bareLineEnds() {
        return Stream.of(
                new Case(
                        "bare LF ending every line",
                        "POST /lines HTTP/1.1\nHost: api.test\nContent-Length: 5\n\nhello" + SMUGGLED),
                new Case("bare LF ending the request line", "GET /lines HTTP/1.1\nHost: api.test\r\n\r\n" + SMUGGLED),
                new Case(
                        "bare LF ending one header line",
                        "POST /lines HTTP/1.1\r\nHost: api.test\r\nX-A: 1\nContent-Length: 5\r\n\r\nhello" + SMUGGLED),
                new Case(
                        "bare LF hiding a Transfer-Encoding line",
                        "POST /lines HTTP/1.1\r\nHost: api.test\r\nX-A: 1\nTransfer-Encoding: chunked\r\n"
                                + "Content-Length: 40\r\n\r\n0\r\n\r\n" + SMUGGLED),
                new Case(
                        "bare LF as the empty line ending the head",
                        "GET /lines HTTP/1.1\r\nHost: api.test\r\n\n" + SMUGGLED),
                new Case("bare CR ending the request line", "GET /lines HTTP/1.1\rHost: api.test\r\n\r\n" + SMUGGLED),
                new Case(
                        "bare CR ending one header line",
                        "POST /lines HTTP/1.1\r\nHost: api.test\r\nX-A: 1\rContent-Length: 5\r\n\r\nhello" + SMUGGLED),
                new Case(
                        "bare CR ending every line, then a CRLF",
                        "POST /lines HTTP/1.1\rHost: api.test\rContent-Length: 5\r\rhello\r\n\r\n" + SMUGGLED),
                new Case(
                        "bare CR inside a header value",
                        "GET /lines HTTP/1.1\r\nHost: api.test\r\nX-A: a\rb\r\n\r\n" + SMUGGLED));
    }

    @ParameterizedTest(name = "P6: {0}: 400, close, nothing forwarded")
    @DisplayName("P6: a bare LF or CR as a line end is refused")
    @MethodSource("bareLineEnds")
    void bareLineEndIsRefused(Case row) throws Exception {
        try (RawClient client = rig.raw()) {
            client.send(row.bytes());

            assertRejected(client, 400);
        }
        rig.assertNothingForwardedAndStillServes();
    }
}
