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
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The part of an {@link UpstreamPool} that lives on one event loop. Every method runs on that loop,
 * so its queues need no locks.
 *
 * <p>Its idle connections are {@link IdleConnections}, timed out there; the requests waiting for a
 * connection when the budget is spent, {@link LoopWaiters}.
 *
 * <p>A connection that comes back goes on at once only to the client connection it served (its next
 * request); another client gets it once it has been back for {@link #SETTLE_NANOS}. A backend that
 * sends bytes past its response in a write of their own (a body on a 204 or a HEAD's answer, more
 * than its length, or the answer to a request it found in a body it did not read: a "CL.0" desync)
 * would otherwise have them read as another client's answer; while the connection settles, they
 * arrive, and an idle connection that receives anything is closed. A connection its client takes
 * back before it has settled may carry that client's confusion from then on (a stray answer taken for
 * its next one, the answer it waited for still to come), so it is pinned: that client's alone, closed
 * rather than lent to another (found by probing: an answer held back this way reached the next client
 * after the settle). A fronting proxy that sends many users' requests over one client connection
 * shares that connection's fate among them, as it would with nginx.
 */
final class LoopPool {
    /**
     * How long a connection stays back before another client may have it: what a backend's stray
     * bytes take to follow its response. A backend with Nagle's algorithm on (most old servers) holds
     * a small second write until the first is acknowledged, and Linux delays an acknowledgement by 40
     * ms at least: 10 ms let them through (a probe's HEAD body reached 4 other clients in 20); with 50
     * ms a probe still saw strays written 41-49 ms late cross, 1-2 in 10,000, since the delayed ACK
     * ran to 50 ms under load. Bytes later than this (a smuggled request slow to answer) are beyond
     * it. What it costs: a waiter for a connection, with the budget spent, waits up to this much
     * longer, and a burst of new clients opens connections rather than take ones just given back.
     */
    static final long SETTLE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final UpstreamPool parent;
    private final EventLoop loop;
    private final UpstreamSettings settings;
    private final Bootstrap bootstrap;
    private final LongSupplier clock; // the loop's LoopClock
    private final IdleConnections idle;
    private ScheduledFuture<?> settleCheck; // serves waiters once connections back for them have settled
    private final LoopWaiters waiters;

