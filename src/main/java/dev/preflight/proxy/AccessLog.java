package dev.preflight.proxy;

import dev.preflight.config.AccessLogSettings;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * One line per request (O6). Text lines go to the writer {@code run} gives the proxy, which takes
 * them off the event loop and formats and writes them in batches (see {@code AccessLineWriter});
 * without one (a proxy started in code) they go to the {@code preflight.access} logger. JSON
 * lines always go to that logger, the message plus the same facts as key-value pairs, which
 * Logback's JSON encoder writes as fields; its appender is asynchronous and drops rather than
 * blocks when full (see {@code LogSetup}).
 */
final class AccessLog {
    static final String LOGGER = "preflight.access";
    private static final Logger access = LoggerFactory.getLogger(LOGGER);

    private final boolean enabled;
    private final boolean json;
    private final Consumer<AccessLogEntry> textLines;

    /** @param textLines where text lines go, or null for the {@code preflight.access} logger */
    AccessLog(AccessLogSettings settings, Consumer<AccessLogEntry> textLines) {
        this.enabled = settings.enabled();
        // Fixed for the process's life: a change of format takes a restart (LogSetup, Reloader).
        this.json = settings.format() == AccessLogSettings.Format.JSON;
        this.textLines = json ? null : textLines;
    }

    void log(RequestRecord r) {
        if (!enabled || (textLines == null && !access.isInfoEnabled())) {
            return;
        }
        AccessLogEntry entry = AccessLogEntry.of(r);
        if (textLines != null) {
            textLines.accept(entry);
            return;
        }
        String message = entry.appendMessage(new StringBuilder(160)).toString();
        if (!json) {
            access.info(message);
            return;
        }
        LoggingEventBuilder event = access.atInfo()
                .addKeyValue("client", entry.client())
                .addKeyValue("method", entry.method())
                .addKeyValue("path", entry.escapedPath())
                .addKeyValue("status", entry.status())
                .addKeyValue("bytes_in", entry.bytesIn())
                .addKeyValue("bytes_out", entry.bytesOut())
                .addKeyValue("duration_ms", entry.durationNanos() / 1e6)
                .addKeyValue("route", entry.route())
                .addKeyValue("cors_kind", entry.corsKind())
                .addKeyValue("cors_outcome", entry.corsOutcome())
                .addKeyValue("cors_reason", entry.corsReason());
        // Absent facts are left out rather than written as the string "null".
        if (entry.corsWouldBe() != null) {
            event = event.addKeyValue(
                            "cors_would_kind", entry.corsWouldBe().kind().tag())
                    .addKeyValue(
                            "cors_would_outcome", entry.corsWouldBe().outcome().tag())
                    .addKeyValue(
                            "cors_would_reason", entry.corsWouldBe().reason().tag());
            if (entry.corsCompared() != null) {
                event = event.addKeyValue("cors_compared", entry.corsCompared());
            }
        }
        if (entry.upstreamNanos() >= 0) {
            event = event.addKeyValue("upstream_ms", entry.upstreamNanos() / 1e6);
        }
        if (entry.upstreamError() != null) {
            event = event.addKeyValue("upstream_error", entry.upstreamError());
        }
        event.log(message);
    }
}
