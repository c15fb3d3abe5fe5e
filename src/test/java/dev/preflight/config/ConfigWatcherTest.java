package dev.preflight.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** O4: which changes in the config file's directory lead to a reload. */
class ConfigWatcherTest {

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource({
        "application.conf, true",
        "..data, true",
        "..2026_12_05_07_00_00.123456789, true",
        "cors.conf, true",
        "routes.json, true",
        "extra.properties, true",
        "ca.pem, true",
        "ca.crt, true",
        ".ca.pem.tmp, false",
        "proxy.log, false",
        "application.conf.swp, false",
        "4913, false",
    })
    @DisplayName("O4: a reload is considered for the config, ConfigMap links, includable and certificate files only")
    void relevantNames(String name, boolean relevant) {
        assertThat(ConfigWatcher.relevant(
                        event(StandardWatchEventKinds.ENTRY_MODIFY, Path.of(name)), "application.conf"))
                .isEqualTo(relevant);
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource({
        "origins.conf, true",
        "ca.crt, true",
        "..data, true",
        "..2026_12_05_07_00_00.123456789, true",
        "other.conf, false",
        "other.pem, false",
        "application.conf, false",
    })
    @DisplayName(
            "O4: in a directory of included files or a ca-file, only the files followed there count (and ConfigMap links)")
    void relevantNamesElsewhere(String name, boolean relevant) {
        assertThat(ConfigWatcher.relevant(
                        event(StandardWatchEventKinds.ENTRY_MODIFY, Path.of(name)), Set.of("origins.conf", "ca.crt")))
                .isEqualTo(relevant);
    }

    @Test
    @DisplayName("O4: lost events (overflow) always count")
    void overflow() {
        assertThat(ConfigWatcher.relevant(event(StandardWatchEventKinds.OVERFLOW, null), "application.conf"))
                .isTrue();
    }

    @Test
    @Timeout(30)
    @DisplayName("O4: changes that keep coming push a reload back by the debounce each, but not for as long as they"
            + " come: it runs while they still do")
    void changesThatKeepComingDoNotHoldAReloadBack(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("application.conf"), "preflight {}\n");
        CountDownLatch reloaded = new CountDownLatch(1);
        try (ConfigWatcher watcher = ConfigWatcher.start(config, Duration.ofMillis(200), reloaded::countDown)) {
            Files.writeString(config, "preflight { }\n");
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            int writes = 0;
            // A state file beside the config, written more often than the debounce, until the reload runs.
            while (!reloaded.await(50, TimeUnit.MILLISECONDS) && System.nanoTime() < deadline) {
                Files.writeString(dir.resolve("state.json"), "{\"n\": " + writes++ + "}");
            }
            assertThat(reloaded.getCount())
                    .as("the reload ran while the state file was still being written (%d writes)", writes)
                    .isZero();
        }
    }

    private static <T> WatchEvent<T> event(WatchEvent.Kind<T> kind, T context) {
        AtomicInteger count = new AtomicInteger(1);
        return new WatchEvent<>() {
            @Override
            public Kind<T> kind() {
                return kind;
            }

            @Override
            public int count() {
                return count.get();
            }

            @Override
            public T context() {
                return context;
            }
        };
    }
}
