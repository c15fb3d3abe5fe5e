package dev.preflight.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.hardening.BackendFaultServer.Reply;
import dev.preflight.testing.Await;
import dev.preflight.testing.RawClient;
import dev.preflight.testing.RawResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * P6: {@code upstream.max-connections} is one budget over every event loop, and each loop keeps its
 * own connections: a connection given back on one loop while requests wait on another must reach
 * them (closed here, opened there), or they wait out {@code acquire-timeout} for a 503 while the
 * budget sits idle. Client connections are spread over the loops in turn, so four waiters on their own
 * connections wait on every loop the proxy has (two on the two CPUs of CI).
 */
@Timeout(60)
class PoolBudgetTest {

    @Test
    @DisplayName("P6: requests waiting on any event loop get the connection another loop frees, not a 503")
    void waitersOnEveryLoopAreServed() throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        Reply hold = BackendFaultServer.okWhen(go);
        List<RawClient> waiters = new ArrayList<>();
        try (BackendFaultServer backend = BackendFaultServer.start().on("/fault/hold", hold);
                BackendFaultProxy proxy = BackendFaultProxy.start(
                        backend.url(), "max-connections = 1, acquire-timeout = 30s, response-timeout = 30s");
                RawClient holder = proxy.raw()) {
            holder.send("GET /fault/hold HTTP/1.1\r\nHost: api.test\r\n\r\n");
            backend.awaitRequest("/fault/hold");
            for (int i = 0; i < 4; i++) {
                RawClient waiter = proxy.raw();
                waiters.add(waiter);
                waiter.send("GET /fault/wait" + i + " HTTP/1.1\r\nHost: api.test\r\n\r\n");
            }
            Await.until("four requests wait for the one connection", () -> proxy.upstreamPending() == 4);

            long start = System.nanoTime();
            go.countDown();

            assertThat(holder.readResponse().status()).isEqualTo(200);
            for (RawClient waiter : waiters) {
                RawResponse response = waiter.readResponse();
                assertThat(response.status()).as("%s", response).isEqualTo(200);
            }
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .as("every waiter served long before acquire-timeout")
                    .isLessThan(Duration.ofSeconds(15));
            assertThat(proxy.upstreamErrors("pool-exhausted")).isZero();
        } finally {
            for (RawClient waiter : waiters) {
                waiter.close();
            }
        }
    }

    @Test
    @DisplayName("P6, O3: a request waiting for a connection whose client leaves stops counting as pending at once")
    void waiterWhoseClientLeftIsNotPending() throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        Reply hold = BackendFaultServer.okWhen(go);
        try (BackendFaultServer backend = BackendFaultServer.start().on("/fault/hold", hold);
                BackendFaultProxy proxy = BackendFaultProxy.start(
                        backend.url(), "max-connections = 1, acquire-timeout = 60s, response-timeout = 60s");
                RawClient holder = proxy.raw()) {
            holder.send("GET /fault/hold HTTP/1.1\r\nHost: api.test\r\n\r\n");
            backend.awaitRequest("/fault/hold");
            List<RawClient> leaving = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                RawClient waiter = proxy.raw();
                leaving.add(waiter);
                waiter.send("GET /fault/gone" + i + " HTTP/1.1\r\nHost: api.test\r\n\r\n");
            }
            Await.until("four requests wait", () -> proxy.upstreamPending() == 4);

            for (RawClient waiter : leaving) {
                waiter.close();
            }

            // Long before acquire-timeout, with the one connection still held.
            Await.until("no request counted as waiting", () -> proxy.upstreamPending() == 0);
            go.countDown();
            assertThat(holder.readResponse().status()).isEqualTo(200);
        }
    }

    @Test
    @DisplayName("P6: with the budget spent, a client sending back to back queues behind a waiting request rather"
            + " than take its connection straight back: the waiter is served, not 503")
    void waiterComesBeforeAClientTakingItsOwnBack() throws Exception {
        int loops = Runtime.getRuntime().availableProcessors(); // the proxy's event loops, one per core
        List<RawClient> others = new ArrayList<>();
        try (BackendFaultServer backend = BackendFaultServer.start();
                BackendFaultProxy proxy = BackendFaultProxy.start(
                        backend.url(), "max-connections = 1, acquire-timeout = 5s, response-timeout = 30s");
                RawClient busy = proxy.raw()) {
            // Client connections go to the event loops in turn: after loops - 1 others, the waiter
            // shares the busy client's loop, where the one connection it keeps taking back sits.
            for (int i = 1; i < loops; i++) {
                others.add(proxy.raw());
            }
            RawClient waiter = proxy.raw();
            others.add(waiter);
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicInteger busyServed = new AtomicInteger();
            Thread pace = Thread.ofVirtual().start(() -> {
                try {
                    while (running.get()) {
                        RawResponse r = busy.exchange("GET /fault/busy HTTP/1.1\r\nHost: api.test\r\n\r\n");
                        assertThat(r.status()).isEqualTo(200);
                        busyServed.incrementAndGet();
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            Await.until("the busy client is going", () -> busyServed.get() > 5);

            waiter.send("GET /fault/waiter HTTP/1.1\r\nHost: api.test\r\n\r\n");
            RawResponse answer = waiter.readResponse();
            running.set(false);
            pace.join(Duration.ofSeconds(30));

            assertThat(answer.status()).as("%s", answer).isEqualTo(200);
            assertThat(proxy.upstreamErrors("pool-exhausted")).isZero();
        } finally {
            for (RawClient other : others) {
                other.close();
            }
        }
    }
}
