package dev.preflight.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.ReferenceCountUtil;

/**
 * The reads asked of one client connection, by {@link ClientRequestHandler} and by the exchange or
 * local answer in progress: at most one outstanding, asked again after a read cycle that brought no
 * message, and the head of a pipelined request held until its turn (P1). The relays and local answers
 * ask for reads here too; one per connection, confined to its event loop like the handler.
 */
final class ClientReads {
    // The next request of a pipelining client, read while the exchange watched for a close
    // (watchForClose): it waits here for its turn (P1).
    private HttpRequest pipelined;
    // A read() was asked for and no message has arrived since: a read cycle that ends without one
    // (the codec holds a partial message) must be followed by another read().
    private boolean awaitingMessage;

    /**
     * Asks for the next message from the client: the next request, or the next part of a body. At most
     * one read is outstanding: the flow-control handler counts reads, and a second one would hand
     * over a message nobody is ready for (a body part before its upstream connection exists).
     */
    void requestRead(ChannelHandlerContext ctx) {
        if (!awaitingMessage) {
            awaitingMessage = true;
            ctx.read();
        }
    }

    /**
     * The exchange has read its request to the end and waits for the upstream: a read stays pending
     * so that a client that leaves (FIN or RST) is noticed now. What it brings instead is the next
     * pipelined request, which waits in {@link #hold}; no more is read until its turn.
     */
    void watchForClose(ChannelHandlerContext ctx) {
        if (pipelined == null && ctx.channel().isActive()) {
            requestRead(ctx);
        }
    }

    /** A read was asked of the client and nothing has come of it yet. */
    boolean awaitingMessage() {
        return awaitingMessage;
    }

    /** A message came: the read asked for is answered. */
    void received() {
        awaitingMessage = false;
    }

    /** The read cycle ended: one that brought no message is asked for again. */
    void readComplete(ChannelHandlerContext ctx) {
        if (awaitingMessage && ctx.channel().isActive()) {
            ctx.read();
        }
    }

    /** The head of the next request arrived while an exchange is in progress: it waits its turn. */
    void hold(HttpRequest next) {
        pipelined = next;
    }

    /** The head that waited for its turn, now taken, or null. */
    HttpRequest takePipelined() {
        HttpRequest next = pipelined;
        pipelined = null;
        return next;
    }

    /** The connection closed: a head still waiting is dropped. */
    void close() {
        ReferenceCountUtil.release(pipelined);
        pipelined = null;
    }
}
