package dev.preflight.proxy.upstream;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The requests waiting on one event loop for a connection of its {@link LoopPool}, oldest first, each
 * failed with {@code POOL_EXHAUSTED} (a 503) once its {@code acquire-timeout} has passed. Loop-confined
 * but for {@link #any()}, which other loops read to skip needless wake-ups; {@code pending} counts
 * the waiters of every loop of the pool.
 */
final class LoopWaiters {
    private final EventLoop loop;
    private final AtomicInteger pending;
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    private volatile boolean any;

    /** One request waiting, for {@code client}'s connection (by identity). */
    static final class Waiter {
        final Promise<UpstreamConnection> promise;
        final Object client;
        private ScheduledFuture<?> timeout;

        private Waiter(Promise<UpstreamConnection> promise, Object client) {
            this.promise = promise;
            this.client = client;
        }
    }

    LoopWaiters(EventLoop loop, AtomicInteger pending) {
        this.loop = loop;
        this.pending = pending;
    }

    boolean any() {
        return any;
    }

    void add(Promise<UpstreamConnection> promise, Object client, long timeoutNanos) {
        Waiter waiter = new Waiter(promise, client);
        waiter.timeout = loop.schedule(
                () -> {
                    if (waiters.remove(waiter)) {
                        pending.decrementAndGet();
                    }
                    any = !waiters.isEmpty();
                    promise.tryFailure(UpstreamFailure.POOL_EXHAUSTED.exception(null));
                },
                timeoutNanos,
                TimeUnit.NANOSECONDS);
        waiters.add(waiter);
        pending.incrementAndGet();
        any = true;
        // A waiter whose request ended (its client left) gives up at once: counted as pending, it
        // would have other loops close connections for nobody until its acquire-timeout.
        promise.addListener(f -> {
            if (f.isCancelled() && waiters.remove(waiter)) {
                remove(waiter);
                any = !waiters.isEmpty();
            }
        });
    }

    /** The oldest waiter still waiting, left in the queue (those that gave up are dropped); null when none is. */
    Waiter oldest() {
        Waiter waiter;
        while ((waiter = waiters.peekFirst()) != null && waiter.promise.isDone()) {
            remove(waiters.pollFirst());
        }
        any = waiter != null;
        return waiter;
    }

    /** The oldest waiter still waiting, taken out of the queue; null when none is. */
    Waiter poll() {
        Waiter waiter = oldest();
        if (waiter != null) {
            remove(waiters.pollFirst());
            any = !waiters.isEmpty();
        }
        return waiter;
    }

    private void remove(Waiter waiter) {
        pending.decrementAndGet();
        waiter.timeout.cancel(false);
    }
}
