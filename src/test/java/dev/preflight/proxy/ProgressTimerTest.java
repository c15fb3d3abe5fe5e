package dev.preflight.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * P6: the upstream response timeout and the request body timeout, on an embedded event loop whose
 * clock the test moves. One timer per client connection, taken over by each exchange in turn.
 */
class ProgressTimerTest {
    private static final long TIMEOUT = TimeUnit.SECONDS.toNanos(30);
    private static final long BODY_TIMEOUT = TimeUnit.SECONDS.toNanos(10);

    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final ProgressTimer timer = new ProgressTimer(channel.eventLoop());
    private final AtomicInteger first = new AtomicInteger();
    private final AtomicInteger second = new AtomicInteger();
    private final AtomicInteger firstBody = new AtomicInteger();

    /** An exchange's side of the timer: counts what it was told. */
    private record Counted(AtomicInteger upstream, AtomicInteger body) implements ProgressTimer.Expiry {
        Counted(AtomicInteger upstream) {
            this(upstream, new AtomicInteger());
        }

        @Override
        public void upstreamTimedOut() {
            upstream.incrementAndGet();
        }

        @Override
        public void bodyTimedOut() {
            body.incrementAndGet();
        }
    }

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
        timer.start(TIMEOUT, new Counted(first, firstBody));
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
        timer.start(TIMEOUT, new Counted(first, firstBody));
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
        timer.start(TIMEOUT, new Counted(first, firstBody));
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
        timer.start(TIMEOUT, new Counted(first, firstBody));
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
        timer.start(TIMEOUT, new Counted(first, firstBody));
        timer.waitingForUpstream(true);
        advance(25);
        timer.stop();

        long shorter = TimeUnit.SECONDS.toNanos(10);
        timer.start(shorter, new Counted(second));
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
        timer.start(TimeUnit.SECONDS.toNanos(60), new Counted(first, firstBody));
        timer.waitingForUpstream(true);
        timer.stop();

        timer.start(TimeUnit.SECONDS.toNanos(5), new Counted(second));
        timer.waitingForUpstream(true);
        advance(5);
        assertThat(second).hasValue(1);
    }

    @Test
    @DisplayName("P6: cancel (the connection closed) leaves nothing scheduled")
    void cancelLeavesNothing() {
        timer.start(TIMEOUT, new Counted(first, firstBody));
        timer.waitingForUpstream(true);
        timer.cancel();

        assertThat(channel.runScheduledPendingTasks()).isEqualTo(-1);
        advance(60);
        assertThat(first).hasValue(0);
    }

    @Test
    @DisplayName(
            "P6: a client asked for the body's next part that sends nothing gets the body timeout, not the upstream's")
    void bodyTimeoutFiresForAStalledBody() {
        timer.start(TIMEOUT, new Counted(first, firstBody));
        timer.waitingForUpstream(true);
        advance(5);
        timer.awaitBody(BODY_TIMEOUT);

        advance(9);
        assertThat(firstBody).hasValue(0);
        advance(1);
        assertThat(firstBody).as("10 s after the ask").hasValue(1);
        advance(120);
        assertThat(firstBody).as("once").hasValue(1);
        assertThat(first).as("the upstream was waiting for the body too").hasValue(0);
    }

    @Test
    @DisplayName("P6: a body timeout longer than the upstream's: the client's wait does not count against the upstream")
    void clientsWaitDoesNotCountAgainstTheUpstream() {
        long shortUpstream = TimeUnit.SECONDS.toNanos(3);
        timer.start(shortUpstream, new Counted(first, firstBody));
        timer.waitingForUpstream(true);
        timer.awaitBody(BODY_TIMEOUT);

        advance(8);
        assertThat(first)
                .as("8 s waiting for the client, past the upstream's 3")
                .hasValue(0);
        assertThat(firstBody).hasValue(0);
        timer.bodyArrived();
        advance(2);
        assertThat(first).as("the upstream's time runs from the part's arrival").hasValue(0);
        advance(1);
        assertThat(first).hasValue(1);
        assertThat(firstBody).hasValue(0);
    }

    @Test
    @DisplayName("P6: parts that keep coming within the body timeout never fire it, however long the body takes")
    void partsWithinTheBodyTimeoutNeverFire() {
        timer.start(TIMEOUT, new Counted(first, firstBody));
        timer.waitingForUpstream(true);
        for (int part = 0; part < 20; part++) {
            timer.awaitBody(BODY_TIMEOUT);
            advance(9);
            timer.bodyArrived();
            timer.progress(); // the part was written upstream
        }

        assertThat(firstBody).as("180 s of body, 9 s between parts").hasValue(0);
        assertThat(first).hasValue(0);
    }

    @Test
    @DisplayName("P6: a body timeout longer than the upstream's does not delay the upstream's once the part came")
    void upstreamTimeoutNotDelayedByALongerBodyTimeout() {
        long shortUpstream = TimeUnit.SECONDS.toNanos(3);
        timer.start(shortUpstream, new Counted(first, firstBody));
        timer.waitingForUpstream(true);
        timer.awaitBody(TimeUnit.SECONDS.toNanos(60)); // its task is now set 60 s out
        timer.bodyArrived();

        advance(3);
        assertThat(first).as("3 s after the part came, not 60").hasValue(1);
    }

    @Test
    @DisplayName("P6: an exchange that ended while waiting for the body never fires")
    void endedWhileWaitingForTheBodyNeverFires() {
        timer.start(TIMEOUT, new Counted(first, firstBody));
        timer.waitingForUpstream(true);
        timer.awaitBody(BODY_TIMEOUT);
        timer.stop();

        advance(60);
        assertThat(firstBody).hasValue(0);
        assertThat(first).hasValue(0);
    }
}
