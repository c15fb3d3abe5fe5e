package dev.preflight;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.Test;

/** The shipped process pays for Netty's leak detector only when asked to (issue 7). */
class MainLeakDetectorTest {
    private static final String PROPERTY = "io.netty.leakDetection.level";

    @Test
    void anExplicitLevelIsKept() {
        // The test JVM runs with -Dio.netty.leakDetection.level=paranoid (pom.xml).
        assertThat(System.getProperty(PROPERTY)).isNotNull();
        ResourceLeakDetector.Level before = ResourceLeakDetector.getLevel();

        Main.quietLeakDetector();

        assertThat(ResourceLeakDetector.getLevel()).isEqualTo(before);
    }

    @Test
    void withoutOneTheDetectorIsOff() {
        String property = System.clearProperty(PROPERTY);
        ResourceLeakDetector.Level before = ResourceLeakDetector.getLevel();
        try {
            Main.quietLeakDetector();

            assertThat(ResourceLeakDetector.getLevel()).isEqualTo(ResourceLeakDetector.Level.DISABLED);
        } finally {
            ResourceLeakDetector.setLevel(before);
            if (property != null) {
                System.setProperty(PROPERTY, property);
            }
        }
    }
}
