package dev.preflight.cli.demo;

import dev.preflight.cli.Arguments;
import dev.preflight.config.ConfigLoader;
import dev.preflight.config.InvalidConfigException;
import dev.preflight.config.Settings;
import dev.preflight.proxy.ProxyServer;
import io.netty.util.NetUtil;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * {@code preflight demo}: a CORS-unaware sample API, the proxy in front of it with a demo policy, and
 * a page on a third origin whose buttons call the API through the proxy, all in one process, so a
 * newcomer sees CORS work in their own browser. {@code --only api} or {@code --only page} runs one
 * part alone (the docker-compose services).
 */
public final class DemoCommand {
    private static final int API_PORT = 3000;
    private static final int PROXY_PORT = 8080;
    private static final int PAGE_PORT = 5173;

    private final PrintStream out;
    private final PrintStream err;

    public DemoCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public int run(Arguments args) throws IOException, InterruptedException {
        if (args.only().isPresent()) {
            return runOne(args);
        }
        int base = args.port().orElse(PROXY_PORT);
        try (DemoApi api = DemoApi.start("127.0.0.1", 0);
                DemoPage page = DemoPage.start("127.0.0.1", 0, "http://localhost:" + base)) {
            return runAll(base, api, page);
        }
    }

    /** {@code --only api} or {@code --only page}, on every address (a container's). */
    private int runOne(Arguments args) throws InterruptedException {
        String bind = "0.0.0.0";
        boolean api = args.only().get().equals("api");
        int port = args.port().orElse(api ? API_PORT : PAGE_PORT);
        try {
            if (api) {
                DemoApi started = DemoApi.start(bind, port);
                out.println("demo API (CORS-unaware) on http://localhost:" + started.port());
            } else {
                String proxy = args.api().orElse("http://localhost:" + PROXY_PORT);
                DemoPage page = DemoPage.start(bind, port, proxy);
                out.println("demo page on http://localhost:" + page.port() + " calling " + proxy);
            }
        } catch (IOException e) {
            err.println("preflight demo: cannot listen on " + NetUtil.toSocketAddressString(bind, port) + ": "
                    + e.getMessage());
            return 1;
        }
        awaitStop();
        return 0;
    }

    private int runAll(int base, DemoApi api, DemoPage page) throws InterruptedException {
        Settings settings;
        try {
            settings = ConfigLoader.parse(DemoCommandPolicy.of(base, api.port(), page.port()), Map.of());
        } catch (InvalidConfigException e) {
            err.println("preflight demo: " + e.getMessage());
            return 1;
        }
        ProxyServer proxy;
        try {
            proxy = ProxyServer.start(settings);
        } catch (UncheckedIOException e) {
            // The port is taken: the API and the page started for it stop with the command.
            err.println("preflight demo: " + e.getMessage());
            return 1;
        }
        out.println();
        out.println("  Open http://localhost:" + page.port() + "/ in your browser and press the buttons.");
        out.println();
        out.println("  page   http://localhost:" + page.port() + "   (its own origin)");
        out.println("  proxy  http://localhost:" + proxy.address().getPort() + "   (preflight, the policy below)");
        out.println("  api    http://127.0.0.1:" + api.port() + "   (CORS-unaware)");
        out.println();
        out.println("  Try: preflight explain --origin http://localhost:" + page.port()
                + " --method PUT --header Content-Type --header X-Demo-Client --preflight"
                + " (with this policy saved as a file)");
        out.println();
        out.println(DemoCommandPolicy.of(base, api.port(), page.port()));
        awaitStop();
        proxy.close();
        return 0;
    }

    /** Until SIGTERM or SIGINT; then the command returns and the process exits 0 (compose stop). */
    private static void awaitStop() throws InterruptedException {
        CountDownLatch stop = new CountDownLatch(1);
        sun.misc.Signal.handle(new sun.misc.Signal("TERM"), s -> stop.countDown());
        sun.misc.Signal.handle(new sun.misc.Signal("INT"), s -> stop.countDown());
        stop.await();
    }
}
