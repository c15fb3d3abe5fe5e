package dev.preflight.proxy;

import io.netty.channel.EventLoopGroup;
import java.util.concurrent.TimeUnit;

/**
 * The proxy's event loops on the best transport: one thread accepting, one per core serving clients
 * and their upstreams. Made apart from {@link ProxyServer} so that they can start while the
 * configuration is still being read.
 */
public record EventLoops(Transports transports, EventLoopGroup boss, EventLoopGroup workers) {
    public static EventLoops start() {
        Transports transports = Transports.best();
        return new EventLoops(
                transports,
                transports.newGroup(1, "preflight-accept"),
                transports.newGroup(Runtime.getRuntime().availableProcessors(), "preflight-io"));
    }

    /** Stops both groups; tasks already queued get up to a second. */
    public void shutdown() {
        boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
