package dev.preflight.proxy.upstream;

import java.util.concurrent.TimeUnit;

/**
 * A backend's {@code Keep-Alive: timeout=N} (RFC 2068 19.7.1.1; Node.js sends {@code timeout=5},
 * Apache {@code timeout=5, max=100}): it closes a connection idle for N seconds, and a request sent
 * on it just then is lost with it: a POST gets 502 (not replayed), as often as requests come at that
 * rhythm (found by probing: 11 of 200 POSTs sent about 1 s apart to a backend closing at 1 s). A
 * connection idle in the pool is lent again only within N seconds less a margin, as undici and Apache
 * HttpClient do; nginx and Envoy ignore the header, and so did preflight.
 */
public final class KeepAliveTimeout {
    /** Taken off the backend's timeout, for the request to get there first; at most half of it. */
    static final long MARGIN_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** No hint: the pool's own {@code idle-timeout} alone decides. */
    public static final long NONE = Long.MAX_VALUE;

    private KeepAliveTimeout() {}

    /**
     * How long a connection may sit idle and still be lent again, from its last response's {@code
     * Keep-Alive} value (null when it had none): {@link #NONE} without a usable {@code timeout}
     * parameter, 0 for {@code timeout=0} (not to be lent again at all).
     */
    public static long reuseNanos(CharSequence keepAlive) {
        if (keepAlive == null) {
            return NONE;
        }
        for (String parameter : keepAlive.toString().split(",")) {
            int equals = parameter.indexOf('=');
            if (equals > 0 && parameter.substring(0, equals).strip().equalsIgnoreCase("timeout")) {
                long seconds = seconds(parameter.substring(equals + 1).strip());
                if (seconds < 0) {
                    return NONE;
                }
                long timeout = TimeUnit.SECONDS.toNanos(seconds);
                return timeout - Math.min(MARGIN_NANOS, timeout / 2);
            }
        }
        return NONE;
    }

    /** Whole seconds, quoted or not; -1 when not a number of at most six digits (11 days). */
    private static long seconds(String value) {
        String digits = value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
                ? value.substring(1, value.length() - 1)
                : value;
        if (digits.isEmpty() || digits.length() > 6) {
            return -1;
        }
        for (int i = 0; i < digits.length(); i++) {
            if (digits.charAt(i) < '0' || digits.charAt(i) > '9') {
                return -1;
            }
        }
        return Long.parseLong(digits);
    }
}
