package dev.preflight.config;

import static dev.preflight.config.ConfigFixtures.preflight;
import static dev.preflight.config.ConfigFixtures.problems;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Unknown keys are errors with a "did you mean" hint, never silently ignored. */
class ConfigUnknownKeysTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            cors.allowed-origin = []                  | preflight.cors.allowed-origin (string:3): unknown key (did you mean allowed-origins?)
            cors.allowedOrigins = []                  | preflight.cors.allowedOrigins (string:3): unknown key (did you mean allowed-origins?)
            cors.maxAge = 5m                          | preflight.cors.maxAge (string:3): unknown key (did you mean max-age?)
            cors.allow-credential = true              | preflight.cors.allow-credential (string:3): unknown key (did you mean allow-credentials?)
            cors.allowPrivateNetwork = true           | preflight.cors.allowPrivateNetwork (string:3): unknown key (did you mean allow-private-network?)
            lisen.port = 1                            | preflight.lisen (string:3): unknown key (did you mean listen?)
            upstream.urll = "http://a"                | preflight.upstream.urll (string:3): unknown key (did you mean url?)
            limits.max-header = 8k                    | preflight.limits.max-header (string:3): unknown key (did you mean max-header-size?)
            port = 8080                               | preflight.port (string:3): unknown key (did you mean admin.port or listen.port?)
            allowed-origins = []                      | preflight.allowed-origins (string:3): unknown key (did you mean cors.allowed-origins?)
            routes = [{ name = a, allowed-origins = [] }] | preflight.routes[0].allowed-origins (string:3): unknown key (did you mean cors.allowed-origins?)
            debug.verbose = true                      | preflight.debug.verbose (string:3): unknown key (expected: one of: decision-header)
            limits.timeout = 5s                       | preflight.limits.timeout (string:3): unknown key (expected: one of: body-timeout, header-timeout, idle-timeout, max-body-size, max-connections, max-header-count, max-header-size, max-initial-line)
            tls { enabled = true }                    | preflight.tls (string:3): unknown key (expected: one of: access-log, admin, cors, debug, fetch-metadata, forwarded, limits, listen, reload, routes, shutdown, upstream)
            routes = [{ name = a, pathprefix = "/a" }] | preflight.routes[0].pathprefix (string:3): unknown key (did you mean path-prefix?)
            routes = [{ name = a, cors.max-agee = 1s }] | preflight.routes[0].cors.max-agee (string:3): unknown key (did you mean max-age?)
            routes = [{ name = a, upstream.timeout = 1s }] | preflight.routes[0].upstream.timeout (string:3): unknown key (expected: one of: acquire-timeout, ca-file, connect-timeout, host-header, idle-timeout, max-connections, response-timeout, url)
            routes = [{ name = a, limits {} }]        | preflight.routes[0].limits (string:3): unknown key (expected: one of: cors, fetch-metadata, host, name, path-prefix, path-prefix-ignore-case, upstream)
            """)
    void anUnknownKeyIsReportedWithAHint(String line, String message) {
        assertThat(problems(preflight("  " + line))).containsExactly(message);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            preflihgt { cors.allowed-origins = [] }   | preflihgt (string:5): unknown key (did you mean preflight?)
            Preflight.cors.max-age = 1m               | Preflight (string:5): unknown key (did you mean preflight?)
            cors.allowed-origins = ["https://a.com"]  | cors (string:5): unknown key (did you mean preflight.cors?)
            upstream { url = "http://b" }             | upstream (string:5): unknown key (did you mean preflight.upstream?)
            origins = ["https://a.com"]               | origins (string:5): unknown key (expected: one of: preflight)
            """)
    void aKeyBesideThePreflightRootIsUnknownToo(String line, String message) {
        // Everything sits under one root: a misspelt root, or a block written without it, would
        // otherwise be read as nothing at all and leave the policy at its defaults.
        assertThat(problems(preflight("") + line)).containsExactly(message);
    }

    @Test
    void everyUnknownKeyIsReportedNotJustTheFirst() {
        assertThat(problems(preflight("""
                  listen { hots = "::", prot = 1 }
                  cors {
                    allowed-origin = []
                    allowed-method = []
                  }
                """)))
                .containsExactly(
                        "preflight.listen.hots (string:3): unknown key (did you mean host?)",
                        "preflight.listen.prot (string:3): unknown key (did you mean port?)",
                        "preflight.cors.allowed-origin (string:5): unknown key (did you mean allowed-origins?)",
                        "preflight.cors.allowed-method (string:6): unknown key (did you mean allowed-methods?)");
    }

    @Test
    void aKnownKeyWithAnObjectWhereAValueBelongsIsAWrongTypeNotAnUnknownKey() {
        assertThat(problems(preflight("  listen.port { number = 1 }")))
                .containsExactly("preflight.listen.port (string:3): {\"number\":1} (expected: a port number 0..65535)");
    }

    @Test
    void hintsCompareCaseInsensitivelyAndPickTheClosestSibling() {
        assertThat(KeyHints.hint("allowed-origin", List.of("allowed-origins", "allowed-origin-regexes")))
                .isEqualTo("did you mean allowed-origins?");
        assertThat(KeyHints.hint("PORT", List.of("host", "port"))).isEqualTo("did you mean port?");
        assertThat(KeyHints.hint("zzzz", List.of("port", "host"))).isEqualTo("one of: host, port");
    }

    @ParameterizedTest(name = "distance({0}, {1}) = {2}")
    @CsvSource({
        "kitten, sitting, 3",
        "'', abc, 3",
        "abc, '', 3",
        "same, same, 0",
        "Max-Age, max-age, 0",
        "maxage, max-age, 1"
    })
    void levenshteinDistance(String a, String b, int expected) {
        assertThat(KeyHints.distance(a, b)).isEqualTo(expected);
    }
}
