package dev.preflight.testing;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits on a condition by polling, with a generous deadline; tests never sleep for a fixed time. */
public final class Await {

    /** Long enough for two busy cores; a passing test never gets near it. */
    public static final Duration PATIENCE = Duration.ofSeconds(20);

    private Await() {}

    public static void until(String what, BooleanSupplier condition) {
        until(what, PATIENCE, condition);
    }

    public static void until(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("Timed out after " + timeout.toSeconds() + " s waiting until " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    /** Polls {@code value} until it returns non-null, and returns that. */
    public static <T> T value(String what, Supplier<T> value) {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        for (T v = value.get(); ; v = value.get()) {
            if (v != null) {
                return v;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("Timed out after " + PATIENCE.toSeconds() + " s waiting for " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }
}
