package dev.preflight.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** O6: the access log's text lines are byte for byte what Logback's pattern layout wrote before. */
class AccessLineEncoderTest {
    private final LoggerContext context = new LoggerContext();

    @ParameterizedTest
    @ValueSource(longs = {0L, 1_764_950_400_123L, 1_764_950_400_999L, 1_780_000_000_001L})
    void sameBytesAsThePatternLayout(long millis) {
        LoggingEvent event = event("127.0.0.1 \"GET /a?b\" 200 in=0 out=62 1.234ms route=default", millis);

        assertThat(LogSetup.AccessLineEncoder.started(context).encode(event))
                .isEqualTo(pattern().encode(event));
    }

    @Test
    void nonAsciiInTheMessageIsUtf8() {
        LoggingEvent event = event("127.0.0.1 \"GET /caf\u00e9\" 400", 1_764_950_400_123L);

        byte[] line = LogSetup.AccessLineEncoder.started(context).encode(event);

        assertThat(new String(line, StandardCharsets.UTF_8))
                .endsWith(" 127.0.0.1 \"GET /caf\u00e9\" 400" + System.lineSeparator());
        assertThat(line).isEqualTo(pattern().encode(event));
    }

    @Test
    void noHeaderOrFooter() {
        LogSetup.AccessLineEncoder encoder = LogSetup.AccessLineEncoder.started(context);

        assertThat(encoder.headerBytes()).isNull();
        assertThat(encoder.footerBytes()).isNull();
    }

    private LoggingEvent event(String message, long millis) {
        LoggingEvent event = new LoggingEvent(
                AccessLineEncoderTest.class.getName(),
                context.getLogger("preflight.access"),
                Level.INFO,
                message,
                null,
                null);
        event.setTimeStamp(millis);
        return event;
    }

    private PatternLayoutEncoder pattern() {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %msg%n");
        encoder.setCharset(StandardCharsets.UTF_8);
        encoder.start();
        return encoder;
    }
}
