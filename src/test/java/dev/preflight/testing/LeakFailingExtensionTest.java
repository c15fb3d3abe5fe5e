package dev.preflight.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class LeakFailingExtensionTest {

    private static final String MARKER = "deliberately leaked by LeakFailingExtensionTest";

    @Test
    @DisplayName("Tests run with Netty's leak detector at paranoid")
    void leakDetectionIsParanoid() {
        assertThat(ResourceLeakDetector.getLevel()).isEqualTo(ResourceLeakDetector.Level.PARANOID);
    }

    @Test
    @DisplayName("A buffer that is never released is recorded, so the extension fails its test class")
    void unreleasedBufferIsRecorded() {
        leakABuffer();

        Await.until(
                "Netty reports the deliberately leaked buffer",
                () -> LeakFailingExtension.collectLeaks().stream().anyMatch(leak -> leak.contains(MARKER)));

        // Recorded as it should be; forget it so that this class itself does not fail.
        LeakFailingExtension.forget(leak -> leak.contains(MARKER));
        assertThat(LeakFailingExtension.recordedLeaks()).noneMatch(leak -> leak.contains(MARKER));
    }

    /** In its own frame, so that nothing on the test's stack still references the buffer. */
    private static void leakABuffer() {
        ByteBuf buffer = ByteBufAllocator.DEFAULT.directBuffer(64);
        buffer.writeLong(42);
        buffer.touch(MARKER);
    }
}
