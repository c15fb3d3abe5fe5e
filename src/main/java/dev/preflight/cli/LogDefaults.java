package dev.preflight.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * Logback's starting configuration, found through {@code META-INF/services} before Logback looks for
 * a {@code logback.xml}: text lines to stdout, the root at {@code $PREFLIGHT_LOG_LEVEL} (default
 * INFO), Netty at WARN. Set in code because parsing the same few lines of XML took about a tenth of a
 * second of every start (issue 7). {@code -Dlogback.configurationFile=FILE} still replaces it with
 * an XML file of the operator's. {@link LogSetup} then adds the access log and, when asked, JSON.
 */
public final class LogDefaults extends ContextAwareBase implements Configurator {
    /** How both logs write the time (ISO 8601 to the millisecond), always in UTC. */
    static final String TIME = "yyyy-MM-dd'T'HH:mm:ss.SSSXXX";

    /** The name of the application log's stdout appender. */
    static final String STDOUT = "STDOUT";

    /**
     * The time in UTC whatever the JVM's zone, as the access log writes it: the zone {@code Z} (UTC as
     * an offset) rather than the system's, whose lookup loads the JDK's time-zone database, a sixth of
     * Logback's start, which every Netty class waits for (issue 7).
     */
    private static final String PATTERN = "%d{" + TIME + ", Z} %-5level [%thread] %logger{24} - %msg%n";

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty("logback.configurationFile") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.toLevel(System.getenv("PREFLIGHT_LOG_LEVEL"), Level.INFO));
        root.addAppender(stdout(context, pattern(context, PATTERN)));
        context.getLogger("io.netty").setLevel(Level.WARN);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    static ConsoleAppender<ILoggingEvent> stdout(LoggerContext context, Encoder<ILoggingEvent> encoder) {
        ConsoleAppender<ILoggingEvent> stdout = new ConsoleAppender<>();
        stdout.setContext(context);
        stdout.setName(STDOUT);
        stdout.setEncoder(encoder);
        stdout.start();
        return stdout;
    }

    private static PatternLayoutEncoder pattern(LoggerContext context, String pattern) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(pattern);
        encoder.start();
        return encoder;
    }
}
