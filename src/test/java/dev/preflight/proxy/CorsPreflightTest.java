package dev.preflight.proxy;

import static dev.preflight.proxy.CorsWire.APP;
import static dev.preflight.proxy.CorsWire.EVIL;
import static dev.preflight.proxy.CorsWire.corsHeaders;
import static dev.preflight.proxy.CorsWire.header;
import static dev.preflight.proxy.CorsWire.seen;
import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.testing.Behaviour;
import dev.preflight.testing.ProxyHarness;
import dev.preflight.testing.RawClient;
import dev.preflight.testing.RawResponse;
import dev.preflight.testing.RecordedRequest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Preflights through the real proxy to a real backend whose request log is the proof: answered by
 * the proxy and never forwarded (C3, C5, C6), a body on one never becoming a request (C14), and
 * forwarded untouched in report-only mode (C13).
 */
@Timeout(60)
class CorsPreflightTest {
    private static final String[] POLICY = {
        "cors.allowed-origins = [\"http://app.example\"]",
        "cors.allow-credentials = true",
        "cors.allowed-methods = [\"GET\", \"PUT\", \"DELETE\"]",
        "cors.allowed-headers = [\"X-Token\"]",
        "cors.max-age = 1h"
    };

    /** What a CORS-confused backend answers to anything, preflights included. */
    private static final Behaviour WRONG_BACKEND = Behaviour.respond(
            200,
            "from the backend",
            "Access-Control-Allow-Origin",
            "*",
            "Access-Control-Allow-Credentials",
            "true",
            "Access-Control-Allow-Methods",
            "*",
            "Vary",
            "Accept");

    @Test
    @DisplayName("C3: preflights, allowed or rejected, never reach the backend; its request log proves it")
    void preflightsNeverReachTheBackend() throws Exception {
        try (ProxyHarness proxy = ProxyHarness.start(POLICY);
                RawClient client = proxy.raw()) {
            proxy.backend().on("/", WRONG_BACKEND);
            String host = proxy.authority();

            RawResponse allowed = client.exchange(CorsWire.preflight(host, "/items/1", APP, "PUT", "X-Token"));
            RawResponse badOrigin = client.exchange(CorsWire.preflight(host, "/items/1", EVIL, "PUT", null));
            RawResponse badMethod = client.exchange(CorsWire.preflight(host, "/items/1", APP, "PATCH", null));
            RawResponse badHeader = client.exchange(CorsWire.preflight(host, "/items/1", APP, "GET", "X-Other"));
            RawResponse marker = client.exchange(CorsWire.get(host, "/marker", null));

            assertThat(allowed.status()).isEqualTo(204);
            assertThat(corsHeaders(allowed))
                    .containsExactlyInAnyOrder(
                            header("access-control-allow-origin", APP),
                            header("access-control-allow-credentials", "true"),
                            header("access-control-allow-methods", "GET, PUT, DELETE"),
                            header("access-control-allow-headers", "X-Token"),
                            header("access-control-max-age", "3600"));
            assertThat(allowed.headers("Vary"))
                    .containsExactly("Origin, Access-Control-Request-Method, Access-Control-Request-Headers");
            for (RawResponse rejected : List.of(badOrigin, badMethod, badHeader)) {
                assertThat(rejected.status()).isEqualTo(403);
                assertThat(corsHeaders(rejected)).as("C6: no Access-Control-*").isEmpty();
            }
            assertThat(marker.status()).isEqualTo(200);
            // Same connection, answered in order: a forwarded preflight would be in the log before the marker.
            assertThat(seen(proxy.backend().requests())).containsExactly("GET /marker");
            assertThat(proxy.backend().sawRequestFor("/items/1")).isFalse();
        }
    }

