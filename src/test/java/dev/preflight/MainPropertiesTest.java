package dev.preflight;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.ResourceLeakDetector;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * What {@link Main} sets before anything else (issue 7): Netty's leak detector off unless asked for,
 * SLF4J told its provider. Netty and SLF4J read these once, so a JVM of its own shows their effect.
 */
class MainPropertiesTest {
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
        assertThat(inAFreshJvm()).startsWith("DISABLED ");
    }

    @Test
    void theOldPropertyNameCountsAsAsking() throws Exception {
        assertThat(inAFreshJvm("-Dio.netty.leakDetectionLevel=advanced")).startsWith("ADVANCED ");
    }

    @Test
    void slf4jIsToldItsProviderAndLogsThroughLogback() throws Exception {
        assertThat(inAFreshJvm())
                .endsWith(" ch.qos.logback.classic.spi.LogbackServiceProvider ch.qos.logback.classic.LoggerContext");
    }

    @Test
    void aProviderGivenOnTheCommandLineIsKept() throws Exception {
        assertThat(inAFreshJvm("-Dslf4j.provider=org.example.Elsewhere")).contains(" org.example.Elsewhere ");
    }

    /** "LEVEL PROVIDER_PROPERTY LOGGER_FACTORY" as the probe JVM saw them. */
    private static String inAFreshJvm(String... properties) throws IOException, InterruptedException {
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

    /** Does what {@link Main#main} does first, then prints what Netty and SLF4J ended up with. */
    static final class Probe {
        public static void main(String[] args) {
            Main.quietLeakDetector();
            Main.nameTheLogProvider();
            String provider = System.getProperty("slf4j.provider");
            if (!provider.startsWith("org.example")) {
                System.out.println(ResourceLeakDetector.getLevel() + " " + provider + " "
                        + LoggerFactory.getILoggerFactory().getClass().getName());
            } else {
                // An unknown provider: SLF4J would complain on stderr and look for one itself.
                System.out.println(ResourceLeakDetector.getLevel() + " " + provider + " -");
            }
        }
    }
}
