package dev.preflight.proxy;

import static dev.preflight.proxy.CorsWire.APP;
import static dev.preflight.proxy.CorsWire.corsHeaders;
import static dev.preflight.proxy.CorsWire.header;
import static dev.preflight.proxy.CorsWire.vary;
import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.testing.Behaviour;
import dev.preflight.testing.ProxyHarness;
import dev.preflight.testing.RawClient;
import dev.preflight.testing.RawResponse;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A real backend that gets CORS wrong (wildcard origin with credentials, two origins) behind the
 * real proxy with a credentialed policy: the client sees exactly our headers (C8, C10) and one
 * merged {@code Vary} (C7).
 */
@Timeout(60)
class CorsWrongBackendTest {
    private ProxyHarness proxy;
    private RawClient client;

    @BeforeEach
    void start() throws Exception {
        proxy = ProxyHarness.start("cors.allowed-origins = [\"http://app.example\"]", "cors.allow-credentials = true");
        client = proxy.raw();
    }

    @AfterEach
    void stop() throws Exception {
        try {
            client.close();
        } finally {
            proxy.close();
        }
    }

    @Test
    @DisplayName(
            "C10: the backend's ACAO * with credentials is replaced by exactly our headers; Vary: Accept becomes Accept, Origin")
    void wildcardWithCredentials() throws Exception {
        proxy.backend()
                .on(
                        "/wrong",
                        Behaviour.respond(
                                200,
                                "ok",
                                "Access-Control-Allow-Origin",
                                "*",
                                "Access-Control-Allow-Credentials",
                                "true",
                                "Vary",
                                "Accept"));

        RawResponse response = client.exchange(CorsWire.get(proxy.authority(), "/wrong", APP));

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.bodyText()).isEqualTo("ok");
        assertThat(corsHeaders(response))
                .containsExactlyInAnyOrder(
                        header("access-control-allow-origin", APP), header("access-control-allow-credentials", "true"));
        assertThat(response.headers("Vary")).containsExactly("Accept, Origin");
    }

    @Test
    @DisplayName(
            "C10: two Access-Control-Allow-Origin lines and other Access-Control-* from the backend become one ACAO, ours")
    void twoAllowOriginLines() throws Exception {
        proxy.backend()
                .on(
                        "/two",
                        Behaviour.respond(
                                200,
                                "ok",
                                "Access-Control-Allow-Origin",
                                "*",
                                "Access-Control-Allow-Origin",
                                "http://evil.example",
                                "access-control-allow-credentials",
                                "true",
                                "Access-Control-Allow-Methods",
                                "*",
                                "Access-Control-Expose-Headers",
                                "X-Secret",
                                "Vary",
                                "Accept"));

        RawResponse response = client.exchange(CorsWire.get(proxy.authority(), "/two", APP));

        assertThat(response.headers("Access-Control-Allow-Origin")).containsExactly(APP);
        assertThat(corsHeaders(response))
                .containsExactlyInAnyOrder(
                        header("access-control-allow-origin", APP), header("access-control-allow-credentials", "true"));
        assertThat(response.headers("Vary")).containsExactly("Accept, Origin");
    }

    @Test
    @DisplayName("C7: a backend that already says Vary: origin gets no second Origin")
    void varyAlreadyNamesOrigin() throws Exception {
        proxy.backend()
                .on(
                        "/vary",
                        Behaviour.respond(200, "ok", "Access-Control-Allow-Origin", "*", "Vary", "Accept, origin"));

        RawResponse response = client.exchange(CorsWire.get(proxy.authority(), "/vary", APP));

        List<String> vary = vary(response);
        assertThat(vary.stream().filter(name -> name.equalsIgnoreCase("Origin")))
                .as("Origin in %s", vary)
                .hasSize(1);
        assertThat(vary).containsExactly("Accept", "origin");
        assertThat(response.headers("Access-Control-Allow-Origin")).containsExactly(APP);
    }

    @Test
    @DisplayName("C7: Vary split over two backend lines is merged without duplicates")
    void varyOnTwoLines() throws Exception {
        proxy.backend().on("/vary2", Behaviour.respond(200, "ok", "Vary", "Accept", "Vary", "Origin, Accept-Encoding"));

        RawResponse response = client.exchange(CorsWire.get(proxy.authority(), "/vary2", APP));

        assertThat(vary(response)).containsExactly("Accept", "Origin", "Accept-Encoding");
    }

    @Test
    @DisplayName("C7: a backend Vary: * is left alone")
    void varyStar() throws Exception {
        proxy.backend().on("/star", Behaviour.respond(200, "ok", "Vary", "*", "Access-Control-Allow-Origin", "*"));

        RawResponse response = client.exchange(CorsWire.get(proxy.authority(), "/star", APP));

        assertThat(response.headers("Vary")).containsExactly("*");
        assertThat(response.headers("Access-Control-Allow-Origin")).containsExactly(APP);
    }

    @Test
    @DisplayName("C3/C10: a preflight to the wrong backend never reaches it and carries our headers, not its *")
    void preflightNeverAsksTheWrongBackend() throws Exception {
        proxy.backend()
                .on(
                        "/wrong",
                        Behaviour.respond(
                                200, "ok", "Access-Control-Allow-Origin", "*", "Access-Control-Allow-Methods", "*"));

        RawResponse preflight = client.exchange(CorsWire.preflight(proxy.authority(), "/wrong", APP, "POST", null));
        RawResponse marker = client.exchange(CorsWire.get(proxy.authority(), "/marker", null));

        assertThat(preflight.status()).isEqualTo(204);
        assertThat(preflight.headers("Access-Control-Allow-Origin")).containsExactly(APP);
        assertThat(preflight.headers("Access-Control-Allow-Credentials")).containsExactly("true");
        assertThat(preflight.headers("Access-Control-Allow-Methods")).containsExactly("GET, HEAD, POST");
        assertThat(marker.status()).isEqualTo(200);
        assertThat(CorsWire.seen(proxy.backend().requests())).containsExactly("GET /marker");
    }
}
