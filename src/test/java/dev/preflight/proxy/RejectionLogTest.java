package dev.preflight.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Rejections are logged at INFO, but a flood cannot fill the disk. */
class RejectionLogTest {
    private final Logger logger = (Logger) LoggerFactory.getLogger("preflight.cors");
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();

    @BeforeEach
    void capture() {
        lines.start();
        logger.addAppender(lines);
    }

    @AfterEach
    void release() {
        logger.detachAppender(lines);
    }

    @Test
    @DisplayName("C6: 1000 rejections in a burst log at most a few lines a second")
    void flood() {
        RejectionLog log = new RejectionLog(10);
        long start = System.nanoTime();
        for (int i = 0; i < 1000; i++) {
            log.log("refused {}", i);
        }
        long seconds = (System.nanoTime() - start) / 1_000_000_000L + 1;

        assertThat(lines.list).allMatch(e -> e.getLevel() == ch.qos.logback.classic.Level.INFO);
        // 10 lines per one-second window, plus one "suppressed" note per window after the first.
        assertThat(lines.list.size()).isBetween(10, (int) (seconds + 1) * 11);
        assertThat(lines.list.getFirst().getFormattedMessage()).isEqualTo("refused 0");
    }
}
