package dev.preflight.cli;

import dev.preflight.admin.AdminContext;
import dev.preflight.admin.AdminServer;
import dev.preflight.admin.Health;
import dev.preflight.config.ConfigLoader;
import dev.preflight.config.ConfigLocation;
import dev.preflight.config.ConfigSources;
import dev.preflight.config.ConfigWatcher;
import dev.preflight.config.InvalidConfigException;
import dev.preflight.config.Settings;
import dev.preflight.proxy.EventLoops;
import dev.preflight.proxy.ProxyMetrics;
import dev.preflight.proxy.ProxyServer;
import dev.preflight.proxy.Transports;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.netty4.NettyAllocatorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.NetUtil;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.PrintStream;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * {@code preflight run}: loads the configuration (refusing to start on any problem: all printed,
 * exit 1), then serves: the proxy, the admin port, metrics, the access log, reload on file change
 * and {@code SIGHUP}, and a graceful drain on {@code SIGTERM} or {@code SIGINT} (O4, O5).
 */
public final class RunCommand {
    private static final Duration RELOAD_DEBOUNCE = Duration.ofMillis(200);

    private final Map<String, String> env;
    private final PrintStream err;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final AtomicBoolean draining = new AtomicBoolean();
    // Set as they start; a stop signal may come before any of them (see stop()).
    private volatile Running running;
    private volatile AdminServer admin;
    private volatile ConfigWatcher watcher;

    /** The proxy once its port is bound: what a drain needs. */
    private record Running(ProxyServer server, Health health, Reloader reloader) {}

    public RunCommand(Map<String, String> env, PrintStream err) {
        this.env = env;
        this.err = err;
    }

    public int run(Arguments args) throws InterruptedException {
        // Taken over first: a stop signal at any point of the start drains once the port is bound
        // (O5), where the JVM's default would end the process with 143 mid-request.
        Signal.handle(new Signal("TERM"), s -> stop());
        Signal.handle(new Signal("INT"), s -> stop());
        CompletableFuture<Void> logging = new CompletableFuture<>();
        CompletableFuture<Early> early = CompletableFuture.supplyAsync(
                () -> Early.start(logging),
                task -> Thread.ofPlatform().name("preflight-start").daemon().start(task));
        CompletableFuture<Void> prepared = CompletableFuture.runAsync(
                () -> prepare(logging, early),
                task -> Thread.ofPlatform().name("preflight-prepare").daemon().start(task));
        Path file = ConfigLocation.resolve(args.config(), env);
        Settings settings;
        ConfigSources read = new ConfigSources(); // what the file includes, its ca-files: watched too
        try {
            settings = ConfigLoader.load(file, env, read);
        } catch (InvalidConfigException e) {
            early.join().loops().shutdown();
            if (e.problems().size() == 1 && e.problems().getFirst().path().isEmpty()) {
                err.println("preflight: " + e.problems().getFirst().render()); // e.g. the file cannot be read
            } else {
                err.println("preflight: invalid configuration, not starting:");
                e.problems().forEach(p -> err.println("  " + p.render()));
            }
            return 1;
        }
        Early started = early.join();
        LogSetup.AccessLines accessLines = LogSetup.apply(settings.accessLog());
        settings.warnings().forEach(w -> log().warn("{}", w.render()));

        PrometheusMeterRegistry registry = started.registry();
        ProxyMetrics metrics = new ProxyMetrics(registry);
        metrics.accessLogDropped(accessLines.dropped());
        Health health = new Health();

        if (settings.admin().enabled()) {
            try {
                // Before the proxy's port is bound: an unknown admin host stopped the start only after
                // the proxy had been listening (found by probing).
                Transports.listenAddress(settings.admin().host());
            } catch (UnknownHostException e) {
                err.println("preflight: cannot listen on "
                        + NetUtil.toSocketAddressString(
                                settings.admin().host(), settings.admin().port())
                        + " (admin): " + e.getMessage());
                return 1;
            }
        }
        ProxyServer server;
        try {
            server = ProxyServer.start(settings, metrics, started.loops(), accessLines.text());
        } catch (java.io.UncheckedIOException e) {
            err.println("preflight: " + e.getMessage());
            return 1;
        }
        Reloader reloader = new Reloader(file, env, server, metrics, settings, read);
        running = new Running(server, health, reloader);
        if (stopping.get()) {
            drainOnce(); // a signal came while starting
        }
        health.markReady(); // the listener is bound: ready before the admin port can be asked
        prepared.join(); // the JVM's metrics are bound before the admin port serves /metrics
        try {
            admin = settings.admin().enabled()
                    ? AdminServer.start(settings.admin(), new AdminContext(registry, health, reloader::current))
                    : null;
        } catch (java.io.UncheckedIOException e) {
            // Not a proxy without its health checks and metrics: a container would never be ready.
            err.println("preflight: " + e.getMessage());
            server.close();
            return 1;
        }
        ConfigWatcher watcher = reloader.watch(RELOAD_DEBOUNCE);
        this.watcher = watcher;
        if (Signal.handle(new Signal("HUP"), s -> reloader.reload("SIGHUP")) == SignalHandler.SIG_IGN) {
            // A signal ignored when the JVM started (nohup, some supervisors) stays ignored: the JVM
            // does not take it over, and SIGHUP would reload nothing without a word (O4).
            log().warn(
                            "SIGHUP is ignored by this process, as its parent left it (nohup?): it will not reload"
                                    + " the config; {}",
                            watcher != null
                                    ? "changes to the file are still picked up"
                                    : "start without nohup, or set preflight.reload.watch = true");
        }
        AdminServer adminServer = admin;
        if (adminServer != null) {
            log().info("admin on {}", adminServer.address());
        }
        stopped.await();
        return 0;
    }

