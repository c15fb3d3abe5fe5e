package dev.preflight.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.testing.LocalServer;
import dev.preflight.testing.ProxyHarness;
import dev.preflight.testing.RawClient;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * P2: a body of one-byte chunks, in either direction, goes on in parts of many chunks' bytes, not one
 * message and one write per chunk: one 64 KiB read of such chunks held some 11,000 messages (1.2-1.5
 * MB of heap) while the other side was slow, and a few dozen such connections ran the image's heap out
 * (found by probing). The chunks' bytes arrive whole and in order. A large chunk goes on in parts of
 * at most one read ({@link Transports#MAX_READ}), which bounds what a stalled exchange holds.
 */
@Timeout(60)
class TinyChunksTest {
    private static final int CHUNKS = 20_000;
    /** Far fewer than one per chunk: each read of the other side's bytes goes on in a few parts. */
    private static final int AT_MOST_FORWARDED = CHUNKS / 10;
    /** A chunk far larger than a read: it goes on in parts of one read each, which bound what a stall holds. */
    private static final int LARGE = 1024 * 1024;

    @Test
    @DisplayName("P2: a request body of 20,000 one-byte chunks reaches the backend whole, in far fewer chunks")
    void request() throws Exception {
        List<String> chunks = forwardedRequest(tinyChunks('a'));
        assertThat(String.join("", chunks)).isEqualTo("a".repeat(CHUNKS));
        assertThat(chunks).hasSizeLessThan(AT_MOST_FORWARDED);
    }

    @Test
    @DisplayName("P2: a response body of 20,000 one-byte chunks reaches the client whole, in far fewer chunks")
    void response() throws Exception {
        List<String> chunks = forwardedResponse(tinyChunks('z'));
        assertThat(String.join("", chunks)).isEqualTo("z".repeat(CHUNKS));
        assertThat(chunks).hasSizeLessThan(AT_MOST_FORWARDED);
    }

    @Test
    @DisplayName("P2: a request body's 1 MB chunk goes on in parts of at most one read (32 KiB), whole")
    void requestReadBound() throws Exception {
        List<String> chunks = forwardedRequest(oneChunk('b'));
        assertThat(String.join("", chunks)).isEqualTo("b".repeat(LARGE));
        assertThat(chunks).allSatisfy(part -> assertThat(part.length()).isLessThanOrEqualTo(Transports.MAX_READ));
    }

    @Test
    @DisplayName("P2: a response body's 1 MB chunk goes on in parts of at most one read (32 KiB), whole")
    void responseReadBound() throws Exception {
        List<String> chunks = forwardedResponse(oneChunk('y'));
        assertThat(String.join("", chunks)).isEqualTo("y".repeat(LARGE));
        assertThat(chunks).allSatisfy(part -> assertThat(part.length()).isLessThanOrEqualTo(Transports.MAX_READ));
    }

    /** The chunks the backend gets for a request with this chunked body. */
    private static List<String> forwardedRequest(String body) throws Exception {
        CompletableFuture<String> seen = new CompletableFuture<>();
        try (LocalServer backend = LocalServer.start(1, ch -> ch.pipeline().addLast(new RawRequest(seen)));
                ProxyHarness proxy = ProxyHarness.withoutBackend("http://127.0.0.1:" + backend.port());
                RawClient client = proxy.raw()) {
            client.send("POST /up HTTP/1.1\r\nHost: api\r\nTransfer-Encoding: chunked\r\n\r\n" + body);

            assertThat(client.readResponse().status()).isEqualTo(200);
            String request = seen.get(30, TimeUnit.SECONDS);
            return chunks(request.substring(request.indexOf("\r\n\r\n") + 4));
        }
    }

    /** The chunks the client gets for a response with this chunked body. */
    private static List<String> forwardedResponse(String body) throws Exception {
        String answer = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + body;
        try (LocalServer backend = LocalServer.start(1, ch -> ch.pipeline().addLast(new Answering(answer)));
                ProxyHarness proxy = ProxyHarness.withoutBackend("http://127.0.0.1:" + backend.port());
                RawClient client = proxy.raw()) {
            client.send("GET /down HTTP/1.1\r\nHost: api\r\nConnection: close\r\n\r\n");

            String response = client.readUntilClose().text();
            return chunks(response.substring(response.indexOf("\r\n\r\n") + 4));
        }
    }

    private static String oneChunk(char c) {
        return Integer.toHexString(LARGE) + "\r\n" + String.valueOf(c).repeat(LARGE) + "\r\n0\r\n\r\n";
    }

    private static String tinyChunks(char c) {
        return ("1\r\n" + c + "\r\n").repeat(CHUNKS) + "0\r\n\r\n";
    }

    /** The data of each chunk of a chunked body, up to its last chunk (no extensions, no trailers). */
    private static List<String> chunks(String body) {
        List<String> chunks = new ArrayList<>();
        int at = 0;
        while (true) {
            int lineEnd = body.indexOf("\r\n", at);
            int size = Integer.parseInt(body.substring(at, lineEnd), 16);
            if (size == 0) {
                return chunks;
            }
            chunks.add(body.substring(lineEnd + 2, lineEnd + 2 + size));
            at = lineEnd + 2 + size + 2;
        }
    }

    /** Collects a chunked request's bytes to its last chunk, then answers 200. */
    private static final class RawRequest extends ChannelInboundHandlerAdapter {
        private final StringBuilder received = new StringBuilder();
        private final CompletableFuture<String> seen;

        RawRequest(CompletableFuture<String> seen) {
            this.seen = seen;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf bytes = (ByteBuf) msg;
            received.append(bytes.toString(StandardCharsets.ISO_8859_1));
            bytes.release();
            if (received.toString().endsWith("\r\n0\r\n\r\n")) {
                seen.complete(received.toString());
                ctx.writeAndFlush(Unpooled.copiedBuffer(
                        "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", StandardCharsets.ISO_8859_1));
            }
        }
    }

    /** Answers every request with the same bytes, written at once. */
    private static final class Answering extends ChannelInboundHandlerAdapter {
        private final String answer;

        Answering(String answer) {
            this.answer = answer;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ((ByteBuf) msg).release();
            ctx.writeAndFlush(Unpooled.copiedBuffer(answer, StandardCharsets.ISO_8859_1));
        }
    }
}
