package dev.preflight.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.testing.Await;
import dev.preflight.testing.HttpResponseReader;
import dev.preflight.testing.RawClient;
import dev.preflight.testing.RawResponse;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * P8: {@code Expect: 100-continue} is honoured, and a request the proxy answers itself gets that
 * answer instead of {@code 100 Continue}: the client never sends a body nobody will read, and no
 * stray interim response ever lands between two final ones. The backend never sees {@code Expect}
 * (the proxy answered it) and gets each body once.
 */
@Timeout(60)
class FramingExpectContinueTest {

    private static final String APP = "http://app.example";
    private static final String EVIL = "http://evil.example";
    private static final String CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n";

    @AutoClose
    RecordingRig rig;

    @BeforeEach
    void start() throws Exception {
        rig = RecordingRig.start(
                "limits.max-body-size = 1k",
                "cors.allowed-origins = [\"" + APP + "\"]",
                "cors.allowed-methods = [\"GET\", \"PUT\"]",
                "cors.disallowed-origin = reject");
    }

    @Test
    @DisplayName("P8/P6: Expect with a declared body over max-body-size: 413 and no 100, close, nothing forwarded")
    void oversizedDeclaredBody() throws Exception {
        assertAnsweredWithout100(
                "POST /upload HTTP/1.1\r\nHost: api.test\r\nContent-Length: 5000\r\nExpect: 100-continue\r\n\r\n",
                "HTTP/1.1 413 ");
        rig.assertNothingForwardedAndStillServes();
    }

    @Test
    @DisplayName("P8/C3/C14: a preflight with Expect and a declared body: 204 and no 100, close, nothing forwarded")
    void preflightWithExpect() throws Exception {
        assertAnsweredWithout100(
                "OPTIONS /items HTTP/1.1\r\nHost: api.test\r\nOrigin: " + APP
                        + "\r\nAccess-Control-Request-Method: PUT\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n",
                "HTTP/1.1 204 ");
        rig.assertNothingForwardedAndStillServes();
    }

    @Test
    @DisplayName("P8/C9: a POST from a disallowed origin with Expect: 403 and no 100, close, nothing forwarded")
    void rejectedOriginWithExpect() throws Exception {
        assertAnsweredWithout100(
                "POST /items HTTP/1.1\r\nHost: api.test\r\nOrigin: " + EVIL
                        + "\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n",
                "HTTP/1.1 403 ");
        rig.assertNothingForwardedAndStillServes();
    }

    @Test
    @DisplayName(
            "P8: a POST with Expect gets 100 Continue, then, once the body is sent, the backend's answer; one request, no Expect, at the backend")
    void postWithExpect() throws Exception {
        try (Wire wire = Wire.connect(rig)) {
            wire.send("POST /upload HTTP/1.1\r\nHost: api.test\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");

            assertThat(wire.readHead()).isEqualTo(CONTINUE);
            wire.send("hello");
            RawResponse answer = wire.readResponse();
            wire.send("GET /marker HTTP/1.1\r\nHost: api.test\r\n\r\n");
            RawResponse marker = wire.readResponse();

            assertThat(answer.status()).as("%s", answer).isEqualTo(200);
            assertThat(answer.bodyText()).isEqualTo("POST /upload");
            assertThat(marker.bodyText()).isEqualTo("GET /marker");
        }
        assertForwardedOnce("POST /upload", "hello");
    }

    @Test
    @DisplayName(
            "P8: a chunked POST with Expect gets 100 Continue, then the backend's answer; one request, no Expect, at the backend")
    void chunkedPostWithExpect() throws Exception {
        try (Wire wire = Wire.connect(rig)) {
            wire.send("POST /upload HTTP/1.1\r\nHost: api.test\r\nTransfer-Encoding: chunked\r\n"
                    + "Expect: 100-continue\r\n\r\n");

            assertThat(wire.readHead()).isEqualTo(CONTINUE);
            wire.send("5\r\nhello\r\n0\r\n\r\n");
            RawResponse answer = wire.readResponse();
            wire.send("GET /marker HTTP/1.1\r\nHost: api.test\r\n\r\n");
            RawResponse marker = wire.readResponse();

            assertThat(answer.status()).as("%s", answer).isEqualTo(200);
            assertThat(answer.bodyText()).isEqualTo("POST /upload");
            assertThat(marker.bodyText()).isEqualTo("GET /marker");
        }
        assertForwardedOnce("POST /upload", "hello");
    }

