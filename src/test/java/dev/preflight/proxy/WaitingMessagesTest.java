package dev.preflight.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * P2: parts of a body that wait behind one another are merged into one part, so that what one read
 * of tiny chunks brought waits as its bytes, not as thousands of messages; nothing else is merged.
 */
class WaitingMessagesTest {
    private final WaitingMessages waiting = new WaitingMessages();
    private final List<Object> taken = new ArrayList<>();

    @AfterEach
    void release() {
        taken.forEach(io.netty.util.ReferenceCountUtil::release);
        waiting.releaseAll();
    }

    @Test
    @DisplayName("P2: 11,000 one-byte parts wait as one part holding their bytes, each of them released")
    void tinyPartsMerged() {
        List<HttpContent> parts = new ArrayList<>();
        for (int i = 0; i < 11_000; i++) {
            HttpContent part = part(String.valueOf((char) ('a' + i % 26)));
            parts.add(part);
            waiting.addLast(part, ByteBufAllocator.DEFAULT);
        }

        takeAll();

        assertThat(taken).hasSize(1);
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 11_000; i++) {
            expected.append((char) ('a' + i % 26));
        }
        assertThat(text(taken.getFirst())).isEqualTo(expected.toString());
        assertThat(parts).allMatch(part -> part.refCnt() == 0);
    }

    @Test
    @DisplayName("P2: a head, the end of a body and a part the decoder failed on are never merged; order kept")
    void onlyPlainPartsMerged() {
        DefaultHttpRequest head = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/x");
        HttpContent failed = part("!");
        failed.setDecoderResult(DecoderResult.failure(new IllegalArgumentException("bad chunk")));
        LastHttpContent last = new DefaultLastHttpContent(Unpooled.copiedBuffer("end", StandardCharsets.US_ASCII));

        for (Object msg : List.of(head, part("a"), part("b"), last, part("c"), failed, part("d"), part("e"))) {
            waiting.addLast(msg, ByteBufAllocator.DEFAULT);
        }
        takeAll();

        assertThat(taken).hasSize(6);
        assertThat(taken.get(0)).isSameAs(head);
        assertThat(text(taken.get(1))).isEqualTo("ab");
        assertThat(taken.get(2)).isSameAs(last);
        assertThat(text(taken.get(3))).isEqualTo("c");
        assertThat(taken.get(4)).isSameAs(failed);
        assertThat(text(taken.get(5))).isEqualTo("de");
    }

    @Test
    @DisplayName("P2: a merged part once taken is not written into again; later parts make a part of their own")
    void takenPartLeftAlone() {
        waiting.addLast(part("a"), ByteBufAllocator.DEFAULT);
        waiting.addLast(part("b"), ByteBufAllocator.DEFAULT);
        Object first = waiting.pollFirst();
        taken.add(first);

        waiting.addLast(part("c"), ByteBufAllocator.DEFAULT);
        waiting.addLast(part("d"), ByteBufAllocator.DEFAULT);
        takeAll();

        assertThat(text(first)).isEqualTo("ab");
        assertThat(text(taken.get(1))).isEqualTo("cd");
    }

    @Test
    @DisplayName("P1: a message put back first is taken first, ahead of merged parts")
    void putBackFirst() {
        waiting.addLast(part("a"), ByteBufAllocator.DEFAULT);
        waiting.addLast(part("b"), ByteBufAllocator.DEFAULT);
        HttpContent next = part("x");
        waiting.addFirst(next);
        waiting.addLast(part("c"), ByteBufAllocator.DEFAULT);
        takeAll();

        assertThat(taken.getFirst()).isSameAs(next);
        assertThat(text(taken.get(1))).isEqualTo("abc");
    }

    @Test
    @DisplayName("P2: what still waits is released, merged parts included")
    void releaseAllReleasesMerged() {
        HttpContent a = part("a");
        HttpContent b = part("b");
        waiting.addLast(a, ByteBufAllocator.DEFAULT);
        waiting.addLast(b, ByteBufAllocator.DEFAULT);
        waiting.addLast(part("c"), ByteBufAllocator.DEFAULT);

        waiting.releaseAll();

        assertThat(waiting.isEmpty()).isTrue();
        assertThat(a.refCnt()).isZero();
        assertThat(b.refCnt()).isZero();
    }

    private void takeAll() {
        for (Object next = waiting.pollFirst(); next != null; next = waiting.pollFirst()) {
            taken.add(next);
        }
    }

    private static HttpContent part(String text) {
        ByteBuf bytes = ByteBufAllocator.DEFAULT.buffer();
        bytes.writeCharSequence(text, StandardCharsets.US_ASCII);
        return new DefaultHttpContent(bytes);
    }

    private static String text(Object msg) {
        return ((HttpContent) msg).content().toString(StandardCharsets.US_ASCII);
    }
}
