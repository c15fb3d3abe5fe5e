package dev.preflight.config;

import static dev.preflight.config.ConfigFixtures.preflight;
import static dev.preflight.config.ConfigFixtures.problems;
import static dev.preflight.config.ConfigFixtures.valid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.preflight.policy.CorsSettings;
import dev.preflight.policy.FetchMetadataSettings;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** V1: each rule has a failing example, and its exact message with {@code file:line}. */
class ConfigValidationTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            # the line of preflight { ... } that is wrong | its one problem
            listen.port = abc                        | preflight.listen.port (string:3): abc (expected: a port number 0..65535)
            listen.port = 65536                      | preflight.listen.port (string:3): 65536 (expected: a port number 0..65535)
            admin.port = -1                          | preflight.admin.port (string:3): -1 (expected: a port number 0..65535)
            admin.port = 8080                        | preflight.admin.port (string:3): 8080 (expected: a port other than listen.port's: both 8080 on overlapping addresses, 0.0.0.0 and 127.0.0.1)
            listen { host = "127.0.0.1", port = 9090 } | preflight.listen.port (string:3): 9090 (expected: a port other than admin.port's: both 9090 on overlapping addresses, 127.0.0.1 and 127.0.0.1)
            listen { host = "localhost", port = 9090 } | preflight.listen.port (string:3): 9090 (expected: a port other than admin.port's: both 9090 on overlapping addresses, localhost and 127.0.0.1)
            admin { host = "::", port = 8080 }       | preflight.admin.port (string:3): 8080 (expected: a port other than listen.port's: both 8080 on overlapping addresses, 0.0.0.0 and ::)
            admin { host = "::1", port = 8080 }, listen.host = "[::1]" | preflight.admin.port (string:3): 8080 (expected: a port other than listen.port's: both 8080 on overlapping addresses, [::1] and ::1)
            admin.port = 80.5                        | preflight.admin.port (string:3): 80.5 (expected: a port number 0..65535)
            admin.port = [9090]                      | preflight.admin.port (string:3): [9090] (expected: a port number 0..65535)
            admin.enabled = maybe                    | preflight.admin.enabled (string:3): maybe (expected: true or false)
            listen.host { ip = 1 }                   | preflight.listen.host (string:3): {"ip":1} (expected: an address to listen on, e.g. 0.0.0.0)
            listen.host = ""                         | preflight.listen.host (string:3): "" (expected: an address to listen on, e.g. 0.0.0.0)
            upstream.connect-timeout = -5s           | preflight.upstream.connect-timeout (string:3): -5s (expected: a duration > 0, e.g. 5s)
            upstream.connect-timeout = fast          | preflight.upstream.connect-timeout (string:3): fast (expected: a duration > 0, e.g. 5s)
            upstream.response-timeout = 0s           | preflight.upstream.response-timeout (string:3): 0s (expected: a duration > 0, e.g. 30s)
            upstream.idle-timeout = 0                | preflight.upstream.idle-timeout (string:3): 0 (expected: a duration > 0, e.g. 60s)
            upstream.acquire-timeout = 0ms           | preflight.upstream.acquire-timeout (string:3): 0ms (expected: a duration > 0, e.g. 5s)
            upstream.acquire-timeout = 500           | preflight.upstream.acquire-timeout (string:3): 500 (expected: a duration with a unit, e.g. 5s)
            upstream.max-connections = 0             | preflight.upstream.max-connections (string:3): 0 (expected: a whole number >= 1)
            upstream.host-header = client            | preflight.upstream.host-header (string:3): client (expected: one of preserve, upstream)
            upstream.host-header = PRESERVE          | preflight.upstream.host-header (string:3): PRESERVE (expected: one of preserve, upstream)
            limits.header-timeout = 0s               | preflight.limits.header-timeout (string:3): 0s (expected: a duration > 0, e.g. 10s)
            limits.body-timeout = 0s                 | preflight.limits.body-timeout (string:3): 0s (expected: a duration > 0, e.g. 30s)
            limits.body-timeout = 30                 | preflight.limits.body-timeout (string:3): 30 (expected: a duration with a unit, e.g. 30s)
            limits.idle-timeout = "60"               | preflight.limits.idle-timeout (string:3): 60 (expected: a duration with a unit, e.g. 60s)
            cors.max-age = "NaN d"                   | preflight.cors.max-age (string:3): NaN d (expected: a duration >= 0, e.g. 10m, or null)
            shutdown.drain-timeout = "nan s"         | preflight.shutdown.drain-timeout (string:3): nan s (expected: a duration >= 0, e.g. 15s)
            limits.idle-timeout = "60\u00a0"         | preflight.limits.idle-timeout (string:3): "60\\u00a0" (expected: a duration with a unit, e.g. 60s)
            upstream.response-timeout = " 1.5e1 "    | preflight.upstream.response-timeout (string:3): " 1.5e1 " (expected: a duration with a unit, e.g. 30s)
            shutdown.drain-timeout = 200000d         | preflight.shutdown.drain-timeout (string:3): 200000d (expected: a duration of at most 106751d (292 years), e.g. 15s)
            cors.max-age = "600"                     | preflight.cors.max-age (string:3): 600 (expected: a duration with a unit, e.g. 10m)
            limits.idle-timeout = -1m                | preflight.limits.idle-timeout (string:3): -1m (expected: a duration > 0, e.g. 60s)
            limits.max-initial-line = 255            | preflight.limits.max-initial-line (string:3): 255 (expected: a size from 256 to 1m bytes, e.g. 8k)
            limits.max-header-size = 2m              | preflight.limits.max-header-size (string:3): 2m (expected: a size from 256 to 1m bytes, e.g. 16k)
            limits.max-header-size = big             | preflight.limits.max-header-size (string:3): big (expected: a size from 256 to 1m bytes, e.g. 16k)
            limits.max-body-size = -1                | preflight.limits.max-body-size (string:3): -1 (expected: a size >= 0, e.g. 10m)
            limits.max-connections = 0               | preflight.limits.max-connections (string:3): 0 (expected: a whole number >= 1)
            limits.max-header-count = 0              | preflight.limits.max-header-count (string:3): 0 (expected: a whole number >= 1)
            shutdown.drain-timeout = -1s             | preflight.shutdown.drain-timeout (string:3): -1s (expected: a duration >= 0, e.g. 15s)
            cors.enabled = "no way"                  | preflight.cors.enabled (string:3): no way (expected: true or false)
            cors.max-age = -5s                       | preflight.cors.max-age (string:3): -5s (expected: a duration >= 0, e.g. 10m, or null)
            cors.max-age = 600                       | preflight.cors.max-age (string:3): 600 (expected: a duration with a unit, e.g. 10m)
            cors.preflight-status = 201              | preflight.cors.preflight-status (string:3): 201 (expected: 200 or 204)
            cors.disallowed-origin = drop            | preflight.cors.disallowed-origin (string:3): drop (expected: one of forward, reject)
            cors.upstream-cors-headers = merge       | preflight.cors.upstream-cors-headers (string:3): merge (expected: one of strip, preserve)
            cors.mode = enforced                     | preflight.cors.mode (string:3): enforced (expected: one of enforce, report-only)
            cors.mode = report_only                  | preflight.cors.mode (string:3): report_only (expected: one of enforce, report-only)
            fetch-metadata.mode = log                | preflight.fetch-metadata.mode (string:3): log (expected: one of enforce, report-only)
            forwarded.headers = x-forwarded-for      | preflight.forwarded.headers (string:3): x-forwarded-for (expected: one of x-forwarded, forwarded, none)
            access-log.format = xml                  | preflight.access-log.format (string:3): xml (expected: one of text, json)
            cors.allowed-origins = "https://a.com"   | preflight.cors.allowed-origins (string:3): https://a.com (expected: a list of origins, e.g. ["https://app.example.com"])
            cors.allowed-headers = ["X-A", 5]        | preflight.cors.allowed-headers[1] (string:3): 5 (expected: a header name string, e.g. "Content-Type")
            cors.allowed-methods = [GET, [PUT]]      | preflight.cors.allowed-methods[1] (string:3): ["PUT"] (expected: a method name string, e.g. "PUT")
            cors.exposed-headers = {}                | preflight.cors.exposed-headers (string:3): {} (expected: a list of header names, e.g. ["X-Request-Id"])
            cors.allowed-origin-regexes = ["(a"]     | preflight.cors.allowed-origin-regexes[0] (string:3): (a (expected: a valid Java regex (Unclosed group near index 2))
            fetch-metadata.exempt-path-prefixes = [embed] | preflight.fetch-metadata.exempt-path-prefixes[0] (string:3): embed (expected: a path starting with /, e.g. /embed)
            fetch-metadata.exempt-path-prefixes = ["/a/../embed"] | preflight.fetch-metadata.exempt-path-prefixes[0] (string:3): /a/../embed (expected: a path as requests are matched: normalised (no dot segments, //, escapes of unreserved characters), visible ASCII, without a query, e.g. /embed)
            fetch-metadata.exempt-path-prefixes = ["//embed"] | preflight.fetch-metadata.exempt-path-prefixes[0] (string:3): //embed (expected: a path as requests are matched: normalised (no dot segments, //, escapes of unreserved characters), visible ASCII, without a query, e.g. /embed)
            fetch-metadata.exempt-path-prefixes = ["/%7Eembed"] | preflight.fetch-metadata.exempt-path-prefixes[0] (string:3): /%7Eembed (expected: a path as requests are matched: normalised (no dot segments, //, escapes of unreserved characters), visible ASCII, without a query, e.g. /embed)
            fetch-metadata.exempt-path-prefixes = ["/embed?x"] | preflight.fetch-metadata.exempt-path-prefixes[0] (string:3): /embed?x (expected: a path as requests are matched: normalised (no dot segments, //, escapes of unreserved characters), visible ASCII, without a query, e.g. /embed)
            cors = true                              | preflight.cors (string:3): true (expected: an object, e.g. cors { ... })
            routes { name = a }                      | preflight.routes (string:3): {"name":"a"} (expected: a list of routes, e.g. [{ name = "api", path-prefix = "/api" }])
            """)
    void aBadValueIsReportedWithItsPathLineValueAndExpectation(String line, String message) {
        assertThat(problems(preflight("  " + line))).containsExactly(message);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            http://api:3000/v1         | a URL without a path, e.g. http://api:3000; paths are not supported yet
            http://api:3000/?debug=1   | a URL without query or fragment, e.g. http://api:3000
            http://api:3000#top        | a URL without query or fragment, e.g. http://api:3000
            ftp://api:21               | an http:// or https:// URL, e.g. http://127.0.0.1:3000
            localhost:3000             | an http:// or https:// URL, e.g. http://127.0.0.1:3000
            /just/a/path               | an http:// or https:// URL, e.g. http://127.0.0.1:3000
            http://                    | an http:// or https:// URL, e.g. http://127.0.0.1:3000
            http://my_api:3000         | an http:// or https:// URL with a valid host name, e.g. http://127.0.0.1:3000
            http://api:0               | a port 1..65535, e.g. http://api:3000
            """)
    void upstreamUrlMustBeAnHttpUrlWithNothingButSchemeHostAndPort(String url, String expected) {
        assertThat(problems("preflight {\n  upstream.url = \"" + url + "\"\n}"))
                .containsExactly("preflight.upstream.url (string:2): " + url + " (expected: " + expected + ")");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            http://user:pw@api:3000           | http://***@api:3000          | a URL without user info, e.g. http://api:3000
            https://ghp_t0ken@api.example.com | https://***@api.example.com  | a URL without user info, e.g. https://api.example.com
            http://user:p@ss@api:3000/v1      | http://***@api:3000/v1       | an http:// or https:// URL with a valid host name, e.g. http://127.0.0.1:3000
            http://u:p w@api:3000             | http://***@api:3000          | an http:// or https:// URL, e.g. http://127.0.0.1:3000
            user:pw@api:3000                  | ***@api:3000                 | an http:// or https:// URL, e.g. http://127.0.0.1:3000
            http://api:3000/?to=a@b           | http://***@b                 | a URL without query or fragment, e.g. http://api:3000
            http://user:s3cr/et@api:3000      | http://***@api:3000          | an http:// or https:// URL with a valid host name, e.g. http://127.0.0.1:3000
            http://u:tok#3n@api:3000          | http://***@api:3000          | an http:// or https:// URL with a valid host name, e.g. http://127.0.0.1:3000
            http://u:p@127.0.0.1:99999        | http://***@127.0.0.1:99999   | a port 1..65535, e.g. http://127.0.0.1:3000
            """)
    @DisplayName(
            "V1: an upstream URL's user info (a password, or a token as the user) is never shown: problems go to the logs")
    void upstreamUrlUserInfoIsNotShown(String url, String shown, String expected) {
        assertThat(problems("preflight {\n  upstream.url = \"" + url + "\"\n}"))
                .containsExactly("preflight.upstream.url (string:2): " + shown + " (expected: " + expected + ")");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "upstream { url = \"http://a:1\" } \"\"\"http://u:SEC\nRET7@h:3000\"\"\"",
                "upstream { url = \"http://a:1\" } \"tok:SECRET8@h:3000\"",
                "upstream { url = \"alice:SEC\\\"RET9@h:3000\" {a = 1} }",
            })
    @DisplayName("V1: a parser's token error that quotes a credential (line breaks, no scheme, an escaped quote)"
            + " does not show it")
    void userInfoInATokenErrorIsNotShown(String setting) {
        assertThat(problems("preflight {\n  " + setting + "\n}"))
                .singleElement()
                .asString()
                .contains("***@")
                .doesNotContain("SEC")
                .doesNotContain("RET");
    }

    @Test
    @DisplayName("V1: a url that is a list or an object is not shown at all: it may hold a credential in any shape")
    void upstreamUrlUserInfoInAListIsNotShown() {
        assertThat(problems("preflight {\n  upstream.url = [\"http://user:s3cret@api:3000\", {x = \"t@b\"}]\n}"))
                .containsExactly("preflight.upstream.url (string:2): *** (expected: an http:// or https:// URL, e.g."
                        + " http://127.0.0.1:3000)");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            upstream { url = "http://user:SECRET1@h:80" {a = 1} }  | "***@h:80
            upstream { url = "http://user:pa SE\\"CRET2@h:80" [1] } | "***@h:80
            upstream { url = "user:SECRET3@h:80" {a = 1} }         | "***@h:80
            upstream { url = ${U} {a = 1} }                         | "***@h:80
            """)
    @DisplayName("V1: a parser's message that quotes an upstream URL (it cannot be joined with an object) does not"
            + " show its user info, from the file or the environment")
    void userInfoInAParsersMessageIsNotShown(String setting, String shown) {
        assertThat(problems("preflight {\n  " + setting + "\n}", Map.of("U", "http://user:SECRET4@h:80")))
                .singleElement()
                .asString()
                .contains(shown)
                .doesNotContain("SECRET");
    }

    @ParameterizedTest(name = "listen {0}, admin {1}")
    @CsvSource({"0.0.0.0, ::1", "127.0.0.1, ::1", "::1, 127.0.0.1", "localhost, ::1"})
    @DisplayName("V1: an IPv4 address and an IPv6 one other than :: bind side by side on one port")
    void addressesOfTwoFamiliesShareAPort(String listen, String admin) {
        assertThat(valid(preflight("listen { host = \"" + listen + "\", port = 8080 }, admin { host = \"" + admin
                                + "\", port = 8080 }"))
                        .admin()
                        .port())
                .isEqualTo(8080);
    }

    @Test
    @DisplayName("V4, O1: a listen or admin host no lookup finds here is warned about: the start would fail")
    void anUnknownListenHostIsWarnedAbout() {
        assertThat(
                        valid(preflight("listen.host = \"no-such-host.invalid\", admin.host = \"localhost\""))
                                .warnings()
                                .stream()
                                .map(ConfigProblem::render))
                .containsExactly("preflight.listen.host (string:3): no-such-host.invalid (warning: no such host here:"
                        + " the proxy would not start (cannot listen on it))");
    }

    @Test
    void upstreamUrlMustBeAString() {
        assertThat(problems("preflight.upstream.url = 3000"))
                .containsExactly(
                        "preflight.upstream.url (string:1): 3000 (expected: an http:// or https:// URL, e.g. http://127.0.0.1:3000)");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "http://127.0.0.1:3000, http://127.0.0.1:3000",
        "http://api:3000/, http://api:3000",
        "HTTPS://API.Example.com, https://api.example.com",
        "https://[::1]:8443, https://[::1]:8443"
    })
    void upstreamUrlIsNormalisedToSchemeHostAndPort(String written, String normalised) {
        Settings settings = valid("preflight.upstream.url = \"" + written + "\"");

        assertThat(settings.upstream().url()).isEqualTo(URI.create(normalised));
    }

    static Stream<Arguments> acceptedEdgeValues() {
        return Stream.of(
                accepted("listen.port = 0", s -> s.listen().port(), 0),
                accepted("admin.port = 65535", s -> s.admin().port(), 65535),
                accepted("listen.port = \"8081\"", s -> s.listen().port(), 8081),
                accepted("shutdown.drain-timeout = 0s", s -> s.shutdown().drainTimeout(), Duration.ZERO),
                accepted("cors.max-age = null", s -> s.cors().maxAge().isPresent(), false),
                accepted("cors.max-age = 0", s -> s.cors().maxAge().orElseThrow(), Duration.ZERO),
                accepted("cors.max-age = 2h", s -> s.cors().maxAge().orElseThrow(), Duration.ofHours(2)),
                accepted("cors.preflight-status = 200", s -> s.cors().preflightStatus(), 200),
                accepted("cors.mode = report-only", s -> s.cors().mode(), CorsSettings.Mode.REPORT_ONLY),
                accepted(
                        "cors.disallowed-origin = reject",
                        s -> s.cors().disallowedOrigin(),
                        CorsSettings.DisallowedOrigin.REJECT),
                accepted(
                        "cors.upstream-cors-headers = preserve",
                        s -> s.cors().upstreamCorsHeaders(),
                        CorsSettings.UpstreamCorsHeaders.PRESERVE),
                accepted(
                        "upstream.host-header = upstream",
                        s -> s.upstream().hostHeader(),
                        UpstreamSettings.HostHeader.UPSTREAM),
                accepted("forwarded.headers = none", s -> s.forwarded().headers(), ForwardedSettings.Style.NONE),
                accepted(
                        "forwarded.headers = forwarded",
                        s -> s.forwarded().headers(),
                        ForwardedSettings.Style.FORWARDED),
                accepted("access-log.format = json", s -> s.accessLog().format(), AccessLogSettings.Format.JSON),
                accepted(
                        "fetch-metadata { enabled = true, mode = report-only }",
                        s -> s.fetchMetadata().mode(),
                        FetchMetadataSettings.Mode.REPORT_ONLY),
                accepted("limits.max-initial-line = 256", s -> s.limits().maxInitialLine(), 256),
                accepted("limits.max-header-size = 1m", s -> s.limits().maxHeaderSize(), 1 << 20),
                accepted("limits.max-body-size = 0", s -> s.limits().maxBodySize(), 0L),
                accepted("limits.max-body-size = 1g", s -> s.limits().maxBodySize(), 1L << 30),
                accepted("cors.allowed-methods = [\"*\"]", s -> s.cors().allowedMethods(), java.util.List.of("*")),
                accepted(
                        "cors.allowed-origins = [\"https://*.example.com\", \"null\"]",
                        s -> s.cors().allowedOrigins(),
                        java.util.List.of("https://*.example.com", "null")));
    }

    private static Arguments accepted(String line, Function<Settings, Object> read, Object expected) {
        return Arguments.of(Named.of(line, line), read, expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("acceptedEdgeValues")
    void edgeValuesAreAccepted(String line, Function<Settings, Object> read, Object expected) {
        assertThat(read.apply(valid(preflight("  " + line)))).isEqualTo(expected);
    }

    @Test
    void threeMistakesInAFileAreThreeProblemsEachWithItsLine(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("application.conf"), """
                preflight {
                  upstream.url = "http://127.0.0.1:3000"
                  listen {
                    port = "eighty"
                  }
                  cors {
                    allowed-origin = ["https://app.example.com"]
                    mode = enforced
                  }
                }
                """);

        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> ConfigLoader.load(file, Map.of()));

        assertThat(e.problems())
                .containsExactly(
                        new ConfigProblem("preflight.listen.port", file + ":4", "eighty", "a port number 0..65535"),
                        new ConfigProblem(
                                "preflight.cors.allowed-origin",
                                file + ":7",
                                "unknown key",
                                "did you mean allowed-origins?"),
                        new ConfigProblem(
                                "preflight.cors.mode", file + ":8", "enforced", "one of enforce, report-only"));
        assertThat(e.getMessage())
                .isEqualTo(String.join(
                        "\n",
                        "preflight.listen.port (" + file + ":4): eighty (expected: a port number 0..65535)",
                        "preflight.cors.allowed-origin (" + file + ":7): unknown key (did you mean allowed-origins?)",
                        "preflight.cors.mode (" + file + ":8): enforced (expected: one of enforce, report-only)"));
    }

    @Test
    void problemsComeInFileOrderWhateverTheSection() {
        assertThat(problems(preflight("""
                  shutdown.drain-timeout = -1s
                  listen.port = -1
                  cors.mode = x
                  admin.port = -1
                """)))
                .extracting(message -> message.substring(0, message.indexOf(')') + 1))
                .containsExactly(
                        "preflight.shutdown.drain-timeout (string:3)",
                        "preflight.listen.port (string:4)",
                        "preflight.cors.mode (string:5)",
                        "preflight.admin.port (string:6)");
    }

    @Test
    void aPreflightThatIsNotAnObjectIsReported() {
        assertThat(problems("preflight = 5"))
                .containsExactly(
                        "preflight.upstream.url: missing (expected: an http:// or https:// URL, e.g. http://127.0.0.1:3000)",
                        "preflight (string:1): 5 (expected: an object, e.g. preflight { upstream.url = \"http://127.0.0.1:3000\" })");
    }
}