    @Test
    @DisplayName("P8: Expect on a request without a body: no 100 at all, just the backend's answer")
    void bodylessRequestWithExpect() throws Exception {
        try (Wire wire = Wire.connect(rig)) {
            wire.send("GET /plain HTTP/1.1\r\nHost: api.test\r\nExpect: 100-continue\r\n\r\n");

            assertThat(wire.readHead()).startsWith("HTTP/1.1 200 ");
            wire.skipBody("GET /plain".length());
            wire.send("GET /marker HTTP/1.1\r\nHost: api.test\r\n\r\n");
            RawResponse marker = wire.readResponse();

            assertThat(marker.bodyText())
                    .as("the next response, no stray 100 before it")
                    .isEqualTo("GET /marker");
        }
        RecordingSocketBackend backend = rig.settle();
        assertThat(backend.requests())
                .extracting(RecordingSocketBackend.Request::line)
                .containsExactly("GET /plain", "GET /marker");
        assertThat(backend.requests().getFirst().headers("Expect")).isEmpty();
    }

    @Test
    @DisplayName(
            "P8: a client that sends the body without waiting for 100 gets one final answer; one request at the backend")
    void bodySentWithoutWaiting() throws Exception {
        try (RawClient client = rig.raw()) {
            // readResponse skips the interim 100, as a client does.
            RawResponse answer = client.exchange(
                    "POST /eager HTTP/1.1\r\nHost: api.test\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\nhello");
            RawResponse marker = client.exchange("GET /marker HTTP/1.1\r\nHost: api.test\r\n\r\n");

            assertThat(answer.bodyText()).as("%s", answer).isEqualTo("POST /eager");
            assertThat(marker.bodyText()).as("%s", marker).isEqualTo("GET /marker");
        }
        assertForwardedOnce("POST /eager", "hello");
    }

    @Test
    @DisplayName(
            "P8: Expect: 100-continue on HTTP/1.0 is ignored (RFC 9110 10.1.1): no 100 to a 1.0 client, the body forwarded")
    void http10ExpectIsIgnored() throws Exception {
        try (RawClient client = rig.raw()) {
            // An HTTP/1.0 client cannot read a 1xx (RFC 9110 15.2); it sends its body at once.
            client.send(
                    "POST /old HTTP/1.0\r\nHost: api.test\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\nhello");

            RawClient.Received received = client.readUntilClose();

            assertThat(received.text())
                    .startsWith("HTTP/1.1 200 ")
                    .doesNotContain("100 Continue")
                    .endsWith("POST /old");
        }
        RecordingSocketBackend backend = rig.settle();
        assertThat(backend.requests())
                .extracting(RecordingSocketBackend.Request::line)
                .containsExactly("POST /old");
        assertThat(backend.requests().getFirst().bodyText()).isEqualTo("hello");
        assertThat(backend.unparsed()).isEmpty();
    }

    /** Sends a head with Expect and reads until the proxy closes: one final answer, no 100 before it. */
    private void assertAnsweredWithout100(String head, String statusLinePrefix) throws Exception {
        try (RawClient client = rig.raw()) {
            client.send(head);

            RawClient.Received received = client.readUntilClose();

            assertThat(received.text()).startsWith(statusLinePrefix).doesNotContain("100 Continue");
            assertThat(received.text()).as("the answer says it closes").containsIgnoringCase("connection: close");
            assertThat(received.closedByPeer())
                    .as("the proxy closed the connection")
                    .isTrue();
        }
    }

    private void assertForwardedOnce(String line, String body) {
        RecordingSocketBackend backend = rig.settle();
        assertThat(backend.requests())
                .extracting(RecordingSocketBackend.Request::line)
                .containsExactly(line, "GET /marker");
        RecordingSocketBackend.Request request = backend.requests().getFirst();
        assertThat(request.bodyText()).as("body of\n%s", request).isEqualTo(body);
        assertThat(request.headers("Expect")).as("in\n%s", request).isEmpty();
        assertThat(backend.unparsed()).isEmpty();
    }

    /** A plain socket that can read an interim response on its own, which {@link RawClient} skips. */
    private static final class Wire implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;

        private Wire(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new BufferedInputStream(socket.getInputStream());
        }

        static Wire connect(RecordingRig rig) throws IOException {
            String[] authority = rig.authority().split(":");
            Socket socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.setSoTimeout((int) Await.PATIENCE.toMillis());
            socket.connect(new InetSocketAddress(authority[0], Integer.parseInt(authority[1])), 10_000);
            return new Wire(socket);
        }

        void send(String text) throws IOException {
            socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
        }

        /** The next response head, up to and including its empty line. */
        String readHead() throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    throw new EOFException("closed after " + head.toString(StandardCharsets.ISO_8859_1));
                }
                head.write(b);
            }
            return head.toString(StandardCharsets.ISO_8859_1);
        }

        void skipBody(int length) throws IOException {
            assertThat(in.readNBytes(length)).hasSize(length);
        }

        RawResponse readResponse() throws IOException {
            return HttpResponseReader.read(in, "POST");
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
