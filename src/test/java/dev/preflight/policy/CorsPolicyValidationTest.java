package dev.preflight.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** V2-V5 as {@link CorsPolicy#compile} reports them, before the config package adds paths and lines. */
class CorsPolicyValidationTest {

    private static final String WILDCARD =
            "a * only as whole leftmost labels or as the whole port, e.g. https://*.example.com or http://localhost:*";
    private static final String ORIGIN =
            "an origin scheme://host[:port], e.g. https://app.example.com, https://*.example.com or http://localhost:*";

    static Stream<Arguments> originErrors() {
        return Stream.of(
                origin("https://app.example.com/", "an origin without a trailing slash, i.e. https://app.example.com"),
                origin("https://app.example.com/api", "an origin without a path, i.e. https://app.example.com"),
                origin(
                        "https://app.example.com?x=1",
                        "an origin without a query or fragment, i.e. https://app.example.com"),
                origin(
                        "https://app.example.com#top",
                        "an origin without a query or fragment, i.e. https://app.example.com"),
                origin("https://user:pw@app.example.com", "an origin without user info, i.e. https://app.example.com"),
                origin(" https://app.example.com", "an origin without whitespace, i.e. https://app.example.com"),
                // Pasted from a page or a document: a no-break space, a zero-width space, a byte-order mark.
                origin("https://app.example.com\u00a0", "an origin without whitespace, i.e. https://app.example.com"),
                origin("\u200bhttps://app.example.com", "an origin without whitespace, i.e. https://app.example.com"),
                origin("\ufeffhttps://app.example.com", "an origin without whitespace, i.e. https://app.example.com"),
                origin("http://[::1", "an IPv6 address closed by ], e.g. http://[::1]:8080"),
                origin(
                        "https://a.example https://b.example",
                        "one origin per entry, i.e. \"https://a.example\", \"https://b.example\""),
                origin(
                        "https://a.example\u00a0https://b.example",
                        "one origin per entry, i.e. \"https://a.example\", \"https://b.example\""),
                origin(
                        "https://a.example,https://b.example",
                        "one origin per entry, i.e. \"https://a.example\", \"https://b.example\""),
                origin(
                        "https://a.example, https://b.example:8443",
                        "one origin per entry, i.e. \"https://a.example\", \"https://b.example:8443\""),
                origin("http://[::1:8080", "an IPv6 address closed by ], e.g. http://[::1]:8080"),
                origin(
                        "https://app.example.com:443/",
                        "an origin without a trailing slash, i.e. https://app.example.com"),
                origin("HTTPS://App.Example.com/", "an origin without a trailing slash, i.e. https://app.example.com"),
                origin("app.example.com", "an origin with its scheme, i.e. https://app.example.com"),
                // V2: addresses as browsers write them (URL standard), else the entry never matches.
                origin("http://127.1", "an origin with the address as browsers write it, i.e. http://127.0.0.1"),
                origin(
                        "http://0x7f.0.0.1:8080",
                        "an origin with the address as browsers write it, i.e. http://127.0.0.1:8080"),
                origin("http://0177.0.0.1", "an origin with the address as browsers write it, i.e. http://127.0.0.1"),
                origin("http://2130706433", "an origin with the address as browsers write it, i.e. http://127.0.0.1"),
                origin(
                        "http://256.0.0.1",
                        "a host name, or an IPv4 address of four numbers 0-255, e.g. http://127.0.0.1:8080"),
                origin(
                        "http://a.b.09",
                        "a host name, or an IPv4 address of four numbers 0-255, e.g. http://127.0.0.1:8080"),
                origin(
                        "https://[0:0:0:0:0:0:0:1]",
                        "an origin with the address as browsers write it, i.e. https://[::1]"),
                origin(
                        "https://[::FFFF:127.0.0.1]:8443",
                        "an origin with the address as browsers write it, i.e. https://[::ffff:7f00:1]:8443"),
                origin(
                        "http://[2001:db8:0:0:1:0:0:1]",
                        "an origin with the address as browsers write it, i.e. http://[2001:db8::1:0:0:1]"),
                origin("https://[:]", ORIGIN),
                origin("https://[1::2::3]", ORIGIN),
                origin(
                        "wss://app.example.com",
                        "an origin with the page's scheme as browsers write it, i.e. https://app.example.com"),
                origin(
                        "ws://localhost:8080",
                        "an origin with the page's scheme as browsers write it, i.e. http://localhost:8080"),
                origin("https://*example.com", WILDCARD),
                origin("https://a.*.com", WILDCARD),
                origin("https://*", WILDCARD),
                origin("*.example.com", "an origin with its scheme, i.e. https://*.example.com"),
                origin("https://app.example.com:8*", WILDCARD),
                origin(
                        "https://*.com",
                        "a * in front of at least two labels, so that one entry cannot allow a whole top-level domain,"
                                + " e.g. https://*.example.com"),
                origin(
                        "https://*.*.example.com",
                        "a single *. in front, which already matches one or more labels, e.g. https://*.example.com"),
                origin("https://app.example.com:0", "a port 1..65535 or *, e.g. http://localhost:8080"),
                origin("https://app.example.com:99999", "a port 1..65535 or *, e.g. http://localhost:8080"),
                origin("https://app example.com", ORIGIN),
                origin("https://", ORIGIN),
                origin("", ORIGIN),
                origin(
                        "https://bücher.example",
                        "an origin with the host as browsers write it, i.e. https://xn--bcher-kva.example"));
    }

    private static Arguments origin(String entry, String expected) {
        return Arguments.of(entry, expected);
    }

    @ParameterizedTest(name = "V2: {0}")
    @MethodSource("originErrors")
    void v2AnOriginIsSchemeHostAndPortOnly(String entry, String expected) {
        assertThat(rendered(Cors.origins("https://ok.example.com", entry)))
                .containsExactly("allowed-origins[1]: " + entry + " (expected: " + expected + ")");
    }

    @ParameterizedTest(name = "V2: {0} is fine")
    @ValueSource(
            strings = {
                "*",
                "https://app.example.com",
                "https://app.example.com:443",
                "https://*.example.com",
                "https://*.example.com:*",
                "http://localhost:*",
                "http://*.localhost:*",
                "http://[::1]:3000",
                "http://127.0.0.1:8080",
                "http://[::ffff:7f00:1]",
                "https://[2001:db8::1]",
                "http://10.0.0.0",
                "https://api.v2",
                "chrome-extension://abcdefghijklmnop",
                "capacitor://localhost",
                "HTTPS://APP.EXAMPLE.COM"
            })
    void v2WellFormedOriginsHaveNoProblem(String entry) {
        assertThat(Cors.origins(entry).compile().problems()).isEmpty();
    }

    @Test
    void v2AnInvalidRegexIsAnError() {
        assertThat(rendered(Cors.defaults().regexes("https://ok[.]example[.]com", "(a")))
                .containsExactly(
                        "allowed-origin-regexes[1]: (a (expected: a valid Java regex (Unclosed group near index 2))");
    }

    @Test
    void v3CredentialsWithStarAreErrors() {
        assertThat(rendered(Cors.origins("*").methods("*").exposed("*").credentials()))
                .containsExactly(
                        "allow-credentials: true (expected: allow-credentials = false, or the origins listed instead of"
                                + " \"*\" in allowed-origins: browsers refuse credentials with Access-Control-Allow-Origin: *)",
                        "allow-credentials: true (expected: allow-credentials = false, or the methods listed instead of"
                                + " \"*\" in allowed-methods: with credentials, browsers read Access-Control-Allow-Methods: *"
                                + " as a method named *)",
                        "allow-credentials: true (expected: allow-credentials = false, or the headers listed instead of"
                                + " \"*\" in exposed-headers: with credentials, browsers read Access-Control-Expose-Headers:"
                                + " * as a header named *)");
        assertThat(Cors.origins("*").credentials().compile().problems())
                .singleElement()
                .satisfies(problem -> assertThat(problem.relatedKey()).contains("allowed-origins"));
    }

    @Test
    void v3StarWithoutCredentialsAndAllowedHeadersStarWithCredentialsAreFine() {
        assertThat(Cors.origins("*")
                        .methods("*")
                        .headers("*")
                        .exposed("*")
                        .compile()
                        .problems())
                .isEmpty();
        assertThat(Cors.origins("https://app.example.com")
                        .headers("*")
                        .credentials()
                        .compile()
                        .problems())
                .isEmpty();
    }

    @Test
    void v4RiskyValuesAreWarningsAndThePolicyIsStillCompiled() {
        CorsPolicy.Compiled compiled = Cors.origins(
                        "null",
                        "http://app.example.com",
                        "http://localhost:3000",
                        "http://127.0.0.1:8080",
                        "http://[::1]:*",
                        "http://*.localhost")
                .methods("patch", "delete", "PUT")
                .credentials()
                .maxAge(Duration.ofHours(3))
                .compile();

        assertThat(compiled.errors()).isEmpty();
        assertThat(compiled.policy()).isPresent();
        assertThat(compiled.warnings())
                .extracting(PolicyProblem::render)
                .containsExactly(
                        "allowed-origins[0]: null (warning: every sandboxed iframe and local file sends Origin: null,"
                                + " so any site can get this access)",
                        "allowed-origins[1]: http://app.example.com (warning: plain http with allow-credentials = true:"
                                + " anyone on the network of a visitor to http://app.example.com can act as it; use"
                                + " https://, or http:// only for loopback hosts)",
                        "allowed-methods[0]: patch (warning: methods are case-sensitive and browsers send patch only if"
                                + " the page writes it so; did you mean PATCH?)",
                        "allowed-methods[1]: delete (warning: browsers send DELETE whatever the page wrote, and methods"
                                + " are case-sensitive, so this never matches; did you mean DELETE?)",
                        "max-age: 10800s (warning: Chromium caps it at 7200 s (2h))");
    }

    @Test
    void v4PlainHttpWithoutCredentialsIsNoWarning() {
        assertThat(Cors.origins("http://app.example.com").compile().problems()).isEmpty();
    }

    @Test
    void v4MaxAgeBeyondBothBrowserCapsSaysSo() {
        assertThat(rendered(Cors.origins("https://a.example.com").maxAge(Duration.ofDays(2))))
                .containsExactly(
                        "max-age: 172800s (warning: browsers cap it: Chromium at 7200 s (2h), Firefox at 86400 s (24h))");
        assertThat(Cors.defaults().maxAge(Duration.ofHours(2)).compile().problems())
                .isEmpty();
    }

    @Test
    void maxAgeIsWholeSeconds() {
        assertThat(rendered(Cors.origins("https://a.example.com").maxAge(Duration.ofMillis(1500))))
                .containsExactly("max-age: 1500ms (expected: whole seconds, e.g. 10m or 600s)");
    }

    @Test
    void v4RegexesThatMatchNullOrAnyOriginAreWarnings() {
        assertThat(rendered(Cors.defaults().regexes(".*", "https?://.*", "https://[a-z]+[.]example[.]com")))
                .containsExactly(
                        "allowed-origin-regexes[0]: .* (warning: matches null, which every sandboxed iframe and local"
                                + " file sends)",
                        "allowed-origin-regexes[0]: .* (warning: matches any origin, e.g. https://evil.example; anchor"
                                + " it to your domain, e.g. https://[a-z0-9-]+[.]example[.]com)",
                        "allowed-origin-regexes[1]: https?://.* (warning: matches any origin, e.g. https://evil.example;"
                                + " anchor it to your domain, e.g. https://[a-z0-9-]+[.]example[.]com)");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            https://app\\.example\\.com.*            | also matches https://app.example.com.evil.example, a host anyone can register: end it with the host (and (:[0-9]+)? for a port)
            ^https://app\\.example\\.com.+$          | also matches https://app.example.com.evil.example, a host anyone can register: end it with the host (and (:[0-9]+)? for a port)
            (?i)https://app\\.example\\.com.*        | also matches https://app.example.com.evil.example, a host anyone can register: end it with the host (and (:[0-9]+)? for a port)
            https?://app\\.example\\.com.*           | also matches https://app.example.com.evil.example, a host anyone can register: end it with the host (and (:[0-9]+)? for a port)
            "https://(www|app)\\.example\\.com.*"    | also matches https://www.example.com.evil.example, a host anyone can register: end it with the host (and (:[0-9]+)? for a port)
            https://app\\.example\\.com(:\\d+)?.*    | also matches https://app.example.com:1.evil.example, a host anyone can register: end it with the host (and (:[0-9]+)? for a port)
            https://app\\.example\\.com\\..*         | also matches https://app.example.com.evil.example, a host anyone can register: end it with the host (and (:[0-9]+)? for a port)
            https://app.example.com                  | also matches https://appxexamplexcom: an unescaped . matches any character; write \\. or [.]
            https://app\\.example.com                | also matches https://app.examplexcom: an unescaped . matches any character; write \\. or [.]
            https://App\\.example\\.com              | never matches: origins are compared in lower case, and it asks for capitals
            (?i)https://App\\.example\\.com          | ""
            https://app\\.example\\.com              | ""
            https://.*\\.example\\.com               | ""
            ^https?://(.*\\.)?example\\.com$         | ""
            "https://(www|app)\\.example\\.com"      | ""
            https://[a-z0-9-]+[.]example[.]com       | ""
            https://[a-z]+\\.example\\.com(:\\d+)?   | ""
            http://localhost(:[0-9]+)?               | ""
            https://app\\.example\\.com(:[0-9]+)?    | ""
            https://app\\.example\\.com/?            | ""
            https://.*-app\\.example\\.com           | ""
            https://.*example\\.com                  | also matches https://evilexample.com, a host anyone can register: let a wildcard end at a dot, as in https://([a-z0-9-]+[.])?example[.]com
            https://.+example\\.com                  | also matches https://evilexample.com, a host anyone can register: let a wildcard end at a dot, as in https://([a-z0-9-]+[.])?example[.]com
            https://[a-z0-9-]*example\\.com          | also matches https://evilexample.com, a host anyone can register: let a wildcard end at a dot, as in https://([a-z0-9-]+[.])?example[.]com
            https://(.*)example\\.com                | also matches https://evilexample.com, a host anyone can register: let a wildcard end at a dot, as in https://([a-z0-9-]+[.])?example[.]com
            https://.*\\.?example\\.com              | also matches https://evilexample.com, a host anyone can register: let a wildcard end at a dot, as in https://([a-z0-9-]+[.])?example[.]com
            https://.*example\\.com:\\d+             | also matches https://evilexample.com:1, a host anyone can register: let a wildcard end at a dot, as in https://([a-z0-9-]+[.])?example[.]com
            https://[a-z]+\\.example\\.[a-z]+        | also matches https://a.example.evil, any top-level domain: write yours
            http://localhost:.*                      | ""
            http://127\\.0\\.0\\.1:.+                | ""
            https://app\\.example\\.com:.*           | ""
            https://app\\.example\\.com/.*           | never matches: an origin has no path, only scheme://host[:port]
            """)
    @DisplayName("V4: an origin regex that lets a host follow or lead, any top-level domain, has a path, a bare dot, or"
            + " asks for capitals is warned about")
    void v4RegexSlips(String regex, String warning) {
        List<String> problems = rendered(Cors.defaults().regexes(regex));

        if (warning.isEmpty()) {
            assertThat(problems).isEmpty();
        } else {
            assertThat(problems).containsExactly("allowed-origin-regexes[0]: " + regex + " (warning: " + warning + ")");
        }
    }

    @Test
    @DisplayName("V4: Set-Cookie in exposed-headers is warned about: no browser lets a script read it")
    void setCookieIsNeverExposed() {
        assertThat(rendered(Cors.origins("https://a.example.com").exposed("X-Request-Id", "set-cookie")))
                .containsExactly("exposed-headers[1]: set-cookie (warning: browsers never let a script read it (a"
                        + " forbidden response header name), exposed or not)");
    }

    @Test
    void v5MethodsAndHeaderNamesAreTokensAndForbiddenMethodsAreRefused() {
        assertThat(rendered(Cors.origins("https://a.example.com")
                        .methods("PO ST", "CONNECT", "trace", "Track", "PUT")
                        .headers("X Custom", "Content-Type:", "X-Ok")
                        .exposed("X-Request-Id ")))
                .containsExactly(
                        "allowed-methods[0]: PO ST (expected: a method name (an RFC 9110 token), e.g. PATCH)",
                        "allowed-methods[1]: CONNECT (expected: a method browsers may send; CONNECT, TRACE and TRACK are"
                                + " forbidden)",
                        "allowed-methods[2]: trace (expected: a method browsers may send; CONNECT, TRACE and TRACK are"
                                + " forbidden)",
                        "allowed-methods[3]: Track (expected: a method browsers may send; CONNECT, TRACE and TRACK are"
                                + " forbidden)",
                        "allowed-headers[0]: X Custom (expected: a header name (an RFC 9110 token), e.g. Content-Type)",
                        "allowed-headers[1]: Content-Type: (expected: a header name (an RFC 9110 token), e.g."
                                + " Content-Type)",
                        "exposed-headers[0]: X-Request-Id  (expected: a header name (an RFC 9110 token), e.g."
                                + " X-Request-Id)");
    }

    @Test
    void anErrorMeansNoPolicyAndEveryProblemIsReportedAtOnce() {
        CorsPolicy.Compiled compiled = Cors.origins("https://a.example.com/", "null", "https://*")
                .methods("TRACE")
                .compile();

        assertThat(compiled.policy()).isEmpty();
        assertThat(compiled.errors())
                .extracting(PolicyProblem::path)
                .containsExactly("allowed-origins[0]", "allowed-origins[2]", "allowed-methods[0]");
        assertThat(compiled.warnings()).extracting(PolicyProblem::path).containsExactly("allowed-origins[1]");
    }

    private static List<String> rendered(Cors cors) {
        return cors.compile().problems().stream().map(PolicyProblem::render).toList();
    }
}
