package dev.preflight.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator.ExecutionStatus;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import java.nio.charset.StandardCharsets;
import java.util.TimeZone;
import org.junit.jupiter.api.Test;

/** Logback's starting configuration, in code instead of a logback.xml (O6, issue 7). */
class LogDefaultsTest {
    @Test
    void textToStdoutWithNettyAtWarn() {
        LoggerContext context = new LoggerContext();

        ExecutionStatus status = new LogDefaults().configure(context);

        assertThat(status).isEqualTo(ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        assertThat(root.getAppender("STDOUT")).isInstanceOf(ConsoleAppender.class);
        assertThat(root.getAppender("STDOUT").isStarted()).isTrue();
        assertThat(context.getLogger("io.netty").getLevel()).isEqualTo(Level.WARN);
        assertThat(context.getLogger("io.netty.channel").isInfoEnabled()).isFalse();
    }

    @Test
    void timesAreUtcWhateverTheJvmsZone() {
        TimeZone jvms = TimeZone.getDefault();
        TimeZone.setDefault(TimeZone.getTimeZone("America/New_York"));
        try {
            LoggerContext context = new LoggerContext();
            new LogDefaults().configure(context);
            Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
            LoggingEvent event = new LoggingEvent("test", root, Level.INFO, "hello", null, null);
            event.setTimeStamp(1_764_000_000_123L); // 2025-11-24T16:00:00.123Z

            byte[] line = ((ConsoleAppender<ILoggingEvent>) root.getAppender("STDOUT"))
                    .getEncoder()
                    .encode(event);

            assertThat(new String(line, StandardCharsets.UTF_8))
                    .startsWith("2025-11-24T16:00:00.123Z INFO ")
                    .endsWith(" - hello" + System.lineSeparator());
        } finally {
            TimeZone.setDefault(jvms);
        }
    }

    @Test
    void anOperatorsXmlFileTakesOver() {
        LoggerContext context = new LoggerContext();
        System.setProperty("logback.configurationFile", "/etc/preflight/logback.xml");
        try {
            ExecutionStatus status = new LogDefaults().configure(context);

            assertThat(status).isEqualTo(ExecutionStatus.INVOKE_NEXT_IF_ANY);
            assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME)
                            .iteratorForAppenders()
                            .hasNext())
                    .isFalse();
        } finally {
            System.clearProperty("logback.configurationFile");
        }
    }
}
