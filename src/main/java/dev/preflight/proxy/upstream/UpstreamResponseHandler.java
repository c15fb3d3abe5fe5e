package dev.preflight.proxy.upstream;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpObject;
import io.netty.util.ReferenceCountUtil;

/**
 * Hands what an upstream connection receives to the exchange that holds it. While the connection
 * sits idle in the pool nothing may arrive: anything that does closes it (its pool closes it after
 * {@code idle-timeout}).
 */
public final class UpstreamResponseHandler extends ChannelInboundHandlerAdapter {
    // Set and read only on the channel's event loop, which is also its client's.
    private UpstreamListener listener;
    private boolean closedReported;

    void attach(UpstreamListener listener) {
        this.listener = listener;
        this.closedReported = false;
    }

    void detach() {
        this.listener = null;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (listener != null && msg instanceof HttpObject http) {
            listener.onResponse(http);
        } else {
            ReferenceCountUtil.release(msg);
            ctx.close();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (listener != null) {
            listener.onReadComplete();
        } else if (ctx.channel().isActive()) {
            ctx.read(); // idle: keep listening, so a close or stray bytes are noticed at once
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        reportClosed(null);
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        reportClosed(cause);
        ctx.close();
    }

    private void reportClosed(Throwable cause) {
        UpstreamListener current = listener;
        if (current != null && !closedReported) {
            closedReported = true;
            listener = null;
            current.onUpstreamClosed(cause);
        }
    }
}
