package dev.preflight.ops;

import static dev.preflight.ops.OpsWire.APP;
import static dev.preflight.ops.OpsWire.EVIL;
import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.testing.Await;
import dev.preflight.testing.Behaviour;
import dev.preflight.testing.RawClient;
import dev.preflight.testing.TestBackend;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * O6 with the built jar: a stdout that stops taking lines (a full pipe, a log driver that blocks)
 * costs lines, never the proxy. The access log drops and counts; the application log's lines, which
 * clients cause too (a refused CORS request's), must not make an event loop wait either.
 */
@Timeout(180)
class OpsBlockedStdoutIT {
    @TempDir
    Path dir;

    private TestBackend backend;
    private OpsProcess preflight;

    @AfterEach
    void stop() throws Exception {
        try {
            if (preflight != null) {
                preflight.close();
            }
        } finally {
            if (backend != null) {
                backend.close();
            }
        }
    }

    @Test
    @DisplayName("O6: with stdout full, a refused CORS request's log line does not stop the proxy: the next"
            + " requests are answered, and the lines that did not fit are dropped")
    void fullStdoutStopsNothing() throws Exception {
        backend = TestBackend.start();
        backend.on("/api", Behaviour.respond(200, "ok", "Content-Type", "text/plain"));
        Path file = Files.writeString(dir.resolve("application.conf"), """
                preflight {
                  listen { host = "127.0.0.1", port = 0 }
                  admin { host = "127.0.0.1", port = 0 }
                  upstream.url = "%s"
                  cors.allowed-origins = ["%s"]
                }
                """.formatted(backend.url(), APP));
        preflight = OpsProcess.start(dir, file, Map.of());
        int proxyPort = preflight.proxyPort();
        int adminPort = preflight.adminPort();
        InetSocketAddress proxy = new InetSocketAddress("127.0.0.1", proxyPort);

        preflight.pauseStdout();
        try (RawClient client = RawClient.connect(proxy)) {
            // Access lines until the pipe is full and the access log has begun to drop them.
            Await.until("the access log to drop lines", () -> {
                try {
                    for (int i = 0; i < 100; i++) {
                        assertThat(client.exchange(OpsWire.get(proxyPort, "/api/fill", APP))
                                        .status())
                                .isEqualTo(200);
                    }
                } catch (java.io.IOException e) {
                    throw new AssertionError(e);
                }
                return OpsWire.scrape(adminPort).sum("preflight_access_log_dropped_total") > 0;
            });
            // Each logged on preflight.cors, an application line, which stdout cannot take now.
            for (int i = 0; i < 3; i++) {
                assertThat(client.exchange(OpsWire.get(proxyPort, "/api/refused", EVIL))
                                .status())
                        .isEqualTo(200);
            }
            assertThat(client.exchange(OpsWire.get(proxyPort, "/api/after", APP))
                            .status())
                    .isEqualTo(200);
        }
        try (RawClient other = RawClient.connect(proxy)) {
            assertThat(other.exchange(OpsWire.get(proxyPort, "/api/other", APP)).status())
                    .isEqualTo(200);
        }
        assertThat(OpsWire.admin(adminPort, "/health/ready").statusCode()).isEqualTo(200);
        preflight.resumeStdout();
        preflight.awaitStdout(
                "a refused request's line, once stdout takes lines again",
                line -> line.contains("preflight.cors") || line.contains("origin-not-allowed"));
    }
}
