package dev.preflight;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.ResourceLeakDetector;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The shipped process pays for Netty's leak detector only when asked to (issue 7). */
class MainLeakDetectorTest {
    private static final String PROPERTY = "io.netty.leakDetection.level";

    @Test
    void anExplicitLevelIsKept() {
        // The test JVM runs with -Dio.netty.leakDetection.level=paranoid (pom.xml).
        assertThat(System.getProperty(PROPERTY)).isEqualTo("paranoid");

        Main.quietLeakDetector();

        assertThat(System.getProperty(PROPERTY)).isEqualTo("paranoid");
        assertThat(ResourceLeakDetector.getLevel()).isEqualTo(ResourceLeakDetector.Level.PARANOID);
    }

    @Test
    void withoutOneTheDetectorIsOffInAFreshJvm() throws Exception {
        // Netty reads the property once, when the detector's class loads: only a JVM of its own shows it.
        assertThat(levelInAFreshJvm()).isEqualTo("DISABLED");
    }

    @Test
    void theOldPropertyNameCountsAsAsking() throws Exception {
        assertThat(levelInAFreshJvm("-Dio.netty.leakDetectionLevel=advanced")).isEqualTo("ADVANCED");
    }

    private static String levelInAFreshJvm(String... properties) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElseThrow());
        command.addAll(List.of(properties));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Probe.class.getName()));
        Process probe = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertThat(probe.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(probe.exitValue()).as(out).isZero();
        return out.lines().reduce((first, last) -> last).orElse("");
    }

    /** Does what {@link Main#main} does first, then prints the level Netty ended up with. */
    static final class Probe {
        public static void main(String[] args) {
            Main.quietLeakDetector();
            System.out.println(ResourceLeakDetector.getLevel());
        }
    }
}
