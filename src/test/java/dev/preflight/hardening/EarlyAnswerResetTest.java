package dev.preflight.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.hardening.BackendFaultServer.Reply;
import dev.preflight.hardening.BackendFaultServer.Then;
import dev.preflight.testing.RawClient;
import dev.preflight.testing.RawResponse;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Timeout;

/**
 * P6: a backend that answers an upload before reading it (a 413) and closes with the body unread has
 * its kernel reset the connection while the proxy is still writing the body. The answer came first,
 * so the client gets it, not a 502 "closed before answering" (found by probing: about half of 1-8 MB
 * uploads). Whether the proxy's write fails before or after it reads the answer is a race, hence the
 * repetitions; the client connection closes after the answer either way, its request unfinished.
 */
@Timeout(120)
class EarlyAnswerResetTest {
    private static final int BODY = 8 << 20;

    @RepeatedTest(5)
    @DisplayName("P6: a 413 sent before a reset reaches the client as the 413")
    void earlyAnswerBeforeResetIsRelayed() throws Exception {
        Reply tooLarge = (connection, request) -> {
            connection.write("HTTP/1.1 413 Payload Too Large\r\nContent-Length: 7\r\nConnection: close\r\n\r\ntoo big");
            return Then.CLOSE; // the body unread: the close is a reset
        };
        try (BackendFaultServer backend = BackendFaultServer.start().on("/fault/upload", tooLarge);
                BackendFaultProxy proxy = BackendFaultProxy.start(backend.url(), "response-timeout = 30s");
                RawClient client = proxy.raw()) {
            client.send("POST /fault/upload HTTP/1.1\r\nHost: api.test\r\nContent-Length: " + BODY + "\r\n\r\n");
            AtomicBoolean sending = new AtomicBoolean(true);
            Thread body = Thread.ofVirtual().start(() -> {
                byte[] chunk = new byte[64 * 1024];
                try {
                    for (int sent = 0; sent < BODY && sending.get(); sent += chunk.length) {
                        client.send(chunk);
                    }
                } catch (IOException closed) {
                    // the proxy closed the connection after the answer
                }
            });

            RawResponse answer = client.readResponse("POST");
            sending.set(false);

            assertThat(answer.status()).as("%s", answer).isEqualTo(413);
            assertThat(answer.bodyText()).isEqualTo("too big");
            body.interrupt();
        }
    }
}
