package dev.preflight.admin;

import dev.preflight.config.AdminSettings;
import dev.preflight.proxy.AcceptErrorLog;
import dev.preflight.proxy.Transports;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.util.NetUtil;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin server (O2): {@code /metrics}, {@code /health/live}, {@code /health/ready}, {@code
 * /config} and {@code /explain} over HTTP/1.1, on its own port and its own single-threaded event loop
 * group, so that it answers while the proxy's event loops are saturated.
 *
 * <p>It does not look at {@code admin.enabled}: the caller decides whether to start it.
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);

    private final EventLoopGroup group;
    private final Channel listener;

    private AdminServer(EventLoopGroup group, Channel listener) {
        this.group = group;
        this.listener = listener;
    }

    /** Binds {@code settings.host()} and {@code settings.port()} (0 picks a free port) and starts serving. */
    public static AdminServer start(AdminSettings settings, AdminContext context) throws InterruptedException {
        Transports transports = Transports.best();
        // One thread accepts and serves: admin traffic is a scrape and a probe every few seconds.
        EventLoopGroup group = transports.newGroup(1, "preflight-admin");
        try {
            InetAddress address = Transports.listenAddress(settings.host());
            Channel listener = new ServerBootstrap()
                    .group(group)
                    .channelFactory(transports.serverChannelFor(address))
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new AdminChannelInitializer(AdminRouter.of(context)))
                    .bind(address, settings.port())
                    .sync()
                    .channel();
            listener.pipeline().addLast(new AcceptErrorLog("the admin port"));
            AdminServer server = new AdminServer(group, listener);
            log.info("admin listening on {} ({})", server.address(), transports.name());
            return server;
        } catch (Exception e) {
            // Exception, not RuntimeException: sync() rethrows a failed bind's checked BindException.
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            if (e instanceof IOException io) {
                throw new UncheckedIOException(
                        "cannot listen on " + NetUtil.toSocketAddressString(settings.host(), settings.port())
                                + " (admin): " + io.getMessage(),
                        io);
            }
            if (e instanceof InterruptedException interrupted) {
                throw interrupted;
            }
            throw (RuntimeException) e;
        }
    }

    /** The bound address (the real port when 0 was asked for). */
    public InetSocketAddress address() {
        return (InetSocketAddress) listener.localAddress();
    }

    /** Stops accepting, closes every admin connection and releases the event loop. */
    @Override
    public void close() {
        listener.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
