package dev.preflight.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.preflight.config.AdminSettings;
import dev.preflight.config.ConfigLoader;
import dev.preflight.config.ConfigProblem;
import dev.preflight.config.Settings;
import dev.preflight.testing.DateAssertions;
import dev.preflight.testing.JsonReader;
import dev.preflight.testing.RawClient;
import dev.preflight.testing.RawResponse;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin server on port 0 through real sockets (O2): each endpoint's status, content type and
 * body; unknown paths, other methods, HEAD, keep-alive and oversized requests.
 */
@Timeout(60)
class AdminServerTest {
    private static final String JSON = "application/json";
    // Prometheus text format 0.0.4: a sample is name, optional {labels}, value, optional timestamp.
    private static final Pattern SAMPLE = Pattern.compile(
            "([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{((?:[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\[\\\\\"n])*\",?)*)\\})?"
                    + " (\\S+)(?: -?[0-9]+)?");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern TYPE =
            Pattern.compile("# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)");

    @TempDir
    Path dir;

    private final Health health = new Health();
    private final AtomicReference<Settings> settings = new AtomicReference<>();
    private PrometheusMeterRegistry registry;
    private AdminServer server;
    private AdminHttp http;

    @BeforeEach
    void start() throws Exception {
        settings.set(
                ConfigLoader.load(Files.writeString(dir.resolve("application.conf"), AdminFixtures.POLICY), Map.of()));
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        server = AdminServer.start(
                new AdminSettings(true, "127.0.0.1", 0), new AdminContext(registry, health, settings::get));
        http = new AdminHttp(server.address());
    }

    @AfterEach
    void stop() {
        server.close();
        registry.close();
    }

    @Test
    void bindsTheAskedHostOnAFreePort() {
        assertThat(server.address().getAddress().getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(server.address().getPort()).isPositive();
    }

    @Test
    @DisplayName("O2: /metrics is the registry in Prometheus text format 0.0.4, every line parseable")
    void metrics() throws Exception {
        Counter allowed = Counter.builder("preflight.test.requests")
                .description("test requests")
                .tag("route", "default")
                .tag("outcome", "allowed")
                .register(registry);
        Counter rejected = Counter.builder("preflight.test.requests")
                .description("test requests")
                .tag("route", "default")
                .tag("outcome", "rejected")
                .register(registry);
        Gauge.builder("preflight.test.open", () -> 7).register(registry);
        allowed.increment(3);
        rejected.increment();

        HttpResponse<String> response = http.get("/metrics");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        Map<String, Double> samples = parseExposition(response.body());
        assertThat(samples)
                .containsEntry("preflight_test_requests_total{outcome=\"allowed\",route=\"default\"}", 3.0)
                .containsEntry("preflight_test_requests_total{outcome=\"rejected\",route=\"default\"}", 1.0)
                .containsEntry("preflight_test_open", 7.0);
        assertThat(response.body()).contains("# HELP preflight_test_requests_total test requests\n");

        allowed.increment();
        assertThat(parseExposition(http.get("/metrics").body()))
                .containsEntry("preflight_test_requests_total{outcome=\"allowed\",route=\"default\"}", 4.0);
    }

    @Test
    @DisplayName("O2: /health/live is always UP")
    void live() throws Exception {
        HttpResponse<String> response = http.get("/health/live");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue(JSON);
        assertThat(response.body()).isEqualTo("{\"status\":\"UP\"}");
        DateAssertions.assertRecentlyDated(response.headers().allValues("Date"));
    }

    @Test
    @DisplayName("O2/O5: /health/ready is 503 starting, then 200, then 503 draining")
    void readyFollowsTheHealth() throws Exception {
        HttpResponse<String> starting = http.get("/health/ready");
        health.markReady();
        HttpResponse<String> ready = http.get("/health/ready");
        health.markDraining();
        HttpResponse<String> draining = http.get("/health/ready");

        assertThat(starting.statusCode()).isEqualTo(503);
        assertThat(starting.headers().firstValue("content-type")).hasValue(JSON);
        assertThat(starting.body()).isEqualTo("{\"status\":\"DOWN\",\"reason\":\"starting\"}");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.headers().firstValue("content-type")).hasValue(JSON);
        assertThat(ready.body()).isEqualTo("{\"status\":\"UP\"}");
        assertThat(draining.statusCode()).isEqualTo(503);
        assertThat(draining.body()).isEqualTo("{\"status\":\"DOWN\",\"reason\":\"draining\"}");
    }

