package dev.preflight.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.testing.Await;
import dev.preflight.testing.RawClient;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * O3, O4: a reload that changes an upstream's settings starts a new pool and retires the old one,
 * whose connections in use finish their exchanges first. The pool gauges count those until they
 * close: they are open at the backend all the same. They used to read the new pool alone, and showed
 * an exchange (or a tunnel) in flight as no connection at all (found by probing).
 */
@Timeout(60)
class PoolGaugesAcrossReloadTest {

    @Test
    @DisplayName("O3/O4: an exchange in flight on a pool a reload retired is still counted in use, until it ends")
    void retiredPoolsConnectionsAreCounted() throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        try (BackendFaultServer backend = BackendFaultServer.start().on("/fault/hold", BackendFaultServer.okWhen(go));
                BackendFaultProxy proxy = BackendFaultProxy.start(backend.url(), "response-timeout = 30s");
                RawClient client = proxy.raw()) {
            client.send("GET /fault/hold HTTP/1.1\r\nHost: api.test\r\n\r\n");
            backend.awaitRequest("/fault/hold");
            Await.until("the exchange holds a connection", () -> proxy.upstreamInUse() == 1);

            proxy.reload("response-timeout = 31s");

            assertThat(proxy.upstreamInUse()).as("in use after the reload").isEqualTo(1);
            go.countDown();
            assertThat(client.readResponse().status()).isEqualTo(200);
            Await.until("the retired pool's connection closes", () -> proxy.upstreamInUse() == 0);
            assertThat(proxy.upstreamIdle())
                    .as("nothing idles in a retired pool")
                    .isZero();
        }
    }
}
