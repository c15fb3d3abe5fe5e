package dev.preflight.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** RFC 9110 6.6.1: the {@code Date} written on responses made here and added to forwarded ones. */
class HttpDateTest {
    private static final long RFC_EXAMPLE = 784_111_777_000L; // Sun, 06 Nov 1994 08:49:37 GMT

    @ParameterizedTest(name = "{0} ms -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "0               | Thu, 01 Jan 1970 00:00:00 GMT",
                "784111777000    | Sun, 06 Nov 1994 08:49:37 GMT",
                "784111777999    | Sun, 06 Nov 1994 08:49:37 GMT",
                "951782400000    | Tue, 29 Feb 2000 00:00:00 GMT",
                "1798761599000   | Thu, 31 Dec 2026 23:59:59 GMT",
                "4102444800000   | Fri, 01 Jan 2100 00:00:00 GMT",
            })
    @DisplayName("RFC 9110 5.6.7: IMF-fixdate, the day zero-padded, in GMT, whole seconds")
    void imfFixdate(long millis, String expected) {
        assertThat(HttpDate.format(millis)).isEqualTo(expected);
        assertThat(at(millis)).hasToString(expected);
    }

    @Test
    @DisplayName("formatted once a second: the same value within it, a new one after it or when the clock steps back")
    void formattedOncePerSecond() {
        CharSequence first = at(RFC_EXAMPLE + 1);

        assertThat(at(RFC_EXAMPLE + 999)).isSameAs(first);
        assertThat(at(RFC_EXAMPLE)).isSameAs(first);
        assertThat(at(RFC_EXAMPLE + 1000)).hasToString("Sun, 06 Nov 1994 08:49:38 GMT");
        assertThat(at(RFC_EXAMPLE - 1)).hasToString("Sun, 06 Nov 1994 08:49:36 GMT");
        assertThat(at(RFC_EXAMPLE + 500)).isNotSameAs(first).hasToString("Sun, 06 Nov 1994 08:49:37 GMT");
    }

    /** The cached value, seen as the characters it is (AsciiString is also Comparable, which AssertJ cannot choose between). */
    private static CharSequence at(long millis) {
        return HttpDate.at(millis);
    }

    @Test
    @DisplayName("a response made here gets one Date, now, replacing any other; the reading is handed back")
    void setReplaces() {
        HttpHeaders headers = new DefaultHttpHeaders().add("date", "Sun, 06 Nov 1994 08:49:37 GMT");
        long before = System.currentTimeMillis();

        long read = HttpDate.set(headers);

        assertThat(read).isBetween(before, System.currentTimeMillis());
        assertThat(headers.entries())
                .extracting(Map.Entry::getKey, Map.Entry::getValue)
                .containsExactly(tuple("Date", HttpDate.format(read)));
    }

    @Test
    @DisplayName("RFC 9110 6.6.1: a forwarded response keeps the upstream's Date, whatever its case or age")
    void upstreamDateKept() {
        HttpHeaders headers = new DefaultHttpHeaders().add("DATE", "Sun, 06 Nov 1994 08:49:37 GMT");

        HttpDate.addIfAbsent(headers);

        assertThat(headers.getAll("Date")).containsExactly("Sun, 06 Nov 1994 08:49:37 GMT");
    }

    @Test
    @DisplayName("RFC 9110 6.6.1: a forwarded response without a Date gets one, now")
    void missingDateAdded() {
        HttpHeaders headers = new DefaultHttpHeaders().add("Content-Length", "0");
        long before = System.currentTimeMillis();

        HttpDate.addIfAbsent(headers);

        assertThat(headers.getAll("Date")).hasSize(1);
        assertThat(headers.getTimeMillis("Date")).isBetween(before - before % 1000, System.currentTimeMillis());
    }
}