    @Test
    @DisplayName("O2/O4: after a reload that changed listen, /config names it as not in force until a restart")
    void configNamesWhatOnlyARestartApplies() throws Exception {
        Settings reloaded = ConfigLoader.load(
                Files.writeString(
                        dir.resolve("application.conf"), AdminFixtures.POLICY + "preflight.listen.port = 8181\n"),
                Map.of());
        settings.set(reloaded);

        Map<String, Object> body = JsonReader.object(http.get("/config").body());

        assertThat(body).containsEntry("hash", reloaded.hash());
        assertThat(body.get("restartNeeded")).isEqualTo(List.of("preflight.listen"));
    }

    @Test
    @DisplayName("O2: /config shows the file, its hash, when it was loaded, the effective config and the warnings")
    @SuppressWarnings("unchecked")
    void config() throws Exception {
        Settings current = settings.get();

        HttpResponse<String> response = http.get("/config");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue(JSON);
        Map<String, Object> body = JsonReader.object(response.body());
        assertThat(body).containsOnlyKeys("file", "hash", "loadedAt", "config", "warnings", "restartNeeded");
        assertThat(body.get("restartNeeded")).isEqualTo(List.of());
        assertThat(body)
                .containsEntry(
                        "file", dir.resolve("application.conf").toAbsolutePath().toString())
                .containsEntry("hash", current.hash())
                .containsEntry("loadedAt", current.loadedAt().toString());
        assertThat(body.get("hash")).asString().matches("[0-9a-f]{64}");
        assertThat(current.warnings()).hasSize(1);
        assertThat(body.get("warnings"))
                .isEqualTo(
                        current.warnings().stream().map(ConfigProblem::render).toList());
        Map<String, Object> config = (Map<String, Object>) body.get("config");
        Map<String, Object> cors = (Map<String, Object>) config.get("cors");
        assertThat(((Map<String, Object>) config.get("upstream")).get("url")).isEqualTo("http://127.0.0.1:3000");
        assertThat(cors.get("allowed-origins")).isEqualTo(List.of("https://app.example.com", "null"));
        assertThat(cors.get("max-age")).isEqualTo("10m");
        assertThat((List<Object>) config.get("routes")).hasSize(6);
        // Defaults the file does not mention are part of the effective config.
        assertThat(((Map<String, Object>) config.get("admin")).get("host")).isEqualTo("127.0.0.1");
    }

    @Test
    @DisplayName("O4: /config reads the settings on every request, so a reload shows at once")
    void configFollowsReload() throws Exception {
        String before = (String) JsonReader.object(http.get("/config").body()).get("hash");
        Settings reloaded = AdminFixtures.settings("preflight.upstream.url = \"http://127.0.0.1:5000\"");
        settings.set(reloaded);

        Map<String, Object> after = JsonReader.object(http.get("/config").body());

        assertThat(after.get("hash")).isEqualTo(reloaded.hash()).isNotEqualTo(before);
        assertThat(after).containsEntry("file", null).containsEntry("warnings", List.of());
    }

