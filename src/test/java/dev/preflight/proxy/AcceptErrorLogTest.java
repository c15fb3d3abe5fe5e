package dev.preflight.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.testing.LogCapture;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** O6: a listener's accept errors (EMFILE) are one line a second, not Netty's WARN with a stack trace each. */
class AcceptErrorLogTest {

    @Test
    void oneLineASecondAndNothingPastIt() {
        try (LogCapture lines = LogCapture.of("preflight.accept")) {
            EmbeddedChannel listener = new EmbeddedChannel(new AcceptErrorLog("the proxy port"));
            for (int i = 0; i < 5; i++) {
                listener.pipeline().fireExceptionCaught(new IOException("Too many open files"));
            }

            listener.checkException(); // nothing reached the end of the pipeline
            assertThat(lines.messages())
                    .first()
                    .isEqualTo("the proxy port cannot accept a connection: java.io.IOException: Too many open files"
                            + " (tried again in a second)");
            assertThat(lines.messages())
                    .as("throttled: not a line for each of the five")
                    .hasSizeLessThan(5);
            assertThat(listener.finish()).isFalse();
        }
    }
}
