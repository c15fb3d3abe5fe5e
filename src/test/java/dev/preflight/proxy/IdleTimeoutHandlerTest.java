package dev.preflight.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@code limits.idle-timeout} on a client connection, on the embedded channel's own clock. */
class IdleTimeoutHandlerTest {
    private final List<Object> events = new ArrayList<>();
    private EmbeddedChannel channel;

    @BeforeEach
    void setUp() {
        channel = new EmbeddedChannel();
        channel.freezeTime();
        channel.pipeline().addLast(new IdleTimeoutHandler(Duration.ofSeconds(1)), new ChannelInboundHandlerAdapter() {
            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                events.add(evt);
            }
        });
    }

    @AfterEach
    void tearDown() {
        channel.finishAndReleaseAll();
    }

    @Test
    @DisplayName("a connection with no traffic is idle after the timeout, not before")
    void quietConnection() {
        advance(999);
        assertThat(events).isEmpty();

        advance(1);
        assertThat(events).containsExactly(IdleStateEvent.ALL_IDLE_STATE_EVENT);
    }

    @Test
    @DisplayName("it fires again after each further timeout while nothing moves")
    void firesAgain() {
        advance(1000);
        advance(999);
        assertThat(events).hasSize(1);

        advance(1);
        assertThat(events).hasSize(2);
    }

    @Test
    @DisplayName("a read starts the timeout over")
    void readPostpones() {
        advance(600);
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {'x'}));
        assertThat(channel.<Object>readInbound()).isNotNull().satisfies(ReferenceCountUtil::release);

        assertIdleOneTimeoutLater();
    }

    @Test
    @DisplayName("a flush starts the timeout over")
    void flushPostpones() {
        advance(600);
        channel.writeOutbound(Unpooled.wrappedBuffer(new byte[] {'x'}));
        assertThat(channel.<Object>readOutbound()).isNotNull().satisfies(ReferenceCountUtil::release);

        assertIdleOneTimeoutLater();
    }

    @Test
    @DisplayName("output that moves counts as traffic, output that stands still does not")
    void outputProgress() {
        // Written but not flushed: it sits in the outbound buffer, as bytes a client does not read do.
        channel.write(Unpooled.wrappedBuffer(new byte[] {'x'}));

        advance(1000);
        assertThat(events).as("the buffer changed since the connection began").isEmpty();

        advance(1000);
        assertThat(events).as("and has not since").containsExactly(IdleStateEvent.ALL_IDLE_STATE_EVENT);
    }

    @Test
    @DisplayName("a closed connection's timer stops")
    void closedStops() {
        channel.close();

        advance(5000);
        assertThat(events).isEmpty();
        assertThat(channel.hasPendingTasks()).isFalse();
    }

    private void assertIdleOneTimeoutLater() {
        advance(999);
        assertThat(events).isEmpty();
        advance(1);
        assertThat(events).hasSize(1);
    }

    private void advance(long millis) {
        channel.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        channel.runPendingTasks();
    }
}
