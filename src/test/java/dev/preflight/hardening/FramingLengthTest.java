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
 * P6, request smuggling through the message length: a request whose {@code Content-Length} and
 * {@code Transfer-Encoding} could be read two ways is refused (400, close, nothing forwarded); one
 * that RFC 9112 lets a recipient read one way only is forwarded as exactly one request, framed for the
 * backend's hop, with nothing after it. A raw backend records the exact bytes the proxy sent.
 */
@Timeout(60)
class FramingLengthTest {

    private static final String HEAD = "POST /framing HTTP/1.1\r\nHost: api.test\r\n";
    /** The same body both ways; were the framing misread, the rest would start another request. */
    private static final String CHUNKED_HELLO = "5\r\nhello\r\n0\r\n\r\n";

    @AutoClose
    RecordingRig rig;

    @BeforeEach
    void start() throws Exception {
        rig = RecordingRig.start();
    }

    static Stream<Case> refused() {
        return Stream.of(
                new Case(
                        "Content-Length and Transfer-Encoding together",
                        HEAD + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n" + CHUNKED_HELLO + SMUGGLED),
                new Case(
                        "Transfer-Encoding, then Content-Length",
                        HEAD + "Transfer-Encoding: chunked\r\nContent-Length: 40\r\n\r\n" + CHUNKED_HELLO + SMUGGLED),
                new Case(
                        "two different Content-Lengths",
                        HEAD + "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!" + SMUGGLED),
                new Case(
                        "two equal Content-Length lines",
                        HEAD + "Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello" + SMUGGLED),
                new Case("Content-Length +5", HEAD + "Content-Length: +5\r\n\r\nhello" + SMUGGLED),
                new Case("Content-Length -5", HEAD + "Content-Length: -5\r\n\r\nhello" + SMUGGLED),
                new Case("Content-Length 0x5 (hex)", HEAD + "Content-Length: 0x5\r\n\r\nhello" + SMUGGLED),
                new Case("Content-Length 5, 5 (a list of equal values)", HEAD + "Content-Length: 5, 5\r\n\r\nhello"),
                new Case(
                        "Content-Length 5, 6 (a list of different values)",
                        HEAD + "Content-Length: 5, 6\r\n\r\nhello!" + SMUGGLED),
                new Case("an empty Content-Length", HEAD + "Content-Length: \r\n\r\nhello" + SMUGGLED),
                new Case(
                        "a Content-Length past 2^63",
                        HEAD + "Content-Length: 99999999999999999999\r\n\r\nhello" + SMUGGLED),
                new Case(
                        "Transfer-Encoding chunked, chunked",
                        HEAD + "Transfer-Encoding: chunked, chunked\r\n\r\n" + CHUNKED_HELLO + SMUGGLED),
                new Case(
                        "two Transfer-Encoding: chunked lines",
                        HEAD + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n" + CHUNKED_HELLO),
                new Case(
                        "Transfer-Encoding chunked, gzip (chunked not last)",
                        HEAD + "Transfer-Encoding: chunked, gzip\r\n\r\n" + CHUNKED_HELLO + SMUGGLED),
                new Case(
                        "Transfer-Encoding xchunked",
                        HEAD + "Transfer-Encoding: xchunked\r\n\r\n" + CHUNKED_HELLO + SMUGGLED),
                new Case(
                        "Transfer-Encoding identity",
                        HEAD + "Transfer-Encoding: identity\r\n\r\n" + CHUNKED_HELLO + SMUGGLED),
                new Case(
                        "an empty Transfer-Encoding beside a Content-Length",
                        HEAD + "Transfer-Encoding: \r\nContent-Length: 5\r\n\r\nhello" + SMUGGLED),
                new Case(
                        "a vertical tab before chunked",
                        HEAD + "Transfer-Encoding: \u000Bchunked\r\n\r\n" + CHUNKED_HELLO + SMUGGLED),
                new Case(
                        "a vertical tab after chunked",
                        HEAD + "Transfer-Encoding: chunked\u000B\r\n\r\n" + CHUNKED_HELLO + SMUGGLED),
                new Case(
                        "a NUL after chunked",
                        HEAD + "Transfer-Encoding: chunked\u0000\r\n\r\n" + CHUNKED_HELLO + SMUGGLED),
                new Case(
                        "a NUL before chunked",
                        HEAD + "Transfer-Encoding: \u0000chunked\r\n\r\n" + CHUNKED_HELLO + SMUGGLED),
                new Case(
                        "Transfer-Encoding folded onto a continuation line (obs-fold)",
                        HEAD + "Transfer-Encoding:\r\n chunked\r\n\r\n" + CHUNKED_HELLO + SMUGGLED),
                new Case(
                        "Transfer-Encoding with a space before the colon",
                        HEAD + "Transfer-Encoding : chunked\r\nContent-Length: 5\r\n\r\nhello" + SMUGGLED),
                new Case(
                        "chunked Transfer-Encoding on HTTP/1.0",
                        "POST /framing HTTP/1.0\r\nHost: api.test\r\nTransfer-Encoding: chunked\r\n\r\n" + CHUNKED_HELLO
                                + SMUGGLED));
    }

    @ParameterizedTest(name = "P6: {0}: 400, close, nothing forwarded")
    @DisplayName("P6: a message length that could be read two ways is refused")
    @MethodSource("refused")
    void ambiguousLengthIsRefused(Case row) throws Exception {
        try (RawClient client = rig.raw()) {
            client.send(row.bytes());

            assertRejected(client, 400);
        }
        rig.assertNothingForwardedAndStillServes();
    }

    /** One request forwarded as a single message: the bytes sent and how the backend must see its body. */
    record Forwarded(String name, String request, boolean chunked) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Forwarded> forwarded() {
        return Stream.of(
                new Forwarded("Content-Length 005 (leading zeros)", HEAD + "Content-Length: 005\r\n\r\nhello", false),
                new Forwarded("Content-Length 5 with trailing space", HEAD + "Content-Length: 5 \r\n\r\nhello", false),
                new Forwarded(
                        "Transfer-Encoding 'chunked ' (trailing space)",
                        HEAD + "Transfer-Encoding: chunked \r\n\r\n" + CHUNKED_HELLO,
                        true),
                new Forwarded(
                        "Transfer-Encoding Chunked (case)",
                        HEAD + "Transfer-Encoding: Chunked\r\n\r\n" + CHUNKED_HELLO,
                        true),
                new Forwarded(
                        "Transfer-Encoding with tabs around chunked",
                        HEAD + "Transfer-Encoding:\tchunked\t\r\n\r\n" + CHUNKED_HELLO,
                        true),
                new Forwarded(
                        "Transfer-Encoding ', chunked' (an empty list element)",
                        HEAD + "Transfer-Encoding: , chunked\r\n\r\n" + CHUNKED_HELLO,
                        true),
                // P3 drops what Connection names, but never the length: the body would go on unframed.
                new Forwarded(
                        "Connection naming Content-Length",
                        HEAD + "Connection: Content-Length\r\nContent-Length: 5\r\n\r\nhello",
                        false),
                new Forwarded(
                        "Connection naming content-length among other names",
                        HEAD
                                + "Connection: keep-alive, X-A, content-length\r\nX-A: 1\r\nContent-Length: 5\r\n\r\nhello",
                        false));
    }

    @ParameterizedTest(name = "P6: {0}: forwarded as exactly one request with its body, the next request next")
    @DisplayName("P6: a message length RFC 9112 reads one way only is forwarded as one message")
    @MethodSource("forwarded")
    void unambiguousLengthIsForwardedOnce(Forwarded row) throws Exception {
        try (RawClient client = rig.raw()) {
            RawResponse response = client.exchange(row.request());
            RawResponse marker = client.exchange("GET /marker HTTP/1.1\r\nHost: api.test\r\n\r\n");

            assertThat(response.status()).as("%s", response).isEqualTo(200);
            assertThat(response.bodyText()).isEqualTo("POST /framing");
            assertThat(marker.bodyText()).as("the response after it").isEqualTo("GET /marker");
        }
        RecordingSocketBackend backend = rig.settle();
        assertThat(backend.requests())
                .extracting(RecordingSocketBackend.Request::line)
                .containsExactly("POST /framing", "GET /marker");
        RecordingSocketBackend.Request request = backend.requests().getFirst();
        assertThat(request.bodyText()).as("body of\n%s", request).isEqualTo("hello");
        if (row.chunked()) {
            assertThat(request.headers("Transfer-Encoding"))
                    .as("in\n%s", request)
                    .containsExactly("chunked");
            assertThat(request.headers("Content-Length")).as("in\n%s", request).isEmpty();
        } else {
            assertThat(request.headers("Transfer-Encoding"))
                    .as("in\n%s", request)
                    .isEmpty();
            assertThat(request.headers("Content-Length")).as("in\n%s", request).hasSize(1);
            assertThat(Long.parseLong(request.header("Content-Length"))).isEqualTo(5);
        }
        assertThat(backend.unparsed()).as("bytes after the requests").isEmpty();
    }

    @Test
    @DisplayName(
            "P6: Transfer-Encoding gzip, chunked: 501 (a coding the proxy cannot pass on), close, nothing forwarded")
    void transferCodingBesidesChunkedIsNotImplemented() throws Exception {
        // Forwarding it as plain chunked would hand the backend gzip bytes as if they were the body.
        try (RawClient client = rig.raw()) {
            client.send(HEAD + "Transfer-Encoding: gzip, chunked\r\n\r\n" + CHUNKED_HELLO);

            assertRejected(client, 501);
        }
        rig.assertNothingForwardedAndStillServes();
    }
}
