package dev.preflight.admin;

/**
 * Names of the admin pipeline's handlers, in pipeline order:
 *
 * <ol>
 *   <li>{@link #IDLE}: closes a connection that has sent nothing for {@link #IDLE_SECONDS}
 *   <li>{@link #CODEC}: HTTP/1.x decoding and encoding
 *   <li>{@link #AGGREGATOR}: whole requests of at most {@link #MAX_REQUEST_BYTES} (admin requests have
 *       no body); 413 beyond, and {@code 100 Continue} handled
 *   <li>{@link #ROUTER}: methods, paths and keep-alive; one endpoint class per path
 * </ol>
 */
final class AdminHandlerNames {
    static final String IDLE = "admin-idle";
    static final String CODEC = "admin-codec";
    static final String AGGREGATOR = "admin-aggregator";
    static final String ROUTER = "admin-router";

    /** Longer than any scrape interval, so that Prometheus keeps its connection between scrapes. */
    static final int IDLE_SECONDS = 120;

    static final int MAX_REQUEST_BYTES = 8 * 1024;

    private AdminHandlerNames() {}
}
