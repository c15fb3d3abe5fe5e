package dev.preflight.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** P7: one side of a WebSocket tunnel, between two embedded channels. */
class TunnelHandlerTest {
    private final EmbeddedChannel peer = new EmbeddedChannel();
    private final AtomicInteger closed = new AtomicInteger();
    private final TunnelHandler handler = new TunnelHandler(peer, 1_000_000_000L, closed::incrementAndGet);
    private final EmbeddedChannel side = new EmbeddedChannel(handler);

    @Test
    @DisplayName("P7: bytes that arrive while the pipelines are rebuilt are relayed first, in order, on start")
    void heldBytesRelayedOnStart() {
        side.writeInbound(bytes("first "));
        side.writeInbound(new DefaultLastHttpContent()); // a codec's end marker: dropped
        side.writeInbound(bytes("second"));
        assertThat((Object) peer.readOutbound()).isNull();

        handler.start();
        side.writeInbound(bytes(" third"));

        assertThat(readText()).isEqualTo("first ");
        assertThat(readText()).isEqualTo("second");
        assertThat(readText()).isEqualTo(" third");
        assertThat(side.finishAndReleaseAll())
                .as("nothing passed on inside this side's pipeline")
                .isFalse();
        peer.finishAndReleaseAll(); // the empty flush that closes the peer after this side closed
    }

    @Test
    @DisplayName("P7: this side closing closes the peer and reports once")
    void closePropagates() {
        handler.start();
        side.close();
        peer.runPendingTasks();
        assertThat(peer.isActive()).isFalse();
        assertThat(closed).hasValue(1);
    }

    @Test
    @DisplayName("P7: a peer that takes nothing more (a backend that stopped reading) is closed anyway once the"
            + " grace has passed after this side closed, not kept with its place in max-connections")
    void stalledPeerClosedAfterGrace() {
        List<ChannelPromise> stalled = new ArrayList<>();
        EmbeddedChannel deaf = new EmbeddedChannel(new ChannelOutboundHandlerAdapter() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                ReferenceCountUtil.release(msg);
                stalled.add(promise); // never written: the socket's buffers are full
            }
        });
        TunnelHandler toDeaf = new TunnelHandler(deaf, TimeUnit.SECONDS.toNanos(5), () -> {});
        EmbeddedChannel client = new EmbeddedChannel(toDeaf);
        toDeaf.start();
        client.writeInbound(bytes("waits for a reader"));

        client.close(); // the client leaves with its bytes still on their way
        deaf.runPendingTasks();
        assertThat(deaf.isActive()).as("open while its grace lasts").isTrue();
        deaf.advanceTimeBy(5, TimeUnit.SECONDS);
        deaf.runScheduledPendingTasks();

        assertThat(deaf.isActive()).isFalse();
        assertThat(stalled)
                .as("the bytes and the flush that was to close it, both stuck")
                .hasSize(2);
    }

    @Test
    @DisplayName("P7: an idle tunnel closes, and a close before start releases what was held")
    void idleCloses() {
        ByteBuf held = bytes("never relayed");
        side.writeInbound(held);
        side.pipeline().fireUserEventTriggered(IdleStateEvent.ALL_IDLE_STATE_EVENT);
        assertThat(side.isActive()).isFalse();
        assertThat(held.refCnt()).isZero();
        assertThat(peer.isActive()).isFalse();
    }

    private String readText() {
        ByteBuf out = peer.readOutbound();
        try {
            return out.toString(StandardCharsets.US_ASCII);
        } finally {
            out.release();
        }
    }

    private static ByteBuf bytes(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII);
    }
}
