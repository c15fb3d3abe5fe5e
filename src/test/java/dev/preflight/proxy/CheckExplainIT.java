package dev.preflight.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.testing.PreflightProcess;
import dev.preflight.testing.PreflightProcess.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** O1: {@code preflight check} and {@code preflight explain}, run as processes from the built jar. */
@Timeout(120)
class CheckExplainIT {
    private static final Duration EXIT_WITHIN = Duration.ofSeconds(60);

    private static final String SPA = """
            preflight {
              upstream.url = "http://127.0.0.1:3000"
              cors {
                allowed-origins = ["https://app.example.com"]
                allowed-methods = ["GET", "HEAD", "POST", "PUT", "DELETE"]
                allowed-headers = ["Content-Type"]
                exposed-headers = ["X-Request-Id"]
                allow-credentials = true
                max-age = 10m
              }
              routes = [
                { name = "public", path-prefix = "/public", cors { allowed-origins = ["*"], allow-credentials = false } }
              ]
            }
            """;

    @TempDir
    Path dir;

    @Test
    @DisplayName("O1: check on a valid file prints a summary and exits 0")
    void checkValid() throws Exception {
        Result result = PreflightProcess.run(
                dir, EXIT_WITHIN, List.of(), "check", "--config", write(SPA).toString());

        assertThat(result.exitCode()).as("%s", result).isZero();
        assertThat(result.stdout()).contains("valid", "1 route", "http://127.0.0.1:3000");
    }

    @Test
    @DisplayName("O1/V4: check prints warnings but still exits 0")
    void checkWarnings() throws Exception {
        Path config = write(SPA.replace("max-age = 10m", "max-age = 3h").replace("\"PUT\"", "\"patch\""));

        Result result = PreflightProcess.run(dir, EXIT_WITHIN, List.of(), "check", "--config", config.toString());

        assertThat(result.exitCode()).as("%s", result).isZero();
        assertThat(result.stdout()).contains("max-age", "patch", "2 warnings");
    }

    @Test
    @DisplayName("O1/V2/V3: check on an invalid file prints every error with its line and exits 1")
    void checkInvalid() throws Exception {
        Path config = write(SPA.replace("\"https://app.example.com\"", "\"https://app.example.com/\", \"*\""));

        Result result = PreflightProcess.run(dir, EXIT_WITHIN, List.of(), "check", "--config", config.toString());

        assertThat(result.exitCode()).as("%s", result).isEqualTo(1);
        assertThat(result.stderr())
                .contains("preflight.cors.allowed-origins[0]", ":4)", "https://app.example.com")
                .contains("allow-credentials")
                .contains("invalid (2 errors)");
    }

    @Test
    @DisplayName("O1/C5: explain an allowed preflight: route, decision, reason and the exact headers; exit 0")
    void explainAllowedPreflight() throws Exception {
        Result result = explain(
                "--origin", "https://app.example.com", "--method", "PUT", "--header", "Content-Type", "--preflight");

        assertThat(result.exitCode()).as("%s", result).isZero();
        assertThat(result.stdout())
                .contains("route:     default")
                .contains("decision:  allowed (preflight)")
                .contains("answer:    204 from the proxy")
                .contains("  Access-Control-Allow-Origin: https://app.example.com\n")
                .contains("  Access-Control-Allow-Credentials: true\n")
                .contains("  Access-Control-Allow-Methods: GET, HEAD, POST, PUT, DELETE\n")
                .contains("  Access-Control-Allow-Headers: Content-Type\n")
                .contains("  Access-Control-Max-Age: 600\n")
                .contains("  Vary: Origin, Access-Control-Request-Method, Access-Control-Request-Headers\n");
    }

    @Test
    @DisplayName("O1/C6: explain a refused preflight: the reason and the offending header; exit 2")
    void explainRefusedPreflight() throws Exception {
        Result result = explain(
                "--origin", "https://app.example.com", "--method", "PUT", "--header", "X-Trace-Id", "--preflight");

        assertThat(result.exitCode()).as("%s", result).isEqualTo(2);
        assertThat(result.stdout())
                .contains("decision:  rejected (preflight)")
                .contains("reason:    header-not-allowed (X-Trace-Id)")
                .contains("answer:    403 from the proxy")
                .doesNotContain("Access-Control-Allow-Origin");
    }

    @Test
    @DisplayName("O1/C8: explain an actual request on a route: the headers added to the backend's response")
    void explainActualOnRoute() throws Exception {
        Result result = explain("--origin", "https://other.example", "--method", "GET", "--path", "/public/a");

        assertThat(result.exitCode()).as("%s", result).isZero();
        assertThat(result.stdout())
                .contains("route:     public")
                .contains("decision:  allowed (actual)")
                .contains("answer:    forwarded")
                .contains("  Access-Control-Allow-Origin: *\n");
    }

    @Test
    @DisplayName("O1: explain without --method is a usage error")
    void explainUsage() throws Exception {
        Result result = explain("--origin", "https://app.example.com");

        assertThat(result.exitCode()).as("%s", result).isEqualTo(2);
        assertThat(result.stderr()).contains("explain needs --method");
    }

    private Result explain(String... args) throws Exception {
        String[] all = new String[args.length + 3];
        all[0] = "explain";
        all[1] = "--config";
        all[2] = write(SPA).toString();
        System.arraycopy(args, 0, all, 3, args.length);
        return PreflightProcess.run(dir, EXIT_WITHIN, List.of(), all);
    }

    private Path write(String config) throws Exception {
        return Files.writeString(Files.createTempFile(dir, "preflight", ".conf"), config);
    }
}
