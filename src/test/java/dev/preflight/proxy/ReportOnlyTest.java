package dev.preflight.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.config.ConfigLoader;
import dev.preflight.testing.Await;
import dev.preflight.testing.Behaviour;
import dev.preflight.testing.LogCapture;
import dev.preflight.testing.ProxyHarness;
import dev.preflight.testing.RawClient;
import dev.preflight.testing.RawResponse;
import dev.preflight.testing.TestBackend;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * C13: in report-only mode the proxy is transparent (the client sees the backend's answer, byte for
 * byte, preflights included) and counts how the backend's answer compares with the policy's.
 */
@Timeout(30)
class ReportOnlyTest {
    private static final String APP = "http://app.example";
    private static final String EVIL = "http://evil.example";

    private LogCapture accessLines;
    private TestBackend backend;
    private ProxyServer proxy;
    private SimpleMeterRegistry registry;

    @BeforeEach
    void start() throws Exception {
        accessLines = LogCapture.of(AccessLog.LOGGER);
        backend = TestBackend.start();
        // The backend's own CORS: right for APP, wrong (allows everyone) on /open, missing on /legacy.
        backend.on("/right", Behaviour.respond(200, "right", "Access-Control-Allow-Origin", APP, "Vary", "Origin"));
        backend.on("/open", Behaviour.respond(200, "open", "Access-Control-Allow-Origin", "*"));
        backend.on("/legacy", Behaviour.respond(200, "legacy"));
        backend.on("/credentials", Behaviour.respond(200, "creds", "Access-Control-Allow-Origin", APP));
        registry = new SimpleMeterRegistry();
        proxy = ProxyServer.start(
                ConfigLoader.parse(
                        ProxyHarness.hocon(
                                backend.url(),
                                0,
                                "cors { mode = report-only, allowed-origins = [\"" + APP
                                        + "\"], allow-credentials = true }"),
                        Map.of()),
                registry);
    }

    @AfterEach
    void stop() {
        accessLines.close();
        proxy.close();
        backend.close();
    }

    @Test
    @DisplayName("C13: the client sees the backend's response byte for byte, and the verdicts are counted exactly")
    void verdicts() throws Exception {
        RawResponse right = exchange("GET /right HTTP/1.1\r\nHost: api\r\nOrigin: " + APP + "\r\n\r\n");
        exchange("GET /legacy HTTP/1.1\r\nHost: api\r\nOrigin: " + APP + "\r\n\r\n"); // we would allow
        exchange("GET /credentials HTTP/1.1\r\nHost: api\r\nOrigin: " + APP + "\r\n\r\n"); // no ACAC there
        exchange("GET /right HTTP/1.1\r\nHost: api\r\n\r\n"); // not CORS: not compared

        assertThat(right.headers("Access-Control-Allow-Origin")).containsExactly(APP);
        assertThat(right.hasHeader("Access-Control-Allow-Credentials")).isFalse();
        assertThat(right.headers("Vary")).containsExactly("Origin");
        assertThat(right.bodyText()).isEqualTo("right");
        RawResponse open = exchange("GET /open HTTP/1.1\r\nHost: api\r\nOrigin: " + EVIL + "\r\n\r\n");
        assertThat(open.headers("Access-Control-Allow-Origin")).containsExactly("*"); // untouched, though wrong
        assertThat(count("agree")).isZero();
        assertThat(count("would-reject")).isEqualTo(1); // /open from EVIL
        assertThat(count("would-allow")).isEqualTo(1);
        assertThat(count("differ")).isEqualTo(2); // /right and /credentials: no credentials at the backend
    }

    @Test
    @DisplayName("C13: the backend's answer is read as a browser reads it: two Allow-Origin lines allow nothing,"
            + " credentials only as exactly true")
    void backendReadAsBrowsersRead() throws Exception {
        backend.on(
                "/agree",
                Behaviour.respond(
                        200, "", "Access-Control-Allow-Origin", APP, "Access-Control-Allow-Credentials", "true"));
        backend.on(
                "/twice",
                Behaviour.respond(
                        200,
                        "",
                        "Access-Control-Allow-Origin",
                        APP,
                        "Access-Control-Allow-Origin",
                        APP,
                        "Access-Control-Allow-Credentials",
                        "true"));
        backend.on(
                "/capital",
                Behaviour.respond(
                        200, "", "Access-Control-Allow-Origin", APP, "Access-Control-Allow-Credentials", "True"));

        exchange("GET /agree HTTP/1.1\r\nHost: api\r\nOrigin: " + APP + "\r\n\r\n");
        RawResponse twice = exchange("GET /twice HTTP/1.1\r\nHost: api\r\nOrigin: " + APP + "\r\n\r\n");
        exchange("GET /capital HTTP/1.1\r\nHost: api\r\nOrigin: " + APP + "\r\n\r\n");

        assertThat(twice.headers("Access-Control-Allow-Origin")).containsExactly(APP, APP); // untouched
        assertThat(count("agree")).isEqualTo(1);
        assertThat(count("would-allow")).isEqualTo(1); // the browser joins the two lines: no match
        assertThat(count("differ")).isEqualTo(1); // "True" is not true to a browser
    }

