package dev.preflight.testing;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;

/**
 * What one logger (and the loggers under it) logs from the moment this opens until it closes. The
 * proxy's event loops log while a test reads, so the events are kept in a thread-safe list and read
 * as snapshots; Logback's {@code ListAppender} keeps a plain {@code ArrayList} that a test would read
 * while another thread adds to it.
 */
public final class LogCapture implements AutoCloseable {
    private final Logger logger;
    private final List<ILoggingEvent> events = new CopyOnWriteArrayList<>();
    private final AppenderBase<ILoggingEvent> appender = new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent event) {
            events.add(event);
        }
    };

    private LogCapture(Logger logger) {
        this.logger = logger;
        appender.setContext(logger.getLoggerContext());
        appender.start();
        logger.addAppender(appender);
    }

    /** Captures the logger of this name, and every logger under it. */
    public static LogCapture of(String loggerName) {
        return new LogCapture((Logger) LoggerFactory.getLogger(loggerName));
    }

    /** Captures the logger named after {@code type}. */
    public static LogCapture of(Class<?> type) {
        return of(type.getName());
    }

    /** Captures everything the process logs. */
    public static LogCapture all() {
        return of(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }

    /** The events logged so far, oldest first: a snapshot. */
    public List<ILoggingEvent> events() {
        return List.copyOf(events);
    }

    /** The messages logged so far, formatted, oldest first: a snapshot. */
    public List<String> messages() {
        return events.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    /** How many events were logged so far. */
    public int size() {
        return events.size();
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        appender.stop();
    }
}
