package dev.preflight.proxy;

import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.Date;

/**
 * The {@code Date} header (RFC 9110 6.6.1): an origin server with a clock sends one in its responses,
 * and a proxy adds one to a response it forwards without one. The value has a one-second resolution,
 * so it is formatted once a second (IMF-fixdate, {@code Sun, 06 Nov 1994 08:49:37 GMT}) and shared
 * by every event loop; a response costs one read of the wall clock.
 */
public final class HttpDate {
    // Capitalised like the Access-Control-* names and Vary written beside it (names are case-insensitive).
    private static final AsciiString NAME = AsciiString.cached("Date");
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
        return DateFormatter.format(new Date(millis));
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
