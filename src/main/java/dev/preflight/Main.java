package dev.preflight;

import dev.preflight.cli.Arguments;
import dev.preflight.cli.CheckCommand;
import dev.preflight.cli.ExplainCommand;
import dev.preflight.cli.HealthcheckCommand;
import dev.preflight.cli.RunCommand;
import dev.preflight.cli.demo.DemoCommand;
import java.io.PrintStream;
import java.util.SimpleTimeZone;
import java.util.TimeZone;

/** Composition root: parse the command line, then hand over to the command. */
public final class Main {
    private static final String USAGE = """
            Usage: preflight [run] [--config FILE]
                   preflight check [--config FILE]
                   preflight explain --origin O --method M [--header H]... [--path P] [--host H]
                                     [--preflight] [--private-network] [--websocket]
                                     [--forwarded-proto P]
                                     [--sec-fetch-site S] [--sec-fetch-mode M]
                                     [--sec-fetch-dest D] [--config FILE]
                   preflight demo [--port PROXY_PORT] | demo --only api [--port N]
                                  | demo --only page [--port N] [--api URL]
                   preflight healthcheck [--config FILE]
                   preflight --help | --version

            A CORS reverse proxy. The config file is --config FILE, else $PREFLIGHT_CONFIG,
            else conf/application.conf. Environment overrides: PREFLIGHT_UPSTREAM_URL,
            PREFLIGHT_PORT, PREFLIGHT_ADMIN_PORT, PREFLIGHT_ADMIN_HOST, PREFLIGHT_ALLOWED_ORIGINS,
            PREFLIGHT_LOG_FORMAT. Exit codes: 0 done, 1 an invalid config or a failed start, 2 a
            command line not understood (and explain's refusals).

            Commands:
              run        serve (the default)
              check      validate the config: print every error and warning; exit 1 when invalid
              explain    print the route, CORS decision, reason and response headers for a request
                         (--preflight: as the browser's OPTIONS asking for --method and --header;
                         --private-network: asking for a private network, with --preflight;
                         --websocket: a WebSocket handshake, of a GET; --forwarded-proto: the
                         X-Forwarded-Proto it carries, read with forwarded.trust-incoming; without
                         --origin: a request without Origin); exit 2 when it would be refused
              demo       a CORS-unaware sample API, the proxy and a page on another origin, to
                         watch CORS work in a browser (--only api|page: one part, for compose)
              healthcheck  ask the admin port's /health/ready; exit 0 when ready, 1 when not
            """;

    static final String LEAK_DETECTION_LEVEL = "io.netty.leakDetection.level";
    static final String USER_TIMEZONE = "user.timezone";
    static final String ALLOCATOR_TYPE = "io.netty.allocator.type";
    static final String ALLOCATOR_MAX_ORDER = "io.netty.allocator.maxOrder";
    static final String ALLOCATOR_HEAP_ARENAS = "io.netty.allocator.numHeapArenas";

    private Main() {}

    public static void main(String[] args) throws Exception {
        quietLeakDetector();
        pooledBuffersUnlessTold();
        utcUnlessTold();
        int status;
        try {
            status = run(args, System.out, System.err);
        } catch (Exception | Error e) {
            // Whatever went wrong, the process ends with it: a thread a command started (a demo's
            // server, an event loop) would otherwise keep the JVM up after the failure.
            e.printStackTrace();
            status = 1;
        }
        // Flush the asynchronous access log, then leave even if a library left a thread running.
        ((ch.qos.logback.classic.LoggerContext) org.slf4j.LoggerFactory.getILoggerFactory()).stop();
        System.exit(status);
    }

    /**
     * Netty's leak detector is off in the shipped process unless asked for with
     * {@code -Dio.netty.leakDetection.level}: at its default level it records a stack trace for one
     * buffer in 128, about 1 µs of CPU per request, 2-4 % of a preflight's (issue 7, async-profiler
     * under load). The tests run it at {@code paranoid} and fail on any leak; this only stops paying
     * for it where nobody reads the report. Set as the property Netty reads when the detector's class
     * loads, not through {@code ResourceLeakDetector.setLevel}: loading that class here would make
     * Netty's logger, and with it all of Logback, on the main thread before anything else, where
     * {@code RunCommand} starts Logback on a second thread while the main one reads the file (about
     * 60 ms of every start, issue 7).
     */
    static void quietLeakDetector() {
        if (System.getProperty(LEAK_DETECTION_LEVEL) == null
                && System.getProperty("io.netty.leakDetectionLevel") == null) {
            System.setProperty(LEAK_DETECTION_LEVEL, "disabled");
        }
    }

    /**
     * Netty's pooled buffer allocator rather than its adaptive one (4.2's default) unless
     * {@code -Dio.netty.allocator.type} names one: side by side under the same load, 0.86 µs less CPU
     * per forwarded GET and 0.33 µs per preflight (medians of ten rounds), more requests a second in
     * nearly every round (issue 7). Its chunks are 1 MiB (order 7 of 8 KiB pages) instead of 4, and it
     * pools no heap buffers (the proxy's are direct), which keeps its resident memory at the adaptive
     * one's; each is set only when not given. Read when Netty's buffer classes load, so set before
     * anything here touches Netty.
     */
    static void pooledBuffersUnlessTold() {
        if (System.getProperty(ALLOCATOR_TYPE) == null) {
            System.setProperty(ALLOCATOR_TYPE, "pooled");
            System.getProperties().putIfAbsent(ALLOCATOR_MAX_ORDER, "7");
            System.getProperties().putIfAbsent(ALLOCATOR_HEAP_ARENAS, "0");
        }
    }

    /**
     * preflight writes every time in UTC (its logs, {@code /config}), and the JVM's default zone is UTC
     * too unless {@code -Duser.timezone} names another: Logback looks up the default zone as it starts
     * (for its own status messages), and finding the system's reads the JDK's time-zone database
     * twice, about 40 ms of every start, which everything that logs waits for (issue 7). A zone made
     * here, at offset 0, reads nothing.
     */
    static void utcUnlessTold() {
        String told = System.getProperty(USER_TIMEZONE);
        if (told == null || told.isBlank()) {
            TimeZone.setDefault(new SimpleTimeZone(0, "UTC"));
        }
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        Arguments parsed;
        try {
            parsed = Arguments.parse(args);
        } catch (Arguments.UsageException e) {
            err.println("preflight: " + e.getMessage());
            err.println("Try 'preflight --help'.");
            return 2;
        }
        if (parsed.help()) {
            out.print(USAGE);
            return 0;
        }
        if (parsed.version()) {
            out.println("preflight " + version());
            return 0;
        }
        return switch (parsed.command()) {
            case "check" -> new CheckCommand(System.getenv(), out, err).run(parsed);
            case "explain" -> new ExplainCommand(System.getenv(), out, err).run(parsed);
            case "healthcheck" -> new HealthcheckCommand(System.getenv(), out, err).run(parsed);
            case "demo" -> new DemoCommand(out, err).run(parsed);
            default -> new RunCommand(System.getenv(), err).run(parsed);
        };
    }

    public static String version() {
        String version = Main.class.getPackage().getImplementationVersion();
        return version != null ? version : "dev";
    }
}
