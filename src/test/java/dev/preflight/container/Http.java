package dev.preflight.container;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The requests the container tests make from the host, as a browser would send them. */
final class Http {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1) // as a browser on http://, without an h2c upgrade
            .connectTimeout(TIMEOUT)
            .build();

    private Http() {}

    /** A CORS preflight: {@code OPTIONS} with {@code Origin} and {@code Access-Control-Request-*}. */
    static HttpResponse<String> preflight(String baseUrl, String path, String origin, String method, String headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(TIMEOUT)
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", origin)
                .header("Access-Control-Request-Method", method);
        if (!headers.isEmpty()) {
            request.header("Access-Control-Request-Headers", headers);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A cross-origin {@code GET}. */
    static HttpResponse<String> get(String baseUrl, String path, String origin)
            throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(TIMEOUT)
                .header("Origin", origin)
                .GET()
                .build();
        return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** A plain {@code GET}, for the admin port and the demo page. */
    static HttpResponse<String> get(String url) throws IOException, InterruptedException {
        HttpRequest request =
                HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT).GET().build();
        return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** The status of a preflight, or -1 while the connection fails (a container still starting). */
    static int preflightStatus(String baseUrl, String path, String origin, String method) {
        try {
            return preflight(baseUrl, path, origin, method, "").statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** Status, headers and body, for assertion messages. */
    static String describe(HttpResponse<String> response) {
        return response.statusCode() + " " + response.headers().map() + " " + response.body();
    }
}
