package dev.preflight.policy;

/**
 * Why a {@link CorsDecision} came out as it did: a closed set, so that it can label metrics (O3) and
 * the debug header (C6). All but {@link #FETCH_METADATA} are CORS's own.
 */
public enum Reason {
    ALLOWED("allowed"),
    /** C1: no {@code Origin}, not a CORS request. */
    NO_ORIGIN("no-origin"),
    /** C2: the {@code Origin} is the request's own. */
    SAME_ORIGIN("same-origin"),
    /** {@code cors.enabled = false}: the route is transparent. */
    DISABLED("disabled"),
    ORIGIN_NOT_ALLOWED("origin-not-allowed"),
    /** Not a serialised origin, or more than one (C12); never allowed. */
    ORIGIN_MALFORMED("origin-malformed"),
    METHOD_NOT_ALLOWED("method-not-allowed"),
    HEADER_NOT_ALLOWED("header-not-allowed"),
    PRIVATE_NETWORK_NOT_ALLOWED("private-network-not-allowed"),
    /**
     * F4: a cross-site request that is neither a top-level navigation nor a CORS request, refused by
     * the fetch-metadata check before CORS is asked.
     */
    FETCH_METADATA("fetch-metadata");

    private final String tag;

    Reason(String tag) {
        this.tag = tag;
    }

    /** The wire name, e.g. {@code origin-not-allowed}: for logs, metric labels and the debug header. */
    public String tag() {
        return tag;
    }
}
