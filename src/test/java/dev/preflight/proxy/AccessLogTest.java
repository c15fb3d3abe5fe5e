package dev.preflight.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * O6: the access log's durations read as {@code %.3fms} would print them, without its cost, and its
 * time is the one an answer made here was dated with.
 */
class AccessLogTest {
    private static final long DATED = 784_111_777_123L;

    @ParameterizedTest(name = "{0} ns")
    @ValueSource(
            longs = {0, 400, 500, 999, 1_000, 9_999, 10_000, 99_999, 1_234_567, 12_000_000, 1_005_000, 61_000_123_456L})
    void millisWithThreeDecimals(long nanos) {
        String expected = String.format(Locale.ROOT, "%.3fms", nanos / 1e6);
        assertThat(AccessLogEntry.appendMillis(new StringBuilder(), nanos).toString())
                .isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "/api/items?x=1              | /api/items?x=1",
                "/a\"b                      | /a\\x22b",
                "/a\\b                     | /a\\x5Cb",
                "/\u009b2J\u009b31mRED     | /\\x9B2J\\x9B31mRED",
                "/x\u0085FAKE\u0001y       | /x\\x85FAKE\\x01y",
                "/caf\u00e9\u007f          | /caf\\xE9\\x7F",
                "/\u20ac                    | /\\u20AC",
            })
    @DisplayName(
            "O6: the text line's path is printable ASCII: quotes, backslashes, controls and anything past ASCII as \\xHH")
    void pathEscaped(String path, String logged) {
        assertThat(AccessLogEntry.appendEscaped(new StringBuilder(), path).toString())
                .isEqualTo(logged);
    }

    @Test
    @DisplayName("O6: a path over 512 characters and a method over 64 are logged cut, marked '...': a queue of"
            + " whole 8 KiB paths filled a 64 MiB heap while stdout was blocked; shorter ones whole")
    void longPathAndMethodCut() {
        String path = "/" + "p".repeat(700);
        RequestRecord record = new RequestRecord("127.0.0.1", "M".repeat(100), path + "?q=1");
        RequestRecord whole = new RequestRecord("127.0.0.1", "GET", "/" + "p".repeat(511));

        AccessLogEntry entry = AccessLogEntry.of(record);

        assertThat(entry.escapedPath()).isEqualTo(path.substring(0, 512) + "...");
        assertThat(entry.method()).isEqualTo("M".repeat(64) + "...");
        assertThat(AccessLogEntry.of(whole).escapedPath()).hasSize(512).doesNotEndWith("...");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {"/api/items | /api/items", "/\u009b2J\u0085x | /\\x9B2J\\x85x"})
    @DisplayName("O6: the JSON line's path is escaped the same way, and is the path itself when nothing needs it")
    void jsonPathEscaped(String path, String logged) {
        RequestRecord record = new RequestRecord("127.0.0.1", "GET", path);

        String escaped = AccessLogEntry.of(record).escapedPath();

        assertThat(escaped).isEqualTo(logged);
        if (path.equals(logged)) {
            assertThat(escaped).isSameAs(path);
        }
    }

    @Test
    @DisplayName("an answer made here is logged at the time its Date was read, not at a second reading")
    void answeredLoggedAtItsDate() {
        RequestRecord answered = new RequestRecord("127.0.0.1", "OPTIONS", "/x");
        answered.answeredMillis = DATED;

        assertThat(AccessLogEntry.of(answered).epochMillis()).isEqualTo(DATED);
    }

    @Test
    @DisplayName("a forwarded request is logged at the time it ended")
    void forwardedLoggedWhenItEnds() {
        RequestRecord forwarded = new RequestRecord("127.0.0.1", "GET", "/x");
        long before = System.currentTimeMillis();

        long logged = AccessLogEntry.of(forwarded).epochMillis();

        assertThat(logged).isBetween(before, System.currentTimeMillis());
    }
}
