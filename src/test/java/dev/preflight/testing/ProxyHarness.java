package dev.preflight.testing;

import dev.preflight.config.ConfigLoader;
import dev.preflight.config.InvalidConfigException;
import dev.preflight.config.Settings;
import dev.preflight.proxy.ProxyServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The real proxy on 127.0.0.1 and a free port in front of a {@link TestBackend}, plus the clients
 * to talk to it. Tests state only the settings they are about, one HOCON line each relative to
 * {@code preflight} ({@code "limits.max-body-size = 1k"}); the rest are the defaults, with timeouts
 * long enough for a busy machine.
 */
public final class ProxyHarness implements AutoCloseable {

    private final TestBackend backend;
    private final ProxyServer proxy;
    private final HttpClient http;

    private ProxyHarness(TestBackend backend, ProxyServer proxy) {
        this.backend = backend;
        this.proxy = proxy;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
    }

    /** A fresh backend (echoing until told otherwise) and the proxy in front of it. */
    public static ProxyHarness start(String... settings) throws Exception {
        TestBackend backend = TestBackend.start();
        try {
            return start(backend, backend.url(), settings);
        } catch (Exception | Error e) {
            backend.close();
            throw e;
        }
    }

    /** The proxy in front of {@code upstreamUrl}, where no test backend runs (a closed port, say). */
    public static ProxyHarness withoutBackend(String upstreamUrl, String... settings) throws Exception {
        return start(null, upstreamUrl, settings);
    }

    private static ProxyHarness start(TestBackend backend, String upstreamUrl, String... settings) throws Exception {
        return new ProxyHarness(backend, ProxyServer.start(settings(upstreamUrl, settings)));
    }

    /** Parsed settings for a proxy on 127.0.0.1, port 0, in front of {@code upstreamUrl}. */
    public static Settings settings(String upstreamUrl, String... settings) throws InvalidConfigException {
        return ConfigLoader.parse(hocon(upstreamUrl, 0, settings), Map.of());
    }

    /** The HOCON behind {@link #settings}; {@code settings} lines override the base. */
    public static String hocon(String upstreamUrl, int port, String... settings) {
        String base = """
                preflight {
                  listen { host = "127.0.0.1", port = %d }
                  admin.enabled = false
                  reload.watch = false
                  upstream { url = "%s", connect-timeout = 5s, response-timeout = 20s }
                  limits { header-timeout = 20s }
                }
                """.formatted(port, upstreamUrl);
        return base + Arrays.stream(settings).map(s -> "preflight." + s).collect(Collectors.joining("\n"));
    }

    public TestBackend backend() {
        if (backend == null) {
            throw new IllegalStateException("started withoutBackend");
        }
        return backend;
    }

    public InetSocketAddress address() {
        return proxy.address();
    }

    /** {@code host:port} of the proxy, as a client's {@code Host} header. */
    public String authority() {
        return "127.0.0.1:" + address().getPort();
    }

    public URI uri(String pathAndQuery) {
        return URI.create("http://" + authority() + pathAndQuery);
    }

    /** A new plain-socket connection to the proxy; close it (try-with-resources). */
    public RawClient raw() throws IOException {
        return RawClient.connect(address());
    }

    /** The JDK client (HTTP/1.1, pooled connections), for tests where framing does not matter. */
    public HttpClient http() {
        return http;
    }

    /** A request builder for {@code pathAndQuery} with a 20 s timeout. */
    public HttpRequest.Builder request(String pathAndQuery) {
        return HttpRequest.newBuilder(uri(pathAndQuery)).timeout(Await.PATIENCE);
    }

    public HttpResponse<byte[]> send(HttpRequest request) throws IOException, InterruptedException {
        return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    public HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
        return http.send(request(pathAndQuery).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        try {
            proxy.close();
        } finally {
            // Not close(): that waits for requests still in flight, and some tests leave one hanging.
            http.shutdownNow();
            if (backend != null) {
                backend.close();
            }
        }
    }
}
