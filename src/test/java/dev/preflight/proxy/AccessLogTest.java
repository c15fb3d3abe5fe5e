package dev.preflight.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
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
