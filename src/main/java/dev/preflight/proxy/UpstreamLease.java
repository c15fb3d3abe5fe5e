package dev.preflight.proxy;

import dev.preflight.proxy.upstream.UpstreamConnection;
import dev.preflight.proxy.upstream.UpstreamFailure;
import dev.preflight.proxy.upstream.UpstreamPool;
import io.netty.channel.Channel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GenericFutureListener;

/**
 * The upstream connection one {@link Exchange} holds: acquired from its route's pool on the client's
 * event loop, acquired once more when a reused one turns out dead and the exchange says the request
 * may be replayed (P6), and given back to the pool (reusable or not) or handed over to a tunnel,
 * once. When, and whether, belongs to the exchange. Confined to the client's event loop, which is
 * also the upstream connection's.
 *
 * <p>It is its own acquire listener: the exchange's method reference it replaces cost an object per
 * acquire, so a lease costs a request no more objects than before (issue 7).
 */
final class UpstreamLease implements GenericFutureListener<Future<UpstreamConnection>> {
    private final Exchange exchange;
    private final UpstreamPool pool;
    private final Channel client;

    private UpstreamConnection connection;
    private boolean retried;
    // The wait on the pool, while it lasts: for a connection to come free, or to connect.
    private Future<UpstreamConnection> waiting;

    UpstreamLease(Exchange exchange, UpstreamPool pool, Channel client) {
        this.exchange = exchange;
        this.pool = pool;
        this.client = client;
    }

    void acquire() {
        UpstreamConnection idle = pool.pollIdle(client.eventLoop(), client);
        if (idle != null) {
            acquired(idle);
        } else {
            waiting = pool.acquire(client.eventLoop(), client);
            waiting.addListener(this);
        }
    }

    @Override
    public void operationComplete(Future<UpstreamConnection> future) {
        waiting = null;
        if (!future.isSuccess()) {
            UpstreamFailure failure = future.cause() instanceof UpstreamFailure.UpstreamException e
                    ? e.failure()
                    : UpstreamFailure.CONNECT_FAILED;
            exchange.failBeforeResponse(failure);
            return;
        }
        acquired(future.getNow());
    }

    private void acquired(UpstreamConnection acquired) {
        if (exchange.finished() || !client.isActive()) {
            pool.release(acquired, true); // untouched: still clean
            return;
        }
        connection = acquired;
        connection.attach(exchange);
        exchange.connected(acquired.channel(), retried);
    }

    /**
     * Waiting on the pool for a connection to come free ({@code acquire-timeout}) or to be connected
     * ({@code connect-timeout}): the upstream side's wait, with limits of its own.
     */
    boolean acquiring() {
        return waiting != null;
    }

    /** Any byte came on the connection since the request was written (P6: never replayed then). */
    boolean heardFrom() {
        return connection != null && connection.heardSinceRequest();
    }

    /** The connection, or null before it is acquired and once released, closed or handed over. */
    UpstreamConnection connection() {
        return connection;
    }

    /**
     * The upstream closed the connection, so there is nothing to release. A pooled connection may have
     * been closed by the upstream while it sat idle, so one that was reused is replaced once by a new
     * one, when the exchange says the request can be sent again ({@code replayable}). New, not the next
     * idle one: it was, and a GET got 502 when that one was as dead (a pool whose connections a NAT
     * dropped silently; found by probing).
     *
     * @return a fresh connection is being acquired: the exchange goes on when it comes
     */
    boolean closed(boolean replayable) {
        boolean retry = connection != null && connection.reused() && !retried && replayable;
        connection = null;
        if (retry) {
            retried = true;
            waiting = pool.acquireFresh(client.eventLoop(), client);
            waiting.addListener(this);
        }
        return retry;
    }

    /** Gives the connection back to the pool, which keeps it only when {@code reusable}; once. */
    void release(boolean reusable) {
        if (waiting != null) {
            // The exchange ended while it waited (its client left): the pool stops counting it.
            waiting.cancel(false);
        }
        UpstreamConnection current = handOver();
        if (current != null) {
            pool.release(current, reusable);
        }
    }

    /** The connection leaves the lease for a tunnel (P7) and never goes back to the pool from here. */
    UpstreamConnection handOver() {
        UpstreamConnection current = connection;
        connection = null;
        return current;
    }
}
