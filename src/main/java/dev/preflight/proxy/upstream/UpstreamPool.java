package dev.preflight.proxy.upstream;

import dev.preflight.config.TrustedAuthorities;
import dev.preflight.config.UpstreamSettings;
import dev.preflight.proxy.ThrottledLog;
import dev.preflight.proxy.Transports;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.concurrent.Future;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import javax.net.ssl.SSLException;
import org.slf4j.event.Level;

/**
 * Keep-alive connections to one upstream. Each event loop has its own {@link LoopPool}, so a client
 * and its upstream connection share a thread and nothing is locked; {@code max-connections} is one
 * budget for them all, counted here.
 *
 * <p>Reuse rules: a connection goes back to the pool only when the request was fully written, the
 * response fully read, and neither side said {@code Connection: close} (the exchange decides, see
 * {@link #release}). Idle connections are closed after {@code idle-timeout}, or as soon as the
 * upstream closes them or sends anything unasked. When the budget is spent and a request waits on
 * one loop while another loop holds idle connections, one of those is closed to make room; and a
 * connection given back on one loop while requests wait on another is closed rather than kept idle.
 */
public final class UpstreamPool implements AutoCloseable {
    private final UpstreamSettings settings;
    private final Transports transports;
    private final SslContext sslContext;
    private final AtomicInteger open = new AtomicInteger();
    final AtomicInteger idle = new AtomicInteger();
    final AtomicInteger pending = new AtomicInteger();
    private volatile boolean retired;
    private final Map<EventLoop, LoopPool> loops = new ConcurrentHashMap<>();
    // Made once: a method reference bound to this, written at the call, is an object per request.
    private final Function<EventLoop, LoopPool> newLoopPool = this::newLoopPool;
    private final List<LoopPool> loopList = new CopyOnWriteArrayList<>();
    // Per upstream: a dead one logs its failed connects without hiding another's.
    final ThrottledLog connectLog = new ThrottledLog("preflight.upstream", Level.WARN, 10);

    public UpstreamPool(UpstreamSettings settings, Transports transports) {
        this.settings = settings;
        this.transports = transports;
        this.sslContext = settings.tls() ? clientTls(settings.trustedAuthorities()) : null;
    }

    /** Loads what the first upstream connection would otherwise load; safe from any thread. */
    public static void prepare() {
        UpstreamChannelInitializer.prepare();
    }

    public UpstreamSettings settings() {
        return settings;
    }

    /**
     * A connection idle in {@code loop}'s pool, lent at once, or null: then {@link #acquire}. Most
     * requests find one, and so cost no promise and no listener (issue 7). Must be called on
     * {@code loop}.
     */
    public UpstreamConnection pollIdle(EventLoop loop, Object client) {
        LoopPool pool = loops.get(loop);
        return pool == null ? null : pool.pollIdle(client);
    }

    /**
     * Must be called on {@code loop}; completes on it too.
     *
     * @param client the client connection the exchange is for (by identity): a connection another
     *     client used is lent to it only once settled (see {@code LoopPool})
     */
    public Future<UpstreamConnection> acquire(EventLoop loop, Object client) {
        return loops.computeIfAbsent(loop, newLoopPool).acquire(client);
    }

    /**
     * As {@link #acquire(EventLoop, Object)}, but a new connection when the budget has room for one,
     * never an idle one: for the retry of a request whose pooled connection proved dead, since the
     * idle ones beside it may be as dead (a NAT's or a load balancer's silent drop of them all).
     */
    public Future<UpstreamConnection> acquireFresh(EventLoop loop, Object client) {
        return loops.computeIfAbsent(loop, newLoopPool).acquireFresh(client);
    }

    /** As {@link #acquire(EventLoop, Object)} for no client in particular (tests). */
    public Future<UpstreamConnection> acquire(EventLoop loop) {
        return acquire(loop, null);
    }

    /** Must be called on the connection's event loop. */
    public void release(UpstreamConnection connection, boolean reusable) {
        LoopPool pool = loops.get(connection.channel().eventLoop());
        if (pool == null) {
            connection.channel().close();
            return;
        }
        pool.release(connection, reusable);
    }

    /** Connections open now, idle and lent together. */
    public int openConnections() {
        return open.get();
    }

    public int idleConnections() {
        return idle.get();
    }

    /** Requests waiting for a connection. */
    public int pendingAcquires() {
        return pending.get();
    }

    /**
     * After a reload that no longer uses this upstream: idle connections close now, lent ones when
     * their exchange ends; requests in flight finish on it undisturbed.
     */
    public void retire() {
        retired = true;
        close();
    }

    boolean retired() {
        return retired;
    }

    @Override
    public void close() {
        for (LoopPool pool : loopList) {
            pool.loop().execute(pool::closeAll);
        }
    }

    boolean tryReserve() {
        while (true) {
            int current = open.get();
            if (current >= settings.maxConnections()) {
                return false;
            }
            if (open.compareAndSet(current, current + 1)) {
                return true;
            }
        }
    }

    /** A connection closed somewhere: a request waiting on any loop may now connect. */
    void freed() {
        open.decrementAndGet();
        for (LoopPool pool : loopList) {
            if (pool.hasWaiters()) {
                pool.loop().execute(pool::serveWaiters);
            }
        }
    }

    /** The budget is spent and {@code starving} has a waiter: ask other loops to close an idle connection. */
    void evictIdleElsewhere(LoopPool starving) {
        for (LoopPool pool : loopList) {
            if (pool != starving) {
                pool.loop().execute(pool::evictOneIdle);
            }
        }
    }

    private LoopPool newLoopPool(EventLoop loop) {
        LoopPool pool = new LoopPool(this, loop, settings, transports, sslContext);
        loopList.add(pool);
        return pool;
    }

    /** @param trusted {@code ca-file}'s authorities, or null for the JVM's trust store */
    private static SslContext clientTls(TrustedAuthorities trusted) {
        try {
            // Host names are verified against the certificate either way.
            SslContextBuilder builder = SslContextBuilder.forClient().endpointIdentificationAlgorithm("HTTPS");
            if (trusted != null) {
                builder.trustManager(trusted.certificates());
            }
            return builder.build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot set up TLS for the upstream", e);
        }
    }
}
