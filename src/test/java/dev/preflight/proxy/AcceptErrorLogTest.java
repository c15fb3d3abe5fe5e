package dev.preflight.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** O6: a listener's accept errors (EMFILE) are one line a second, not Netty's WARN with a stack trace each. */
class AcceptErrorLogTest {

    @Test
    void oneLineASecondAndNothingPastIt() {
        Logger logger = (Logger) LoggerFactory.getLogger("preflight.accept");
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        logger.addAppender(lines);
        try {
            EmbeddedChannel listener = new EmbeddedChannel(new AcceptErrorLog("the proxy port"));
            for (int i = 0; i < 5; i++) {
                listener.pipeline().fireExceptionCaught(new IOException("Too many open files"));
            }

            listener.checkException(); // nothing reached the end of the pipeline
            assertThat(lines.list)
                    .extracting(ILoggingEvent::getFormattedMessage)
                    .first()
                    .isEqualTo("the proxy port cannot accept a connection: java.io.IOException: Too many open files"
                            + " (tried again in a second)");
            assertThat(lines.list)
                    .as("throttled: not a line for each of the five")
                    .hasSizeLessThan(5);
            assertThat(listener.finish()).isFalse();
        } finally {
            logger.detachAppender(lines);
        }
    }
}
