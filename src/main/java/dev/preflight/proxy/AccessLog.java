package dev.preflight.proxy;

import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * One line per request on the {@code preflight.access} logger (O6): a readable message for the text
 * format, and the same facts as key-value pairs, which the JSON format writes as fields. The appender
 * behind it is asynchronous and drops rather than blocks when full (see {@code LogSetup}).
 */
final class AccessLog {
    static final String LOGGER = "preflight.access";
    private static final Logger access = LoggerFactory.getLogger(LOGGER);

    private final boolean enabled;

    AccessLog(boolean enabled) {
        this.enabled = enabled;
    }

    void log(RequestRecord r) {
        if (!enabled || !access.isInfoEnabled()) {
            return;
        }
        double millis = r.durationNanos() / 1e6;
        double upstreamMillis = r.upstreamNanos < 0 ? -1 : r.upstreamNanos / 1e6;
        String line = String.format(
                Locale.ROOT,
                "%s \"%s %s\" %d in=%d out=%d %.3fms route=%s cors=%s/%s/%s upstream=%s",
                r.client,
                r.method,
                r.path,
                r.status,
                r.bytesIn,
                r.bytesOut,
                millis,
                r.route,
                r.kind(),
                r.outcome(),
                r.reason(),
                upstreamMillis < 0 ? "-" : String.format(Locale.ROOT, "%.3fms", upstreamMillis));
        LoggingEventBuilder event = access.atInfo()
                .addKeyValue("client", r.client)
                .addKeyValue("method", r.method)
                .addKeyValue("path", r.path)
                .addKeyValue("status", r.status)
                .addKeyValue("bytes_in", r.bytesIn)
                .addKeyValue("bytes_out", r.bytesOut)
                .addKeyValue("duration_ms", millis)
                .addKeyValue("route", r.route)
                .addKeyValue("cors_kind", r.kind())
                .addKeyValue("cors_outcome", r.outcome())
                .addKeyValue("cors_reason", r.reason());
        // Absent facts are left out rather than written as the string "null".
        if (upstreamMillis >= 0) {
            event = event.addKeyValue("upstream_ms", upstreamMillis);
        }
        if (r.upstreamError != null) {
            event = event.addKeyValue("upstream_error", r.upstreamError);
        }
        event.log(line);
    }
}
