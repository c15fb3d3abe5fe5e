package dev.preflight.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;

/** The clients of one {@link SoakTest} run, and what they saw. */
final class SoakTraffic {
    /** Kinds of traffic and how often each is picked, out of {@link #WEIGHT_TOTAL}. */
    static final Map<String, Integer> WEIGHTS = weights(
            "preflight", 14,
            "preflight-refused", 3,
            "get-cors", 15,
            "get-plain", 12,
            "head", 4,
            "http10", 3,
            "post", 10,
            "post-chunked", 6,
            "pipelined", 8,
            "too-large", 2,
            "backend-reset", 4,
            "backend-timeout", 2,
            "cut-mid-body", 2,
            "abort-download", 6,
            "abort-upload", 5,
            "gone-while-waiting", 4);

    static final int WEIGHT_TOTAL =
            WEIGHTS.values().stream().mapToInt(Integer::intValue).sum();

    private static Map<String, Integer> weights(Object... kindsAndWeights) {
        Map<String, Integer> weights = new LinkedHashMap<>();
        for (int i = 0; i < kindsAndWeights.length; i += 2) {
            weights.put((String) kindsAndWeights[i], (Integer) kindsAndWeights[i + 1]);
        }
        return weights;
    }

    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    private final LongAdder failureCount = new LongAdder();

    static SoakTraffic run(BackendFaultProxy proxy, Duration duration, int clientCount, long seed) throws Exception {
        SoakTraffic traffic = new SoakTraffic();
        long deadline = System.nanoTime() + duration.toNanos();
        ExecutorService pool = Executors.newFixedThreadPool(clientCount);
        try {
            List<Future<?>> clients = new ArrayList<>();
            for (int i = 0; i < clientCount; i++) {
                SoakClient client = new SoakClient(proxy, traffic, new SplittableRandom(seed * 1000 + i));
                clients.add(pool.submit(() -> client.runUntil(deadline)));
            }
            for (Future<?> client : clients) {
                try {
                    // Each request is bounded by the client's 20 s socket timeout.
                    client.get(duration.toSeconds() + 60, TimeUnit.SECONDS);
                } catch (TimeoutException e) {
                    throw new AssertionError("a soak client hung", e);
                }
            }
        } finally {
            pool.shutdownNow();
        }
        return traffic;
    }

    void count(String kind) {
        counts.computeIfAbsent(kind, k -> new LongAdder()).increment();
    }

    void fail(String kind, String what) {
        failureCount.increment();
        if (failures.size() < 20) {
            failures.add(kind + ": " + what);
        }
    }

    long total() {
        return counts.values().stream().mapToLong(LongAdder::sum).sum();
    }

    Map<String, Long> counts() {
        return counts.entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().sum(), (a, b) -> a, TreeMap::new));
    }

    void assertClean() {
        assertThat(failureCount.sum())
                .as("unexpected outcomes (first ones):\n%s", String.join("\n", failures))
                .isZero();
    }
}
