package dev.preflight.proxy;

import dev.preflight.proxy.upstream.UpstreamConnection;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * The request's leg of an {@link Exchange}: the head goes to the upstream connection once there is
 * one, then each body part the client sends is counted against the body limit and written, and the
 * next part is read from the client only once that write succeeded, so at most one part is in memory.
 * It knows when the request is complete, which decides whether the exchange may retry and whether
 * either connection can be reused; the connection itself, failures and the end belong to the
 * exchange. Confined to the client's event loop.
 */
final class RequestRelay {
    private final Exchange exchange;
    private final ChannelHandlerContext ctx;
    private final ClientRequestHandler owner;
    private final RequestInfo request;
    private final HttpRequest upstreamHead;
    private final RequestRecord record;
    private boolean complete;
    private long bodyBytes;
    /** A bodyless request's head, connected but waiting for the request's end to leave with it. */
    private boolean headHeld;

    RequestRelay(
            Exchange exchange,
            ChannelHandlerContext ctx,
            ClientRequestHandler owner,
            RequestInfo request,
            HttpRequest upstreamHead,
            RequestRecord record) {
        this.exchange = exchange;
        this.ctx = ctx;
        this.owner = owner;
        this.request = request;
        this.upstreamHead = upstreamHead;
        this.record = record;
    }

    /** The whole request has been read from the client. */
    boolean complete() {
        return complete;
    }

    /**
     * The upstream connection is ready: the head goes out, then the body is read from the client. A
     * bodyless request's head leaves with its (empty) end, as one message: one write through the
     * upstream's pipeline, one buffer and one {@code send(2)} where two messages took a {@code
     * writev(2)} (issue 7). The end is asked of the client at the exchange's start and the decoder
     * makes it right after the head, so the head is held at most until it comes (a retried request has
     * had it already).
     */
    void sendHead(Channel upstream, boolean retried) {
        if (retried || (request.bodyless() && complete)) {
            upstream.writeAndFlush(wholeHead()).addListener(exchange::afterUpstreamWrite);
            exchange.readUpstream();
            return;
        }
        if (request.bodyless()) {
            headHeld = true;
            exchange.readUpstream();
            return;
        }
        upstream.writeAndFlush(upstreamHead).addListener(exchange::afterUpstreamWrite);
        if (request.expectContinue()) {
            BelowCodec.writeContinue(ctx);
        }
        exchange.readUpstream();
        readBody();
    }

    /** A part of the request body from the client (the handler only reads when we asked). */
    void onContent(HttpContent content) {
        exchange.bodyArrived();
        if (content.decoderResult().isFailure()) {
            Throwable cause = content.decoderResult().cause();
            content.release();
            if (cause instanceof LimitedHeaders.TooManyFields) {
                exchange.abort(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, cause.getMessage());
            } else {
                exchange.abort(HttpResponseStatus.BAD_REQUEST, "the request body is malformed");
            }
            return;
        }
        boolean last = content instanceof LastHttpContent;
        bodyBytes += content.content().readableBytes();
        record.bytesIn = bodyBytes;
        if (bodyBytes > owner.maxBodySize()) {
            content.release();
            exchange.abort(
                    HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                    "the request body is larger than " + owner.maxBodySize() + " bytes");
            return;
        }
        UpstreamConnection connection = exchange.connection();
        if (last && connection == null && !exchange.finished() && request.bodyless()) {
            // The end of a bodyless request, before the upstream connection: sendHead sends it.
            content.release();
            complete = true;
            watchClient();
            return;
        }
        if (exchange.finished() || connection == null) {
            content.release(); // defensive: the handler stops routing content here once we finish
            return;
        }
        ChannelFuture written;
        if (headHeld) {
            // A bodyless request's end: empty, and without trailers (it is not chunked).
            content.release();
            headHeld = false;
            written = connection.channel().writeAndFlush(wholeHead());
        } else {
            written = connection.channel().writeAndFlush(last ? withoutTrailers(content) : content);
        }
        if (last) {
            complete = true;
            written.addListener(exchange::afterUpstreamWrite);
            watchClient();
        } else {
            written.addListener(f -> {
                exchange.afterUpstreamWrite(f);
                if (f.isSuccess() && !exchange.finished()) {
                    readBody();
                }
            });
        }
    }

    /**
     * Asks the client for the body's next part, which it then has {@code limits.body-timeout} to send
     * (timed from before the ask: a part that already waits is taken within it).
     */
    private void readBody() {
        exchange.awaitingBody();
        owner.reads().requestRead(ctx);
    }

    /** A bodyless request as one message: the head's own headers, no content, no trailers. */
    private FullHttpRequest wholeHead() {
        return new DefaultFullHttpRequest(
                upstreamHead.protocolVersion(),
                upstreamHead.method(),
                upstreamHead.uri(),
                Unpooled.EMPTY_BUFFER,
                upstreamHead.headers(),
                EmptyHttpHeaders.INSTANCE);
    }

    /**
     * Request trailers stop here, as nginx and Envoy drop them by default: a backend that merged a
     * trailing {@code Host} or {@code Content-Length} into the head would see another request than the
     * one routed and framed here. (The decoder already drops trailing framing fields, not the others.)
     */
    private static HttpContent withoutTrailers(HttpContent last) {
        LastHttpContent trailer = (LastHttpContent) last;
        return trailer.trailingHeaders().isEmpty() ? trailer : new DefaultLastHttpContent(trailer.content());
    }

    /**
     * The request has been read to its end: keep a read pending on the client so that a client that
     * leaves is noticed at once (its upstream connection then closes) rather than when the response
     * comes or times out. Not for a WebSocket handshake, whose connection becomes a tunnel.
     */
    private void watchClient() {
        if (!request.websocket()) {
            owner.reads().watchForClose(ctx);
        }
    }
}
