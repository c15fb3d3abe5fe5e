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
import dev.preflight.testing.TestBackend;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Routes through the real proxy: host and segment-aware path prefix over the normalised path, first
 * match wins, each route's {@code cors} block over the default key by key, {@code cors.enabled =
 * false}, and a per-route upstream (a second real backend). Each request must land on the right
 * backend under the right policy.
 */
@Timeout(60)
class RoutesTest {
    private static final String V2_HOST = "api.example.com";

    private TestBackend v2Backend;
    private ProxyHarness proxy;
    private RawClient client;

    @BeforeEach
    void start() throws Exception {
        v2Backend = TestBackend.start();
        try {
            proxy = ProxyHarness.start(
                    "cors.allowed-origins = [\"http://app.example\"]", "cors.allow-credentials = true", """
                    routes = [
                      { name = "public", path-prefix = "/public", cors { allowed-origins = ["*"], allow-credentials = false } }
                      { name = "admin", path-prefix = "/admin", cors.disallowed-origin = reject }
                      { name = "off", path-prefix = "/off", cors.enabled = false }
                      { name = "ops", path-prefix = "/ops", path-prefix-ignore-case = true, cors.disallowed-origin = reject }
                      { name = "v2", host = "%s", path-prefix = "/v2", upstream.url = "%s" }
                      { name = "first", path-prefix = "/dup", cors { allowed-origins = ["http://first.example"] } }
                      { name = "second", path-prefix = "/dup", cors { allowed-origins = ["http://second.example"] } }
                    ]
                    """.formatted(
                                    V2_HOST, v2Backend.url()));
            client = proxy.raw();
        } catch (Exception | Error e) {
            v2Backend.close();
            if (proxy != null) {
                proxy.close();
            }
            throw e;
        }
    }

    @AfterEach
    void stop() throws Exception {
        try {
            client.close();
        } finally {
            try {
                proxy.close();
            } finally {
                v2Backend.close();
            }
        }
    }

    @Test
    @DisplayName("routes: /public answers any origin with ACAO * and no credentials, preflights included")
    void publicRoute() throws Exception {
        RawResponse actual = client.exchange(CorsWire.get(proxy.authority(), "/public/x", "http://random.example"));
        RawResponse preflight = client.exchange(
                CorsWire.preflight(proxy.authority(), "/public/x", "http://random.example", "GET", null));

        assertThat(actual.status()).isEqualTo(200);
        assertThat(corsHeaders(actual)).containsExactly(header("access-control-allow-origin", "*"));
        assertThat(preflight.status()).isEqualTo(204);
        assertThat(preflight.headers("Access-Control-Allow-Origin")).containsExactly("*");
        assertThat(preflight.hasHeader("Access-Control-Allow-Credentials")).isFalse();
        assertThat(seen(proxy.backend().requests())).containsExactly("GET /public/x");
        assertThat(v2Backend.requests()).isEmpty();
    }

    @Test
    @DisplayName("routes: /publicity does not match /public (segment-aware prefix); the default policy applies")
    void prefixIsSegmentAware() throws Exception {
        RawResponse stranger = client.exchange(CorsWire.get(proxy.authority(), "/publicity", "http://random.example"));
        RawResponse app = client.exchange(CorsWire.get(proxy.authority(), "/publicity", APP));

        assertThat(stranger.status()).isEqualTo(200);
        assertThat(corsHeaders(stranger))
                .as("default policy: random origin not allowed")
                .isEmpty();
        assertThat(corsHeaders(app))
                .containsExactlyInAnyOrder(
                        header("access-control-allow-origin", APP), header("access-control-allow-credentials", "true"));
        assertThat(seen(proxy.backend().requests())).containsExactly("GET /publicity", "GET /publicity");
    }

    @Test
    @DisplayName(
            "routes: /admin rejects a disallowed origin with 403 and serves the allowed one with the inherited policy")
    void adminRoute() throws Exception {
        RawResponse evil = client.exchange(CorsWire.get(proxy.authority(), "/admin/users", EVIL));
        RawResponse app = client.exchange(CorsWire.get(proxy.authority(), "/admin/users", APP));

        assertProblem(evil, 403);
        assertThat(corsHeaders(evil)).isEmpty();
        assertThat(app.status()).isEqualTo(200);
        assertThat(corsHeaders(app))
                .containsExactlyInAnyOrder(
                        header("access-control-allow-origin", APP), header("access-control-allow-credentials", "true"));
        assertThat(seen(proxy.backend().requests())).containsExactly("GET /admin/users");
    }

    @Test
    @DisplayName(
            "P5: /public/../admin/x is routed as /admin/x under the admin policy, and the backend receives /admin/x")
    void dotSegmentsAreRemovedBeforeRouting() throws Exception {
        RawResponse evil = client.exchange(CorsWire.get(proxy.authority(), "/public/../admin/x", EVIL));
        RawResponse app = client.exchange(CorsWire.get(proxy.authority(), "/public/../admin/x?q=1", APP));
        RawResponse slashes =
                client.exchange(CorsWire.get(proxy.authority(), "//public//./y", "http://random.example"));

        assertProblem(evil, 403);
        assertThat(app.status()).isEqualTo(200);
        assertThat(app.header("X-Echo-Uri")).isEqualTo("/admin/x?q=1");
        assertThat(app.headers("Access-Control-Allow-Origin")).containsExactly(APP);
        assertThat(slashes.headers("Access-Control-Allow-Origin")).containsExactly("*");
        assertThat(seen(proxy.backend().requests())).containsExactly("GET /admin/x?q=1", "GET /public/y");
    }

