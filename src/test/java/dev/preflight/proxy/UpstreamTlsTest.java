package dev.preflight.proxy;

import static dev.preflight.testing.ProblemAssertions.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.preflight.testing.LocalServer;
import dev.preflight.testing.LogCapture;
import dev.preflight.testing.ProxyHarness;
import dev.preflight.testing.TlsBackend;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.ReferenceCountUtil;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * P4/P6: an {@code https} upstream is reached over TLS and its certificate is checked against the
 * JVM's trusted authorities, or those of {@code upstream.ca-file}: the request and the response go
 * through it as over plain HTTP, with the host name sent for SNI; a backend whose certificate no
 * trusted authority signed, or that names another host, is never sent the request, and the client
 * gets 502 saying the TLS handshake failed, with the reason in the log.
 */
@Timeout(60)
class UpstreamTlsTest {
    @Test
    @DisplayName(
            "P6: an https upstream with a certificate nobody trusts: 502 'the TLS handshake with the upstream failed'")
    void untrustedCertificate() throws Exception {
        AtomicInteger handshakesStarted = new AtomicInteger();
        SslContext server = SslContextBuilder.forServer(TlsBackend.keyManagers("/tls/untrusted-backend.p12"))
                .build();
        try (LogCapture lines = LogCapture.of("preflight.upstream");
                LocalServer backend = LocalServer.start(1, ch -> {
                    handshakesStarted.incrementAndGet();
                    ch.pipeline().addLast(server.newHandler(ch.alloc()));
                });
                ProxyHarness proxy = ProxyHarness.withoutBackend("https://127.0.0.1:" + backend.port())) {
            HttpResponse<String> response = proxy.get("/over-tls");

            assertProblem(response, 502);
            assertThat(response.body()).contains("\"detail\":\"the TLS handshake with the upstream failed\"");
            assertThat(handshakesStarted.get())
                    .as("the proxy did connect to the backend")
                    .isPositive();
            assertThat(lines.messages())
                    .as("the log names the upstream and why its certificate was refused")
                    .anySatisfy(line -> assertThat(line)
                            .startsWith("cannot connect to the upstream https://127.0.0.1:" + backend.port() + ": ")
                            .containsIgnoringCase("certification path"));
        }
    }

    /** A backend that answers the ClientHello as plain HTTP would, or hangs up at once. */
    static Stream<Arguments> notTls() {
        return Stream.of(
                Arguments.of(
                        "a plain HTTP server behind an https URL",
                        (Consumer<SocketChannel>) ch -> ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                ReferenceCountUtil.release(msg);
                                ctx.writeAndFlush(Unpooled.copiedBuffer(
                                                "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n",
                                                StandardCharsets.US_ASCII))
                                        .addListener(ChannelFutureListener.CLOSE);
                            }
                        }),
                        "is it plain HTTP?"),
                Arguments.of(
                        "a server that hangs up before the handshake",
                        (Consumer<SocketChannel>) ch -> ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelActive(ChannelHandlerContext ctx) {
                                ctx.close();
                            }
                        }),
                        "the upstream closed the connection"));
    }

    @ParameterizedTest(name = "P6: {0}: 502 'the TLS handshake with the upstream failed', and the log says why")
    @MethodSource("notTls")
    void notTls(String backendKind, Consumer<SocketChannel> behaviour, String logged) throws Exception {
        try (LogCapture lines = LogCapture.of("preflight.upstream");
                LocalServer backend = LocalServer.start(1, behaviour);
                ProxyHarness proxy = ProxyHarness.withoutBackend("https://127.0.0.1:" + backend.port())) {
            HttpResponse<String> response = proxy.get("/over-tls");

            assertProblem(response, 502);
            assertThat(response.body()).contains("\"detail\":\"the TLS handshake with the upstream failed\"");
            assertThat(lines.messages())
                    .as("the log says what happened, in words")
                    .anySatisfy(line -> assertThat(line)
                            .startsWith("cannot connect to the upstream https://127.0.0.1:" + backend.port())
                            .contains(logged)
                            .hasSizeLessThan(300));
        }
    }

    @Test
    @DisplayName("P4: an https upstream signed by the ca-file's authority: forwarded over TLS, SNI sent, CORS written")
    void trustedByCaFile() throws Exception {
        try (TlsBackend backend = TlsBackend.start("/tls/ca-signed-backend.p12");
                ProxyHarness proxy =
                        trustingTheTestCa(backend, "cors.allowed-origins = [\"https://app.example.com\"]")) {
            HttpResponse<String> first = proxy.http()
                    .send(
                            proxy.request("/over-tls?n=1")
                                    .header("Origin", "https://app.example.com")
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> second = proxy.get("/over-tls?n=2");

            assertThat(first.statusCode()).isEqualTo(200);
            assertThat(first.body()).isEqualTo(TlsBackend.BODY);
            assertThat(first.headers().allValues("Access-Control-Allow-Origin"))
                    .as("the backend's own CORS header stripped, ours written")
                    .containsExactly("https://app.example.com");
            assertThat(second.statusCode()).isEqualTo(200);
            assertThat(backend.serverName()).as("SNI: the url's host name").isEqualTo("localhost");
            assertThat(backend.requests())
                    .extracting(HttpRequest::uri, request -> request.headers().get("Origin"))
                    .containsExactly(tuple("/over-tls?n=1", "https://app.example.com"), tuple("/over-tls?n=2", null));
            assertThat(backend.openConnections())
                    .as("both requests on one pooled TLS connection")
                    .isEqualTo(1);
        }
    }

    @Test
    @DisplayName("P6: a certificate from the ca-file's authority for another host name: 502, never sent the request")
    void caFileCertificateForAnotherHost() throws Exception {
        try (TlsBackend backend = TlsBackend.start("/tls/ca-signed-other-host.p12");
                ProxyHarness proxy = trustingTheTestCa(backend)) {
            HttpResponse<String> response = proxy.get("/over-tls");

            assertProblem(response, 502);
            assertThat(response.body()).contains("\"detail\":\"the TLS handshake with the upstream failed\"");
            assertThat(backend.requests()).as("no request reached the backend").isEmpty();
        }
    }

    @Test
    @DisplayName("P4: a self-signed backend certificate given as the ca-file is trusted, its IP address verified")
    void selfSignedCertificateAsCaFile(@TempDir Path dir) throws Exception {
        Path pem =
                Files.writeString(dir.resolve("backend.pem"), TlsBackend.certificatePem("/tls/untrusted-backend.p12"));
        try (TlsBackend backend = TlsBackend.start("/tls/untrusted-backend.p12");
                ProxyHarness proxy = ProxyHarness.withoutBackend(
                        "https://127.0.0.1:" + backend.port(), "upstream.ca-file = \"" + pem + "\"")) {
            HttpResponse<String> response = proxy.get("/pinned");

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(backend.requests()).extracting(HttpRequest::uri).containsExactly("/pinned");
        }
    }

    /** The proxy in front of {@code https://localhost:PORT} of {@code backend}, with the test CA as its ca-file. */
    private static ProxyHarness trustingTheTestCa(TlsBackend backend, String... settings) throws Exception {
        String caFile = Path.of(
                        UpstreamTlsTest.class.getResource("/tls/test-ca.pem").toURI())
                .toString();
        return ProxyHarness.withoutBackend(
                "https://localhost:" + backend.port(),
                Stream.concat(Stream.of("upstream.ca-file = \"" + caFile + "\""), Stream.of(settings))
                        .toArray(String[]::new));
    }
}
