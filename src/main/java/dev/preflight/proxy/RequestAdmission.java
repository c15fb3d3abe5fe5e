package dev.preflight.proxy;

import dev.preflight.policy.CorsDecision;
import dev.preflight.policy.FetchMetadataPolicy;
import dev.preflight.policy.RequestPath;
import dev.preflight.policy.RouteDecision;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Decides what becomes of a request head the decoder accepted: answered here (a head HTTP forbids, an
 * unsupported transfer coding or expectation, an ambiguous path, a refused WebSocket handshake, a CORS
 * preflight or refusal, a declared body over the limit) or forwarded, with the head to send upstream
 * and the CORS plan for the response. The checks run in that order and the first that answers wins;
 * the route's CORS and fetch-metadata decision is counted and logged here, once per request. It is
 * apart from {@link ClientRequestHandler} so that the handler only runs the connection's sequence of
 * requests; one per connection, it keeps nothing between requests but writes the request's record.
 */
final class RequestAdmission {
    /** What becomes of a request. */
    sealed interface Verdict permits Answer, Forward {}

    /** Answered here, before any of the request's body was read. */
    record Answer(FullHttpResponse response) implements Verdict {}

    /** Forwarded to {@code route}'s upstream as {@code upstreamHead}; {@code plan} is CORS's part in the response. */
    record Forward(Route route, HttpRequest upstreamHead, CorsPlan plan) implements Verdict {}

    private final ProxyContext context;

    RequestAdmission(ProxyContext context) {
        this.context = context;
    }

    /**
     * @param runtime the one in force when the request arrived
     * @param current what is remembered of {@code request}
     * @param record filled in with the route and the decision
     * @param clientIp the client's address as text, for the forwarding headers
     */
    Verdict admit(
            ChannelHandlerContext ctx,
            ProxyRuntime runtime,
            HttpRequest request,
            RequestInfo current,
            RequestRecord record,
            String clientIp) {
        HeadChecks.Refusal refusal = HeadChecks.refusal(request);
        if (refusal != null) {
            return new Answer(problem(ctx, refusal.status(), refusal.detail(), refusal.close()));
        }
        if (current.unsupportedExpectation(request)) {
            return new Answer(problem(ctx, HttpResponseStatus.EXPECTATION_FAILED, "only 100-continue", false));
        }
        // P5: an encoded slash or backslash means different things to different servers (no path),
        // and segment parameters, escapes or case folds can put it under one route or another (no route).
        RequestPath path = RequestPath.ofTarget(request.uri());
        Route route =
                path == null ? null : runtime.routes().select(request.headers().get(HttpHeaderNames.HOST), path);
        if (route == null) {
            return new Answer(problem(ctx, HttpResponseStatus.BAD_REQUEST, "ambiguous path", true));
        }
        record.route = route.name();
        // Exempt from fetch metadata only as the path is, parameters and all: /embed;/secret is not /embed.
        RouteDecision routed = CorsRequests.decide(
                route, request, path.path(), runtime.settings().forwarded().trustIncoming(), record);
        CorsDecision decision = routed.cors();
        // A fetch-metadata refusal (F4) is enforced whatever the CORS mode.
        boolean enforce = decision != null && (route.policy().enforce() || routed.refused());
        CorsDecision cors = enforce ? decision : null;
        record.decision = cors;
        boolean debug = runtime.settings().debug().decisionHeader();
        String fetchVary = routed.fetchMetadataVary();
        if (routed.fetchMetadata() == FetchMetadataPolicy.Verdict.REFUSED
                || routed.fetchMetadata() == FetchMetadataPolicy.Verdict.WOULD_REFUSE) {
            reportFetchMetadata(routed, route, request, record);
        }
        if (cors != null && cors.outcome() == CorsDecision.Outcome.REJECTED) {
            context.rejections()
                    .log(
                            "refused {} {} on route {}: {}{}",
                            cors.kind().tag(),
                            request.method(),
                            route.name(),
                            cors.reason().tag(),
                            cors.detail() == null ? "" : " (" + cors.detail() + ")");
        }
        if (current.websocket() && decision != null && decision.outcome() == CorsDecision.Outcome.REJECTED) {
            Answer refused = refuseWebSocket(ctx, decision, enforce, route, debug, fetchVary);
            if (refused != null) {
                return refused;
            }
        }
        if (cors != null && cors.answerLocally()) {
            FullHttpResponse answer = CorsResponses.localAnswer(ctx.alloc(), cors, debug ? route.name() : null);
            VaryHeader.merge(answer.headers(), fetchVary);
            return new Answer(answer);
        }
        long maxBodySize = runtime.settings().limits().maxBodySize();
        if (current.declaredLength() > maxBodySize) {
            // P8: with Expect: 100-continue the client gets this instead of 100 and never sends the body.
            FullHttpResponse tooLarge = problem(
                    ctx,
                    HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                    "the request body is larger than " + maxBodySize + " bytes",
                    true);
            if (cors != null) {
                CorsResponses.decorateError(tooLarge.headers(), cors);
            }
            // As on the 413 of a body that outgrows the limit while streaming (CorsPlan).
            CorsDecision shown = cors != null ? cors : decision;
            if (debug && shown != null && shown.kind() != CorsDecision.Kind.NONE) {
                tooLarge.headers().set(DecisionHeader.NAME, DecisionHeader.value(shown, route.name(), cors == null));
            }
            VaryHeader.merge(tooLarge.headers(), fetchVary);
            return new Answer(tooLarge);
        }
        HttpRequest upstreamHead = UpstreamRequests.head(
                request,
                path.target(),
                current,
                route.pool().settings(),
                runtime.forwardedHeaders(),
                ctx.channel().remoteAddress(),
                clientIp);
        boolean reportOnly = decision != null && !enforce && decision.kind() != CorsDecision.Kind.NONE;
        if (reportOnly) {
            record.wouldBe = decision;
        }
        BackendPreflight asked =
                reportOnly && decision.kind() == CorsDecision.Kind.PREFLIGHT ? BackendPreflight.asked(request) : null;
        CorsPlan plan = new CorsPlan(
                cors,
                reportOnly ? decision : null,
                request.headers().get(HttpHeaderNames.ORIGIN),
                asked,
                debug,
                fetchVary);
        return new Forward(route, upstreamHead, plan);
    }

