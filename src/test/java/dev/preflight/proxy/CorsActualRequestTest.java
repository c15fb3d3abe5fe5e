package dev.preflight.proxy;

import static dev.preflight.proxy.CorsWire.APP;
import static dev.preflight.proxy.CorsWire.EVIL;
import static dev.preflight.proxy.CorsWire.corsHeaders;
import static dev.preflight.proxy.CorsWire.header;
import static dev.preflight.proxy.CorsWire.seen;
import static dev.preflight.testing.ProblemAssertions.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.testing.Behaviour;
import dev.preflight.testing.ProxyHarness;
import dev.preflight.testing.RawClient;
import dev.preflight.testing.RawResponse;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Actual (non-preflight) requests through the real proxy to a real backend: without {@code Origin}
 * (C1), same-origin (C2), allowed (C8), disallowed (C9), and the backend's CORS headers kept with
 * {@code preserve} (C10).
 */
@Timeout(60)
class CorsActualRequestTest {
    private static final String ORIGINS = "cors.allowed-origins = [\"http://app.example\"]";
    private static final String CREDENTIALS = "cors.allow-credentials = true";
    private static final String REJECT = "cors.disallowed-origin = reject";

    /** What a CORS-confused backend sends with every response. */
    private static final Behaviour WRONG_BACKEND = Behaviour.respond(
            200,
            "from the backend",
            "Access-Control-Allow-Origin",
            "*",
            "Access-Control-Allow-Credentials",
            "true",
            "Vary",
            "Accept");

    @Test
    @DisplayName("C1: a request without Origin is forwarded; the response gets Vary: Origin and no Access-Control-*")
    void noOrigin() throws Exception {
        try (ProxyHarness proxy = ProxyHarness.start(ORIGINS, CREDENTIALS, REJECT);
                RawClient client = proxy.raw()) {
            proxy.backend().on("/wrong", WRONG_BACKEND);

            RawResponse plain = client.exchange(CorsWire.get(proxy.authority(), "/plain", null));
            RawResponse wrong = client.exchange(CorsWire.get(proxy.authority(), "/wrong", null));

            assertThat(plain.status()).isEqualTo(200);
            assertThat(plain.header("X-Echo-Uri")).isEqualTo("/plain");
            assertThat(plain.headers("Vary")).containsExactly("Origin");
            assertThat(corsHeaders(plain)).isEmpty();
            assertThat(wrong.status()).isEqualTo(200);
            assertThat(wrong.headers("Vary")).containsExactly("Accept, Origin");
            assertThat(corsHeaders(wrong))
                    .as("the backend's stripped, none of ours")
                    .isEmpty();
            assertThat(seen(proxy.backend().requests())).containsExactly("GET /plain", "GET /wrong");
        }
    }

    @Test
    @DisplayName("C2: Origin equal to http:// + Host is same-origin: forwarded, never rejected, even with reject")
    void sameOrigin() throws Exception {
        try (ProxyHarness proxy = ProxyHarness.start(ORIGINS, CREDENTIALS, REJECT);
                RawClient client = proxy.raw()) {
            RawResponse self = client.exchange(CorsWire.get(proxy.authority(), "/self", "http://" + proxy.authority()));
            RawResponse named = client.exchange(CorsWire.get("api.example", "/named", "http://api.example"));
            RawResponse upperCase = client.exchange(CorsWire.get("api.example:80", "/upper", "HTTP://API.EXAMPLE"));

            assertThat(self.status()).as("%s", self).isEqualTo(200);
            assertThat(named.status()).as("%s", named).isEqualTo(200);
            assertThat(upperCase.status()).as("%s", upperCase).isEqualTo(200);
            assertThat(corsHeaders(self)).isEmpty();
            assertThat(seen(proxy.backend().requests())).containsExactly("GET /self", "GET /named", "GET /upper");
        }
    }

    @Test
    @DisplayName("C2: another scheme or port than the request's own is not same-origin, so reject applies")
    void almostSameOrigin() throws Exception {
        try (ProxyHarness proxy = ProxyHarness.start(ORIGINS, CREDENTIALS, REJECT);
                RawClient client = proxy.raw()) {
            RawResponse https =
                    client.exchange(CorsWire.get(proxy.authority(), "/https", "https://" + proxy.authority()));
            RawResponse port = client.exchange(CorsWire.get("api.example", "/port", "http://api.example:8080"));
            RawResponse marker = client.exchange(CorsWire.get(proxy.authority(), "/marker", null));

            assertProblem(https, 403);
            assertProblem(port, 403);
            assertThat(marker.status()).isEqualTo(200);
            assertThat(seen(proxy.backend().requests())).containsExactly("GET /marker");
        }
    }

    @Test
    @DisplayName("C8: an allowed origin gets ACAO (its Origin), ACAC and Access-Control-Expose-Headers when configured")
    void allowedWithExposedHeaders() throws Exception {
        try (ProxyHarness proxy = ProxyHarness.start(
                        ORIGINS, CREDENTIALS, "cors.exposed-headers = [\"X-Request-Id\", \"X-Total\"]");
                RawClient client = proxy.raw()) {
            proxy.backend().on("/wrong", WRONG_BACKEND.withHeaders("Access-Control-Expose-Headers", "X-Secret"));

            RawResponse response = client.exchange(CorsWire.get(proxy.authority(), "/wrong", APP));

            assertThat(response.status()).isEqualTo(200);
            assertThat(corsHeaders(response))
                    .containsExactlyInAnyOrder(
                            header("access-control-allow-origin", APP),
                            header("access-control-allow-credentials", "true"),
                            header("access-control-expose-headers", "X-Request-Id, X-Total"));
        }
    }

