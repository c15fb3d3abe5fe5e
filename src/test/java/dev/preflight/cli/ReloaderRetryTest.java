package dev.preflight.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.config.ConfigLoader;
import dev.preflight.config.Settings;
import dev.preflight.proxy.ProxyMetrics;
import dev.preflight.proxy.ProxyServer;
import dev.preflight.testing.Await;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * O4: a reload that could not read the file at all (no descriptor left, the file missing while it is
 * replaced) reads it again until it can: nothing else may ever trigger another reload, and the valid
 * policy on disk would not be in force (found by probing, under EMFILE). A file that cannot be read
 * is made here by putting a directory in its place, which {@link ConfigLoader} refuses the same way.
 */
@Timeout(60)
class ReloaderRetryTest {
    private static final String POLICY = """
            preflight {
              listen { host = "127.0.0.1", port = 0 }
              admin.enabled = false
              reload.watch = false
              upstream.url = "http://127.0.0.1:9"
              cors.allowed-origins = ["%s"]
            }
            """;

    @TempDir
    Path dir;

    @Test
    @DisplayName("O4: an unreadable file is read again until it can be, counted as one refused reload")
    void anUnreadableFileIsReadAgain() throws Exception {
        Path file = Files.writeString(dir.resolve("application.conf"), POLICY.formatted("https://a.example"));
        Settings initial = ConfigLoader.load(file, Map.of());
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ProxyMetrics metrics = new ProxyMetrics(registry);
        ProxyServer proxy = ProxyServer.start(initial, metrics);
        try {
            Reloader reloader = new Reloader(file, Map.of(), proxy, metrics, initial);
            Files.delete(file);
            Files.createDirectory(file);

            reloader.reload("test");

            assertThat(reloader.current()).isSameAs(initial);
            Files.delete(file);
            Files.writeString(file, POLICY.formatted("https://b.example"));
            Await.until("the file is read again and applied", () -> reloader.current() != initial);
            assertThat(reloader.current().cors().allowedOrigins()).containsExactly("https://b.example");
            assertThat(reloads(registry, "failure")).as("refused reloads").isEqualTo(1);
            assertThat(reloads(registry, "success")).as("applied reloads").isEqualTo(1);
        } finally {
            proxy.close();
        }
    }

    @Test
    @DisplayName("O4: a file change elsewhere in the directory does not refuse the same invalid file again; a"
            + " SIGHUP, or the file edited, does")
    void theSameRefusalIsCountedOnce() throws Exception {
        Path file = Files.writeString(dir.resolve("application.conf"), POLICY.formatted("https://a.example"));
        Settings initial = ConfigLoader.load(file, Map.of());
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ProxyMetrics metrics = new ProxyMetrics(registry);
        ProxyServer proxy = ProxyServer.start(initial, metrics);
        try {
            Reloader reloader = new Reloader(file, Map.of(), proxy, metrics, initial);
            Files.writeString(file, POLICY.formatted("https://a.example/"));

            reloader.reload(Reloader.FILE_CHANGE);
            reloader.reload(Reloader.FILE_CHANGE); // an editor's swap file beside it, say
            assertThat(reloads(registry, "failure"))
                    .as("refusals of one invalid file")
                    .isEqualTo(1);

            reloader.reload("SIGHUP");
            assertThat(reloads(registry, "failure")).as("asked for by a signal").isEqualTo(2);

            Files.writeString(file, POLICY.formatted("https://a.example/") + "\n# edited, still invalid\n");
            reloader.reload(Reloader.FILE_CHANGE);
            assertThat(reloads(registry, "failure")).as("the file edited").isEqualTo(3);
            assertThat(reloader.current()).isSameAs(initial);
        } finally {
            proxy.close();
        }
    }

    private static double reloads(SimpleMeterRegistry registry, String result) {
        Counter counter =
                registry.find(ProxyMetrics.CONFIG_RELOADS).tag("result", result).counter();
        return counter == null ? 0 : counter.count();
    }
}
