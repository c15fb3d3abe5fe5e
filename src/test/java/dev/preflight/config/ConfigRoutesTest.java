package dev.preflight.config;

import static dev.preflight.config.ConfigFixtures.preflight;
import static dev.preflight.config.ConfigFixtures.problems;
import static dev.preflight.config.ConfigFixtures.valid;
import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.policy.CorsSettings;
import dev.preflight.policy.FetchMetadataSettings;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Routes: their own keys, and their blocks merged key by key over the top-level ones. */
class ConfigRoutesTest {

    @Test
    void routesKeepFileOrderAndDefaultToAnyHostAndTheWholePath() {
        Settings settings = valid(preflight("""
                  routes = [
                    { name = "all" }
                    { name = "v2", host = "api.example.com", path-prefix = "/v2" }
                  ]
                """));

        assertThat(settings.routes()).extracting(RouteSettings::name).containsExactly("all", "v2");
        assertThat(settings.routes().get(0).host()).isEmpty();
        assertThat(settings.routes().get(0).pathPrefix()).isEqualTo("/");
        assertThat(settings.routes().get(1).host()).contains("api.example.com");
        assertThat(settings.routes().get(1).pathPrefix()).isEqualTo("/v2");
    }

    @Test
    @DisplayName("V4: a route that writes allowed-origins while the top level has regexes is warned that it inherits"
            + " them (key by key); not when it writes both, nor when there are none")
    void aRouteWithHalfItsOriginsInheritedIsWarned() {
        Settings settings = valid(preflight("""
                  cors {
                    allowed-origins = ["https://app.example.com"]
                    allowed-origin-regexes = ["https://pr-[0-9]+\\\\.preview\\\\.example\\\\.net"]
                  }
                  routes = [
                    { name = "narrow", path-prefix = "/narrow", cors.allowed-origins = ["https://other.example.com"] }
                    { name = "whole", path-prefix = "/whole", cors { allowed-origins = [], allowed-origin-regexes = [] } }
                    { name = "regexes", path-prefix = "/r", cors.allowed-origin-regexes = ["https://x\\\\.example"] }
                    { name = "off", path-prefix = "/off", cors { enabled = false, allowed-origins = ["https://o.example"] } }
                    { name = "any", path-prefix = "/any", cors.allowed-origins = ["*"] }
                  ]
                """));

        assertThat(settings.warnings())
                .extracting(ConfigProblem::render)
                .anySatisfy(w -> assertThat(w)
                        .startsWith("preflight.routes[0].cors.allowed-origins (")
                        .contains("the route still allows the origins of the top-level allowed-origin-regexes"))
                .anySatisfy(w -> assertThat(w)
                        .startsWith("preflight.routes[2].cors.allowed-origin-regexes (")
                        .contains("the route still allows the origins of the top-level allowed-origins"))
                .noneMatch(w -> w.startsWith("preflight.routes[1]"))
                .noneMatch(w -> w.startsWith("preflight.routes[3]"))
                .noneMatch(w -> w.startsWith("preflight.routes[4]"));
    }

    @Test
    void aRouteWithoutBlocksInheritsTheTopLevelOnes() {
        Settings settings = valid(preflight("""
                  cors.allowed-origins = ["https://app.example.com"]
                  fetch-metadata.enabled = true
                  routes = [{ name = "plain" }]
                """));

        RouteSettings route = settings.routes().getFirst();
        assertThat(route.cors()).isEqualTo(settings.cors());
        assertThat(route.upstream()).isEqualTo(settings.upstream());
        assertThat(route.fetchMetadata()).isEqualTo(settings.fetchMetadata());
    }

    @Test
    void aRoutesCorsOverridesOnlyTheKeysItSets() {
        Settings settings = valid(preflight("""
                  cors {
                    allowed-origins = ["https://app.example.com"]
                    allow-credentials = true
                    max-age = 5m
                  }
                  routes = [
                    { name = "public", path-prefix = "/public", cors { allowed-origins = ["https://other.example.com"], allow-credentials = false } }
                    { name = "no-cache", cors.max-age = null }
                  ]
                """));

        CorsSettings publicCors = settings.routes().get(0).cors();
        assertThat(publicCors.allowedOrigins()).containsExactly("https://other.example.com");
        assertThat(publicCors.allowCredentials()).isFalse();
        assertThat(publicCors.maxAge()).contains(Duration.ofMinutes(5)); // from the top level
        assertThat(publicCors.allowedMethods()).containsExactly("GET", "HEAD", "POST"); // from reference.conf

        CorsSettings noCache = settings.routes().get(1).cors();
        assertThat(noCache.maxAge()).isEmpty();
        assertThat(noCache.allowedOrigins()).containsExactly("https://app.example.com");
        assertThat(noCache.allowCredentials()).isTrue();
    }