    @Test
    @DisplayName(
            "C8: without exposed-headers configured there is no Access-Control-Expose-Headers, the backend's stripped")
    void noExposedHeadersConfigured() throws Exception {
        try (ProxyHarness proxy = ProxyHarness.start(ORIGINS);
                RawClient client = proxy.raw()) {
            proxy.backend().on("/expose", Behaviour.respond(200, "ok", "Access-Control-Expose-Headers", "X-Secret"));

            RawResponse response = client.exchange(CorsWire.get(proxy.authority(), "/expose", APP));

            assertThat(corsHeaders(response)).containsExactly(header("access-control-allow-origin", APP));
            assertThat(response.headers("Vary")).containsExactly("Origin");
        }
    }

    @Test
    @DisplayName("C9: with forward a disallowed origin is forwarded without CORS headers, the backend's ACAO stripped")
    void disallowedForwarded() throws Exception {
        try (ProxyHarness proxy = ProxyHarness.start(ORIGINS, CREDENTIALS);
                RawClient client = proxy.raw()) {
            proxy.backend()
                    .on(
                            "/data",
                            Behaviour.respond(
                                    200,
                                    "secret",
                                    "Access-Control-Allow-Origin",
                                    EVIL,
                                    "Access-Control-Allow-Credentials",
                                    "true"));

            RawResponse response = client.exchange(CorsWire.get(proxy.authority(), "/data", EVIL));

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.bodyText()).isEqualTo("secret");
            assertThat(corsHeaders(response)).isEmpty();
            assertThat(response.headers("Vary")).containsExactly("Origin");
            assertThat(seen(proxy.backend().requests())).containsExactly("GET /data");
            assertThat(proxy.backend().requests().getFirst().header("Origin")).isEqualTo(EVIL);
        }
    }

    @Test
    @DisplayName("C9: with reject a disallowed origin gets 403 without CORS headers, and the backend never sees it")
    void disallowedRejected() throws Exception {
        try (ProxyHarness proxy = ProxyHarness.start(ORIGINS, CREDENTIALS, REJECT);
                RawClient client = proxy.raw()) {
            RawResponse rejected = client.exchange(CorsWire.get(proxy.authority(), "/data", EVIL));
            RawResponse rejectedPost = client.exchange(CorsWire.request(
                    "POST", proxy.authority(), "/data", "null", "Content-Type: text/plain", "Content-Length: 0"));
            RawResponse marker = client.exchange(CorsWire.get(proxy.authority(), "/marker", APP));

            assertProblem(rejected, 403);
            assertThat(corsHeaders(rejected)).isEmpty();
            assertProblem(rejectedPost, 403);
            assertThat(corsHeaders(rejectedPost)).isEmpty();
            assertThat(marker.status()).isEqualTo(200);
            assertThat(marker.header("Access-Control-Allow-Origin")).isEqualTo(APP);
            assertThat(seen(proxy.backend().requests())).containsExactly("GET /marker");
            assertThat(proxy.backend().sawRequestFor("/data")).isFalse();
        }
    }

    @Test
    @DisplayName("C10: with preserve the backend's CORS headers stay untouched and ours are not added")
    void preserve() throws Exception {
        try (ProxyHarness proxy = ProxyHarness.start(ORIGINS, CREDENTIALS, "cors.upstream-cors-headers = preserve");
                RawClient client = proxy.raw()) {
            proxy.backend().on("/wrong", WRONG_BACKEND.withHeaders("Access-Control-Expose-Headers", "X-Secret"));

            RawResponse wrong = client.exchange(CorsWire.get(proxy.authority(), "/wrong", APP));
            RawResponse none = client.exchange(CorsWire.get(proxy.authority(), "/none", APP));

            assertThat(wrong.status()).isEqualTo(200);
            assertThat(corsHeaders(wrong))
                    .containsExactlyInAnyOrder(
                            header("access-control-allow-origin", "*"),
                            header("access-control-allow-credentials", "true"),
                            header("access-control-expose-headers", "X-Secret"));
            assertThat(CorsWire.vary(wrong)).contains("Accept");
            assertThat(none.status()).isEqualTo(200);
            assertThat(corsHeaders(none)).as("ours are not added").isEmpty();
        }
    }

    @Test
    @DisplayName("C3/C10: with preserve a preflight is still answered by the proxy, with our headers")
    void preservePreflight() throws Exception {
        try (ProxyHarness proxy = ProxyHarness.start(ORIGINS, CREDENTIALS, "cors.upstream-cors-headers = preserve");
                RawClient client = proxy.raw()) {
            RawResponse preflight = client.exchange(CorsWire.preflight(proxy.authority(), "/x", APP, "GET", null));
            RawResponse marker = client.exchange(CorsWire.get(proxy.authority(), "/marker", null));

            assertThat(preflight.status()).isEqualTo(204);
            assertThat(preflight.headers("Access-Control-Allow-Origin")).containsExactly(APP);
            assertThat(marker.status()).isEqualTo(200);
            assertThat(seen(proxy.backend().requests())).containsExactly("GET /marker");
        }
    }
}
