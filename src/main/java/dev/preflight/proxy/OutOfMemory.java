package dev.preflight.proxy;

import java.util.function.IntConsumer;

/**
 * An {@link OutOfMemoryError} that reaches a handler stops the process, as the image's {@code
 * -XX:+ExitOnOutOfMemoryError} stops it for the heap: direct memory running out is thrown by Java code
 * (the JDK's or Netty's reservation of a buffer), which that flag does not see, and left the proxy
 * alive, answering nobody (every read failed to get a buffer) and reporting itself ready, where a
 * restart would have served again (found by probing: 512 stalled tunnels and 1,200 unfinished header
 * lines filled 64 MiB). Exit status 3, the JVM's own for that flag.
 */
public final class OutOfMemory {
    static final int STATUS = 3;

    /** How the process stops; a test replaces it. */
    static volatile IntConsumer halt = status -> Runtime.getRuntime().halt(status);

    private OutOfMemory() {}

    /** Stops the process when {@code cause} is, or was caused by, an {@link OutOfMemoryError}. */
    public static void haltIfOutOfMemory(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof OutOfMemoryError error) {
                // Straight to stderr: a logger might need the memory that ran out, or wait on a stdout
                // nobody reads.
                System.err.println("Terminating due to " + error);
                System.err.flush();
                halt.accept(STATUS);
                return;
            }
        }
    }
}
