package dev.preflight.cli;

import dev.preflight.policy.CorsDecision;
import dev.preflight.policy.FetchMetadataPolicy;
import java.util.List;
import java.util.Map;

/** What {@code preflight explain} prints for an {@link Explainer.Explanation}: one line per fact, then the headers. */
public final class ExplanationText {
    private ExplanationText() {}

    /** The text {@code preflight explain} prints. */
    public static String render(Explainer.Question q, Explainer.Explanation e) {
        if (e.route().equals(Explainer.REFUSED_HOST)) {
            return refused("the Host", " (RFC 9112 3.2)", 400, q.host() + " is not host[:port]");
        }
        if (e.route().equals(Explainer.REFUSED_REQUEST)) {
            return refused("the request", "", e.status(), e.refusal());
        }
        if (e.route().equals(Explainer.REFUSED_PATH)) {
            return refused("the path", " (P5)", 400, e.refusal() + ", in " + q.path());
        }
        StringBuilder out = new StringBuilder();
        out.append("route:     ")
                .append(e.route())
                .append(" (upstream ")
                .append(e.upstream())
                .append(")\n");
        out.append("request:   ")
                .append(q.preflight() ? "preflight OPTIONS asking for " + q.method() : q.method())
                .append(q.origin() == null ? " without Origin" : " from " + q.origin());
        if (q.preflight() && !q.headers().isEmpty()) {
            out.append(" with headers ").append(String.join(", ", q.headers()));
        }
        if (q.preflight() && q.privateNetwork()) {
            out.append(", to a private network");
        }
        if (q.websocket() && !q.preflight()) {
            out.append(", a WebSocket handshake");
        }
        if (q.forwardedProto() != null) {
            out.append(" (X-Forwarded-Proto ").append(q.forwardedProto()).append(')');
        }
        if (q.secFetch().site() != null) {
            out.append(" (Sec-Fetch ").append(q.secFetch().describe()).append(')');
        }
        out.append('\n');
        if (e.fetchMetadata() != FetchMetadataPolicy.Verdict.NOT_CHECKED) {
            out.append("fetch:     ").append(fetchMetadata(e.fetchMetadata())).append('\n');
        }
        if (e.decision() == null) {
            out.append("decision:  none: CORS is disabled on this route; the request is forwarded untouched\n");
            headers(out, e.headers());
            return out.toString();
        }
        CorsDecision d = e.decision();
        out.append("decision:  ")
                .append(d.outcome().tag())
                .append(" (")
                .append(d.kind().tag())
                .append(")\n");
        out.append("reason:    ").append(d.reason().tag());
        if (d.detail() != null) {
            out.append(" (").append(d.detail()).append(')');
        }
        out.append('\n');
        if (e.mode().equals("report-only")) {
            out.append("mode:      report-only: forwarded untouched");
            if (e.reportOnlyHeader() != null) {
                out.append(", with only ")
                        .append(e.reportOnlyHeader().getKey())
                        .append(": ")
                        .append(e.reportOnlyHeader().getValue())
                        .append(q.websocket() ? " added to any answer but a 101" : " added");
            }
            out.append("; enforcing, the proxy would answer as below\n");
        }
        if (e.status() != 0) {
            out.append("answer:    ")
                    .append(e.status())
                    .append(
                            e.mode().equals("report-only")
                                    ? " from the proxy, were it enforcing\n"
                                    : " from the proxy; the backend never sees it\n");
        } else if (e.preserve()) {
            out.append("answer:    forwarded; the backend's own Access-Control-* headers go through")
                    .append(" (upstream-cors-headers = preserve), and only these are added\n");
        } else if (q.websocket() && !q.preflight()) {
            // P7: the tunnel opens on the backend's 101 as it is; CORS does not apply to WebSockets.
            out.append("answer:    forwarded; a 101 from the backend goes through as it is, and these headers go")
                    .append(" on any other answer\n");
        } else {
            out.append("answer:    forwarded; these headers go on the backend's response\n");
        }
        headers(out, e.headers());
        if (e.headers().isEmpty()) {
            out.append("  (no CORS headers)\n");
        }
        return out.toString();
    }

    private static void headers(StringBuilder out, List<Map.Entry<String, String>> headers) {
        for (Map.Entry<String, String> h : headers) {
            out.append("  ")
                    .append(h.getKey())
                    .append(": ")
                    .append(h.getValue())
                    .append('\n');
        }
    }

    /** A request the proxy answers itself before choosing a route: what, the rule, the status and why. */
    private static String refused(String what, String rule, int status, String why) {
        return "route:     none: " + what + " is refused before any route is chosen" + rule + "\n" + "answer:    "
                + status + " from the proxy (" + why + "); the backend never sees it\n";
    }

    private static String fetchMetadata(FetchMetadataPolicy.Verdict verdict) {
        return switch (verdict) {
            case ALLOWED -> "allowed (F1-F3)";
            case REFUSED -> "refused (F4): answered 403, whatever CORS says";
            case WOULD_REFUSE -> "would refuse (F4), report-only: forwarded, counted and logged";
            case NOT_CHECKED -> "not checked";
        };
    }
}
