package dev.preflight.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.hardening.BackendFaultServer.Then;
import dev.preflight.testing.Await;
import dev.preflight.testing.RawClient;
import java.util.List;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * P1, P6: a backend that says how long it keeps an idle connection ({@code Keep-Alive: timeout=1})
 * closes it then, and a request sent on it just as it does is lost with it: a POST gets 502. A
 * connection idle for longer than that, less a margin (half a second of one), is not lent again; one
 * that comes back at once is. Without the header, the pool's own {@code idle-timeout} alone decides.
 */
@Timeout(60)
class BackendKeepAliveTimeoutTest {
    private static final String POST = "POST /fault/%d HTTP/1.1\r\nHost: api.test\r\nContent-Length: 2\r\n\r\nhi";

    @ParameterizedTest(name = "{0}: the connection after 0.7 s idle is backend connection {1}")
    @CsvSource({"'Keep-Alive: timeout=1\r\n', 2", "'Keep-Alive: max=100\r\n', 1", "'', 1"})
    void idlePastTheBackendsTimeoutIsNotLent(String keepAlive, int afterIdle) throws Exception {
        String answer = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n" + keepAlive + "\r\nok";
        try (BackendFaultServer backend =
                        BackendFaultServer.start().on("/fault", BackendFaultServer.raw(answer, Then.NEXT));
                BackendFaultProxy proxy = BackendFaultProxy.start(backend.url(), "");
                RawClient client = proxy.raw()) {
            assertThat(client.exchange(POST.formatted(1)).status()).isEqualTo(200);
            assertThat(client.exchange(POST.formatted(2)).status()).isEqualTo(200);
            long answered = System.nanoTime();
            // The backend's timeout (1 s) less the margin (half of it, at most 1 s): 0.5 s.
            Await.until("idle past half a second", () -> System.nanoTime() - answered > 700_000_000L);

            assertThat(client.exchange(POST.formatted(3)).status()).isEqualTo(200);

            assertThat(List.of("/fault/1", "/fault/2", "/fault/3").stream()
                            .map(target -> backend.awaitRequest(target).connectionId())
                            .toList())
                    .as("backend connections: lent again at once, and after 0.7 s idle as the header allows")
                    .containsExactly(1, 1, afterIdle);
            if (afterIdle == 2) {
                backend.awaitClosedByProxy(1);
            }
        }
    }
}
