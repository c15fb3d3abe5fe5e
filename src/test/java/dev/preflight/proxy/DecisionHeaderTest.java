package dev.preflight.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.testing.ProxyHarness;
import dev.preflight.testing.RawClient;
import dev.preflight.testing.RawResponse;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** C6 with {@code debug.decision-header}: a header naming the decision and reason, and a body line. */
@Timeout(30)
class DecisionHeaderTest {
    private static final String APP = "http://app.example";
    private static final String POLICY = "cors { allowed-origins = [\"" + APP
            + "\"], allowed-methods = [\"GET\", \"PUT\"]," + " allowed-headers = [\"Content-Type\"] }";

    static Stream<Arguments> rejections() {
        return Stream.of(
                Arguments.of(
                        "origin-not-allowed",
                        "Origin: http://evil.example\r\nAccess-Control-Request-Method: PUT\r\n",
                        "rejected; reason=origin-not-allowed; origin=\"http://evil.example\"; route=default"),
                Arguments.of(
                        "origin-malformed",
                        "Origin: http://app.example/\r\nAccess-Control-Request-Method: PUT\r\n",
                        "rejected; reason=origin-malformed; origin=\"http://app.example/\"; route=default"),
                Arguments.of(
                        "method-not-allowed",
                        "Origin: " + APP + "\r\nAccess-Control-Request-Method: DELETE\r\n",
                        "rejected; reason=method-not-allowed; method=\"DELETE\"; route=default"),
                Arguments.of(
                        "header-not-allowed",
                        "Origin: " + APP + "\r\nAccess-Control-Request-Method: PUT\r\n"
                                + "Access-Control-Request-Headers: content-type, x-trace-id\r\n",
                        "rejected; reason=header-not-allowed; header=\"x-trace-id\"; route=default"),
                Arguments.of(
                        "private-network-not-allowed",
                        "Origin: " + APP + "\r\nAccess-Control-Request-Method: PUT\r\n"
                                + "Access-Control-Request-Private-Network: true\r\n",
                        "rejected; reason=private-network-not-allowed; header=\"Access-Control-Request-Private-Network\"; route=default"));
    }

    @ParameterizedTest(name = "C6: {0} is named in the header and the body")
    @MethodSource("rejections")
    void rejectedPreflight(String reason, String headers, String expected) throws Exception {
        try (ProxyHarness proxy = ProxyHarness.start(POLICY, "debug.decision-header = true")) {
            RawResponse response = send(proxy, "OPTIONS /x HTTP/1.1\r\nHost: api\r\n" + headers + "\r\n");

            assertThat(response.status()).isEqualTo(403);
            assertThat(response.header("Preflight-Decision")).isEqualTo(expected);
            assertThat(response.bodyText())
                    .startsWith("preflight: rejected: " + reason)
                    .endsWith("\n");
            assertThat(response.bodyText().lines()).hasSize(1);
            assertThat(response.headerNames()).noneMatch(n -> n.toLowerCase().startsWith("access-control-"));
        }
    }

    @Test
    @DisplayName("C6: an allowed actual request carries the decision header too")
    void allowedActual() throws Exception {
        try (ProxyHarness proxy = ProxyHarness.start(POLICY, "debug.decision-header = true")) {
            RawResponse response = send(proxy, "GET /x HTTP/1.1\r\nHost: api\r\nOrigin: " + APP + "\r\n\r\n");

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.header("Preflight-Decision")).isEqualTo("allowed; reason=allowed; route=default");
        }
    }

    @Test
    @DisplayName("C6/C11: a 413 for a declared body over max-body-size carries the decision header too")
    void declaredTooLarge() throws Exception {
        try (ProxyHarness proxy =
                ProxyHarness.start(POLICY, "debug.decision-header = true", "limits.max-body-size = 4")) {
            RawResponse response = send(
                    proxy, "PUT /x HTTP/1.1\r\nHost: api\r\nOrigin: " + APP + "\r\nContent-Length: 5\r\n\r\nhello");

            assertThat(response.status()).isEqualTo(413);
            assertThat(response.header("Access-Control-Allow-Origin")).isEqualTo(APP);
            assertThat(response.header("Preflight-Decision")).isEqualTo("allowed; reason=allowed; route=default");
        }
    }

    @Test
    @DisplayName("C6: with the option off (the default), no decision header and an empty 403 body")
    void offByDefault() throws Exception {
        try (ProxyHarness proxy = ProxyHarness.start(POLICY)) {
            RawResponse rejected = send(
                    proxy,
                    "OPTIONS /x HTTP/1.1\r\nHost: api\r\nOrigin: http://evil.example\r\n"
                            + "Access-Control-Request-Method: PUT\r\n\r\n");
            RawResponse allowed = send(proxy, "GET /x HTTP/1.1\r\nHost: api\r\nOrigin: " + APP + "\r\n\r\n");

            assertThat(rejected.status()).isEqualTo(403);
            assertThat(rejected.hasHeader("Preflight-Decision")).isFalse();
            assertThat(rejected.body()).isEmpty();
            assertThat(allowed.hasHeader("Preflight-Decision")).isFalse();
        }
    }

    private static RawResponse send(ProxyHarness proxy, String request) throws Exception {
        try (RawClient client = proxy.raw()) {
            return client.send(request).readResponse();
        }
    }
}
