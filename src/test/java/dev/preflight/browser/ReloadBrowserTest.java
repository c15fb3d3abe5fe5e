package dev.preflight.browser;

import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.cli.Reloader;
import dev.preflight.config.ConfigLoader;
import dev.preflight.config.ConfigWatcher;
import dev.preflight.proxy.ProxyMetrics;
import dev.preflight.proxy.ProxyServer;
import dev.preflight.testing.Await;
import dev.preflight.testing.Behaviour;
import dev.preflight.testing.TestBackend;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * O4 in a real browser: the same page calls the API twice, and the config file is edited in between;
 * the running proxy (its file watcher and reloader, as {@code run} wires them) applies the new policy
 * and the browser's second call follows it.
 */
class ReloadBrowserTest {
    private static final String PAGE = "<!doctype html><link rel=\"icon\" href=\"data:,\"><title>app</title>";

    @TempDir
    static Path dir;

    private static Chromium chromium;
    private static TestBackend pages;
    private static TestBackend backend;
    private static ProxyServer proxy;
    private static ConfigWatcher watcher;
    private static SimpleMeterRegistry registry;
    private static Path config;

    @BeforeAll
    static void start() throws Exception {
        Chromium.unavailable().ifPresent(reason -> {
            System.err.println(ReloadBrowserTest.class.getSimpleName() + ": " + reason);
            Assumptions.abort(reason);
        });
        pages = TestBackend.start().on("/", Behaviour.respond(200, PAGE, "Content-Type", "text/html; charset=utf-8"));
        backend = TestBackend.start().on("/", Behaviour.respond(200, "from the backend", "Content-Type", "text/plain"));
        config = dir.resolve("application.conf");
        Files.writeString(config, policy(app()));
        var settings = ConfigLoader.load(config, Map.of());
        registry = new SimpleMeterRegistry();
        proxy = ProxyServer.start(settings, registry);
        Reloader reloader = new Reloader(config, Map.of(), proxy, new ProxyMetrics(registry), settings);
        watcher = ConfigWatcher.start(config, Duration.ofMillis(200), () -> reloader.reload("file change"));
        chromium = Chromium.start(Path.of("target", "browser", "reload-chromedriver.log"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (chromium != null) {
            chromium.close();
        }
        if (watcher != null) {
            watcher.close();
        }
        if (proxy != null) {
            proxy.close();
        }
        if (backend != null) {
            backend.close();
        }
        if (pages != null) {
            pages.close();
        }
    }

    @Test
    @DisplayName("O4/C8/C9: allowed before the config file changes, refused by the browser after it")
    void policyChangedBetweenTwoCalls() throws Exception {
        chromium.open(app() + "/app");
        assertThat(call()).containsEntry("status", 200L).containsEntry("body", "from the backend");

        Files.writeString(config, policy("http://someone-else.example.test"));
        Await.until(
                "the reload is applied",
                Duration.ofSeconds(10),
                () -> registry.find(ProxyMetrics.CONFIG_RELOADS)
                                        .tag("result", "success")
                                        .counter()
                                != null
                        && registry.find(ProxyMetrics.CONFIG_RELOADS)
                                        .tag("result", "success")
                                        .counter()
                                        .count()
                                >= 1);

        Map<String, Object> second = call();
        assertThat(second).containsKey("error");
        assertThat(String.valueOf(second.get("error"))).contains("TypeError");
        // Both calls reached the backend (simple GETs are forwarded either way); only the page's view changed.
        Await.until(
                "both calls reached the backend",
                () -> backend.requestsTo("/data.json").size() == 2);
    }

    private static Map<String, Object> call() {
        return chromium.run("""
                const done = arguments[arguments.length - 1];
                fetch(arguments[0] + '/data.json', {cache: 'no-store'})
                  .then(async r => done({status: r.status, body: await r.text()}),
                        e => done({error: String(e)}));
                """, "http://api.example.test:" + proxy.address().getPort());
    }

    private static String policy(String origin) {
        return """
                preflight {
                  listen { host = "127.0.0.1", port = 0 }
                  admin.enabled = false
                  upstream.url = "%s"
                  cors.allowed-origins = ["%s"]
                }
                """.formatted(backend.url(), origin);
    }

    private static String app() {
        return "http://app.example.test:" + pages.port();
    }
}
