package dev.preflight.container;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.HealthCheck;
import com.github.dockerjava.api.model.Volume;
import dev.preflight.testing.Await;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;

/**
 * O7: the image built from the Dockerfile, run as users run it: the sample API in one container,
 * preflight in another in front of it (the sidecar layout of docker-compose.yml), the policy in a host
 * directory mounted at {@code /etc/preflight}.
 *
 * <p>The backend is a container rather than a server on the host: reaching the host from a container
 * takes Testcontainers' {@code exposeHostPorts}, whose SSH sidecar image must be pulled from a
 * registry, which CI cannot reach.
 */
class PreflightContainerIT {

    private static final Duration STARTUP = Duration.ofMinutes(3);
    private static final String APP = "https://app.example";

    private static final String POLICY = """
            preflight {
              upstream.url = "http://127.0.0.1:3000"
              cors {
                allowed-origins = ["%s"]
                allowed-methods = ["GET", "POST", "PUT"]
                allowed-headers = ["Content-Type"]
              }
            }
            """;

    private static Network network;
    private static GenericContainer<?> api;
    private static GenericContainer<?> proxy;

    @BeforeAll
    static void startApiAndProxy() throws Exception {
        if (PreflightImage.whyUnreachable().isPresent()) {
            return; // each test skips, saying why (a skip here would hide the tests from the report)
        }
        String image = PreflightImage.name();
        network = Network.newNetwork();
        api = new GenericContainer<>(image)
                .withImagePullPolicy(name -> false)
                .withNetwork(network)
                .withNetworkAliases("api")
                .withCommand("demo", "--only", "api", "--port", "3000")
                .withCreateContainerCmdModifier(cmd -> cmd.withHealthcheck(new HealthCheck().withTest(List.of("NONE"))))
                .withExposedPorts(3000)
                .waitingFor(Wait.forListeningPort().withStartupTimeout(STARTUP));
        api.start();
        proxy = preflight(image, policyDir(APP))
                .withNetwork(network)
                .withEnv("PREFLIGHT_UPSTREAM_URL", "http://api:3000");
        proxy.start();
    }

    @BeforeEach
    void requireEngine() {
        PreflightImage.requireEngine();
    }

    @AfterAll
    static void stopAll() {
        for (AutoCloseable closeable : new AutoCloseable[] {proxy, api, network}) {
            try {
                if (closeable != null) {
                    closeable.close();
                }
            } catch (Exception e) {
                // Cleanup only; a failure here must not hide the tests' results.
            }
        }
    }

    @Test
    @DisplayName("O7: the proxy runs as a non-root user")
    void runsAsNonRoot() throws Exception {
        String uid = proxy.execInContainer("id", "-u").getStdout().strip();
        String pid1 = proxy.execInContainer("grep", "^Uid:", "/proc/1/status").getStdout();

        assertThat(uid).isEqualTo("10001");
        assertThat(pid1.split("\\s+")[1]).as("the JVM's own uid: %s", pid1).isEqualTo("10001");
    }

