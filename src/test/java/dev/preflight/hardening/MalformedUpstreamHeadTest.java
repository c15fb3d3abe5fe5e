package dev.preflight.hardening;

import static dev.preflight.testing.ProblemAssertions.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.preflight.hardening.BackendFaultServer.Then;
import dev.preflight.proxy.upstream.UpstreamResponseHandler;
import dev.preflight.testing.RawClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

/**
 * P6: a head the response decoder cannot read comes to the proxy as one full message, its failure
 * marked on it. It is answered 502 and released once: its content half was released a second time
 * (a refcount error, swallowed where the connection closed; found by probing with JFR). The proxy
 * now says when something unexpected closes an upstream connection, so such a fault shows here.
 */
class MalformedUpstreamHeadTest {
    private final Logger logger = (Logger) LoggerFactory.getLogger(UpstreamResponseHandler.class);
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();

    @BeforeEach
    void capture() {
        lines.start();
        logger.addAppender(lines);
    }

    @AfterEach
    void release() {
        logger.detachAppender(lines);
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

        assertThat(lines.list).as("unexpected errors on upstream connections").isEmpty();
    }
}
