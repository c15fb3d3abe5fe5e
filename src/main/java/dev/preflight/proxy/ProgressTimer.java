package dev.preflight.proxy;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The upstream response timeout: fires when the exchange has waited on the upstream without progress
 * for {@code timeout}. Time spent waiting on the client (backpressure) does not count. One scheduled
 * task, pushed forward by progress instead of being rescheduled for every chunk.
 */
final class ProgressTimer {
    private final EventExecutor executor;
    private final long timeoutNanos;
    private final Runnable onTimeout;
    private boolean waiting;
    private long lastProgressNanos;
    private ScheduledFuture<?> task;

    ProgressTimer(EventExecutor executor, long timeoutNanos, Runnable onTimeout) {
        this.executor = executor;
        this.timeoutNanos = timeoutNanos;
        this.onTimeout = onTimeout;
    }

    /** Something moved: a request chunk was written or a response part arrived. */
    void progress() {
        lastProgressNanos = System.nanoTime();
    }

    /** The exchange now waits on the upstream ({@code true}) or on the client ({@code false}). */
    void waitingForUpstream(boolean waiting) {
        this.waiting = waiting;
        if (waiting && task == null) {
            progress();
            task = executor.schedule(this::check, timeoutNanos, TimeUnit.NANOSECONDS);
        }
    }

    boolean waitingForUpstream() {
        return waiting;
    }

    void cancel() {
        if (task != null) {
            task.cancel(false);
            task = null;
        }
    }

    private void check() {
        task = null;
        long idle = System.nanoTime() - lastProgressNanos;
        if (waiting && idle >= timeoutNanos) {
            onTimeout.run();
            return;
        }
        long delay = waiting ? timeoutNanos - idle : timeoutNanos;
        task = executor.schedule(this::check, delay, TimeUnit.NANOSECONDS);
    }
}
