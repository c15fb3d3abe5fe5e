package dev.preflight.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.testing.ProxyHarness;
import dev.preflight.testing.RawClient;
import dev.preflight.testing.RawResponse;
import dev.preflight.testing.RecordedRequest;
import dev.preflight.testing.TestBackend;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** P4: the upstream comes from the configuration only, whatever the request says. */
@Timeout(60)
class AbsoluteFormTest {

    @AutoClose
    ProxyHarness proxy;

    @AutoClose
    TestBackend elsewhere;

    @BeforeEach
    void start() throws Exception {
        proxy = ProxyHarness.start();
        elsewhere = TestBackend.start();
    }

    @Test
    @DisplayName("P4: an absolute-form target reaches the configured backend, in origin form")
    void absoluteFormTarget() throws Exception {
        RawResponse response = exchange("GET http://elsewhere.test/x?a=1 HTTP/1.1\r\nHost: elsewhere.test\r\n\r\n");

        assertThat(response.status()).isEqualTo(200);
        RecordedRequest received = proxy.backend().awaitRequest("/x");
        assertThat(received.uri()).isEqualTo("/x?a=1");
    }

    @Test
    @DisplayName("P4: an absolute-form target naming another live server still goes to the configured backend")
    void absoluteFormTargetNamingAnotherServer() throws Exception {
        String other = elsewhere.authority();
        RawResponse response = exchange("GET http://" + other + "/steal HTTP/1.1\r\nHost: " + other + "\r\n\r\n");

        assertThat(response.status()).isEqualTo(200);
        assertThat(proxy.backend().awaitRequest("/steal").uri()).isEqualTo("/steal");
        assertThat(elsewhere.connectionsAccepted())
                .as("connections to the other server")
                .isZero();
    }

    @Test
    @DisplayName("P4: a foreign Host, X-Forwarded-Host or Forwarded host does not change where the request goes")
    void foreignHostHeaders() throws Exception {
        String other = elsewhere.authority();
        RawResponse response = exchange("GET /y HTTP/1.1\r\nHost: " + other + "\r\nX-Forwarded-Host: " + other
                + "\r\nForwarded: host=\"" + other + "\"\r\n\r\n");

        assertThat(response.status()).isEqualTo(200);
        assertThat(proxy.backend().awaitRequest("/y").uri()).isEqualTo("/y");
        assertThat(elsewhere.connectionsAccepted())
                .as("connections to the other server")
                .isZero();
    }

    private RawResponse exchange(String request) throws Exception {
        try (RawClient client = proxy.raw()) {
            return client.exchange(request);
        }
    }
}
