package dev.preflight.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AsyncAppenderBase;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.EncoderBase;
import ch.qos.logback.core.util.CachingDateFormatter;
import dev.preflight.config.AccessLogSettings;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.LoggerFactory;

/**
 * Sets up logging for {@code run} (O6): everything to stdout, as text or as JSON lines (Logback's
 * own JSON encoder, which writes the access log's key-value pairs as fields). The access log goes
 * through an asynchronous appender with a bounded queue that drops, and counts, rather than block an
 * event loop when stdout cannot keep up.
 */
public final class LogSetup {
    static final String ACCESS_LOGGER = "preflight.access";
    private static final int ACCESS_QUEUE = 8192;
    // 20 ms: at most 50 wake-ups a second when busy; 2 ms made 0.86 context switches per forwarded
    // GET against 0.73, and about 2 µs more CPU per request (issue 7).
    private static final long LINGER_NANOS = 20_000_000;

    private LogSetup() {}

    /** @return the count of access-log lines dropped so far, for the metrics */
    public static LongAdder apply(AccessLogSettings settings) {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        boolean json = settings.format() == AccessLogSettings.Format.JSON;
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        if (json) {
            root.detachAndStopAllAppenders();
            root.addAppender(LogDefaults.stdout(context, json(context)));
        }
        Logger access = context.getLogger(ACCESS_LOGGER);
        access.detachAndStopAllAppenders();
        access.setAdditive(false);
        access.setLevel(settings.enabled() ? Level.INFO : Level.OFF);
        DroppingAsyncAppender async = new DroppingAsyncAppender();
        async.setContext(context);
        async.setName("ACCESS");
        async.setQueueSize(ACCESS_QUEUE);
        async.setDiscardingThreshold(0); // keep every level until the queue is full
        async.setNeverBlock(true);
        async.addAppender(batchingStdout(context, async, json ? json(context) : AccessLineEncoder.started(context)));
        async.start();
        access.addAppender(async);
        return async.dropped;
    }

    /**
     * The access log's writer, behind the asynchronous appender: lines gather while more wait in the
     * queue and leave together when it runs dry, after which it lingers 20 ms so that the next ones
     * gather too. A busy proxy then makes one {@code write(2)} and one thread wake-up per few dozen
     * lines instead of one of each per line (measured with strace under a preflight load: a write
     * and almost three futex calls per request, the write alone about 7 % of the CPU samples), and a
     * quiet one still writes each line at once. Batches stay within 4 KiB, the
     * size up to which a write to a pipe is never interleaved with another writer's (the
     * application log, on the same stdout).
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
                    // Linger: the lines of the next moment gather in the queue and leave in one
                    // write, instead of each waking this thread (a futex call each way) on its own.
                    LockSupport.parkNanos(LINGER_NANOS);
                }
            }
        };
        appender.setContext(context);
        appender.setName("ACCESS_STDOUT");
        appender.setEncoder(encoder);
        appender.setImmediateFlush(false);
        // Stopping flushes but never closes the process's stdout.
        appender.setOutputStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 4096) {
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
     * The access log's text line, as the pattern {@code %d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %msg%n}
     * writes it (the time in the JVM's zone), with one string and one byte array per line where
     * Logback's pattern layout makes a builder, a string and the bytes: the layout's builder alone
     * was about 6 % of what a busy proxy allocated (issue 7).
     */
    static final class AccessLineEncoder extends EncoderBase<ILoggingEvent> {
        private final CachingDateFormatter time = new CachingDateFormatter("yyyy-MM-dd'T'HH:mm:ss.SSSXXX");

        static AccessLineEncoder started(LoggerContext context) {
            AccessLineEncoder encoder = new AccessLineEncoder();
            encoder.setContext(context);
            encoder.start();
            return encoder;
        }

        @Override
        public byte[] headerBytes() {
            return null;
        }

        @Override
        public byte[] encode(ILoggingEvent event) {
            String line =
                    time.format(event.getTimeStamp()) + ' ' + event.getFormattedMessage() + System.lineSeparator();
            return line.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public byte[] footerBytes() {
            return null;
        }
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
