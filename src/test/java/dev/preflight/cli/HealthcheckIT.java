package dev.preflight.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.preflight.testing.PreflightProcess;
import dev.preflight.testing.PreflightProcess.Result;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** O1: {@code preflight healthcheck} asks the admin port's /health/ready of a running proxy. */
@Timeout(120)
class HealthcheckIT {
    private static final Duration EXIT_WITHIN = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    @DisplayName("O1: healthcheck exits 0 while the proxy is ready, 1 once it is gone")
    void readyThenGone() throws Exception {
        int port = PreflightProcess.freePort();
        int adminPort = PreflightProcess.freePort();
        Path config = Files.writeString(dir.resolve("application.conf"), """
                preflight {
                  listen { host = "127.0.0.1", port = %d }
                  admin { host = "0.0.0.0", port = %d }
                  upstream.url = "http://127.0.0.1:9"
                  reload.watch = false
                }
                """.formatted(port, adminPort));
        try (PreflightProcess proxy = PreflightProcess.start(dir, List.of(), "run", "--config", config.toString())) {
            proxy.awaitListening(adminPort);
            Result ready = healthcheck(config);
            assertThat(ready.exitCode()).as("%s", ready).isZero();
            assertThat(ready.stdout()).contains("ready");
        }
        Result gone = healthcheck(config);
        assertThat(gone.exitCode()).as("%s", gone).isEqualTo(1);
        assertThat(gone.stderr()).contains("not ready");
    }

    @Test
    @DisplayName("O1, O4: an edit the running proxy refused (an invalid value elsewhere, a half-written file)"
            + " leaves it healthy: healthcheck reads the admin section alone; one that does not parse says so")
    void refusedEditStaysHealthy() throws Exception {
        int port = PreflightProcess.freePort();
        int adminPort = PreflightProcess.freePort();
        String good = """
                preflight {
                  listen { host = "127.0.0.1", port = %d }
                  admin { host = "127.0.0.1", port = %d }
                  upstream.url = "http://127.0.0.1:9"
                  reload.watch = false
                }
                """.formatted(port, adminPort);
        Path config = Files.writeString(dir.resolve("application.conf"), good);
        try (PreflightProcess proxy = PreflightProcess.start(dir, List.of(), "run", "--config", config.toString())) {
            proxy.awaitListening(adminPort);

            Files.writeString(
                    config,
                    good.replace(
                            "reload.watch = false", "reload.watch = false\n  cors.allow-credentials = \"yes please\""));
            Result invalidElsewhere = healthcheck(config);
            assertThat(invalidElsewhere.exitCode()).as("%s", invalidElsewhere).isZero();

            Files.writeString(config, good.substring(0, good.indexOf("upstream")) + "upstream { url = ");
            Result halfWritten = healthcheck(config); // the defaults' admin port: not this proxy's
            assertThat(halfWritten.stderr()).contains("does not parse").contains("admin port of the defaults");

            Files.writeString(config, good.replace("port = " + adminPort, "port = \"nine\""));
            Result invalidAdmin = healthcheck(config);
            assertThat(invalidAdmin.exitCode()).as("%s", invalidAdmin).isEqualTo(1);
            assertThat(invalidAdmin.stderr()).contains("preflight.admin.port");
        }
    }

    @Test
    @DisplayName("O1: healthcheck without an admin port says why and exits 1")
    void adminDisabled() throws Exception {
        Path config = Files.writeString(
                dir.resolve("no-admin.conf"),
                "preflight { admin.enabled = false, upstream.url = \"http://127.0.0.1:9\" }");
        Result result = healthcheck(config);
        assertThat(result.exitCode()).as("%s", result).isEqualTo(1);
        assertThat(result.stderr()).contains("admin.enabled");
    }

    @Test
    @DisplayName("O1: a 200 that is not preflight's ready answer (another server on the admin port) is not ready")
    void anotherServersAnswerIsNotReady() throws Exception {
        HttpServer other = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        other.createContext("/", exchange -> {
            byte[] body = "OK".getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        other.start();
        try {
            Path config = Files.writeString(
                    dir.resolve("other.conf"), """
                    preflight {
                      admin { host = "127.0.0.1", port = %d }
                      upstream.url = "http://127.0.0.1:9"
                    }
                    """.formatted(other.getAddress().getPort()));
            Result result = healthcheck(config);
            assertThat(result.exitCode()).as("%s", result).isEqualTo(1);
            assertThat(result.stderr()).contains("not ready", "answered 200 OK");
        } finally {
            other.stop(0);
        }
    }

    private Result healthcheck(Path config) throws Exception {
        return PreflightProcess.run(dir, EXIT_WITHIN, List.of(), "healthcheck", "--config", config.toString());
    }
}
