package dev.preflight.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * P4: the upstream codec frames responses as Netty's client codec does (a response to HEAD has no
 * content, an interim response answers no request), with the names backends commonly send and
 * repeated status lines reused (issue 7).
 */
class UpstreamCodecTest {
    private final EmbeddedChannel channel =
            new EmbeddedChannel(new UpstreamCodec(UpstreamChannelInitializer.decoderConfig()));
    private final List<Object> decoded = new ArrayList<>();

    @AfterEach
    void finish() {
        decoded.forEach(ReferenceCountUtil::release);
        ByteBuf written;
        while ((written = channel.readOutbound()) != null) {
            written.release();
        }
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    @DisplayName("P4: a response to HEAD has no content, whatever its Content-Length; the next response is read whole")
    void headResponseHasNoContent() {
        send(HttpMethod.HEAD);
        send(HttpMethod.GET);

        receive("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n" + "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");

        assertThat(decoded).hasSize(4);
        assertThat(decoded.get(0)).isInstanceOf(HttpResponse.class);
        assertThat(decoded.get(1)).isSameAs(LastHttpContent.EMPTY_LAST_CONTENT);
        assertThat(decoded.get(2)).isInstanceOf(HttpResponse.class);
        assertThat(body(decoded.get(3))).isEqualTo("hello");
    }

    @Test
    @DisplayName(
            "P4: an interim response (103, 100) answers no request: the HEAD's final response is still the one without content")
    void interimResponsesKeepTheMethod() {
        send(HttpMethod.HEAD);
        send(HttpMethod.GET);

        receive("HTTP/1.1 103 Early Hints\r\nLink: </app.css>; rel=preload\r\n\r\n"
                + "HTTP/1.1 100 Continue\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi");

        assertThat(responses()).extracting(r -> r.status().code()).containsExactly(103, 100, 200, 200);
        assertThat(body(decoded.getLast())).isEqualTo("hi");
    }

    @Test
    @DisplayName("P4: a response nobody asked for is framed by its own headers")
    void unaskedResponseIsFramedAsAnyOther() {
        receive("HTTP/1.1 408 Request Timeout\r\nContent-Length: 4\r\nConnection: close\r\n\r\nbye!");

        assertThat(((HttpResponse) decoded.getFirst()).status().code()).isEqualTo(408);
        assertThat(body(decoded.getLast())).isEqualTo("bye!");
    }

    @Test
    @DisplayName("a common name comes as the known constant, exactly as spelt; others as read, values intact")
    void namesAsSpeltKnownOnesShared() {
        send(HttpMethod.GET);
        send(HttpMethod.GET);

        receive("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\ncontent-length: 2\r\n"
                + "X-Custom: a\r\nCONTENT-LANGUAGE: en\r\n\r\n{}"
                + "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 0\r\n\r\n");

        List<Map.Entry<CharSequence, CharSequence>> first = names(decoded.get(0));
        List<Map.Entry<CharSequence, CharSequence>> second = names(decoded.get(2));
        assertThat(first)
                .extracting(e -> e.getKey().toString())
                .containsExactly("Content-Type", "content-length", "X-Custom", "CONTENT-LANGUAGE");
        assertThat(first).extracting(e -> e.getValue().toString()).containsExactly("application/json", "2", "a", "en");
        assertThat(first.get(0).getKey()).isSameAs(second.get(0).getKey());
        assertThat(first.get(1).getKey()).isSameAs(HttpHeaderNames.CONTENT_LENGTH);
        assertThat(first.get(2).getKey()).isInstanceOf(AsciiString.class);
        assertThat(((HttpResponse) decoded.get(2)).headers().get("content-type"))
                .isEqualTo("text/plain");
    }

    @Test
    @DisplayName("a status line like the previous one reuses its parts; any other is read as it is")
    void statusLines() {
        for (int i = 0; i < 4; i++) {
            send(HttpMethod.GET);
        }

        receive("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
                + "HTTP/1.1 200 Fine\r\nContent-Length: 0\r\n\r\n"
                + "HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n");

        List<HttpResponse> responses = responses();
        assertThat(responses).extracting(r -> r.status().code()).containsExactly(200, 200, 200, 404);
        assertThat(responses)
                .extracting(r -> r.status().reasonPhrase())
                .containsExactly("OK", "OK", "Fine", "Not Found");
        assertThat(responses)
                .extracting(HttpResponse::protocolVersion)
                .containsExactly(
                        HttpVersion.HTTP_1_1, HttpVersion.HTTP_1_1, HttpVersion.HTTP_1_1, HttpVersion.HTTP_1_0);
    }

    @Test
    @DisplayName("a status line's parts compare a byte per char")
    void speltComparesEachByte() {
        byte[] line = "HTTP/1.1 200 OK".getBytes(StandardCharsets.ISO_8859_1);

        assertThat(UpstreamCodec.ResponseDecoder.spelt("200", line, 9, 3)).isTrue();
        assertThat(UpstreamCodec.ResponseDecoder.spelt("201", line, 9, 3)).isFalse();
        assertThat(UpstreamCodec.ResponseDecoder.spelt("20", line, 9, 3)).isFalse();
        assertThat(UpstreamCodec.ResponseDecoder.spelt("\u00C9", new byte[] {(byte) 0xC9}, 0, 1))
                .isTrue();
    }

    private void send(HttpMethod method) {
        channel.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, "/x"));
    }

    private void receive(String bytes) {
        channel.writeInbound(Unpooled.copiedBuffer(bytes, StandardCharsets.ISO_8859_1));
        Object msg;
        while ((msg = channel.readInbound()) != null) {
            decoded.add(msg);
        }
    }

    private List<HttpResponse> responses() {
        return decoded.stream()
                .filter(HttpResponse.class::isInstance)
                .map(HttpResponse.class::cast)
                .toList();
    }

    private static String body(Object content) {
        assertThat(content).isInstanceOf(LastHttpContent.class);
        return ((HttpContent) content).content().toString(StandardCharsets.US_ASCII);
    }

    private static List<Map.Entry<CharSequence, CharSequence>> names(Object response) {
        List<Map.Entry<CharSequence, CharSequence>> entries = new ArrayList<>();
        ((HttpResponse) response).headers().iteratorCharSequence().forEachRemaining(entries::add);
        return entries;
    }
}
