package dev.preflight.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * O3: a metric read from state the registry holds only weakly (Micrometer's function counters and
 * gauges) must be given state that lives as long as the process, or it stops at the first collection
 * that takes it. The access log's dropped-lines counter was given a method reference, which nothing
 * else held: it stopped counting, at random, once the collector ran (found through a flaky test).
 */
class ProxyMetricsStateTest {

    @Test
    @DisplayName("O3: the access log's dropped-lines counter still counts after garbage collections")
    void droppedLinesCountAfterCollections() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        LongAdder dropped = new LongAdder();
        new ProxyMetrics(registry).accessLogDropped(dropped);

        for (int i = 0; i < 3; i++) {
            System.gc(); // what a weakly held state would not survive
        }
        dropped.add(7);

        assertThat(registry.get(ProxyMetrics.ACCESS_LOG_DROPPED)
                        .functionCounter()
                        .count())
                .isEqualTo(7.0);
    }
}
