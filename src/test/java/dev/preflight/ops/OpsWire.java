package dev.preflight.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.testing.Await;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** Raw CORS requests for the proxy port and a JDK client for the admin port, shared by the ops tests. */
final class OpsWire {
    static final String APP = "http://app.example";
    static final String EVIL = "http://evil.example";

    private static final HttpClient ADMIN = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Await.PATIENCE)
            .build();

    private OpsWire() {}

    /** A bodyless request; {@code origin} null for none; {@code headerLines} as "Name: value". */
    static String request(String method, int port, String target, String origin, String... headerLines) {
        StringBuilder out = new StringBuilder()
                .append(method)
                .append(' ')
                .append(target)
                .append(" HTTP/1.1\r\nHost: 127.0.0.1:")
                .append(port)
                .append("\r\n");
        if (origin != null) {
            out.append("Origin: ").append(origin).append("\r\n");
        }
        for (String line : headerLines) {
            out.append(line).append("\r\n");
        }
        return out.append("\r\n").toString();
    }

    static String get(int port, String target, String origin) {
        return request("GET", port, target, origin);
    }

    static String preflight(int port, String target, String origin, String method) {
        return request("OPTIONS", port, target, origin, "Access-Control-Request-Method: " + method);
    }

    /** GET {@code path} on the admin port. */
    static HttpResponse<String> admin(int adminPort, String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path))
                .timeout(Await.PATIENCE)
                .GET()
                .build();
        return ADMIN.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** {@code /metrics}, checked to be 200 and valid exposition format. */
    static OpsExposition scrape(int adminPort) {
        try {
            HttpResponse<String> response = admin(adminPort, "/metrics");
            assertThat(response.statusCode()).as("/metrics status").isEqualTo(200);
            assertThat(response.headers().firstValue("content-type"))
                    .hasValueSatisfying(type -> assertThat(type).startsWith("text/plain; version=0.0.4"));
            return OpsExposition.parse(response.body());
        } catch (IOException e) {
            throw new AssertionError("scraping /metrics on port " + adminPort + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