    @Test
    @DisplayName("C13, O6: each CORS request's access line says what the policy would have decided and how the"
            + " backend's answer compared; a request that is not CORS has neither")
    void accessLineSaysWhatWouldHaveHappened() throws Exception {
        exchange("OPTIONS /legacy HTTP/1.1\r\nHost: api\r\nOrigin: " + EVIL
                + "\r\nAccess-Control-Request-Method: PUT\r\n\r\n");
        exchange("GET /open HTTP/1.1\r\nHost: api\r\nOrigin: " + EVIL + "\r\n\r\n");
        exchange("GET /legacy HTTP/1.1\r\nHost: api\r\n\r\n");

        Await.until("three access lines", () -> lines().size() == 3);
        assertThat(lines().get(0))
                .contains(" cors=none/not-applicable/report-only would=preflight/rejected/origin-not-allowed"
                        + " compared=agree upstream=");
        assertThat(lines().get(1))
                .contains(" cors=none/not-applicable/report-only would=actual/rejected/origin-not-allowed"
                        + " compared=would-reject upstream=");
        assertThat(lines().get(2)) // not a CORS request: nothing to compare
                .contains(" cors=none/not-applicable/report-only upstream=")
                .doesNotContain("would=");
    }

    @Test
    @DisplayName("C13, O6: in JSON, the same facts are fields of their own")
    void jsonAccessLineHasTheFields() throws Exception {
        proxy.close();
        proxy = ProxyServer.start(
                ConfigLoader.parse(
                        ProxyHarness.hocon(
                                backend.url(),
                                0,
                                "cors { mode = report-only, allowed-origins = [\"" + APP + "\"] }",
                                "access-log.format = json"),
                        Map.of()),
                registry);

        exchange("GET /legacy HTTP/1.1\r\nHost: api\r\nOrigin: " + APP + "\r\n\r\n");

        Await.until("one access line", () -> accessLines.size() == 1);
        Map<String, Object> fields = new HashMap<>();
        accessLines.events().getFirst().getKeyValuePairs().forEach(pair -> fields.put(pair.key, pair.value));
        assertThat(fields)
                .containsEntry("cors_reason", "report-only")
                .containsEntry("cors_would_kind", "actual")
                .containsEntry("cors_would_outcome", "allowed")
                .containsEntry("cors_would_reason", "allowed")
                .containsEntry("cors_compared", "would-allow");
    }

    @Test
    @DisplayName("C13: a preflight is forwarded to the backend, whose answer reaches the client unchanged")
    void preflightForwarded() throws Exception {
        RawResponse response = exchange("OPTIONS /right HTTP/1.1\r\nHost: api\r\nOrigin: " + APP
                + "\r\nAccess-Control-Request-Method: PUT\r\n\r\n");

        assertThat(backend.sawRequestFor("/right")).isTrue();
        assertThat(backend.requestsTo("/right").getFirst().method()).isEqualTo("OPTIONS");
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.bodyText()).isEqualTo("right");
        assertThat(response.hasHeader("Access-Control-Allow-Methods")).isFalse();
        assertThat(registry.find(ProxyMetrics.REPORT_ONLY)
                        .tag("kind", "preflight")
                        .counters())
                .isNotEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("preflightAnswers")
    @DisplayName("C13: a backend's preflight answer allows what a browser would let through: the method, every"
            + " requested header and private-network access, not only the origin")
    void preflightAnswerReadAsBrowsersRead(
            String row, String asked, List<String> backendHeaders, String verdict, String why) throws Exception {
        proxy.close();
        proxy = ProxyServer.start(
                ConfigLoader.parse(
                        ProxyHarness.hocon(
                                backend.url(),
                                0,
                                "cors { mode = report-only, allowed-origins = [\"" + APP + "\"],"
                                        + " allowed-methods = [GET, PUT, DELETE],"
                                        + " allowed-headers = [X-Custom, Content-Type, Authorization] }"),
                        Map.of()),
                registry);
        List<String> headers = new java.util.ArrayList<>(List.of("Access-Control-Allow-Origin", APP));
        headers.addAll(backendHeaders);
        backend.on("/own", Behaviour.respond(200, "", headers.toArray(String[]::new)));
        try (LogCapture rejections = LogCapture.of("preflight.cors")) {
            exchange("OPTIONS /own HTTP/1.1\r\nHost: api\r\nOrigin: " + APP + "\r\n" + asked + "\r\n\r\n");

            assertThat(count(verdict)).as(row).isEqualTo(1);
            assertThat(rejections.messages())
                    .as("a disagreement's log line says why; an agreement has none")
                    .hasSize(verdict.equals("agree") ? 0 : 1)
                    .allMatch(line -> line.contains(why));
        }
    }

