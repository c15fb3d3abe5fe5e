package dev.preflight.proxy;

import dev.preflight.config.LimitsSettings;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes the requests of one client connection one at a time (auto-read is off; {@link ClientReads}
 * hands it one message per ask, and keeps those that came before their turn), so pipelined requests
 * are answered in order. Each request becomes an {@link Exchange} with the upstream, or is
 * answered here ({@link RequestAdmission} decides, {@link LocalResponses} sends). The connection
 * closes after anything the decoder rejects, after a local answer to a request whose body was not
 * read, when either side asks for it, and when it sits idle.
 */
final class ClientRequestHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ClientRequestHandler.class);

    private final ProxyContext context;
    private final RequestAdmission admission;
    private final LocalResponses local;
    // All state is confined to this channel's event loop.
    private final ClientReads reads =
            new ClientReads(this::take, BelowCodec::closeOnFlush); // what was asked of the client, and what waits
    private ProxyRuntime runtime; // the one in force when the current request arrived
    private RequestInfo current;
    private RequestRecord record;
    private Exchange exchange;
    private RequestHeadTimeoutHandler headTimeout; // looked up once, when added
    private DecoderBacklogHandler backlog; // likewise
    private ProgressTimer responseTimer; // the upstream response timeout, taken over by each exchange
    private String clientIp; // worked out once

    ClientRequestHandler(ProxyContext context) {
        this.context = context;
        this.admission = new RequestAdmission(context);
        this.local = new LocalResponses(context, this);
        this.runtime = context.runtime();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        headTimeout = (RequestHeadTimeoutHandler) ctx.pipeline().get(HandlerNames.HEAD_TIMEOUT);
        backlog = (DecoderBacklogHandler) ctx.pipeline().get(HandlerNames.DECODER_BACKLOG);
        responseTimer = new ProgressTimer(ctx.executor());
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        reads.requestRead(ctx);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        backlog.decoded(msg);
        reads.arrived(ctx, msg);
    }

    /** The message asked for through {@link ClientReads}: a head, or a part of the current request. */
    void take(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request && exchange != null) {
            // The next pipelined request, read while the exchange watched for a close: it waits.
            reads.holdFirst(request);
            return;
        }
        if (msg instanceof HttpRequest request) {
            try {
                onRequestHead(ctx, request);
            } finally {
                // Heads carry no buffer, except the decoder's full "invalid" message.
                ReferenceCountUtil.release(request);
            }
        } else if (msg instanceof HttpContent content) {
            onRequestContent(ctx, content);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onRequestHead(ChannelHandlerContext ctx, HttpRequest request) {
        headTimeout.headReceived();
        LimitedHeaders.decoded(request.headers());
        runtime = context.runtime();
        record = RequestRecord.of(clientIp(ctx), request);
        if (request.decoderResult().isFailure()) {
            // Before RequestInfo: the head the decoder refused may hold a Content-Length that does not parse.
            current = null;
            rejectUndecodable(ctx, request.decoderResult().cause());
            return;
        }
        current = RequestInfo.of(request);
        // instanceof rather than a pattern switch: its bootstrap spins a class at the first request,
        // which the AOT cache does not keep (seen linking at the first request, issue 7).
        RequestAdmission.Verdict verdict = admission.admit(ctx, runtime, request, current, record, clientIp(ctx));
        if (verdict instanceof RequestAdmission.Forward forward) {
            exchange =
                    new Exchange(ctx, this, current, forward.route(), forward.upstreamHead(), forward.plan(), record);
            exchange.start();
        } else {
            respondLocally(ctx, ((RequestAdmission.Answer) verdict).response(), false);
        }
    }

    private void onRequestContent(ChannelHandlerContext ctx, HttpContent content) {
        if (exchange != null) {
            exchange.onRequestContent(content);
            return;
        }
        local.drop(ctx, content);
    }

    private void rejectUndecodable(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("rejected undecodable request from {}: {}", ctx.channel().remoteAddress(), String.valueOf(cause));
        FullHttpResponse answer = ErrorResponses.undecodable(
                ctx.alloc(), cause, runtime.settings().limits());
        respondLocally(ctx, answer, false);
    }

    /**
     * Sends a response made here, which ends the exchange if there is one. The rest of the request is
     * dropped when it has no body (so the connection can serve the next one); a request with an unread
     * body closes the connection (C14).
     *
     * @param requestConsumed the request's last content has already been read
     */
    void respondLocally(ChannelHandlerContext ctx, FullHttpResponse response, boolean requestConsumed) {
        exchange = null;
        local.send(ctx, response, current, record, requestConsumed);
    }

    /** The exchange ended cleanly; the connection serves the next request or closes. */
    void exchangeDone(ChannelHandlerContext ctx, boolean keepOpen) {
        exchange = null;
        finish(record);
        if (keepOpen && !context.draining()) {
            nextIfIdle(ctx);
        } else {
            BelowCodec.closeOnFlush(ctx);
        }
    }

    /** The upstream accepted a WebSocket handshake: the request is done (its 101 logged), and the connection a tunnel. */
    void tunnel(ChannelHandlerContext ctx, Channel upstream, HttpResponse accepted) {
        exchange = null;
        reads.close(); // RFC 6455 4.1: what was decoded before the 101 is dropped (README, P7)
        finish(record);
        record = null;
        long closeGrace = runtime.settings().limits().idleTimeout().toNanos();
        WebSocketTunnel.open(ctx, upstream, accepted, context.metrics(), closeGrace);
    }

    /** Counts and logs a request once, when it ends (whichever way). */
    void finish(RequestRecord r) {
        if (r != null && r.complete()) {
            context.metrics().request(r);
            context.accessLog().log(r);
        }
    }

    /** Takes the next request (a pipelined one first) once nothing of the last one is in progress. */
    void nextIfIdle(ChannelHandlerContext ctx) {
        if (context.draining()) {
            BelowCodec.closeOnFlush(ctx);
            return;
        }
        if (exchange == null && !local.busy() && ctx.channel().isActive()) {
            current = null;
            // A pipelined head the decoder has begun is timed from now: no read may come to start it.
            headTimeout.awaitHead(ctx, backlog.holdsHead());
            reads.requestRead(ctx); // a pipelined request that waits is taken first
        }
    }

    /** The reads asked of the client, by this handler and by the exchange or answer in progress. */
    ClientReads reads() {
        return reads;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        reads.readComplete(ctx);
        ctx.fireChannelReadComplete();
    }

    long maxBodySize() {
        return runtime.settings().limits().maxBodySize();
    }

    long bodyTimeoutNanos() {
        return runtime.settings().limits().bodyTimeout().toNanos();
    }

    ProxyContext context() {
        return context;
    }

    private String clientIp(ChannelHandlerContext ctx) {
        return clientIp != null
                ? clientIp
                : (clientIp = ForwardedHeaders.clientIp(ctx.channel().remoteAddress()));
    }

    /** The upstream response timeout, which each exchange of this connection takes over in turn. */
    ProgressTimer responseTimer() {
        return responseTimer;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        reads.close();
        if (exchange != null) {
            exchange.onClientClosed();
            exchange = null;
        }
        responseTimer.cancel();
        finish(record);
        ctx.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == DrainEvent.INSTANCE) {
            // Shutdown: a connection between requests closes now; one mid-request after its response.
            if (exchange == null && !local.busy()) {
                ctx.close();
            }
            return;
        }
        if (evt instanceof RequestHeadTimeoutHandler.TimedOut timedOut) {
            headTimedOut(ctx, timedOut);
            return;
        }
        if (evt instanceof DecoderBacklogHandler.NoRoom noRoom) {
            noRoomForLine(ctx, noRoom.inBody());
            return;
        }
        if (evt instanceof IdleStateEvent) {
            // Idle between requests, or stuck on a client that neither sends nor reads: close. While
            // the upstream is the slow side, its response timeout decides instead.
            if (exchange == null || exchange.waitingForClient()) {
                ctx.close();
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    /**
     * P6: the head did not arrive within header-timeout: 408 and close, counted and logged like any
     * answer made here, for a request whose method and target never arrived ("-"). What the decoder
     * makes of the partial head when the connection closes is not a request of its own.
     */
    private void headTimedOut(ChannelHandlerContext ctx, RequestHeadTimeoutHandler.TimedOut timedOut) {
        refuseUnfinishedHead(ctx, ErrorResponses.headTimedOut(ctx.alloc()), timedOut.startNanos());
    }

    /** Answers a head that never came whole, a request without method or target ("-"), and closes. */
    private void refuseUnfinishedHead(ChannelHandlerContext ctx, FullHttpResponse answer, long startNanos) {
        reads.close();
        current = null;
        record = new RequestRecord(clientIp(ctx), "-", "-", startNanos);
        respondLocally(ctx, answer, false);
    }

    /**
     * An unfinished line found no room in the decoders' share of direct memory. In a head: 503 and
     * close, like a head the heap's budget refuses; a pipelined head behind an exchange in progress
     * closes the connection once that exchange is answered. In a body: its exchange ends (503 if
     * nothing was answered yet), and with it the connection, which frees what the decoder holds.
     */
    private void noRoomForLine(ChannelHandlerContext ctx, boolean inBody) {
        if (inBody) {
            if (exchange != null) {
                exchange.abort(HttpResponseStatus.SERVICE_UNAVAILABLE, DecoderBacklogHandler.NO_ROOM_DETAIL);
            } else {
                ctx.close(); // a body dropped behind a local answer
            }
            return;
        }
        if (exchange != null || local.busy()) {
            reads.endAtOverflow();
            return;
        }
        LimitsSettings limits = runtime.settings().limits();
        refuseUnfinishedHead(
                ctx, ErrorResponses.undecodable(ctx.alloc(), new HeadBudget.Exhausted(), limits), System.nanoTime());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        OutOfMemory.haltIfOutOfMemory(cause);
        if (cause instanceof IOException) {
            log.debug("client connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        } else if (PipelineDepth.exceeded(cause)) {
            context.rejections().log("client {} sent over {} requests ahead", clientIp(ctx), PipelineDepth.MAX);
            reads.endAtOverflow(); // the request in progress is answered, then the connection closes
            nextIfIdle(ctx);
            return;
        } else {
            log.warn(
                    "closing client connection {} after an unexpected error",
                    ctx.channel().remoteAddress(),
                    cause);
        }
        ctx.close();
    }
}