    /**
     * P7: CORS does not protect WebSockets, so a handshake from a disallowed origin gets 403 and never
     * reaches the upstream, whatever {@code disallowed-origin} says; in report-only mode it is logged.
     *
     * @return the 403, or null when the handshake goes on (report-only)
     */
    private Answer refuseWebSocket(
            ChannelHandlerContext ctx,
            CorsDecision decision,
            boolean enforce,
            Route route,
            boolean debug,
            String fetchVary) {
        if (!enforce) {
            context.rejections()
                    .log(
                            "report-only WebSocket handshake on route {}: would refuse it: {}",
                            route.name(),
                            decision.reason().tag());
            return null;
        }
        return new Answer(
                CorsResponses.webSocketRefusal(ctx.alloc(), decision, debug ? route.name() : null, fetchVary));
    }

    /**
     * F4: counted either way; a refusal is logged with the other rejections in {@link #admit}, a
     * report-only one here, through the same rate limit.
     */
    private void reportFetchMetadata(RouteDecision routed, Route route, HttpRequest request, RequestRecord record) {
        context.metrics().fetchMetadata(route.name(), routed.fetchMetadata().tag());
        if (!routed.refused()) {
            context.rejections()
                    .log(
                            "report-only fetch-metadata on route {}: would refuse {} {} ({})",
                            route.name(),
                            request.method(),
                            record.path,
                            routed.secFetch().describe());
        }
    }

    private static FullHttpResponse problem(
            ChannelHandlerContext ctx, HttpResponseStatus status, String detail, boolean close) {
        return ErrorResponses.problem(ctx.alloc(), status, detail, close);
    }
}
