package dev.preflight.proxy;

import static dev.preflight.proxy.CorsWire.APP;
import static dev.preflight.proxy.CorsWire.EVIL;
import static dev.preflight.testing.DateAssertions.assertDatedSince;
import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.testing.Behaviour;
import dev.preflight.testing.ProxyHarness;
import dev.preflight.testing.RawClient;
import dev.preflight.testing.RawResponse;
import java.time.Instant;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * RFC 9110 6.6.1 over real sockets: the answers made here are dated, a forwarded response without a
 * {@code Date} gets one, and the upstream's own {@code Date} reaches the client unchanged.
 */
@Timeout(60)
class DateHeaderTest {
    private static final String UPSTREAM_DATE = "Sun, 06 Nov 1994 08:49:37 GMT";

    @AutoClose
    ProxyHarness proxy;

    @BeforeEach
    void start() throws Exception {
        proxy = ProxyHarness.start(
                "cors.allowed-origins = [\"http://app.example\"]", "cors.allowed-methods = [\"PUT\"]");
        proxy.backend().on("/undated", Behaviour.respond(200, "no date here"));
        proxy.backend().on("/dated", Behaviour.respond(200, "dated", "Date", UPSTREAM_DATE));
    }

    @Test
    @DisplayName("RFC 9110 6.6.1: preflights answered here, allowed (204) or refused (403), carry one Date, now")
    void preflightAnswersDated() throws Exception {
        try (RawClient client = proxy.raw()) {
            Instant sent = Instant.now();
            RawResponse allowed = client.exchange(CorsWire.preflight(proxy.authority(), "/x", APP, "PUT", null));
            RawResponse refused = client.exchange(CorsWire.preflight(proxy.authority(), "/x", EVIL, "PUT", null));

            assertThat(allowed.status()).isEqualTo(204);
            assertDatedSince(allowed.headers("Date"), sent);
            assertThat(refused.status()).isEqualTo(403);
            assertDatedSince(refused.headers("Date"), sent);
        }
        assertThat(proxy.backend().requests()).isEmpty();
    }

    @Test
    @DisplayName("RFC 9110 6.6.1: a forwarded response without a Date gets one when it passes")
    void missingDateAdded() throws Exception {
        try (RawClient client = proxy.raw()) {
            Instant sent = Instant.now();
            RawResponse response = client.exchange(CorsWire.get(proxy.authority(), "/undated", APP));

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.bodyText()).isEqualTo("no date here");
            assertDatedSince(response.headers("Date"), sent);
        }
    }

    @Test
    @DisplayName("RFC 9110 6.6.1: the upstream's Date is forwarded as it is, however old, and not doubled")
    void upstreamDateKept() throws Exception {
        try (RawClient client = proxy.raw()) {
            RawResponse response = client.exchange(CorsWire.get(proxy.authority(), "/dated", APP));

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.headers("Date")).containsExactly(UPSTREAM_DATE);
        }
    }
}
