package dev.preflight.hardening;

import static dev.preflight.testing.ProblemAssertions.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.testing.RawClient;
import dev.preflight.testing.RawResponse;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * TRACE (and IIS's TRACK) never reach the backend, which would echo the request back, cookies and
 * credentials included (Cross-Site Tracing): 501, and the connection serves the next request. In any
 * case: {@code trace} is a method of its own by RFC 9110, but not to a backend that ignores case.
 */
@Timeout(60)
class TraceRefusedTest {

    @AutoClose
    RecordingRig rig;

    @BeforeEach
    void start() throws Exception {
        rig = RecordingRig.start();
    }

    @ParameterizedTest(name = "{0}: 501, not forwarded, the connection kept")
    // Lower case too: another method by RFC 9110, but a backend that ignores case would echo it.
    @ValueSource(strings = {"TRACE", "TRACK", "trace", "Track"})
    void notForwarded(String method) throws Exception {
        try (RawClient client = rig.raw()) {
            RawResponse refused =
                    client.exchange(method + " /echo HTTP/1.1\r\nHost: api.test\r\nCookie: session=secret\r\n\r\n");
            RawResponse next = client.exchange("GET /after HTTP/1.1\r\nHost: api.test\r\n\r\n");

            assertProblem(refused, 501);
            assertThat(refused.bodyText()).doesNotContain("secret");
            assertThat(next.bodyText())
                    .as("the same connection, the next request")
                    .isEqualTo("GET /after");
        }
        assertThat(rig.settle().requests())
                .extracting(RecordingSocketBackend.Request::line)
                .containsExactly("GET /after");
    }
}
