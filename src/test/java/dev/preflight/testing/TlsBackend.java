package dev.preflight.testing;

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
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.KeyManagerFactory;

/**
 * An HTTPS backend on 127.0.0.1 with a key and certificate of {@code src/test/resources/tls} (see
 * its README): it records the SNI host name it was asked for and each request's head, and answers
 * 200 with {@link #BODY} and an {@code Access-Control-Allow-Origin: *} of its own.
 */
public final class TlsBackend implements AutoCloseable {
    public static final String BODY = "{\"over\":\"tls\"}";
    private static final char[] PASSWORD = "changeit".toCharArray();

    private final LocalServer server;
    private final AtomicReference<String> serverName = new AtomicReference<>();
    private final Queue<HttpRequest> requests = new ConcurrentLinkedQueue<>();

    private TlsBackend(String keyStore) throws Exception {
        SslContext tls = SslContextBuilder.forServer(keyManagers(keyStore)).build();
        server = LocalServer.start(
                1,
                ch -> ch.pipeline()
                        .addLast(new SniHandler((host, promise) -> {
                            serverName.set(host);
                            return promise.setSuccess(tls);
                        }))
                        .addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 16))
                        .addLast(new SimpleChannelInboundHandler<FullHttpRequest>() {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
                                requests.add(new DefaultHttpRequest(
                                        request.protocolVersion(),
                                        request.method(),
                                        request.uri(),
                                        request.headers().copy()));
                                FullHttpResponse response = new DefaultFullHttpResponse(
                                        HttpVersion.HTTP_1_1,
                                        HttpResponseStatus.OK,
                                        Unpooled.copiedBuffer(BODY, StandardCharsets.US_ASCII));
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

    /** @param keyStore a PKCS #12 resource, e.g. {@code /tls/ca-signed-backend.p12} */
    public static TlsBackend start(String keyStore) throws Exception {
        return new TlsBackend(keyStore);
    }

    public int port() {
        return server.port();
    }

    /** The SNI host name of the last handshake; null when none was sent. */
    public String serverName() {
        return serverName.get();
    }

    /** The heads of the requests received so far, oldest first. */
    public Queue<HttpRequest> requests() {
        return requests;
    }

    /** The TLS connections still open. */
    public int openConnections() {
        return server.channels().size();
    }

    @Override
    public void close() {
        server.close();
    }

    public static KeyStore keyStore(String name) throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = TlsBackend.class.getResourceAsStream(name)) {
            keys.load(in, PASSWORD);
        }
        return keys;
    }

    public static KeyManagerFactory keyManagers(String keyStore) throws Exception {
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(keyStore(keyStore), PASSWORD);
        return factory;
    }

    /** The certificate of {@code keyStore}'s one entry, PEM-encoded, as a {@code ca-file} holds it. */
    public static String certificatePem(String keyStore) throws Exception {
        KeyStore keys = keyStore(keyStore);
        Certificate certificate = keys.getCertificate(keys.aliases().nextElement());
        return "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(certificate.getEncoded())
                + "\n-----END CERTIFICATE-----\n";
    }
}
