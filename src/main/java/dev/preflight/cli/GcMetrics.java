package dev.preflight.cli;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * The collector's metrics under Micrometer's {@code JvmGcMetrics} names, read from the management
 * beans when scraped rather than from a notification per collection. Those notifications cost the
 * proxy about 2 % of its CPU under load (issue 7: a young collection every 80 ms, each building its
 * {@code GcInfo} as open-type JMX data on the notification thread, and the JIT compiling that code
 * for minutes). What reading them later cannot give: the {@code action} and {@code cause} labels and
 * the maximum pause, and {@code jvm_gc_memory_promoted_bytes}.
 */
public final class GcMetrics implements MeterBinder {
    private static final double UNKNOWN = Double.NaN;

    @Override
    public void bindTo(MeterRegistry registry) {
        for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
            // ZGC's and Shenandoah's "... Cycles" beans count concurrent cycles, not pauses; their
            // pauses have beans of their own ("... Pauses").
            boolean concurrent = collector.getName().endsWith(" Cycles");
            FunctionTimer.builder(
                            concurrent ? "jvm.gc.concurrent.phase.time" : "jvm.gc.pause",
                            collector,
                            GarbageCollectorMXBean::getCollectionCount,
                            GarbageCollectorMXBean::getCollectionTime,
                            TimeUnit.MILLISECONDS)
                    .description(concurrent ? "Time spent in concurrent collection cycles" : "Time spent in GC pauses")
                    .tag("gc", collector.getName())
                    .register(registry);
        }
        if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean threads
                && threads.isThreadAllocatedMemorySupported()) {
            FunctionCounter.builder("jvm.gc.memory.allocated", threads, GcMetrics::allocatedBytes)
                    .description("Heap memory allocated by every thread since the JVM started")
                    .baseUnit("bytes")
                    .register(registry);
        }
        List<MemoryPoolMXBean> oldPools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(pool -> pool.getType() == MemoryType.HEAP && isLongLived(pool.getName()))
                .toList();
        if (!oldPools.isEmpty()) {
            // Function meters hold their object weakly: the beans are the JDK's own, kept for the
            // JVM's life, but this list is ours and would be collected.
            Gauge.builder(
                            "jvm.gc.live.data.size",
                            oldPools,
                            pools -> sum(pools, MemoryPoolMXBean::getCollectionUsage, MemoryUsage::getUsed))
                    .description("Size of the long-lived heap memory pool after its last collection")
                    .baseUnit("bytes")
                    .strongReference(true)
                    .register(registry);
            Gauge.builder(
                            "jvm.gc.max.data.size",
                            oldPools,
                            pools -> sum(pools, MemoryPoolMXBean::getUsage, MemoryUsage::getMax))
                    .description("Max size of the long-lived heap memory pool")
                    .baseUnit("bytes")
                    .strongReference(true)
                    .register(registry);
        }
    }

    /** The pools objects are promoted to, by the names the JDK's collectors give them. */
    static boolean isLongLived(String pool) {
        return pool.endsWith("Old Gen")
                || pool.endsWith("Tenured Gen")
                || pool.equals("Shenandoah")
                || pool.equals("Shenandoah Old Generation")
                || pool.equals("ZHeap")
                || pool.equals("ZGC Old Generation");
    }

    private static double allocatedBytes(com.sun.management.ThreadMXBean threads) {
        long bytes = threads.getTotalThreadAllocatedBytes();
        return bytes < 0 ? UNKNOWN : bytes; // -1 while measurement is switched off
    }

    /** The pools' total of one figure of one usage; unknown when any pool has none. */
    private static double sum(
            List<MemoryPoolMXBean> pools,
            Function<MemoryPoolMXBean, MemoryUsage> usage,
            ToLongFunction<MemoryUsage> figure) {
        double total = 0;
        for (MemoryPoolMXBean pool : pools) {
            MemoryUsage of = usage.apply(pool);
            long value = of == null ? -1 : figure.applyAsLong(of);
            if (value < 0) {
                return UNKNOWN;
            }
            total += value;
        }
        return total;
    }
}
