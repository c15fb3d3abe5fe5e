package dev.preflight.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.config.ConfigLoader;
import dev.preflight.testing.ProxyHarness;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * P2: the heap that request heads take while they are decoded and wait is one budget for all client
 * connections: a head whose fields find no room in it is refused (503) and its connection closed,
 * rather than 2,000 slowloris connections running the heap out (found by probing). What a head was
 * charged goes back when it is taken, and all of a connection's when it closes.
 */
class HeadBudgetTest {
    private static final String FIELDS = "X-Field: " + "v".repeat(100) + "\r\n";

    @Test
    @DisplayName("P2: heads are charged as they are decoded, given back when taken; one that finds no room fails")
    void chargedWhileDecodedGivenBackWhenTaken() {
        HeadBudget budget = new HeadBudget(12 * HeadBudget.STEP);
        HeadBudget.Account first = budget.new Account();
        HeadBudget.Account second = budget.new Account();

        HttpRequest small = decode(first, "GET /a HTTP/1.1\r\nHost: a\r\n" + FIELDS.repeat(10) + "\r\n");
        assertThat(small.decoderResult().isSuccess()).isTrue();
        assertThat(budget.held())
                .as("10 fields of ~110 bytes, charged in steps")
                .isPositive();

        HttpRequest large = decode(second, "GET /b HTTP/1.1\r\nHost: a\r\n" + FIELDS.repeat(99) + "\r\n");
        assertThat(large.decoderResult().cause()).isInstanceOf(HeadBudget.Exhausted.class);

        LimitedHeaders.decoded(small.headers());
        LimitedHeaders.decoded(large.headers());
        assertThat(budget.held()).as("both taken: nothing charged any more").isZero();

        HttpRequest again = decode(second, "GET /b HTTP/1.1\r\nHost: a\r\n" + FIELDS.repeat(50) + "\r\n");
        assertThat(again.decoderResult().isSuccess()).as("room again").isTrue();
        second.close();
        assertThat(budget.held()).as("its connection closed: its share back").isZero();
    }

    @Test
    @DisplayName("P2: a head refused for the budget is answered 503 and the connection closes")
    void refusedWith503() throws Exception {
        FullHttpResponse answer = ErrorResponses.undecodable(
                ByteBufAllocator.DEFAULT,
                new HeadBudget.Exhausted(),
                ConfigLoader.parse(ProxyHarness.hocon("http://127.0.0.1:9", 0), Map.of())
                        .limits());
        try {
            assertThat(answer.status().code()).isEqualTo(503);
            assertThat(answer.headers().get("Connection")).isEqualTo("close");
        } finally {
            answer.release();
        }
    }

    @Test
    @DisplayName("P2: the budget is a quarter of the heap the JVM may grow to")
    void aQuarterOfTheHeap() {
        HeadBudget budget = HeadBudget.ofHeap();
        HeadBudget.Account account = budget.new Account();
        long quarter = Runtime.getRuntime().maxMemory() / 4;

        account.charge(quarter - HeadBudget.STEP);
        account.close();
        assertThat(budget.held()).isZero();
    }

    private static HttpRequest decode(HeadBudget.Account account, String head) {
        EmbeddedChannel channel = new EmbeddedChannel(new HttpRequestDecoder(new HttpDecoderConfig()
                .setMaxHeaderSize(64 * 1024)
                .setHeadersFactory(LimitedHeaders.heads(100, "the request", account))));
        try {
            channel.writeInbound(Unpooled.copiedBuffer(head, StandardCharsets.US_ASCII));
            return channel.readInbound();
        } finally {
            channel.finishAndReleaseAll();
        }
    }
}