    /**
     * First signal: not ready, stop accepting, let requests in flight finish within the drain
     * timeout, exit 0 (once the port is bound: before, the start drains as soon as it is). A second
     * signal exits at once.
     */
    private void stop() {
        if (!stopping.compareAndSet(false, true)) {
            log().warn("second stop signal: exiting now");
            Runtime.getRuntime().halt(1);
        }
        drainOnce();
    }

    /** Starts the drain, once, when both a stop was asked for and the proxy runs (either may come last). */
    private void drainOnce() {
        Running r = running;
        if (r != null && draining.compareAndSet(false, true)) {
            drain(r.server(), r.health(), r.reloader());
        }
    }

    private void drain(ProxyServer server, Health health, Reloader reloader) {
        Thread.ofPlatform().name("preflight-drain").start(() -> {
            Duration timeout = reloader.current().shutdown().drainTimeout();
            log().info("draining for up to {}", timeout);
            health.markDraining();
            try {
                int cut = server.drain(timeout);
                if (cut > 0) {
                    log().warn(
                                    "drain timeout: closed {} still busy (a request in flight, or a WebSocket tunnel)",
                                    cut == 1 ? "1 connection" : cut + " connections");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                server.close();
                AdminServer admin = this.admin;
                if (admin != null) {
                    admin.close();
                }
                ConfigWatcher watcher = this.watcher;
                if (watcher != null) {
                    try {
                        watcher.close();
                    } catch (IOException ignored) {
                        // exiting anyway
                    }
                }
                log().info("stopped");
                stopped.countDown();
            }
        });
    }

    /**
     * What a start needs and the configuration does not: Logback's configuration, Netty's event loops
     * (its platform probes, a selector per loop) and the metrics registry. A second thread makes them
     * while the main one reads and checks the file, about 0.15 s of library initialisation on each
     * side (issue 7). Nothing here logs or reads the file.
     */
    private record Early(EventLoops loops, PrometheusMeterRegistry registry) {
        static Early start(CompletableFuture<Void> logging) {
            try {
                LoggerFactory.getILoggerFactory();
            } finally {
                logging.complete(null);
            }
            EventLoops loops = EventLoops.start();
            // The accepting loop, mostly idle, keeps the registry's wall time.
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(
                    PrometheusConfig.DEFAULT, new PrometheusRegistry(), new CoarseClock(loops.boss()));
            // Filters before any meter: one added later is not applied to the meters before it, and
            // Micrometer warns about it on every start (the proxy's meters come from the main thread).
            registry.config().meterFilter(MeterFilter.deny(Early::heapSeriesWithoutHeapArenas));
            return new Early(loops, registry);
        }

        /**
         * Netty's allocator series for heap memory when it has no heap arenas (Main's default): Netty
         * reports them as -1, which a dashboard reads as a value (found by probing). The allocator is
         * looked at only for its own meters, which are bound once it exists.
         */
        private static boolean heapSeriesWithoutHeapArenas(Meter.Id id) {
            return id.getName().startsWith("netty.allocator")
                    && "heap".equals(id.getTag("memory.type"))
                    && ByteBufAllocator.DEFAULT instanceof PooledByteBufAllocator pooled
                    && pooled.metric().numHeapArenas() == 0;
        }
    }

    /**
     * What neither the configuration nor {@link Early} needs, on a third thread: the libraries'
     * first-use work (whoever needs one of those first waits for its class initialisation to end),
     * then, once the registry exists, the JVM's metrics, whose binders take some 20 ms (JMX). On two
     * or more cores all of it runs beside the main thread's reading of the file and bind (issue 7).
     */
    private static void prepare(CompletableFuture<Void> logging, CompletableFuture<Early> early) {
        ConfigLoader.prepare();
        // Netty logs through SLF4J: a logger asked for while Logback starts would be a stand-in whose
        // early calls SLF4J replays later, with a warning on stderr.
        logging.join();
        ProxyServer.prepare();
        bindProcessMetrics(early.join().registry());
    }

    /** Not a constant: the first logger initialises Logback, which {@link Early} does meanwhile. */
    private static Logger log() {
        return LoggerFactory.getLogger(RunCommand.class);
    }

    private static void bindProcessMetrics(PrometheusMeterRegistry registry) {
        new JvmMemoryMetrics().bindTo(registry);
        new GcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        // The allocator the channels really use (pooled, as Main chooses, unless -Dio.netty.allocator.type).
        if (ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider allocator) {
            new NettyAllocatorMetrics(allocator).bindTo(registry); // less its heap series: see Early
        }
    }
}
