package dev.preflight.ops;

import static dev.preflight.ops.OpsWire.APP;
import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.cli.Reloader;
import dev.preflight.config.ConfigLoader;
import dev.preflight.config.ConfigWatcher;
import dev.preflight.config.Settings;
import dev.preflight.proxy.ProxyMetrics;
import dev.preflight.proxy.ProxyServer;
import dev.preflight.testing.Await;
import dev.preflight.testing.RawClient;
import dev.preflight.testing.RawResponse;
import dev.preflight.testing.TestBackend;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * O4 under load: the proxy with its real {@link ConfigWatcher} and {@link Reloader}, three clients
 * sending actual requests and preflights back to back on keep-alive connections, and the policy file
 * flipped 20 times between two versions that differ in every CORS header they produce. Every
 * response must be whole and follow exactly one version, never a mix; and a request sent after a
 * reload was applied must follow the new version, until the next change of the file.
 */
@Timeout(180)
class OpsReloadUnderLoadTest {
    private static final int CLIENTS = 3;
    private static final int FLIPS = 20;

    /** The Access-Control-* headers each version gives, by request kind: any other set is a failure. */
    private static final Map<String, List<String>> ACTUAL_A = Map.of(
            "access-control-allow-origin", List.of(APP),
            "access-control-allow-credentials", List.of("true"),
            "access-control-expose-headers", List.of("X-Policy-A"));

    private static final Map<String, List<String>> ACTUAL_B =
            Map.of("access-control-allow-origin", List.of(APP), "access-control-expose-headers", List.of("X-Policy-B"));
    private static final Map<String, List<String>> PREFLIGHT_A = Map.of(
            "access-control-allow-origin", List.of(APP),
            "access-control-allow-credentials", List.of("true"),
            "access-control-allow-methods", List.of("GET, PUT"),
            "access-control-max-age", List.of("100"));
    private static final Map<String, List<String>> PREFLIGHT_B = Map.of(
            "access-control-allow-origin", List.of(APP),
            "access-control-allow-methods", List.of("GET, PATCH"),
            "access-control-max-age", List.of("200"));

    @TempDir
    Path dir;

    private TestBackend backend;
    private PrometheusMeterRegistry registry;
    private ProxyServer proxy;
    private ConfigWatcher watcher;
    private Path file;

    /** One answered request: when it was sent and which version it followed ('A', 'B'). */
    private record Answer(long sentNanos, char version) {}

    /** A reload that was applied: when the file changed, and when the reload counter showed it done. */
    private record Flip(long writtenNanos, long appliedNanos, char version) {}

    private final ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();
    private final List<String> failures = new CopyOnWriteArrayList<>();
    private final AtomicLong latestSent = new AtomicLong(Long.MIN_VALUE);
    private final AtomicBoolean stop = new AtomicBoolean();

    @BeforeEach
    void start() throws Exception {
        backend = TestBackend.start();
        file = Files.writeString(dir.resolve("application.conf"), policy('A'));
        Settings settings = ConfigLoader.load(file, Map.of());
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        proxy = ProxyServer.start(settings, registry);
        Reloader reloader = new Reloader(file, Map.of(), proxy, new ProxyMetrics(registry), settings);
        watcher = ConfigWatcher.start(file, Duration.ofMillis(200), () -> reloader.reload("test"));
    }

    @AfterEach
    void stop() throws Exception {
        stop.set(true);
        try {
            watcher.close();
        } finally {
            try {
                proxy.close();
            } finally {
                backend.close();
                registry.close();
            }
        }
    }

    @Test
    @DisplayName(
            "O4: 20 reloads under continuous load: no failed or malformed response, each follows one version, never a mix")
    void twentyReloadsUnderLoad() throws Exception {
        assertThat(kindAndVersion(probe()))
                .as("the starting policy, as this test expects it")
                .isEqualTo("actual A");

        List<Thread> clients = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            int id = i;
            clients.add(Thread.ofPlatform().name("ops-load-" + i).start(() -> load(id)));
        }
        List<Flip> flips = new ArrayList<>();
        try {
            Await.until("every client got an answer", () -> answers.size() >= CLIENTS);
            for (int i = 1; i <= FLIPS; i++) {
                char version = i % 2 == 1 ? 'B' : 'A';
                long written = System.nanoTime();
                replace(policy(version));
                int expected = i;
                Await.until("reload " + i + " applied", () -> reloads("success") >= expected);
                long applied = System.nanoTime();
                flips.add(new Flip(written, applied, version));
                Await.until(
                        "a request sent after reload " + i + " was answered",
                        () -> latestSent.get() - applied > 0 || !failures.isEmpty());
                assertThat(failures).as("failures so far").isEmpty();
            }
        } finally {
            stop.set(true);
            for (Thread client : clients) {
                client.join(Await.PATIENCE.toMillis());
            }
        }

