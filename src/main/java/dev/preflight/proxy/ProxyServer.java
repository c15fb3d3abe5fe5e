package dev.preflight.proxy;

import dev.preflight.config.Settings;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy listener: accepts clients and forwards to the configured upstream. Client and upstream
 * channels share the worker event loops, one thread per core.
 */
public final class ProxyServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ProxyServer.class);

    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final ProxyRuntime runtime;
    private final Channel listener;

    private ProxyServer(EventLoopGroup boss, EventLoopGroup workers, ProxyRuntime runtime, Channel listener) {
        this.boss = boss;
        this.workers = workers;
        this.runtime = runtime;
        this.listener = listener;
    }

    /** Binds {@code settings.listen()} and starts serving; port 0 picks a free port. */
    public static ProxyServer start(Settings settings) throws InterruptedException {
        Transports transports = Transports.best();
        EventLoopGroup boss = transports.newGroup(1, "preflight-accept");
        EventLoopGroup workers = transports.newGroup(Runtime.getRuntime().availableProcessors(), "preflight-io");
        ProxyRuntime runtime = new ProxyRuntime(settings, transports);
        ConnectionLimitHandler connectionLimit =
                new ConnectionLimitHandler(settings.limits().maxConnections());
        try {
            Channel listener = new ServerBootstrap()
                    .group(boss, workers)
                    .channel(transports.serverChannel())
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.AUTO_READ, false)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ClientChannelInitializer(runtime, connectionLimit))
                    .bind(settings.listen().host(), settings.listen().port())
                    .sync()
                    .channel();
            ProxyServer server = new ProxyServer(boss, workers, runtime, listener);
            log.info(
                    "listening on {} ({}), forwarding to {}",
                    server.address(),
                    transports.name(),
                    settings.upstream().url());
            return server;
        } catch (InterruptedException | RuntimeException e) {
            runtime.close();
            boss.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            workers.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw e;
        }
    }

    /** The bound address (the real port when 0 was asked for). */
    public InetSocketAddress address() {
        return (InetSocketAddress) listener.localAddress();
    }

    /** Stops accepting, closes every connection and releases the event loops. */
    @Override
    public void close() {
        listener.close().syncUninterruptibly();
        runtime.close();
        boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
