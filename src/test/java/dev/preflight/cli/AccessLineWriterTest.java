package dev.preflight.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.LoggingEvent;
import dev.preflight.proxy.AccessLogEntry;
import dev.preflight.testing.Await;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TimeZone;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** O6: the text access log's writer: the lines, their batches, and that it never loses or blocks. */
class AccessLineWriterTest {
    private static final String NL = System.lineSeparator();

    private final Writes out = new Writes();
    private AccessLineWriter writer;

    @AfterEach
    void close() {
        if (writer != null) {
            out.release.countDown();
            writer.close();
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {0L, 1_764_950_400_123L, 1_764_950_400_999L, 1_780_000_000_001L})
    void sameBytesAsLogbacksPatternLayout(long millis) {
        AccessLogEntry entry = entry(millis, "/a", 1_234_567, 857_000);
        writer = AccessLineWriter.start(out);

        writer.accept(entry);

        Await.until("the line is written", () -> out.bytes().length > 0);
        String message = entry.appendMessage(new StringBuilder()).toString();
        assertThat(out.bytes()).isEqualTo(patternLayout(message, millis));
        assertThat(message)
                .isEqualTo("127.0.0.1 \"GET /a\" 200 in=0 out=18 1.235ms route=default"
                        + " cors=actual/allowed/allowed upstream=0.857ms");
    }

    @Test
    void timesWithinASecondAndAcrossSecondsAreLogbacksOnOneWriter() {
        writer = AccessLineWriter.start(out);
        // One writer keeps the formatted second: milliseconds of one and two digits and 999 within it,
        // the next second, one from before (event loops' lines are not strictly in time order), the
        // next minute, day and year.
        long second = 1_764_950_399_000L;
        long[] times = {
            second,
            second + 7,
            second + 42,
            second + 999,
            second + 1000,
            second + 1001,
            second + 998,
            second + 61_005,
            second + 86_400_500,
            1_767_225_599_999L,
            1_767_225_600_000L,
            second + 1
        };
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        for (long millis : times) {
            AccessLogEntry entry = entry(millis, "/t" + millis, 0, -1);
            writer.accept(entry);
            expected.writeBytes(
                    patternLayout(entry.appendMessage(new StringBuilder()).toString(), millis));
        }

        Await.until("every line is written", () -> out.bytes().length == expected.size());
        assertThat(out.text()).isEqualTo(expected.toString(StandardCharsets.UTF_8));
        assertThat(out.text()).contains("2025-12-05T15:59:59.007Z ", "2025-12-31T23:59:59.999Z ");
    }

    @Test
    void notForwardedHasNoUpstreamTime() {
        assertThat(entry(0, "/a", 1_000, -1).appendMessage(new StringBuilder()).toString())
                .endsWith(" 0.001ms route=default cors=actual/allowed/allowed upstream=-");
    }

    @Test
    void pastAsciiIsEscaped() {
        writer = AccessLineWriter.start(out);

        writer.accept(entry(1_764_950_400_123L, "/caf\u00e9", 0, -1));

        Await.until("the line is written", () -> out.bytes().length > 0);
        assertThat(new String(out.bytes(), StandardCharsets.UTF_8)).contains("\"GET /caf\\xE9\" 200");
        assertThat(out.bytes())
                .isEqualTo(patternLayout(
                        entry(1_764_950_400_123L, "/caf\u00e9", 0, -1)
                                .appendMessage(new StringBuilder())
                                .toString(),
                        1_764_950_400_123L));
    }

    @Test
    void theTimeIsUtcWhateverTheJvmsZone() {
        TimeZone jvms = TimeZone.getDefault();
        TimeZone.setDefault(TimeZone.getTimeZone("America/New_York"));
        try {
            writer = AccessLineWriter.start(out);

            writer.accept(entry(1_764_950_400_123L, "/a", 0, -1));

            Await.until("the line is written", () -> out.bytes().length > 0);
            assertThat(out.text()).startsWith("2025-12-05T16:00:00.123Z 127.0.0.1 ");
        } finally {
            TimeZone.setDefault(jvms);
        }
    }

    @Test
    void aQuietWriterWritesEachLineAtOnce() {
        writer = AccessLineWriter.start(out);
        // Each round lets the writer go to sleep first, so each line has to wake it: a lost wake-up
        // leaves a line unwritten and the wait times out.
        for (int i = 0; i < 150; i++) {
            String path = "/quiet/" + i;
            writer.accept(entry(0, path, 0, -1));
            Await.until("line " + i + " is written", () -> out.text().contains("\"GET " + path + "\""));
        }
        assertThat(writer.dropped.sum()).isZero();
    }

    @Test
    void linesFromManyThreadsAllArriveInWritesOfWholeLinesWithin4KiB() throws Exception {
        writer = AccessLineWriter.start(out);
        int threads = 4;
        int perThread = 2000;
        List<Thread> producers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int producer = t;
            producers.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < perThread; i++) {
                    writer.accept(entry(0, "/p" + producer + "/" + i, 0, -1));
                    if (i % 500 == 0) {
                        Thread.yield();
                    }
                }
            }));
        }
        for (Thread producer : producers) {
            producer.join();
        }

        int expected = threads * perThread - (int) writer.dropped.sum();
        Await.until("every queued line is written", () -> out.text().split(NL, -1).length - 1 == expected);
        assertThat(out.writes()).allSatisfy(write -> {
            assertThat(write.length).isLessThanOrEqualTo(4096);
            assertThat(new String(write, StandardCharsets.US_ASCII)).endsWith(NL);
        });
        assertThat(out.writes().size()).as("lines batched").isLessThan(expected / 10);
        for (int t = 0; t < threads; t++) {
            List<String> own = own(out.text(), "/p" + t + "/");
            assertThat(own).as("producer %d's lines, in its order", t).isSorted();
        }
    }

    @Test
    void aLineLongerThanABatchGoesWholeInOneWrite() {
        writer = AccessLineWriter.start(out);
        String path = "/" + "x".repeat(6000);

        writer.accept(entry(0, "/short", 0, -1));
        writer.accept(entry(0, path, 0, -1));
        writer.accept(entry(0, "/after", 0, -1));

        Await.until("all three are written", () -> out.text().contains("/after"));
        assertThat(out.writes())
                .filteredOn(write -> new String(write, StandardCharsets.US_ASCII).contains(path))
                .singleElement()
                .satisfies(write -> assertThat(new String(write, StandardCharsets.US_ASCII))
                        .startsWith(time(0))
                        .endsWith(NL)
                        .hasSize(write.length));
    }

    @ParameterizedTest(
            name = "a path of {0} chars past ASCII: the same bytes as Logback's, in whole lines within 4 KiB")
    @ValueSource(ints = {1, 400, 1200, 1300, 2500})
    void linesPastAsciiOfAnyLengthAreWholeUtf8(int chars) {
        writer = AccessLineWriter.start(out);
        // Two bytes a char in UTF-8: lines of 1200 chars of them (1320 in all) are encoded into a
        // batch, those of 1300 (1420 in all, which might take more than 4 KiB) are not, and those of
        // 2500 take more than a batch whatever the writer does.
        List<AccessLogEntry> entries = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            entries.add(entry(1_764_950_400_123L, "/" + i + "\u00e9".repeat(chars), 0, -1));
        }

        entries.forEach(writer::accept);

        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        for (AccessLogEntry entry : entries) {
            expected.writeBytes(
                    patternLayout(entry.appendMessage(new StringBuilder()).toString(), 1_764_950_400_123L));
        }
        Await.until("all six are written", () -> out.bytes().length == expected.size());
        assertThat(out.bytes()).isEqualTo(expected.toByteArray());
        assertThat(out.writes()).allSatisfy(write -> {
            String text = new String(write, StandardCharsets.UTF_8);
            assertThat(text).endsWith(NL);
            if (write.length > 4096) {
                assertThat(text.split(NL, -1))
                        .as("a line over 4 KiB goes alone")
                        .hasSize(2);
            }
        });
    }

    @Test
    void whenStdoutCannotKeepUpLinesAreDroppedAndCountedNeverWaitedFor() throws Exception {
        out.block();
        writer = AccessLineWriter.start(out);
        writer.accept(entry(0, "/first", 0, -1));
        assertThat(out.entered.await(20, TimeUnit.SECONDS))
                .as("the writer is in its write")
                .isTrue();

        for (int i = 0; i < AccessLineWriter.QUEUE + 5; i++) {
            writer.accept(entry(0, "/" + i, 0, -1));
        }

        assertThat(writer.dropped.sum()).isEqualTo(5);
        out.release.countDown();
        Await.until(
                "the queued lines are written",
                () -> out.text().contains("\"GET /" + (AccessLineWriter.QUEUE - 1) + "\""));
        assertThat(out.text()).doesNotContain("\"GET /" + AccessLineWriter.QUEUE + "\"");
    }

    @Test
    void closeWritesWhatIsQueued() {
        writer = AccessLineWriter.start(out);
        for (int i = 0; i < 1000; i++) {
            writer.accept(entry(0, "/" + i, 0, -1));
        }

        writer.close();

        assertThat(out.text()).contains("\"GET /999\"");
        assertThat(out.text().split(NL, -1)).hasSize(1001);
    }

    private static List<String> own(String text, String prefix) {
        List<String> numbers = new ArrayList<>();
        for (String line : text.split(NL)) {
            int at = line.indexOf(prefix);
            if (at >= 0) {
                String n = line.substring(at + prefix.length(), line.indexOf('"', at));
                numbers.add("%06d".formatted(Integer.parseInt(n)));
            }
        }
        return numbers;
    }

    private static AccessLogEntry entry(long millis, String path, long nanos, long upstreamNanos) {
        return new AccessLogEntry(
                millis,
                "127.0.0.1",
                "GET",
                path,
                200,
                0,
                18,
                nanos,
                "default",
                "actual",
                "allowed",
                "allowed",
                null,
                null,
                upstreamNanos,
                null);
    }

    private static String time(long millis) {
        return new String(patternLayout("", millis), StandardCharsets.UTF_8).strip();
    }

    /** What Logback's pattern layout, which wrote these lines before, makes of the message. */
    private static byte[] patternLayout(String message, long millis) {
        LoggerContext context = new LoggerContext();
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX, Z} %msg%n"); // the time as LogDefaults writes it
        encoder.setCharset(StandardCharsets.UTF_8);
        encoder.start();
        LoggingEvent event = new LoggingEvent(
                AccessLineWriterTest.class.getName(),
                context.getLogger("preflight.access"),
                Level.INFO,
                message,
                null,
                null);
        event.setTimeStamp(millis);
        return encoder.encode(event);
    }

    /** Stdout as the writer sees it: each write kept, and optionally held until released. */
    private static final class Writes extends OutputStream {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        private final List<byte[]> writes = new ArrayList<>();
        private volatile boolean blocking;

        void block() {
            blocking = true;
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            if (blocking) {
                entered.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            byte[] copy = java.util.Arrays.copyOfRange(bytes, offset, offset + length);
            synchronized (this) {
                writes.add(copy);
            }
        }

        synchronized List<byte[]> writes() {
            return List.copyOf(writes);
        }

        synchronized byte[] bytes() {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            writes.forEach(all::writeBytes);
            return all.toByteArray();
        }

        String text() {
            return new String(bytes(), StandardCharsets.UTF_8);
        }
    }
}
