package dev.preflight.proxy.upstream;

import dev.preflight.config.UpstreamSettings;
import dev.preflight.proxy.LoopClock;
import dev.preflight.proxy.Transports;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The part of an {@link UpstreamPool} that lives on one event loop. Every method runs on that loop,
 * so its queues need no locks.
 *
 * <p>Idle connections close after {@code idle-timeout} in the pool. The pool times them itself, with
 * one task for all of its idle connections (they wait in the order they came back, so the oldest is
 * always first), rather than with an idle handler in every upstream pipeline: that handler would
 * stamp the time and add a listener on every read and write of every exchange (issue 7).
 */
final class LoopPool {
    private final UpstreamPool parent;
    private final EventLoop loop;
    private final UpstreamSettings settings;
    private final Bootstrap bootstrap;
    private final long idleTimeoutNanos;
    private final LongSupplier clock; // the loop's LoopClock
    // Most recently used last: taking from the tail favours connections least likely to be stale,
    // and the head is the one idle longest.
    private final ArrayDeque<IdleConnection> idle = new ArrayDeque<>();
    private ScheduledFuture<?> idleSweep;
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    private volatile boolean hasWaiters; // read by other loops to skip needless wake-ups

    LoopPool(
            UpstreamPool parent,
            EventLoop loop,
            UpstreamSettings settings,
            Transports transports,
            SslContext sslContext) {
        this.parent = parent;
        this.loop = loop;
        this.settings = settings;
        this.idleTimeoutNanos = settings.idleTimeout().toNanos();
        this.clock = LoopClock.of(loop);
        this.bootstrap = new Bootstrap()
                .group(loop)
                .channel(transports.socketChannel())
                .resolver(UpstreamResolver.of(transports))
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int)
                        Math.min(Integer.MAX_VALUE, settings.connectTimeout().toMillis()))
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .handler(new UpstreamChannelInitializer(settings, sslContext));
    }

    EventLoop loop() {
        return loop;
    }

    boolean hasWaiters() {
        return hasWaiters;
    }

    Future<UpstreamConnection> acquire() {
        Promise<UpstreamConnection> promise = loop.newPromise();
        UpstreamConnection reusable = pollIdle();
        if (reusable != null) {
            lend(reusable, promise);
        } else if (parent.tryReserve()) {
            connect(promise);
        } else {
            Waiter waiter = new Waiter(promise);
            waiter.timeout = loop.schedule(
                    () -> {
                        if (waiters.remove(waiter)) {
                            parent.pending.decrementAndGet();
                        }
                        hasWaiters = !waiters.isEmpty();
                        promise.tryFailure(UpstreamFailure.POOL_EXHAUSTED.exception(null));
                    },
                    settings.acquireTimeout().toNanos(),
                    TimeUnit.NANOSECONDS);
            waiters.add(waiter);
            parent.pending.incrementAndGet();
            hasWaiters = true;
            parent.evictIdleElsewhere(this);
        }
        return promise;
    }

    void release(UpstreamConnection connection, boolean reusable) {
        connection.detach();
        Channel channel = connection.channel();
        if (!reusable || !channel.isActive() || parent.retired() || !connection.drained()) {
            channel.close();
            return;
        }
        Waiter waiter = pollWaiter();
        if (waiter != null) {
            lend(connection.lentAgain(), waiter.promise);
        } else if (parent.pending.get() > 0) {
            // Requests wait on another loop, which cannot be lent this one's connection: closed, it frees
            // the budget for them (freed() wakes their loops) instead of idling while they wait for a 503.
            channel.close();
        } else {
            idle.addLast(new IdleConnection(connection, clock.getAsLong()));
            parent.idle.incrementAndGet();
            scheduleIdleSweep();
            // Reading while idle lets an upstream close (or stray bytes) be noticed at once.
            channel.read();
        }
    }

    /** A connection was freed somewhere in the budget: start one for the oldest waiter. */
    void serveWaiters() {
        while (!waiters.isEmpty()) {
            UpstreamConnection reusable = pollIdle();
            if (reusable != null) {
                lend(reusable, pollWaiter().promise);
            } else if (parent.tryReserve()) {
                connect(pollWaiter().promise);
            } else {
                return;
            }
        }
    }

    void evictOneIdle() {
        IdleConnection oldest = idle.pollFirst();
        if (oldest != null) {
            parent.idle.decrementAndGet();
            oldest.channel().close();
        }
    }

    void closeAll() {
        // Closing runs the close listener, which removes from idle: iterate over a copy.
        List<IdleConnection> closing = new ArrayList<>(idle);
        idle.clear();
        parent.idle.addAndGet(-closing.size());
        closing.forEach(c -> c.channel().close());
    }

    /** The connection idle the shortest time, lent again; null when there is none. */
    UpstreamConnection pollIdle() {
        IdleConnection connection;
        while ((connection = idle.pollLast()) != null) {
            parent.idle.decrementAndGet();
            if (connection.channel().isActive()) {
                return connection.connection().lentAgain();
            }
        }
        return null;
    }

    /** Sets the task for the connection idle longest, unless one is set already. */
    private void scheduleIdleSweep() {
        IdleConnection oldest = idle.peekFirst();
        if (idleSweep == null && oldest != null) {
            long delay = oldest.sinceNanos() + idleTimeoutNanos - clock.getAsLong();
            idleSweep = loop.schedule(this::closeExpired, Math.max(0, delay), TimeUnit.NANOSECONDS);
        }
    }

    /** Closes the connections idle for {@code idle-timeout} or longer, then waits for the next one. */
    private void closeExpired() {
        idleSweep = null;
        long now = clock.getAsLong();
        IdleConnection oldest;
        while ((oldest = idle.peekFirst()) != null && now - oldest.sinceNanos() >= idleTimeoutNanos) {
            idle.pollFirst();
            parent.idle.decrementAndGet();
            oldest.channel().close();
        }
        scheduleIdleSweep();
    }

    private Waiter pollWaiter() {
        Waiter waiter;
        while ((waiter = waiters.pollFirst()) != null) {
            parent.pending.decrementAndGet();
            waiter.timeout.cancel(false);
            if (!waiter.promise.isDone()) {
                hasWaiters = !waiters.isEmpty();
                return waiter;
            }
        }
        hasWaiters = false;
        return null;
    }

    /**
     * Opens a connection for {@code promise} once the loop has handled the I/O events it is handling
     * now, never in the middle of them. Acquires come from inside an event (a client's request, a
     * closed connection); a socket opened there takes the lowest free descriptor, often one that an
     * earlier event of the same round has just closed, and Netty's epoll loop hands the round's
     * remaining events by descriptor number: an event of the closed socket (data or a hang-up the
     * upstream sent it) reached the new, unconnected one, whose read failed and closed it before its
     * connect began (a 502 "refused" for a healthy upstream, about two requests in 100,000 of an
     * 8-client soak; LoopPoolStaleEventTest). Between rounds the closed socket's events are gone with it.
     */
    private void connect(Promise<UpstreamConnection> promise) {
        try {
            loop.execute(() -> open(promise));
        } catch (RejectedExecutionException e) {
            // The loop is shutting down: nothing will be opened on it.
            parent.freed();
            promise.tryFailure(UpstreamFailure.CONNECT_FAILED.exception(e));
        }
    }

    private void open(Promise<UpstreamConnection> promise) {
        ChannelFuture connected = bootstrap.connect(settings.host(), settings.port());
        Channel channel = connected.channel();
        channel.closeFuture().addListener(f -> {
            if (idle.removeIf(c -> c.channel() == channel)) {
                parent.idle.decrementAndGet();
            }
            parent.freed();
        });
        connected.addListener(f -> {
            if (!f.isSuccess()) {
                promise.tryFailure(connectFailure(f.cause()));
                return;
            }
            UpstreamConnection opened =
                    new UpstreamConnection(channel, channel.pipeline().get(UpstreamResponseHandler.class), false);
            SslHandler tls = channel.pipeline().get(SslHandler.class);
            if (tls == null) {
                lend(opened, promise);
                return;
            }
            tls.handshakeFuture().addListener(h -> {
                if (h.isSuccess()) {
                    lend(opened, promise);
                } else {
                    channel.close();
                    promise.tryFailure(connectFailure(h.cause()));
                }
            });
        });
    }

    private void lend(UpstreamConnection connection, Promise<UpstreamConnection> promise) {
        if (!promise.trySuccess(connection)) {
            // The waiter gave up meanwhile; keep the connection for the next one.
            release(connection, true);
        }
    }

    /** The client gets the step that failed; the log, what the system said (throttled: a dead upstream floods). */
    private UpstreamFailure.UpstreamException connectFailure(Throwable cause) {
        UpstreamFailure failure = UpstreamFailure.ofConnect(cause);
        parent.connectLog.log("cannot connect to the upstream {}: {}", settings.url(), describe(cause));
        return failure.exception(cause);
    }

    /** The failure's own words: Netty's and the JDK's connect, resolve and TLS exceptions carry them on top. */
    private static String describe(Throwable cause) {
        if (cause == null) {
            return "no cause given";
        }
        return cause.getMessage() != null
                ? cause.getMessage()
                : cause.getClass().getName();
    }

    /** A connection back in the pool, and since when (the loop's {@link LoopClock}). */
    private record IdleConnection(UpstreamConnection connection, long sinceNanos) {
        Channel channel() {
            return connection.channel();
        }
    }

    private static final class Waiter {
        final Promise<UpstreamConnection> promise;
        ScheduledFuture<?> timeout;

        Waiter(Promise<UpstreamConnection> promise) {
            this.promise = promise;
        }
    }
}