    @Test
    @DisplayName("P5: a path whose segment parameters change its route gets 400: /admin;x/users is /admin/users to a"
            + " Servlet container, a segment admin;x elsewhere; /public;/admin/x is /public/admin/x to one, not under"
            + " /public to the other (found by probing); parameters that change nothing are forwarded as sent")
    void segmentParametersThatChangeTheRoute() throws Exception {
        for (String target : List.of("/admin;x/users", "/;/admin/users", "/public;/admin/x", "/admin;jsessionid=1/u")) {
            try (RawClient own = proxy.raw()) {
                assertProblem(own.exchange(CorsWire.get(proxy.authority(), target, EVIL)), 400);
            }
        }
        RawResponse app = client.exchange(CorsWire.get(proxy.authority(), "/admin/users;jsessionid=1", APP));

        assertThat(app.status()).isEqualTo(200);
        assertThat(app.header("X-Echo-Uri")).isEqualTo("/admin/users;jsessionid=1");
        assertThat(seen(proxy.backend().requests())).containsExactly("GET /admin/users;jsessionid=1");
    }

    @Test
    @DisplayName("P5: a prefix matches in its own case (/ADMIN/users is the default route's); with"
            + " path-prefix-ignore-case, for a backend that ignores case, in any case (/OPS/x, /%4Fps/x are ops')")
    void caseOfThePrefix() throws Exception {
        RawResponse upper = client.exchange(CorsWire.get(proxy.authority(), "/ADMIN/users", EVIL));
        RawResponse ops = client.exchange(CorsWire.get(proxy.authority(), "/OPS/x", EVIL));
        RawResponse escaped = client.exchange(CorsWire.get(proxy.authority(), "/%4Fps/x", EVIL));

        assertThat(upper.status()).isEqualTo(200);
        assertProblem(ops, 403);
        assertProblem(escaped, 403);
        assertThat(seen(proxy.backend().requests())).containsExactly("GET /ADMIN/users");
    }

    @Test
    @DisplayName("routes: a host-specific route with its own upstream gets only that host's requests")
    void hostRouteWithItsOwnUpstream() throws Exception {
        RawResponse v2 =
                client.exchange(CorsWire.get(V2_HOST + ":" + proxy.address().getPort(), "/v2/items", APP));
        RawResponse upperCaseHost = client.exchange(CorsWire.get("API.EXAMPLE.COM", "/v2/upper", APP));
        RawResponse otherHost = client.exchange(CorsWire.get("other.example.com", "/v2/items", APP));

        assertThat(v2.status()).isEqualTo(200);
        assertThat(v2.headers("Access-Control-Allow-Origin")).containsExactly(APP);
        assertThat(upperCaseHost.status()).isEqualTo(200);
        assertThat(otherHost.status()).isEqualTo(200);
        assertThat(seen(v2Backend.requests())).containsExactly("GET /v2/items", "GET /v2/upper");
        assertThat(seen(proxy.backend().requests())).containsExactly("GET /v2/items");
    }

    @Test
    @DisplayName("routes: first match wins between two routes with the same prefix")
    void firstMatchWins() throws Exception {
        RawResponse first = client.exchange(CorsWire.get(proxy.authority(), "/dup/x", "http://first.example"));
        RawResponse second = client.exchange(CorsWire.get(proxy.authority(), "/dup/x", "http://second.example"));

        assertThat(first.headers("Access-Control-Allow-Origin")).containsExactly("http://first.example");
        assertThat(second.status()).isEqualTo(200);
        assertThat(corsHeaders(second)).as("the second route never applies").isEmpty();
    }

    @Test
    @DisplayName("C3: with cors.enabled = false a preflight is forwarded and the backend's headers come back untouched")
    void disabledRouteIsTransparent() throws Exception {
        proxy.backend()
                .on(
                        "/off",
                        Behaviour.respond(
                                200,
                                "backend preflight",
                                "Access-Control-Allow-Origin",
                                "*",
                                "Access-Control-Allow-Methods",
                                "PUT",
                                "Vary",
                                "Accept"));

        RawResponse preflight = client.exchange(CorsWire.preflight(proxy.authority(), "/off/x", EVIL, "PUT", null));
        RawResponse actual = client.exchange(CorsWire.get(proxy.authority(), "/off/y", EVIL));

        for (RawResponse response : new RawResponse[] {preflight, actual}) {
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.bodyText()).isEqualTo("backend preflight");
            assertThat(corsHeaders(response))
                    .containsExactlyInAnyOrder(
                            header("access-control-allow-origin", "*"), header("access-control-allow-methods", "PUT"));
            assertThat(response.headers("Vary")).containsExactly("Accept");
        }
        assertThat(seen(proxy.backend().requests())).containsExactly("OPTIONS /off/x", "GET /off/y");
    }
}
