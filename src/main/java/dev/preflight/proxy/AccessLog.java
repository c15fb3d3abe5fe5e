package dev.preflight.proxy;

import dev.preflight.config.AccessLogSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * One line per request on the {@code preflight.access} logger (O6): a readable message, and for the
 * JSON format the same facts as key-value pairs, which it writes as fields. The appender
 * behind it is asynchronous and drops rather than blocks when full (see {@code LogSetup}).
 */
final class AccessLog {
    static final String LOGGER = "preflight.access";
    private static final Logger access = LoggerFactory.getLogger(LOGGER);

    private final boolean enabled;
    private final boolean json;

    AccessLog(AccessLogSettings settings) {
        this.enabled = settings.enabled();
        // Fixed for the process's life: a change of format takes a restart (LogSetup, Reloader).
        this.json = settings.format() == AccessLogSettings.Format.JSON;
    }

    void log(RequestRecord r) {
        if (!enabled || !access.isInfoEnabled()) {
            return;
        }
        long nanos = r.durationNanos();
        double millis = nanos / 1e6;
        double upstreamMillis = r.upstreamNanos < 0 ? -1 : r.upstreamNanos / 1e6;
        // Built by hand: String.format parses its pattern on every call, on the hot path.
        StringBuilder line = new StringBuilder(160)
                .append(r.client)
                .append(" \"")
                .append(r.method)
                .append(' ')
                .append(r.path)
                .append("\" ")
                .append(r.status)
                .append(" in=")
                .append(r.bytesIn)
                .append(" out=")
                .append(r.bytesOut)
                .append(' ');
        appendMillis(line, nanos)
                .append(" route=")
                .append(r.route)
                .append(" cors=")
                .append(r.kind())
                .append('/')
                .append(r.outcome())
                .append('/')
                .append(r.reason())
                .append(" upstream=");
        if (r.upstreamNanos < 0) {
            line.append('-');
        } else {
            appendMillis(line, r.upstreamNanos);
        }
        if (!json) {
            access.info(line.toString()); // the text layout prints the message only
            return;
        }
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
        event.log(line.toString());
    }

    /** {@code 1.234ms}: milliseconds with three decimals, as {@code %.3fms} would print them. */
    static StringBuilder appendMillis(StringBuilder out, long nanos) {
        long micros = Math.round(nanos / 1000.0);
        long fraction = micros % 1000;
        out.append(micros / 1000).append('.');
        if (fraction < 100) {
            out.append(fraction < 10 ? "00" : "0");
        }
        return out.append(fraction).append("ms");
    }
}