    static Stream<Arguments> preflightAnswers() {
        String acrm = "Access-Control-Request-Method: ";
        String acrh = "\r\nAccess-Control-Request-Headers: ";
        return Stream.of(
                Arguments.of(
                        "a method the backend does not list: it refuses what the policy allows",
                        acrm + "DELETE",
                        List.of("Access-Control-Allow-Methods", "PUT", "Access-Control-Allow-Headers", "x-custom"),
                        "would-allow",
                        "Access-Control-Allow-Methods PUT lacks DELETE"),
                Arguments.of(
                        "a header neither allows: both refuse",
                        acrm + "PUT" + acrh + "X-Other",
                        List.of("Access-Control-Allow-Methods", "PUT", "Access-Control-Allow-Headers", "x-custom"),
                        "agree",
                        ""),
                Arguments.of(
                        "method and headers both allow (names in any case, lines joined): agree",
                        acrm + "PUT" + acrh + "x-custom" + acrh + "content-type",
                        List.of(
                                "Access-Control-Allow-Methods",
                                "GET, PUT",
                                "Access-Control-Allow-Headers",
                                "X-Custom,Content-Type"),
                        "agree",
                        ""),
                Arguments.of(
                        "a method in other letters is another method",
                        acrm + "PUT",
                        List.of("Access-Control-Allow-Methods", "put"),
                        "would-allow",
                        "lacks PUT"),
                Arguments.of("GET needs no listing", acrm + "GET", List.of(), "agree", ""),
                Arguments.of(
                        "* for any method without credentials",
                        acrm + "DELETE",
                        List.of("Access-Control-Allow-Methods", "*"),
                        "agree",
                        ""),
                Arguments.of(
                        "* is literal for a backend that allows credentials",
                        acrm + "DELETE",
                        List.of("Access-Control-Allow-Methods", "*", "Access-Control-Allow-Credentials", "true"),
                        "would-allow",
                        "lacks DELETE"),
                Arguments.of(
                        "* never covers Authorization",
                        acrm + "PUT" + acrh + "authorization",
                        List.of("Access-Control-Allow-Methods", "PUT", "Access-Control-Allow-Headers", "*"),
                        "would-allow",
                        "Access-Control-Allow-Headers * lacks authorization"),
                Arguments.of(
                        "the backend allows a header the policy does not",
                        acrm + "PUT" + acrh + "x-other",
                        List.of("Access-Control-Allow-Methods", "PUT", "Access-Control-Allow-Headers", "*"),
                        "would-reject",
                        "the policy says header-not-allowed"),
                Arguments.of(
                        "a method list with an item that is not a token fails the whole preflight",
                        acrm + "PUT",
                        List.of("Access-Control-Allow-Methods", "PUT, DELETE PATCH"),
                        "would-allow",
                        "Access-Control-Allow-Methods PUT, DELETE PATCH is not a list of tokens"),
                Arguments.of(
                        "so does a header list's, even for a method that needs no listing",
                        acrm + "GET",
                        List.of("Access-Control-Allow-Headers", "x-a, x b"),
                        "would-allow",
                        "Access-Control-Allow-Headers x-a, x b is not a list of tokens"),
                Arguments.of(
                        "private-network access neither grants: both refuse",
                        acrm + "PUT\r\nAccess-Control-Request-Private-Network: true",
                        List.of("Access-Control-Allow-Methods", "PUT"),
                        "agree",
                        ""));
    }

    private List<String> lines() {
        return accessLines.messages();
    }

    private double count(String result) {
        var counter =
                registry.find(ProxyMetrics.REPORT_ONLY).tag("result", result).counter();
        return counter == null ? 0 : counter.count();
    }

    private RawResponse exchange(String request) throws Exception {
        try (RawClient client = RawClient.connect(proxy.address())) {
            return client.send(request).readResponse();
        }
    }
}
