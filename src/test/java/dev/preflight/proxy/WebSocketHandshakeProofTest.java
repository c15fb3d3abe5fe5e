package dev.preflight.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.testing.LocalServer;
import dev.preflight.testing.ProxyHarness;
import dev.preflight.testing.RawClient;
import dev.preflight.testing.RawResponse;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * P7: a connection becomes a tunnel only through a real WebSocket handshake: the request carries its
 * Sec-WebSocket-Key and version, and the upstream's 101 answers that key (Sec-WebSocket-Accept). A
 * backend that answered a bare Upgrade with 101 opened a tunnel that carried any request a client
 * liked (TRACE, %2F, a disallowed origin) past every check (found by probing).
 */
@Timeout(60)
class WebSocketHandshakeProofTest {
    private static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";
    private static final String ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="; // RFC 6455 1.3's example

    @Test
    @DisplayName("P7: the accept value is RFC 6455's for the key")
    void acceptForKey() {
        assertThat(WebSocketUpgrade.acceptFor(KEY)).isEqualTo(ACCEPT);
    }

    @Test
    @DisplayName("P3/P7: an Upgrade without Sec-WebSocket-Key reaches the backend without Upgrade, and its 101 is a"
            + " 502, no tunnel")
    void noKeyNoHandshake() throws Exception {
        Backend backend =
                new Backend("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Accept: " + ACCEPT + "\r\n\r\n");
        try (LocalServer server = LocalServer.start(1, ch -> ch.pipeline().addLast(backend));
                ProxyHarness proxy = ProxyHarness.withoutBackend("http://127.0.0.1:" + server.port());
                RawClient client = proxy.raw()) {
            RawResponse response = client.exchange("GET /ws HTTP/1.1\r\nHost: api\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n");

            assertThat(response.status()).isEqualTo(502);
            assertThat(backend.received.getFirst().toLowerCase()).doesNotContain("upgrade:");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("answers")
    @DisplayName("P7: a 101 that does not answer the handshake's key is a 502 and opens no tunnel")
    void acceptChecked(String row, String acceptLines, int status) throws Exception {
        Backend backend =
                new Backend("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        + acceptLines + "\r\n");
        try (LocalServer server = LocalServer.start(1, ch -> ch.pipeline().addLast(backend));
                ProxyHarness proxy = ProxyHarness.withoutBackend("http://127.0.0.1:" + server.port());
                RawClient client = proxy.raw()) {
            client.send("GET /ws HTTP/1.1\r\nHost: api\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: " + KEY + "\r\nSec-WebSocket-Version: 13\r\n\r\n");
            RawResponse response = client.readResponse();

            assertThat(response.status()).as(row).isEqualTo(status);
        }
    }

    static Stream<Arguments> answers() {
        return Stream.of(
                Arguments.of("no Sec-WebSocket-Accept", "", 502),
                Arguments.of("another key's", "Sec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n", 502),
                Arguments.of(
                        "two of them",
                        "Sec-WebSocket-Accept: " + ACCEPT + "\r\nSec-WebSocket-Accept: " + ACCEPT + "\r\n",
                        502),
                Arguments.of("this key's", "Sec-WebSocket-Accept: " + ACCEPT + "\r\n", 101));
    }

    /** Answers the first bytes it gets with {@code answer}, and records every read. */
    @io.netty.channel.ChannelHandler.Sharable
    private static final class Backend extends ChannelInboundHandlerAdapter {
        private final String answer;
        final List<String> received = new CopyOnWriteArrayList<>();

        Backend(String answer) {
            this.answer = answer;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf bytes = (ByteBuf) msg;
            received.add(bytes.toString(StandardCharsets.ISO_8859_1));
            bytes.release();
            if (received.size() == 1) {
                ctx.writeAndFlush(Unpooled.copiedBuffer(answer, StandardCharsets.ISO_8859_1));
            }
        }
    }
}
