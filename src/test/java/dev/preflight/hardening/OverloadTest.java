package dev.preflight.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.testing.Await;
import dev.preflight.testing.Behaviour;
import dev.preflight.testing.RawClient;
import dev.preflight.testing.RawResponse;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Overload: more clients than {@code limits.max-connections}, more concurrent requests than {@code
 * upstream.max-connections}. The extra connections are closed at once (ConnectionLimitHandler: no
 * response, a close) and the extra requests get 503 after {@code acquire-timeout}; nobody hangs,
 * the connections already admitted keep working, and once the burst is over everything is accepted
 * again. {@code dev.preflight.proxy.ClientConnectionLimitsTest} and {@code UpstreamErrorsTest} have
 * the one-extra cases.
 */
@Timeout(90)
class OverloadTest {

    private static final int LIMIT = 20;

    @Test
    @DisplayName(
            "limits.max-connections = 20, 40 clients: the 20 extra are closed quickly, the first 20 keep working, and new clients are served after the burst")
    void moreClientsThanTheLimit() throws Exception {
        try (BackendFaultProxy proxy =
                BackendFaultProxy.start("http://127.0.0.1:1", "", "limits.max-connections = " + LIMIT)) {
            List<RawClient> admitted = new ArrayList<>();
            List<RawClient> extra = new ArrayList<>();
            try {
                for (int i = 0; i < LIMIT; i++) {
                    RawClient client = proxy.raw();
                    admitted.add(client);
                    assertThat(client.exchange(get("first/" + i)).status()).isEqualTo(200);
                }
                assertThat(proxy.clientConnections()).isEqualTo(LIMIT);

                for (int i = 0; i < LIMIT; i++) {
                    RawClient client = proxy.raw(); // the kernel completes the handshake; the proxy then closes
                    extra.add(client);
                    client.trySend(get("extra/" + i).getBytes(StandardCharsets.ISO_8859_1));
                }
                for (int i = 0; i < LIMIT; i++) {
                    long start = System.nanoTime();
                    RawClient.Received received = extra.get(i).readUntilClose(Duration.ofSeconds(10));

                    assertThat(received.closedByPeer())
                            .as("extra connection %d closed", i)
                            .isTrue();
                    assertThat(received.bytes())
                            .as("no response on extra connection %d", i)
                            .isEmpty();
                    assertThat(Duration.ofNanos(System.nanoTime() - start))
                            .as("refused quickly")
                            .isLessThan(Duration.ofSeconds(5));
                }
                for (int i = 0; i < LIMIT; i++) {
                    RawResponse again = admitted.get(i).exchange(get("again/" + i));
                    assertThat(again.status())
                            .as("admitted connection %d still works", i)
                            .isEqualTo(200);
                }
                assertThat(proxy.healthy().requests().stream()
                                .filter(r -> r.path().startsWith("/extra/")))
                        .as("no request of a refused connection reached the backend")
                        .isEmpty();
            } finally {
                closeAll(admitted);
                closeAll(extra);
            }

            Await.until("every client connection is gone", () -> proxy.clientConnections() == 0);
            List<RawClient> after = new ArrayList<>();
            try {
                for (int i = 0; i < LIMIT; i++) {
                    RawClient client = proxy.raw();
                    after.add(client);
                    assertThat(client.exchange(get("after/" + i)).status())
                            .as("client %d after the burst", i)
                            .isEqualTo(200);
                }
            } finally {
                closeAll(after);
            }
        }
    }

    @Test
    @DisplayName(
            "limits.max-connections = 5 under churn from 8 threads: each request is served or its connection closed, none hangs, and afterwards exactly 5 connections fit again")
    void churnAtTheLimit() throws Exception {
        int limit = 5;
        try (BackendFaultProxy proxy =
                BackendFaultProxy.start("http://127.0.0.1:1", "", "limits.max-connections = " + limit)) {
            proxy.healthy().on("/slow", Behaviour.delayed(Duration.ofMillis(50), Behaviour.echo()));
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<String>> outcomes = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    int n = i;
                    outcomes.add(pool.submit(() -> outcome(proxy, n)));
                }
                int served = 0;
                for (Future<String> outcome : outcomes) {
                    String result = outcome.get(30, TimeUnit.SECONDS);
                    assertThat(result).as("how a request ended").isIn("200", "refused", "aborted");
                    served += result.equals("200") ? 1 : 0;
                }
                assertThat(served).as("requests served amid the churn").isPositive();
            } finally {
                pool.shutdownNow();
            }
            Await.until("every client connection is gone", () -> proxy.clientConnections() == 0);
            proxy.awaitUpstreamQuiet();

