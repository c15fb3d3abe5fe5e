package dev.preflight.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.testing.Await;
import dev.preflight.testing.BackendExchange;
import dev.preflight.testing.ProxyHarness;
import dev.preflight.testing.TestBackend;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** O5: the drain waits for requests in flight for as long as its budget says, however long that is. */
class DrainBudgetTest {

    @Test
    @DisplayName("O5: a budget as long as a Duration's nanoseconds still waits for the request in flight"
            + " (start + budget overflowed, and every connection was cut at once; found by probing)")
    void aBudgetAsLongAsNanosecondsGoStillWaits() throws Exception {
        CompletableFuture<Void> release = new CompletableFuture<>();
        try (TestBackend backend = TestBackend.start()) {
            backend.on(
                    "/slow",
                    exchange -> release.thenRun(() -> exchange.executor().execute(() -> respond(exchange))));
            ProxyServer proxy = ProxyServer.start(ProxyHarness.settings(backend.url()));
            try {
                int port = proxy.address().getPort();
                HttpClient client = HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .build();
                CompletableFuture<HttpResponse<String>> answer = client.sendAsync(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/slow"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                backend.awaitRequest("/slow");

                CompletableFuture<Integer> cut = CompletableFuture.supplyAsync(() -> {
                    try {
                        return proxy.drain(Duration.ofNanos(Long.MAX_VALUE));
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                });
                Await.until("the drain has closed the listener", () -> refused(port));
                release.complete(null);

                assertThat(answer.get(20, TimeUnit.SECONDS).body()).isEqualTo("done");
                assertThat(cut.get(20, TimeUnit.SECONDS)).as("connections cut").isZero();
            } finally {
                proxy.close();
            }
        }
    }

    private static void respond(BackendExchange exchange) {
        exchange.respond(200, "done".getBytes(StandardCharsets.US_ASCII), "Content-Type", "text/plain");
    }

    private static boolean refused(int port) {
        try (Socket ignored = new Socket("127.0.0.1", port)) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }
}
