package dev.preflight.proxy;

import dev.preflight.proxy.upstream.UpstreamConnection;
import dev.preflight.proxy.upstream.UpstreamFailure;
import dev.preflight.proxy.upstream.UpstreamListener;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;

/**
 * One request forwarded to the upstream and its response relayed back, with backpressure both ways.
 * Everything runs on the client's event loop, which is also the upstream connection's.
 *
 * <pre>
 *  client ──read()──▶ head ──acquire──▶ upstream.write(head)
 *  client ──read()──▶ body chunk ──▶ upstream.writeAndFlush ──on success──▶ client.read() ...
 *  upstream ──read()──▶ response head ──▶ held for its first body part (one message with it when that
 *                                          is the last), or written at the end of the read ──▶ upstream.read()
 *  upstream ──read()──▶ body part ──▶ client.writeAndFlush ──on success──▶ upstream.read() ...
 *  request fully written + response fully written ──▶ release upstream, next request (or close)
 * </pre>
 *
 * Nothing is read from one side before the other side has taken the previous message, so at most one
 * chunk per direction is in memory. A response that ends early (upstream failure after the head was
 * sent) closes the client connection without a terminating chunk, so it never looks complete.
 *
 * <p>The request's leg is {@link RequestRelay}, the response's {@link ResponseRelay}, and the upstream
 * connection (acquire, one retry, release) is held by an {@link UpstreamLease}; this class owns the
 * rest: whether a retry may replay the request, the response and body timeouts, and how the exchange
 * ends (finished, failed before the response, aborted, or both sides closed).
 */