    LoopPool(
            UpstreamPool parent,
            EventLoop loop,
            UpstreamSettings settings,
            Transports transports,
            SslContext sslContext) {
        this.parent = parent;
        this.loop = loop;
        this.settings = settings;
        this.clock = LoopClock.of(loop);
        this.idle = new IdleConnections(loop, clock, settings.idleTimeout().toNanos(), parent.idle);
        this.waiters = new LoopWaiters(loop, parent.pending);
        this.bootstrap = new Bootstrap()
                .group(loop)
                .channel(transports.socketChannel())
                .resolver(UpstreamResolver.of(transports))
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, settings.connectTimeoutMillis())
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.RCVBUF_ALLOCATOR, Transports.reads())
                // A failed write shuts the output only: the answer a backend sent before it stopped
                // reading (and reset) is still read (Exchange.afterUpstreamWrite).
                .option(ChannelOption.AUTO_CLOSE, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .handler(new UpstreamChannelInitializer(settings, sslContext));
    }

    EventLoop loop() {
        return loop;
    }

    boolean hasWaiters() {
        return waiters.any();
    }

    Future<UpstreamConnection> acquire(Object client) {
        Promise<UpstreamConnection> promise = loop.newPromise();
        UpstreamConnection reusable = pollIdle(client);
        if (reusable != null) {
            lend(reusable, promise);
        } else if (parent.tryReserve()) {
            connect(promise, client);
        } else {
            waiters.add(promise, client, settings.acquireTimeout().toNanos());
            parent.evictIdleElsewhere(this);
            if (!idle.isEmpty()) {
                scheduleSettleCheck(); // one of them may be settling
            }
        }
        return promise;
    }

    /** A new connection when the budget has room, else as {@link #acquire} (the wait may lend an idle one). */
    Future<UpstreamConnection> acquireFresh(Object client) {
        if (!parent.tryReserve()) {
            return acquire(client);
        }
        Promise<UpstreamConnection> promise = loop.newPromise();
        connect(promise, client);
        return promise;
    }

    void release(UpstreamConnection connection, boolean reusable) {
        connection.detach();
        Channel channel = connection.channel();
        if (!reusable || !channel.isActive() || parent.retired() || !connection.drained()) {
            channel.close();
            return;
        }
        long now = clock.getAsLong();
        connection.released(now);
        if (connection.expiredAt(now)) {
            channel.close(); // Keep-Alive: timeout=0: the backend keeps nothing idle
            return;
        }
        LoopWaiters.Waiter waiter = waiters.oldest();
        if (waiter != null && connection.settledFor(waiter.client, now, SETTLE_NANOS)) {
            lend(connection.lentAgain(waiter.client, now, SETTLE_NANOS), waiters.poll().promise);
        } else if (waiter != null) {
            idle.add(connection, now);
            scheduleSettleCheck();
        } else if (parent.pending.get() > 0) {
            // Requests wait on another loop, which cannot be lent this one's connection: closed, it frees
            // the budget for them (freed() wakes their loops) instead of idling while they wait for a 503.
            channel.close();
        } else {
            idle.add(connection, now);
        }
    }

    /** Serves the waiters once the connections back in the pool have settled. */
    private void scheduleSettleCheck() {
        if (settleCheck == null) {
            settleCheck = loop.schedule(
                    () -> {
                        settleCheck = null;
                        serveWaiters();
                    },
                    SETTLE_NANOS,
                    TimeUnit.NANOSECONDS);
        }
    }

    /** A connection was freed somewhere in the budget: start one for the oldest waiter. */
    void serveWaiters() {
        LoopWaiters.Waiter waiter;
        while ((waiter = waiters.oldest()) != null) {
            UpstreamConnection reusable = idle.poll(waiter.client, SETTLE_NANOS);
            if (reusable != null) {
                lend(reusable, waiters.poll().promise);
            } else if (parent.tryReserve()) {
                connect(waiters.poll().promise, waiter.client);
            } else {
                if (!idle.isEmpty()) {
                    scheduleSettleCheck();
                }
                return;
            }
        }
    }

    void evictOneIdle() {
        idle.evictOldest();
    }

    void closeAll() {
        idle.closeAll();
    }

    /**
     * An idle connection that may serve a new request of {@code client}'s, lent again; null when there
     * is none, and while requests wait on this loop: they come first, in order (a client that took its
     * own connection back at once, again and again, kept a waiter from it until its 503).
     */
    UpstreamConnection pollIdle(Object client) {
        return waiters.any() ? null : idle.poll(client, SETTLE_NANOS);
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
    private void connect(Promise<UpstreamConnection> promise, Object client) {
        try {
            loop.execute(() -> open(promise, client));
        } catch (RejectedExecutionException e) {
            // The loop is shutting down: nothing will be opened on it.
            parent.freed();
            promise.tryFailure(UpstreamFailure.CONNECT_FAILED.exception(e));
        }
    }

    private void open(Promise<UpstreamConnection> promise, Object client) {
        ChannelFuture connected = bootstrap.connect(settings.host(), settings.port());
        Channel channel = connected.channel();
        Slot slot = new Slot();
        channel.closeFuture().addListener(f -> {
            idle.remove(channel);
            slot.giveBack();
        });
        connected.addListener(f -> {
            if (!f.isSuccess()) {
                // A socket that could not even be made (no descriptor left: EMFILE) fails on a stand-in
                // channel whose close never comes, on Netty's global executor: the slot is given back
                // here, on this loop, or it would be lost for good (found by probing: 503 for ever).
                if (loop.inEventLoop()) {
                    slot.giveBack();
                } else if (!loop.isShuttingDown()) {
                    loop.execute(slot::giveBack);
                }
                promise.tryFailure(connectFailure(f.cause()));
                return;
            }
            UpstreamConnection opened =
                    new UpstreamConnection(channel, channel.pipeline().get(UpstreamResponseHandler.class), client);
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
                    // An alert, a close, an answer that is not TLS: the step that failed is the handshake
                    // (a stalled one is still the connect timeout's 504).
                    parent.connectLog.log(
                            "cannot connect to the upstream {}: the TLS handshake failed: {}",
                            settings.url(),
                            ConnectFailureText.describe(h.cause()));
                    UpstreamFailure failure = UpstreamFailure.ofConnect(h.cause());
                    promise.tryFailure(
                            (failure == UpstreamFailure.CONNECT_FAILED ? UpstreamFailure.TLS_HANDSHAKE : failure)
                                    .exception(h.cause()));
                }
            });
        });
    }

    /** One connection's share of the budget, given back once: at its close, or at its failed connect. */
    private final class Slot {
        private boolean given;

        void giveBack() {
            if (!given) {
                given = true;
                parent.freed();
            }
        }
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
        parent.connectLog.log(
                "cannot connect to the upstream {}: {}", settings.url(), ConnectFailureText.describe(cause));
        return failure.exception(cause);
    }
}
