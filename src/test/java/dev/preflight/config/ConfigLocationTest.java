package dev.preflight.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ConfigLocationTest {

    @Test
    void theCommandLineWins() {
        assertThat(ConfigLocation.resolve(Optional.of("/etc/preflight.conf"), Map.of("PREFLIGHT_CONFIG", "/env.conf")))
                .isEqualTo(Path.of("/etc/preflight.conf"));
    }

    @Test
    void thenTheEnvironment() {
        assertThat(ConfigLocation.resolve(Optional.empty(), Map.of("PREFLIGHT_CONFIG", "/env.conf")))
                .isEqualTo(Path.of("/env.conf"));
    }

    @Test
    void thenTheDefault() {
        assertThat(ConfigLocation.resolve(Optional.empty(), Map.of())).isEqualTo(Path.of("conf/application.conf"));
    }

    @Test
    void aBlankVariableCountsAsUnset() {
        assertThat(ConfigLocation.resolve(Optional.empty(), Map.of("PREFLIGHT_CONFIG", " ")))
                .isEqualTo(Path.of("conf/application.conf"));
    }
}
