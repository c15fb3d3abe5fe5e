package dev.preflight.proxy;

import dev.preflight.policy.CorsHeaders;
import dev.preflight.policy.CorsPolicy;
import dev.preflight.policy.CorsRequest;
import dev.preflight.policy.RouteDecision;
import dev.preflight.policy.SecFetch;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.AsciiString;
import java.util.List;
import java.util.Locale;

/** Adapts a Netty request to the pure policy: builds its {@link CorsRequest} and asks the route. */
final class CorsRequests {
    // The policy's names as Netty's cached ASCII strings: a String name is hashed on every lookup.
    private static final AsciiString REQUEST_PRIVATE_NETWORK = AsciiString.cached(CorsHeaders.REQUEST_PRIVATE_NETWORK);
    private static final AsciiString SEC_FETCH_SITE = AsciiString.cached(SecFetch.SITE);
    private static final AsciiString SEC_FETCH_MODE = AsciiString.cached(SecFetch.MODE);
    private static final AsciiString SEC_FETCH_DEST = AsciiString.cached(SecFetch.DEST);

    private CorsRequests() {}

    /**
     * The route's decision: fetch metadata, then CORS. Its CORS part is null when CORS is disabled on
     * the route (and fetch metadata refused nothing); in report-only mode it is what the policy would
     * do, and the caller keeps the proxy transparent. {@code record} says when the decision is not
     * acted on.
     *
     * @param path the normalised path
     */
    static RouteDecision decide(
            Route route, HttpRequest request, String path, boolean trustForwarded, RequestRecord record) {
        CorsPolicy policy = route.policy();
        if (!policy.settings().enabled()) {
            record.corsBypass = "disabled";
        } else if (!policy.enforce()) {
            record.corsBypass = "report-only";
        }
        HttpHeaders headers = request.headers();
        String host = headers.get(HttpHeaderNames.HOST);
        CorsRequest view = new CorsRequest(
                request.method().name(),
                all(headers, HttpHeaderNames.ORIGIN),
                host == null ? null : selfScheme(headers, trustForwarded) + "://" + host,
                all(headers, HttpHeaderNames.ACCESS_CONTROL_REQUEST_METHOD),
                all(headers, HttpHeaderNames.ACCESS_CONTROL_REQUEST_HEADERS),
                all(headers, REQUEST_PRIVATE_NETWORK),
                path,
                secFetch(headers));
        return RouteDecision.decide(policy, route.fetchMetadata(), view);
    }

    private static SecFetch secFetch(HttpHeaders headers) {
        String site = joined(headers, SEC_FETCH_SITE);
        return site == null
                ? SecFetch.NONE
                : new SecFetch(site, joined(headers, SEC_FETCH_MODE), joined(headers, SEC_FETCH_DEST));
    }

    /**
     * Every value, in order. Netty's {@code getAll} makes two objects even for a header that is not
     * there, which most of these are on most requests (issue 7: a quarter of what a forwarded GET
     * allocated).
     */
    private static List<String> all(HttpHeaders headers, CharSequence name) {
        return headers.contains(name) ? headers.getAll(name) : List.of();
    }

    /** Every value, so that a second one cannot hide behind the first; null when absent. */
    private static String joined(HttpHeaders headers, CharSequence name) {
        List<String> values = all(headers, name);
        return switch (values.size()) {
            case 0 -> null;
            case 1 -> values.getFirst();
            default -> String.join(", ", values);
        };
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
