package dev.preflight.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.hardening.BackendFaultServer.Then;
import dev.preflight.testing.Await;
import dev.preflight.testing.LogCapture;
import dev.preflight.testing.RawClient;
import dev.preflight.testing.RawResponse;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * P3: each hop's framing is restated; a response's Content-Length with leading zeros goes on as the
 * number, and a 205's body, which never reaches the client, is not counted as sent (O6).
 */
@Timeout(60)
class ResponseLengthRestatedTest {

    @Test
    @DisplayName("P3: a response's Content-Length 00021 reaches the client as 21, the body whole (found by probing)")
    void leadingZerosRestated() throws Exception {
        String body = "twenty-one bytes here";
        try (BackendFaultServer backend = BackendFaultServer.start()
                        .on(
                                "/fault/zeros",
                                BackendFaultServer.raw(
                                        "HTTP/1.1 200 OK\r\nContent-Length: 00021\r\n\r\n" + body, Then.NEXT));
                BackendFaultProxy proxy = BackendFaultProxy.start(backend.url(), "");
                RawClient client = proxy.raw()) {
            RawResponse response = client.exchange("GET /fault/zeros HTTP/1.1\r\nHost: api.test\r\n\r\n");

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.headers("Content-Length")).containsExactly("21");
            assertThat(response.bodyText()).isEqualTo(body);
        }
    }

    @Test
    @DisplayName("O6: a 205's body, which the client never gets, is not logged as bytes sent (found by probing)")
    void resetContentBodyNotCounted() throws Exception {
        try (LogCapture lines = LogCapture.of("preflight.access");
                BackendFaultServer backend = BackendFaultServer.start()
                        .on(
                                "/fault/reset",
                                BackendFaultServer.raw(
                                        "HTTP/1.1 205 Reset Content\r\nContent-Length: 16\r\n\r\n0123456789abcdef",
                                        Then.NEXT));
                BackendFaultProxy proxy = BackendFaultProxy.start(backend.url(), "");
                RawClient client = proxy.raw()) {
            RawResponse response = client.exchange("GET /fault/reset HTTP/1.1\r\nHost: api.test\r\n\r\n");

            assertThat(response.status()).isEqualTo(205);
            assertThat(response.bodyText()).isEmpty();
            Await.until(
                    "the request is logged",
                    () -> lines.messages().stream().anyMatch(line -> line.contains("\"GET /fault/reset\"")));
            assertThat(lines.messages())
                    .filteredOn(line -> line.contains("\"GET /fault/reset\""))
                    .singleElement()
                    .asString()
                    .contains("\" 205 in=0 out=0 ");
        }
    }
}
