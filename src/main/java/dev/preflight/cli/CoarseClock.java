package dev.preflight.cli;

import io.micrometer.core.instrument.Clock;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The metrics registry's clock, whose wall time is read every {@value #RESOLUTION_MILLIS} ms by a task
 * on the given executor rather than at every recording. Each timer's record asks for it twice (its
 * histogram's and its maximum's time windows, which turn every 40 s), so two clock reads per
 * request timer, about 0.1 µs of a forwarded GET on this project's VM (async-profiler, issue 7). A
 * window turns at most that much later; durations are measured by the proxy with
 * {@link System#nanoTime()}, and {@link #monotonicTime()} is that clock.
 */
final class CoarseClock implements Clock {
    static final long RESOLUTION_MILLIS = 100;

    private volatile long wallTime = System.currentTimeMillis();

    /** @param ticker runs the read every {@value #RESOLUTION_MILLIS} ms until it shuts down */
    CoarseClock(ScheduledExecutorService ticker) {
        ticker.scheduleAtFixedRate(this::tick, RESOLUTION_MILLIS, RESOLUTION_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void tick() {
        wallTime = System.currentTimeMillis();
    }

    @Override
    public long wallTime() {
        return wallTime;
    }

    @Override
    public long monotonicTime() {
        return System.nanoTime();
    }
}