        assertThat(failures).as("failed or malformed responses").isEmpty();
        assertThat(reloads("success")).as("reloads applied").isEqualTo(FLIPS);
        assertThat(reloads("failure")).as("reloads refused").isZero();
        List<String> stale = new ArrayList<>();
        for (Answer answer : answers) {
            char expected = inForce(answer.sentNanos(), flips);
            if (expected != '?' && answer.version() != expected) {
                stale.add(
                        "sent " + answer.sentNanos() + " ns: followed " + answer.version() + ", expected " + expected);
            }
        }
        assertThat(stale)
                .as("requests sent after a reload was applied (and before the next file change) follow it")
                .isEmpty();
        assertThat(answers.stream().map(Answer::version).distinct()).containsExactlyInAnyOrder('A', 'B');
        assertThat(answers.size()).as("answers during the flips").isGreaterThan(FLIPS * CLIENTS);
    }

    /** The version every request sent at {@code sent} must follow, or '?' while a change is being picked up. */
    private static char inForce(long sent, List<Flip> flips) {
        char version = 'A';
        for (Flip flip : flips) {
            if (sent - flip.writtenNanos() < 0) {
                return version;
            }
            if (sent - flip.appliedNanos() < 0) {
                return '?';
            }
            version = flip.version();
        }
        return version;
    }

    /** A client: actual requests and preflights, alternately, on one keep-alive connection, until told to stop. */
    private void load(int id) {
        RawClient client = null;
        try {
            for (int n = 0; !stop.get(); n++) {
                if (client == null) {
                    client = RawClient.connect(proxy.address());
                }
                boolean preflight = n % 2 == 1;
                String target = "/load/" + id + "/" + n;
                String request = preflight
                        ? OpsWire.preflight(proxy.address().getPort(), target, APP, "GET")
                        : OpsWire.get(proxy.address().getPort(), target, APP);
                long sent = System.nanoTime();
                RawResponse response;
                try {
                    response = client.exchange(request);
                } catch (IOException e) {
                    failures.add("client " + id + ", request " + n + ": " + e);
                    client.close();
                    client = null;
                    continue;
                }
                String problem = check(response, preflight, target);
                if (problem != null) {
                    failures.add("client " + id + ", request " + n + ": " + problem + "\n" + response);
                    continue;
                }
                answers.add(new Answer(
                        sent,
                        kindAndVersion(response).charAt(kindAndVersion(response).length() - 1)));
                latestSent.accumulateAndGet(sent, (a, b) -> b - a > 0 ? b : a);
            }
        } catch (IOException | RuntimeException e) {
            failures.add("client " + id + ": " + e);
        } finally {
            if (client != null) {
                try {
                    client.close();
                } catch (IOException ignored) {
                    // done anyway
                }
            }
        }
    }

    /** Null when {@code response} is whole, right for its request and follows one version; else what is wrong. */
    private static String check(RawResponse response, boolean preflight, String target) {
        if (!response.complete()) {
            return "incomplete response";
        }
        if (response.status() != (preflight ? 204 : 200)) {
            return "status " + response.status();
        }
        if (!preflight && !target.equals(response.header("X-Echo-Uri"))) {
            return "the answer to another request (X-Echo-Uri " + response.header("X-Echo-Uri") + ")";
        }
        String kindAndVersion = kindAndVersion(response);
        if (kindAndVersion == null || !kindAndVersion.startsWith(preflight ? "preflight" : "actual")) {
            return "CORS headers of neither version (a mix?): " + corsHeaders(response);
        }
        return null;
    }

    /** "actual A", "preflight B"..., or null when the CORS headers match no version exactly. */
    private static String kindAndVersion(RawResponse response) {
        Map<String, List<String>> cors = corsHeaders(response);
        if (cors.equals(ACTUAL_A)) {
            return "actual A";
        }
        if (cors.equals(ACTUAL_B)) {
            return "actual B";
        }
        if (cors.equals(PREFLIGHT_A)) {
            return "preflight A";
        }
        if (cors.equals(PREFLIGHT_B)) {
            return "preflight B";
        }
        return null;
    }

    private static Map<String, List<String>> corsHeaders(RawResponse response) {
        Map<String, List<String>> cors = new TreeMap<>();
        for (Map.Entry<String, String> header : response.headers()) {
            String name = header.getKey().toLowerCase(Locale.ROOT);
            if (name.startsWith("access-control-")) {
                cors.computeIfAbsent(name, k -> new ArrayList<>()).add(header.getValue());
            }
        }
        return cors;
    }

    private RawResponse probe() throws IOException {
        try (RawClient client = RawClient.connect(proxy.address())) {
            return client.exchange(OpsWire.get(proxy.address().getPort(), "/probe", APP));
        }
    }

    private String policy(char version) {
        boolean a = version == 'A';
        return """
                preflight {
                  listen { host = "127.0.0.1", port = 0 }
                  admin.enabled = false
                  access-log.enabled = false
                  upstream { url = "%s", connect-timeout = 5s, response-timeout = 20s }
                  limits.header-timeout = 20s
                  cors {
                    allowed-origins = ["%s"]
                    exposed-headers = ["%s"]
                    allow-credentials = %s
                    allowed-methods = ["GET", "%s"]
                    max-age = %s
                  }
                }
                """.formatted(
                backend.url(), APP, a ? "X-Policy-A" : "X-Policy-B", a, a ? "PUT" : "PATCH", a ? "100s" : "200s");
    }

    private void replace(String content) throws IOException {
        Path temp = Files.writeString(dir.resolve(".application.conf.tmp"), content);
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private double reloads(String result) {
        Counter counter =
                registry.find("preflight.config.reloads").tag("result", result).counter();
        return counter == null ? 0 : counter.count();
    }
}
