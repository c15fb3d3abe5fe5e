package dev.preflight.proxy;

import static dev.preflight.proxy.CorsWire.APP;
import static dev.preflight.proxy.CorsWire.EVIL;
import static dev.preflight.proxy.CorsWire.corsHeaders;
import static dev.preflight.proxy.CorsWire.request;
import static dev.preflight.proxy.CorsWire.seen;
import static dev.preflight.proxy.CorsWire.vary;
import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.config.ConfigLoader;
import dev.preflight.testing.Await;
import dev.preflight.testing.Behaviour;
import dev.preflight.testing.LogCapture;
import dev.preflight.testing.ProblemAssertions;
import dev.preflight.testing.ProxyHarness;
import dev.preflight.testing.RawClient;
import dev.preflight.testing.RawResponse;
import dev.preflight.testing.RecordedRequest;
import dev.preflight.testing.TestBackend;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Fetch metadata (F1-F4) through real sockets: a refused request is answered 403 by the proxy and
 * never reaches the backend (the backend's own log says so), every response of a checked path varies
 * on the {@code Sec-Fetch-*} headers, routes override the block, and report-only forwards while
 * counting and logging. Metrics, the access log and the decision header see the refusal.
 */
@Timeout(30)
class FetchMetadataProxyTest {
    private static final String IMG = "Sec-Fetch-Site: cross-site\r\nSec-Fetch-Mode: no-cors\r\nSec-Fetch-Dest: image";
    private static final String FORM =
            "Sec-Fetch-Site: cross-site\r\nSec-Fetch-Mode: navigate\r\nSec-Fetch-Dest: document";
    private static final String CORS_FETCH =
            "Sec-Fetch-Site: cross-site\r\nSec-Fetch-Mode: cors\r\nSec-Fetch-Dest: empty";
    private static final List<String> SEC_FETCH_VARY = List.of("Sec-Fetch-Site", "Sec-Fetch-Mode", "Sec-Fetch-Dest");
    private static final String POLICY = "cors { allowed-origins = [\"" + APP + "\"] }";

    private LogCapture corsLines;
    private LogCapture accessLines;
    private TestBackend backend;
    private ProxyServer proxy;
    private SimpleMeterRegistry registry;

    private void start(String... settings) throws Exception {
        corsLines = LogCapture.of("preflight.cors");
        accessLines = LogCapture.of(AccessLog.LOGGER);
        backend = TestBackend.start();
        backend.on("/", Behaviour.respond(200, "from the backend", "Vary", "Accept-Encoding"));
        backend.on("/star", Behaviour.respond(200, "varies on everything", "Vary", "*"));
        registry = new SimpleMeterRegistry();
        proxy = ProxyServer.start(
                ConfigLoader.parse(ProxyHarness.hocon(backend.url(), 0, settings), Map.of()), registry);
    }

    @AfterEach
    void stop() {
        if (corsLines != null) {
            corsLines.close();
            accessLines.close();
        }
        if (proxy != null) {
            proxy.close();
        }
        if (backend != null) {
            backend.close();
        }
    }

    @Test
    @DisplayName("F4: a cross-site <img> gets 403 before the backend, without CORS headers, varying on Sec-Fetch-*")
    void crossSiteImageRefused() throws Exception {
        start(POLICY, "fetch-metadata.enabled = true");
        try (RawClient client = RawClient.connect(proxy.address())) {
            RawResponse refused = client.exchange(request("GET", "api", "/pixel.png", null, IMG));
            // Same connection, after the refusal: once this one is answered, the backend log is final.
            RawResponse next = client.exchange(request("GET", "api", "/after", null));

            assertThat(refused.status()).isEqualTo(403);
            ProblemAssertions.assertProblem(refused, 403);
            assertThat(refused.bodyText()).contains("fetch-metadata", "site=cross-site, mode=no-cors, dest=image");
            assertThat(corsHeaders(refused)).isEmpty();
            assertThat(vary(refused)).containsExactly("Origin", "Sec-Fetch-Site", "Sec-Fetch-Mode", "Sec-Fetch-Dest");
            assertThat(refused.hasHeader(DecisionHeader.NAME)).isFalse();
            assertThat(next.status()).isEqualTo(200);
            assertThat(seen(backend.requests())).containsExactly("GET /after");
        }
        awaitCounted(2);
        assertThat(requests("none", "rejected", "fetch-metadata", "4xx")).isEqualTo(1);
        assertThat(fetchMetadata("refused")).isEqualTo(1);
        Await.until("the refusal is in the rejection log", () -> logged(corsLines, "fetch-metadata"));
        assertThat(corsLines.messages())
                .anySatisfy(line -> assertThat(line)
                        .contains("refused none GET on route default: fetch-metadata")
                        .contains("site=cross-site, mode=no-cors, dest=image"));
        Await.until("the access log has both requests", () -> accessLines.size() >= 2);
        assertThat(accessLines.messages())
                .anySatisfy(line -> assertThat(line)
                        .contains("\"GET /pixel.png\" 403")
                        .contains("cors=none/rejected/fetch-metadata upstream=-"));
    }

    @Test
    @DisplayName("F4: a cross-site form post gets 403, its body unread, and the backend never sees it")
    void crossSiteFormPostRefused() throws Exception {
        start(POLICY, "fetch-metadata.enabled = true");
        String body = "amount=1000&to=mallory";
        try (RawClient client = RawClient.connect(proxy.address())) {
            client.send("POST /transfer HTTP/1.1\r\nHost: api\r\nOrigin: " + EVIL + "\r\n" + FORM
                    + "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: " + body.length()
                    + "\r\n\r\n" + body);
            RawResponse refused = client.readResponse("POST");

            assertThat(refused.status()).isEqualTo(403);
            assertThat(corsHeaders(refused)).isEmpty();
            // C14: the body was not read, so the connection ends with the answer.
            assertThat(refused.connectionTokens()).contains("close");
            assertThat(client.readUntilClose().closedByPeer()).isTrue();
        }
        try (RawClient client = RawClient.connect(proxy.address())) {
            assertThat(client.exchange(request("GET", "api", "/after", null)).status())
                    .isEqualTo(200);
        }
        assertThat(backend.sawRequestFor("/transfer")).isFalse();
        assertThat(seen(backend.requests())).containsExactly("GET /after");
        awaitCounted(2);
        assertThat(requests("actual", "rejected", "fetch-metadata", "4xx")).isEqualTo(1);
    }

    @Test
    @DisplayName("F4 with debug.decision-header: the header names the reason and the Sec-Fetch values")
    void decisionHeader() throws Exception {
        start(POLICY, "fetch-metadata.enabled = true", "debug.decision-header = true");
        try (RawClient client = RawClient.connect(proxy.address())) {
            RawResponse refused =
                    client.exchange(request("GET", "api", "/data.json", null, IMG.replace("image", "script")));

            assertThat(refused.status()).isEqualTo(403);
            assertThat(refused.header(DecisionHeader.NAME))
                    .isEqualTo("rejected; reason=fetch-metadata;"
                            + " sec-fetch=\"site=cross-site, mode=no-cors, dest=script\"; route=default");
        }
    }

    @Test
    @DisplayName("F1-F3: allowed requests reach the backend with their Sec-Fetch headers, and vary on them")
    void allowedRequestsForwarded() throws Exception {
        start(POLICY, "fetch-metadata.enabled = true");
        try (RawClient client = RawClient.connect(proxy.address())) {
            RawResponse navigation = client.exchange(request("GET", "api", "/page", null, FORM));
            RawResponse cors = client.exchange(request("GET", "api", "/data", APP, CORS_FETCH));
            RawResponse corsFromOther = client.exchange(request("GET", "api", "/data", EVIL, CORS_FETCH));
            RawResponse sameSite =
                    client.exchange(request("POST", "api", "/same-site", null, IMG.replace("cross-site", "same-site")));
            RawResponse curl = client.exchange(request("GET", "api", "/curl", null));
            RawResponse star = client.exchange(request("GET", "api", "/star", null, FORM));

            assertThat(List.of(navigation, cors, corsFromOther, sameSite, curl, star))
                    .allSatisfy(r -> assertThat(r.status()).isEqualTo(200));
            assertThat(vary(navigation))
                    .containsExactly("Accept-Encoding", "Origin", "Sec-Fetch-Site", "Sec-Fetch-Mode", "Sec-Fetch-Dest");
            assertThat(vary(curl)).containsAll(SEC_FETCH_VARY); // F1: the check ran, so the answer varies
            assertThat(cors.header("Access-Control-Allow-Origin")).isEqualTo(APP);
            assertThat(vary(cors)).containsAll(SEC_FETCH_VARY);
            // F3: CORS decides; an origin it refuses is forwarded bare (C9).
            assertThat(corsHeaders(corsFromOther)).isEmpty();
            assertThat(star.headers("Vary")).containsExactly("*");
        }
        RecordedRequest navigation = backend.awaitRequest("/page");
        assertThat(navigation.header("Sec-Fetch-Mode")).isEqualTo("navigate");
        assertThat(seen(backend.requests()))
                .containsExactly("GET /page", "GET /data", "GET /data", "POST /same-site", "GET /curl", "GET /star");
        assertThat(fetchMetadata("refused")).isZero();
    }

    @Test
    @DisplayName("F3: a cross-site preflight is answered by CORS, with the Sec-Fetch Vary merged in")
    void preflight() throws Exception {
        start(POLICY, "fetch-metadata.enabled = true");
        try (RawClient client = RawClient.connect(proxy.address())) {
            RawResponse allowed = client.exchange(
                    request("OPTIONS", "api", "/data", APP, "Access-Control-Request-Method: POST", CORS_FETCH));
            RawResponse refused = client.exchange(
                    request("OPTIONS", "api", "/data", EVIL, "Access-Control-Request-Method: POST", CORS_FETCH));

            assertThat(allowed.status()).isEqualTo(204);
            assertThat(allowed.header("Access-Control-Allow-Origin")).isEqualTo(APP);
            assertThat(vary(allowed))
                    .containsExactly(
                            "Origin",
                            "Access-Control-Request-Method",
                            "Access-Control-Request-Headers",
                            "Sec-Fetch-Site",
                            "Sec-Fetch-Mode",
                            "Sec-Fetch-Dest");
            assertThat(refused.status()).isEqualTo(403);
            assertThat(corsHeaders(refused)).isEmpty();
        }
        awaitCounted(2);
        assertThat(requests("preflight", "rejected", "origin-not-allowed", "4xx"))
                .isEqualTo(1);
        assertThat(backend.requests()).isEmpty();
    }

    @Test
    @DisplayName("F4: exempt prefixes match the normalised path, segment by segment, and skip the Vary")
    void exemptPrefixes() throws Exception {
        start(POLICY, "fetch-metadata { enabled = true, exempt-path-prefixes = [\"/embed\"] }");
        try (RawClient client = RawClient.connect(proxy.address())) {
            RawResponse exempt = client.exchange(request("GET", "api", "//embed/./widget.js", null, IMG));
            RawResponse notExempt = client.exchange(request("GET", "api", "/embedded/x.png", null, IMG));
            RawResponse escaped = client.exchange(request("GET", "api", "/embed/../api/x.png", null, IMG));

            assertThat(exempt.status()).isEqualTo(200);
            assertThat(vary(exempt)).doesNotContainAnyElementsOf(SEC_FETCH_VARY);
            assertThat(notExempt.status()).isEqualTo(403);
            assertThat(escaped.status()).isEqualTo(403);
        }
        assertThat(seen(backend.requests())).containsExactly("GET /embed/widget.js");
    }

    @Test
    @DisplayName("F: per route; a route's block overrides the top level, and CORS disabled does not disable it")
    void perRoute() throws Exception {
        start(
                POLICY,
                "fetch-metadata.enabled = true",
                "routes = [ { name = legacy, path-prefix = \"/legacy\", fetch-metadata.enabled = false },"
                        + " { name = raw, path-prefix = \"/raw\", cors.enabled = false },"
                        + " { name = trial, path-prefix = \"/trial\", fetch-metadata.mode = report-only } ]");
        try (RawClient client = RawClient.connect(proxy.address())) {
            RawResponse legacy = client.exchange(request("GET", "api", "/legacy/pixel.png", null, IMG));
            RawResponse raw = client.exchange(request("GET", "api", "/raw/pixel.png", null, IMG));
            RawResponse rawAllowed = client.exchange(request("GET", "api", "/raw/page", null, FORM));
            RawResponse trial = client.exchange(request("GET", "api", "/trial/pixel.png", null, IMG));

            assertThat(legacy.status()).isEqualTo(200);
            assertThat(vary(legacy)).doesNotContainAnyElementsOf(SEC_FETCH_VARY);
            assertThat(raw.status()).isEqualTo(403);
            assertThat(vary(raw)).containsExactlyElementsOf(SEC_FETCH_VARY); // no Origin: CORS is off there
            assertThat(rawAllowed.status()).isEqualTo(200);
            assertThat(vary(rawAllowed))
                    .containsExactly("Accept-Encoding", "Sec-Fetch-Site", "Sec-Fetch-Mode", "Sec-Fetch-Dest");
            assertThat(trial.status()).isEqualTo(200);
        }
        assertThat(seen(backend.requests()))
                .containsExactly("GET /legacy/pixel.png", "GET /raw/page", "GET /trial/pixel.png");
        awaitCounted(4);
        assertThat(counter(ProxyMetrics.REQUESTS, "route", "raw", "reason", "fetch-metadata"))
                .isEqualTo(1);
        assertThat(counter(ProxyMetrics.FETCH_METADATA, "route", "trial", "result", "would-refuse"))
                .isEqualTo(1);
    }

    @Test
    @DisplayName("F4 report-only: the request reaches the backend, and is counted and logged")
    void reportOnly() throws Exception {
        start(POLICY, "fetch-metadata { enabled = true, mode = report-only }");
        try (RawClient client = RawClient.connect(proxy.address())) {
            RawResponse image = client.exchange(request("GET", "api", "/pixel.png", null, IMG));
            RawResponse form = client.exchange(request("POST", "api", "/transfer", APP, FORM));

            assertThat(image.status()).isEqualTo(200);
            assertThat(image.bodyText()).isEqualTo("from the backend");
            assertThat(vary(image)).containsAll(SEC_FETCH_VARY);
            assertThat(form.status()).isEqualTo(200);
            assertThat(form.header("Access-Control-Allow-Origin")).isEqualTo(APP); // CORS decided as usual
        }
        assertThat(seen(backend.requests())).containsExactly("GET /pixel.png", "POST /transfer");
        awaitCounted(2);
        assertThat(fetchMetadata("would-refuse")).isEqualTo(2);
        assertThat(fetchMetadata("refused")).isZero();
        assertThat(counter(ProxyMetrics.REQUESTS, "reason", "fetch-metadata")).isZero();
        assertThat(requests("none", "not-applicable", "no-origin", "2xx")).isEqualTo(1);
        assertThat(corsLines.messages())
                .anySatisfy(line -> assertThat(line)
                        .isEqualTo("report-only fetch-metadata on route default: would refuse GET /pixel.png"
                                + " (site=cross-site, mode=no-cors, dest=image)"))
                .anySatisfy(line -> assertThat(line).contains("would refuse POST /transfer"));
    }

    @Test
    @DisplayName("F: disabled by default: a cross-site <img> is forwarded untouched, no Sec-Fetch Vary")
    void disabledByDefault() throws Exception {
        start(POLICY);
        try (RawClient client = RawClient.connect(proxy.address())) {
            RawResponse image = client.exchange(request("GET", "api", "/pixel.png", null, IMG));

            assertThat(image.status()).isEqualTo(200);
            assertThat(vary(image)).containsExactly("Accept-Encoding", "Origin");
        }
        assertThat(registry.find(ProxyMetrics.FETCH_METADATA).counters()).isEmpty();
    }

    private double requests(String kind, String outcome, String reason, String status) {
        return counter(ProxyMetrics.REQUESTS, "kind", kind, "outcome", outcome, "reason", reason, "status", status);
    }

    private double fetchMetadata(String result) {
        return counter(ProxyMetrics.FETCH_METADATA, "result", result);
    }

    /** Summed over the counters that carry these tags. */
    private double counter(String name, String... tags) {
        return registry.find(name).tags(tags).counters().stream()
                .mapToDouble(Counter::count)
                .sum();
    }

    /** A request is counted once its response is written, which may be just after the client read it. */
    private void awaitCounted(int requests) {
        Await.until(requests + " requests counted", () -> counter(ProxyMetrics.REQUESTS) == requests);
    }

    private static boolean logged(LogCapture lines, String text) {
        return lines.messages().stream().anyMatch(line -> line.contains(text));
    }
}
