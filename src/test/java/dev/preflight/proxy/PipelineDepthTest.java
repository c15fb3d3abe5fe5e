package dev.preflight.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.preflight.testing.LogCapture;
import dev.preflight.testing.ProxyHarness;
import dev.preflight.testing.RawClient;
import dev.preflight.testing.RawResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * P1: a client that sends more requests ahead of their answers than the codec keeps ({@link
 * PipelineDepth}) has the request in progress answered and its connection then closed, which tells it
 * to send the rest again (RFC 9112 9.3.2); none of the rest reaches the backend, and one line among
 * the rejections says so. The connection was closed at once, the request in progress forwarded and
 * its answer lost, and an error with its stack logged at WARN, which any client could write there at
 * will.
 */
@Timeout(60)
class PipelineDepthTest {
    private static final int SENT = 2_000;

    private LogCapture lines;

    @BeforeEach
    void capture() {
        lines = LogCapture.all();
    }

    @AfterEach
    void release() {
        lines.close();
    }

    @Test
    @DisplayName("P1: 2,000 requests sent ahead at once: the one in progress is answered, then the connection"
            + " closes; no other reaches the backend; one rejection line, no warning")
    void answeredThenClosed() throws Exception {
        try (ProxyHarness proxy = ProxyHarness.start();
                RawClient client = proxy.raw()) {
            StringBuilder burst = new StringBuilder();
            for (int i = 0; i < SENT; i++) {
                burst.append("GET /r/").append(i).append(" HTTP/1.1\r\nHost: api\r\n\r\n");
            }
            client.send(burst.toString());

            List<String> answered = new ArrayList<>();
            while (true) {
                RawResponse response;
                try {
                    response = client.readResponse();
                } catch (IOException closed) {
                    break;
                }
                assertThat(response.status()).isEqualTo(200);
                answered.add(response.header("X-Echo-Uri"));
            }

            assertThat(answered).as("the request in progress at least").isNotEmpty();
            assertThat(answered).as("not all: the burst went past the depth").hasSizeLessThan(SENT);
            for (int i = 0; i < answered.size(); i++) {
                assertThat(answered.get(i)).isEqualTo("/r/" + i);
            }
            assertThat(proxy.backend().requests())
                    .as("no request forwarded whose answer the client never got")
                    .hasSameSizeAs(answered);
        }
        List<ILoggingEvent> logged = lines.events();
        assertThat(logged)
                .as("no warning or error, the client's fault")
                .noneMatch(event -> event.getLevel().isGreaterOrEqual(Level.WARN));
        assertThat(logged)
                .filteredOn(event -> event.getLoggerName().equals("preflight.cors"))
                .extracting(ILoggingEvent::getFormattedMessage)
                .anyMatch(line -> line.contains("sent over 128 requests ahead"));
    }
}
