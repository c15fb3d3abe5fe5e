package dev.preflight.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.hardening.BackendFaultServer.Reply;
import dev.preflight.hardening.BackendFaultServer.Then;
import dev.preflight.testing.Await;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * P2: the upstream's interim responses (1xx, forwarded to the client) are read one at a time, each
 * once the one before has been written to the client, like the parts of a body. A backend sending
 * 1xx after 1xx to a client that reads nothing used to have them all read and held (found by probing:
 * 64 MiB of pooled memory for one exchange). Here the backend offers 64 MiB of {@code 103 Early
 * Hints}; with the proxy reading only as the client takes them, the sockets' buffers (a few MiB on
 * loopback) fill and the backend's writes stop long before that.
 */
@Timeout(60)
class InterimBackpressureTest {
    private static final long OFFERED = 64L << 20;
    private static final long HELD_BACK_BELOW = 24L << 20;

    @Test
    @DisplayName("P2: 1xx responses to a client that reads nothing hold the backend back")
    void interimResponsesAreReadAsTheClientTakesThem() throws Exception {
        AtomicLong written = new AtomicLong();
        AtomicLong writingSince = new AtomicLong(); // 0 between writes
        String early = "HTTP/1.1 103 Early Hints\r\nLink: </" + "a".repeat(8000) + ">; rel=preload\r\n\r\n";
        Reply flood = (connection, request) -> {
            while (written.get() < OFFERED) {
                writingSince.set(System.nanoTime());
                connection.write(early);
                writingSince.set(0);
                written.addAndGet(early.length());
            }
            connection.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            return Then.NEXT;
        };
        try (BackendFaultServer backend = BackendFaultServer.start().on("/fault/flood", flood);
                BackendFaultProxy proxy = BackendFaultProxy.start(backend.url(), "response-timeout = 30s");
                Socket client = new Socket()) {
            client.setReceiveBufferSize(4096);
            client.connect(proxy.address(), 10_000);
            client.getOutputStream()
                    .write("GET /fault/flood HTTP/1.1\r\nHost: api.test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));

            // Never reads. Either the backend gets it all written, or a write of its blocks.
            Await.until("the backend done, or blocked in a write for a second", Duration.ofSeconds(30), () -> {
                long since = writingSince.get();
                return written.get() >= OFFERED || (since != 0 && System.nanoTime() - since > 1_000_000_000L);
            });

            assertThat(written.get()).as("bytes of 1xx the backend got written").isLessThan(HELD_BACK_BELOW);
        }
    }
}
