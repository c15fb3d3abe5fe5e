package dev.preflight.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The timeouts' clock (issue 7): read at most once per round of an event loop, and an executor's own
 * ticker where the loop has none (tests that move time).
 */
class LoopClockTest {

    @Test
    @DisplayName("issue 7: the first time asked for in a round is read, the rest of the round reuses it")
    void readOncePerRound() {
        AtomicLong reads = new AtomicLong();
        LoopClock clock = new LoopClock(() -> 1000 * reads.incrementAndGet());

        assertThat(clock.getAsLong()).isEqualTo(1000);
        assertThat(clock.getAsLong()).isEqualTo(1000);
        assertThat(reads).as("one read in the round").hasValue(1);

        clock.tick();
        assertThat(reads).as("a tick reads nothing").hasValue(1);
        assertThat(clock.getAsLong()).isEqualTo(2000);
        assertThat(clock.getAsLong()).isEqualTo(2000);
        clock.tick();
        clock.tick();
        assertThat(clock.getAsLong()).isEqualTo(3000);
        assertThat(reads).hasValue(3);
    }

    @Test
    @DisplayName("issue 7: on a loop of the proxy's groups, one task sees one time; the next task a later one")
    void theLoopsClock() throws Exception {
        MultiThreadIoEventLoopGroup group = Transports.best().newGroup(1, "loop-clock-test");
        try {
            EventLoop loop = group.next();
            LongSupplier clock = LoopClock.of(loop);
            long[] first = loop.submit(() -> {
                        long a = clock.getAsLong();
                        long spinUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2);
                        while (System.nanoTime() < spinUntil) {
                            Thread.onSpinWait();
                        }
                        return new long[] {a, clock.getAsLong()};
                    })
                    .get(10, TimeUnit.SECONDS);
            assertThat(first[1]).as("the same round: the time read first").isEqualTo(first[0]);

            // A task submitted at once may still run in the same round of tasks; the loop passes
            // through a wait for I/O (a new round) as soon as its queue is empty.
            long later = first[0];
            for (int i = 0; i < 1000 && later == first[0]; i++) {
                later = loop.submit(clock::getAsLong).get(10, TimeUnit.SECONDS);
            }
            assertThat(later - first[0])
                    .as("another round reads the clock again")
                    .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(2));
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    @Test
    @DisplayName("issue 7: a loop the proxy did not make (an embedded channel's) keeps its own ticker")
    void anotherExecutorsTicker() {
        EmbeddedChannel channel = new EmbeddedChannel();
        try {
            LongSupplier clock = LoopClock.of(channel.eventLoop());
            long before = clock.getAsLong();
            channel.advanceTimeBy(5, TimeUnit.SECONDS);
            // The embedded loop's ticker runs with real time too, plus what the test adds.
            assertThat(clock.getAsLong() - before).isBetween(TimeUnit.SECONDS.toNanos(5), TimeUnit.SECONDS.toNanos(6));
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    @Test
    @DisplayName("issue 7: a loop's clock goes with the loop")
    void forgottenWithTheLoop() throws Exception {
        MultiThreadIoEventLoopGroup group = Transports.best().newGroup(1, "loop-clock-gone");
        EventLoop loop = group.next();
        assertThat(LoopClock.registered(loop)).isTrue();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        assertThat(LoopClock.registered(loop)).isFalse();
    }
}
