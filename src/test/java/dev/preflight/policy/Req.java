package dev.preflight.policy;

import java.util.ArrayList;
import java.util.List;

/** A {@link CorsRequest} for tests, built from the headers a browser would send. */
final class Req {

    private final String method;
    private final List<String> origins = new ArrayList<>();
    private String self;
    private final List<String> requestMethods = new ArrayList<>();
    private final List<String> requestHeaderLines = new ArrayList<>();
    private final List<String> privateNetwork = new ArrayList<>();
    private String path = "/";
    private SecFetch secFetch = SecFetch.NONE;

    private Req(String method) {
        this.method = method;
    }

    /** {@code method} with one {@code Origin}, or none when {@code origin} is null. */
    static Req actual(String method, String origin) {
        Req request = new Req(method);
        if (origin != null) {
            request.origins.add(origin);
        }
        return request;
    }

    static Req get(String origin) {
        return actual("GET", origin);
    }

    /** {@code OPTIONS} with {@code Origin}, {@code Access-Control-Request-Method} and one header line each. */
    static Req preflight(String origin, String requestMethod, String... headerLines) {
        Req request = actual("OPTIONS", origin);
        request.requestMethods.add(requestMethod);
        request.requestHeaderLines.addAll(List.of(headerLines));
        return request;
    }

    /** Another {@code Origin} value. */
    Req andOrigin(String origin) {
        origins.add(origin);
        return this;
    }

    /** Another {@code Access-Control-Request-Method} value. */
    Req andRequestMethod(String requestMethod) {
        requestMethods.add(requestMethod);
        return this;
    }

    Req self(String selfOrigin) {
        self = selfOrigin;
        return this;
    }

    /** {@code Access-Control-Request-Private-Network: true}. */
    Req privateNetwork() {
        privateNetwork.add("true");
        return this;
    }

    /** The normalised path (default {@code /}). */
    Req path(String normalisedPath) {
        path = normalisedPath;
        return this;
    }

    /** {@code Sec-Fetch-Site}, {@code -Mode} and {@code -Dest}; null for an absent one. */
    Req secFetch(String site, String mode, String dest) {
        secFetch = new SecFetch(site, mode, dest);
        return this;
    }

    CorsRequest build() {
        return new CorsRequest(
                method,
                List.copyOf(origins),
                self,
                List.copyOf(requestMethods),
                List.copyOf(requestHeaderLines),
                List.copyOf(privateNetwork),
                path,
                secFetch);
    }

    @Override
    public String toString() {
        return method + " " + path + " " + origins + " " + requestMethods + " " + requestHeaderLines + " " + secFetch;
    }
}
