package dev.preflight.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * P6: the upstream response timeout, on an embedded event loop whose clock the test moves. One timer
 * per client connection, taken over by each exchange in turn.
 */
class ProgressTimerTest {
    private static final long TIMEOUT = TimeUnit.SECONDS.toNanos(30);

    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final ProgressTimer timer = new ProgressTimer(channel.eventLoop());
    private final AtomicInteger first = new AtomicInteger();
    private final AtomicInteger second = new AtomicInteger();

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    private void advance(long seconds) {
        channel.advanceTimeBy(seconds, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
    }

    @Test
    @DisplayName("P6: an upstream that sends nothing for the whole timeout times the exchange out, once")
    void firesAfterTheTimeout() {
        timer.start(TIMEOUT, first::incrementAndGet);
        timer.waitingForUpstream(true);

        advance(29);
        assertThat(first).hasValue(0);
        advance(1);
        assertThat(first).hasValue(1);
        advance(120);
        assertThat(first).as("no second firing").hasValue(1);
    }

    @Test
    @DisplayName("P6: progress from the upstream pushes the timeout forward")
    void progressPushesItForward() {
        timer.start(TIMEOUT, first::incrementAndGet);
        timer.waitingForUpstream(true);

        advance(20);
        timer.progress();
        advance(20);
        assertThat(first).as("20 s since the last progress").hasValue(0);
        advance(10);
        assertThat(first).hasValue(1);
    }

    @Test
    @DisplayName("P6: time spent waiting on a slow client does not count against the upstream")
    void waitingOnTheClientDoesNotCount() {
        timer.start(TIMEOUT, first::incrementAndGet);
        timer.waitingForUpstream(true);
        advance(10);
        timer.waitingForUpstream(false); // a response part came; the client is slow to take it
        timer.progress();

        advance(100);
        assertThat(first).hasValue(0);
        timer.waitingForUpstream(true); // the client took it: the upstream's turn again
        advance(29);
        assertThat(first).as("the upstream has had 29 s, not 129").hasValue(0);
        advance(1);
        assertThat(first).hasValue(1);
    }

    @Test
    @DisplayName("P6: an exchange that ended never fires, and its task ends instead of recurring")
    void stoppedExchangeNeverFires() {
        timer.start(TIMEOUT, first::incrementAndGet);
        timer.waitingForUpstream(true);
        timer.stop();

        advance(30);
        assertThat(first).hasValue(0);
        assertThat(channel.runScheduledPendingTasks())
                .as("nothing scheduled any more")
                .isEqualTo(-1);
    }

    @Test
    @DisplayName("P6: the next exchange on the connection takes the timer over with its own timeout")
    void nextExchangeTakesOver() {
        timer.start(TIMEOUT, first::incrementAndGet);
        timer.waitingForUpstream(true);
        advance(25);
        timer.stop();

        long shorter = TimeUnit.SECONDS.toNanos(10);
        timer.start(shorter, second::incrementAndGet);
        timer.waitingForUpstream(true);
        advance(5); // the first exchange's task runs here and carries on for the second
        assertThat(second).hasValue(0);
        advance(5);
        assertThat(second).as("10 s after the second exchange began to wait").hasValue(1);
        assertThat(first).hasValue(0);
    }

    @Test
    @DisplayName("P6: a task left by a route with a longer timeout does not delay a shorter one")
    void shorterTimeoutIsNotDelayed() {
        timer.start(TimeUnit.SECONDS.toNanos(60), first::incrementAndGet);
        timer.waitingForUpstream(true);
        timer.stop();

        timer.start(TimeUnit.SECONDS.toNanos(5), second::incrementAndGet);
        timer.waitingForUpstream(true);
        advance(5);
        assertThat(second).hasValue(1);
    }

    @Test
    @DisplayName("P6: cancel (the connection closed) leaves nothing scheduled")
    void cancelLeavesNothing() {
        timer.start(TIMEOUT, first::incrementAndGet);
        timer.waitingForUpstream(true);
        timer.cancel();

        assertThat(channel.runScheduledPendingTasks()).isEqualTo(-1);
        advance(60);
        assertThat(first).hasValue(0);
    }
}
