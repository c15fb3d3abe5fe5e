package dev.preflight.config;

import static org.assertj.core.api.Assertions.fail;

import java.util.List;
import java.util.Map;

/** Shared helpers: HOCON snippets with a valid upstream, and the rendered problems of a bad one. */
final class ConfigFixtures {

    private ConfigFixtures() {}

    /**
     * A config whose {@code body} starts on line 3 ({@code string:3}), after a valid upstream URL, so
     * that a test sees only the problems of its own lines.
     */
    static String preflight(String body) {
        return "preflight {\n  upstream.url = \"http://127.0.0.1:3000\"\n" + body + "\n}\n";
    }

    static Settings valid(String hocon) {
        return valid(hocon, Map.of());
    }

    static Settings valid(String hocon, Map<String, String> env) {
        try {
            return ConfigLoader.parse(hocon, env);
        } catch (InvalidConfigException e) {
            return fail("expected a valid config, got:\n" + e.getMessage());
        }
    }

    static List<String> problems(String hocon) {
        return problems(hocon, Map.of());
    }

    /** The rendered problems; fails when the config is valid. */
    static List<String> problems(String hocon, Map<String, String> env) {
        try {
            ConfigLoader.parse(hocon, env);
        } catch (InvalidConfigException e) {
            return e.problems().stream().map(ConfigProblem::render).toList();
        }
        return fail("expected problems, but the config is valid:\n" + hocon);
    }
}
