package dev.preflight.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.testing.Await;
import dev.preflight.testing.LeakFailingExtension;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.util.internal.PlatformDependent;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Locale;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Soak: a bounded run of mixed traffic through the real proxy, with Netty's leak detector at
 * paranoid. Several clients, each on its own keep-alive connection, pick at random among
 * preflights (allowed and refused), actual requests with and without {@code Origin}, uploads
 * (Content-Length and chunked), pipelined requests, HEAD and HTTP/1.0, oversized bodies (413), a
 * backend that resets (502) or never answers (504), responses cut mid-body, and clients that leave
 * mid-download, mid-upload or while the backend works. Every answer must be the one the rules
 * promise; afterwards there must be no leak, and the proxy's memory must be back where it was after
 * a warm-up: the allocator's direct memory, and the heap after a collection.
 *
 * <p>The run lasts 60 s by default (about 80 s with the warm-up), short enough for every build. For
 * the benchmark, run it longer: {@code ./mvnw test -Dtest=SoakTest -Dpreflight.soak.duration=PT10M}
 * ({@code -Dpreflight.soak.clients=8} for more clients).
 */
class SoakTest {

    private static final Duration DURATION = Duration.parse(System.getProperty("preflight.soak.duration", "PT60S"));
    private static final int CLIENTS = Integer.getInteger("preflight.soak.clients", 4);
    private static final Duration WARM_UP = DURATION.dividedBy(6).compareTo(Duration.ofSeconds(10)) < 0
            ? DURATION.dividedBy(6)
            : Duration.ofSeconds(10);

    /** Retained allocator memory may differ by a few chunks between two quiet moments; a leak grows with traffic. */
    private static final long DIRECT_SLACK = 8L * 1024 * 1024;

    private static final long HEAP_SLACK = 16L * 1024 * 1024;

    @Test
    @DisplayName(
            "Soak: mixed traffic with errors and aborted connections: expected statuses only, no leak, memory back to where it started")
    void soak() throws Exception {
        try (SoakBackend backend = SoakBackend.start();
                BackendFaultProxy proxy = BackendFaultProxy.inFrontOf(
                        backend.url(),
                        "response-timeout = 300ms",
                        "access-log.enabled = false",
                        "limits.max-body-size = 1m",
                        "upstream.response-timeout = 10s",
                        "cors.allowed-origins = [\"" + SoakClient.ORIGIN + "\"]",
                        "cors.allowed-methods = [\"GET\", \"POST\", \"PUT\"]",
                        "cors.allowed-headers = [\"Content-Type\"]")) {
            SoakTraffic warmUp = SoakTraffic.run(proxy, WARM_UP, CLIENTS, 1);
            warmUp.assertClean();
            Memory before = Memory.settled(proxy);

            SoakTraffic soak = SoakTraffic.run(proxy, DURATION, CLIENTS, 2);
            Memory after = Memory.settled(proxy);

            System.out.printf(
                    Locale.ROOT,
                    "soak: %s, %d clients, %d requests (%.0f/s)%n  by kind: %s%n  memory before: %s%n  memory after:  %s%n",
                    DURATION,
                    CLIENTS,
                    soak.total(),
                    soak.total() / (DURATION.toMillis() / 1000.0),
                    soak.counts(),
                    before,
                    after);
            soak.assertClean();
            assertThat(soak.counts().keySet())
                    .as("every kind of traffic ran")
                    .containsAll(SoakTraffic.WEIGHTS.keySet());
            assertThat(LeakFailingExtension.collectLeaks())
                    .as("Netty leak reports")
                    .isEmpty();
            assertThat(after.allocatorDirect())
                    .as("allocator direct memory after the soak (before: %s)", mib(before.allocatorDirect()))
                    .isLessThanOrEqualTo(before.allocatorDirect() + DIRECT_SLACK);
            if (before.nettyDirect() >= 0) {
                assertThat(after.nettyDirect())
                        .as("Netty-counted direct memory after the soak (before: %s)", mib(before.nettyDirect()))
                        .isLessThanOrEqualTo(before.nettyDirect() + DIRECT_SLACK);
            }
            assertThat(after.heapUsed())
                    .as("heap used after a collection (before: %s)", mib(before.heapUsed()))
                    .isLessThanOrEqualTo(before.heapUsed() + HEAP_SLACK);
        }
    }

    /** Memory at a quiet moment: no client, no upstream connection lent, garbage collected. */
    record Memory(long heapUsed, long allocatorDirect, long allocatorHeap, long nettyDirect) {
        static Memory settled(BackendFaultProxy proxy) {
            Await.until("no client connection left", () -> proxy.clientConnections() == 0);
            proxy.awaitUpstreamQuiet();
            for (int i = 0; i < 3; i++) {
                System.gc();
            }
            ByteBufAllocatorMetric allocator = ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT).metric();
            return new Memory(
                    ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(),
                    allocator.usedDirectMemory(),
                    allocator.usedHeapMemory(),
                    PlatformDependent.usedDirectMemory());
        }

        @Override
        public String toString() {
            return "heap " + mib(heapUsed) + ", allocator direct " + mib(allocatorDirect) + ", allocator heap "
                    + mib(allocatorHeap) + ", netty direct " + (nettyDirect < 0 ? "n/a" : mib(nettyDirect));
        }
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }
}
