package dev.preflight.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** O6: the access log's durations read as {@code %.3fms} would print them, without its cost. */
class AccessLogTest {

    @ParameterizedTest(name = "{0} ns")
    @ValueSource(
            longs = {0, 400, 500, 999, 1_000, 9_999, 10_000, 99_999, 1_234_567, 12_000_000, 1_005_000, 61_000_123_456L})
    void millisWithThreeDecimals(long nanos) {
        String expected = String.format(Locale.ROOT, "%.3fms", nanos / 1e6);
        assertThat(AccessLogEntry.appendMillis(new StringBuilder(), nanos).toString())
                .isEqualTo(expected);
    }
}
