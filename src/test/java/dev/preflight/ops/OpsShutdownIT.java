package dev.preflight.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.testing.Await;
import dev.preflight.testing.BackendExchange;
import dev.preflight.testing.PatternBytes;
import dev.preflight.testing.RawClient;
import dev.preflight.testing.RawResponse;
import dev.preflight.testing.TestBackend;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * O5 with the built jar: {@code SIGTERM} while slow requests are in flight. The backend holds their
 * responses until the test has checked what draining looks like from outside (not ready, new
 * connections refused, idle keep-alive connections closed, the process still waiting), then lets
 * them go: each must arrive whole, and the process must exit 0 well within the drain timeout. Also
 * the drain timeout cutting a request that never ends, and a second signal.
 */
@Timeout(180)
class OpsShutdownIT {
    private static final int SLOW = 3;
    private static final byte[] BODY = PatternBytes.bytes(200 * 1024);

    @TempDir
    Path dir;

    private TestBackend backend;
    private OpsProcess preflight;
    private final CompletableFuture<Void> release = new CompletableFuture<>();
    private final List<RawClient> clients = new ArrayList<>();
    private int proxyPort;
    private int adminPort;

    @BeforeEach
    void startBackend() throws Exception {
        backend = TestBackend.start();
        // /slow answers only when the test says so, with a body big enough to take several writes.
        backend.on(
                "/slow", exchange -> release.thenRun(() -> exchange.executor().execute(() -> respond(exchange))));
    }

    private static void respond(BackendExchange exchange) {
        exchange.respond(200, BODY, "Content-Type", "application/octet-stream");
    }

    @AfterEach
    void stop() throws Exception {
        release.complete(null);
        try {
            for (RawClient client : clients) {
                client.close();
            }
            if (preflight != null) {
                preflight.close();
            }
        } finally {
            backend.close();
        }
    }

    @Test
    @DisplayName(
            "O5: SIGTERM with 3 slow requests in flight: not ready, new connections refused, idle ones closed; each completes, exit 0 within the drain timeout")
    void drainsInFlightRequests() throws Exception {
        Duration drainTimeout = Duration.ofSeconds(10);
        start(drainTimeout);
        RawClient idle = connect();
        assertThat(idle.exchange(OpsWire.get(proxyPort, "/quick", null)).status())
                .isEqualTo(200);
        List<RawClient> slow = startSlowRequests();
        assertThat(OpsWire.admin(adminPort, "/health/ready").statusCode()).isEqualTo(200);

        long signalled = System.nanoTime();
        preflight.signal("TERM");

        HttpResponse<String> ready = Await.value("/health/ready turns 503", () -> readyWhenNotUp());
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(ready.body()).contains("\"draining\"");
        Await.until("a new connection to the proxy port is refused", this::connectionRefused);
        RawClient.Received idleEnd = idle.readUntilClose();
        assertThat(idleEnd.closedByPeer())
                .as("the idle keep-alive connection is closed")
                .isTrue();
        assertThat(idleEnd.bytes()).as("and nothing is written on it").isEmpty();
        assertThat(preflight.isAlive())
                .as("preflight waits for the requests in flight; output:\n%s", preflight.output())
                .isTrue();

        release.complete(null);
        for (RawClient client : slow) {
            RawResponse response = client.readResponse();
            assertThat(response.status()).as("%s", response).isEqualTo(200);
            assertThat(response.complete()).as("%s", response).isTrue();
            assertThat(response.body()).as("the whole body").isEqualTo(BODY);
            assertThat(response.connectionTokens()).as("%s", response).contains("close");
            assertThat(client.readUntilClose().closedByPeer()).isTrue();
        }
        int status = preflight.awaitExit(Await.PATIENCE.plus(drainTimeout));
        long millis = (System.nanoTime() - signalled) / 1_000_000;

        assertThat(status).as("exit status; output:\n%s", preflight.output()).isZero();
        assertThat(millis).as("ms from SIGTERM to exit").isLessThan(drainTimeout.toMillis());
        assertThat(preflight.stdout()).anyMatch(line -> line.contains("draining"));
        assertThat(preflight.stdout()).anyMatch(line -> line.contains("stopped"));
        assertThat(preflight.stdout()).as("no request was cut").noneMatch(line -> line.contains("drain timeout"));
    }

