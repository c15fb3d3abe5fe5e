package dev.preflight.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.testing.LogCapture;
import io.netty.handler.codec.http.HttpMethod;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

/** Lines about traffic are logged at their level, but a flood cannot fill the disk. */
class ThrottledLogTest {
    private LogCapture lines;

    @BeforeEach
    void capture() {
        lines = LogCapture.of("preflight.cors");
    }

    @AfterEach
    void release() {
        lines.close();
    }

    @Test
    @DisplayName("C6: 1000 rejections in a burst log at most a few lines a second")
    void flood() {
        ThrottledLog log = new ThrottledLog("preflight.cors", Level.INFO, 10);
        long start = System.nanoTime();
        for (int i = 0; i < 1000; i++) {
            log.log("refused {}", i);
        }
        long seconds = (System.nanoTime() - start) / 1_000_000_000L + 1;

        assertThat(lines.events()).allMatch(e -> e.getLevel() == ch.qos.logback.classic.Level.INFO);
        // 10 lines per one-second window, plus one "suppressed" note per window after the first.
        assertThat(lines.size()).isBetween(10, (int) (seconds + 1) * 11);
        assertThat(lines.messages().getFirst()).isEqualTo("refused 0");
    }

    @Test
    @DisplayName("O6: a line goes out at the level it was made for, and not when that level is off")
    void level() {
        new ThrottledLog("preflight.cors", Level.WARN, 10).log("upstream {} down", "x");
        new ThrottledLog("preflight.cors", Level.TRACE, 10).log("not logged");

        assertThat(lines.events()).singleElement().satisfies(e -> {
            assertThat(e.getLevel()).isEqualTo(ch.qos.logback.classic.Level.WARN);
            assertThat(e.getFormattedMessage()).isEqualTo("upstream x down");
        });
    }

    @Test
    @DisplayName("O6: what a client sent is logged printable and cut: quotes, tabs and backslashes as \\xHH,"
            + " past 256 characters counted, not written (found by probing)")
    void clientTextIsPrintableAndCut() {
        ThrottledLog log = new ThrottledLog("preflight.cors", Level.INFO, 10);

        log.log("refused {} from {} on {}", "P\tUT", "https://a\"b\\c.example", "x".repeat(300));
        log.log("refused {} ({} times)", HttpMethod.valueOf("X".repeat(300)), 3);

        assertThat(lines.messages())
                .containsExactly(
                        "refused P\\x09UT from https://a\\x22b\\x5Cc.example on " + "x".repeat(256) + "...(44 more)",
                        "refused " + "X".repeat(256) + "...(44 more) (3 times)");
    }
}