    @Test
    @DisplayName("C3: an OPTIONS without Access-Control-Request-Method is an ordinary request and is forwarded")
    void ordinaryOptionsIsForwarded() throws Exception {
        try (ProxyHarness proxy = ProxyHarness.start(POLICY);
                RawClient client = proxy.raw()) {
            RawResponse withOrigin =
                    client.exchange(CorsWire.request("OPTIONS", proxy.authority(), "/with-origin", APP));
            RawResponse withoutOrigin = client.exchange(CorsWire.request(
                    "OPTIONS", proxy.authority(), "/no-origin", null, "Access-Control-Request-Method: PUT"));

            assertThat(withOrigin.status()).isEqualTo(200);
            assertThat(withOrigin.header("X-Echo-Method")).isEqualTo("OPTIONS");
            assertThat(withOrigin.headers("Access-Control-Allow-Origin")).containsExactly(APP);
            assertThat(withoutOrigin.status()).isEqualTo(200);
            assertThat(withoutOrigin.header("X-Echo-Method")).isEqualTo("OPTIONS");
            assertThat(corsHeaders(withoutOrigin)).isEmpty();
            assertThat(seen(proxy.backend().requests())).containsExactly("OPTIONS /with-origin", "OPTIONS /no-origin");
        }
    }

    @Test
    @DisplayName(
            "C14: a preflight with a body followed by a request in the same write: the body never reaches the backend as a request")
    void preflightBodyNeverBecomesARequest() throws Exception {
        try (ProxyHarness proxy = ProxyHarness.start(POLICY);
                RawClient client = proxy.raw()) {
            String host = proxy.authority();
            // If the five body bytes were taken for the start of the next request, the backend would
            // get "GET /GET /marker ..." or a 400 would come back.
            client.send("OPTIONS /items HTTP/1.1\r\nHost: " + host + "\r\nOrigin: " + APP
                    + "\r\nAccess-Control-Request-Method: PUT\r\nContent-Length: 5\r\n\r\nGET /"
                    + CorsWire.get(host, "/marker", null));

            RawResponse preflight = client.readResponse("OPTIONS");

            assertThat(preflight.status()).isEqualTo(204);
            assertThat(preflight.headers("Access-Control-Allow-Origin")).containsExactly(APP);
            if (preflight.connectionTokens().contains("close")) {
                RawClient.Received rest = client.readUntilClose();
                assertThat(rest.closedByPeer())
                        .as("closed after a closing answer")
                        .isTrue();
                assertThat(rest.text()).as("nothing after a closing answer").isEmpty();
                assertThat(proxy.backend().requests()).isEmpty();
            } else {
                RawResponse marker = client.readResponse();
                assertThat(marker.status()).isEqualTo(200);
                assertThat(marker.header("X-Echo-Uri")).isEqualTo("/marker");
                assertThat(seen(proxy.backend().requests())).containsExactly("GET /marker");
            }
        }
    }

    @Test
    @DisplayName("C13: in report-only mode a preflight is forwarded and the backend's headers come back untouched")
    void reportOnly() throws Exception {
        List<String> settings = new ArrayList<>(List.of(POLICY));
        settings.add("cors.mode = report-only");
        settings.add("cors.disallowed-origin = reject");
        try (ProxyHarness proxy = ProxyHarness.start(settings.toArray(String[]::new));
                RawClient client = proxy.raw()) {
            proxy.backend().on("/", WRONG_BACKEND);
            String host = proxy.authority();

            RawResponse allowed = client.exchange(CorsWire.preflight(host, "/items", APP, "PUT", "X-Token"));
            RawResponse refused = client.exchange(CorsWire.preflight(host, "/items", EVIL, "PATCH", null));
            RawResponse actual = client.exchange(CorsWire.get(host, "/items", EVIL));

            for (RawResponse response : List.of(allowed, refused, actual)) {
                assertThat(response.status()).isEqualTo(200);
                assertThat(response.bodyText()).isEqualTo("from the backend");
                assertThat(corsHeaders(response))
                        .containsExactlyInAnyOrder(
                                header("access-control-allow-origin", "*"),
                                header("access-control-allow-credentials", "true"),
                                header("access-control-allow-methods", "*"));
                assertThat(response.headers("Vary")).containsExactly("Accept");
            }
            assertThat(seen(proxy.backend().requests()))
                    .containsExactly("OPTIONS /items", "OPTIONS /items", "GET /items");
            RecordedRequest forwarded = proxy.backend().requests().getFirst();
            assertThat(forwarded.header("Access-Control-Request-Method")).isEqualTo("PUT");
            assertThat(forwarded.header("Origin")).isEqualTo(APP);
        }
    }
}
