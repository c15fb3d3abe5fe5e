package dev.preflight.proxy;

import static dev.preflight.testing.ProblemAssertions.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.preflight.testing.LocalServer;
import dev.preflight.testing.ProxyHarness;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.KeyManagerFactory;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * P4/P6: an {@code https} upstream is reached over TLS and its certificate is checked against the
 * JVM's trusted authorities, or those of {@code upstream.ca-file}: the request and the response go
 * through it as over plain HTTP, with the host name sent for SNI; a backend whose certificate no
 * trusted authority signed, or that names another host, is never sent the request, and the client
 * gets 502 saying the TLS handshake failed, with the reason in the log.
 */
@Timeout(60)
class UpstreamTlsTest {
    private static final char[] PASSWORD = "changeit".toCharArray();

    @Test
    @DisplayName(
            "P6: an https upstream with a certificate nobody trusts: 502 'the TLS handshake with the upstream failed'")
    void untrustedCertificate() throws Exception {
        AtomicInteger handshakesStarted = new AtomicInteger();
        SslContext server = SslContextBuilder.forServer(keyManagers()).build();
        Logger upstreamLog = (Logger) LoggerFactory.getLogger("preflight.upstream");
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        upstreamLog.addAppender(lines);
        try (LocalServer backend = LocalServer.start(1, ch -> {
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
            assertThat(List.copyOf(lines.list))
                    .as("the log names the upstream and why its certificate was refused")
                    .anySatisfy(line -> assertThat(line.getFormattedMessage())
                            .startsWith("cannot connect to the upstream https://127.0.0.1:" + backend.port() + ": ")
                            .containsIgnoringCase("certification path"));
        } finally {
            upstreamLog.detachAppender(lines);
        }
    }

    @Test
    @DisplayName("P4: an https upstream signed by the ca-file's authority: forwarded over TLS, SNI sent, CORS written")
    void trustedByCaFile() throws Exception {
        AtomicReference<String> serverName = new AtomicReference<>();
        BlockingQueue<HttpRequest> seen = new LinkedBlockingQueue<>();
        try (LocalServer backend = tlsBackend("/tls/ca-signed-backend.p12", serverName, seen);
                ProxyHarness proxy = ProxyHarness.withoutBackend(
                        "https://localhost:" + backend.port(),
                        "upstream.ca-file = \"" + resource("/tls/test-ca.pem") + "\"",
                        "cors.allowed-origins = [\"https://app.example.com\"]")) {
            HttpResponse<String> first = proxy.http()
                    .send(
                            proxy.request("/over-tls?n=1")
                                    .header("Origin", "https://app.example.com")
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> second = proxy.get("/over-tls?n=2");

            assertThat(first.statusCode()).isEqualTo(200);
            assertThat(first.body()).isEqualTo("{\"over\":\"tls\"}");
            assertThat(first.headers().allValues("Access-Control-Allow-Origin"))
                    .as("the backend's own CORS header stripped, ours written")
                    .containsExactly("https://app.example.com");
            assertThat(second.statusCode()).isEqualTo(200);
            assertThat(serverName.get()).as("SNI: the url's host name").isEqualTo("localhost");
            HttpRequest request = seen.take();
            assertThat(request.uri()).isEqualTo("/over-tls?n=1");
            assertThat(request.headers().get("Origin")).isEqualTo("https://app.example.com");
            assertThat(seen.take().uri()).isEqualTo("/over-tls?n=2");
            assertThat(backend.channels().size())
                    .as("both requests on one pooled TLS connection")
                    .isEqualTo(1);
        }
    }

    @Test
    @DisplayName("P6: a certificate from the ca-file's authority for another host name: 502, never sent the request")
    void caFileCertificateForAnotherHost() throws Exception {
        BlockingQueue<HttpRequest> seen = new LinkedBlockingQueue<>();
        try (LocalServer backend = tlsBackend("/tls/ca-signed-other-host.p12", new AtomicReference<>(), seen);
                ProxyHarness proxy = ProxyHarness.withoutBackend(
                        "https://localhost:" + backend.port(),
                        "upstream.ca-file = \"" + resource("/tls/test-ca.pem") + "\"")) {
            HttpResponse<String> response = proxy.get("/over-tls");

            assertProblem(response, 502);
            assertThat(response.body()).contains("\"detail\":\"the TLS handshake with the upstream failed\"");
            assertThat(seen).as("no request reached the backend").isEmpty();
        }
    }

    @Test
    @DisplayName("P4: a self-signed backend certificate given as the ca-file is trusted, its IP address verified")
    void selfSignedCertificateAsCaFile(@TempDir Path dir) throws Exception {
        KeyStore keys = keyStore("/tls/untrusted-backend.p12");
        byte[] certificate = keys.getCertificate(keys.aliases().nextElement()).getEncoded();
        Path pem = dir.resolve("backend.pem");
        Files.writeString(
                pem,
                "-----BEGIN CERTIFICATE-----\n"
                        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(certificate)
                        + "\n-----END CERTIFICATE-----\n");
        BlockingQueue<HttpRequest> seen = new LinkedBlockingQueue<>();
        try (LocalServer backend = tlsBackend("/tls/untrusted-backend.p12", new AtomicReference<>(), seen);
                ProxyHarness proxy = ProxyHarness.withoutBackend(
                        "https://127.0.0.1:" + backend.port(), "upstream.ca-file = \"" + pem + "\"")) {
            HttpResponse<String> response = proxy.get("/pinned");

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(seen.take().uri()).isEqualTo("/pinned");
        }
    }

    /**
     * A TLS backend with the key and certificate of {@code keyStore}: it records the SNI host name
     * and each request, and answers 200 with a small JSON body and a CORS header of its own.
     */
    private static LocalServer tlsBackend(
            String keyStore, AtomicReference<String> serverName, BlockingQueue<HttpRequest> seen) throws Exception {
        SslContext server = SslContextBuilder.forServer(keyManagers(keyStore)).build();
        return LocalServer.start(
                1,
                ch -> ch.pipeline()
                        .addLast(new SniHandler((host, promise) -> {
                            serverName.set(host);
                            return promise.setSuccess(server);
                        }))
                        .addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 16))
                        .addLast(new SimpleChannelInboundHandler<FullHttpRequest>() {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
                                seen.add(new DefaultHttpRequest(
                                        request.protocolVersion(),
                                        request.method(),
                                        request.uri(),
                                        request.headers().copy()));
                                FullHttpResponse response = new DefaultFullHttpResponse(
                                        HttpVersion.HTTP_1_1,
                                        HttpResponseStatus.OK,
                                        Unpooled.copiedBuffer("{\"over\":\"tls\"}", StandardCharsets.US_ASCII));
                                response.headers()
                                        .set(HttpHeaderNames.CONTENT_TYPE, "application/json")
                                        .set(
                                                HttpHeaderNames.CONTENT_LENGTH,
                                                response.content().readableBytes())
                                        .set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, "*");
                                ctx.writeAndFlush(response);
                            }
                        }));
    }

    private static String resource(String name) throws Exception {
        return Path.of(UpstreamTlsTest.class.getResource(name).toURI()).toString();
    }

    private static KeyManagerFactory keyManagers() throws Exception {
        return keyManagers("/tls/untrusted-backend.p12");
    }

    private static KeyManagerFactory keyManagers(String keyStore) throws Exception {
        KeyStore keys = keyStore(keyStore);
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(keys, PASSWORD);
        return factory;
    }

    private static KeyStore keyStore(String name) throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = UpstreamTlsTest.class.getResourceAsStream(name)) {
            keys.load(in, PASSWORD);
        }
        return keys;
    }
}
