package dev.preflight.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Relays the raw bytes of an upgraded connection to its peer, one side of a WebSocket tunnel (P7):
 * the next read only after the peer took the previous bytes, so memory stays bounded whichever side
 * is slow. Either side closing, failing or (on the client side) sitting idle past
 * {@code limits.idle-timeout} closes both, the peer once what was written to it has left, or at
 * the latest {@code limits.idle-timeout} later.
 *
 * <p>Bytes that arrive while the pipelines are still being rebuilt (what the codecs held when they
 * were removed) are kept until {@link #start} and then relayed first, in order.
 */
final class TunnelHandler extends ChannelInboundHandlerAdapter {
    // Both channels live on the same event loop (the upstream connection was made on the client's).
    private final Channel peer;
    private final long closeGraceNanos;
    private final Runnable onClose;
    private List<ByteBuf> held = new ArrayList<>(2);
    private ChannelHandlerContext ctx;

    /**
     * @param closeGraceNanos how long the peer may take, once this side has closed, to take what was
     *     written to it before it is closed anyway ({@code limits.idle-timeout})
     * @param onClose runs once, when this side's channel closes
     */
    TunnelHandler(Channel peer, long closeGraceNanos, Runnable onClose) {
        this.peer = peer;
        this.closeGraceNanos = closeGraceNanos;
        this.onClose = onClose;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    /** Relays what arrived during the rebuild, then starts reading. */
    void start() {
        List<ByteBuf> leftovers = held;
        held = null;
        leftovers.forEach(this::relay);
        if (leftovers.isEmpty()) {
            ctx.read();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf bytes)) {
            // The end marker a codec emits for a 101 response: it carries nothing to relay.
            ReferenceCountUtil.release(msg);
            if (held == null) {
                ctx.read();
            }
        } else if (held != null) {
            held.add(bytes);
        } else {
            relay(bytes);
        }
    }

    private void relay(ByteBuf bytes) {
        if (!bytes.isReadable()) {
            bytes.release();
            ctx.read();
            return;
        }
        peer.writeAndFlush(bytes).addListener(f -> {
            if (f.isSuccess()) {
                ctx.read();
            } else {
                ctx.close();
            }
        });
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releaseHeld();
        if (peer.isActive()) {
            // What was written to the peer leaves first. A peer that takes nothing more (a backend
            // that stopped reading) would otherwise keep its connection, and a place in the
            // upstream's max-connections, for as long as it likes after the client has gone.
            ChannelFuture flushed = peer.writeAndFlush(Unpooled.EMPTY_BUFFER);
            flushed.addListener(ChannelFutureListener.CLOSE);
            if (!flushed.isDone()) {
                Future<?> deadline =
                        peer.eventLoop().schedule((Runnable) peer::close, closeGraceNanos, TimeUnit.NANOSECONDS);
                peer.closeFuture().addListener(f -> deadline.cancel(false));
            }
        }
        onClose.run();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseHeld();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        // TLS's close_notify from the upstream is its end, as a TCP close is (see UpstreamResponseHandler).
        if (evt instanceof IdleStateEvent || evt instanceof SslCloseCompletionEvent) {
            ctx.close();
        }
        // A drain leaves tunnels open; the drain timeout closes what is left.
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        OutOfMemory.haltIfOutOfMemory(cause);
        ctx.close();
    }

    private void releaseHeld() {
        if (held != null) {
            held.forEach(ByteBuf::release);
            held.clear();
        }
    }
}
