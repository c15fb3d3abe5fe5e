package dev.preflight.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.LastHttpContent;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Charges what the request decoder holds between reads to a share of direct memory shared by all
 * client connections ({@link HeadBudget}, an eighth of it): the bytes of a line whose end has not come
 * (a request line or header field, a chunk's size line or a trailer field; the body's own bytes are
 * handed on as they come), kept in the buffer of the read they came in (up to 32 KiB, or a larger
 * one as a line grows over reads) until the rest comes. A line that finds no room is refused ({@link NoRoom}): a head gets 503 and its connection
 * closes, a body in progress ends its exchange (503 if nothing was answered yet) and the connection.
 * Without it, about 5,000 connections each sending 16 KB of one header field, or 512 chunked uploads
 * each stopped inside a trailer field after a large chunk (the pool's limit, about 70 KB each) beside
 * them, ran the image's 64 MiB of direct memory out and stopped the process (found by probing). Sits
 * before the codec, to look at the decoder once a read is decoded; the request handler tells it,
 * message by message, whether the decoder is inside a body.
 */
final class DecoderBacklogHandler extends ChannelInboundHandlerAdapter {
    /** The event the request handler gets when an unfinished line finds no room: in a head, or in a body. */
    record NoRoom(boolean inBody) {
        static final NoRoom IN_HEAD = new NoRoom(false);
        static final NoRoom IN_BODY = new NoRoom(true);
    }

    /** What a 503 for a body's unfinished line says. */
    static final String NO_ROOM_DETAIL = "the proxy holds as many unfinished request lines as its memory allows";

    // HttpServerCodec is final and keeps its decoder to itself: it is reached as a subclass of
    // CombinedChannelDuplexHandler reaches it, and the decoder's buffer as a subclass of
    // ByteToMessageDecoder does (both protected, both part of Netty's API for subclasses).
    private static final MethodHandle INBOUND_HANDLER;
    private static final MethodHandle INTERNAL_BUFFER;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            INBOUND_HANDLER = MethodHandles.privateLookupIn(CombinedChannelDuplexHandler.class, lookup)
                    .findVirtual(
                            CombinedChannelDuplexHandler.class,
                            "inboundHandler",
                            MethodType.methodType(ChannelInboundHandler.class));
            INTERNAL_BUFFER = MethodHandles.privateLookupIn(ByteToMessageDecoder.class, lookup)
                    .findVirtual(ByteToMessageDecoder.class, "internalBuffer", MethodType.methodType(ByteBuf.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final ByteToMessageDecoder decoder;
    private final HeadBudget.Account account;
    private final HeadBudget.Account heads; // the connection's share of the heap's budget, which counts heads
    // Confined to the connection's event loop.
    private boolean inBody; // the decoder has made a request's head and not yet its last content
    private boolean refused;

    /**
     * @param account the connection's share of the direct memory's budget, charged here
     * @param heads its share of the heap's, which knows whether a head has been begun
     */
    DecoderBacklogHandler(HttpServerCodec codec, HeadBudget.Account account, HeadBudget.Account heads) {
        this.decoder = decoderOf(codec);
        this.account = account;
        this.heads = heads;
    }

    private static ByteToMessageDecoder decoderOf(HttpServerCodec codec) {
        try {
            return (ByteToMessageDecoder) (ChannelInboundHandler) INBOUND_HANDLER.invoke(codec);
        } catch (Throwable e) {
            throw new IllegalStateException("cannot reach the request decoder", e);
        }
    }

    /** A message the decoder made, in order: whether what it holds next belongs to a head or a body. */
    void decoded(Object msg) {
        if (msg instanceof LastHttpContent) {
            inBody = false; // a full request (the decoder's "invalid" one) included
        } else if (msg instanceof HttpRequest) {
            inBody = true;
        }
    }

    /**
     * The decoder has begun a head after the last request (a pipelined one): part of its request line
     * waits in the decoder's buffer, or the line is in and the head not yet taken.
     */
    boolean holdsHead() {
        return !inBody && (heldBytes() > 0 || heads.headsPending());
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (!refused && !account.hold(heldBytes())) {
            refused = true;
            ctx.fireUserEventTriggered(inBody ? NoRoom.IN_BODY : NoRoom.IN_HEAD);
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        account.close(); // a tunnel: the decoder went with it
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        account.close();
        ctx.fireChannelInactive();
    }

    /** The direct memory the decoder keeps for bytes it has not decoded: its buffer, or nothing. */
    private int heldBytes() {
        ByteBuf held;
        try {
            held = (ByteBuf) INTERNAL_BUFFER.invokeExact(decoder);
        } catch (Throwable e) {
            throw new IllegalStateException("cannot read the request decoder's buffer", e);
        }
        return held.isReadable() ? held.capacity() : 0;
    }
}
