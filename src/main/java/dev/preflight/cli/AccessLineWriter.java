package dev.preflight.cli;

import ch.qos.logback.core.util.CachingDateFormatter;
import dev.preflight.proxy.AccessLogEntry;
import io.netty.util.internal.PlatformDependent;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.slf4j.LoggerFactory;

/**
 * The text access log's writer (O6): event loops hand it entries through a bounded lock-free queue
 * (Netty's multi-producer queue, the one its event loops take tasks from), and its own thread
 * formats them as {@code 2026-11-23T19:21:49.924Z <message>} lines, the time in UTC, and
 * writes them to stdout in batches. An event loop's part is one small object, a clock read and a
 * compare-and-set, about 0.1 µs of CPU per request under async-profiler where Logback's asynchronous
 * appender, which this replaces for text lines, cost it about 0.8 µs (an event with the caller's
 * thread name and context, a lock taken and released per line, a string for the line; issue 7).
 *
 * <p>When the queue is full a line is dropped and counted, never waited for. Lines gather while
 * more wait and leave together when the queue runs dry, after which the writer lingers 20 ms so
 * that the next ones gather too: a busy proxy makes one {@code write(2)} and one wake-up per few
 * dozen lines, and a quiet one still writes each line at once. A batch stays within 4 KiB, the size
 * up to which a write to a pipe is never interleaved with another writer's (the application log, on
 * the same stdout); a line that might take more (over 1365 chars, a char taking up to three bytes)
 * goes alone.
 */
final class AccessLineWriter implements Consumer<AccessLogEntry>, AutoCloseable {
    static final int QUEUE = 8192;
    private static final int BATCH = 4096;
    private static final int MAX_BYTES_PER_CHAR = 3; // UTF-8, a char being at most U+FFFF
    // 20 ms: at most 50 wake-ups a second when busy; 2 ms made 0.86 context switches per forwarded
    // GET against 0.73, and about 2 µs more CPU per request (issue 7).
    static final long LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    final LongAdder dropped = new LongAdder();
    private final Queue<AccessLogEntry> queue = PlatformDependent.newFixedMpscQueue(QUEUE);
    private final OutputStream out;
    private final Thread thread;
    private final CachingDateFormatter time = new CachingDateFormatter(LogDefaults.TIME, ZoneOffset.UTC);
    // The time stamp of the second being written, around its milliseconds: Logback's formatter keeps
    // only the last millisecond's, and formatting one took 0.1 µs a line at 15k lines a second.
    private long stampSecond = Long.MIN_VALUE;
    private String stampHead;
    private String stampTail;
    // The writer thread's own, reused for every line.
    private final StringBuilder line = new StringBuilder(256);
    private final byte[] batch = new byte[BATCH];
    private final ByteBuffer batchBuffer = ByteBuffer.wrap(batch);
    private final char[] chars = new char[BATCH / MAX_BYTES_PER_CHAR];
    private final CharBuffer charBuffer = CharBuffer.wrap(chars);
    private final CharsetEncoder utf8 = StandardCharsets.UTF_8
            .newEncoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE);
    private int batched;
    private boolean failed;
    /** Set by the writer just before it parks with nothing to do; producers then wake it. */
    private volatile boolean sleeping;

    private volatile boolean closing;

    private AccessLineWriter(OutputStream out) {
        this.out = out;
        this.thread = Thread.ofPlatform().name("preflight-access-log").daemon().unstarted(this::run);
    }

    /** A writer to {@code out} with its thread started. */
    static AccessLineWriter start(OutputStream out) {
        AccessLineWriter writer = new AccessLineWriter(out);
        writer.thread.start();
        return writer;
    }

    /** Queues the line of {@code entry}, or drops and counts it when the queue is full; never blocks. */
    @Override
    public void accept(AccessLogEntry entry) {
        if (!queue.offer(entry)) {
            dropped.increment();
            return;
        }
        // The offer's compare-and-set comes before this read, and the writer's write of the flag
        // before its last look at the queue: one of the two sees the other, so no line is left
        // waiting on a sleeping writer.
        if (sleeping) {
            LockSupport.unpark(thread);
        }
    }

    /** Writes what is queued and stops the thread; waits at most a second for it. */
    @Override
    public void close() {
        closing = true;
        LockSupport.unpark(thread);
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        while (true) {
            AccessLogEntry entry = queue.poll();
            if (entry != null) {
                append(entry);
                continue;
            }
            if (batched > 0) {
                writeBatch();
                // Linger: the lines of the next moment gather in the queue and leave in one write,
                // instead of each waking this thread on its own.
                LockSupport.parkNanos(this, LINGER_NANOS);
                continue;
            }
            if (closing) {
                return;
            }
            sleeping = true;
            VarHandle.fullFence();
            if (queue.isEmpty() && !closing) {
                LockSupport.park(this);
            }
            sleeping = false;
        }
    }

    private void append(AccessLogEntry entry) {
        line.setLength(0);
        appendTime(entry.epochMillis()).append(' ');
        entry.appendMessage(line).append(System.lineSeparator());
        int length = line.length();
        // A path may carry bytes past ASCII (the decoder reads each as one char): UTF-8, at most
        // three bytes a char. Encoded straight into the batch, through the JDK's encoder (which
        // copies an ASCII run in bulk); a line that might not fit in a batch of its own goes the
        // longer way and alone.
        if (length * MAX_BYTES_PER_CHAR > BATCH) {
            writeBatch();
            byte[] bytes = line.toString().getBytes(StandardCharsets.UTF_8);
            write(bytes, bytes.length);
            return;
        }
        if (batched + length * MAX_BYTES_PER_CHAR > BATCH) {
            writeBatch();
        }
        line.getChars(0, length, chars, 0);
        CharBuffer in = charBuffer.clear().limit(length);
        ByteBuffer out = batchBuffer.clear().position(batched);
        utf8.reset().encode(in, out, true);
        utf8.flush(out);
        batched = out.position();
    }

    /**
     * {@code 2026-11-23T19:21:49.924Z}: Logback's formatting of the line's second, once a second, with
     * the milliseconds put in (the pattern's {@code .SSS}, three digits after the seconds' dot).
     */
    StringBuilder appendTime(long epochMillis) {
        long second = Math.floorDiv(epochMillis, 1000);
        if (second != stampSecond) {
            String whole = time.format(second * 1000);
            int dot = whole.lastIndexOf('.');
            stampHead = whole.substring(0, dot + 1);
            stampTail = whole.substring(dot + 4);
            stampSecond = second;
        }
        int millis = (int) Math.floorMod(epochMillis, 1000);
        line.append(stampHead);
        if (millis < 100) {
            line.append(millis < 10 ? "00" : "0");
        }
        return line.append(millis).append(stampTail);
    }

    private void writeBatch() {
        if (batched > 0) {
            write(batch, batched);
            batched = 0;
        }
    }

    private void write(byte[] bytes, int length) {
        try {
            out.write(bytes, 0, length);
        } catch (IOException e) {
            if (!failed) { // once: stdout is broken for good, and each line would say so again
                failed = true;
                LoggerFactory.getLogger(AccessLineWriter.class).error("cannot write the access log", e);
            }
        }
    }
}
