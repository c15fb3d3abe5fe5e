package dev.preflight.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * O4: a load names the files the configuration is read from besides its own, for hot reload to watch
 * their directories: the file a symbolic link leads to, every file an include names (from a
 * subdirectory, by an absolute path, without an extension, or not there yet) and the {@code ca-file}s.
 */
class ConfigSourcesTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName(
            "O4: includes from a subdirectory, elsewhere, nested, without an extension, and missing ones (by file(), or"
                    + " relative to the config file) are named")
    void includes() throws Exception {
        Path confD = Files.createDirectories(dir.resolve("conf.d"));
        Path elsewhere = Files.createDirectories(dir.resolve("shared"));
        Files.writeString(confD.resolve("origins.conf"), "preflight.cors.allowed-origins = [\"https://a.example\"]\n");
        Files.writeString(confD.resolve("limits.conf"), "include \"nested.conf\"\n");
        Files.writeString(confD.resolve("nested.conf"), "preflight.limits.max-body-size = 1m\n");
        Files.writeString(elsewhere.resolve("methods.conf"), "preflight.cors.allowed-methods = [GET, PUT]\n");
        Path file = Files.writeString(dir.resolve("application.conf"), """
                include "conf.d/origins.conf"
                include "conf.d/limits"
                include "conf.d/later.conf"
                include file("%s")
                include file("%s")
                preflight.upstream.url = "http://127.0.0.1:3000"
                """.formatted(
                        elsewhere.resolve("methods.conf"), elsewhere.resolve("later.conf")));
        ConfigSources read = new ConfigSources();

        Settings settings = ConfigLoader.load(file, Map.of(), read);

        assertThat(settings.cors().allowedMethods()).contains("PUT");
        assertThat(read.files())
                .containsExactlyInAnyOrder(
                        confD.resolve("origins.conf").toAbsolutePath(),
                        confD.resolve("limits.conf").toAbsolutePath(),
                        confD.resolve("nested.conf").toAbsolutePath(),
                        confD.resolve("later.conf").toAbsolutePath(),
                        elsewhere.resolve("methods.conf").toAbsolutePath(),
                        elsewhere.resolve("later.conf").toAbsolutePath());
    }

    @Test
    @DisplayName("O4: an invalid configuration still names what it includes, so that the fix there is seen")
    void includesOfAnInvalidFile() throws Exception {
        Path confD = Files.createDirectories(dir.resolve("conf.d"));
        Files.writeString(confD.resolve("origins.conf"), "preflight.cors.allowed-origins = [\"https://a.example/\"]\n");
        Path file = Files.writeString(
                dir.resolve("application.conf"),
                "include \"conf.d/origins.conf\"\npreflight.upstream.url = \"http://127.0.0.1:3000\"\n");
        ConfigSources read = new ConfigSources();

        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), read)).isInstanceOf(InvalidConfigException.class);
        assertThat(read.files()).containsExactly(confD.resolve("origins.conf").toAbsolutePath());
    }

    @Test
    @DisplayName("O4: a config file that is a symbolic link names the file it leads to")
    void symbolicLink() throws Exception {
        Path real = Files.writeString(
                Files.createDirectories(dir.resolve("real")).resolve("preflight.conf"),
                "preflight.upstream.url = \"http://127.0.0.1:3000\"\n");
        Path file = Files.createSymbolicLink(
                Files.createDirectories(dir.resolve("conf")).resolve("application.conf"),
                Path.of("../real/preflight.conf"));
        ConfigSources read = new ConfigSources();

        ConfigLoader.load(file, Map.of(), read);

        assertThat(read.files()).containsExactly(real.toRealPath());
    }

    @Test
    @DisplayName("O4: the ca-files of the default upstream and of routes are named")
    void caFiles() throws Exception {
        Path certs = Files.createDirectories(dir.resolve("certs"));
        Path ca = Files.copy(Path.of(getClass().getResource("/tls/test-ca.pem").toURI()), certs.resolve("ca.pem"));
        Path routeCa = Files.copy(ca, dir.resolve("route-ca.pem"));
        Path file = Files.writeString(dir.resolve("application.conf"), """
                preflight {
                  upstream { url = "https://api.internal:8443", ca-file = "certs/ca.pem" }
                  routes = [{ name = v2, path-prefix = "/v2", upstream.ca-file = "%s" }]
                }
                """.formatted(routeCa));
        ConfigSources read = new ConfigSources();

        ConfigLoader.load(file, Map.of(), read);

        assertThat(read.files()).containsExactlyInAnyOrder(ca.toAbsolutePath(), routeCa.toAbsolutePath());
    }
}