    @Test
    @DisplayName("C3, C5, C6: preflights are answered from the mounted policy")
    void answersPreflightsFromTheMountedPolicy() throws Exception {
        HttpResponse<String> allowed = Http.preflight(proxyUrl(proxy), "/api/items/1", APP, "PUT", "content-type");
        HttpResponse<String> refused =
                Http.preflight(proxyUrl(proxy), "/api/items/1", "https://evil.example", "PUT", "");

        assertThat(allowed.statusCode()).as(Http.describe(allowed)).isEqualTo(204);
        assertThat(allowed.headers().firstValue("Access-Control-Allow-Origin")).hasValue(APP);
        assertThat(allowed.headers().firstValue("Access-Control-Allow-Methods")).hasValue("GET, POST, PUT");
        assertThat(allowed.headers().firstValue("Access-Control-Allow-Headers")).hasValue("content-type");
        assertThat(refused.statusCode()).as(Http.describe(refused)).isEqualTo(403);
        assertThat(refused.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    }

    @Test
    @DisplayName("C8, C10: a request is forwarded to the API container; the API's own CORS header is replaced")
    void forwardsToTheApi() throws Exception {
        // The sample API answers /api/hello with a careless "Access-Control-Allow-Origin: *".
        HttpResponse<String> response = Http.get(proxyUrl(proxy), "/api/hello", APP);

        assertThat(response.statusCode()).as(Http.describe(response)).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(response.headers().allValues("Access-Control-Allow-Origin")).containsExactly(APP);
        assertThat(response.headers().allValues("Vary"))
                .anySatisfy(vary -> assertThat(vary).containsIgnoringCase("Origin"));
    }

    @Test
    @DisplayName("O2, O7: /health/ready answers on the published admin port, and the image's HEALTHCHECK turns healthy")
    void reportsHealthy() throws Exception {
        HttpResponse<String> ready = Http.get(adminUrl(proxy) + "/health/ready");

        assertThat(ready.statusCode()).as(Http.describe(ready)).isEqualTo(200);
        assertThat(ready.body()).contains("\"UP\"");
        // --start-period=10s --interval=10s: the first check runs within about 20 s of the start.
        awaitOrShowLog(
                proxy,
                "the container's health status is healthy",
                Duration.ofSeconds(90),
                () -> "healthy".equals(health(proxy)));
    }

    @Test
    @DisplayName("O4: rewriting the mounted config file changes the running policy within seconds")
    void reloadsWhenTheMountedFileChanges() throws Exception {
        Path dir = policyDir("https://one.example");
        try (GenericContainer<?> container = preflight(PreflightImage.name(), dir)) {
            container.start();
            String url = proxyUrl(container);
            assertThat(Http.preflightStatus(url, "/", "https://two.example", "PUT"))
                    .as("before the change")
                    .isEqualTo(403);

            // As an editor saves: a new file renamed over the old one.
            Path next = writeReadable(dir.resolve("application.conf.new"), POLICY.formatted("https://two.example"));
            Files.move(
                    next,
                    dir.resolve("application.conf"),
                    StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);

            awaitOrShowLog(
                    container,
                    "the new policy allows https://two.example",
                    Duration.ofSeconds(10),
                    () -> Http.preflightStatus(url, "/", "https://two.example", "PUT") == 204);
            assertThat(Http.preflightStatus(url, "/", "https://one.example", "PUT"))
                    .isEqualTo(403);
        }
    }

    @Test
    @DisplayName("O5: docker stop (SIGTERM) drains and exits 0")
    void stopsCleanly() throws Exception {
        try (GenericContainer<?> container = preflight(PreflightImage.name(), policyDir(APP))) {
            container.start();
            DockerClient docker = DockerClientFactory.instance().client();

            // What `docker stop` does: SIGTERM, then SIGKILL after the timeout. Testcontainers' own
            // stop() kills at once, so it cannot tell a clean exit.
            docker.stopContainerCmd(container.getContainerId()).withTimeout(30).exec();
            InspectContainerResponse.ContainerState state = docker.inspectContainerCmd(container.getContainerId())
                    .exec()
                    .getState();

            assertThat(state.getRunning()).isFalse();
            assertThat(state.getExitCodeLong()).as(container.getLogs()).isZero();
        }
    }

    @Test
    @DisplayName("O7, P1: with a read-only root filesystem the proxy starts, answers, and runs on Netty's epoll")
    void runsOnEpollWithAReadOnlyRootFilesystem() throws Exception {
        try (GenericContainer<?> container = preflight(PreflightImage.name(), policyDir(APP))
                .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withReadonlyRootfs(true))) {
            container.start();

            assertThat(Http.preflightStatus(proxyUrl(container), "/", APP, "PUT"))
                    .as(container.getLogs())
                    .isEqualTo(204);
            assertThat(container.getLogs())
                    .as("the proxy's and the admin server's transport")
                    .containsPattern("listening on \\S+:8080 \\(epoll\\)")
                    .containsPattern("admin listening on \\S+:9090 \\(epoll\\)");
            // Loaded from where the image keeps it unpacked, not copied out of the jar into /tmp at the
            // start: Docker's --read-only leaves /tmp read-only too (Podman's mounts a tmpfs there, so
            // the log line alone would not tell).
            String maps = container
                    .execInContainer("grep", "netty_transport_native_epoll", "/proc/1/maps")
                    .getStdout();
            assertThat(maps).contains("/opt/preflight/native/libnetty_transport_native_epoll_");
        }
    }

    /** The image running {@code run} with the policy directory mounted read-only at /etc/preflight. */
    private static GenericContainer<?> preflight(String image, Path policyDir) {
        return new GenericContainer<>(image)
                .withImagePullPolicy(name -> false) // built by this suite; no registry to ask
                // A bind through the create command: withFileSystemBind would first probe file mounting
                // by pulling an alpine image, which logs an error where no registry is reachable.
                .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig()
                        .withBinds(new Bind(policyDir.toString(), new Volume("/etc/preflight"), AccessMode.ro)))
                .withExposedPorts(8080, 9090)
                .waitingFor(Wait.forHttp("/health/ready")
                        .forPort(9090)
                        .forStatusCode(200)
                        .withStartupTimeout(STARTUP));
    }

    /** A fresh host directory holding application.conf, readable by the image's user (uid 10001). */
    private static Path policyDir(String allowedOrigin) throws IOException {
        Path dir = Files.createTempDirectory("preflight-it-conf-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        writeReadable(dir.resolve("application.conf"), POLICY.formatted(allowedOrigin));
        return dir;
    }

    private static Path writeReadable(Path file, String content) throws IOException {
        Files.writeString(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        return file;
    }

    private static String proxyUrl(GenericContainer<?> container) {
        return "http://" + container.getHost() + ":" + container.getMappedPort(8080);
    }

    private static String adminUrl(GenericContainer<?> container) {
        return "http://" + container.getHost() + ":" + container.getMappedPort(9090);
    }

    private static void awaitOrShowLog(
            GenericContainer<?> container, String what, Duration timeout, BooleanSupplier condition) {
        try {
            Await.until(what, timeout, condition);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\n--- container log\n" + container.getLogs(), e);
        }
    }

    /** The engine's view of the HEALTHCHECK: starting, healthy or unhealthy. */
    private static String health(GenericContainer<?> container) {
        InspectContainerResponse.ContainerState state = DockerClientFactory.instance()
                .client()
                .inspectContainerCmd(container.getContainerId())
                .exec()
                .getState();
        return state.getHealth() == null ? "none" : state.getHealth().getStatus();
    }
}
