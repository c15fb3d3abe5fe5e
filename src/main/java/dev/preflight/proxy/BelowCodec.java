package dev.preflight.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import java.nio.charset.StandardCharsets;

/**
 * Writes to a client connection that pass below its codec (from the head timeout handler's place),
 * which would otherwise count them as part of the response it is encoding.
 */
final class BelowCodec {
    private static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private BelowCodec() {}

    /** {@code 100 Continue}: the codec would take it for the response itself. */
    static void writeContinue(ChannelHandlerContext ctx) {
        ByteBuf bytes = ctx.alloc().buffer(CONTINUE.length).writeBytes(CONTINUE);
        ctx.pipeline().context(HandlerNames.HEAD_TIMEOUT).writeAndFlush(bytes);
    }

    /** Closes once everything written so far has left, without adding anything that ends a message. */
    static void closeOnFlush(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            ctx.pipeline()
                    .context(HandlerNames.HEAD_TIMEOUT)
                    .writeAndFlush(Unpooled.EMPTY_BUFFER)
                    .addListener(ChannelFutureListener.CLOSE);
        }
    }
}