            List<RawClient> full = new ArrayList<>();
            try {
                for (int i = 0; i < limit; i++) {
                    full.add(proxy.raw());
                }
                for (int i = 0; i < limit; i++) {
                    assertThat(full.get(i).exchange(get("full/" + i)).status())
                            .as("connection %d of %d after the churn", i + 1, limit)
                            .isEqualTo(200);
                }
                try (RawClient oneTooMany = proxy.raw()) {
                    oneTooMany.trySend(get("one-too-many").getBytes(StandardCharsets.ISO_8859_1));
                    assertThat(oneTooMany.readUntilClose(Duration.ofSeconds(10)).closedByPeer())
                            .as("the connection counter is exact again: one more is refused")
                            .isTrue();
                }
            } finally {
                closeAll(full);
            }
        }
    }

    @Test
    @DisplayName(
            "P6: 12 concurrent slow requests over upstream.max-connections = 4: each gets 200 or 503, none hangs, the pool drains and recovers")
    void moreRequestsThanThePool() throws Exception {
        try (BackendFaultProxy proxy = BackendFaultProxy.start(
                "http://127.0.0.1:1", "", "upstream.max-connections = 4", "upstream.acquire-timeout = 500ms")) {
            proxy.healthy().on("/slow", Behaviour.delayed(Duration.ofMillis(1500), Behaviour.echo()));
            ExecutorService pool = Executors.newFixedThreadPool(12);
            try {
                List<Future<Integer>> statuses = new ArrayList<>();
                for (int i = 0; i < 12; i++) {
                    int n = i;
                    statuses.add(pool.submit(() -> {
                        try (RawClient client = proxy.raw()) {
                            return client.exchange(get("slow/" + n)).status();
                        }
                    }));
                }
                int ok = 0;
                int unavailable = 0;
                for (Future<Integer> status : statuses) {
                    int code = status.get(30, TimeUnit.SECONDS);
                    assertThat(code).isIn(200, 503);
                    if (code == 200) {
                        ok++;
                    } else {
                        unavailable++;
                    }
                }
                assertThat(ok).as("requests that got one of the 4 connections").isGreaterThanOrEqualTo(4);
                assertThat(unavailable)
                        .as("requests that waited past acquire-timeout")
                        .isPositive();
                assertThat(proxy.upstreamErrors("pool-exhausted")).isEqualTo(unavailable);
            } finally {
                pool.shutdownNow();
            }
            proxy.awaitUpstreamQuiet();
            try (RawClient client = proxy.raw()) {
                for (int i = 0; i < 12; i++) {
                    assertThat(client.exchange(get("after/" + i)).status())
                            .as("request %d after the burst", i)
                            .isEqualTo(200);
                }
            }
        }
    }

    /**
     * Connects and sends a slow request; every fourth client leaves without reading the answer. Says
     * how it ended: a status, {@code refused} (closed by the proxy), {@code aborted} or {@code hung}.
     */
    private static String outcome(BackendFaultProxy proxy, int n) {
        try (RawClient client = proxy.raw()) {
            if (!client.trySend(get("slow/" + n).getBytes(StandardCharsets.ISO_8859_1))) {
                return "refused";
            }
            if (n % 4 == 3) {
                return "aborted";
            }
            try {
                return Integer.toString(client.readResponse().status());
            } catch (SocketTimeoutException e) {
                return "hung";
            } catch (IOException closed) {
                return "refused";
            }
        } catch (IOException e) {
            return "refused";
        }
    }

    private static String get(String path) {
        return "GET /" + path + " HTTP/1.1\r\nHost: api.test\r\n\r\n";
    }

    private static void closeAll(List<RawClient> clients) throws IOException {
        for (RawClient client : clients) {
            client.close();
        }
    }
}
