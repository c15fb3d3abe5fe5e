package dev.preflight.admin;

import static dev.preflight.admin.AdminFixtures.APP;
import static dev.preflight.admin.AdminFixtures.EVIL;
import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.cli.Explainer;
import dev.preflight.cli.ExplanationText;
import dev.preflight.config.AdminSettings;
import dev.preflight.config.Settings;
import dev.preflight.testing.JsonReader;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.math.BigDecimal;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code /explain} through a real socket answers what {@code preflight explain} prints for the same
 * inputs (issue 5, O1/O2): same route and upstream, decision, reason and detail, status and headers.
 */
@Timeout(60)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminExplainTest {
    private final AtomicReference<Settings> settings = new AtomicReference<>();
    private PrometheusMeterRegistry registry;
    private AdminServer server;
    private AdminHttp http;

    @BeforeAll
    void start() throws Exception {
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        server = AdminServer.start(
                new AdminSettings(true, "127.0.0.1", 0), new AdminContext(registry, new Health(), settings::get));
        http = new AdminHttp(server.address());
    }

    @BeforeEach
    void policy() {
        settings.set(AdminFixtures.settings(AdminFixtures.POLICY));
    }

    @AfterAll
    void stop() {
        server.close();
        registry.close();
    }

    static Stream<Arguments> questions() {
        return Stream.of(
                row("allowed preflight", APP, "PUT", List.of("X-Token"), "/items", null, true),
                row("preflight with two headers", APP, "PUT", List.of("X-Token", "content-type"), "/", null, true),
                row("header-not-allowed", APP, "PUT", List.of("X-Other"), "/items", null, true),
                row("method-not-allowed", APP, "DELETE", List.of(), "/items", null, true),
                row("origin-not-allowed, preflight", EVIL, "GET", List.of(), "/items", null, true),
                row("allowed actual request", APP, "GET", List.of(), "/items?q=1", null, false),
                row("origin-not-allowed, forwarded", EVIL, "GET", List.of(), "/items", null, false),
                row("origin-malformed", "https://app.example.com/", "GET", List.of(), "/", null, false),
                row("any origin on the public route", EVIL, "GET", List.of(), "/public/a", null, false),
                row("host and path select v2", APP, "GET", List.of(), "/v2/a", "api.example.com", false),
                row("v2 needs its host", APP, "GET", List.of(), "/v2/a", "other.example.com", false),
                row("same-origin", "http://api.example.com", "POST", List.of(), "/", "api.example.com", false),
                row("cors disabled", EVIL, "GET", List.of(), "/socket", null, true),
                row("report-only", EVIL, "PUT", List.of(), "/shadow/x", null, true),
                row("reject answers 403", EVIL, "GET", List.of(), "/strict/x", null, false),
                row(
                        "preserve: the backend's CORS headers kept, none added",
                        APP,
                        "GET",
                        List.of(),
                        "/kept/x",
                        null,
                        false),
                row("preserve: a preflight is still answered here", APP, "PUT", List.of(), "/kept/x", null, true),
                row("the null origin, listed", "null", "GET", List.of(), "/", null, false),
                row("escaping survives", "https://a\"b.example", "GET", List.of(), "/", null, false));
    }

    private static Arguments row(
            String name, String origin, String method, List<String> headers, String path, String host, boolean pre) {
        return Arguments.of(name, new Explainer.Question(origin, method, headers, path, host, pre));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("questions")
    @DisplayName("O1/O2: /explain matches preflight explain")
    void matchesTheCli(String name, Explainer.Question question) throws Exception {
        Rendered cli =
                Rendered.parse(ExplanationText.render(question, new Explainer(settings.get()).explain(question)));

        HttpResponse<String> response = http.get(uri(question));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
        Map<String, Object> json = JsonReader.object(response.body());
        assertThat(json)
                .containsOnlyKeys(
                        "route",
                        "upstream",
                        "mode",
                        "kind",
                        "outcome",
                        "reason",
                        "fetch_metadata",
                        "detail",
                        "status",
                        "forwarded",
                        "headers",
                        "report_only_headers");
        assertThat(json.get("route")).isEqualTo(cli.route());
        assertThat(json.get("upstream")).isEqualTo(cli.upstream());
        if (cli.outcome() == null) { // CORS disabled: the CLI prints no decision
            assertThat(json)
                    .containsEntry("mode", "disabled")
                    .containsEntry("kind", "none")
                    .containsEntry("outcome", "not-applicable")
                    .containsEntry("reason", "disabled");
        } else {
            assertThat(json.get("outcome")).isEqualTo(cli.outcome());
            assertThat(json.get("kind")).isEqualTo(cli.kind());
            assertThat(json.get("reason")).isEqualTo(cli.reason());
            assertThat(json.get("detail")).isEqualTo(cli.detail());
            assertThat(json.get("mode")).isEqualTo(cli.reportOnly() ? "report-only" : "enforce");
        }
        assertThat(json.get("status")).isEqualTo(BigDecimal.valueOf(cli.status()));
        assertThat(json.get("forwarded")).isEqualTo(cli.status() == 0 || cli.reportOnly() || cli.outcome() == null);
        List<String> headers = new ArrayList<>();
        for (Object header : (List<?>) json.get("headers")) {
            Map<?, ?> h = (Map<?, ?>) header;
            headers.add(h.get("name") + ": " + h.get("value"));
        }
        assertThat(headers).isEqualTo(cli.headers());
    }

    @Test
    @DisplayName("C10: with upstream-cors-headers = preserve a forwarded response gets none of our CORS headers")
    void preserveAddsNoCorsHeaders() throws Exception {
        Both answer = both(new Explainer.Question(APP, "GET", List.of(), "/kept/x", null, false));

        assertThat((List<?>) answer.json().get("headers")).hasSize(1); // Vary: Origin alone
        assertThat(answer.cli())
                .contains("upstream-cors-headers = preserve")
                .doesNotContain("Access-Control-Allow-Origin");
    }

    @Test
    @DisplayName("P5: a path the proxy refuses (an encoded slash) is explained as its 400, not as a route's answer")
    void refusedPath() throws Exception {
        Both answer = both(new Explainer.Question(APP, "GET", List.of(), "/public/a%2Fb", null, false));

        assertThat(answer.json())
                .containsEntry("route", Explainer.REFUSED_PATH)
                .containsEntry("status", BigDecimal.valueOf(400))
                .containsEntry("reason", "path-refused")
                .containsEntry("forwarded", false);
        assertThat((List<?>) answer.json().get("headers")).isEmpty();
        assertThat(answer.cli())
                .contains("400 from the proxy")
                .contains("/public/a%2Fb")
                .contains("before any route");
    }

    @Test
    @DisplayName("RFC 9112 3.2: a Host the proxy refuses (not host[:port]) is explained as its 400, not as a route's"
            + " answer")
    void refusedHost() throws Exception {
        Both answer = both(new Explainer.Question(APP, "GET", List.of(), "/public/x", "bad host", false));

        assertThat(answer.json())
                .containsEntry("route", Explainer.REFUSED_HOST)
                .containsEntry("status", BigDecimal.valueOf(400))
                .containsEntry("reason", "host-refused")
                .containsEntry("forwarded", false);
        assertThat(answer.cli()).contains("400 from the proxy").contains("bad host is not host[:port]");
    }

    /** What {@code preflight explain} prints and what {@code /explain} answers, for one question. */
    private record Both(String cli, Map<String, Object> json) {}

    private Both both(Explainer.Question question) throws Exception {
        String cli = ExplanationText.render(question, new Explainer(settings.get()).explain(question));
        return new Both(cli, JsonReader.object(http.get(uri(question)).body()));
    }

    @Test
    @DisplayName("an allowed preflight, field by field")
    void allowedPreflightInFull() throws Exception {
        HttpResponse<String> response =
                http.get("/explain?origin=" + enc(APP) + "&method=PUT&header=X-Token&path=/items&preflight=true");

        assertThat(response.body())
                .isEqualTo("{\"route\":\"default\",\"upstream\":\"http://127.0.0.1:3000\",\"mode\":\"enforce\","
                        + "\"kind\":\"preflight\",\"outcome\":\"allowed\",\"reason\":\"allowed\","
                        + "\"fetch_metadata\":\"not-checked\",\"detail\":null,"
                        + "\"status\":204,\"forwarded\":false,\"headers\":["
                        + "{\"name\":\"Access-Control-Allow-Origin\",\"value\":\"https://app.example.com\"},"
                        + "{\"name\":\"Access-Control-Allow-Credentials\",\"value\":\"true\"},"
                        + "{\"name\":\"Access-Control-Allow-Methods\",\"value\":\"GET, PUT\"},"
                        + "{\"name\":\"Access-Control-Allow-Headers\",\"value\":\"X-Token\"},"
                        + "{\"name\":\"Access-Control-Max-Age\",\"value\":\"600\"},"
                        + "{\"name\":\"Vary\",\"value\":\"Origin, Access-Control-Request-Method, "
                        + "Access-Control-Request-Headers\"}],\"report_only_headers\":[]}");
    }

    @Test
    @DisplayName("F4/O2: /explain takes sec-fetch-site, -mode and -dest, like the CLI's --sec-fetch-* flags")
    void secFetch() throws Exception {
        settings.set(AdminFixtures.settings(AdminFixtures.POLICY + "preflight.fetch-metadata.enabled = true\n"));
        String get = "/explain?origin=" + enc(EVIL) + "&method=GET&path=/items&sec-fetch-site=cross-site";

        Map<String, Object> image = JsonReader.object(
                http.get(get + "&sec-fetch-mode=no-cors&sec-fetch-dest=image").body());
        Map<String, Object> fetch = JsonReader.object(
                http.get(get + "&sec-fetch-mode=cors&sec-fetch-dest=empty").body());
        Map<String, Object> none = JsonReader.object(http.get("/explain?origin=" + enc(APP) + "&method=GET&path=/items")
                .body());

        assertThat(image)
                .containsEntry("fetch_metadata", "refused")
                .containsEntry("reason", "fetch-metadata")
                .containsEntry("status", BigDecimal.valueOf(403));
        assertThat(fetch).containsEntry("fetch_metadata", "allowed").containsEntry("reason", "origin-not-allowed");
        assertThat(none).containsEntry("fetch_metadata", "allowed").containsEntry("reason", "allowed");
    }

    @Test
    @DisplayName("a bare &preflight reads as true, like --preflight")
    void barePreflightFlag() throws Exception {
        Map<String, Object> json = JsonReader.object(http.get("/explain?origin=" + enc(APP) + "&method=PUT&preflight")
                .body());

        assertThat(json).containsEntry("kind", "preflight");
    }

    @Test
    @DisplayName("O4: answers follow a reload")
    void followsReload() throws Exception {
        String uri = "/explain?origin=" + enc(EVIL) + "&method=GET";
        assertThat(JsonReader.object(http.get(uri).body())).containsEntry("outcome", "rejected");

        settings.set(AdminFixtures.settings(
                "preflight { upstream.url = \"http://127.0.0.1:3000\", cors.allowed-origins = [\"" + EVIL + "\"] }"));

        assertThat(JsonReader.object(http.get(uri).body()))
                .containsEntry("outcome", "allowed")
                .containsEntry("reason", "allowed");
    }

    @Test
    void methodIsRequired() throws Exception {
        for (String query : List.of("", "?origin=" + enc(APP), "?method=&origin=" + enc(APP))) {
            HttpResponse<String> response = http.get("/explain" + query);

            assertThat(response.statusCode()).as(query).isEqualTo(400);
            assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
            assertThat(JsonReader.object(response.body()))
                    .as(query)
                    .containsEntry("usage", ExplainEndpoint.USAGE)
                    .containsEntry("error", "missing query parameter: method");
        }
    }

    @Test
    @DisplayName("C1: without origin, a request without Origin is explained: forwarded, no CORS headers")
    void withoutOrigin() throws Exception {
        Both answer = both(new Explainer.Question(null, "GET", List.of(), "/items", null, false));

        assertThat(answer.json())
                .containsEntry("kind", "none")
                .containsEntry("forwarded", true)
                .containsEntry("status", BigDecimal.ZERO);
        assertThat(answer.cli()).contains("request:   GET without Origin");
    }

    @Test
    void preflightMustBeABoolean() throws Exception {
        HttpResponse<String> response = http.get("/explain?origin=" + enc(APP) + "&method=GET&preflight=yes");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(JsonReader.object(response.body()))
                .containsEntry("error", "preflight: yes (expected: true or false)");
    }

    @Test
    @DisplayName("C13/O2: on a report-only route, headers are all enforcing's (its Preflight-Decision too, for a"
            + " preflight or an actual request alike) and report_only_headers the one the proxy does add")
    void reportOnlyKeepsEnforcingAndNowApart() throws Exception {
        settings.set(AdminFixtures.settings(
                AdminFixtures.POLICY.replace("preflight {", "preflight {\n  debug.decision-header = true")));
        for (String query : List.of("method=GET", "method=PUT&preflight=true")) {
            HttpResponse<String> response = http.get("/explain?origin=" + enc(APP) + "&path=/shadow/x&" + query);
            String body = response.body();

            assertThat(response.statusCode()).as(query).isEqualTo(200);
            assertThat(body)
                    .as(query)
                    .contains("\"mode\":\"report-only\"")
                    .contains("{\"name\":\"Preflight-Decision\",\"value\":\"allowed; reason=allowed; route=shadow\"}")
                    .contains("\"report_only_headers\":[{\"name\":\"Preflight-Decision\",\"value\":\"report-only;"
                            + " would=allowed; reason=allowed; route=shadow\"}]");
        }
    }

    @Test
    @DisplayName("P7/C13: a WebSocket handshake from a disallowed origin on a report-only route is enforcing's 403;"
            + " an allowed one says a 101 goes through as it is (the proxy adds nothing to it)")
    void webSocketHandshakes() throws Exception {
        Explainer.Question refused =
                new Explainer.Question(EVIL, "GET", List.of(), "/shadow/ws", null, false, null, null, false, true);
        Explainer.Question allowed =
                new Explainer.Question(APP, "GET", List.of(), "/ws", null, false, null, null, false, true);

        assertThat(both(refused).json())
                .containsEntry("mode", "report-only")
                .containsEntry("status", BigDecimal.valueOf(403));
        assertThat(both(allowed).cli()).contains("a 101 from the backend goes through as it is");
    }

    @Test
    @DisplayName("O2: questions the proxy could never be asked are refused, not answered as another one: private"
            + " network without a preflight, a WebSocket handshake that is not a GET or is a preflight")
    void contradictionsAreRefused() throws Exception {
        for (String query : List.of(
                "method=GET&private-network=true",
                "method=POST&websocket=true",
                "method=GET&websocket=true&preflight=true")) {
            HttpResponse<String> response = http.get("/explain?origin=" + enc(APP) + "&" + query);

            assertThat(response.statusCode()).as(query).isEqualTo(400);
            assertThat(JsonReader.object(response.body()).get("error").toString())
                    .as(query)
                    .containsAnyOf("private network access is asked by a preflight", "a WebSocket handshake is a GET");
        }
    }

    private static String uri(Explainer.Question q) {
        StringBuilder uri = new StringBuilder("/explain?method=").append(enc(q.method()));
        if (q.origin() != null) {
            uri.append("&origin=").append(enc(q.origin()));
        }
        q.headers().forEach(h -> uri.append("&header=").append(enc(h)));
        uri.append("&path=").append(enc(q.path()));
        if (q.host() != null) {
            uri.append("&host=").append(enc(q.host()));
        }
        if (q.websocket()) {
            uri.append("&websocket=true");
        }
        return uri.append("&preflight=").append(q.preflight()).toString();
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** What {@link ExplanationText#render} printed, read back line by line. */
    private record Rendered(
            String route,
            String upstream,
            String outcome,
            String kind,
            String reason,
            String detail,
            boolean reportOnly,
            int status,
            List<String> headers) {
        private static final Pattern ROUTE = Pattern.compile("route: +(\\S+) \\(upstream (\\S+)\\)");
        private static final Pattern DECISION = Pattern.compile("decision: +(\\S+) \\((\\S+)\\)");
        private static final Pattern REASON = Pattern.compile("reason: +(\\S+)(?: \\((.*)\\))?");
        private static final Pattern ANSWER = Pattern.compile("answer: +(\\d+) from the proxy.*");

        static Rendered parse(String text) {
            String route = null, upstream = null, outcome = null, kind = null, reason = null, detail = null;
            boolean reportOnly = false;
            int status = 0;
            List<String> headers = new ArrayList<>();
            for (String line : text.split("\n")) {
                Matcher m;
                if ((m = ROUTE.matcher(line)).matches()) {
                    route = m.group(1);
                    upstream = m.group(2);
                } else if ((m = DECISION.matcher(line)).matches()) {
                    outcome = m.group(1);
                    kind = m.group(2);
                } else if ((m = REASON.matcher(line)).matches()) {
                    reason = m.group(1);
                    detail = m.group(2);
                } else if ((m = ANSWER.matcher(line)).matches()) {
                    status = Integer.parseInt(m.group(1));
                } else if (line.startsWith("mode:") && line.contains("report-only")) {
                    reportOnly = true;
                } else if (line.startsWith("  ") && !line.equals("  (no CORS headers)")) {
                    headers.add(line.substring(2));
                }
            }
            assertThat(route).as("a route line in:\n%s", text).isNotNull();
            return new Rendered(route, upstream, outcome, kind, reason, detail, reportOnly, status, headers);
        }
    }
}
