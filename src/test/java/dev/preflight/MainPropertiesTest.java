package dev.preflight;

import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.testing.FreshJvm;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.io.IOException;
import java.util.TimeZone;
import org.junit.jupiter.api.Test;

/**
 * What {@link Main} sets before anything else (issue 7): Netty's leak detector off unless asked for,
 * its pooled allocator with 1 MiB chunks unless another is named, the default zone UTC unless told.
 * All are read once per JVM, so a JVM of its own shows the effect.
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
        assertThat(inAFreshJvm()).isEqualTo("DISABLED");
    }

    @Test
    void theOldPropertyNameCountsAsAsking() throws Exception {
        assertThat(inAFreshJvm("-Dio.netty.leakDetectionLevel=advanced")).isEqualTo("ADVANCED");
    }

    @Test
    void theDefaultZoneIsUtcUnlessTold() throws Exception {
        assertThat(inAFreshJvm("-Dprobe=zone")).isEqualTo("UTC 0");
        assertThat(inAFreshJvm("-Dprobe=zone", "-Duser.timezone=America/New_York"))
                .isEqualTo("America/New_York -18000000");
    }

    @Test
    void buffersComeFromThePooledAllocatorWithSmallChunksUnlessTold() throws Exception {
        assertThat(inAFreshJvm("-Dprobe=allocator")).isEqualTo("PooledByteBufAllocator chunk=1048576 heapArenas=0");
        assertThat(inAFreshJvm("-Dprobe=allocator", "-Dio.netty.allocator.maxOrder=9"))
                .isEqualTo("PooledByteBufAllocator chunk=4194304 heapArenas=0");
        assertThat(inAFreshJvm("-Dprobe=allocator", "-Dio.netty.allocator.type=adaptive"))
                .isEqualTo("AdaptiveByteBufAllocator");
    }

    /** The level of Netty's leak detector, the allocator or the default zone, as a JVM of its own saw them. */
    private static String inAFreshJvm(String... properties) throws IOException, InterruptedException {
        return FreshJvm.run(Probe.class, properties)
                .strip()
                .lines()
                .reduce((first, last) -> last)
                .orElse("");
    }

    /** Does what {@link Main#main} does first, then prints the level Netty ended up with. */
    static final class Probe {
        public static void main(String[] args) {
            Main.quietLeakDetector();
            Main.pooledBuffersUnlessTold();
            Main.utcUnlessTold();
            if ("allocator".equals(System.getProperty("probe"))) {
                System.out.println(
                        ByteBufAllocator.DEFAULT instanceof PooledByteBufAllocator pooled
                                ? "PooledByteBufAllocator chunk="
                                        + pooled.metric().chunkSize() + " heapArenas="
                                        + pooled.metric().numHeapArenas()
                                : ByteBufAllocator.DEFAULT.getClass().getSimpleName());
            } else if ("zone".equals(System.getProperty("probe"))) {
                TimeZone zone = TimeZone.getDefault();
                System.out.println(zone.getID() + " " + zone.getRawOffset());
            } else {
                System.out.println(ResourceLeakDetector.getLevel());
            }
        }
    }
}
