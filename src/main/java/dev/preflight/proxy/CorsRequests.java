package dev.preflight.proxy;

import dev.preflight.policy.CorsDecision;
import dev.preflight.policy.CorsHeaders;
import dev.preflight.policy.CorsPolicy;
import dev.preflight.policy.CorsRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import java.util.Locale;

/** Adapts a Netty request to the pure policy: builds its {@link CorsRequest} and asks the route. */
final class CorsRequests {
    private CorsRequests() {}

    /**
     * The route's decision, or null when CORS is disabled on the route. In report-only mode it is
     * what the policy would do; the caller keeps the proxy transparent. {@code record} says when the
     * decision is not acted on.
     */
    static CorsDecision decide(Route route, HttpRequest request, boolean trustForwarded, RequestRecord record) {
        CorsPolicy policy = route.policy();
        if (!policy.settings().enabled()) {
            record.corsBypass = "disabled";
            return null;
        }
        if (!policy.enforce()) {
            record.corsBypass = "report-only";
        }
        HttpHeaders headers = request.headers();
        String host = headers.get(HttpHeaderNames.HOST);
        return policy.decide(new CorsRequest(
                request.method().name(),
                headers.getAll(HttpHeaderNames.ORIGIN),
                host == null ? null : selfScheme(headers, trustForwarded) + "://" + host,
                headers.getAll(HttpHeaderNames.ACCESS_CONTROL_REQUEST_METHOD),
                headers.getAll(HttpHeaderNames.ACCESS_CONTROL_REQUEST_HEADERS),
                headers.getAll(CorsHeaders.REQUEST_PRIVATE_NETWORK)));
    }

    /** C2: the listener speaks plain HTTP; a TLS terminator in front says otherwise only if trusted. */
    private static String selfScheme(HttpHeaders headers, boolean trustForwarded) {
        if (trustForwarded) {
            String proto = headers.get(ForwardedHeaders.X_FORWARDED_PROTO);
            if (proto != null && (proto.equalsIgnoreCase("https") || proto.equalsIgnoreCase("http"))) {
                return proto.toLowerCase(Locale.ROOT);
            }
        }
        return "http";
    }
}
