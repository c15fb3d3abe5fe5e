package dev.preflight.proxy;

import dev.preflight.policy.CorsSettings;
import dev.preflight.proxy.upstream.UpstreamFailure;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;

/**
 * The response's leg of an {@link Exchange}: the upstream's head is checked, rewritten for CORS and
 * framed for the client (or, for an accepted WebSocket handshake, handed over as a tunnel), and each
 * body part is written to the client before the next is read from the upstream, so at most one part
 * is in memory. The head leaves with the first body part that comes in the same read (as one message
 * when that part is the last), or at the end of the upstream's read. It knows whether the response
 * has started, which decides how a failure reaches the client, and whether either connection may be
 * reused; the connection, the timer and the end belong to the exchange. Confined to the client's
 * event loop.
 */
final class ResponseRelay {
    private final Exchange exchange;
    private final ChannelHandlerContext ctx;
    private final ProxyContext context;
    private final RequestInfo request;
    private final Route route;
    private final CorsPlan plan;
    private final CorsSettings.UpstreamCorsHeaders upstreamCorsHeaders;
    private final RequestRecord record;

    private boolean started;
    private boolean skippingInformational;
    private boolean ended;
    private boolean upstreamReusable;
    private boolean closeClient;
    // The head, rewritten, until its body's first part (or the end of the upstream's read) comes.
    private HttpResponse pendingHead;

    ResponseRelay(
            Exchange exchange,
            ChannelHandlerContext ctx,
            ProxyContext context,
            RequestInfo request,
            Route route,
            CorsPlan plan,
            RequestRecord record) {
        this.exchange = exchange;
        this.ctx = ctx;
        this.context = context;
        this.request = request;
        this.route = route;
        this.plan = plan;
        this.upstreamCorsHeaders = route.policy().settings().upstreamCorsHeaders();
        this.record = record;
    }

    /** The response head went (or is going) to the client: a failure can no longer be answered. */
    /**
     * The response's last part is on its way to the client: the upstream has said all it had to say,
     * and its closing now (a backend that closes after a complete response) is no failure.
     */
    boolean ended() {
        return ended;
    }

    boolean started() {
        return started;
    }

    /** An interim response (1xx) is being dropped. */
    boolean skippingInformational() {
        return skippingInformational;
    }

    /** The upstream's framing lets its connection serve another request once the response is read. */
    boolean upstreamReusable() {
        return upstreamReusable;
    }

    /** The client connection closes after this response. */
    boolean closeClient() {
        return closeClient;
    }

    void onHead(HttpResponse response) {
        LimitedHeaders.decoded(response.headers());
        int code = response.status().code();
        // RFC 9110 15: a status outside 100-599 means nothing to a client (the decoder takes "1000", "099"),
        // nor does a version other than 1.x from an HTTP/1.1 connection ("HTTP/2.0 200").
        // A transfer coding besides chunked ("gzip, chunked") would reach the client unlabelled.
        if (response.decoderResult().isFailure()
                || response.protocolVersion().majorVersion() != 1
                || code < 100
                || code > 599
                || HeadChecks.unsupportedTransferCoding(response)) {
            ReferenceCountUtil.release(response);
            exchange.failBeforeResponse(UpstreamFailure.MALFORMED_RESPONSE);
            return;
        }
        if (code == HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
            if (request.websocket()) {
                openTunnel(response);
            } else {
                // A protocol switch nobody asked for (the Upgrade of anything but a WebSocket handshake
                // is never forwarded, P3): what follows is not HTTP, and the request is not replayed.
                ReferenceCountUtil.release(response);
                exchange.failBeforeResponse(UpstreamFailure.MALFORMED_RESPONSE);
            }
            return;
        }
        if (code >= 100 && code < 200) {
            // Interim: 103 Early Hints goes on to the client; 100 Continue is ours to answer (P8).
            skippingInformational = true;
            if (InterimResponses.forwarded(code, request.version())) {
                plan.stripBackendCors(response.headers(), upstreamCorsHeaders);
                // The next read waits for this write, as a body part's does (P2): a backend sending
                // 1xx after 1xx to a client that reads none held them all in memory (found by probing).
                InterimResponses.write(ctx, response).addListener(this::afterClientWrite);
                ReferenceCountUtil.release(response);
                return;
            }
            ReferenceCountUtil.release(response);
            exchange.readUpstream();
            return;
        }
        if (plan.reportOnly() != null) {
            record.compared = request.websocket()
                    ? plan.compareHandshake(code, route.name(), context)
                    : plan.compare(code, response.headers(), route.name(), context);
        }
        boolean bodyless = ClientResponses.isBodyless(response, request.head());
        if (bodyless && exchange.connection() != null) {
            exchange.connection().answeredWithoutBody();
        }
        ClientResponses.UpstreamFraming framing = ClientResponses.UpstreamFraming.of(response);
        // A redirect or an error to a request with a body is what a backend answers without reading
        // the body (a failed login, a moved or missing resource): what it then reads from the body as
        // a request of its own would answer the connection's next exchange, another client's (a
        // "CL.0" desync). Such a connection is not reused; it costs a reconnect after a rare answer.
        upstreamReusable = framing.reusable(bodyless)
                && (request.bodyless() || response.status().code() < 300);
        CharSequence backendKeepAlive = HopByHopHeaders.stripResponse(response.headers()); // P3
        if (upstreamReusable && exchange.connection() != null) {
            exchange.connection().keepAlive(backendKeepAlive);
        }
        // A response before the whole request arrived: the rest of the body would be a mystery to the
        // next request, so this connection ends after the response.
        boolean keepAlive = request.keepAlive() && exchange.requestComplete() && !context.draining();
        closeClient = ClientResponses.prepare(response, framing, bodyless, request.version(), keepAlive);
        plan.rewrite(response.headers(), route.name(), upstreamCorsHeaders);
        started = true;
        record.status = code;
        if (response instanceof HttpContent) {
            return; // a full message: onContent writes it whole
        }
        // Not written yet: the head leaves with the first part of the body when that came in the same
        // read (most bodies are one part), and with a body of one part as one message (one write
        // through the pipeline and the encoder, head and body in one buffer: issue 7); else at the
        // end of the read (flushHead), so a head whose body is slow to come still reaches the client
        // at once. It is small, so reading on before it is written keeps memory bounded all the same.
        pendingHead = response;
        exchange.readUpstream();
    }

