package dev.preflight.proxy;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.Future;

/**
 * Sends the responses made here (a refusal, a CORS answer, an upstream failure) on one client
 * connection, dated as they leave (RFC 9110 6.6.1), and drops what is left of their requests. A
 * request without a body, or whose body was read, leaves the connection serving the next one once its
 * (empty) end is read and dropped; a request with an unread body closes it, as the rest would be taken
 * for the next request (C14). While an answer is being written or its request dropped, the
 * connection is {@link #busy()} and {@link ClientRequestHandler} starts nothing new. Apart from the
 * handler so that it keeps to the order of requests; confined to the client channel's event loop,
 * like the handler.
 */
final class LocalResponses {
    private final ProxyContext context;
    private final ClientRequestHandler handler;
    // One listener for every answer on the connection rather than a lambda made per answer (issue 7):
    // there is one answer at a time to write, whose context and record these two hold meanwhile.
    private final ChannelFutureListener afterWrite = this::written;
    private ChannelHandlerContext writingCtx;
    private RequestRecord writing;
    private boolean discarding;
    private boolean localResponsePending;

    LocalResponses(ProxyContext context, ClientRequestHandler handler) {
        this.context = context;
        this.handler = handler;
    }

    /**
     * @param current the request answered, or null when its head did not decode
     * @param answered its record
     * @param requestConsumed the request's last content has already been read
     */
    void send(
            ChannelHandlerContext ctx,
            FullHttpResponse response,
            RequestInfo current,
            RequestRecord answered,
            boolean requestConsumed) {
        long sentMillis = HttpDate.set(response.headers());
        if (answered != null) {
            answered.answeredMillis = sentMillis;
            answered.status = response.status().code();
            answered.bytesOut = response.content().readableBytes();
        }
        boolean close = response.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE, true)
                || context.draining()
                || current == null
                || !current.keepAlive()
                || (!requestConsumed && !current.bodyless());
        if (close) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            boolean bodyIncoming = current != null && !requestConsumed && !current.bodyless();
            ctx.writeAndFlush(response).addListener(f -> {
                handler.finish(unsentIfFailed(f, answered));
                if (bodyIncoming && f.isSuccess()) {
                    LingeringClose.start(ctx);
                } else {
                    ctx.close();
                }
            });
            return;
        }
        if (current.version().equals(HttpVersion.HTTP_1_0)) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        localResponsePending = true;
        discarding = !requestConsumed;
        writingCtx = ctx;
        writing = answered;
        ctx.writeAndFlush(response).addListener(afterWrite);
        if (discarding) {
            handler.reads().requestRead(ctx);
        }
    }

    private void written(ChannelFuture future) {
        ChannelHandlerContext ctx = writingCtx;
        RequestRecord answered = writing;
        writingCtx = null;
        writing = null;
        localResponsePending = false;
        handler.finish(unsentIfFailed(future, answered));
        if (future.isSuccess()) {
            handler.nextIfIdle(ctx);
        } else {
            ctx.close();
        }
    }

    /**
     * O6: an answer the client never got (its connection was already closed, as when it shut its side
     * in the middle of a head) is recorded as no response, status 0 and no bytes, not as sent.
     */
    private static RequestRecord unsentIfFailed(Future<?> write, RequestRecord answered) {
        if (!write.isSuccess() && answered != null) {
            answered.status = 0;
            answered.bytesOut = 0;
        }
        return answered;
    }

    /**
     * A part of a request that is not forwarded: released. While the end of an answered request is
     * awaited, a malformed part closes the connection and the last one frees it for the next request.
     */
    void drop(ChannelHandlerContext ctx, HttpContent content) {
        boolean last = content instanceof LastHttpContent;
        boolean failed = content.decoderResult().isFailure();
        content.release();
        if (!discarding) {
            return;
        }
        if (failed) {
            ctx.close();
        } else if (last) {
            discarding = false;
            handler.nextIfIdle(ctx);
        } else {
            handler.reads().requestRead(ctx);
        }
    }

    /** An answer is still being written, or the rest of its request read and dropped. */
    boolean busy() {
        return discarding || localResponsePending;
    }
}
