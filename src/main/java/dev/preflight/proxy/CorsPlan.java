package dev.preflight.proxy;

import dev.preflight.policy.CorsDecision;
import dev.preflight.policy.CorsSettings;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * What to do about CORS for one forwarded request, and doing it to the response's headers.
 *
 * @param enforced the decision to write onto the response (C7-C11), or null when the route leaves
 *     CORS alone (disabled, or report-only)
 * @param reportOnly in report-only mode, the decision the policy would have made, to compare with
 *     the backend's answer (C13); else null
 * @param origin the request's {@code Origin}, for that comparison
 * @param asked for a report-only preflight, what it asked for, for that comparison; else null
 * @param decisionHeader {@code debug.decision-header} is on
 * @param fetchMetadataVary the {@code Vary} names of the fetch-metadata check when it ran (F4), merged
 *     whatever the CORS mode; else null
 */
record CorsPlan(
        CorsDecision enforced,
        CorsDecision reportOnly,
        String origin,
        BackendPreflight asked,
        boolean decisionHeader,
        String fetchMetadataVary) {

    /** The backend's response head on its way to the client (C7-C10, F4's Vary, and the debug header). */
    void rewrite(HttpHeaders headers, String route, CorsSettings.UpstreamCorsHeaders mode) {
        if (enforced != null) {
            CorsResponses.rewrite(headers, enforced, mode);
        }
        VaryHeader.merge(headers, fetchMetadataVary);
        addDecisionHeader(headers, route);
    }

    /**
     * C10 for what comes besides the head: a forwarded 1xx and the response's trailers lose the
     * backend's {@code Access-Control-*} headers where the head does (an enforced route with {@code
     * strip}); left alone where the route leaves CORS alone (disabled, report-only) or preserves them.
     */
    void stripBackendCors(HttpHeaders headers, CorsSettings.UpstreamCorsHeaders mode) {
        if (enforced != null && mode == CorsSettings.UpstreamCorsHeaders.STRIP && !headers.isEmpty()) {
            CorsResponses.stripBackendCors(headers);
        }
    }

    /** A response the proxy makes itself: readable by the page when its origin is allowed (C11). */
    void decorateError(HttpHeaders headers, String route) {
        if (enforced != null) {
            CorsResponses.decorateError(headers, enforced);
        }
        VaryHeader.merge(headers, fetchMetadataVary);
        addDecisionHeader(headers, route);
    }

    /**
     * C13: the backend's untouched answer against the policy's; counted, and logged when they differ.
     *
     * @return the verdict's tag, for the request's access line
     */
    String compare(int status, HttpHeaders backend, String route, ProxyContext context) {
        return counted(ReportOnly.compare(reportOnly, origin, asked, status, backend), route, context);
    }

    /** C13 for a WebSocket handshake (P7): whether the backend switched protocols, against the policy. */
    String compareHandshake(int status, String route, ProxyContext context) {
        return counted(ReportOnly.compareHandshake(reportOnly, status), route, context);
    }

    private String counted(ReportOnly.Comparison comparison, String route, ProxyContext context) {
        context.metrics().reportOnly(route, reportOnly.kind().tag(), comparison.verdict().tag);
        if (comparison.verdict() != ReportOnly.Verdict.AGREE) {
            context.rejections()
                    .log(
                            "report-only {} on route {}: {} from {}: {}",
                            reportOnly.kind().tag(),
                            route,
                            comparison.verdict().tag,
                            origin,
                            comparison.why());
        }
        return comparison.verdict().tag;
    }

    private void addDecisionHeader(HttpHeaders headers, String route) {
        CorsDecision shown = enforced != null ? enforced : reportOnly;
        if (decisionHeader && shown != null && shown.kind() != CorsDecision.Kind.NONE) {
            headers.set(DecisionHeader.NAME, DecisionHeader.value(shown, route, enforced == null));
        }
    }
}
