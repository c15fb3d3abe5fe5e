package dev.preflight.policy;

import java.util.List;
import java.util.Objects;

/**
 * What a route's decision (fetch metadata, then CORS) needs to know of a request, free of any HTTP
 * library. Header lists hold every value of the header, in order (usually none or one); {@code null}
 * counts as none.
 *
 * @param method the request method, case-sensitive ({@code OPTIONS} makes a preflight)
 * @param origins every {@code Origin} value; more than one is malformed
 * @param selfOrigin the request's own origin, {@code scheme://host[:port]} from the listener's (or a
 *     trusted {@code X-Forwarded-Proto}) scheme and {@code Host}, for C2; null when unknown
 * @param requestMethods {@code Access-Control-Request-Method} values
 * @param requestHeaderLines {@code Access-Control-Request-Headers} lines, joined by the decision
 * @param requestPrivateNetwork {@code Access-Control-Request-Private-Network} values
 * @param path the normalised path ({@link RequestPath}), for {@code exempt-path-prefixes}; null when
 *     unknown, which no exempt prefix matches
 * @param secFetch the {@code Sec-Fetch-*} headers; null counts as none
 */
public record CorsRequest(
        String method,
        List<String> origins,
        String selfOrigin,
        List<String> requestMethods,
        List<String> requestHeaderLines,
        List<String> requestPrivateNetwork,
        String path,
        SecFetch secFetch) {

    // No copies: a request view is built and dropped per request, by code that owns the lists.
    public CorsRequest {
        Objects.requireNonNull(method, "method");
        origins = origins == null ? List.of() : origins;
        requestMethods = requestMethods == null ? List.of() : requestMethods;
        requestHeaderLines = requestHeaderLines == null ? List.of() : requestHeaderLines;
        requestPrivateNetwork = requestPrivateNetwork == null ? List.of() : requestPrivateNetwork;
        secFetch = secFetch == null ? SecFetch.NONE : secFetch;
    }

    /** A request as CORS alone sees it: no path, no {@code Sec-Fetch-*} headers. */
    public CorsRequest(
            String method,
            List<String> origins,
            String selfOrigin,
            List<String> requestMethods,
            List<String> requestHeaderLines,
            List<String> requestPrivateNetwork) {
        this(method, origins, selfOrigin, requestMethods, requestHeaderLines, requestPrivateNetwork, null, null);
    }

    /** An ordinary request: {@code method} from {@code origin} (null for none). */
    public static CorsRequest actual(String method, String origin, String selfOrigin) {
        return new CorsRequest(
                method, origin == null ? List.of() : List.of(origin), selfOrigin, List.of(), List.of(), List.of());
    }
}
