package dev.preflight.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.DefaultEventLoop;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** O3: the registry's wall time, read every 100 ms on an event loop instead of at every record. */
class CoarseClockTest {
    private final DefaultEventLoop loop = new DefaultEventLoop();

    @AfterEach
    void stop() {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void wallTimeFollowsTheSystemClockWithinItsResolution() throws Exception {
        long before = System.currentTimeMillis();
        CoarseClock clock = new CoarseClock(loop);
        assertThat(clock.wallTime()).isBetween(before, System.currentTimeMillis());

        // Wait for a tick: the first comes after RESOLUTION_MILLIS (a condition, not a fixed sleep).
        long first = clock.wallTime();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (clock.wallTime() == first && System.nanoTime() < deadline) {
            loop.submit(() -> {}).get(); // a task on the same loop: the tick, when due, runs first
            Thread.onSpinWait();
        }
        long ticked = clock.wallTime();
        long now = System.currentTimeMillis();

        assertThat(ticked).isGreaterThan(first).isLessThanOrEqualTo(now);
    }

    @Test
    void monotonicTimeIsTheNanoClock() {
        CoarseClock clock = new CoarseClock(loop);
        long before = System.nanoTime();
        long read = clock.monotonicTime();
        assertThat(read).isBetween(before, System.nanoTime());
    }

    @Test
    void timersOfARegistryOnItRecordAsUsual() {
        PrometheusMeterRegistry registry =
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT, new PrometheusRegistry(), new CoarseClock(loop));
        Timer timer = Timer.builder("t").publishPercentileHistogram().register(registry);

        timer.record(3, TimeUnit.MILLISECONDS);
        timer.record(5, TimeUnit.MILLISECONDS);

        assertThat(timer.count()).isEqualTo(2);
        assertThat(timer.max(TimeUnit.MILLISECONDS)).isEqualTo(5.0);
        assertThat(registry.scrape()).contains("t_seconds_count 2").contains("t_seconds_max 0.005");
    }
}
