package dev.preflight.hardening;

import static dev.preflight.hardening.RecordingRig.SMUGGLED;
import static dev.preflight.hardening.RecordingRig.assertRejected;
import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.hardening.RecordingRig.Case;
import dev.preflight.testing.RawClient;
import dev.preflight.testing.RawResponse;
import java.util.stream.Stream;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * P6, request smuggling inside a chunked body: a chunk size or chunk that does not parse strictly
 * gets 400 and a closed connection. Bodies stream (P2), so the backend may already hold the head and
 * the valid chunks before the bad one; it never gets a complete request, and the proxy closes that
 * backend connection rather than reuse it. Trailers never carry framing or routing to the backend.
 */
@Timeout(60)
class FramingChunkedTest {

    private static final String HEAD = "POST /chunked HTTP/1.1\r\nHost: api.test\r\nTransfer-Encoding: chunked\r\n\r\n";

    @AutoClose
    RecordingRig rig;

    @BeforeEach
    void start() throws Exception {
        rig = RecordingRig.start();
    }

    static Stream<Case> badBodies() {
        return Stream.of(
                new Case("chunk size 0x5", "0x5\r\nhello\r\n0\r\n\r\n" + SMUGGLED),
                new Case("chunk size +5", "+5\r\nhello\r\n0\r\n\r\n" + SMUGGLED),
                new Case("chunk size -5", "-5\r\nhello\r\n0\r\n\r\n" + SMUGGLED),
                new Case("chunk size 1_0", "1_0\r\nhellohellohello!\r\n0\r\n\r\n" + SMUGGLED),
                new Case("chunk size ffffffffffffffffff (overflow)", "ffffffffffffffffff\r\nhello\r\n0\r\n\r\n"),
                new Case("chunk size 100000005 (past 32 bits)", "100000005\r\nhello\r\n0\r\n\r\n" + SMUGGLED),
                new Case("chunk size with a trailing space", "5 \r\nhello\r\n0\r\n\r\n" + SMUGGLED),
                new Case("an empty chunk-size line", "\r\nhello\r\n0\r\n\r\n" + SMUGGLED),
                new Case(
                        "chunk data longer than its size, the rest a request",
                        "5\r\nhello" + SMUGGLED + "\r\n0\r\n\r\n"),
                new Case("chunk data longer than its size", "3\r\nhello\r\n0\r\n\r\n" + SMUGGLED),
                new Case("a second chunk longer than its size", "5\r\nhello\r\n1\r\n!!\r\n0\r\n\r\n" + SMUGGLED),
                new Case("chunk lines ending in bare LF", "5\nhello\n0\n\n" + SMUGGLED));
    }

    @ParameterizedTest(name = "P6: {0}: 400, close; the backend gets no complete request and its connection is closed")
    @DisplayName("P6: a chunk size or chunk that does not parse strictly is refused mid-body")
    @MethodSource("badBodies")
    void malformedChunkIsRefused(Case row) throws Exception {
        try (RawClient client = rig.raw()) {
            client.send(HEAD + row.bytes());

            assertRejected(client, 400);
        }
        rig.assertOnlyPartialRequestForwarded();
        String received = rig.backend().received();
        assertThat(received).as("what the backend received").doesNotContain("/smuggled");
        if (!received.isEmpty()) {
            assertThat(received).startsWith("POST /chunked HTTP/1.1\r\n");
        }
    }

    @Test
    @DisplayName("P6: a chunk extension is accepted; the body is forwarded once, re-chunked, the next request next")
    void chunkExtension() throws Exception {
        try (RawClient client = rig.raw()) {
            RawResponse response = client.exchange(HEAD + "5;name=value\r\nhello\r\n0\r\n\r\n");
            RawResponse marker = client.exchange("GET /marker HTTP/1.1\r\nHost: api.test\r\n\r\n");

            assertThat(response.bodyText()).as("%s", response).isEqualTo("POST /chunked");
            assertThat(marker.bodyText()).as("%s", marker).isEqualTo("GET /marker");
        }
        RecordingSocketBackend backend = rig.settle();
        assertThat(backend.requests())
                .extracting(RecordingSocketBackend.Request::line)
                .containsExactly("POST /chunked", "GET /marker");
        assertThat(backend.requests().getFirst().bodyText()).isEqualTo("hello");
        assertThat(backend.unparsed()).isEmpty();
    }

    /** A trailer field that must not reach the backend, neither in the trailer section nor the head. */
    record ForbiddenTrailer(String name, String value) {
        @Override
        public String toString() {
            return name + ": " + value;
        }
    }

    static Stream<ForbiddenTrailer> forbiddenTrailers() {
        return Stream.of(
                new ForbiddenTrailer("Content-Length", "50"),
                new ForbiddenTrailer("Host", "evil.test"),
                new ForbiddenTrailer("Transfer-Encoding", "chunked"));
    }

    @ParameterizedTest(
            name = "P6/P4: a trailer {0} never reaches the backend; the request is forwarded once with its own Host")
    @DisplayName("P6/P4: trailers never carry framing or Host to the backend")
    @MethodSource("forbiddenTrailers")
    void trailerCannotSetFramingOrHost(ForbiddenTrailer trailer) throws Exception {
        try (RawClient client = rig.raw()) {
            RawResponse response = client.exchange(HEAD + "5\r\nhello\r\n0\r\n" + trailer + "\r\n\r\n");
            RawResponse marker = client.exchange("GET /marker HTTP/1.1\r\nHost: api.test\r\n\r\n");

            assertThat(response.bodyText()).as("%s", response).isEqualTo("POST /chunked");
            assertThat(marker.bodyText()).as("%s", marker).isEqualTo("GET /marker");
        }
        RecordingSocketBackend backend = rig.settle();
        assertThat(backend.requests())
                .extracting(RecordingSocketBackend.Request::line)
                .containsExactly("POST /chunked", "GET /marker");
        RecordingSocketBackend.Request request = backend.requests().getFirst();
        assertThat(request.bodyText()).isEqualTo("hello");
        assertThat(request.headers("Host"))
                .as("Host in the head of\n%s", request)
                .containsExactly("api.test");
        assertThat(request.headers("Transfer-Encoding"))
                .as("in the head of\n%s", request)
                .containsExactly("chunked");
        assertThat(request.headers("Content-Length"))
                .as("in the head of\n%s", request)
                .isEmpty();
        assertThat(request.trailers(trailer.name()))
                .as("%s in the trailers of\n%s", trailer.name(), request)
                .isEmpty();
        assertThat(backend.unparsed()).isEmpty();
    }
}
