package dev.preflight.proxy;

import io.netty.handler.codec.TooLongFrameException;
import io.netty.util.internal.PlatformDependent;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The memory that request heads take while they are decoded, or decoded and waiting their turn, of
 * all client connections together: one budget for the heap (a quarter of the maximum heap), one for
 * the direct memory the decoders hold of unfinished lines ({@link DecoderBacklogHandler}). Each
 * connection's head fields are charged to the heap's as the decoder makes them (about twice their
 * bytes, plus an entry's overhead) and given back when the head is taken, or its connection closes.
 * Beyond the budget, a head is refused (503) and its connection closed. {@code limits.max-connections} times {@code max-header-size} is far more
 * than the image's 64 MiB heap: 2,000 slowloris connections sending 98 lines of 150 bytes each ran it
 * out and stopped the process (found by probing); now they get 503s and the proxy stays up. A
 * connection takes from the budget in steps of {@link #STEP}, so a usual head touches the shared
 * counter once when it arrives and once when it is taken.
 */
final class HeadBudget {
    /** A connection's share is taken and given back in steps of this many bytes. */
    static final long STEP = 2048;

    private final AtomicLong held = new AtomicLong();
    private final long capacity;

    HeadBudget(long capacity) {
        this.capacity = capacity;
    }

    /** A quarter of the heap the JVM may grow to. */
    static HeadBudget ofHeap() {
        return new HeadBudget(Runtime.getRuntime().maxMemory() / 4);
    }

    /**
     * An eighth of the direct memory Netty may take (the JVM's {@code -XX:MaxDirectMemorySize}, by
     * default the maximum heap), for what the decoders hold of unfinished lines ({@link
     * DecoderBacklogHandler}). Not a quarter: Netty's pool takes direct memory in 1 MiB chunks that
     * buffers of many sizes leave partly free, and with a quarter held by unfinished heads the jar
     * with 8 MiB of direct memory still ran out in one run of three ({@code DirectMemoryIT}).
     */
    static HeadBudget ofDirectMemory() {
        return new HeadBudget(PlatformDependent.maxDirectMemory() / 8);
    }

    boolean take(long bytes) {
        if (held.addAndGet(bytes) > capacity) {
            held.addAndGet(-bytes);
            return false;
        }
        return true;
    }

    void give(long bytes) {
        held.addAndGet(-bytes);
    }

    long held() {
        return held.get();
    }

    /**
     * One client connection's account: what its heads' fields cost, against what it took from the
     * budget. Confined to the connection's event loop.
     */
    final class Account {
        private long taken;
        private long used;
        private int heads; // heads begun and not yet taken

        /** Charges a field; throws {@link Exhausted} when the budget has no room for it. */
        void charge(long cost) {
            if (!tryCharge(cost)) {
                throw new Exhausted();
            }
        }

        /**
         * The connection now holds {@code bytes}, in place of what it held; false, holding what it
         * held, when the budget has no room for more.
         */
        boolean hold(long bytes) {
            if (bytes > used) {
                return tryCharge(bytes - used);
            }
            if (bytes < used) {
                credit(used - bytes);
            }
            return true;
        }

        private boolean tryCharge(long cost) {
            used += cost;
            while (used > taken) {
                if (!take(STEP)) {
                    used -= cost;
                    return false;
                }
                taken += STEP;
            }
            return true;
        }

        /** A head's fields were taken (or dropped): their cost leaves the account. */
        void credit(long cost) {
            used -= cost;
            while (taken - used >= STEP && taken > 0) {
                give(STEP);
                taken -= STEP;
            }
        }

        /** The decoder began a head (its request line is in): counted until the head is taken. */
        void headBegun() {
            heads++;
        }

        void headTaken() {
            heads--;
        }

        /** A head was begun and not taken: whole and waiting its turn, or still being decoded. */
        boolean headsPending() {
            return heads > 0;
        }

        /** The connection closed: everything it took goes back. */
        void close() {
            give(taken);
            taken = 0;
            used = 0;
        }
    }

    /** No room for another head's fields: 503, and the connection closes. */
    static final class Exhausted extends TooLongFrameException {
        private static final long serialVersionUID = 1L;

        Exhausted() {
            super("the proxy holds as many request heads as its memory allows");
        }
    }
}
