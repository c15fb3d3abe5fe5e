package dev.preflight.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggerContextListener;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.AsyncAppenderBase;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import dev.preflight.config.AccessLogSettings;
import dev.preflight.proxy.AccessLogEntry;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.slf4j.LoggerFactory;

/**
 * Sets up logging for {@code run} (O6): everything to stdout, as text or as JSON lines (Logback's
 * own JSON encoder, which writes the access log's key-value pairs as fields). Text access-log lines
 * go through {@link AccessLineWriter}; JSON ones through Logback's asynchronous appender, with the
 * same bounded queue that drops, and counts, rather than block an event loop when stdout cannot keep
 * up, and the same batched writes.
 */
public final class LogSetup {
    static final String ACCESS_LOGGER = "preflight.access";
    /** Application lines waiting for stdout; a burst past it is dropped (O6). */
    static final int APPLICATION_QUEUE = 1024;

    private LogSetup() {}

    /**
     * Where the access log goes.
     *
     * @param text the writer of text lines for the proxy, or null when the lines are JSON (they go
     *     to the {@code preflight.access} logger)
     * @param dropped lines dropped so far because the writer could not keep up, for the metrics
     */
    public record AccessLines(Consumer<AccessLogEntry> text, LongAdder dropped) {}

    public static AccessLines apply(AccessLogSettings settings) {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        boolean json = settings.format() == AccessLogSettings.Format.JSON;
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        if (json) {
            root.detachAndStopAllAppenders();
            root.addAppender(LogDefaults.stdout(context, json(context)));
        }
        behindQueue(context, root);
        Logger access = context.getLogger(ACCESS_LOGGER);
        access.detachAndStopAllAppenders();
        access.setAdditive(false);
        access.setLevel(settings.enabled() && json ? Level.INFO : Level.OFF);
        if (!json) {
            if (!settings.enabled()) {
                return new AccessLines(null, new LongAdder());
            }
            AccessLineWriter writer = AccessLineWriter.start(stdout());
            context.addListener(new CloseOnStop(writer)); // Main stops the context on the way out
            return new AccessLines(writer, writer.dropped);
        }
        DroppingAsyncAppender async = new DroppingAsyncAppender();
        async.setContext(context);
        async.setName("ACCESS");
        async.setQueueSize(AccessLineWriter.QUEUE);
        async.setDiscardingThreshold(0); // keep every level until the queue is full
        async.setNeverBlock(true);
        async.addAppender(batchingStdout(context, async, json(context)));
        async.start();
        access.addAppender(async);
        return new AccessLines(null, async.dropped);
    }

    /**
     * The application log's stdout (the default one, text or JSON; an operator's own Logback file is
     * left as it is) behind a bounded queue of its own that drops rather than waits, as the access
     * log does: its lines come from event loops too (a refused CORS request's, at most ten a second,
     * which any client can cause), and a stdout that stops taking them (a full pipe, a log driver that
     * blocks) must not stop the proxy with them. The queue's thread waits on stdout instead; what the
     * queue still holds when the process stops is written within a second, if stdout takes it.
     */
    private static void behindQueue(LoggerContext context, Logger root) {
        Appender<ILoggingEvent> stdout = root.getAppender(LogDefaults.STDOUT);
        if (stdout == null) {
            return;
        }
        root.detachAppender(stdout);
        DroppingAsyncAppender queue = new DroppingAsyncAppender();
        queue.setContext(context);
        queue.setName("STDOUT_QUEUE");
        queue.setQueueSize(APPLICATION_QUEUE);
        queue.setDiscardingThreshold(0); // keep every level until the queue is full
        queue.setNeverBlock(true);
        queue.addAppender(stdout);
        queue.start();
        root.addAppender(queue);
    }

    /** The process's stdout, unbuffered (the writers batch), and never closed by them. */
    private static OutputStream stdout() {
        return new FileOutputStream(FileDescriptor.out) {
            @Override
            public void close() {}
        };
    }

    /**
     * The JSON access log's writer, behind the asynchronous appender: lines gather while more wait
     * in the queue and leave together when it runs dry, after which it lingers 20 ms so that the
     * next ones gather too, in writes of at most 4 KiB, as {@link AccessLineWriter} does for text.
     */
    private static OutputStreamAppender<ILoggingEvent> batchingStdout(
            LoggerContext context, AsyncAppenderBase<ILoggingEvent> queue, Encoder<ILoggingEvent> encoder) {
        OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>() {
            @Override
            protected void subAppend(ILoggingEvent event) {
                super.subAppend(event);
                if (queue.getNumberOfElementsInQueue() == 0) {
                    try {
                        getOutputStream().flush();
                    } catch (IOException e) {
                        addError("cannot write the access log", e);
                    }
                    LockSupport.parkNanos(AccessLineWriter.LINGER_NANOS);
                }
            }
        };
        appender.setContext(context);
        appender.setName("ACCESS_STDOUT");
        appender.setEncoder(encoder);
        appender.setImmediateFlush(false);
        // Stopping flushes but never closes the process's stdout.
        appender.setOutputStream(new BufferedOutputStream(stdout(), 4096) {
            @Override
            public void close() throws IOException {
                flush();
            }
        });
        appender.start();
        return appender;
    }

    private static Encoder<ILoggingEvent> json(LoggerContext context) {
        JsonEncoder encoder = new JsonEncoder();
        encoder.setContext(context);
        // The message as a reader wants it ("listening on /0.0.0.0:8080"), not its template and
        // an arguments array.
        encoder.setWithFormattedMessage(true);
        encoder.setWithMessage(false);
        encoder.setWithArguments(false);
        encoder.start();
        return encoder;
    }

    /**
     * Writes the text access log's last lines when Logback stops, as the process ends. A class, not a
     * record: Logback compares listeners with {@code equals} as it resets, and a record's equals is
     * made at its first call (method handles the AOT cache does not keep), about 15 ms of the start.
     */
    private static final class CloseOnStop implements LoggerContextListener {
        private final AccessLineWriter writer;

        CloseOnStop(AccessLineWriter writer) {
            this.writer = writer;
        }

        @Override
        public boolean isResetResistant() {
            return true;
        }

        @Override
        public void onStart(LoggerContext context) {}

        @Override
        public void onReset(LoggerContext context) {}

        @Override
        public void onStop(LoggerContext context) {
            writer.close();
        }

        @Override
        public void onLevelChange(Logger logger, Level level) {}
    }

    /** An asynchronous appender that counts what it drops when its queue is full. */
    static final class DroppingAsyncAppender extends AsyncAppenderBase<ILoggingEvent> {
        final LongAdder dropped = new LongAdder();

        @Override
        protected void append(ILoggingEvent event) {
            if (getRemainingCapacity() == 0) {
                dropped.increment();
                return;
            }
            event.prepareForDeferredProcessing();
            super.append(event);
        }
    }
}
