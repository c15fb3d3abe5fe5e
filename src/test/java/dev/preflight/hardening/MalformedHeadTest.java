package dev.preflight.hardening;

import static dev.preflight.hardening.RecordingRig.assertRejected;

import dev.preflight.hardening.RecordingRig.Case;
import dev.preflight.testing.RawClient;
import java.util.stream.Stream;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * P6: a request head that is not valid HTTP/1.1 gets 400 and a closed connection, never reaches the
 * backend (the raw backend received nothing), and never hurts the proxy: the next connection is served.
 */
@Timeout(60)
class MalformedHeadTest {

    @AutoClose
    RecordingRig rig;

    @BeforeEach
    void start() throws Exception {
        rig = RecordingRig.start();
    }

    private static Case target(String name, String target) {
        return new Case(name, "GET " + target + " HTTP/1.1\r\nHost: api.test\r\n\r\n");
    }

    private static Case hostValue(String name, String host) {
        return new Case(name, "GET /head HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
    }

    private static Case headerLine(String name, String line) {
        return new Case(name, "GET /head HTTP/1.1\r\nHost: api.test\r\n" + line + "\r\n\r\n");
    }

    static Stream<Case> malformedHeads() {
        return Stream.of(
                target("a control byte (0x01) in the target", "/a\u0001b"),
                target("a NUL in the target", "/a\u0000b"),
                target("DEL (0x7f) in the target", "/a\u007Fb"),
                target("a tab in the target", "/a\tb"),
                target("a non-ASCII byte (0xe9) in the target", "/caf\u00E9"),
                target("raw UTF-8 (0xc3 0xa9) in the target", "/caf\u00C3\u00A9"),
                target("a non-ASCII byte in an absolute-form target", "http://api.test/caf\u00E9"),
                target("an asterisk-form target on GET", "*"),
                new Case(
                        "CONNECT in authority form (a tunnel)",
                        "CONNECT api.test:443 HTTP/1.1\r\nHost: api.test:443\r\n\r\n"),
                new Case("CONNECT with a path", "CONNECT /head HTTP/1.1\r\nHost: api.test\r\n\r\n"),
                headerLine("a control byte (0x01) in a header value", "X-Test: a\u0001b"),
                headerLine("a NUL in a header value", "X-Test: a\u0000b"),
                headerLine("DEL (0x7f) in a header value", "X-Test: a\u007Fb"),
                headerLine("an escape (0x1b) in a header value", "X-Test: \u001B[31mred"),
                headerLine("a non-ASCII byte (0xe9) in a header value", "X-Test: caf\u00E9"),
                headerLine("raw UTF-8 (0xc3 0xa9) in a header value", "X-Test: caf\u00C3\u00A9"),
                new Case("a control byte in Host", "GET /head HTTP/1.1\r\nHost: api\u0001.test\r\n\r\n"),
                headerLine("a control byte in a header name", "X\u0001Test: b"),
                headerLine("a non-ASCII byte in a header name", "X-T\u00E9st: b"),
                headerLine("a separator (@) in a header name", "X@Test: b"),
                headerLine("a separator (parentheses) in a header name", "X(Test): b"),
                headerLine("a header line without a colon", "X-Test b"),
                new Case("a space before the colon (Host : x)", "GET /head HTTP/1.1\r\nHost : api.test\r\n\r\n"),
                headerLine("a space before the colon of another header", "X-Test : b"),
                headerLine("a tab before the colon", "X-Test\t: b"),
                headerLine("an empty header name (: x)", ": x"),
                new Case("a missing Host on HTTP/1.1", "GET /head HTTP/1.1\r\nX-Test: b\r\n\r\n"),
                hostValue("a space in Host (RFC 9112 3.2)", "api test"),
                hostValue("a comma and a space in Host (two hosts)", "api.test, evil.test"),
                hostValue("a path in Host", "api.test/admin"),
                hostValue("userinfo in Host", "user@api.test"),
                hostValue("a port that is not digits", "api.test:80a"),
                hostValue("an unclosed IP literal", "[::1"),
                hostValue("something after an IP literal", "[::1]x"),
                hostValue("a percent-escape in Host (P5: new URL reads %61pi as api)", "%61pi.test"),
                hostValue("a bad percent-escape in Host", "api%2.test"),
                new Case(
                        "Host folded onto the next line (obs-fold)",
                        "GET /head HTTP/1.1\r\nHost: api.test\r\n X-Other: b\r\n\r\n"),
                new Case("two Host headers", "GET /head HTTP/1.1\r\nHost: api.test\r\nHost: evil.test\r\n\r\n"),
                new Case(
                        "two Host headers spelt differently",
                        "GET /head HTTP/1.1\r\nHost: api.test\r\nhost: api.test\r\n\r\n"),
                new Case(
                        "HTTP/2.0 in the request line of an ordinary request",
                        "GET /head HTTP/2.0\r\nHost: api.test\r\n\r\n"),
                new Case("HTTP/3.0 in the request line", "GET /head HTTP/3.0\r\nHost: api.test\r\n\r\n"),
                new Case("a non-ASCII byte in the method", "G\u00C9T /head HTTP/1.1\r\nHost: api.test\r\n\r\n"));
    }

    @ParameterizedTest(name = "P6: {0}: 400, close, never forwarded, the proxy serves the next connection")
    @DisplayName("P6: a malformed request head is refused and never forwarded")
    @MethodSource("malformedHeads")
    void malformedHeadIsRefused(Case row) throws Exception {
        try (RawClient client = rig.raw()) {
            client.send(row.bytes());

            assertRejected(client, 400);
        }
        rig.assertNothingForwardedAndStillServes();
    }

    @Test
    @DisplayName(
            "P6: an HTTP/2 connection preface on the HTTP/1 port: 400, close, never forwarded, the proxy serves the next connection")
    void http2Preface() throws Exception {
        try (RawClient client = rig.raw()) {
            // What an h2c client with prior knowledge sends first, with its SETTINGS frame behind it.
            client.send("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
            client.trySend(new byte[] {0, 0, 0, 4, 0, 0, 0, 0, 0});

            assertRejected(client, 400);
        }
        rig.assertNothingForwardedAndStillServes();
    }
}
