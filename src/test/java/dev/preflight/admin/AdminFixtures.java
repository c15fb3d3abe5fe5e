package dev.preflight.admin;

import static org.assertj.core.api.Assertions.fail;

import dev.preflight.config.ConfigLoader;
import dev.preflight.config.InvalidConfigException;
import dev.preflight.config.Settings;
import java.util.Map;

/** A policy with one route of each kind, for the admin tests. */
final class AdminFixtures {
    static final String APP = "https://app.example.com";
    static final String EVIL = "https://evil.example";

    /** The {@code "null"} origin makes one warning (V4), for {@code /config}. */
    static final String POLICY = """
            preflight {
              upstream.url = "http://127.0.0.1:3000"
              cors {
                allowed-origins = ["https://app.example.com", "null"]
                allowed-methods = ["GET", "PUT"]
                allowed-headers = ["X-Token", "Content-Type"]
                exposed-headers = ["X-Request-Id"]
                allow-credentials = true
                max-age = 10m
              }
              routes = [
                { name = "public", path-prefix = "/public", cors { allowed-origins = ["*"], allow-credentials = false } }
                { name = "v2", host = "api.example.com", path-prefix = "/v2", upstream.url = "http://127.0.0.1:4000" }
                { name = "ws", path-prefix = "/socket", cors.enabled = false }
                { name = "shadow", path-prefix = "/shadow", cors.mode = report-only }
                { name = "strict", path-prefix = "/strict", cors.disallowed-origin = reject }
                { name = "kept", path-prefix = "/kept", cors.upstream-cors-headers = preserve }
              ]
            }
            """;

    private AdminFixtures() {}

    static Settings settings(String hocon) {
        try {
            return ConfigLoader.parse(hocon, Map.of());
        } catch (InvalidConfigException e) {
            return fail("invalid test config:\n" + e.getMessage());
        }
    }
}
