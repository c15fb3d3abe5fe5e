package dev.preflight.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.testing.Behaviour;
import dev.preflight.testing.ProxyHarness;
import dev.preflight.testing.RawClient;
import dev.preflight.testing.RawResponse;
import dev.preflight.testing.RecordedRequest;
import java.time.Duration;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** P1: keep-alive on both sides, and pipelined requests answered in order. */
@Timeout(60)
class KeepAliveAndPipeliningTest {

    @AutoClose
    ProxyHarness proxy;

    @BeforeEach
    void start() throws Exception {
        proxy = ProxyHarness.start();
        proxy.backend().on("/slow", Behaviour.delayed(Duration.ofMillis(300), Behaviour.echo()));
    }

    @Test
    @DisplayName("P1: 200 sequential requests on one client connection reuse pooled backend connections")
    void keepAliveReuse() throws Exception {
        try (RawClient client = proxy.raw()) {
            for (int i = 0; i < 200; i++) {
                RawResponse response = client.exchange("GET /seq/" + i + " HTTP/1.1\r\nHost: api.test\r\n\r\n");
                assertThat(response.status()).isEqualTo(200);
                assertThat(response.header("X-Echo-Uri")).isEqualTo("/seq/" + i);
            }
        }

        assertThat(proxy.backend().requests()).hasSize(200);
        assertThat(proxy.backend().connectionsAccepted())
                .as("backend connections for 200 sequential requests")
                .isLessThanOrEqualTo(2);
    }

    @Test
    @DisplayName("P1: three pipelined requests, the first slow at the backend, are answered in order")
    void pipelinedRequestsAnsweredInOrder() throws Exception {
        try (RawClient client = proxy.raw()) {
            client.send("GET /slow HTTP/1.1\r\nHost: api.test\r\n\r\n"
                    + "GET /fast/1 HTTP/1.1\r\nHost: api.test\r\n\r\n"
                    + "GET /fast/2 HTTP/1.1\r\nHost: api.test\r\n\r\n");

            for (String expected : new String[] {"/slow", "/fast/1", "/fast/2"}) {
                RawResponse response = client.readResponse();
                assertThat(response.header("X-Echo-Uri")).as("%s", response).isEqualTo(expected);
            }
        }
    }

    @Test
    @DisplayName("P1: pipelined requests with bodies keep their bodies and their order")
    void pipelinedRequestsWithBodies() throws Exception {
        try (RawClient client = proxy.raw()) {
            client.send("POST /slow HTTP/1.1\r\nHost: api.test\r\nContent-Length: 5\r\n\r\nfirst"
                    + "POST /b HTTP/1.1\r\nHost: api.test\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nsecond\r\n0\r\n\r\n"
                    + "HEAD /c HTTP/1.1\r\nHost: api.test\r\n\r\n"
                    + "POST /d HTTP/1.1\r\nHost: api.test\r\nContent-Length: 6\r\n\r\nfourth");

            RawResponse first = client.readResponse();
            RawResponse second = client.readResponse();
            RawResponse third = client.readResponse("HEAD");
            RawResponse fourth = client.readResponse();

            assertThat(first.bodyText()).as("%s", first).isEqualTo("first");
            assertThat(second.bodyText()).as("%s", second).isEqualTo("second");
            assertThat(third.header("X-Echo-Uri")).as("%s", third).isEqualTo("/c");
            assertThat(fourth.bodyText()).as("%s", fourth).isEqualTo("fourth");
        }
    }

    @Test
    @DisplayName("P1: a backend's Connection: close ends that backend connection, not the client's")
    void backendCloseDoesNotCloseClient() throws Exception {
        proxy.backend().on("/closing", Behaviour.respond(200, "bye", "Connection", "close"));
        try (RawClient client = proxy.raw()) {
            RawResponse closing = client.exchange("GET /closing HTTP/1.1\r\nHost: api.test\r\n\r\n");
            RawResponse after = client.exchange("GET /after HTTP/1.1\r\nHost: api.test\r\n\r\n");

            assertThat(closing.status()).isEqualTo(200);
            assertThat(closing.bodyText()).isEqualTo("bye");
            assertThat(after.status()).isEqualTo(200);
            assertThat(after.header("X-Echo-Uri")).isEqualTo("/after");
        }
        RecordedRequest closing = proxy.backend().awaitRequest("/closing");
        RecordedRequest after = proxy.backend().awaitRequest("/after");
        assertThat(after.connectionId())
                .as("the closed backend connection is not reused")
                .isNotEqualTo(closing.connectionId());
    }

    @Test
    @DisplayName("P1: an HTTP/1.1 client's Connection: close gets its response, then the connection closes")
    void clientConnectionClose() throws Exception {
        try (RawClient client = proxy.raw()) {
            RawResponse response = client.exchange("GET /bye HTTP/1.1\r\nHost: api.test\r\nConnection: close\r\n\r\n");

            assertThat(response.status()).isEqualTo(200);
            assertThat(client.readUntilClose().closedByPeer()).isTrue();
        }
    }
}
