package dev.preflight.proxy.upstream;

import dev.preflight.proxy.OutOfMemory;
import dev.preflight.proxy.WaitingMessages;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands what an upstream connection receives to the exchange that holds it, one message per
 * {@code read()}: auto-read is off, but one socket read can bring a response's head and several of
 * its parts, and those nobody asked for yet wait here (at most what one read brought) until the
 * exchange, having written the last one to the client, asks for the next. Netty's
 * {@code FlowControlHandler} did this as a handler of its own, with a queue taken from and returned
 * to its recycler for every message (issue 7). While the connection sits idle in the pool nothing
 * may arrive: anything that does closes it (its pool closes it after {@code idle-timeout}).
 */
public final class UpstreamResponseHandler extends ChannelDuplexHandler {
    private static final Logger log = LoggerFactory.getLogger(UpstreamResponseHandler.class);

    // Set and read only on the channel's event loop, which is also its client's.
    private UpstreamListener listener;
    private boolean closedReported;
    // Messages that came before anyone asked for them, oldest first, parts of a body merged (P2).
    private final WaitingMessages waiting = new WaitingMessages();
    /** Messages of one read that may wait; beyond, the upstream is malformed. */
    static final int MAX_WAITING = 64;
    // A read() was asked for and no message has come of it yet.
    private boolean awaiting;
    // Handing on, at the close, what the upstream sent before it: read() asks for nothing meanwhile.
    private boolean handingRest;
    private final UpstreamCodec codec;

    UpstreamResponseHandler(UpstreamCodec codec) {
        this.codec = codec;
    }

    void attach(UpstreamListener listener) {
        this.listener = listener;
        this.closedReported = false;
    }

    void detach() {
        this.listener = null;
    }

    /** See {@link UpstreamCodec#heardSinceRequest()}. */
    boolean heardSinceRequest() {
        return codec.heardSinceRequest();
    }

    /**
     * Nothing arrived that no exchange asked for: no message decoded and waiting, no bytes in the
     * codec. A backend that sends more than its response (a body on a 204 or on the answer to a HEAD,
     * a second response) leaves something here, which must never be read as the answer to the next
     * request sent on the connection, whoever's it is (RFC 9112 6.3): such a connection is not reused.
     */
    boolean drained() {
        return waiting.isEmpty() && !codec.holdsUnansweredBytes();
    }

    /** A read asked of the channel: the oldest waiting message if there is one, else the socket's next. */
    @Override
    public void read(ChannelHandlerContext ctx) {
        if (handingRest) {
            return; // the loop in channelInactive hands the next, in order
        }
        Object next = waiting.pollFirst();
        if (next == null) {
            awaiting = true;
            ctx.read();
            return;
        }
        awaiting = false;
        hand(ctx, next);
        if (waiting.isEmpty() && !ctx.isRemoved()) {
            // The read that brought them ended long ago: the end of the messages it brought, now.
            readComplete(ctx);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (listener == null) {
            // Idle in the pool: whatever comes was never asked for, whether or not a read was.
            ReferenceCountUtil.release(msg);
            ctx.close();
            return;
        }
        if (awaiting && waiting.isEmpty() && !WaitingMessages.joinsOthers(msg)) {
            awaiting = false;
            hand(ctx, msg);
        } else if (waiting.size() < MAX_WAITING) {
            waiting.addLast(msg, ctx.alloc());
        } else {
            // One read of a response is a head, its body's parts (merged) and its end, and a few
            // interim heads at most: thousands of interim heads in one read (a 103 is 20 bytes) held
            // as many objects while the client was slow (found by probing). Malformed (P6).
            ReferenceCountUtil.release(msg);
            waiting.releaseAll();
            reportClosed(new DecoderException("more than " + MAX_WAITING + " messages in one read"));
            ctx.close();
        }
    }

    private void hand(ChannelHandlerContext ctx, Object msg) {
        if (listener != null && msg instanceof HttpObject http) {
            listener.onResponse(http);
        } else {
            ReferenceCountUtil.release(msg);
            ctx.close();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (waiting.isEmpty()) {
            readComplete(ctx);
        } else if (listener == null) {
            ctx.close();
        } else if (awaiting) {
            read(ctx); // the body's parts this read brought, asked for: handed on now, as one
        }
    }

    private void readComplete(ChannelHandlerContext ctx) {
        if (listener != null) {
            listener.onReadComplete();
        } else if (!drained()) {
            ctx.close(); // idle, and bytes came that make no whole message (a whole one closed it already)
        } else if (ctx.channel().isActive()) {
            read(ctx); // idle: keep listening, so a close or stray bytes are noticed at once
        }
    }

    /** The connection becomes a tunnel (P7): what waits (bytes after the 101) goes on, in order. */
    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        for (Object next = waiting.pollFirst(); next != null; next = waiting.pollFirst()) {
            ctx.fireChannelRead(next);
        }
    }

    /**
     * The upstream closed. What it sent before closing and the exchange has not asked for yet (a slow
     * client holds the relay back) is still part of its response, often all the rest of it (a
     * backend that closes after a complete response, with or without {@code Connection: close}): it
     * is handed on now, all of it (it is in memory already, and no more can come), and the close is
     * reported after it, so that a complete response is never cut off (P6). It cannot wait for the
     * exchange to ask: the closed channel's pipeline loses its handlers as it is deregistered.
     */
    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (listener != null && !waiting.isEmpty()) {
            handingRest = true;
            Object next;
            while (listener != null && (next = waiting.pollFirst()) != null) {
                hand(ctx, next);
            }
            handingRest = false;
            if (listener != null) {
                listener.onReadComplete();
            }
        }
        waiting.releaseAll();
        reportClosed(null);
        ctx.fireChannelInactive();
    }

    /**
     * TLS's end of the upstream's data ({@code close_notify}) ends the connection as a TCP close would:
     * under TLS 1.3 the JDK does not answer it with its own, and a backend may wait for that answer
     * before it closes its socket, which left a close-delimited response unfinished until {@code
     * response-timeout} and the connection in the pool for the next request to fail on (P1, P6).
     * Closing sends the answer; the close is then handled as any other.
     */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslCloseCompletionEvent) {
            ctx.close();
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        OutOfMemory.haltIfOutOfMemory(cause);
        if (cause instanceof DecoderException && cause.getCause() instanceof SSLException tls) {
            // After the handshake (whose failures the connect logs): a renegotiation, a bad record.
            // The client gets the 502 of a malformed response; the reason is said here (found by probing).
            log.warn("TLS failed on upstream connection {}: {}", ctx.channel().remoteAddress(), tls.getMessage());
        } else if (!(cause instanceof IOException) && !(cause instanceof DecoderException)) {
            // Not the connection's failure but the proxy's own: said, not only closed over (a double
            // release was found only by recording exceptions with JFR).
            log.warn(
                    "closing upstream connection {} after an unexpected error",
                    ctx.channel().remoteAddress(),
                    cause);
        }
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