    @Test
    void unknownPathIs404() throws Exception {
        HttpResponse<String> response = http.get("/nope?x=1");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.headers().firstValue("content-type")).hasValue(JSON);
        assertThat(JsonReader.object(response.body())).containsKey("error");
    }

    @Test
    void otherMethodsAre405WithAllow() throws Exception {
        for (String method : List.of("POST", "PUT", "DELETE", "OPTIONS")) {
            HttpResponse<String> response = http.send(method, "/health/live");

            assertThat(response.statusCode()).as(method).isEqualTo(405);
            assertThat(response.headers().firstValue("allow")).as(method).hasValue("GET, HEAD");
            assertThat(JsonReader.object(response.body())).as(method).containsKey("error");
        }
    }

    @Test
    @DisplayName("HEAD: the headers of GET, Content-Length included, no body")
    void head() throws Exception {
        health.markReady();
        HttpResponse<String> get = http.get("/config");
        HttpResponse<String> head = http.send("HEAD", "/config");

        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.headers().firstValue("content-type")).hasValue(JSON);
        assertThat(head.headers().firstValueAsLong("content-length"))
                .hasValue(get.body().getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
        assertThat(head.body()).isEmpty();

        try (RawClient raw = RawClient.connect(server.address())) {
            RawResponse response = raw.exchange("HEAD /health/ready HTTP/1.1\r\nHost: admin\r\n\r\n");
            RawResponse next = raw.exchange("GET /health/live HTTP/1.1\r\nHost: admin\r\n\r\n");

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.header("Content-Length")).isEqualTo("15");
            assertThat(response.body()).isEmpty();
            assertThat(next.bodyText())
                    .as("no stray body bytes before the next response")
                    .isEqualTo("{\"status\":\"UP\"}");
        }
    }

    @Test
    @DisplayName("keep-alive: several requests on one connection; Connection: close ends it after the response")
    void keepAlive() throws Exception {
        try (RawClient raw = RawClient.connect(server.address())) {
            for (int i = 0; i < 3; i++) {
                RawResponse response = raw.exchange("GET /health/live HTTP/1.1\r\nHost: admin\r\n\r\n");
                assertThat(response.status()).isEqualTo(200);
                assertThat(response.connectionTokens()).doesNotContain("close");
            }
            RawResponse last = raw.exchange("GET /metrics HTTP/1.1\r\nHost: admin\r\nConnection: close\r\n\r\n");

            assertThat(last.status()).isEqualTo(200);
            assertThat(last.connectionTokens()).contains("close");
            assertThat(raw.readUntilClose(Duration.ofSeconds(10)).closedByPeer())
                    .isTrue();
        }
    }

    @Test
    @DisplayName("a request body beyond the admin limit gets 413; the body is discarded, not read as a request")
    void oversizedRequest() throws Exception {
        try (RawClient raw = RawClient.connect(server.address())) {
            RawResponse response =
                    raw.exchange("POST /metrics HTTP/1.1\r\nHost: admin\r\nContent-Length: 20000\r\n\r\n");
            raw.send("GET /nope HTTP/1.1\r\n\r\n".repeat(1000).substring(0, 20000));
            RawResponse next = raw.exchange("GET /health/live HTTP/1.1\r\nHost: admin\r\n\r\n");

            assertThat(response.status()).isEqualTo(413);
            assertThat(next.status()).isEqualTo(200);
        }
    }

    @Test
    void aMalformedRequestGets400AndClose() throws Exception {
        try (RawClient raw = RawClient.connect(server.address())) {
            RawResponse response = raw.exchange("GET /metrics HTTP/1.1\r\nHost: admin\r\nbad header\r\n\r\n");

            assertThat(response.status()).isEqualTo(400);
            assertThat(raw.readUntilClose(Duration.ofSeconds(10)).closedByPeer())
                    .isTrue();
        }
    }

    @Test
    void aPortInUseFailsToStart() {
        AdminSettings taken =
                new AdminSettings(true, "127.0.0.1", server.address().getPort());

        assertThatThrownBy(() -> AdminServer.start(taken, new AdminContext(registry, health, settings::get)))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageStartingWith("cannot listen on 127.0.0.1:" + taken.port() + " (admin): ")
                .hasCauseInstanceOf(IOException.class);
    }

    @Test
    void aPortInUseOnIpv6NamesTheAddressInBrackets() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("::1"))) {
            AdminSettings settings6 = new AdminSettings(true, "::1", taken.getLocalPort());

            assertThatThrownBy(() -> AdminServer.start(settings6, new AdminContext(registry, health, settings::get)))
                    .hasMessageStartingWith("cannot listen on [::1]:" + taken.getLocalPort() + " (admin): ");
        }
    }

    /**
     * Every non-empty line is a {@code # HELP}, a {@code # TYPE} or a sample of a family a {@code #
     * TYPE} declared; returns the samples as {@code name{labels}} (labels sorted) to value.
     */
    private static Map<String, Double> parseExposition(String text) {
        assertThat(text).endsWith("\n");
        Set<String> families = new HashSet<>();
        Map<String, Double> samples = new HashMap<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.startsWith("# HELP ")) {
                continue;
            }
            Matcher type = TYPE.matcher(line);
            if (type.matches()) {
                families.add(type.group(1));
                continue;
            }
            Matcher sample = SAMPLE.matcher(line);
            assertThat(sample.matches()).as("a sample line: %s", line).isTrue();
            String name = sample.group(1);
            assertThat(families.stream().anyMatch(name::startsWith))
                    .as("%s belongs to a declared family", name)
                    .isTrue();
            StringBuilder key = new StringBuilder(name);
            if (sample.group(2) != null) {
                Matcher label = LABEL.matcher(sample.group(2));
                List<String> labels = new java.util.ArrayList<>();
                while (label.find()) {
                    labels.add(label.group(1) + "=\"" + label.group(2) + "\"");
                }
                labels.sort(null);
                key.append('{').append(String.join(",", labels)).append('}');
            }
            String value = sample.group(3);
            samples.put(
                    key.toString(),
                    switch (value) {
                        case "+Inf" -> Double.POSITIVE_INFINITY;
                        case "-Inf" -> Double.NEGATIVE_INFINITY;
                        case "NaN" -> Double.NaN;
                        default -> Double.parseDouble(value);
                    });
        }
        return samples;
    }
}
