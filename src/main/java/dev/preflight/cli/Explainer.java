package dev.preflight.cli;

import dev.preflight.config.RouteSettings;
import dev.preflight.config.Settings;
import dev.preflight.config.UpstreamSettings;
import dev.preflight.policy.CorsDecision;
import dev.preflight.policy.CorsHeaders;
import dev.preflight.policy.CorsPolicy;
import dev.preflight.policy.CorsRequest;
import dev.preflight.policy.CorsSettings;
import dev.preflight.policy.FetchMetadataPolicy;
import dev.preflight.policy.RequestPath;
import dev.preflight.policy.RouteDecision;
import dev.preflight.policy.RouteTable;
import dev.preflight.policy.SecFetch;
import dev.preflight.proxy.AnswerHeaders;
import dev.preflight.proxy.HeadChecks;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the proxy would do with one request, from the same route table and compiled policies the
 * proxy uses, through the same {@link RouteDecision}: the route, the decision and reason, the
 * fetch-metadata verdict, and the exact CORS headers of the answer.
 */
public final class Explainer {
    /**
     * The request to explain; {@code preflight} makes it {@code OPTIONS} asking for {@code method}.
     *
     * @param origin the {@code Origin} header, or null for a request without one (C1)
     * @param secFetch the {@code Sec-Fetch-*} headers the browser would send, for the fetch-metadata
     *     check; {@link SecFetch#NONE} for none
     * @param forwardedProto the {@code X-Forwarded-Proto} the request carries, or null: with {@code
     *     forwarded.trust-incoming} it is the scheme of the request's own origin (C2), as behind a TLS
     *     terminator
     * @param privateNetwork a preflight with {@code Access-Control-Request-Private-Network: true}
     * @param websocket a WebSocket handshake ({@code GET} with {@code Upgrade: websocket}, P7)
     */
    public record Question(
            String origin,
            String method,
            List<String> headers,
            String path,
            String host,
            boolean preflight,
            SecFetch secFetch,
            String forwardedProto,
            boolean privateNetwork,
            boolean websocket) {

        public Question {
            secFetch = secFetch == null ? SecFetch.NONE : secFetch;
        }

        /**
         * What makes the question one the proxy could never be asked, or null: a private-network
         * request is a preflight's, and a WebSocket handshake is a GET, never a preflight (the proxy
         * takes no other request for one, and forwards it as an ordinary request).
         */
        public String contradiction() {
            if (privateNetwork && !preflight) {
                return "private network access is asked by a preflight: ask with the preflight too";
            }
            if (websocket && (preflight || !"GET".equals(method))) {
                return "a WebSocket handshake is a GET, not a preflight nor another method";
            }
            return null;
        }

        /** A request with nothing but these: no Sec-Fetch-*, X-Forwarded-Proto, private network or upgrade. */
        public Question(
                String origin, String method, List<String> headers, String path, String host, boolean preflight) {
            this(origin, method, headers, path, host, preflight, SecFetch.NONE, null, false, false);
        }
    }

    /**
     * @param mode the CORS mode ({@code enforce}, {@code report-only}, {@code disabled}), or {@code
     *     enforce} when the fetch-metadata check refuses the request
     * @param decision null when the route leaves CORS alone (disabled) and fetch metadata refused nothing
     * @param status the status the proxy answers with itself, or 0 when the request is forwarded
     * @param headers the CORS headers (and {@code Vary}) of the answer, or added to the backend's
     * @param fetchMetadata what the fetch-metadata check found (F1-F4)
     * @param preserve the route's {@code upstream-cors-headers} is {@code preserve} (C10): a forwarded
     *     response keeps the backend's {@code Access-Control-*} headers and gets none of ours
     * @param refusal why the proxy answers the request itself before any route is chosen, or null
     * @param reportOnlyHeader on a report-only route with the decision header on, the one header the
     *     proxy does add to the backend's untouched answer (C13); {@code headers} are then what it
     *     would send enforcing
     */
    public record Explanation(
            String route,
            String upstream,
            String mode,
            CorsDecision decision,
            int status,
            List<Map.Entry<String, String>> headers,
            FetchMetadataPolicy.Verdict fetchMetadata,
            boolean preserve,
            String refusal,
            Map.Entry<String, String> reportOnlyHeader) {

        static Explanation refused(String route, HeadChecks.Refusal refusal) {
            return new Explanation(
                    route,
                    "",
                    "enforce",
                    null,
                    refusal.status().code(),
                    List.of(),
                    FetchMetadataPolicy.Verdict.NOT_CHECKED,
                    false,
                    refusal.detail(),
                    null);
        }
    }

    /** The route named for a path refused before routing (P5). */
    public static final String REFUSED_PATH = "(none: path refused)";

    /** The route named for a {@code Host} refused before routing (RFC 9112 3.2). */
    public static final String REFUSED_HOST = "(none: Host refused)";

    /** The route named for any other head the proxy refuses before routing (a method, a target, a value). */
    public static final String REFUSED_REQUEST = "(none: request refused)";

    private final RouteTable<RouteView> routes;
    private final boolean trustForwarded;
    private final boolean debug;

    private record RouteView(
            String name, CorsPolicy policy, FetchMetadataPolicy fetchMetadata, UpstreamSettings upstream) {}

    public Explainer(Settings settings) {
        this.routes = RouteTable.of(
                settings.routes(),
                (RouteSettings r) -> new RouteTable.Entry<>(
                        r.host(),
                        r.pathPrefix(),
                        r.pathPrefixIgnoreCase(),
                        new RouteView(
                                r.name(),
                                r.corsPolicy(),
                                FetchMetadataPolicy.compile(r.fetchMetadata()),
                                r.upstream())),
                new RouteView(
                        "default",
                        settings.corsPolicy(),
                        FetchMetadataPolicy.compile(settings.fetchMetadata()),
                        settings.upstream()));
        this.trustForwarded = settings.forwarded().trustIncoming();
        this.debug = settings.debug().decisionHeader();
    }

