package dev.preflight.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.preflight.testing.RawResponse.Framing;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The raw response parser the proxy tests rely on, against hand-written wire bytes. */
class HttpResponseReaderTest {

    @Test
    @DisplayName("Content-Length body, then the next response on the same stream")
    void contentLengthThenNext() throws Exception {
        InputStream in = stream("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: 1\r\nX-A: 2\r\n\r\nhello"
                + "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");

        RawResponse first = HttpResponseReader.read(in, "GET");
        RawResponse second = HttpResponseReader.read(in, "GET");

        assertThat(first.status()).isEqualTo(200);
        assertThat(first.bodyText()).isEqualTo("hello");
        assertThat(first.headers("x-a")).containsExactly("1", "2");
        assertThat(first.framing()).isEqualTo(Framing.CONTENT_LENGTH);
        assertThat(first.complete()).isTrue();
        assertThat(second.status()).isEqualTo(404);
    }

    @Test
    @DisplayName("chunked body with extensions and trailers")
    void chunked() throws Exception {
        RawResponse response = parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5;x=y\r\nhello\r\n1\r\n!\r\n0\r\nX-Trailer: t\r\n\r\n");

        assertThat(response.bodyText()).isEqualTo("hello!");
        assertThat(response.framing()).isEqualTo(Framing.CHUNKED);
        assertThat(response.complete()).isTrue();
    }

    @Test
    @DisplayName("a chunked body without its last chunk is incomplete")
    void chunkedTruncated() throws Exception {
        RawResponse response = parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");

        assertThat(response.bodyText()).isEqualTo("hello");
        assertThat(response.complete()).isFalse();
    }

    @Test
    @DisplayName("a Content-Length body cut short is incomplete")
    void contentLengthTruncated() throws Exception {
        RawResponse response = parse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello");

        assertThat(response.bodyText()).isEqualTo("hello");
        assertThat(response.complete()).isFalse();
    }

    @Test
    @DisplayName("no length and no chunking: the body runs to EOF")
    void closeDelimited() throws Exception {
        RawResponse response = parse("HTTP/1.0 200 OK\r\n\r\nall of it");

        assertThat(response.bodyText()).isEqualTo("all of it");
        assertThat(response.framing()).isEqualTo(Framing.CLOSE_DELIMITED);
        assertThat(response.complete()).isTrue();
    }

    @Test
    @DisplayName("HEAD, 204 and 304 responses have no body whatever their headers say; 100 is skipped")
    void noBody() throws Exception {
        InputStream in = stream("HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n"
                + "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n"
                + "HTTP/1.1 304 Not Modified\r\nContent-Length: 3\r\n\r\n");

        assertThat(HttpResponseReader.read(in, "HEAD").header("Content-Length")).isEqualTo("12");
        assertThat(HttpResponseReader.read(in, "GET").status()).isEqualTo(204);
        RawResponse notModified = HttpResponseReader.read(in, "GET");
        assertThat(notModified.status()).isEqualTo(304);
        assertThat(notModified.body()).isEmpty();
    }

    @Test
    @DisplayName("EOF before a response is an EOFException")
    void eofBeforeResponse() {
        assertThatThrownBy(() -> parse("HTTP/1.1 200 O")).isInstanceOf(EOFException.class);
    }

    private static RawResponse parse(String wire) throws Exception {
        return HttpResponseReader.read(stream(wire), "GET");
    }

    private static InputStream stream(String wire) {
        return new ByteArrayInputStream(wire.getBytes(StandardCharsets.ISO_8859_1));
    }
}
