package dev.preflight.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.ReferenceCountUtil;
import java.util.function.Consumer;

/**
 * The reads asked of one client connection, by {@link ClientRequestHandler} and by the exchange or
 * local answer in progress: the decoder's messages are handed to the handler one per request, in
 * order, so pipelined requests wait their turn (P1) and a body is taken a part at a time. Auto-read
 * is off, but one socket read can bring several messages (a head and its end, the next pipelined
 * request, body parts): those nobody asked for yet wait here, at most what one read brought, and
 * the next ask takes the first of them instead of reading. Netty's {@code FlowControlHandler} did
 * this as a handler of its own, with a queue taken from and returned to its recycler for every
 * message and a read-complete event after each; side by side, a build without it spent 0.4 µs less
 * per preflight (issue 7). One per connection, confined to its event loop like the handler.
 */
final class ClientReads {
    /** Where a message goes when its turn comes: the connection's request handler. */
    @FunctionalInterface
    interface Taker {
        void take(ChannelHandlerContext ctx, Object msg);
    }

    private final Taker handler;
    /** Ends the connection once what was written to it has left. */
    private final Consumer<ChannelHandlerContext> end;
    // Messages that came before anyone asked for them, oldest first, parts of a body merged.
    private final WaitingMessages waiting = new WaitingMessages();
    // A read() was asked for and no message has arrived since: a read cycle that ends without one
    // (the codec holds a partial message) must be followed by another read().
    private boolean awaitingMessage;
    // The connection closed, became a tunnel, or is closing after a 408: nothing is a request any more.
    private boolean closed;
    // The client sent more requests ahead than the codec keeps (PipelineDepth): the one in progress is
    // answered, then the connection ends (RFC 9112 9.3.2: the client sends the rest again).
    private boolean ending;

    ClientReads(Taker handler, Consumer<ChannelHandlerContext> end) {
        this.handler = handler;
        this.end = end;
    }

    /** A message from the decoder: taken now if it was asked for, else it waits its turn. */
    void arrived(ChannelHandlerContext ctx, Object msg) {
        if (closed || ending) {
            ReferenceCountUtil.release(msg);
        } else if (awaitingMessage && waiting.isEmpty() && !WaitingMessages.joinsOthers(msg)) {
            awaitingMessage = false;
            handler.take(ctx, msg);
        } else {
            waiting.addLast(msg, ctx.alloc());
        }
    }

    /**
     * Asks for the next message from the client: the next request, or the next part of a body. One
     * that is waiting is taken at once; else one read is outstanding at most, so that no message is
     * handed over before someone is ready for it (a body part before its upstream connection exists).
     */
    void requestRead(ChannelHandlerContext ctx) {
        Object next = waiting.pollFirst();
        if (next != null) {
            awaitingMessage = false;
            handler.take(ctx, next);
        } else if (ending) {
            end.accept(ctx);
        } else if (!awaitingMessage) {
            awaitingMessage = true;
            ctx.read();
        }
    }

    /**
     * The exchange has read its request to the end and waits for the upstream: a read stays pending
     * so that a client that leaves (FIN or RST) is noticed now. What it brings instead is the next
     * pipelined request, which {@link #holdFirst waits}; no more is read until its turn.
     */
    void watchForClose(ChannelHandlerContext ctx) {
        if (waiting.isEmpty() && ctx.channel().isActive() && !ending) {
            requestRead(ctx);
        }
    }

    /** A read was asked of the client and nothing has come of it yet. */
    boolean awaitingMessage() {
        return awaitingMessage;
    }

    /**
     * The read cycle ended: the body's parts it brought, asked for, are taken now, as one; a cycle
     * that brought no message is asked for again.
     */
    void readComplete(ChannelHandlerContext ctx) {
        if (awaitingMessage && !waiting.isEmpty()) {
            requestRead(ctx);
        } else if (awaitingMessage && ctx.channel().isActive() && !ending) {
            ctx.read();
        }
    }

    /**
     * The codec failed on one request too many ahead ({@link PipelineDepth}), and closes the connection
     * after its next response: the request in progress is finished, the requests that wait are
     * dropped, never forwarded (their answers could not be sent), and nothing more is read.
     */
    void endAtOverflow() {
        ending = true;
        waiting.releaseFrom(msg -> msg instanceof HttpRequest);
    }

    /** The head of the next request, taken while an exchange is in progress: first again, for its turn. */
    void holdFirst(Object next) {
        waiting.addFirst(next);
    }

    /**
     * The connection closed, became a tunnel, or is closing on a request head that timed out (whose
     * partial head the decoder hands on as the connection closes): what waits, and what still comes,
     * is dropped.
     */
    void close() {
        closed = true;
        waiting.releaseAll();
    }
}
