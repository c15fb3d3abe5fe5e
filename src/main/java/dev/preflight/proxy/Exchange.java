package dev.preflight.proxy;

import dev.preflight.policy.CorsSettings;
import dev.preflight.proxy.upstream.UpstreamConnection;
import dev.preflight.proxy.upstream.UpstreamFailure;
import dev.preflight.proxy.upstream.UpstreamListener;
import dev.preflight.proxy.upstream.UpstreamPool;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;

/**
 * One request forwarded to the upstream and its response relayed back, with backpressure both ways.
 * Everything runs on the client's event loop, which is also the upstream connection's.
 *
 * <pre>
 *  client ──read()──▶ head ──acquire──▶ upstream.write(head)
 *  client ──read()──▶ body chunk ──▶ upstream.writeAndFlush ──on success──▶ client.read() ...
 *  upstream ──read()──▶ response head ──▶ client.write (flushed with the first body part, or at the
 *                                          end of the read) ──▶ upstream.read()
 *  upstream ──read()──▶ body part ──▶ client.writeAndFlush ──on success──▶ upstream.read() ...
 *  request fully written + response fully written ──▶ release upstream, next request (or close)
 * </pre>
 *
 * Nothing is read from one side before the other side has taken the previous message, so at most one
 * chunk per direction is in memory. A response that ends early (upstream failure after the head was
 * sent) closes the client connection without a terminating chunk, so it never looks complete.
 */
final class Exchange implements UpstreamListener {
    private final ChannelHandlerContext ctx;
    private final ClientRequestHandler owner;
    private final RequestInfo request;
    private final Route route;
    private final UpstreamPool pool;
    private final HttpRequest upstreamHead;
    private final RequestRecord record;
    private final CorsPlan plan;
    private final CorsSettings.UpstreamCorsHeaders upstreamCorsHeaders;

    private UpstreamConnection connection;
    private boolean retried;
    private boolean requestComplete;
    private boolean responseStarted;
    private boolean skippingInformational;
    private boolean upstreamReusable;
    private boolean closeClient;
    private boolean headUnflushed;
    private boolean finished;
    private long bodyBytes;

    private final ProgressTimer timer;

    Exchange(
            ChannelHandlerContext ctx,
            ClientRequestHandler owner,
            RequestInfo request,
            Route route,
            HttpRequest upstreamHead,
            CorsPlan plan,
            RequestRecord record) {
        this.ctx = ctx;
        this.owner = owner;
        this.request = request;
        this.route = route;
        this.pool = route.pool();
        this.upstreamHead = upstreamHead;
        this.plan = plan;
        this.upstreamCorsHeaders = route.policy().settings().upstreamCorsHeaders();
        this.record = record;
        this.timer = new ProgressTimer(
                ctx.executor(), pool.settings().responseTimeout().toNanos(), this::onResponseTimeout);
    }

    void start() {
        if (request.bodyless()) {
            // Take the (empty) end of the request now: from then on the client is watched for a close
            // while the pool, the connect and the upstream take their time.
            owner.requestRead(ctx);
        }
        pool.acquire(ctx.channel().eventLoop()).addListener(this::onAcquired);
    }

