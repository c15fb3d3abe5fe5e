package dev.preflight.cli;

import dev.preflight.config.RouteSettings;
import dev.preflight.config.Settings;
import dev.preflight.config.UpstreamSettings;
import dev.preflight.policy.CorsDecision;
import dev.preflight.policy.CorsHeaders;
import dev.preflight.policy.CorsPolicy;
import dev.preflight.policy.CorsRequest;
import dev.preflight.policy.RequestPath;
import dev.preflight.policy.RouteTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the proxy would do with one request, from the same route table and compiled policies the
 * proxy uses: the route, the decision and reason, and the exact CORS headers of the answer.
 */
public final class Explainer {
    /** The request to explain; {@code preflight} makes it {@code OPTIONS} asking for {@code method}. */
    public record Question(
            String origin, String method, List<String> headers, String path, String host, boolean preflight) {}

    /**
     * @param decision null when the route leaves CORS alone (disabled, or report-only)
     * @param status the status the proxy answers with itself, or 0 when the request is forwarded
     * @param headers the CORS headers (and {@code Vary}) of the answer, or added to the backend's
     */
    public record Explanation(
            String route,
            String upstream,
            String mode,
            CorsDecision decision,
            int status,
            List<Map.Entry<String, String>> headers) {}

    private final RouteTable<RouteView> routes;

    private record RouteView(String name, CorsPolicy policy, UpstreamSettings upstream) {}

    public Explainer(Settings settings) {
        this.routes = RouteTable.of(
                settings.routes(),
                (RouteSettings r) -> new RouteTable.Entry<>(
                        r.host(), r.pathPrefix(), new RouteView(r.name(), r.corsPolicy(), r.upstream())),
                new RouteView("default", settings.corsPolicy(), settings.upstream()));
    }

    public Explanation explain(Question q) {
        RequestPath path = RequestPath.parse(q.path() == null ? "/" : q.path());
        RouteView route = routes.select(q.host(), path == null ? "/" : path.path());
        CorsPolicy policy = route.policy();
        String upstream = route.upstream().url().toString();
        if (!policy.settings().enabled()) {
            return new Explanation(route.name(), upstream, "disabled", null, 0, List.of());
        }
        CorsRequest request = q.preflight()
                ? new CorsRequest(
                        "OPTIONS",
                        List.of(q.origin()),
                        selfOrigin(q.host()),
                        List.of(q.method()),
                        q.headers().isEmpty() ? List.of() : List.of(String.join(", ", q.headers())),
                        List.of())
                : CorsRequest.actual(q.method(), q.origin(), selfOrigin(q.host()));
        CorsDecision decision = policy.decide(request);
        String mode = policy.enforce() ? "enforce" : "report-only";
        List<Map.Entry<String, String>> headers = new ArrayList<>(decision.headers());
        if (decision.vary() != null) {
            headers.add(Map.entry(CorsHeaders.VARY, decision.vary()));
        }
        if (decision.answerLocally() && decision.status() == 200) {
            headers.add(Map.entry("Content-Length", "0"));
        }
        return new Explanation(
                route.name(), upstream, mode, decision, decision.answerLocally() ? decision.status() : 0, headers);
    }

    private static String selfOrigin(String host) {
        return host == null ? null : "http://" + host;
    }

    /** The text {@code preflight explain} prints. */
    public static String render(Question q, Explanation e) {
        StringBuilder out = new StringBuilder();
        out.append("route:     ")
                .append(e.route())
                .append(" (upstream ")
                .append(e.upstream())
                .append(")\n");
        out.append("request:   ")
                .append(q.preflight() ? "preflight OPTIONS asking for " + q.method() : q.method())
                .append(" from ")
                .append(q.origin());
        if (q.preflight() && !q.headers().isEmpty()) {
            out.append(" with headers ").append(String.join(", ", q.headers()));
        }
        out.append('\n');
        if (e.decision() == null) {
            out.append("decision:  none: CORS is disabled on this route; the request is forwarded untouched\n");
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
            out.append("mode:      report-only: the proxy would answer as below, but forwards untouched\n");
        }
        if (e.status() != 0) {
            out.append("answer:    ").append(e.status()).append(" from the proxy; the backend never sees it\n");
        } else {
            out.append("answer:    forwarded; these headers go on the backend's response\n");
        }
        for (Map.Entry<String, String> h : e.headers()) {
            out.append("  ")
                    .append(h.getKey())
                    .append(": ")
                    .append(h.getValue())
                    .append('\n');
        }
        if (e.headers().isEmpty()) {
            out.append("  (no CORS headers)\n");
        }
        return out.toString();
    }
}
