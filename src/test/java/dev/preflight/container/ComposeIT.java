package dev.preflight.container;

import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.testing.Await;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * O7: {@code docker-compose.yml} brings up the sample API, preflight and the page, and a browser's
 * requests from the page's origin get through. Runs whichever of {@code docker compose} (v2) and
 * {@code docker-compose} (v1) the machine has, on free host ports, with the image this suite built.
 */
class ComposeIT {

    /** The page's origin, which conf/application.conf allows. */
    private static final String PAGE_ORIGIN = "http://localhost:5173";

    private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration STARTUP = Duration.ofMinutes(3);

    @Test
    @DisplayName(
            "O7: docker-compose up serves the page, answers its preflight and forwards its request; down removes it")
    void demoThroughCompose() throws Exception {
        String image = PreflightImage.name();
        List<String> compose = composeCommand();
        int proxyPort = freePort();
        int adminPort = freePort();
        int pagePort = freePort();
        List<String> project = new ArrayList<>(compose);
        project.addAll(List.of(
                "-p",
                "preflight-it-" + UUID.randomUUID().toString().substring(0, 8),
                "-f",
                PreflightImage.projectRoot().resolve("docker-compose.yml").toString()));
        Map<String, String> env = Map.of(
                "PREFLIGHT_IMAGE", image,
                "PROXY_PORT", Integer.toString(proxyPort),
                "ADMIN_PORT", Integer.toString(adminPort),
                "PAGE_PORT", Integer.toString(pagePort));
        String proxy = "http://localhost:" + proxyPort;

        Result up = run(project, env, "up", "-d", "--no-build");
        try {
            assertThat(up.exitCode()).as(up.output()).isZero();

            HttpResponse<String> page = awaitOk("the page", () -> Http.get("http://localhost:" + pagePort + "/"));
            assertThat(page.body()).as("the page calls the proxy").contains(proxy);

            Await.until(
                    "the proxy answers the page's preflight",
                    STARTUP,
                    () -> Http.preflightStatus(proxy, "/api/items/1", PAGE_ORIGIN, "PUT") == 204);
            HttpResponse<String> preflight = Http.preflight(proxy, "/api/items/1", PAGE_ORIGIN, "PUT", "Content-Type");
            assertThat(preflight.statusCode()).as(Http.describe(preflight)).isEqualTo(204);
            assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin"))
                    .hasValue(PAGE_ORIGIN);

            HttpResponse<String> actual =
                    awaitOk("the API through the proxy", () -> Http.get(proxy, "/api/hello", PAGE_ORIGIN));
            assertThat(actual.headers().allValues("Access-Control-Allow-Origin"))
                    .containsExactly(PAGE_ORIGIN);

            HttpResponse<String> ready = Http.get("http://localhost:" + adminPort + "/health/ready");
            assertThat(ready.statusCode()).as(Http.describe(ready)).isEqualTo(200);
        } catch (AssertionError e) {
            throw new AssertionError(
                    e.getMessage() + "\n--- compose logs\n"
                            + run(project, env, "logs", "--no-color").output(),
                    e);
        } finally {
            Result down = run(project, env, "down", "--volumes", "--remove-orphans");
            assertThat(down.exitCode()).as(down.output()).isZero();
        }
    }

    private interface Request {
        HttpResponse<String> send() throws IOException, InterruptedException;
    }

    /** Polls until the request gets a 200 (containers start, the proxy gives 502 until the API is up). */
    private static HttpResponse<String> awaitOk(String what, Request request) {
        AtomicReference<HttpResponse<String>> last = new AtomicReference<>();
        Await.until(what + " answers 200", STARTUP, () -> {
            try {
                last.set(request.send());
                return last.get().statusCode() == 200;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        });
        return last.get();
    }

    /** {@code docker compose} (v2) where it exists, else {@code docker-compose} (v1); none skips the test. */
    private static List<String> composeCommand() throws InterruptedException {
        for (List<String> candidate : List.of(List.of("docker", "compose"), List.of("docker-compose"))) {
            List<String> version = new ArrayList<>(candidate);
            version.add("version");
            try {
                if (run(version, Map.of()).exitCode() == 0) {
                    return candidate;
                }
            } catch (IOException e) {
                // not installed; try the next
            }
        }
        Assumptions.abort("no compose command: neither `docker compose` nor `docker-compose` runs here");
        throw new AssertionError("unreachable");
    }

    private record Result(int exitCode, String output) {}

    private static Result run(List<String> command, Map<String, String> env, String... args)
            throws IOException, InterruptedException {
        List<String> full = new ArrayList<>(command);
        full.addAll(List.of(args));
        Path output = Files.createTempFile("preflight-compose-", ".log");
        try {
            ProcessBuilder builder =
                    new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(output.toFile());
            builder.environment().putAll(env);
            Process process = builder.start();
            if (!process.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                return new Result(-1, "timed out: " + full + "\n" + Files.readString(output, StandardCharsets.UTF_8));
            }
            return new Result(
                    process.exitValue(),
                    String.join(" ", full) + "\n" + Files.readString(output, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(output);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
