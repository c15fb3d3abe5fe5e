package dev.preflight.proxy;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The upstream response timeout of one client connection's exchanges: fires when the exchange in
 * progress has waited on the upstream without progress for its {@code timeout}. Time spent waiting on
 * the client (backpressure) does not count.
 *
 * <p>One per connection, and one scheduled task for it that is pushed forward by progress rather than
 * rescheduled for every chunk, and outlives the exchange that started it: the next exchange on the
 * connection takes it over, and a task that finds no exchange ends. A keep-alive connection so costs
 * one scheduled task per timeout period instead of a schedule and a cancel per request (issue 7).
 * Confined to the connection's event loop; time is the loop's {@link LoopClock} (or an executor's own
 * ticker, so tests can move it).
 */
final class ProgressTimer {
    private final EventExecutor executor;
    private final LongSupplier clock;
    private long timeoutNanos;
    private Runnable onTimeout; // the exchange's, or null between exchanges
    private boolean waiting;
    private long lastProgressNanos;
    private ScheduledFuture<?> task;
    private long taskDeadlineNanos;

    ProgressTimer(EventExecutor executor) {
        this.executor = executor;
        this.clock = LoopClock.of(executor);
    }

    /** An exchange starts: it is timed from now on, with its route's {@code timeoutNanos}. */
    void start(long timeoutNanos, Runnable onTimeout) {
        this.timeoutNanos = timeoutNanos;
        this.onTimeout = onTimeout;
        this.waiting = false;
    }

    /** The exchange ended: nothing fires for it. A pending task is left to find no exchange and end. */
    void stop() {
        onTimeout = null;
        waiting = false;
    }

    /**
     * Something moved: a request chunk was written or a response part arrived. The time is only
     * needed while the exchange waits on the upstream, and the wait's start stamps it anyway: a
     * forwarded GET so reads the clock once here instead of four or five times (issue 7).
     */
    void progress() {
        if (waiting) {
            lastProgressNanos = now();
        }
    }

    /** The exchange now waits on the upstream ({@code true}) or on the client ({@code false}). */
    void waitingForUpstream(boolean waiting) {
        if (waiting && !this.waiting) {
            lastProgressNanos = now();
            // A task left by an exchange with a longer timeout would fire too late for this one.
            if (task == null || taskDeadlineNanos - lastProgressNanos > timeoutNanos) {
                cancel();
                schedule(timeoutNanos);
            }
        }
        this.waiting = waiting;
    }

    boolean waitingForUpstream() {
        return waiting;
    }

    /** The connection closed. */
    void cancel() {
        if (task != null) {
            task.cancel(false);
            task = null;
        }
    }

    private void schedule(long delayNanos) {
        taskDeadlineNanos = now() + delayNanos;
        task = executor.schedule(this::check, delayNanos, TimeUnit.NANOSECONDS);
    }

    private void check() {
        task = null;
        if (onTimeout == null) {
            return; // between exchanges: the next one schedules again when it waits
        }
        long idle = now() - lastProgressNanos;
        if (waiting && idle >= timeoutNanos) {
            onTimeout.run();
            return;
        }
        schedule(waiting ? timeoutNanos - idle : timeoutNanos);
    }

    private long now() {
        return clock.getAsLong();
    }
}
