package dev.preflight.proxy;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.concurrent.Future;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Fires {@link IdleStateEvent#ALL_IDLE_STATE_EVENT} when a client connection has had no traffic
 * either way for {@code limits.idle-timeout}: nothing read, nothing flushed, and no progress in
 * writing what was flushed before (a slow reader draining a long response is not idle). The handlers
 * behind decide what idleness means for them; it fires again after each further timeout.
 *
 * <p>Netty's {@code IdleStateHandler(observeOutput = true)} does the same, but learns about output by
 * adding a listener to every write's promise and reading the clock when each one completes: two to
 * four listeners and clock reads per forwarded request on the busiest path there is (issue 7). This
 * stamps the time once per read and once per flush, from the {@link LoopClock} (read at most once
 * per round of the loop), and looks at the outbound buffer's progress only when its timer fires.
 */
final class IdleTimeoutHandler extends ChannelDuplexHandler {
    private final long timeoutNanos;
    private LongSupplier clock; // the loop's, set when added
    private long lastActivity;
    private boolean reading;
    private boolean started;
    private boolean stopped;
    private Future<?> timer;
    // The outbound buffer as the last check saw it (the message by identity: holding it would keep a
    // released buffer reachable).
    private int lastMessage;
    private long lastPending;
    private long lastProgress;

    IdleTimeoutHandler(Duration timeout) {
        this.timeoutNanos = timeout.toNanos();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        clock = LoopClock.of(ctx.executor());
        if (ctx.channel().isActive() && ctx.channel().isRegistered()) {
            start(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        start(ctx);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        reading = true;
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (reading) {
            reading = false;
            lastActivity = clock.getAsLong();
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        lastActivity = clock.getAsLong();
        ctx.flush();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        stop();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        stop();
    }

    private void start(ChannelHandlerContext ctx) {
        if (started || stopped) {
            return;
        }
        started = true;
        lastActivity = clock.getAsLong();
        outputProgressed(ctx);
        schedule(ctx, timeoutNanos);
    }

    private void stop() {
        stopped = true;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void check(ChannelHandlerContext ctx) {
        timer = null;
        if (stopped || !ctx.channel().isOpen()) {
            return;
        }
        long quiet = reading ? 0 : clock.getAsLong() - lastActivity;
        if (quiet < timeoutNanos) {
            schedule(ctx, timeoutNanos - quiet);
            return;
        }
        schedule(ctx, timeoutNanos);
        if (!outputProgressed(ctx)) {
            ctx.fireUserEventTriggered(IdleStateEvent.ALL_IDLE_STATE_EVENT);
        }
    }

    private void schedule(ChannelHandlerContext ctx, long delayNanos) {
        timer = ctx.executor().schedule(() -> check(ctx), delayNanos, TimeUnit.NANOSECONDS);
    }

    /** Whether the outbound buffer moved since the last look: another message, or bytes written. */
    private boolean outputProgressed(ChannelHandlerContext ctx) {
        ChannelOutboundBuffer buffer = ctx.channel().unsafe().outboundBuffer();
        if (buffer == null) {
            return false;
        }
        int message = System.identityHashCode(buffer.current());
        long pending = buffer.totalPendingWriteBytes();
        long progress = buffer.currentProgress();
        boolean moved = message != lastMessage || pending != lastPending || progress != lastProgress;
        lastMessage = message;
        lastPending = pending;
        lastProgress = progress;
        return moved;
    }
}
