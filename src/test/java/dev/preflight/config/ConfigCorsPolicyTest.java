package dev.preflight.config;

import static dev.preflight.config.ConfigFixtures.preflight;
import static dev.preflight.config.ConfigFixtures.problems;
import static dev.preflight.config.ConfigFixtures.valid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.preflight.policy.CorsDecision;
import dev.preflight.policy.CorsRequest;
import dev.preflight.policy.Reason;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The policy checks V2-V5 as the loader reports them: each with its HOCON path, {@code file:line}
 * (of the list element where there is one), the value as written and what was expected; warnings
 * returned with the settings, not failing the load. And the compiled policies in the settings.
 */
class ConfigCorsPolicyTest {

    private static final String STAR_WITH_CREDENTIALS = "allow-credentials = false, or the origins listed instead of"
            + " \"*\" in allowed-origins: browsers refuse credentials with Access-Control-Allow-Origin: *";

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            # the line of preflight { ... } that is wrong | its one problem
            cors.allowed-origins = ["https://app.example.com/"] | preflight.cors.allowed-origins[0] (string:3): https://app.example.com/ (expected: an origin without a trailing slash, i.e. https://app.example.com)
            cors.allowed-origins = ["https://app.example.com/v1?x"] | preflight.cors.allowed-origins[0] (string:3): https://app.example.com/v1?x (expected: an origin without a path, i.e. https://app.example.com)
            cors.allowed-origins = ["https://me@app.example.com:443"] | preflight.cors.allowed-origins[0] (string:3): https://me@app.example.com:443 (expected: an origin without user info, i.e. https://app.example.com)
            cors.allowed-origins = ["https://app.example.com "] | preflight.cors.allowed-origins[0] (string:3): "https://app.example.com " (expected: an origin without whitespace, i.e. https://app.example.com)
            cors.allowed-origins = ["https://app.example.com\u00a0"] | preflight.cors.allowed-origins[0] (string:3): "https://app.example.com\\u00a0" (expected: an origin without whitespace, i.e. https://app.example.com)
            cors.allowed-origins = ["\u200bhttps://app.example.com"] | preflight.cors.allowed-origins[0] (string:3): "\\u200bhttps://app.example.com" (expected: an origin without whitespace, i.e. https://app.example.com)
            cors.allowed-origins = ["https://*example.com"] | preflight.cors.allowed-origins[0] (string:3): https://*example.com (expected: a * only as whole leftmost labels or as the whole port, e.g. https://*.example.com or http://localhost:*)
            cors.allowed-origins = ["https://a.*.com"] | preflight.cors.allowed-origins[0] (string:3): https://a.*.com (expected: a * only as whole leftmost labels or as the whole port, e.g. https://*.example.com or http://localhost:*)
            cors.allowed-origins = ["https://*"] | preflight.cors.allowed-origins[0] (string:3): https://* (expected: a * only as whole leftmost labels or as the whole port, e.g. https://*.example.com or http://localhost:*)
            cors.allowed-origins = ["https://*.*.example.com"] | preflight.cors.allowed-origins[0] (string:3): https://*.*.example.com (expected: a single *. in front, which already matches one or more labels, e.g. https://*.example.com)
            cors.allowed-origins = ["http://localhost:0"] | preflight.cors.allowed-origins[0] (string:3): http://localhost:0 (expected: a port 1..65535 or *, e.g. http://localhost:8080)
            cors.allowed-origin-regexes = ["(a"] | preflight.cors.allowed-origin-regexes[0] (string:3): (a (expected: a valid Java regex (Unclosed group near index 2))
            cors { allowed-origins = ["*"], allow-credentials = true } | preflight.cors.allow-credentials (string:3): true (expected: allow-credentials = false, or the origins listed instead of "*" in allowed-origins: browsers refuse credentials with Access-Control-Allow-Origin: *)
            cors { allowed-origins = ["https://a.example.com"], exposed-headers = ["*"], allow-credentials = true } | preflight.cors.allow-credentials (string:3): true (expected: allow-credentials = false, or the headers listed instead of "*" in exposed-headers: with credentials, browsers read Access-Control-Expose-Headers: * as a header named *)
            cors { allowed-origins = ["https://a.example.com"], allowed-methods = ["*"], allow-credentials = true } | preflight.cors.allow-credentials (string:3): true (expected: allow-credentials = false, or the methods listed instead of "*" in allowed-methods: with credentials, browsers read Access-Control-Allow-Methods: * as a method named *)
            cors.allowed-methods = ["GET", "PO ST"] | preflight.cors.allowed-methods[1] (string:3): PO ST (expected: a method name (an RFC 9110 token), e.g. PATCH)
            cors.allowed-methods = ["TRACE"] | preflight.cors.allowed-methods[0] (string:3): TRACE (expected: a method browsers may send; CONNECT, TRACE and TRACK are forbidden)
            cors.allowed-methods = ["connect"] | preflight.cors.allowed-methods[0] (string:3): connect (expected: a method browsers may send; CONNECT, TRACE and TRACK are forbidden)
            cors.allowed-headers = ["X-Ok", "X Custom"] | preflight.cors.allowed-headers[1] (string:3): X Custom (expected: a header name (an RFC 9110 token), e.g. Content-Type)
            cors.exposed-headers = ["X-Request-Id:"] | preflight.cors.exposed-headers[0] (string:3): X-Request-Id: (expected: a header name (an RFC 9110 token), e.g. X-Request-Id)
            """)
    void eachPolicyRuleHasAFailingExampleWithPathLineValueAndExpectation(String line, String message) {
        assertThat(problems(preflight("  " + line))).containsExactly(message);
    }

    @Test
    void aListElementIsReportedOnItsOwnLine() {
        assertThat(problems(preflight("""
                  cors {
                    allowed-origins = [
                      "https://ok.example.com"
                      "https://*example.com"
                    ]
                  }
                """)))
                .containsExactly(
                        "preflight.cors.allowed-origins[1] (string:6): https://*example.com (expected: a * only"
                                + " as whole leftmost labels or as the whole port, e.g. https://*.example.com or"
                                + " http://localhost:*)");
    }

    @Test
    void indicesCountElementsThatAreNotStrings() {
        assertThat(problems(preflight("  cors.allowed-origins = [5, \"https://a.example.com/\"]")))
                .containsExactly(
                        "preflight.cors.allowed-origins[0] (string:3): 5 (expected: an origin string, e.g."
                                + " \"https://app.example.com\")",
                        "preflight.cors.allowed-origins[1] (string:3): https://a.example.com/ (expected: an origin"
                                + " without a trailing slash, i.e. https://a.example.com)");
    }

    @Test
    void anOriginFromTheEnvironmentNamesItsVariable() {
        assertThat(problems(
                        preflight(""),
                        Map.of("PREFLIGHT_ALLOWED_ORIGINS", "https://a.example.com, https://b.example.com/")))
                .containsExactly("preflight.cors.allowed-origins[1] (env PREFLIGHT_ALLOWED_ORIGINS):"
                        + " https://b.example.com/ (expected: an origin without a trailing slash, i.e."
                        + " https://b.example.com)");
    }

    @Test
    void aFileProblemShowsTheFileAndLine() throws Exception {
        Path file = Files.writeString(dir.resolve("application.conf"), """
                preflight {
                  upstream.url = "http://127.0.0.1:3000"
                  cors {
                    allowed-origins = ["https://app.example.com"]
                    allowed-methods = ["PATCH", "TRACK"]
                  }
                }
                """);

        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> ConfigLoader.load(file, Map.of()));

        assertThat(e.getMessage())
                .isEqualTo("preflight.cors.allowed-methods[1] (" + file + ":5): TRACK (expected: a method browsers may"
                        + " send; CONNECT, TRACE and TRACK are forbidden)");
    }

    @Test
    void warningsAreReturnedInFileOrderAndDoNotFailTheLoad() {
        Settings settings = valid(preflight("""
                  cors {
                    allowed-origins = ["https://app.example.com", "null"]
                    allowed-methods = ["GET", "patch"]
                    allowed-origin-regexes = [".*[.]example[.]com|null"]
                    max-age = 3h
                  }
                """));

        assertThat(settings.corsPolicy()).isNotNull();
        assertThat(settings.warnings()).allMatch(ConfigProblem::isWarning);
        assertThat(settings.warnings())
                .extracting(ConfigProblem::render)
                .containsExactly(
                        "preflight.cors.allowed-origins[1] (string:4): null (warning: every sandboxed iframe and local"
                                + " file sends Origin: null, so any site can get this access)",
                        "preflight.cors.allowed-methods[1] (string:5): patch (warning: methods are case-sensitive and"
                                + " browsers send patch only if the page writes it so; did you mean PATCH?)",
                        "preflight.cors.allowed-origin-regexes[0] (string:6): .*[.]example[.]com|null (warning: matches"
                                + " null, which every sandboxed iframe and local file sends)",
                        "preflight.cors.max-age (string:7): 3h (warning: Chromium caps it at 7200 s (2h))");
    }

    @Test
    void plainHttpWithCredentialsIsAWarningExceptForLoopback() {
        Settings settings = valid(preflight("""
                  cors {
                    allow-credentials = true
                    allowed-origins = ["http://app.example.com", "http://localhost:*", "http://127.0.0.1:8080"]
                  }
                """));

        assertThat(settings.warnings())
                .extracting(ConfigProblem::render)
                .containsExactly("preflight.cors.allowed-origins[0] (string:5): http://app.example.com (warning: plain"
                        + " http with allow-credentials = true: anyone on the network of a visitor to"
                        + " http://app.example.com can act as it; use https://, or http:// only for loopback hosts)");
    }

    @Test
    void aValidConfigHasNoWarnings() {
        assertThat(valid(preflight("  cors.allowed-origins = [\"https://app.example.com\"]"))
                        .warnings())
                .isEmpty();
    }

    @Test
    void withErrorsTheWarningsComeAlongInFileOrder() {
        assertThat(problems(preflight("""
                  cors.allowed-origins = ["null"]
                  cors.max-age = -1s
                """)))
                .containsExactly(
                        "preflight.cors.allowed-origins[0] (string:3): null (warning: every sandboxed iframe and local"
                                + " file sends Origin: null, so any site can get this access)",
                        "preflight.cors.max-age (string:4): -1s (expected: a duration >= 0, e.g. 10m, or null)");
    }

    @Test
    void aRouteReportsItsOwnKeysUnderItsPath() {
        assertThat(problems(preflight("""
                  routes = [
                    { name = "a", path-prefix = "/a" }
                    { name = "b", cors.allowed-origins = ["https://b.example.com/"] }
                  ]
                """)))
                .containsExactly("preflight.routes[1].cors.allowed-origins[0] (string:5): https://b.example.com/"
                        + " (expected: an origin without a trailing slash, i.e. https://b.example.com)");
    }

    @Test
    void anInheritedProblemOrWarningIsReportedOnceAtTheTopLevel() {
        assertThat(problems(preflight("""
                  cors.allowed-origins = ["https://a.example.com/", "null"]
                  routes = [{ name = a, path-prefix = "/a", cors.max-age = 1m }, { name = b }]
                """)))
                .containsExactly(
                        "preflight.cors.allowed-origins[0] (string:3): https://a.example.com/ (expected: an origin"
                                + " without a trailing slash, i.e. https://a.example.com)",
                        "preflight.cors.allowed-origins[1] (string:3): null (warning: every sandboxed iframe and local"
                                + " file sends Origin: null, so any site can get this access)");
    }

    @Test
    void aRouteThatTurnsOnCredentialsOverAnInheritedStarIsReportedAtItsOwnKey() {
        assertThat(problems(preflight("""
                  cors.allowed-origins = ["*"]
                  routes = [
                    { name = "public", path-prefix = "/public" }
                    { name = "private"
                      cors.allow-credentials = true
                    }
                  ]
                """)))
                .containsExactly("preflight.routes[1].cors.allow-credentials (string:7): true (expected: "
                        + STAR_WITH_CREDENTIALS + ")");
    }

    @Test
    void aRouteThatAllowsStarUnderInheritedCredentialsIsReportedAtItsOwnKey() {
        assertThat(problems(preflight("""
                  cors { allowed-origins = ["https://app.example.com"], allow-credentials = true }
                  routes = [{ name = "public", cors.allowed-origins = ["*"] }]
                """)))
                .containsExactly("preflight.routes[0].cors.allowed-origins (string:4): [\"*\"] (expected: "
                        + STAR_WITH_CREDENTIALS + ")");
    }

    @Test
    void theDefaultAndEachRouteGetTheirCompiledPolicy() {
        Settings settings = valid(preflight("""
                  cors.allowed-origins = ["https://app.example.com"]
                  routes = [
                    { name = "public", path-prefix = "/public", cors.allowed-origins = ["*"] }
                    { name = "ws", path-prefix = "/socket", cors.enabled = false }
                  ]
                """));

        CorsRequest fromOther = CorsRequest.actual("GET", "https://other.example", null);
        assertThat(settings.corsPolicy().settings()).isEqualTo(settings.cors());
        assertThat(settings.corsPolicy().decide(fromOther).reason()).isEqualTo(Reason.ORIGIN_NOT_ALLOWED);
        RouteSettings publicRoute = settings.routes().get(0);
        assertThat(publicRoute.corsPolicy().settings()).isEqualTo(publicRoute.cors());
        CorsDecision publicDecision = publicRoute.corsPolicy().decide(fromOther);
        assertThat(publicDecision.headers()).containsExactly(Map.entry("Access-Control-Allow-Origin", "*"));
        assertThat(settings.routes().get(1).corsPolicy().decide(fromOther).reason())
                .isEqualTo(Reason.DISABLED);
        assertThat(settings.warnings()).isEqualTo(List.of());
    }
}
