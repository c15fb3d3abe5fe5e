package dev.preflight.proxy;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Closes a new client connection at once when {@code limits.max-connections} are already open; the
 * client sees a reset rather than a slow, half-served connection. Shared by all connections of one
 * listener.
 */
@ChannelHandler.Sharable
final class ConnectionLimitHandler extends ChannelInboundHandlerAdapter {
    private final int max;
    private final AtomicInteger open = new AtomicInteger();

    ConnectionLimitHandler(int max) {
        this.max = max;
    }

    int open() {
        return open.get();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (open.incrementAndGet() > max) {
            open.decrementAndGet();
            ctx.close();
            return;
        }
        ctx.channel().closeFuture().addListener(f -> open.decrementAndGet());
        ctx.fireChannelActive();
    }
}
