package dev.preflight.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.testing.ProxyHarness;
import dev.preflight.testing.RawClient;
import dev.preflight.testing.RecordedRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** P3: what the backend learns about the client, and P3/P4's host-header choice. */
@Timeout(60)
class ForwardedHeadersTest {

    private static final String FORGED = "X-Forwarded-For: 6.6.6.6\r\n"
            + "X-Forwarded-Proto: https\r\n"
            + "X-Forwarded-Host: evil.test\r\n"
            + "Forwarded: for=6.6.6.6;proto=https;host=evil.test\r\n";

    @Test
    @DisplayName("P3: X-Forwarded-For, -Proto and -Host are added by default")
    void xForwardedHeadersAreAdded() throws Exception {
        RecordedRequest received = send("");

        assertThat(received.headers("X-Forwarded-For")).containsExactly("127.0.0.1");
        assertThat(received.headers("X-Forwarded-Proto")).containsExactly("http");
        assertThat(received.headers("X-Forwarded-Host")).containsExactly("api.example.test");
        assertThat(received.hasHeader("Forwarded")).isFalse();
    }

    @Test
    @DisplayName("P3: a client's own X-Forwarded-* headers are replaced (trust-incoming = false)")
    void incomingXForwardedHeadersAreReplaced() throws Exception {
        RecordedRequest received = send(FORGED);

        assertThat(received.headers("X-Forwarded-For")).containsExactly("127.0.0.1");
        assertThat(received.headers("X-Forwarded-Proto")).containsExactly("http");
        assertThat(received.headers("X-Forwarded-Host")).containsExactly("api.example.test");
    }

    @Test
    @DisplayName("P3: a client's own Forwarded header does not reach the backend (trust-incoming = false)")
    void incomingForwardedHeaderIsDropped() throws Exception {
        RecordedRequest received = send(FORGED);

        assertThat(received.headers("Forwarded")).noneMatch(v -> v.contains("6.6.6.6"));
    }

    @Test
    @DisplayName(
            "P3: every other X-Forwarded-* and X-Real-IP the client sends is dropped too (trust-incoming = false), kept when trusted")
    void otherClientForwardingHeadersAreDropped() throws Exception {
        String spoofed = "X-Forwarded-Port: 1\r\nx-forwarded-prefix: /evil\r\nX-Forwarded-Ssl: on\r\n"
                + "X-Real-IP: 6.6.6.6\r\nX-Forwarded: for=6.6.6.6\r\n";

        RecordedRequest dropped = send(spoofed);
        RecordedRequest kept = send(spoofed, "forwarded.trust-incoming = true");

        for (String name : new String[] {"X-Forwarded-Port", "X-Forwarded-Prefix", "X-Forwarded-Ssl", "X-Real-IP"}) {
            assertThat(dropped.headers(name)).as(name).isEmpty();
            assertThat(kept.headers(name)).as(name).hasSize(1);
        }
        assertThat(dropped.headers("X-Forwarded"))
                .as("not an X-Forwarded-* name, left alone")
                .hasSize(1);
        assertThat(dropped.headers("X-Forwarded-For")).containsExactly("127.0.0.1");
    }

    @Test
    @DisplayName("P3: forwarding headers written with underscores (X_Forwarded_For, which CGI and WSGI backends read as"
            + " X-Forwarded-For) are dropped, trusted or not; other names with underscores are left alone")
    void underscoredForwardingHeadersAreDropped() throws Exception {
        String spoofed = "X_Forwarded_For: 6.6.6.6\r\nx_forwarded-host: evil.test\r\nX_REAL_IP: 6.6.6.6\r\n"
                + "Forwarded_: for=6.6.6.6\r\nX-Forwarded_Proto: https\r\nX_Api_Key: k\r\n";

        for (RecordedRequest received : List.of(send(spoofed), send(spoofed, "forwarded.trust-incoming = true"))) {
            assertThat(received.headerNames())
                    .doesNotContain("x_forwarded_for", "x_forwarded-host", "x_real_ip", "x-forwarded_proto")
                    .contains("forwarded_", "x_api_key");
            assertThat(received.headers("X-Forwarded-For")).containsExactly("127.0.0.1");
            assertThat(received.headers("X-Forwarded-Proto")).containsExactly("http");
        }
    }

    @Test
    @DisplayName("P3: with trust-incoming = true the client's X-Forwarded-For is extended, not replaced")
    void trustedIncomingXForwardedForIsExtended() throws Exception {
        RecordedRequest received = send("X-Forwarded-For: 6.6.6.6\r\n", "forwarded.trust-incoming = true");

        assertThat(String.join(", ", received.headers("X-Forwarded-For"))).isEqualTo("6.6.6.6, 127.0.0.1");
    }

    @Test
    @DisplayName("P3: with trust-incoming = true every line of the client's X-Forwarded-For and Forwarded is kept,"
            + " in order (a proxy in front adds a line of its own), an empty one skipped")
    void trustedIncomingLinesJoined() throws Exception {
        RecordedRequest xff = send(
                "X-Forwarded-For: 6.6.6.6\r\nX-Forwarded-For: \r\nX-Forwarded-For: 127.0.0.2, 10.0.0.1\r\n",
                "forwarded.trust-incoming = true");
        RecordedRequest forwarded = send(
                "Forwarded: for=6.6.6.6\r\nForwarded: for=203.0.113.9;proto=https\r\n",
                "forwarded.trust-incoming = true",
                "forwarded.headers = forwarded");

        assertThat(xff.headers("X-Forwarded-For")).containsExactly("6.6.6.6, 127.0.0.2, 10.0.0.1, 127.0.0.1");
        assertThat(forwarded.headers("Forwarded"))
                .containsExactly(
                        "for=6.6.6.6, for=203.0.113.9;proto=https, for=127.0.0.1;proto=http;host=api.example.test");
    }

