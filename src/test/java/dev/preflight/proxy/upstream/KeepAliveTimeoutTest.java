package dev.preflight.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A backend's {@code Keep-Alive} value, read as the time its idle connection may still be lent again. */
class KeepAliveTimeoutTest {

    @ParameterizedTest(name = "Keep-Alive: {0} -> {1} ms")
    @CsvSource(delimiter = '|', nullValues = "null", textBlock = """
            null                   | -1
            timeout=5              | 4000
            'timeout=5, max=100'   | 4000
            'max=100, timeout=2'   | 1000
            'Timeout = 1'          | 500
            timeout=60             | 59000
            timeout=0              | 0
            'timeout="3"'          | 2000
            max=100                | -1
            timeouts=5             | -1
            timeout=               | -1
            timeout=abc            | -1
            timeout=-1             | -1
            timeout=1.5            | -1
            timeout=9999999        | -1
            """)
    void reuseWithinTheBackendsTimeoutLessAMargin(String keepAlive, long millis) {
        long nanos = KeepAliveTimeout.reuseNanos(keepAlive);
        assertThat(nanos == KeepAliveTimeout.NONE ? -1 : nanos / 1_000_000).isEqualTo(millis);
    }
}
