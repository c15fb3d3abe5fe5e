package dev.preflight.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.testing.FreshJvm;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** O3: the collector's metrics, read from the management beans at scrape time (issue 7). */
class GcMetricsTest {
    private PrometheusMeterRegistry registry;

    @BeforeEach
    void bind() {
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new GcMetrics().bindTo(registry);
    }

    @AfterEach
    void close() {
        registry.close();
    }

    @Test
    @DisplayName("O3: allocated bytes grow by at least what this thread allocates")
    void allocatedBytesCountEveryAllocation() {
        double before =
                registry.get("jvm.gc.memory.allocated").functionCounter().count();
        long[][] chunks = new long[16][];
        for (int i = 0; i < chunks.length; i++) {
            chunks[i] = new long[512 * 1024]; // 4 MiB each
        }
        double after = registry.get("jvm.gc.memory.allocated").functionCounter().count();

        assertThat(chunks[15]).hasSize(512 * 1024);
        assertThat(after - before).isGreaterThanOrEqualTo(16 * 4.0 * 1024 * 1024);
    }

    @Test
    @DisplayName("O3: a collection shows in the pause count and time, and the live data after it")
    void aCollectionIsCounted() {
        long before = pauses();

        System.gc();

        assertThat(pauses()).isGreaterThan(before);
        double live = registry.get("jvm.gc.live.data.size").gauge().value();
        double max = registry.get("jvm.gc.max.data.size").gauge().value();
        assertThat(live).isPositive();
        assertThat(max).isGreaterThanOrEqualTo(live);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "-XX:+UseSerialGC, MarkSweepCompact, Copy, ",
        "-XX:+UseZGC, ZGC Major Pauses, ZGC Minor Pauses, ZGC Major Cycles",
        "-XX:+UseParallelGC, PS MarkSweep, PS Scavenge, ",
        "-XX:+UseG1GC, G1 Old Generation, G1 Young Generation, ",
    })
    @DisplayName("O3: each collector (the image's serial one first) in a JVM of its own, under Micrometer's names")
    void collectorsScrape(String collector, String fullPauses, String youngPauses, String cycles) throws Exception {
        String scrape = FreshJvm.run(Probe.class, collector);

        assertThat(value(scrape, "jvm_gc_pause_seconds_count{gc=\"" + fullPauses + "\"}"))
                .isGreaterThanOrEqualTo(1);
        assertThat(scrape)
                .contains("jvm_gc_pause_seconds_sum{gc=\"" + fullPauses + "\"}")
                .contains("jvm_gc_pause_seconds_count{gc=\"" + youngPauses + "\"}")
                .contains("jvm_gc_memory_allocated_bytes_total ")
                .contains("jvm_gc_max_data_size_bytes ");
        if (cycles == null) {
            assertThat(scrape).doesNotContain("jvm_gc_concurrent_phase_time");
        } else {
            assertThat(scrape)
                    .contains("jvm_gc_concurrent_phase_time_seconds_count{gc=\"" + cycles + "\"}")
                    .doesNotContain("jvm_gc_pause_seconds_count{gc=\"" + cycles + "\"}");
        }
        assertThat(value(scrape, "jvm_gc_live_data_size_bytes")).isPositive();
    }

    @ParameterizedTest(name = "{0}: long-lived = {1}")
    @CsvSource({
        "Tenured Gen, true",
        "G1 Old Gen, true",
        "PS Old Gen, true",
        "ZGC Old Generation, true",
        "ZHeap, true",
        "Shenandoah, true",
        "Shenandoah Old Generation, true",
        "Eden Space, false",
        "Survivor Space, false",
        "G1 Eden Space, false",
        "ZGC Young Generation, false",
        "Metaspace, false",
    })
    void longLivedPools(String pool, boolean longLived) {
        assertThat(GcMetrics.isLongLived(pool)).isEqualTo(longLived);
    }

    private long pauses() {
        return registry.find("jvm.gc.pause").functionTimers().stream()
                .mapToLong(timer -> (long) timer.count())
                .sum();
    }

    private static double value(String scrape, String series) {
        return scrape.lines()
                .filter(line -> line.startsWith(series + " "))
                .mapToDouble(line -> Double.parseDouble(line.substring(series.length() + 1)))
                .findFirst()
                .orElseThrow();
    }

    /** Binds the metrics, collects once, prints the scrape. */
    static final class Probe {
        public static void main(String[] args) {
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            new GcMetrics().bindTo(registry);
            System.gc();
            System.out.print(registry.scrape());
        }
    }
}
