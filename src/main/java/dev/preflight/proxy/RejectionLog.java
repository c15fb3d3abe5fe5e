package dev.preflight.proxy;

import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * INFO lines for refused CORS requests and report-only disagreements, at most {@code perSecond} a
 * second across the process, so a flood cannot fill the disk; what was held back is counted and
 * reported on the next line that gets through.
 */
final class RejectionLog {
    private static final Logger log = LoggerFactory.getLogger("preflight.cors");

    private final int perSecond;
    private final AtomicLong window = new AtomicLong();
    private final AtomicLong inWindow = new AtomicLong();
    private final AtomicLong suppressed = new AtomicLong();

    RejectionLog(int perSecond) {
        this.perSecond = perSecond;
    }

    void log(String message, Object... args) {
        if (!log.isInfoEnabled()) {
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
            log.info("({} similar lines suppressed)", held);
        }
        log.info(message, args);
    }
}
