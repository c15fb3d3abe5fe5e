package dev.preflight.proxy;

import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Log lines about traffic (refused CORS requests, report-only disagreements, failed upstream
 * connects), at most {@code perSecond} a second per instance, whatever thread logs, so a flood cannot
 * fill the disk; what was held back is counted and reported on the next line that gets through.
 */
public final class ThrottledLog {
    private final Logger log;
    private final Level level;
    private final int perSecond;
    private final AtomicLong window = new AtomicLong();
    private final AtomicLong inWindow = new AtomicLong();
    private final AtomicLong suppressed = new AtomicLong();

    public ThrottledLog(String logger, Level level, int perSecond) {
        this.log = LoggerFactory.getLogger(logger);
        this.level = level;
        this.perSecond = perSecond;
    }

    public void log(String message, Object... args) {
        if (!log.isEnabledForLevel(level)) {
            return;
        }
        long second = System.nanoTime() / 1_000_000_000L;
        long current = window.get();
        if (current != second && window.compareAndSet(current, second)) {
            inWindow.set(0);
        }
        if (inWindow.incrementAndGet() > perSecond) {
            suppressed.incrementAndGet();
            return;
        }
        long held = suppressed.getAndSet(0);
        if (held > 0) {
            log.atLevel(level).log("({} similar lines suppressed)", held);
        }
        log.atLevel(level).log(message, printable(args));
    }

    /** Longer text arguments are cut to this many characters, the rest counted. */
    static final int MAX_ARGUMENT = 256;

    /**
     * The text arguments as printable ASCII, escaped as the access log escapes a path, and cut at
     * {@link #MAX_ARGUMENT}: they carry what clients sent (an Origin, a requested header list, a path),
     * which may hold quotes, tabs and up to a header's 16 KB (found by probing).
     */
    static Object[] printable(Object[] args) {
        Object[] out = args;
        for (int i = 0; i < args.length; i++) {
            // Any text, an HttpMethod's too: a method is a token, but one as long as the request line.
            if (args[i] != null && !(args[i] instanceof Number) && !(args[i] instanceof Throwable)) {
                String text = args[i].toString();
                String cut = text.length() > MAX_ARGUMENT
                        ? text.substring(0, MAX_ARGUMENT) + "...(" + (text.length() - MAX_ARGUMENT) + " more)"
                        : text;
                String escaped = AccessLogEntry.appendEscaped(new StringBuilder(cut.length()), cut)
                        .toString();
                if (!escaped.equals(text) || !(args[i] instanceof String)) {
                    out = out == args ? args.clone() : out;
                    out[i] = escaped;
                }
            }
        }
        return out;
    }
}
