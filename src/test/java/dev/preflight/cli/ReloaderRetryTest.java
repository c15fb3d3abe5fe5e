package dev.preflight.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.config.ConfigLoader;
import dev.preflight.config.ConfigSources;
import dev.preflight.config.Settings;
import dev.preflight.proxy.ProxyMetrics;
import dev.preflight.proxy.ProxyServer;
import dev.preflight.testing.Await;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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

    private static final Map<String, String> UPSTREAM_FROM_ENV = Map.of("PREFLIGHT_UPSTREAM_URL", "http://127.0.0.1:9");

    @TempDir
    Path dir;

    @Test
    @DisplayName("O4: an unreadable file is read again until it can be, counted as one refused reload")
    void anUnreadableFileIsReadAgain() throws Exception {
        try (Rig rig = Rig.start(dir.resolve("application.conf"))) {
            Files.delete(rig.file());
            Files.createDirectory(rig.file());

            rig.reloader().reload("test");

            assertThat(rig.reloader().current()).isSameAs(rig.initial());
            Files.delete(rig.file());
            Files.writeString(rig.file(), POLICY.formatted("https://b.example"));
            Await.until(
                    "the file is read again and applied", () -> rig.reloader().current() != rig.initial());
            assertThat(rig.reloader().current().cors().allowedOrigins()).containsExactly("https://b.example");
            assertThat(rig.reloads("failure")).as("refused reloads").isEqualTo(1);
            assertThat(rig.reloads("success")).as("applied reloads").isEqualTo(1);
        }
    }

    @Test
    @DisplayName("O4: a file change elsewhere in the directory does not refuse the same invalid file again; a"
            + " SIGHUP, or the file edited, does")
    void theSameRefusalIsCountedOnce() throws Exception {
        try (Rig rig = Rig.start(dir.resolve("application.conf"))) {
            Files.writeString(rig.file(), POLICY.formatted("https://a.example/"));

            rig.reloader().reload(Reloader.FILE_CHANGE);
            rig.reloader().reload(Reloader.FILE_CHANGE); // an editor's swap file beside it, say
            assertThat(rig.reloads("failure"))
                    .as("refusals of one invalid file")
                    .isEqualTo(1);

            rig.reloader().reload("SIGHUP");
            assertThat(rig.reloads("failure")).as("asked for by a signal").isEqualTo(2);

            Files.writeString(rig.file(), POLICY.formatted("https://a.example/") + "\n# edited, still invalid\n");
            rig.reloader().reload(Reloader.FILE_CHANGE);
            assertThat(rig.reloads("failure")).as("the file edited").isEqualTo(3);
            assertThat(rig.reloader().current()).isSameAs(rig.initial());
        }
    }

    /** A proxy started from a valid file allowing https://a.example, and its reloader. */
    @ParameterizedTest(name = "emptied to {0}")
    @ValueSource(strings = {"", "\n \n", "# being written\n"})
    @DisplayName("O4: a file emptied as it is rewritten (curl ... > file) is not applied, though the environment names"
            + " the upstream (every route and the policy went); the file once written is")
    void anEmptiedFileIsNotApplied(String emptied) throws Exception {
        try (Rig rig = Rig.start(dir.resolve("application.conf"), UPSTREAM_FROM_ENV)) {
            Files.writeString(rig.file(), emptied);

            rig.reloader().reload(Reloader.FILE_CHANGE);

            assertThat(rig.reloader().current()).isSameAs(rig.initial());
            assertThat(rig.reloads("failure")).as("refused reloads").isEqualTo(1);
            Files.writeString(rig.file(), POLICY.formatted("https://b.example"));
            rig.reloader().reload(Reloader.FILE_CHANGE);
            assertThat(rig.reloader().current().cors().allowedOrigins()).containsExactly("https://b.example");
        }
    }

    @ParameterizedTest(name = "the included file {0}")
    @ValueSource(strings = {"emptied", "deleted"})
    @DisplayName("O4: an included file emptied or deleted as it is rewritten is not applied, and applied once"
            + " written; one empty from the start is a placeholder, and stays one")
    void anEmptiedIncludeIsNotApplied(String how) throws Exception {
        Path confD = Files.createDirectories(dir.resolve("conf.d"));
        Path policy = Files.writeString(confD.resolve("policy.conf"), origins("https://a.example"));
        Files.writeString(confD.resolve("placeholder.conf"), "# nothing yet\n");
        String main = POLICY.formatted("https://z.example")
                + "include \"conf.d/policy.conf\"\ninclude \"conf.d/placeholder.conf\"\n";
        try (Rig rig = Rig.start(dir.resolve("application.conf"), main, Map.of())) {
            assertThat(rig.initial().cors().allowedOrigins()).containsExactly("https://a.example");
            if (how.equals("emptied")) {
                Files.writeString(policy, "");
            } else {
                Files.delete(policy);
            }

            rig.reloader().reload(Reloader.FILE_CHANGE);

            assertThat(rig.reloader().current()).isSameAs(rig.initial());
            assertThat(rig.reloads("failure")).as("refused reloads").isEqualTo(1);
            Files.writeString(policy, origins("https://b.example"));
            rig.reloader().reload(Reloader.FILE_CHANGE);
            assertThat(rig.reloader().current().cors().allowedOrigins()).containsExactly("https://b.example");
        }
    }

    @Test
    @DisplayName("O4: a missing file that an included file in a subdirectory includes is not taken for the config"
            + " file's own include of that name: a reload applies, and that one deleted is refused")
    void aNestedIncludeIsNotTakenForTheConfigFilesOwn() throws Exception {
        Path sub = Files.createDirectories(dir.resolve("sub"));
        Path local = Files.writeString(dir.resolve("local.conf"), origins("https://a.example"));
        Path nested = Files.writeString(sub.resolve("a.conf"), "preflight.cors.max-age = 11m\n");
        String main = POLICY.formatted("https://z.example") + "include \"local.conf\"\ninclude \"sub/a.conf\"\n";
        try (Rig rig = Rig.start(dir.resolve("application.conf"), main, Map.of())) {
            Files.writeString(nested, "include \"local.conf\"\npreflight.cors.max-age = 12m\n"); // no sub/local.conf

            rig.reloader().reload(Reloader.FILE_CHANGE);

            assertThat(rig.reloader().current().cors().maxAge()).contains(Duration.ofMinutes(12));
            Files.delete(local);
            rig.reloader().reload(Reloader.FILE_CHANGE);
            assertThat(rig.reloader().current().cors().allowedOrigins()).containsExactly("https://a.example");
            assertThat(rig.reloads("failure"))
                    .as("the config file's own include gone: refused")
                    .isEqualTo(1);
        }
    }

    private static String origins(String origin) {
        return "preflight.cors.allowed-origins = [\"" + origin + "\"]\n";
    }

    @Test
    @DisplayName("O4: preflight {} is the defaults on purpose, and applied")
    void anEmptyRootIsApplied() throws Exception {
        try (Rig rig = Rig.start(dir.resolve("application.conf"), UPSTREAM_FROM_ENV)) {
            Files.writeString(rig.file(), "preflight {}\n");

            rig.reloader().reload(Reloader.FILE_CHANGE);

            assertThat(rig.reloader().current().cors().allowedOrigins()).isEmpty();
            assertThat(rig.reloads("success")).isEqualTo(1);
        }
    }

    private record Rig(Path file, Settings initial, SimpleMeterRegistry registry, ProxyServer proxy, Reloader reloader)
            implements AutoCloseable {
        static Rig start(Path file) throws Exception {
            return start(file, Map.of());
        }

        static Rig start(Path file, Map<String, String> env) throws Exception {
            return start(file, POLICY.formatted("https://a.example"), env);
        }

        static Rig start(Path file, String content, Map<String, String> env) throws Exception {
            Files.writeString(file, content);
            ConfigSources read = new ConfigSources();
            Settings initial = ConfigLoader.load(file, env, read);
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            ProxyMetrics metrics = new ProxyMetrics(registry);
            ProxyServer proxy = ProxyServer.start(initial, metrics);
            return new Rig(file, initial, registry, proxy, new Reloader(file, env, proxy, metrics, initial, read));
        }

        double reloads(String result) {
            Counter counter = registry.find(ProxyMetrics.CONFIG_RELOADS)
                    .tag("result", result)
                    .counter();
            return counter == null ? 0 : counter.count();
        }

        @Override
        public void close() {
            proxy.close();
        }
    }
}