    @Test
    @DisplayName("O5: a request still in flight at the drain timeout is cut and the process exits")
    void drainTimeoutCutsWhatIsLeft() throws Exception {
        Duration drainTimeout = Duration.ofSeconds(3);
        start(drainTimeout);
        RawClient stuck = startSlowRequests().getFirst();

        long signalled = System.nanoTime();
        preflight.signal("TERM");
        RawClient.Received end = stuck.readUntilClose(Await.PATIENCE.plus(drainTimeout));
        preflight.awaitExit(Await.PATIENCE.plus(drainTimeout));
        long millis = (System.nanoTime() - signalled) / 1_000_000;

        assertThat(end.closedByPeer())
                .as("the stuck request's connection is closed")
                .isTrue();
        assertThat(end.text()).as("without a response").doesNotStartWith("HTTP/1.1 200");
        assertThat(millis)
                .as("ms from SIGTERM to exit, with a drain timeout of %s", drainTimeout)
                .isGreaterThanOrEqualTo(drainTimeout.toMillis() - 100)
                .isLessThan(drainTimeout.plusSeconds(10).toMillis());
        assertThat(preflight.stdout()).anyMatch(line -> line.contains("drain timeout"));
    }

    @Test
    @DisplayName("O5: a second SIGTERM while draining exits at once")
    void secondSignalExitsAtOnce() throws Exception {
        Duration drainTimeout = Duration.ofSeconds(120);
        start(drainTimeout);
        startSlowRequests();

        preflight.signal("TERM");
        preflight.awaitStdout("'draining'", line -> line.contains("draining"));
        long second = System.nanoTime();
        preflight.signal("TERM");
        preflight.awaitExit(Await.PATIENCE);
        long millis = (System.nanoTime() - second) / 1_000_000;

        assertThat(millis).as("ms from the second SIGTERM to exit").isLessThan(10_000);
    }

    @Test
    @DisplayName(
            "O5: SIGTERM the moment the proxy port is bound, before the admin port is up, still drains and exits 0")
    void signalDuringStartDrains() throws Exception {
        startBound(Duration.ofSeconds(10));
        preflight.signal("TERM");

        int status = preflight.awaitExit(Await.PATIENCE);

        assertThat(status).as("exit status; output:\n%s", preflight.output()).isZero();
        assertThat(preflight.stdout()).anyMatch(line -> line.contains("stopped"));
    }

    // --- helpers ---

    private void start(Duration drainTimeout) throws IOException {
        startBound(drainTimeout);
        adminPort = preflight.adminPort();
    }

    /** Started, and returned as soon as the proxy's port is bound (logged), the admin port maybe not yet. */
    private void startBound(Duration drainTimeout) throws IOException {
        Path file = Files.writeString(
                dir.resolve("application.conf"), """
                preflight {
                  listen { host = "127.0.0.1", port = 0 }
                  admin { host = "127.0.0.1", port = 0 }
                  upstream { url = "%s", response-timeout = 60s }
                  shutdown.drain-timeout = %ds
                }
                """.formatted(backend.url(), drainTimeout.toSeconds()));
        preflight = OpsProcess.start(dir, file, Map.of());
        proxyPort = preflight.proxyPort();
    }

    /** Sends {@link #SLOW} requests for /slow/N, each on its own connection, and waits until the backend has them all. */
    private List<RawClient> startSlowRequests() throws IOException {
        List<RawClient> slow = new ArrayList<>();
        for (int i = 1; i <= SLOW; i++) {
            RawClient client = connect();
            client.send(OpsWire.get(proxyPort, "/slow/" + i, null));
            slow.add(client);
        }
        Await.until(
                "the backend received the " + SLOW + " slow requests",
                () -> backend.requests().stream()
                                .filter(r -> r.path().startsWith("/slow/"))
                                .count()
                        == SLOW);
        return slow;
    }

    private RawClient connect() throws IOException {
        RawClient client = RawClient.connect(new InetSocketAddress("127.0.0.1", proxyPort));
        clients.add(client);
        return client;
    }

    /** The readiness answer once it is no longer 200; null while still 200. */
    private HttpResponse<String> readyWhenNotUp() {
        try {
            HttpResponse<String> response = OpsWire.admin(adminPort, "/health/ready");
            return response.statusCode() == 200 ? null : response;
        } catch (IOException e) {
            throw new AssertionError("the admin port answers while draining", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private boolean connectionRefused() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", proxyPort), 5_000);
            return false;
        } catch (ConnectException refused) {
            return true;
        } catch (IOException e) {
            throw new AssertionError("expected a refused connection, got " + e, e);
        }
    }
}
