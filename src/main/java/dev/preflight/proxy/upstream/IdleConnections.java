package dev.preflight.proxy.upstream;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * The connections idle in one {@link LoopPool}, in the order they came back (most recently used
 * last: lending from the tail favours the connections least likely to be stale, and the head is the
 * one idle longest). They close after {@code idle-timeout}, timed by one task for all of them rather
 * than by an idle handler in every upstream pipeline, which would stamp the time and add a listener
 * on every read and write of every exchange (issue 7). Loop-confined; {@code count} is the pool's
 * over all its loops.
 */
final class IdleConnections {
    private final EventLoop loop;
    private final LongSupplier clock; // the loop's LoopClock
    private final long timeoutNanos;
    private final AtomicInteger count;
    private final ArrayDeque<IdleConnection> idle = new ArrayDeque<>();
    private ScheduledFuture<?> sweep;

    /** A connection back in the pool, and since when (the loop's clock). */
    private record IdleConnection(UpstreamConnection connection, long sinceNanos) {
        Channel channel() {
            return connection.channel();
        }
    }

    IdleConnections(EventLoop loop, LongSupplier clock, long timeoutNanos, AtomicInteger count) {
        this.loop = loop;
        this.clock = clock;
        this.timeoutNanos = timeoutNanos;
        this.count = count;
    }

    boolean isEmpty() {
        return idle.isEmpty();
    }

    void add(UpstreamConnection connection, long now) {
        idle.addLast(new IdleConnection(connection, now));
        count.incrementAndGet();
        scheduleSweep();
        // Reading while idle lets an upstream close (or stray bytes) be noticed at once.
        connection.channel().read();
    }

    /**
     * The connection idle the shortest time that may serve {@code client} (its own, or one settled for
     * {@code settleNanos}), lent again; null when there is none. One on which anything arrived while
     * it sat idle is closed, never lent; so are one pinned to another client that has let it settle,
     * and one idle past its backend's {@code Keep-Alive} timeout (less a margin).
     */
    UpstreamConnection poll(Object client, long settleNanos) {
        if (idle.isEmpty()) {
            return null;
        }
        long now = clock.getAsLong();
        Iterator<IdleConnection> newestFirst = idle.descendingIterator();
        while (newestFirst.hasNext()) {
            IdleConnection candidate = newestFirst.next();
            if (!candidate.channel().isActive()
                    || !candidate.connection().drained()
                    || candidate.connection().expiredAt(now)) {
                newestFirst.remove();
                count.decrementAndGet();
                candidate.channel().close();
            } else if (candidate.connection().settledFor(client, now, settleNanos)) {
                newestFirst.remove();
                count.decrementAndGet();
                return candidate.connection().lentAgain(client, now, settleNanos);
            } else if (candidate.connection().strandedFor(client, now, settleNanos)) {
                newestFirst.remove();
                count.decrementAndGet();
                candidate.channel().close();
            }
        }
        return null;
    }

    /** A connection that closed: out of the idle ones, if it was one. */
    void remove(Channel channel) {
        if (idle.removeIf(c -> c.channel() == channel)) {
            count.decrementAndGet();
        }
    }

    void evictOldest() {
        IdleConnection oldest = idle.pollFirst();
        if (oldest != null) {
            count.decrementAndGet();
            oldest.channel().close();
        }
    }

    void closeAll() {
        // Closing runs the close listener, which removes from idle: iterate over a copy.
        List<IdleConnection> closing = new ArrayList<>(idle);
        idle.clear();
        count.addAndGet(-closing.size());
        closing.forEach(c -> c.channel().close());
    }

    /** Sets the task for the connection idle longest, unless one is set already. */
    private void scheduleSweep() {
        IdleConnection oldest = idle.peekFirst();
        if (sweep == null && oldest != null) {
            long delay = oldest.sinceNanos() + timeoutNanos - clock.getAsLong();
            sweep = loop.schedule(this::closeExpired, Math.max(0, delay), TimeUnit.NANOSECONDS);
        }
    }

    /** Closes the connections idle for {@code idle-timeout} or longer, then waits for the next one. */
    private void closeExpired() {
        sweep = null;
        long now = clock.getAsLong();
        IdleConnection oldest;
        while ((oldest = idle.peekFirst()) != null && now - oldest.sinceNanos() >= timeoutNanos) {
            idle.pollFirst();
            count.decrementAndGet();
            oldest.channel().close();
        }
        scheduleSweep();
    }
}