final class Exchange implements UpstreamListener, ProgressTimer.Expiry {
    private final ChannelHandlerContext ctx;
    private final ClientRequestHandler owner;
    private final RequestInfo request;
    private final Route route;
    private final RequestRecord record;
    private final CorsPlan plan;
    private final RequestRelay requestRelay;
    private final ResponseRelay responseRelay;
    private final UpstreamLease lease;
    private final ProgressTimer timer;
    private boolean finished;

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
        this.plan = plan;
        this.record = record;
        this.requestRelay = new RequestRelay(this, ctx, owner, request, upstreamHead, record);
        this.responseRelay = new ResponseRelay(this, ctx, owner.context(), request, route, plan, record);
        this.lease = new UpstreamLease(this, route.pool(), ctx.channel());
        this.timer = owner.responseTimer();
        timer.start(route.pool().settings().responseTimeout().toNanos(), this);
    }

    void start() {
        if (request.bodyless()) {
            // Take the (empty) end of the request now: from then on the client is watched for a close
            // while the pool, the connect and the upstream take their time.
            owner.reads().requestRead(ctx);
        }
        lease.acquire();
    }

    /** The lease holds a connection, attached to this exchange: the request goes out on it. */
    void connected(Channel upstream, boolean retried) {
        record.upstreamStartNanos = System.nanoTime();
        requestRelay.sendHead(upstream, retried);
    }

    /** A part of the request body from the client (the handler only reads when we asked). */
    void onRequestContent(HttpContent content) {
        requestRelay.onContent(content);
    }

    /** The request has been read to its end. */
    boolean requestComplete() {
        return requestRelay.complete();
    }

    /** The upstream connection, or null before it is acquired and once released. */
    UpstreamConnection connection() {
        return lease.connection();
    }

    /** Ended one way or another: nothing more goes to either side. */
    boolean finished() {
        return finished;
    }

    void afterUpstreamWrite(Future<? super Void> f) {
        if (f.isSuccess()) {
            if (!finished) {
                timer.progress();
            }
            return;
        }
        // The upstream stopped taking the request (a backend that answered a large upload early, a 413,
        // and reset for the unread body): only the output is shut (AUTO_CLOSE is off upstream), so what
        // it answered is read and relayed before its close decides the rest (it was a 502).
        readUpstream();
    }

    @Override
    public void onResponse(HttpObject message) {
        if (finished) {
            // The timer is the connection's, and may be timing the next exchange by now.
            ReferenceCountUtil.release(message);
            return;
        }
        timer.waitingForUpstream(false);
        timer.progress();
        if (message instanceof HttpResponse response) {
            responseRelay.onHead(response);
        }
        // A full message (the decoder's invalid head) was released by the head's refusal (found by probing).
        if (message instanceof HttpContent content && !(finished && message instanceof HttpResponse)) {
            responseRelay.onContent(content);
        }
    }

    /** P7: the upstream accepted the WebSocket handshake; its connection and the client's become a tunnel. */
    void tunnel(HttpResponse accepted) {
        record.upstreamDone();
        end();
        owner.tunnel(ctx, lease.handOver().channel(), accepted);
    }

    void readUpstream() {
        UpstreamConnection connection = lease.connection();
        if (connection != null && !finished) {
            timer.waitingForUpstream(true);
            connection.channel().read();
        }
    }

    @Override
    public void onReadComplete() {
        responseRelay.flushHead();
        // A read cycle ended without the message we asked for (Netty counts the completion as the
        // answer to our read()): ask again.
        UpstreamConnection connection = lease.connection();
        if (timer.waitingForUpstream() && connection != null && !finished) {
            connection.channel().read();
        }
    }

    @Override
    public void onUpstreamClosed(Throwable cause) {
        if (finished || responseRelay.ended()) {
            return; // ended: finish() comes when the client has taken the last part
        }
        if (lease.closed(replayable())) {
            return; // retried on a fresh connection
        }
        boolean malformed = cause instanceof DecoderException;
        if (!responseRelay.started()) {
            failBeforeResponse(malformed ? UpstreamFailure.MALFORMED_RESPONSE : UpstreamFailure.RESET);
        } else {
            upstreamError(malformed ? "malformed" : "reset");
            closeBoth();
        }
    }

    /**
     * A dead pooled connection is retried once (the lease knows if it was pooled, and retried) when
     * resending is harmless (idempotent), possible (no body to lose) and the backend sent nothing for
     * it: after a 1xx or half a head it has the request (a DELETE was sent twice, found by probing).
     */
    private boolean replayable() {
        return request.idempotent() && request.bodyless() && requestComplete() && !lease.heardFrom();
    }

    /** The client connection closed; the upstream one cannot be reused mid-exchange. */
    void onClientClosed() {
        if (end()) {
            lease.release(false);
        }
    }

    /** Waiting on the client (to take or send a part), not on the upstream (pool, connect, response). */
    boolean waitingForClient() {
        return !timer.waitingForUpstream() && !lease.acquiring();
    }

    void failBeforeResponse(UpstreamFailure failure) {
        if (!end()) {
            return;
        }
        upstreamError(failure.metricTag());
        lease.release(false);
        owner.respondLocally(ctx, error(failure.status(), failure.detail(), false), requestComplete());
    }

    void abort(HttpResponseStatus status, String detail) {
        if (finished) {
            return;
        }
        if (responseRelay.started()) {
            closeBoth();
            return;
        }
        end();
        lease.release(false);
        owner.respondLocally(ctx, error(status, detail, true), false);
    }

    /** An error the proxy makes itself; readable by the page when its origin is allowed (C11). */
    private FullHttpResponse error(HttpResponseStatus status, String detail, boolean close) {
        FullHttpResponse response = ErrorResponses.problem(ctx.alloc(), status, detail, close);
        plan.decorateError(response.headers(), route.name());
        return response;
    }

    void upstreamError(String kind) {
        record.upstreamError = kind;
        owner.context().metrics().upstreamError(route.name(), kind);
    }

    void finish() {
        if (finished) {
            return;
        }
        record.upstreamDone(); // before end(): one clock read for both
        end();
        lease.release(responseRelay.upstreamReusable() && requestComplete());
        owner.exchangeDone(ctx, !responseRelay.closeClient() && requestComplete());
    }

    void closeBoth() {
        boolean ended = end();
        lease.release(false);
        if (ended) {
            // A head not written yet goes first (P6: the client sees the bytes it got, then the close).
            responseRelay.flushHead();
        }
        BelowCodec.closeOnFlush(ctx);
    }

    /** Ends the exchange, once: nothing more goes to either side, and the timer stops. */
    private boolean end() {
        if (finished) {
            return false;
        }
        finished = true;
        timer.stop();
        record.upstreamEnded(); // a failure's upstream time (a complete response stamped it already)
        return true;
    }

    @Override
    public void upstreamTimedOut() {
        if (finished) {
            return;
        }
        if (responseRelay.started()) {
            upstreamError("timeout");
            closeBoth();
        } else {
            failBeforeResponse(UpstreamFailure.RESPONSE_TIMEOUT);
        }
    }

    /**
     * The client stopped sending its body (nginx: {@code client_body_timeout}): its stall, not the
     * upstream's, so 408, and the upstream connection, which holds part of a request, closes.
     */
    @Override
    public void bodyTimedOut() {
        abort(HttpResponseStatus.REQUEST_TIMEOUT, "the request body stopped arriving");
    }

    /** The client has been asked for the next part of the body: it has {@code limits.body-timeout}. */
    void awaitingBody() {
        timer.awaitBody(owner.bodyTimeoutNanos());
    }

    /** The part asked for came. */
    void bodyArrived() {
        timer.bodyArrived();
    }
}
