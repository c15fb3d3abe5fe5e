package dev.preflight.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.testing.CountedReads;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * P1: the client's messages reach the request handler one per ask, in the order they came, whatever
 * one socket read brought; a read is asked of the socket only when nothing waits (issue 7: this
 * replaced Netty's FlowControlHandler).
 */
class ClientReadsTest {
    private final List<Object> taken = new ArrayList<>();
    private EmbeddedChannel channel;
    private ChannelHandlerContext ctx;
    private ClientReads reads;
    private CountedReads socket;

    @BeforeEach
    void setUp() {
        channel = new EmbeddedChannel();
        socket = CountedReads.on(channel);
        channel.pipeline().addLast(new ChannelInboundHandlerAdapter());
        ctx = channel.pipeline().lastContext();
        reads = new ClientReads((c, msg) -> taken.add(msg), c -> c.close());
    }

    @AfterEach
    void tearDown() {
        taken.forEach(ReferenceCountUtil::release);
        channel.finishAndReleaseAll();
    }

    @Test
    @DisplayName("a message asked for is taken as it arrives; one ask is one socket read, however often made")
    void askedForIsTakenAtOnce() {
        reads.requestRead(ctx);
        reads.requestRead(ctx);
        assertThat(socket.count()).isEqualTo(1);
        assertThat(reads.awaitingMessage()).isTrue();

        reads.arrived(ctx, "head");

        assertThat(taken).containsExactly("head");
        assertThat(reads.awaitingMessage()).isFalse();
    }

    @Test
    @DisplayName("P1: what one read brought beyond the ask waits, and each later ask takes the oldest without reading")
    void restOfAReadWaitsInOrder() {
        reads.requestRead(ctx);
        reads.arrived(ctx, "head 1");
        reads.arrived(ctx, "end 1");
        reads.arrived(ctx, "head 2");
        assertThat(taken).containsExactly("head 1");

        reads.requestRead(ctx);
        reads.requestRead(ctx);
        assertThat(taken).containsExactly("head 1", "end 1", "head 2");
        assertThat(socket.count()).as("nothing read while messages waited").isEqualTo(1);

        reads.requestRead(ctx);
        assertThat(socket.count()).isEqualTo(2);
    }

    @Test
    @DisplayName(
            "P1: a head taken during an exchange waits first in line, and no close-watching read is asked meanwhile")
    void heldHeadGoesFirst() {
        reads.requestRead(ctx);
        reads.arrived(ctx, "head 2");
        reads.arrived(ctx, "end 2");
        reads.holdFirst(taken.removeLast());

        reads.watchForClose(ctx);
        assertThat(socket.count())
                .as("something waits: no read to watch for a close")
                .isEqualTo(1);

        reads.requestRead(ctx);
        reads.requestRead(ctx);
        assertThat(taken).containsExactly("head 2", "end 2");
    }

    @Test
    @DisplayName("a read cycle that brought nothing asked for is followed by another read; one that did is not")
    void readCompleteAsksAgainOnlyWhileAwaiting() {
        reads.requestRead(ctx);
        reads.readComplete(ctx);
        assertThat(socket.count()).isEqualTo(2);

        reads.arrived(ctx, "head");
        reads.readComplete(ctx);
        assertThat(socket.count()).isEqualTo(2);
    }

    @Test
    @DisplayName("what still waits when the connection closes is released")
    void closeReleasesWhatWaits() {
        ByteBuf waiting = Unpooled.buffer().writeByte(1);
        reads.arrived(ctx, waiting);

        reads.close();

        assertThat(waiting.refCnt()).isZero();
        reads.requestRead(ctx);
        assertThat(taken).isEmpty();
        assertThat(socket.count()).isEqualTo(1);
    }
}
