package dev.preflight.policy;

import java.util.List;

/** The CORS header names, as this policy writes them, and the test for what C10 strips. */
public final class CorsHeaders {

    public static final String ORIGIN = "Origin";
    public static final String VARY = "Vary";
    public static final String REQUEST_METHOD = "Access-Control-Request-Method";
    public static final String REQUEST_HEADERS = "Access-Control-Request-Headers";
    public static final String REQUEST_PRIVATE_NETWORK = "Access-Control-Request-Private-Network";
    public static final String ALLOW_ORIGIN = "Access-Control-Allow-Origin";
    public static final String ALLOW_CREDENTIALS = "Access-Control-Allow-Credentials";
    public static final String ALLOW_METHODS = "Access-Control-Allow-Methods";
    public static final String ALLOW_HEADERS = "Access-Control-Allow-Headers";
    public static final String EXPOSE_HEADERS = "Access-Control-Expose-Headers";
    public static final String MAX_AGE = "Access-Control-Max-Age";
    public static final String ALLOW_PRIVATE_NETWORK = "Access-Control-Allow-Private-Network";

    /** Every response header a policy may write. */
    public static final List<String> RESPONSE_HEADERS = List.of(
            ALLOW_ORIGIN,
            ALLOW_CREDENTIALS,
            ALLOW_METHODS,
            ALLOW_HEADERS,
            EXPOSE_HEADERS,
            MAX_AGE,
            ALLOW_PRIVATE_NETWORK);

    private static final String PREFIX = "access-control-";

    private CorsHeaders() {}

    /**
     * Whether a backend's response header is one that {@code upstream-cors-headers = strip} removes
     * (C10): any {@code Access-Control-*}, including names this policy never writes, so that nothing
     * the backend says about CORS can contradict ours. ASCII case-insensitive, without allocating.
     */
    public static boolean isCorsResponseHeader(CharSequence name) {
        if (name.length() < PREFIX.length()) {
            return false;
        }
        for (int i = 0; i < PREFIX.length(); i++) {
            char c = name.charAt(i);
            if ((c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c) != PREFIX.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
