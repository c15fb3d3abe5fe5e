package dev.preflight.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.testing.Await;
import dev.preflight.testing.LocalServer;
import dev.preflight.testing.ProxyHarness;
import dev.preflight.testing.RawClient;
import dev.preflight.testing.RawResponse;
import dev.preflight.testing.TlsBackend;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * P1, P6, P7: an https upstream's {@code close_notify} (TLS's end of its data) ends the connection as
 * a TCP close does. Under TLS 1.3 the JDK does not answer it with its own, and a backend that waits
 * for that answer before closing its socket (Python's {@code unwrap()}, a two-step OpenSSL shutdown)
 * left a close-delimited response unfinished until {@code response-timeout}, the connection in the
 * pool for the next request, and a tunnel open (found by probing).
 */
@Timeout(60)
class UpstreamCloseNotifyTest {
    private static final String BODY = "x".repeat(5000);

    private CloseNotifyBackend backend;
    private ProxyHarness proxy;

    @BeforeEach
    void start() throws Exception {
        backend = new CloseNotifyBackend();
        String caFile = Path.of(UpstreamCloseNotifyTest.class
                        .getResource("/tls/test-ca.pem")
                        .toURI())
                .toString();
        proxy = ProxyHarness.withoutBackend(
                "https://localhost:" + backend.port(),
                "upstream.ca-file = \"" + caFile + "\"",
                "upstream.response-timeout = 60s");
    }

    @AfterEach
    void stop() {
        proxy.close();
        backend.close();
    }

    @Test
    @DisplayName("P6: a close-delimited response ended by close_notify reaches the client whole and at once, not"
            + " cut short at response-timeout")
    void closeDelimitedResponse() throws Exception {
        try (RawClient client = proxy.raw()) {
            RawResponse response = client.exchange("GET /close-delimited HTTP/1.1\r\nHost: api\r\n\r\n");

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.bodyText()).isEqualTo(BODY);
        }
        Await.until("the proxy answered the backend's close_notify", () -> backend.closedByProxy.get() == 1);
    }

    @Test
    @DisplayName("P1: a pooled connection whose upstream sent close_notify is closed, not lent to the next request"
            + " (a POST, which is not retried, got 502 on it)")
    void pooledConnection() throws Exception {
        try (RawClient client = proxy.raw()) {
            assertThat(client.exchange("GET /keep-alive HTTP/1.1\r\nHost: api\r\n\r\n")
                            .status())
                    .isEqualTo(200);
            backend.sayCloseNotify.countDown(); // back in the pool by now: its answer was read

            Await.until("the proxy answered the backend's close_notify", () -> backend.closedByProxy.get() == 1);
            RawResponse post =
                    client.exchange("POST /keep-alive HTTP/1.1\r\nHost: api\r\nContent-Length: 5\r\n\r\nhello");

            assertThat(post.status()).isEqualTo(200);
            assertThat(backend.accepted.get())
                    .as("a new connection for the POST")
                    .isEqualTo(2);
        }
    }

    @Test
    @DisplayName("P7: a WebSocket tunnel whose upstream sent close_notify is closed, the client's side too")
    void tunnel() throws Exception {
        try (RawClient client = proxy.raw()) {
            client.send("GET /tunnel HTTP/1.1\r\nHost: api\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");

            RawClient.Received received = client.readUntilClose();

            assertThat(received.text()).startsWith("HTTP/1.1 101 ").endsWith("goodbye");
            assertThat(received.closedByPeer()).as("the client's side closed").isTrue();
        }
    }

    /**
     * A TLS 1.3 server that answers by path and then says {@code close_notify} without closing its
     * socket ({@link SslHandler#closeOutbound()}), as a backend that waits for the proxy's own would.
     */
    private static final class CloseNotifyBackend implements AutoCloseable {
        final AtomicInteger accepted = new AtomicInteger();
        final AtomicInteger closedByProxy = new AtomicInteger();
        final CountDownLatch sayCloseNotify = new CountDownLatch(1);
        private final LocalServer server;

        CloseNotifyBackend() throws Exception {
            SslContext tls = SslContextBuilder.forServer(TlsBackend.keyManagers("/tls/ca-signed-backend.p12"))
                    .protocols("TLSv1.3")
                    .build();
            server = LocalServer.start(1, ch -> {
                SslHandler ssl = tls.newHandler(ch.alloc());
                ch.pipeline().addLast(ssl, new Answering(ssl, accepted.incrementAndGet()));
            });
        }

        int port() {
            return server.port();
        }

        @Override
        public void close() {
            server.close();
        }

        private final class Answering extends ChannelInboundHandlerAdapter {
            private final SslHandler ssl;
            private final int connection;
            private final StringBuilder received = new StringBuilder();

            Answering(SslHandler ssl, int connection) {
                this.ssl = ssl;
                this.connection = connection;
            }

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ByteBuf bytes = (ByteBuf) msg;
                received.append(bytes.toString(StandardCharsets.ISO_8859_1));
                bytes.release();
                int end = received.indexOf("\r\n\r\n");
                if (end < 0 || received.length() < end + 4 + contentLength(received.substring(0, end))) {
                    return;
                }
                String path = received.toString().split(" ", 3)[1];
                received.setLength(0);
                switch (path) {
                    case "/close-delimited" ->
                        answer(ctx, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + BODY)
                                .addListener(f -> ssl.closeOutbound());
                    case "/tunnel" ->
                        answer(
                                        ctx,
                                        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                                                + "Connection: Upgrade\r\n"
                                                + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\ngoodbye")
                                .addListener(f -> ssl.closeOutbound());
                    default -> {
                        answer(ctx, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
                        if (connection == 1) {
                            Thread.ofVirtual().start(() -> {
                                try {
                                    sayCloseNotify.await();
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                }
                                ctx.executor().execute(ssl::closeOutbound);
                            });
                        }
                    }
                }
            }

            private static ChannelFuture answer(ChannelHandlerContext ctx, String response) {
                return ctx.writeAndFlush(Unpooled.copiedBuffer(response, StandardCharsets.ISO_8859_1));
            }

            /** The proxy's close_notify in answer, or its socket's close: counted once. */
            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                if (evt instanceof SslCloseCompletionEvent) {
                    closedByProxy.incrementAndGet();
                }
                ctx.fireUserEventTriggered(evt);
            }

            private static int contentLength(String head) {
                for (String line : head.split("\r\n")) {
                    if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                        return Integer.parseInt(
                                line.substring(line.indexOf(':') + 1).strip());
                    }
                }
                return 0;
            }
        }
    }
}
