package dev.preflight.cli;

import dev.preflight.config.ConfigLoader;
import dev.preflight.config.ConfigLocation;
import dev.preflight.config.InvalidConfigException;
import dev.preflight.config.Settings;
import dev.preflight.proxy.ProxyServer;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * {@code preflight run}: loads the configuration, refuses to start on any problem (all of them
 * printed, exit 1), else serves until the JVM is asked to stop.
 */
public final class RunCommand {
    private final Map<String, String> env;
    private final PrintStream err;

    public RunCommand(Map<String, String> env, PrintStream err) {
        this.env = env;
        this.err = err;
    }

    public int run(Arguments args) throws InterruptedException {
        Path file = ConfigLocation.resolve(args.config(), env);
        Settings settings;
        try {
            settings = ConfigLoader.load(file, env);
        } catch (InvalidConfigException e) {
            if (e.problems().size() == 1 && e.problems().getFirst().path().isEmpty()) {
                err.println("preflight: " + e.problems().getFirst().render()); // e.g. the file cannot be read
            } else {
                err.println("preflight: invalid configuration, not starting:");
                e.problems().forEach(p -> err.println("  " + p.render()));
            }
            return 1;
        }
        ProxyServer server = ProxyServer.start(settings);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            server.close();
                            stopped.countDown();
                        },
                        "preflight-shutdown"));
        stopped.await();
        return 0;
    }
}
