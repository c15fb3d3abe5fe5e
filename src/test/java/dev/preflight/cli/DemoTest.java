package dev.preflight.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.cli.demo.DemoApi;
import dev.preflight.cli.demo.DemoPage;
import dev.preflight.config.ConfigLoader;
import dev.preflight.proxy.ProxyServer;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * O1: the demo's three parts (sample API, proxy with the demo policy, page) behave as the page's
 * buttons promise. The browser suite shows the same in Chromium; this checks the wire.
 */
@Timeout(30)
class DemoTest {
    private DemoApi api;
    private DemoPage page;
    private ProxyServer proxy;
    private String pageOrigin;
    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeEach
    void start() throws Exception {
        int proxyPort;
        // The proxy's port is held until the API and the page have theirs: freed first, it could be
        // handed to one of them (both bind port 0), and the proxy would then find it taken.
        try (ServerSocket free = new ServerSocket(0)) {
            proxyPort = free.getLocalPort();
            api = DemoApi.start("127.0.0.1", 0);
            page = DemoPage.start("127.0.0.1", 0, "http://localhost:" + proxyPort);
        }
        pageOrigin = "http://localhost:" + page.port();
        proxy = ProxyServer.start(ConfigLoader.parse(
                dev.preflight.cli.demo.DemoCommandPolicy.of(proxyPort, api.port(), page.port()), Map.of()));
    }

    @AfterEach
    void stop() {
        proxy.close();
        page.close();
        api.close();
        http.close();
    }

    @Test
    @DisplayName("O1: the page is served with the proxy's URL in it")
    void page() throws Exception {
        HttpResponse<String> response =
                send(HttpRequest.newBuilder(URI.create(pageOrigin + "/")).GET());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body())
                .contains("const api = \"http://localhost:" + proxy.address().getPort() + "\"");
    }

    @Test
    @DisplayName("O1/C10: GET /api/hello: the API's careless * is replaced by the page's origin")
    void hello() throws Exception {
        HttpResponse<String> response =
                send(request("/api/hello").header("Origin", pageOrigin).GET());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().allValues("Access-Control-Allow-Origin")).containsExactly(pageOrigin);
        assertThat(response.headers().firstValue("Access-Control-Allow-Credentials"))
                .hasValue("true");
        assertThat(response.headers().firstValue("Access-Control-Expose-Headers"))
                .hasValue("X-Request-Id");
    }

    @Test
    @DisplayName("O1/C5: the preflight of the page's PUT is allowed")
    void preflight() throws Exception {
        HttpResponse<String> response = send(request("/api/items/1")
                .header("Origin", pageOrigin)
                .header("Access-Control-Request-Method", "PUT")
                .header("Access-Control-Request-Headers", "content-type,x-demo-client")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()));
        assertThat(response.statusCode()).isEqualTo(204);
        assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).hasValue(pageOrigin);
        assertThat(response.headers().firstValue("Access-Control-Allow-Headers"))
                .hasValue("content-type,x-demo-client");
    }

    @Test
    @DisplayName("O1/C9: /api/private is forwarded without CORS headers for the page's origin")
    void privateRoute() throws Exception {
        HttpResponse<String> response =
                send(request("/api/private").header("Origin", pageOrigin).GET());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    }

    @Test
    @DisplayName("O1: /api/login sets a cookie that /api/me then sees")
    void credentials() throws Exception {
        HttpResponse<String> login =
                send(request("/api/login").header("Origin", pageOrigin).POST(HttpRequest.BodyPublishers.noBody()));
        String cookie = login.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
        HttpResponse<String> me = send(request("/api/me")
                .header("Origin", pageOrigin)
                .header("Cookie", cookie)
                .GET());
        assertThat(me.body()).isEqualTo("{\"cookieReceived\":true}");
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + proxy.address().getPort() + path))
                .timeout(Duration.ofSeconds(10));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