    @Test
    @DisplayName("P3: with trust-incoming = true a client naming the forwarding headers in Connection does not erase"
            + " what the proxy in front wrote")
    void trustedIncomingNotErasedByConnection() throws Exception {
        RecordedRequest received = send(
                "Connection: X-Forwarded-For, X-Forwarded-Proto\r\nX-Forwarded-For: 127.0.0.2\r\n"
                        + "X-Forwarded-Proto: https\r\n",
                "forwarded.trust-incoming = true");

        assertThat(received.headers("X-Forwarded-For")).containsExactly("127.0.0.2, 127.0.0.1");
        assertThat(received.headers("X-Forwarded-Proto")).containsExactly("https");
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0} -> {1}")
    @org.junit.jupiter.params.provider.CsvSource({
        "0:0:0:0:0:0:0:1, ::1",
        "fd00:0:0:0:0:0:0:2, fd00::2",
        "fe80:0:0:0:fc:ff:fe00:1%1, fe80::fc:ff:fe00:1",
        "127.0.0.1, 127.0.0.1"
    })
    @DisplayName("P3: a client's IPv6 address is written as RFC 5952 has it, without its zone")
    void ipv6ClientAddress(String address, String written) throws Exception {
        java.net.InetAddress ip = address.contains("%")
                ? java.net.Inet6Address.getByAddress(
                        null,
                        java.net.InetAddress.getByName(address.substring(0, address.indexOf('%')))
                                .getAddress(),
                        1)
                : java.net.InetAddress.getByName(address);

        assertThat(ForwardedHeaders.clientIp(new java.net.InetSocketAddress(ip, 40000)))
                .isEqualTo(written);
    }

    @Test
    @DisplayName("P3: forwarded.headers = forwarded sends Forwarded: for, proto, host instead of X-Forwarded-*")
    void forwardedHeaderInstead() throws Exception {
        RecordedRequest received = send(FORGED, "forwarded.headers = forwarded");

        List<Map<String, String>> elements = forwardedElements(received.headers("Forwarded"));
        assertThat(elements).as("Forwarded elements").hasSize(1);
        assertThat(elements.getFirst())
                .containsEntry("for", "127.0.0.1")
                .containsEntry("proto", "http")
                .containsEntry("host", "api.example.test");
        assertThat(received.headerNames()).noneMatch(name -> name.startsWith("x-forwarded-"));
    }

    @Test
    @DisplayName("P3: forwarded.headers = none adds no forwarding headers")
    void noForwardingHeaders() throws Exception {
        RecordedRequest received = send("", "forwarded.headers = none");

        assertThat(received.headerNames()).noneMatch(name -> name.startsWith("x-forwarded-"));
        assertThat(received.hasHeader("Forwarded")).isFalse();
    }

    @Test
    @DisplayName("P3: upstream.host-header = preserve (the default) sends the client's Host")
    void hostPreserved() throws Exception {
        RecordedRequest received = send("");

        assertThat(received.headers("Host")).containsExactly("api.example.test");
    }

    @Test
    @DisplayName("P3: upstream.host-header = upstream sends the upstream's authority as Host")
    void hostFromUpstream() throws Exception {
        try (ProxyHarness proxy = ProxyHarness.start("upstream.host-header = upstream")) {
            RecordedRequest received = send(proxy, "");

            assertThat(received.headers("Host")).containsExactly(proxy.backend().authority());
            assertThat(received.headers("X-Forwarded-Host")).containsExactly("api.example.test");
        }
    }

    /** Sends GET /fwd with Host: api.example.test plus {@code headers} through a proxy with {@code settings}. */
    private static RecordedRequest send(String headers, String... settings) throws Exception {
        try (ProxyHarness proxy = ProxyHarness.start(settings)) {
            return send(proxy, headers);
        }
    }

    private static RecordedRequest send(ProxyHarness proxy, String headers) throws Exception {
        try (RawClient client = proxy.raw()) {
            int status = client.exchange("GET /fwd HTTP/1.1\r\nHost: api.example.test\r\n" + headers + "\r\n")
                    .status();
            assertThat(status).isEqualTo(200);
        }
        return proxy.backend().awaitRequest("/fwd");
    }

    /** RFC 7239: elements separated by commas, pairs by semicolons, values possibly quoted. */
    private static List<Map<String, String>> forwardedElements(List<String> headerValues) {
        List<Map<String, String>> elements = new ArrayList<>();
        for (String value : headerValues) {
            for (String element : value.split(",")) {
                Map<String, String> pairs = new LinkedHashMap<>();
                for (String pair : element.split(";")) {
                    int eq = pair.indexOf('=');
                    if (eq > 0) {
                        String v = pair.substring(eq + 1).strip();
                        if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
                            v = v.substring(1, v.length() - 1);
                        }
                        pairs.put(pair.substring(0, eq).strip().toLowerCase(Locale.ROOT), v);
                    }
                }
                elements.add(pairs);
            }
        }
        return elements;
    }
}
