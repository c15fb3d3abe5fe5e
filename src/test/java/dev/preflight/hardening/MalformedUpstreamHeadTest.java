package dev.preflight.hardening;

import static dev.preflight.testing.ProblemAssertions.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.hardening.BackendFaultServer.Then;
import dev.preflight.proxy.upstream.UpstreamResponseHandler;
import dev.preflight.testing.LogCapture;
import dev.preflight.testing.RawClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * P6: a head the response decoder cannot read comes to the proxy as one full message, its failure
 * marked on it. It is answered 502 and released once: its content half was released a second time
 * (a refcount error, swallowed where the connection closed; found by probing with JFR). The proxy
 * now says when something unexpected closes an upstream connection, so such a fault shows here.
 */
class MalformedUpstreamHeadTest {
    private LogCapture lines;

    @BeforeEach
    void capture() {
        lines = LogCapture.of(UpstreamResponseHandler.class);
    }

    @AfterEach
    void release() {
        lines.close();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"HTTP/1.1 abc\r\n\r\n", "garbage\r\n\r\n", "HTTP/1.1 20 OK\r\n\r\n"})
    void answeredOnceAndReleasedOnce(String head) throws Exception {
        try (BackendFaultServer backend =
                        BackendFaultServer.start().on("/fault", BackendFaultServer.raw(head, Then.CLOSE));
                BackendFaultProxy proxy = BackendFaultProxy.start(backend.url(), "");
                RawClient client = proxy.raw()) {
            assertProblem(client.exchange("GET /fault/1 HTTP/1.1\r\nHost: api.test\r\n\r\n"), 502);
            proxy.awaitUpstreamQuiet();
        }

        assertThat(lines.messages())
                .as("unexpected errors on upstream connections")
                .isEmpty();
    }

    @Test
    @DisplayName("P6: an upstream head of more than 256 fields is malformed (502), however small"
            + " each (64 KiB of tiny ones held 2.9 MB per request); 256 pass")
    void tooManyFields() throws Exception {
        String fields = "a: b\r\n";
        try (BackendFaultServer backend = BackendFaultServer.start()
                        .on(
                                "/fault/many",
                                BackendFaultServer.raw(
                                        "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n" + fields.repeat(256) + "\r\n",
                                        Then.CLOSE))
                        .on(
                                "/fault/fewer",
                                BackendFaultServer.raw(
                                        "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n" + fields.repeat(255) + "\r\n",
                                        Then.CLOSE));
                BackendFaultProxy proxy = BackendFaultProxy.start(backend.url(), "");
                RawClient client = proxy.raw()) {
            assertThat(client.exchange("GET /fault/fewer HTTP/1.1\r\nHost: api.test\r\n\r\n")
                            .status())
                    .isEqualTo(200);
            assertProblem(client.exchange("GET /fault/many HTTP/1.1\r\nHost: api.test\r\n\r\n"), 502);
            proxy.awaitUpstreamQuiet();
        }
        assertThat(lines.messages())
                .as("unexpected errors on upstream connections")
                .isEmpty();
    }
}
