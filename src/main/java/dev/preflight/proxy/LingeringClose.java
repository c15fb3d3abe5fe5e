package dev.preflight.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes a connection whose client may still be sending the body of a request the proxy answered
 * without reading it (a 502 before the upstream took it, a 413): the answer is followed by a FIN, and
 * what the client still sends is read and dropped until it closes its side or {@link #LINGER_MILLIS}
 * pass. Closed at once, the socket's unread bytes made the kernel answer with a reset, and a client
 * still writing its body lost the answer it had been sent (curl: "Send failure: Connection reset by
 * peer", 7 uploads in 160; found by probing). nginx's {@code lingering_close} does the same.
 */
final class LingeringClose extends ChannelInboundHandlerAdapter {
    /** As nginx's {@code lingering_timeout}: long enough for a client to read its answer and stop. */
    static final long LINGER_MILLIS = 5000;

    private LingeringClose() {}

    /** After the answer has been written: the output shut, the input drained, then the close. */
    static void start(ChannelHandlerContext ctx) {
        Channel channel = ctx.channel();
        if (!channel.isActive() || !(channel instanceof DuplexChannel duplex)) {
            ctx.close();
            return;
        }
        channel.pipeline().addFirst(HandlerNames.LINGER, new LingeringClose());
        ScheduledFuture<?> deadline =
                channel.eventLoop().schedule(() -> channel.close(), LINGER_MILLIS, TimeUnit.MILLISECONDS);
        channel.closeFuture().addListener(closed -> deadline.cancel(false));
        duplex.shutdownOutput().addListener(shut -> {
            if (shut.isSuccess()) {
                channel.config().setAutoRead(true);
            } else {
                channel.close();
            }
        });
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg); // what is left of the request, and anything after it
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // Nothing was passed on.
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            ctx.close(); // the client has sent all it will
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }
}