    @Test
    void aRoutesUpstreamAndFetchMetadataOverrideOnlyTheKeysTheySet() {
        Settings settings = valid(preflight("""
                  upstream.connect-timeout = 2s
                  fetch-metadata { enabled = true, exempt-path-prefixes = ["/embed"] }
                  routes = [{
                    name = "v2"
                    upstream { url = "https://new-api:8443/", response-timeout = 3s }
                    fetch-metadata.mode = report-only
                  }]
                """));

        RouteSettings route = settings.routes().getFirst();
        assertThat(route.upstream().url()).isEqualTo(URI.create("https://new-api:8443"));
        assertThat(route.upstream().responseTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(route.upstream().connectTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(route.upstream().maxConnections()).isEqualTo(512);
        assertThat(route.fetchMetadata())
                .isEqualTo(new FetchMetadataSettings(true, FetchMetadataSettings.Mode.REPORT_ONLY, List.of("/embed")));
        assertThat(settings.upstream().url()).isEqualTo(URI.create("http://127.0.0.1:3000"));
    }

    @Test
    void aDuplicateNameNamesBothLines() {
        assertThat(problems(preflight("""
                  routes = [
                    { name = "api", path-prefix = "/api" }
                    { name = "other", path-prefix = "/other" }
                    { name = "api", path-prefix = "/v2" }
                  ]
                """)))
                .containsExactly("preflight.routes[2].name (string:6): api (expected: a unique name, but"
                        + " preflight.routes[0] (string:4) is named api too)");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            { path-prefix = "/a" }                | preflight.routes[0].name (string:3): missing (expected: a non-empty HTTP token (letters, digits, - . _ and the like; no space, quote, slash, comma, semicolon or control character), unique among routes and not default (the name of requests no route matches), e.g. "api-v2")
            { name = "" }                         | preflight.routes[0].name (string:3): "" (expected: a non-empty HTTP token (letters, digits, - . _ and the like; no space, quote, slash, comma, semicolon or control character), unique among routes and not default (the name of requests no route matches), e.g. "api-v2")
            { name = "api\\nv2" }                   | preflight.routes[0].name (string:3): "api\\u000av2" (expected: a non-empty HTTP token (letters, digits, - . _ and the like; no space, quote, slash, comma, semicolon or control character), unique among routes and not default (the name of requests no route matches), e.g. "api-v2")
            { name = "public api" }               | preflight.routes[0].name (string:3): public api (expected: a non-empty HTTP token (letters, digits, - . _ and the like; no space, quote, slash, comma, semicolon or control character), unique among routes and not default (the name of requests no route matches), e.g. "api-v2")
            { name = "default" }                  | preflight.routes[0].name (string:3): default (expected: a non-empty HTTP token (letters, digits, - . _ and the like; no space, quote, slash, comma, semicolon or control character), unique among routes and not default (the name of requests no route matches), e.g. "api-v2")
            { name = "v2/public" }                | preflight.routes[0].name (string:3): v2/public (expected: a non-empty HTTP token (letters, digits, - . _ and the like; no space, quote, slash, comma, semicolon or control character), unique among routes and not default (the name of requests no route matches), e.g. "api-v2")
            { name = a, path-prefix = "api" }     | preflight.routes[0].path-prefix (string:3): api (expected: a path starting with /, as requests are matched: normalised (no dot segments, //, escapes of unreserved characters), visible ASCII, e.g. /api)
            { name = a, path-prefix = "/a/../b" } | preflight.routes[0].path-prefix (string:3): /a/../b (expected: a path starting with /, as requests are matched: normalised (no dot segments, //, escapes of unreserved characters), visible ASCII, e.g. /api)
            { name = a, path-prefix = "/e%7Ef" }  | preflight.routes[0].path-prefix (string:3): /e%7Ef (expected: a path starting with /, as requests are matched: normalised (no dot segments, //, escapes of unreserved characters), visible ASCII, e.g. /api)
            { name = a, path-prefix = "//api" }   | preflight.routes[0].path-prefix (string:3): //api (expected: a path starting with /, as requests are matched: normalised (no dot segments, //, escapes of unreserved characters), visible ASCII, e.g. /api)
            { name = a, path-prefix = "/a b" }    | preflight.routes[0].path-prefix (string:3): /a b (expected: a path starting with /, as requests are matched: normalised (no dot segments, //, escapes of unreserved characters), visible ASCII, e.g. /api)
            { name = a, path-prefix = "/a;x" }    | preflight.routes[0].path-prefix (string:3): /a;x (expected: a path starting with /, as requests are matched: normalised (no dot segments, //, escapes of unreserved characters), visible ASCII, e.g. /api)
            { name = a, host = "a.com:8080" }     | preflight.routes[0].host (string:3): a.com:8080 (expected: a host name without scheme, port, path or wildcard, e.g. api.example.com)
            { name = a, host = "https://a.com" }  | preflight.routes[0].host (string:3): https://a.com (expected: a host name without scheme, port, path or wildcard, e.g. api.example.com)
            { name = a, host = "*.a.com" }        | preflight.routes[0].host (string:3): *.a.com (expected: a host name without scheme, port, path or wildcard, e.g. api.example.com)
            { name = a, cors = true }             | preflight.routes[0].cors (string:3): true (expected: an object, e.g. cors { ... })
            { name = a, cors.max-age = -1s }      | preflight.routes[0].cors.max-age (string:3): -1s (expected: a duration >= 0, e.g. 10m, or null)
            { name = a, cors.mode = strict }      | preflight.routes[0].cors.mode (string:3): strict (expected: one of enforce, report-only)
            { name = a, upstream.url = "http://b/x" } | preflight.routes[0].upstream.url (string:3): http://b/x (expected: a URL without a path, e.g. http://b; paths are not supported yet)
            { name = a, fetch-metadata.exempt-path-prefixes = "/x" } | preflight.routes[0].fetch-metadata.exempt-path-prefixes (string:3): /x (expected: a list of paths, e.g. ["/embed"])
            "api"                                 | preflight.routes[0] (string:3): api (expected: an object, e.g. { name = "api", path-prefix = "/api" })
            """)
    void aBadRouteIsReportedUnderItsOwnPath(String route, String message) {
        assertThat(problems(preflight("  routes = [" + route + "]"))).containsExactly(message);
    }

    @Test
    void problemsInALaterRouteSayWhichRoute() {
        assertThat(problems(preflight("""
                  routes = [
                    { name = "a", path-prefix = "/a" }
                    { name = "b"
                      cors {
                        max-age = -1s
                      }
                    }
                  ]
                """)))
                .containsExactly(
                        "preflight.routes[1].cors.max-age (string:7): -1s (expected: a duration >= 0, e.g. 10m, or null)");
    }

    @Test
    void anInheritedMistakeIsReportedOnceWhereItWasWritten() {
        assertThat(problems(preflight("""
                  cors.max-age = -1s
                  routes = [{ name = a, path-prefix = "/a", cors.allowed-origins = [] }, { name = b }]
                """)))
                .containsExactly(
                        "preflight.cors.max-age (string:3): -1s (expected: a duration >= 0, e.g. 10m, or null)");
    }

    @Test
    void aMissingTopLevelUrlIsNotRepeatedForRoutesThatInheritIt() {
        assertThat(
                        problems(
                                "preflight.routes = [{ name = a, path-prefix = \"/a\" }, { name = b, upstream.url = \"http://b:1\" }]"))
                .containsExactly(
                        "preflight.upstream.url: missing (expected: an http:// or https:// URL, e.g. http://127.0.0.1:3000)");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            { name = all }, { name = b, path-prefix = "/b" }                                          | b:all
            { name = a, path-prefix = "/api" }, { name = b, path-prefix = "/api/v2" }                 | b:a
            { name = a, path-prefix = "/api/" }, { name = b, path-prefix = "/api/v2" }                | b:a
            { name = a, path-prefix = "/api" }, { name = b, path-prefix = "/api" }                    | b:a
            { name = a, path-prefix = "/api" }, { name = b, path-prefix = "/apix" }                   | ''
            { name = a, path-prefix = "/api/v2" }, { name = b, path-prefix = "/api" }                 | ''
            { name = a, host = "x.test", path-prefix = "/api" }, { name = b, path-prefix = "/api/v2" } | ''
            { name = a, path-prefix = "/api" }, { name = b, host = "X.test", path-prefix = "/api/1" } | b:a
            { name = a, host = "x.test" }, { name = b, host = "X.TEST", path-prefix = "/v2" }         | b:a
            { name = a, path-prefix = "/API", path-prefix-ignore-case = true }, { name = b, path-prefix = "/api/x" } | b:a
            { name = a, path-prefix = "/api" }, { name = b, path-prefix = "/api/x", path-prefix-ignore-case = true } | ''
            { name = a, path-prefix = "/api" }, { name = b, path-prefix = "/API/x" }                  | ''
            { name = all }, { name = b, path-prefix = "/v2", path-prefix-ignore-case = true }         | b:all
            { name = a, path-prefix = "/123" }, { name = b, path-prefix = "/123/x", path-prefix-ignore-case = true } | b:a
            { name = a, path-prefix = "/api/" }, { name = b, path-prefix = "/api" }                   | b:a
            { name = a, host = "x.test." }, { name = b, host = "X.test", path-prefix = "/v2" }        | b:a
            """)
    @DisplayName("V4: a route an earlier one always wins over is warned about (never used); one it only partly"
            + " covers is not")
    void aShadowedRouteIsWarnedAbout(String routes, String shadowed) {
        List<String> warnings = valid(preflight("  routes = [ " + routes + " ]")).warnings().stream()
                .map(ConfigProblem::render)
                .toList();

        if (shadowed.isEmpty()) {
            assertThat(warnings).isEmpty();
        } else {
            String later = shadowed.split(":")[0];
            String first = shadowed.split(":")[1];
            assertThat(warnings)
                    .singleElement()
                    .asString()
                    .startsWith("preflight.routes[1] (string:")
                    .endsWith("): " + later + " (warning: never matches: route " + first
                            + " comes first and matches every request it would (the first route that matches wins))");
        }
    }

    @Test
    void aNullHostMatchesAnyHost() {
        assertThat(valid(preflight("  routes = [{ name = a, host = null }]"))
                        .routes()
                        .getFirst()
                        .host())
                .isEqualTo(Optional.empty());
    }
}