    private void onAcquired(Future<? super UpstreamConnection> future) {
        if (!future.isSuccess()) {
            UpstreamFailure failure = future.cause() instanceof UpstreamFailure.UpstreamException e
                    ? e.failure()
                    : UpstreamFailure.CONNECT_REFUSED;
            failBeforeResponse(failure);
            return;
        }
        UpstreamConnection acquired = (UpstreamConnection) future.getNow();
        if (finished || !ctx.channel().isActive()) {
            pool.release(acquired, true); // untouched: still clean
            return;
        }
        connection = acquired;
        connection.attach(this);
        record.upstreamStartNanos = System.nanoTime();
        if (retried || (request.bodyless() && requestComplete)) {
            connection.channel().write(upstreamHead);
            connection
                    .channel()
                    .writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT)
                    .addListener(this::afterUpstreamWrite);
            readUpstream();
            return;
        }
        if (request.bodyless()) {
            // Flushed with the empty last content, which start() has asked the client for.
            connection.channel().write(upstreamHead);
            readUpstream();
            return;
        }
        connection.channel().writeAndFlush(upstreamHead).addListener(this::afterUpstreamWrite);
        if (request.expectContinue()) {
            owner.writeContinue(ctx);
        }
        readUpstream();
        owner.requestRead(ctx);
    }

    /** A part of the request body from the client (the handler only reads when we asked). */
    void onRequestContent(HttpContent content) {
        if (content.decoderResult().isFailure()) {
            content.release();
            abort(HttpResponseStatus.BAD_REQUEST, "the request body is malformed");
            return;
        }
        boolean last = content instanceof LastHttpContent;
        bodyBytes += content.content().readableBytes();
        record.bytesIn = bodyBytes;
        if (bodyBytes > owner.maxBodySize()) {
            content.release();
            abort(
                    HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                    "the request body is larger than " + owner.maxBodySize() + " bytes");
            return;
        }
        if (last && connection == null && !finished && request.bodyless()) {
            // The end of a bodyless request, before the upstream connection: onAcquired sends it.
            content.release();
            requestComplete = true;
            watchClient();
            return;
        }
        if (finished || connection == null) {
            content.release(); // defensive: the handler stops routing content here once we finish
            return;
        }
        ChannelFuture written = connection.channel().writeAndFlush(last ? withoutTrailers(content) : content);
        if (last) {
            requestComplete = true;
            written.addListener(this::afterUpstreamWrite);
            watchClient();
        } else {
            written.addListener(f -> {
                afterUpstreamWrite(f);
                if (f.isSuccess() && !finished) {
                    owner.requestRead(ctx);
                }
            });
        }
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
            owner.watchForClose(ctx);
        }
    }

    private void afterUpstreamWrite(Future<? super Void> f) {
        if (f.isSuccess()) {
            timer.progress();
        }
        // A failed write closes the upstream channel; onUpstreamClosed decides what the client gets.
    }

    @Override
    public void onResponse(HttpObject message) {
        timer.waitingForUpstream(false);
        timer.progress();
        if (finished) {
            ReferenceCountUtil.release(message);
            return;
        }
        if (message instanceof HttpResponse response) {
            onResponseHead(response);
        }
        if (message instanceof HttpContent content) {
            onResponseContent(content);
        }
    }

    private void onResponseHead(HttpResponse response) {
        if (response.decoderResult().isFailure()) {
            ReferenceCountUtil.release(response);
            failBeforeResponse(UpstreamFailure.MALFORMED_RESPONSE);
            return;
        }
        int code = response.status().code();
        if (code < 100 || code > 599) {
            // RFC 9110 15: a status outside 100-599 means nothing to a client (the decoder takes "1000", "099").
            ReferenceCountUtil.release(response);
            failBeforeResponse(UpstreamFailure.MALFORMED_RESPONSE);
            return;
        }
        if (code == HttpResponseStatus.SWITCHING_PROTOCOLS.code() && request.websocket()) {
            openTunnel(response);
            return;
        }
        if (code >= 100 && code < 200) {
            // Interim responses (100 Continue, 103 Early Hints) are ours to drop: we answered Expect.
            skippingInformational = true;
            ReferenceCountUtil.release(response);
            readUpstream();
            return;
        }
        if (plan.reportOnly() != null) {
            plan.compare(response.status().code(), response.headers(), route.name(), owner.context());
        }
        boolean bodyless = ClientResponses.isBodyless(response, request.head());
        ClientResponses.UpstreamFraming framing = ClientResponses.UpstreamFraming.of(response);
        upstreamReusable = framing.reusable(bodyless);
        // A response before the whole request arrived: the rest of the body would be a mystery to the
        // next request, so this connection ends after the response.
        boolean keepAlive =
                request.keepAlive() && requestComplete && !owner.context().draining();
        closeClient = ClientResponses.prepare(response, framing, bodyless, request.version(), keepAlive);
        plan.rewrite(response.headers(), route.name(), upstreamCorsHeaders);
        responseStarted = true;
        record.status = code;
        if (response instanceof HttpContent) {
            return; // a full message: onResponseContent writes it whole
        }
        // Not flushed yet: the head leaves with the first part of the body when that came in the same
        // read (most bodies are one part), in one write; else at the end of the read (onReadComplete),
        // so a head whose body is slow to come still reaches the client at once. It is small, so
        // reading on before it is flushed keeps memory bounded all the same.
        ctx.write(response).addListener(this::afterHeadWrite);
        headUnflushed = true;
        readUpstream();
    }

    private void afterHeadWrite(Future<? super Void> f) {
        if (!f.isSuccess()) {
            closeBoth();
        }
    }

    /**
     * P7: the upstream accepted the WebSocket handshake; the exchange ends here and both connections
     * become one tunnel. A 101 that switches to anything else is a malformed answer.
     */
    private void openTunnel(HttpResponse response) {
        if (!WebSocketUpgrade.accepted(response) || !requestComplete) {
            ReferenceCountUtil.release(response);
            failBeforeResponse(UpstreamFailure.MALFORMED_RESPONSE);
            return;
        }
        WebSocketUpgrade.prepareForClient(response);
        responseStarted = true;
        finished = true;
        timer.cancel();
        record.status = response.status().code();
        record.upstreamNanos = System.nanoTime() - record.upstreamStartNanos;
        UpstreamConnection tunnelled = connection;
        connection = null;
        owner.tunnel(ctx, tunnelled.channel(), response);
    }

    private void onResponseContent(HttpContent content) {
        if (skippingInformational) {
            content.release();
            if (content instanceof LastHttpContent) {
                skippingInformational = false;
            }
            readUpstream();
            return;
        }
        if (content.decoderResult().isFailure()) {
            content.release();
            upstreamError("malformed");
            closeBoth(); // mid-body: the client must see a broken response, not a clean end
            return;
        }
        if (!responseStarted) {
            content.release();
            return;
        }
        record.bytesOut += content.content().readableBytes();
        headUnflushed = false; // flushed with this part
        if (content instanceof LastHttpContent) {
            ctx.writeAndFlush(content).addListener(f -> {
                if (f.isSuccess()) {
                    finish();
                } else {
                    closeBoth();
                }
            });
        } else {
            ctx.writeAndFlush(content).addListener(this::afterClientWrite);
        }
    }

    private void afterClientWrite(Future<? super Void> f) {
        if (!f.isSuccess()) {
            closeBoth();
        } else if (!finished) {
            readUpstream();
        }
    }

    private void readUpstream() {
        if (connection != null && !finished) {
            timer.waitingForUpstream(true);
            connection.channel().read();
        }
    }

    @Override
    public void onReadComplete() {
        if (headUnflushed) {
            headUnflushed = false;
            ctx.flush();
        }
        // A read cycle ended without the message we asked for (Netty counts the completion as the
        // answer to our read()): ask again.
        if (timer.waitingForUpstream() && connection != null && !finished) {
            connection.channel().read();
        }
    }

    @Override
    public void onUpstreamClosed(Throwable cause) {
        if (finished) {
            return;
        }
        if (!responseStarted) {
            if (canRetry()) {
                retried = true;
                connection = null;
                pool.acquire(ctx.channel().eventLoop()).addListener(this::onAcquired);
                return;
            }
            connection = null;
            failBeforeResponse(
                    cause instanceof DecoderException ? UpstreamFailure.MALFORMED_RESPONSE : UpstreamFailure.RESET);
            return;
        }
        connection = null;
        upstreamError(cause instanceof DecoderException ? "malformed" : "reset");
        closeBoth();
    }

    /**
     * A pooled connection that turns out dead before any response byte may be retried once, when
     * replaying the request is harmless (idempotent) and possible (no body, so nothing is lost).
     */
    private boolean canRetry() {
        return connection != null
                && connection.reused()
                && !retried
                && request.idempotent()
                && request.bodyless()
                && requestComplete
                && !skippingInformational;
    }

    /** The client connection closed; the upstream one cannot be reused mid-exchange. */
    void onClientClosed() {
        if (!finished) {
            finished = true;
            timer.cancel();
            releaseConnection(false);
        }
    }

    /** True while the exchange waits on the client (to take a response chunk or send a body chunk). */
    boolean waitingForClient() {
        return !timer.waitingForUpstream();
    }

    private void failBeforeResponse(UpstreamFailure failure) {
        if (finished) {
            return;
        }
        upstreamError(failure.metricTag());
        finished = true;
        timer.cancel();
        releaseConnection(false);
        owner.respondLocally(ctx, error(failure.status(), failure.detail(), false), requestComplete);
    }

    private void abort(HttpResponseStatus status, String detail) {
        if (finished) {
            return;
        }
        if (responseStarted) {
            closeBoth();
            return;
        }
        finished = true;
        timer.cancel();
        releaseConnection(false);
        owner.respondLocally(ctx, error(status, detail, true), false);
    }

    /** An error the proxy makes itself; readable by the page when its origin is allowed (C11). */
    private FullHttpResponse error(HttpResponseStatus status, String detail, boolean close) {
        FullHttpResponse response = ErrorResponses.problem(ctx.alloc(), status, detail, close);
        plan.decorateError(response.headers(), route.name());
        return response;
    }

    private void upstreamError(String kind) {
        record.upstreamError = kind;
        owner.context().metrics().upstreamError(route.name(), kind);
    }

    private void finish() {
        if (finished) {
            return;
        }
        record.upstreamNanos = System.nanoTime() - record.upstreamStartNanos;
        finished = true;
        timer.cancel();
        releaseConnection(upstreamReusable && requestComplete);
        owner.exchangeDone(ctx, !closeClient && requestComplete);
    }

    private void closeBoth() {
        if (!finished) {
            finished = true;
            timer.cancel();
        }
        releaseConnection(false);
        owner.closeOnFlush(ctx);
    }

    private void releaseConnection(boolean reusable) {
        UpstreamConnection current = connection;
        connection = null;
        if (current != null) {
            pool.release(current, reusable);
        }
    }

    private void onResponseTimeout() {
        if (finished) {
            return;
        }
        if (responseStarted) {
            upstreamError("timeout");
            closeBoth();
        } else {
            failBeforeResponse(UpstreamFailure.RESPONSE_TIMEOUT);
        }
    }
}
