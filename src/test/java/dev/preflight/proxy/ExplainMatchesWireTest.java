package dev.preflight.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.cli.Explainer;
import dev.preflight.config.Settings;
import dev.preflight.testing.ProxyHarness;
import dev.preflight.testing.RawClient;
import dev.preflight.testing.RawResponse;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * O1: what {@code explain} says of a request is what the running proxy answers to it on the wire, the
 * status and every header explain names, with no {@code Access-Control-*} header it does not name; and
 * the backend sees the request exactly when explain says it is forwarded. Rows are requests explain
 * once described wrongly (found by a differential probe) besides the common ones.
 */
@Timeout(60)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExplainMatchesWireTest {
    private static final String APP = "https://app.example.com";
    private static final String[] SETTINGS = {
        "cors.allowed-origins = [\"" + APP + "\"]",
        "cors.allowed-methods = [GET, PUT]",
        "cors.allowed-headers = [X-Token]",
        "cors.allow-credentials = true",
        "cors.max-age = 10m",
        "forwarded.trust-incoming = true",
        "debug.decision-header = true",
        "routes = [{ name = strict, path-prefix = /strict, cors.disallowed-origin = reject }]"
    };

    private ProxyHarness proxy;
    private Explainer explainer;

    @BeforeAll
    void start() throws Exception {
        proxy = ProxyHarness.start(SETTINGS);
        Settings settings = ProxyHarness.settings(proxy.backend().url(), SETTINGS);
        explainer = new Explainer(settings);
    }

    @AfterAll
    void stop() {
        proxy.close();
    }

    /** The request line and headers as sent (Host added), and the same request as explain's question. */
    static Stream<Arguments> requests() {
        return Stream.of(
                row("C5: an allowed preflight", "OPTIONS /a", pre(APP, "PUT", "X-Token"), q(APP, "PUT", true)),
                row(
                        "C6: a refused preflight, with the decision header's body",
                        "OPTIONS /a",
                        pre("https://evil.example", "PUT", null),
                        q("https://evil.example", "PUT", true)),
                row(
                        "C4: a private-network preflight, not allowed",
                        "OPTIONS /a",
                        pre(APP, "PUT", null) + "Access-Control-Request-Private-Network: true\r\n",
                        new Explainer.Question(APP, "PUT", List.of(), "/a", null, true, null, null, true, false)),
                row(
                        "C2: same-origin behind a trusted TLS terminator (X-Forwarded-Proto)",
                        "OPTIONS /a",
                        pre("https://@HOST@", "PUT", null) + "X-Forwarded-Proto: https\r\n",
                        new Explainer.Question(
                                "https://@HOST@", "PUT", List.of(), "/a", "@HOST@", true, null, "https", false, false)),
                row(
                        "C8: an allowed actual request, with the decision header",
                        "GET /a",
                        "Origin: " + APP + "\r\n",
                        q(APP, "GET", false)),
                row(
                        "C9: reject answers 403 with a problem body",
                        "GET /strict/a",
                        "Origin: https://evil.example\r\n",
                        new Explainer.Question("https://evil.example", "GET", List.of(), "/strict/a", null, false)),
                row("C1: no Origin", "GET /a", "", q(null, "GET", false)),
                row(
                        "P7: a WebSocket handshake from a disallowed origin: 403 whatever disallowed-origin says",
                        "GET /a",
                        "Origin: https://evil.example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n",
                        new Explainer.Question(
                                "https://evil.example", "GET", List.of(), "/a", null, false, null, null, false, true)),
                row("TRACE is not forwarded", "TRACE /a", "Origin: " + APP + "\r\n", q(APP, "TRACE", false)),
                row("nor is trace, in lower case", "trace /a", "Origin: " + APP + "\r\n", q(APP, "trace", false)),
                row(
                        "the target * is for OPTIONS only",
                        "GET *",
                        "Origin: " + APP + "\r\n",
                        new Explainer.Question(APP, "GET", List.of(), "*", null, false)),
                row(
                        "P4: an absolute-form target is routed by its path (the route strict's 403)",
                        "GET http://elsewhere.example/strict/a",
                        "Origin: https://evil.example\r\n",
                        new Explainer.Question(
                                "https://evil.example",
                                "GET",
                                List.of(),
                                "http://elsewhere.example/strict/a",
                                null,
                                false)),
                row(
                        "a space in the target makes the request line malformed",
                        "GET /a b",
                        "Origin: " + APP + "\r\n",
                        new Explainer.Question(APP, "GET", List.of(), "/a b", null, false)),
                row(
                        "a header value that is not ASCII",
                        "GET /a",
                        "Origin: https://caf\u00e9.example\r\n",
                        q("https://caf\u00e9.example", "GET", false)),
                row(
                        "a control character in a header value: the decoder refuses the head",
                        "GET /a",
                        "Origin: https://a\u001b.example\r\n",
                        q("https://a\u001b.example", "GET", false)),
                row(
                        "DEL in a header value",
                        "GET /a",
                        "Origin: https://a\u007f.example\r\n",
                        q("https://a\u007f.example", "GET", false)),
                row(
                        "the tab after an Origin is the decoder's to take away: an allowed origin",
                        "GET /a",
                        "Origin: " + APP + "\t\r\n",
                        q(APP + "\t", "GET", false)),
                row("and the space before one", "GET /a", "Origin:  " + APP + "\r\n", q(" " + APP, "GET", false)),
                row(
                        "a preflight's method is a header value, trimmed as one",
                        "OPTIONS /a",
                        pre(APP, "PUT ", null),
                        q(APP, " PUT\t", true)),
                row(
                        "a control character in X-Forwarded-Proto",
                        "GET /a",
                        "Origin: " + APP + "\r\nX-Forwarded-Proto: https\u0001\r\n",
                        new Explainer.Question(
                                APP, "GET", List.of(), "/a", null, false, null, "https\u0001", false, false)),
                row(
                        "NUL in a requested header name",
                        "OPTIONS /a",
                        pre(APP, "PUT", "x\u0000y"),
                        new Explainer.Question(APP, "PUT", List.of("x\u0000y"), "/a", null, true)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("requests")
    void explainedAsAnswered(String name, String line, String headers, Explainer.Question question) throws Exception {
        String host = proxy.authority();
        Explainer.Question asked = new Explainer.Question(
                question.origin() == null ? null : question.origin().replace("@HOST@", host),
                question.method(),
                question.headers(),
                question.path(),
                question.host() == null ? null : host,
                question.preflight(),
                question.secFetch(),
                question.forwardedProto(),
                question.privateNetwork(),
                question.websocket());
        Explainer.Explanation explained = explainer.explain(asked);
        int seenBefore = proxy.backend().requests().size();

        RawResponse answer;
        try (RawClient client = proxy.raw()) {
            answer = client.exchange(line + " HTTP/1.1\r\nHost: " + host + "\r\n" + headers.replace("@HOST@", host)
                    + "Connection: close\r\n\r\n");
        }

        boolean forwarded = explained.status() == 0;
        assertThat(answer.status()).as("status").isEqualTo(forwarded ? 200 : explained.status());
        assertThat(proxy.backend().requests().size() > seenBefore)
                .as("reached the backend")
                .isEqualTo(forwarded);
        for (Map.Entry<String, String> header : explained.headers()) {
            assertThat(answer.headers(header.getKey())).as(header.getKey()).containsExactly(header.getValue());
        }
        List<String> explainedNames = explained.headers().stream()
                .map(h -> h.getKey().toLowerCase(Locale.ROOT))
                .toList();
        assertThat(answer.headerNames().stream()
                        .map(n -> n.toLowerCase(Locale.ROOT))
                        .filter(n -> n.startsWith("access-control-") || n.equals("preflight-decision")))
                .as("CORS headers on the wire")
                .allSatisfy(n -> assertThat(explainedNames).contains(n));
    }

    private static Arguments row(String name, String line, String headers, Explainer.Question question) {
        return Arguments.of(name, line, headers, question);
    }

    private static String pre(String origin, String method, String requestHeaders) {
        return "Origin: " + origin + "\r\nAccess-Control-Request-Method: " + method + "\r\n"
                + (requestHeaders == null ? "" : "Access-Control-Request-Headers: " + requestHeaders + "\r\n");
    }

    private static Explainer.Question q(String origin, String method, boolean preflight) {
        return new Explainer.Question(
                origin,
                method,
                preflight && method.equals("PUT") && origin.equals(APP) ? List.of("X-Token") : List.of(),
                "/a",
                null,
                preflight);
    }
}
