package dev.preflight.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.hardening.BackendFaultServer.Reply;
import dev.preflight.testing.Await;
import dev.preflight.testing.RawClient;
import dev.preflight.testing.RawResponse;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code limits.idle-timeout} is for a client connection with nothing going on (P1), not for a request
 * that waits on the upstream side: for the pool's one connection to come free ({@code acquire-timeout})
 * or for a connect ({@code connect-timeout}), which have limits of their own and answer 503 or 504 at
 * them. A request waiting longer than the idle timeout for a connection used to be cut off with no
 * answer at all (found by probing).
 */
@Timeout(60)
class IdleWhileAcquiringTest {

    @Test
    @DisplayName("P6: a request waiting on the pool past limits.idle-timeout is served when a connection frees")
    void waitingOnThePoolIsNotIdle() throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        Reply hold = BackendFaultServer.okWhen(go);
        try (BackendFaultServer backend = BackendFaultServer.start().on("/fault/hold", hold);
                BackendFaultProxy proxy = BackendFaultProxy.start(
                        backend.url(),
                        "max-connections = 1, acquire-timeout = 30s, response-timeout = 30s",
                        "limits.idle-timeout = 300ms");
                RawClient holder = proxy.raw();
                RawClient waiter = proxy.raw()) {
            holder.send("GET /fault/hold HTTP/1.1\r\nHost: api.test\r\n\r\n");
            backend.awaitRequest("/fault/hold");
            waiter.send("GET /fault/wait HTTP/1.1\r\nHost: api.test\r\n\r\n");
            Await.until("the request waits for the one connection", () -> proxy.upstreamPending() == 1);
            long waitStart = System.nanoTime();
            // Several idle timeouts pass while it waits (the upstream holds it, not the client).
            Await.until("three idle timeouts pass", () -> System.nanoTime() - waitStart > 1_000_000_000L);

            go.countDown();

            assertThat(holder.readResponse().status()).isEqualTo(200);
            RawResponse waited = waiter.readResponse();
            assertThat(waited.status()).as("%s", waited).isEqualTo(200);
        }
    }
}
