package dev.preflight.proxy;

import io.netty.channel.IoHandle;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoRegistration;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ThreadAwareExecutor;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The time of the timeouts (idle connections, the upstream response timeout, pooled connections'
 * idle time), read at most once per round of an event loop, as nginx reads its clock once per pass
 * of its loop rather than for every timer it arms. A round is one wait for I/O and the events it
 * returned, or the tasks that run after it; the first time asked for in a round is read from {@link
 * System#nanoTime()} and kept until the round ends. Timeouts count seconds, so a time that is late by
 * at most one round (well under a millisecond under load) changes nothing, where each read costs
 * about 25 ns on the virtual machines measured: a forwarded GET took ten of them, five for timeouts
 * (issue 7). Durations in metrics and the access log still read the clock themselves: a request
 * answered in the round it arrived would otherwise take no time.
 *
 * <p>Each event loop has its own, confined to its thread; {@link #around} puts one on every loop of a
 * group, and {@link #of} finds it.
 */
public final class LoopClock implements LongSupplier {
    private static final Map<EventExecutor, LoopClock> CLOCKS = new ConcurrentHashMap<>();

    private final LongSupplier source;
    private long now;
    private boolean read; // in this round

    LoopClock(LongSupplier source) {
        this.source = source;
    }

    /** The time (as {@link System#nanoTime()} counts it), read once per round of the loop. */
    @Override
    public long getAsLong() {
        if (!read) {
            now = source.getAsLong();
            read = true;
        }
        return now;
    }

    /** A round ends, or starts: the next time asked for is read anew. */
    void tick() {
        read = false;
    }

    /**
     * The time for the timeouts of the code running on {@code executor}: its loop's clock when it is
     * one of the loops made through {@link #around}, else its own ticker (so a test can move time
     * with the ticker of its executor, or an embedded channel's).
     */
    public static LongSupplier of(EventExecutor executor) {
        LoopClock clock = CLOCKS.get(executor);
        return clock != null ? clock : executor.ticker()::nanoTime;
    }

    /** Whether {@code loop} has a clock (for tests: a loop's goes when it stops). */
    static boolean registered(EventExecutor loop) {
        return CLOCKS.containsKey(loop);
    }

    /** {@code factory}'s I/O handlers, each with a clock for the loop it serves. */
    public static IoHandlerFactory around(IoHandlerFactory factory) {
        return new IoHandlerFactory() {
            @Override
            public IoHandler newHandler(ThreadAwareExecutor loop) {
                IoHandler handler = factory.newHandler(loop);
                if (!(loop instanceof EventExecutor executor)) {
                    return handler;
                }
                LoopClock clock = new LoopClock(System::nanoTime);
                CLOCKS.put(executor, clock);
                return new Ticking(handler, clock, executor);
            }

            @Override
            public boolean isChangingThreadSupported() {
                return factory.isChangingThreadSupported();
            }
        };
    }

    /** Netty's handler for one loop, with the loop's clock ticked around each pass through it. */
    private record Ticking(IoHandler handler, LoopClock clock, EventExecutor loop) implements IoHandler {
        @Override
        public void initialize() {
            handler.initialize();
        }

        @Override
        public int run(IoHandlerContext context) {
            clock.tick(); // the wait for I/O comes first: what was read before it is old
            try {
                return handler.run(context);
            } finally {
                clock.tick(); // the tasks that follow get a time of their own
            }
        }

        @Override
        public void prepareToDestroy() {
            handler.prepareToDestroy();
        }

        @Override
        public void destroy() {
            CLOCKS.remove(loop, clock);
            handler.destroy();
        }

        @Override
        public IoRegistration register(IoHandle handle) throws Exception {
            return handler.register(handle);
        }

        @Override
        public void wakeup() {
            handler.wakeup();
        }

        @Override
        public boolean isCompatible(Class<? extends IoHandle> handleType) {
            return handler.isCompatible(handleType);
        }
    }
}
