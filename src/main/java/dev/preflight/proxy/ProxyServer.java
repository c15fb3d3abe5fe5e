package dev.preflight.proxy;

import dev.preflight.config.Settings;
import dev.preflight.proxy.upstream.UpstreamPool;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy listener: accepts clients and forwards to the configured upstreams. Client and upstream
 * channels share the worker event loops, one thread per core. {@link #reload} swaps the policy and
 * routes for new requests; {@link #drain} is the graceful half of shutdown.
 */
public final class ProxyServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ProxyServer.class);

    private final EventLoops loops;
    private final ProxyContext context;
    private final Channel listener;
    private final ChannelGroup clients;

    private ProxyServer(EventLoops loops, ProxyContext context, Channel listener, ChannelGroup clients) {
        this.loops = loops;
        this.context = context;
        this.listener = listener;
        this.clients = clients;
    }

    /**
     * Netty's first-use work that needs no settings, done ahead: the default buffer allocator (made
     * at the first channel, with its size classes and event types), the {@code @Sharable} annotation
     * of {@link ChannelInitializer}, which the JDK turns into a dynamic proxy class at the first look
     * (the bind's), the HTTP codecs' classes and the DNS resolver's (its class reads
     * {@code /etc/resolv.conf} and {@code /etc/hosts}), which the first client connection and its
     * first upstream connection would otherwise load. {@code preflight run} calls it on a thread of
     * its own while the main one reads the configuration (issue 7: the bind then took 20-60 ms after
     * the configuration instead of 50-80, on two CPUs). Safe from any thread.
     */
    public static void prepare() {
        Objects.requireNonNull(ByteBufAllocator.DEFAULT);
        ChannelInitializer.class.getAnnotation(ChannelHandler.Sharable.class);
        new HttpServerCodec();
        UpstreamPool.prepare();
        new DnsNameResolverBuilder();
    }

    /** Binds {@code settings.listen()} and starts serving; port 0 picks a free port. */
    public static ProxyServer start(Settings settings) throws InterruptedException {
        return start(settings, new SimpleMeterRegistry());
    }

    /** As {@link #start(Settings)}, recording {@link ProxyMetrics} in {@code registry}. */
    public static ProxyServer start(Settings settings, MeterRegistry registry) throws InterruptedException {
        return start(settings, new ProxyMetrics(registry));
    }

    /** As {@link #start(Settings)}, recording into {@code metrics} (one per registry). */
    public static ProxyServer start(Settings settings, ProxyMetrics metrics) throws InterruptedException {
        return start(settings, metrics, EventLoops.start());
    }

    /**
     * As {@link #start(Settings, ProxyMetrics)}, on event loops started beforehand; the server owns
     * them from now on, and stops them when it closes or fails to bind.
     */
    public static ProxyServer start(Settings settings, ProxyMetrics metrics, EventLoops loops)
            throws InterruptedException {
        return start(settings, metrics, loops, null);
    }

    /**
     * As {@link #start(Settings, ProxyMetrics, EventLoops)}, handing each request's text access-log
     * line to {@code accessLines} (called on an event loop; it must not block) instead of the
     * {@code preflight.access} logger.
     */
    public static ProxyServer start(
            Settings settings, ProxyMetrics metrics, EventLoops loops, Consumer<AccessLogEntry> accessLines)
            throws InterruptedException {
        Transports transports = loops.transports();
        ProxyContext context = new ProxyContext(settings, transports, metrics, accessLines);
        ConnectionLimitHandler connectionLimit =
                new ConnectionLimitHandler(settings.limits().maxConnections());
        metrics.clientConnections(connectionLimit::open);
        ChannelGroup clients = new DefaultChannelGroup("clients", GlobalEventExecutor.INSTANCE);
        try {
            InetAddress address = Transports.listenAddress(settings.listen().host());
            Channel listener = new ServerBootstrap()
                    .group(loops.boss(), loops.workers())
                    .channelFactory(transports.serverChannelFor(address))
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .handler(new TrackClients(clients))
                    .childOption(ChannelOption.AUTO_READ, false)
                    .childOption(ChannelOption.RCVBUF_ALLOCATOR, Transports.reads())
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ClientChannelInitializer(context, connectionLimit))
                    .bind(address, settings.listen().port())
                    .sync()
                    .channel();
            listener.pipeline().addLast(new AcceptErrorLog("the proxy port"));
            ProxyServer server = new ProxyServer(loops, context, listener, clients);
            log.info(
                    "listening on {} ({}), forwarding to {}",
                    server.address(),
                    transports.name(),
                    settings.upstream().url());
            return server;
        } catch (Exception e) { // Netty rethrows a BindException undeclared
            context.close();
            loops.shutdown();
            if (e instanceof InterruptedException interrupted) {
                throw interrupted;
            }
            if (e instanceof IOException io) {
                throw new UncheckedIOException(
                        "cannot listen on "
                                + NetUtil.toSocketAddressString(
                                        settings.listen().host(),
                                        settings.listen().port())
                                + ": " + io.getMessage(),
                        io);
            }
            throw (RuntimeException) e;
        }
    }

    /** The bound address (the real port when 0 was asked for). */
    public InetSocketAddress address() {
        return (InetSocketAddress) listener.localAddress();
    }

    /**
     * New requests follow {@code settings} from now on; requests in flight finish under the old
     * ones, and pools of upstreams no longer used close once idle. Listen address, limits of open
     * connections and the access log switch are not changed here (the caller warns about them).
     */
    public void reload(Settings settings) {
        context.swap(settings);
    }

    /**
     * Stops accepting, closes idle client connections at once and the others after their current
     * response, and waits for them up to {@code timeout}; what is left is closed then.
     *
     * @return the number of connections that had to be cut at the timeout
     */
    public int drain(Duration timeout) throws InterruptedException {
        listener.close().sync();
        context.startDraining();
        clients.forEach(ch -> ch.pipeline().fireUserEventTriggered(DrainEvent.INSTANCE));
        // Elapsed time against the budget, never a deadline: start + budget can overflow (nanoTime's
        // origin is arbitrary, the budget up to 292 years), which cut every connection at once.
        long start = System.nanoTime();
        long budget = timeout.toNanos();
        long elapsed;
        while (!clients.isEmpty() && (elapsed = System.nanoTime() - start) < budget) {
            clients.newCloseFuture().await(Math.max(1, (budget - elapsed) / 1_000_000), TimeUnit.MILLISECONDS);
        }
        int cut = clients.size();
        clients.close().await(5, TimeUnit.SECONDS);
        return cut;
    }

    /** Stops accepting, closes every connection and releases the event loops. */
    @Override
    public void close() {
        listener.close().syncUninterruptibly();
        clients.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        context.close();
        loops.shutdown();
    }

    /** Adds each accepted client channel to the group that drain and close act on. */
    @ChannelHandler.Sharable
    private static final class TrackClients extends ChannelInboundHandlerAdapter {
        private final ChannelGroup clients;

        TrackClients(ChannelGroup clients) {
            this.clients = clients;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Channel child) {
                clients.add(child);
            }
            ctx.fireChannelRead(msg);
        }
    }
}
