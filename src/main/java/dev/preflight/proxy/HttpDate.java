package dev.preflight.proxy;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code Date} header (RFC 9110 6.6.1): an origin server with a clock sends one in its responses,
 * and a proxy adds one to a response it forwards without one. The value has a one-second resolution,
 * so it is formatted once a second (IMF-fixdate, {@code Sun, 06 Nov 1994 08:49:37 GMT}) and shared
 * by every event loop; a response costs one read of the wall clock.
 *
 * <p>The formatter is java.time's, with the English names given as maps and the time taken in UTC,
 * so that nothing loads the JDK's locale data or time-zone database: Netty's {@code DateFormatter}
 * goes through {@code GregorianCalendar}, whose first use added about 100 ms to the first proxied
 * response on one CPU (alternating starts, issue 7), and the JDK's {@code RFC_1123_DATE_TIME} writes
 * a day before the 10th with one digit, which IMF-fixdate does not allow.
 */
public final class HttpDate {
    // Capitalised like the Access-Control-* names and Vary written beside it (names are case-insensitive).
    static final AsciiString NAME = AsciiString.cached("Date");
    private static final DateTimeFormatter IMF_FIXDATE = new DateTimeFormatterBuilder()
            .appendText(
                    ChronoField.DAY_OF_WEEK,
                    Map.of(1L, "Mon", 2L, "Tue", 3L, "Wed", 4L, "Thu", 5L, "Fri", 6L, "Sat", 7L, "Sun"))
            .appendLiteral(", ")
            .appendValue(ChronoField.DAY_OF_MONTH, 2)
            .appendLiteral(' ')
            .appendText(
                    ChronoField.MONTH_OF_YEAR,
                    Map.ofEntries(
                            Map.entry(1L, "Jan"),
                            Map.entry(2L, "Feb"),
                            Map.entry(3L, "Mar"),
                            Map.entry(4L, "Apr"),
                            Map.entry(5L, "May"),
                            Map.entry(6L, "Jun"),
                            Map.entry(7L, "Jul"),
                            Map.entry(8L, "Aug"),
                            Map.entry(9L, "Sep"),
                            Map.entry(10L, "Oct"),
                            Map.entry(11L, "Nov"),
                            Map.entry(12L, "Dec")))
            .appendLiteral(' ')
            .appendValue(ChronoField.YEAR, 4)
            .appendLiteral(' ')
            .appendValue(ChronoField.HOUR_OF_DAY, 2)
            .appendLiteral(':')
            .appendValue(ChronoField.MINUTE_OF_HOUR, 2)
            .appendLiteral(':')
            .appendValue(ChronoField.SECOND_OF_MINUTE, 2)
            .appendLiteral(" GMT")
            .toFormatter(Locale.ROOT);

    private static volatile Second current = Second.of(System.currentTimeMillis());

    private HttpDate() {}

    /**
     * Sets {@code Date} to now, replacing any value: for a response made here.
     *
     * @return the clock's reading, in milliseconds since the epoch, for whatever else wants the time
     */
    public static long set(HttpHeaders headers) {
        long millis = System.currentTimeMillis();
        headers.set(NAME, at(millis));
        return millis;
    }

    /** Adds {@code Date} unless the response has one: for a response forwarded from the upstream. */
    static void addIfAbsent(HttpHeaders headers) {
        if (!headers.contains(NAME)) {
            headers.set(NAME, now());
        }
    }

    /** The current second as an IMF-fixdate. */
    static AsciiString now() {
        return at(System.currentTimeMillis());
    }

    /** {@link #now()} when the clock reads {@code millis}. */
    static AsciiString at(long millis) {
        Second second = current;
        if (!second.contains(millis)) {
            // Loops that cross a second together each format it; any of their values is right.
            second = Second.of(millis);
            current = second;
        }
        return second.value();
    }

    /** {@code millis} since the epoch as an IMF-fixdate. */
    static String format(long millis) {
        return IMF_FIXDATE.format(LocalDateTime.ofEpochSecond(Math.floorDiv(millis, 1000L), 0, ZoneOffset.UTC));
    }

    private record Second(long startMillis, AsciiString value) {
        static Second of(long millis) {
            long start = Math.floorDiv(millis, 1000L) * 1000L;
            return new Second(start, new AsciiString(format(start)));
        }

        boolean contains(long millis) {
            return millis >= startMillis && millis - startMillis < 1000L;
        }
    }
}
