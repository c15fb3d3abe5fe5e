package dev.preflight.admin;

import dev.preflight.cli.Explainer;
import dev.preflight.config.Settings;
import dev.preflight.policy.CorsDecision;
import dev.preflight.policy.Reason;
import dev.preflight.policy.SecFetch;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code /explain?method=M[&origin=O][&header=H]...[&path=P][&host=H][&preflight=true]...}: what {@code
 * preflight explain} prints (O1), as JSON, against the settings in force: the route and its upstream,
 * the mode, the decision (kind, outcome, reason, detail), the status the proxy would answer with
 * itself, whether the request reaches the backend, and the exact CORS headers.
 */
final class ExplainEndpoint implements AdminEndpoint {
    static final String USAGE = "/explain?method=M[&origin=O][&header=H]...[&path=/p][&host=h][&preflight=true]"
            + "[&private-network=true][&websocket=true][&forwarded-proto=https]"
            + "[&sec-fetch-site=S&sec-fetch-mode=M&sec-fetch-dest=D]";

    private record Cached(Settings settings, Explainer explainer) {}

    private final Supplier<Settings> settings;
    // Building an Explainer compiles the route table: once per Settings instance, i.e. per reload.
    private volatile Cached cached;

    ExplainEndpoint(Supplier<Settings> settings) {
        this.settings = settings;
    }

    @Override
    public String path() {
        return "/explain";
    }

    @Override
    public FullHttpResponse handle(QueryStringDecoder request, ByteBufAllocator alloc) {
        Map<String, List<String>> params = request.parameters();
        String origin = first(params, "origin");
        String method = first(params, "method");
        if (method == null || method.isEmpty()) {
            return badRequest(alloc, "missing query parameter: method");
        }
        for (String name : List.of("preflight", "private-network", "websocket")) {
            if (flag(params, name) == null) {
                return badRequest(alloc, name + ": " + first(params, name) + " (expected: true or false)");
            }
        }
        // Without origin: a request without Origin (C1), e.g. an <img> load for fetch metadata (F4).
        Explainer.Question question = new Explainer.Question(
                origin,
                method,
                params.getOrDefault("header", List.of()),
                params.containsKey("path") ? first(params, "path") : "/",
                first(params, "host"),
                flag(params, "preflight"),
                secFetch(params),
                first(params, "forwarded-proto"),
                flag(params, "private-network"),
                flag(params, "websocket"));
        String contradiction = question.contradiction();
        if (contradiction != null) {
            return badRequest(alloc, contradiction);
        }
        Explainer.Explanation explanation = explainer(settings.get()).explain(question);
        return AdminResponses.json(alloc, HttpResponseStatus.OK, render(explanation));
    }

    /** The JSON form of what {@link dev.preflight.cli.ExplanationText#render} prints. */
    static String render(Explainer.Explanation e) {
        CorsDecision d = e.decision();
        JsonWriter json = new JsonWriter()
                .beginObject()
                .field("route", e.route())
                .field("upstream", e.upstream())
                .field("mode", e.mode())
                // A route with CORS disabled has no decision; label it as the proxy's metrics do.
                .field(
                        "kind",
                        d == null ? CorsDecision.Kind.NONE.tag() : d.kind().tag())
                .field(
                        "outcome",
                        d == null
                                ? CorsDecision.Outcome.NOT_APPLICABLE.tag()
                                : d.outcome().tag())
                .field("reason", d != null ? d.reason().tag() : reasonWithoutDecision(e))
                .field("fetch_metadata", e.fetchMetadata().tag())
                .field("detail", d == null ? e.refusal() : d.detail())
                .field("status", e.status())
                // Report-only answers nothing itself: the status is what enforcing would have sent.
                .field("forwarded", e.status() == 0 || !e.mode().equals("enforce"))
                .name("headers")
                .beginArray();
        for (Map.Entry<String, String> header : e.headers()) {
            header(json, header);
        }
        // On a report-only route, what the proxy does add to the backend's untouched answer (headers
        // are then enforcing's); empty elsewhere.
        json.endArray().name("report_only_headers").beginArray();
        if (e.reportOnlyHeader() != null) {
            header(json, e.reportOnlyHeader());
        }
        return json.endArray().endObject().toString();
    }

    private static void header(JsonWriter json, Map.Entry<String, String> header) {
        json.beginObject()
                .field("name", header.getKey())
                .field("value", header.getValue())
                .endObject();
    }

    /**
     * A route with CORS disabled, or a path (P5), a Host (RFC 9112 3.2) or another part of the head
     * (TRACE, a target of *, a value that is not ASCII...) refused before any route is chosen.
     */
    private static String reasonWithoutDecision(Explainer.Explanation e) {
        if (e.route().equals(Explainer.REFUSED_PATH)) {
            return "path-refused";
        }
        if (e.route().equals(Explainer.REFUSED_REQUEST)) {
            return "request-refused";
        }
        return e.route().equals(Explainer.REFUSED_HOST) ? "host-refused" : Reason.DISABLED.tag();
    }

    private Explainer explainer(Settings current) {
        Cached c = cached;
        if (c == null || c.settings() != current) {
            c = new Cached(current, new Explainer(current));
            cached = c;
        }
        return c.explainer();
    }

    /** F1-F4: {@code sec-fetch-site} (with {@code -mode} and {@code -dest}), as the CLI's flags. */
    private static SecFetch secFetch(Map<String, List<String>> params) {
        String site = first(params, "sec-fetch-site");
        return site == null
                ? SecFetch.NONE
                : new SecFetch(site, first(params, "sec-fetch-mode"), first(params, "sec-fetch-dest"));
    }

    /** A bare {@code &name} reads as true, like the CLI's flags; null when neither true nor false. */
    private static Boolean flag(Map<String, List<String>> params, String name) {
        String value = first(params, name);
        if (value == null || value.equals("false")) {
            return false;
        }
        return value.isEmpty() || value.equals("true") ? Boolean.TRUE : null;
    }

    private static String first(Map<String, List<String>> params, String name) {
        List<String> values = params.get(name);
        return values == null || values.isEmpty() ? null : values.getFirst();
    }

    private static FullHttpResponse badRequest(ByteBufAllocator alloc, String message) {
        String body = new JsonWriter()
                .beginObject()
                .field("error", message)
                .field("usage", USAGE)
                .endObject()
                .toString();
        return AdminResponses.json(alloc, HttpResponseStatus.BAD_REQUEST, body);
    }
}
