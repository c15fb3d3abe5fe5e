package dev.preflight.testing;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Turns Netty's leak reports into test failures: registered for every test class through {@code
 * META-INF/services} (extension autodetection is on in the pom), it records every leak Netty's
 * detector finds (the build runs it at {@code paranoid}) and fails the test class after its last test
 * when any was recorded.
 *
 * <p>Netty only notices a leak once the garbage collector has enqueued the lost buffer and someone
 * allocates again, so after each class it collects garbage and allocates a few buffers until
 * nothing more turns up. A leak found late is blamed on the class running then; its records still
 * say where the buffer was created and last touched.
 *
 * <p>Recording works through our own {@link ResourceLeakDetectorFactory}, installed when this class
 * loads, which is before any test touches a buffer. Should the buffer detector exist already (some
 * other code initialised Netty first), a {@link ResourceLeakDetector.LeakListener} is attached to it
 * instead.
 */
public final class LeakFailingExtension implements AfterAllCallback {

    private static final ConcurrentLinkedQueue<String> LEAKS = new ConcurrentLinkedQueue<>();

    static {
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new RecordingFactory());
        attachListenerIfForeign();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        List<String> leaks = collectLeaks();
        if (!leaks.isEmpty()) {
            clear();
            throw new AssertionError(leaks.size() + " Netty resource leak(s) detected while running "
                    + context.getDisplayName() + ":\n\n" + String.join("\n\n", leaks));
        }
    }

    /**
     * Makes Netty report what has leaked so far: collects garbage and allocates buffers (which is
     * when the detector looks at its queue) a few times, then returns every leak recorded since the
     * last time a class failed for them.
     */
    public static List<String> collectLeaks() {
        for (int round = 0; round < 5; round++) {
            System.gc();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            touchDetectors();
        }
        return recordedLeaks();
    }

    /** The leaks recorded and not yet reported or forgotten, without provoking new reports. */
    public static List<String> recordedLeaks() {
        return new ArrayList<>(LEAKS);
    }

    /** Forgets the recorded leaks that match; for tests that leak on purpose. */
    public static void forget(Predicate<String> leak) {
        LEAKS.removeIf(leak);
    }

    private static void clear() {
        LEAKS.clear();
    }

    private static void touchDetectors() {
        for (ByteBufAllocator allocator :
                List.of(ByteBufAllocator.DEFAULT, PooledByteBufAllocator.DEFAULT, UnpooledByteBufAllocator.DEFAULT)) {
            allocator.heapBuffer(16).release();
            allocator.directBuffer(16).release();
        }
    }

    private static void record(String resourceType, String records) {
        LEAKS.add("LEAK of " + resourceType + (records.isEmpty() ? " (no access records)" : ":" + records));
    }

    private static void attachListenerIfForeign() {
        try {
            Class<?> abstractByteBuf = Class.forName("io.netty.buffer.AbstractByteBuf");
            Field field = abstractByteBuf.getDeclaredField("leakDetector");
            field.setAccessible(true);
            Object detector = field.get(null);
            if (detector instanceof ResourceLeakDetector<?> foreign && !(detector instanceof RecordingDetector<?>)) {
                foreign.setLeakListener(LeakFailingExtension::record);
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final class RecordingFactory extends ResourceLeakDetectorFactory {
        @Override
        @SuppressWarnings("deprecation") // deprecated but abstract: every factory must implement it
        public <T> ResourceLeakDetector<T> newResourceLeakDetector(
                Class<T> resource, int samplingInterval, long maxActive) {
            return new RecordingDetector<>(resource, samplingInterval);
        }

        @Override
        public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval) {
            return new RecordingDetector<>(resource, samplingInterval);
        }
    }

    /**
     * Netty's detector, reporting even when the error log is off, into the recorder instead of the log:
     * the failure message carries the records.
     */
    private static final class RecordingDetector<T> extends ResourceLeakDetector<T> {
        RecordingDetector(Class<T> resource, int samplingInterval) {
            super(resource, samplingInterval);
        }

        @Override
        protected boolean needReport() {
            return true;
        }

        @Override
        protected void reportTracedLeak(String resourceType, String records) {
            record(resourceType, records);
        }

        @Override
        protected void reportUntracedLeak(String resourceType) {
            record(resourceType, "");
        }
    }
}
