package dev.preflight.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.hardening.BackendFaultServer.Then;
import dev.preflight.testing.RawClient;
import dev.preflight.testing.RawResponse;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** P3: each hop's framing is restated; a response's Content-Length with leading zeros goes on as the number. */
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
}
