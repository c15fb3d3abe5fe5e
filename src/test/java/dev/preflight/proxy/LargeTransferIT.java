package dev.preflight.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.testing.BackendExchange.Framing;
import dev.preflight.testing.Behaviour;
import dev.preflight.testing.PatternBytes;
import dev.preflight.testing.PreflightProcess;
import dev.preflight.testing.ProxyHarness;
import dev.preflight.testing.TestBackend;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * P2: 1 GiB each way through the built jar running with a 96 MiB heap and 64 MiB of direct memory;
 * both arrive intact (SHA-256 on both ends, nothing stored whole anywhere).
 */
@Timeout(300)
class LargeTransferIT {

    private static final long GIB = 1L << 30;
    private static final List<String> CAPPED_MEMORY =
            List.of("-Xmx96m", "-XX:MaxDirectMemorySize=64m", "-XX:+ExitOnOutOfMemoryError");

    @TempDir
    static Path dir;

    static String expectedSha256;
    static TestBackend backend;
    static PreflightProcess proxy;
    static URI base;
    static HttpClient http;

    @BeforeAll
    static void start() throws Exception {
        expectedSha256 = PatternBytes.sha256Hex(GIB);
        backend = TestBackend.start()
                .on("/download/length", Behaviour.stream(GIB, Framing.CONTENT_LENGTH))
                .on("/download/chunked", Behaviour.stream(GIB, Framing.CHUNKED))
                .on("/upload", Behaviour.digest());
        int port = PreflightProcess.freePort();
        Path config = Files.writeString(
                dir.resolve("large-transfer.conf"),
                ProxyHarness.hocon(
                        backend.url(), port, "limits.max-body-size = 2g", "upstream.response-timeout = 60s"));
        proxy = PreflightProcess.start(dir, CAPPED_MEMORY, "--config", config.toString());
        proxy.awaitListening(port);
        base = URI.create("http://127.0.0.1:" + port);
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (http != null) {
                http.shutdownNow();
            }
            if (proxy != null) {
                assertThat(proxy.isAlive())
                        .as("the proxy survived; output:\n%s", proxy.output())
                        .isTrue();
                String output = proxy.output();
                assertThat(output).doesNotContain("OutOfMemoryError", "OutOfDirectMemoryError", "LEAK:");
            }
        } finally {
            if (proxy != null) {
                proxy.close();
            }
            if (backend != null) {
                backend.close();
            }
        }
    }

    @Test
    @DisplayName("P2: a 1 GiB download (Content-Length) through a proxy with a 96 MiB heap arrives intact")
    void downloadWithContentLength() throws Exception {
        assertDownload("/download/length");
    }

    @Test
    @DisplayName("P2: a 1 GiB download (chunked) through a proxy with a 96 MiB heap arrives intact")
    void downloadChunked() throws Exception {
        assertDownload("/download/chunked");
    }

    @Test
    @DisplayName("P2: a 1 GiB upload (Content-Length) through a proxy with a 96 MiB heap arrives intact")
    void uploadWithContentLength() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(base.resolve("/upload"))
                .timeout(Duration.ofMinutes(4))
                .POST(BodyPublishers.fromPublisher(BodyPublishers.ofInputStream(() -> PatternBytes.stream(GIB)), GIB))
                .build();

        HttpResponse<String> response = http.send(request, BodyHandlers.ofString());

        assertThat(response.statusCode()).as("status; body %s", response.body()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(GIB + " " + expectedSha256);
        assertThat(proxy.isAlive())
                .as("the proxy survived; output:\n%s", proxy.output())
                .isTrue();
    }

    private void assertDownload(String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(base.resolve(path))
                .timeout(Duration.ofMinutes(4))
                .build();

        HttpResponse<InputStream> response = http.send(request, BodyHandlers.ofInputStream());

        assertThat(response.statusCode()).isEqualTo(200);
        MessageDigest digest = PatternBytes.sha256();
        long length = 0;
        try (InputStream body = response.body()) {
            byte[] buffer = new byte[256 * 1024];
            for (int n = body.read(buffer); n >= 0; n = body.read(buffer)) {
                digest.update(buffer, 0, n);
                length += n;
            }
        }
        assertThat(length).isEqualTo(GIB);
        assertThat(HexFormat.of().formatHex(digest.digest())).isEqualTo(expectedSha256);
        assertThat(proxy.isAlive())
                .as("the proxy survived; output:\n%s", proxy.output())
                .isTrue();
    }
}