    private void afterHeadWrite(Future<? super Void> f) {
        if (!f.isSuccess()) {
            exchange.closeBoth();
        }
    }

    /**
     * P7: the upstream accepted the WebSocket handshake; the exchange ends here and both connections
     * become one tunnel. A 101 that switches to anything else is a malformed answer.
     */
    private void openTunnel(HttpResponse response) {
        if (!WebSocketUpgrade.accepted(response, request.websocketKey()) || !exchange.requestComplete()) {
            ReferenceCountUtil.release(response);
            exchange.failBeforeResponse(UpstreamFailure.MALFORMED_RESPONSE);
            return;
        }
        if (plan.reportOnly() != null) {
            record.compared = plan.compareHandshake(response.status().code(), route.name(), context);
        }
        WebSocketUpgrade.prepareForClient(response);
        started = true;
        record.status = response.status().code();
        exchange.tunnel(response);
    }

    void onContent(HttpContent content) {
        if (skippingInformational) {
            content.release();
            if (content instanceof LastHttpContent) {
                skippingInformational = false;
            }
            exchange.readUpstream();
            return;
        }
        if (content.decoderResult().isFailure()) {
            content.release();
            exchange.upstreamError("malformed");
            exchange.closeBoth(); // mid-body: the client must see a broken response, not a clean end
            return;
        }
        if (!started) {
            content.release();
            return;
        }
        if (record.status != HttpResponseStatus.RESET_CONTENT.code()) {
            // A 205's body, which the encoder leaves out (RFC 9110 15.3.6), is not sent, nor logged as sent.
            record.bytesOut += content.content().readableBytes();
        }
        HttpResponse head = pendingHead;
        pendingHead = null;
        if (content instanceof LastHttpContent last) {
            ended = true;
            if (!last.trailingHeaders().isEmpty()) {
                HopByHopHeaders.stripResponse(last.trailingHeaders()); // P3: no more in trailers than in the head
            }
            plan.stripBackendCors(last.trailingHeaders(), upstreamCorsHeaders);
            ctx.writeAndFlush(head == null ? last : whole(head, last)).addListener(f -> {
                if (f.isSuccess()) {
                    exchange.finish();
                } else {
                    exchange.closeBoth();
                }
            });
        } else {
            if (head != null) {
                ctx.write(head).addListener(this::afterHeadWrite);
            }
            ctx.writeAndFlush(content).addListener(this::afterClientWrite);
        }
    }

    /** A head and its body of one part (its last), as one message: the same headers and trailers. */
    private static FullHttpResponse whole(HttpResponse head, LastHttpContent last) {
        return new DefaultFullHttpResponse(
                head.protocolVersion(), head.status(), last.content(), head.headers(), last.trailingHeaders());
    }

    private void afterClientWrite(Future<? super Void> f) {
        if (!f.isSuccess()) {
            exchange.closeBoth();
        } else if (!exchange.finished()) {
            exchange.readUpstream();
        }
    }

    /**
     * The upstream's read ended, or the exchange is closing both sides: a head still waiting for its
     * first body part leaves now.
     */
    void flushHead() {
        HttpResponse head = pendingHead;
        if (head != null) {
            pendingHead = null;
            ctx.writeAndFlush(head).addListener(this::afterHeadWrite);
        }
    }
}
