package dev.preflight.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Times the request head once it has started to arrive: when it is not complete within {@code
 * limits.header-timeout} (a slowloris client) the request handler is told ({@link TimedOut}) and
 * answers 408 and closes, counted and logged like any answer it makes. It sits before the codec to
 * see the first raw byte of each head; the request handler tells it when a head is complete and when
 * the next may start. A connection on which no byte arrives is left to the idle timeout.
 */
final class RequestHeadTimeoutHandler extends ChannelInboundHandlerAdapter {
    private enum State {
        AWAITING_HEAD,
        READING_HEAD,
        IN_EXCHANGE
    }

    /** The event the request handler gets when a head's time is up: since when the head was awaited. */
    record TimedOut(long startNanos) {}

    private final long timeoutNanos;
    private State state = State.AWAITING_HEAD;
    private ScheduledFuture<?> timer;
    private long timerStartNanos;

    RequestHeadTimeoutHandler(Duration timeout) {
        this.timeoutNanos = timeout.toNanos();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (state == State.AWAITING_HEAD && msg instanceof ByteBuf bytes && bytes.isReadable()) {
            state = State.READING_HEAD;
        }
        ctx.fireChannelRead(msg);
    }

    /**
     * The timer is only set when a read ends with the head still incomplete: most heads arrive in one
     * read and are decoded within it, so they never cost a scheduled task, nor a clock read (issue 7).
     * It runs from the end of the read the head began in, which is when it began to within that
     * read's own few microseconds.
     */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (state == State.READING_HEAD && timer == null) {
            startTimer(ctx);
        }
        ctx.fireChannelReadComplete();
    }

    private void startTimer(ChannelHandlerContext ctx) {
        timerStartNanos = System.nanoTime();
        timer = ctx.executor().schedule(() -> onTimeout(ctx), timeoutNanos, TimeUnit.NANOSECONDS);
    }

    void headReceived() {
        cancel();
        state = State.IN_EXCHANGE;
    }

    /**
     * The next head may come; {@code begun}: the decoder already holds its beginning (pipelined
     * behind the last request), so it is timed from now, as no read may come to start the timer.
     */
    void awaitHead(ChannelHandlerContext ctx, boolean begun) {
        cancel();
        state = State.AWAITING_HEAD;
        if (begun) {
            state = State.READING_HEAD;
            startTimer(ctx.pipeline().context(this));
        }
    }

    private void onTimeout(ChannelHandlerContext ctx) {
        timer = null;
        if (state == State.READING_HEAD && ctx.channel().isActive()) {
            state = State.IN_EXCHANGE;
            ctx.fireUserEventTriggered(new TimedOut(timerStartNanos));
        }
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel();
        ctx.fireChannelInactive();
    }
}