    public Explanation explain(Question asked) {
        Question q = HeadQuestions.asReceived(asked);
        Explanation refused = HeadQuestions.refusedBeforeRouting(q);
        if (refused != null) {
            return refused;
        }
        RequestPath path = RequestPath.ofTarget(q.path() == null ? "/" : q.path());
        // P5: refused before any route is chosen (an encoded slash or backslash, a malformed escape),
        // or with segment parameters that put it under different routes for different servers.
        RouteView route = path == null ? null : routes.select(q.host(), path);
        if (route == null) {
            String why = path == null
                    ? "not a path, or one with an encoded slash or backslash, a malformed escape, a '#' or a dot"
                            + " segment with parameters"
                    : "servers read it under different routes: segment parameters, an escaped reserved"
                            + " character, or a letter a case fold changes";
            return Explanation.refused(
                    REFUSED_PATH, new HeadChecks.Refusal(HttpResponseStatus.BAD_REQUEST, why, false));
        }
        String normalised = path.path();
        CorsPolicy policy = route.policy();
        String upstream = route.upstream().url().toString();
        CorsRequest request = new CorsRequest(
                q.preflight() ? "OPTIONS" : q.method(),
                q.origin() == null ? List.of() : List.of(q.origin()),
                selfOrigin(q),
                q.preflight() ? List.of(q.method()) : List.of(),
                q.preflight() && !q.headers().isEmpty() ? List.of(String.join(", ", q.headers())) : List.of(),
                q.preflight() && q.privateNetwork() ? List.of("true") : List.of(),
                normalised,
                q.secFetch());
        RouteDecision routed = RouteDecision.decide(policy, route.fetchMetadata(), request);
        CorsDecision decision = routed.cors();
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        if (decision == null) {
            addFetchMetadataVary(headers, routed);
            return new Explanation(
                    route.name(), upstream, "disabled", null, 0, headers, routed.fetchMetadata(), false, null, null);
        }
        String mode = policy.enforce() || routed.refused() ? "enforce" : "report-only";
        // C13: what the proxy does add on a report-only route, to the backend's untouched answer (not
        // to a 101, which goes through as it is).
        Map.Entry<String, String> reportOnlyHeader =
                mode.equals("report-only") && debug && decision.kind() != CorsDecision.Kind.NONE
                        ? AnswerHeaders.decisionHeader(decision, route.name(), true)
                        : null;
        if (q.websocket() && !q.preflight() && decision.outcome() == CorsDecision.Outcome.REJECTED) {
            // P7: a handshake from a disallowed origin gets 403 whatever disallowed-origin says (on a
            // report-only route, were it enforcing).
            headers.addAll(
                    AnswerHeaders.webSocketRefusal(decision, debug ? route.name() : null, routed.fetchMetadataVary()));
            return new Explanation(
                    route.name(),
                    upstream,
                    mode,
                    decision,
                    403,
                    headers,
                    routed.fetchMetadata(),
                    false,
                    null,
                    reportOnlyHeader);
        }
        boolean preserve = !decision.answerLocally() && preservesUpstreamCors(policy);
        if (decision.answerLocally()) {
            // The answer itself, every header of it, from the code that writes it.
            headers.addAll(
                    AnswerHeaders.localAnswer(decision, debug ? route.name() : null, routed.fetchMetadataVary()));
        } else {
            if (!preserve) {
                headers.addAll(decision.headers());
            }
            if (decision.vary() != null) {
                headers.add(Map.entry(CorsHeaders.VARY, decision.vary()));
            }
            addFetchMetadataVary(headers, routed);
            if (debug && decision.kind() != CorsDecision.Kind.NONE) {
                // As enforcing writes it: on a report-only route the list is what enforcing would send.
                headers.add(AnswerHeaders.decisionHeader(decision, route.name(), false));
            }
        }
        return new Explanation(
                route.name(),
                upstream,
                mode,
                decision,
                decision.answerLocally() ? decision.status() : 0,
                headers,
                routed.fetchMetadata(),
                preserve,
                null,
                reportOnlyHeader);
    }

    /** C10: with {@code preserve} the backend's own CORS headers go through and ours are not added. */
    private static boolean preservesUpstreamCors(CorsPolicy policy) {
        return policy.settings().upstreamCorsHeaders() == CorsSettings.UpstreamCorsHeaders.PRESERVE;
    }

    /** F4: one {@code Vary} line, as the proxy merges it, with CORS's names first. */
    private static void addFetchMetadataVary(List<Map.Entry<String, String>> headers, RouteDecision routed) {
        String vary = routed.fetchMetadataVary();
        if (vary == null) {
            return;
        }
        for (int i = 0; i < headers.size(); i++) {
            if (headers.get(i).getKey().equals(CorsHeaders.VARY)) {
                headers.set(i, Map.entry(CorsHeaders.VARY, headers.get(i).getValue() + ", " + vary));
                return;
            }
        }
        headers.add(Map.entry(CorsHeaders.VARY, vary));
    }

    /** C2: as the proxy reads it, the listener's scheme unless a trusted X-Forwarded-Proto says otherwise. */
    private String selfOrigin(Question q) {
        if (q.host() == null) {
            return null;
        }
        String proto = q.forwardedProto();
        boolean forwarded =
                trustForwarded && proto != null && (proto.equalsIgnoreCase("https") || proto.equalsIgnoreCase("http"));
        return (forwarded ? proto.toLowerCase(Locale.ROOT) : "http") + "://" + q.host();
    }
}
