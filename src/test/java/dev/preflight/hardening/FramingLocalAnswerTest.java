package dev.preflight.hardening;

import static dev.preflight.hardening.RecordingRig.SMUGGLED;
import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.testing.RawClient;
import dev.preflight.testing.RawResponse;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * C14: a request the proxy answers itself (a preflight, a 403) may carry a body whose bytes form
 * another request. The proxy answers, says {@code Connection: close} and closes, so those bytes are
 * neither forwarded nor answered. A body on a request that is forwarded stays its body: the backend
 * gets one request holding those bytes, and the next request on the connection is the next one.
 */
@Timeout(60)
class FramingLocalAnswerTest {

    private static final String APP = "http://app.example";
    private static final String EVIL = "http://evil.example";
    private static final String PREFLIGHT = "OPTIONS /items HTTP/1.1\r\nHost: api.test\r\nOrigin: " + APP
            + "\r\nAccess-Control-Request-Method: PUT\r\n";

    @AutoClose
    RecordingRig rig;

    @BeforeEach
    void start() throws Exception {
        rig = RecordingRig.start(
                "cors.allowed-origins = [\"" + APP + "\"]",
                "cors.allowed-methods = [\"GET\", \"PUT\"]",
                "cors.disallowed-origin = reject");
    }

    @Test
    @DisplayName(
            "C14: a preflight whose Content-Length body is a request: 204 with Connection: close, then close; the body never reaches the backend")
    void preflightWithLengthBody() throws Exception {
        try (RawClient client = rig.raw()) {
            client.send(PREFLIGHT + "Content-Length: " + SMUGGLED.length() + "\r\n\r\n" + SMUGGLED);

            assertAnsweredLocallyAndClosed(client, 204);
        }
        rig.assertNothingForwardedAndStillServes();
    }

    @Test
    @DisplayName(
            "C14: a preflight whose chunked body is a request: 204 with Connection: close, then close; the body never reaches the backend")
    void preflightWithChunkedBody() throws Exception {
        try (RawClient client = rig.raw()) {
            client.send(PREFLIGHT + "Transfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(SMUGGLED.length())
                    + "\r\n" + SMUGGLED + "\r\n0\r\n\r\n");

            assertAnsweredLocallyAndClosed(client, 204);
        }
        rig.assertNothingForwardedAndStillServes();
    }

    @Test
    @DisplayName(
            "C14: a preflight with a body, then a request in the same write: one 204 and close; neither the body nor the request is answered")
    void preflightWithBodyThenPipelinedRequest() throws Exception {
        try (RawClient client = rig.raw()) {
            client.send(PREFLIGHT + "Content-Length: " + SMUGGLED.length() + "\r\n\r\n" + SMUGGLED
                    + "GET /pipelined HTTP/1.1\r\nHost: api.test\r\n\r\n");

            assertAnsweredLocallyAndClosed(client, 204);
        }
        rig.assertNothingForwardedAndStillServes();
    }

    @Test
    @DisplayName(
            "C14/C9: a GET from a disallowed origin whose body is a request: 403 with Connection: close, then close; nothing reaches the backend")
    void rejectedGetWithBody() throws Exception {
        try (RawClient client = rig.raw()) {
            client.send("GET /items HTTP/1.1\r\nHost: api.test\r\nOrigin: " + EVIL + "\r\nContent-Length: "
                    + SMUGGLED.length() + "\r\n\r\n" + SMUGGLED);

            assertAnsweredLocallyAndClosed(client, 403);
        }
        rig.assertNothingForwardedAndStillServes();
    }

    @Test
    @DisplayName(
            "C14: a forwarded GET whose body is a request: the backend gets one GET holding those bytes, and the next response is the next request's")
    void forwardedGetWithBody() throws Exception {
        try (RawClient client = rig.raw()) {
            RawResponse get = client.exchange("GET /items HTTP/1.1\r\nHost: api.test\r\nOrigin: " + APP
                    + "\r\nContent-Length: " + SMUGGLED.length() + "\r\n\r\n" + SMUGGLED);
            RawResponse marker = client.exchange("GET /marker HTTP/1.1\r\nHost: api.test\r\n\r\n");

            assertThat(get.bodyText()).as("%s", get).isEqualTo("GET /items");
            assertThat(marker.bodyText())
                    .as("the response after it: %s", marker)
                    .isEqualTo("GET /marker");
        }
        RecordingSocketBackend backend = rig.settle();
        assertThat(backend.requests())
                .extracting(RecordingSocketBackend.Request::line)
                .containsExactly("GET /items", "GET /marker");
        assertThat(backend.requests().getFirst().bodyText()).isEqualTo(SMUGGLED);
        assertThat(backend.unparsed()).isEmpty();
    }

    @Test
    @DisplayName(
            "C14: a preflight without a body keeps the connection; the next request is forwarded, the preflight is not")
    void bodylessPreflightKeepsTheConnection() throws Exception {
        try (RawClient client = rig.raw()) {
            RawResponse preflight = client.exchange(PREFLIGHT + "\r\n");
            RawResponse marker = client.exchange("GET /marker HTTP/1.1\r\nHost: api.test\r\n\r\n");

            assertThat(preflight.status()).as("%s", preflight).isEqualTo(204);
            assertThat(preflight.connectionTokens()).doesNotContain("close");
            assertThat(marker.bodyText()).as("%s", marker).isEqualTo("GET /marker");
        }
        RecordingSocketBackend backend = rig.settle();
        assertThat(backend.requests())
                .extracting(RecordingSocketBackend.Request::line)
                .containsExactly("GET /marker");
        assertThat(backend.unparsed()).isEmpty();
    }

    private static void assertAnsweredLocallyAndClosed(RawClient client, int status) throws Exception {
        RawResponse answer = client.readResponse("OPTIONS");
        assertThat(answer.status()).as("%s", answer).isEqualTo(status);
        assertThat(answer.connectionTokens()).as("Connection of\n%s", answer).contains("close");
        RecordingRig.assertClosedWithNothingMore(client);
    }
}
