package dev.preflight.proxy;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The timeouts of one client connection's exchanges (P6): the upstream response timeout fires when
 * the exchange in progress has waited on the upstream without progress for its {@code timeout}; the
 * body timeout ({@code limits.body-timeout}) when the client, asked for the next part of the request
 * body, has not sent it in time. Time spent waiting on the client, to send its body or to take the
 * response (backpressure), does not count against the upstream.
 *
 * <p>One per connection, and one scheduled task for it that is pushed forward by progress rather than
 * rescheduled for every chunk, and outlives the exchange that started it: the next exchange on the
 * connection takes it over, and a task that finds no exchange ends. A keep-alive connection so costs
 * one scheduled task per timeout period instead of a schedule and a cancel per request (issue 7).
 * Confined to the connection's event loop; time is the loop's {@link LoopClock} (or an executor's own
 * ticker, so tests can move it).
 */
final class ProgressTimer {
    /** What the exchange being timed is told; the exchange itself, so that timing one costs no object. */
    interface Expiry {
        /** It waited on the upstream for the response timeout without progress. */
        void upstreamTimedOut();

        /** The client did not send the request body's next part within the body timeout. */
        void bodyTimedOut();
    }

    private final EventExecutor executor;
    private final LongSupplier clock;
    private long timeoutNanos;
    private Expiry expiry; // the exchange's, or null between exchanges
    private boolean waiting;
    private long lastProgressNanos;
    // The client was asked for the body's next part at bodyAskedNanos and has not sent it.
    private boolean awaitingBody;
    private long bodyTimeoutNanos;
    private long bodyAskedNanos;
    private ScheduledFuture<?> task;
    private long taskDeadlineNanos;

    ProgressTimer(EventExecutor executor) {
        this.executor = executor;
        this.clock = LoopClock.of(executor);
    }

    /** An exchange starts: it is timed from now on, with its route's {@code timeoutNanos}. */
    void start(long timeoutNanos, Expiry expiry) {
        this.timeoutNanos = timeoutNanos;
        this.expiry = expiry;
        this.waiting = false;
        this.awaitingBody = false;
    }

    /** The exchange ended: nothing fires for it. A pending task is left to find no exchange and end. */
    void stop() {
        expiry = null;
        waiting = false;
        awaitingBody = false;
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
            due(lastProgressNanos, timeoutNanos);
        }
        this.waiting = waiting;
    }

    boolean waitingForUpstream() {
        return waiting;
    }

    /**
     * The client has been asked for the next part of the request body and has {@code timeoutNanos} to
     * send it. Meanwhile the upstream's time does not run: it is waiting for that part too.
     */
    void awaitBody(long timeoutNanos) {
        if (expiry == null || awaitingBody) {
            return;
        }
        awaitingBody = true;
        bodyTimeoutNanos = timeoutNanos;
        bodyAskedNanos = now();
        due(bodyAskedNanos, timeoutNanos);
    }

    /** The part asked for came: the upstream's time runs again, from now. */
    void bodyArrived() {
        if (awaitingBody) {
            awaitingBody = false;
            if (waiting) {
                lastProgressNanos = now();
                due(lastProgressNanos, timeoutNanos); // the task may be set for a longer body timeout
            }
        }
    }

    /** The connection closed. */
    void cancel() {
        if (task != null) {
            task.cancel(false);
            task = null;
        }
    }

    /** Makes sure the task runs no later than {@code delayNanos} after {@code now}. */
    private void due(long now, long delayNanos) {
        if (task == null || taskDeadlineNanos - now > delayNanos) {
            cancel();
            schedule(delayNanos);
        }
    }

    private void schedule(long delayNanos) {
        taskDeadlineNanos = now() + delayNanos;
        task = executor.schedule(this::check, delayNanos, TimeUnit.NANOSECONDS);
    }

    private void check() {
        task = null;
        Expiry current = expiry;
        if (current == null) {
            return; // between exchanges: the next one schedules again when it waits
        }
        long now = now();
        if (awaitingBody) {
            long asked = now - bodyAskedNanos;
            if (asked >= bodyTimeoutNanos) {
                awaitingBody = false;
                current.bodyTimedOut();
                return;
            }
            schedule(bodyTimeoutNanos - asked);
            return;
        }
        long idle = now - lastProgressNanos;
        if (waiting && idle >= timeoutNanos) {
            current.upstreamTimedOut();
            return;
        }
        schedule(waiting ? timeoutNanos - idle : timeoutNanos);
    }

    private long now() {
        return clock.getAsLong();
    }
}
