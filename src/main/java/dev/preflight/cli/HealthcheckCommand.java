package dev.preflight.cli;

import dev.preflight.config.AdminSettings;
import dev.preflight.config.ConfigLoader;
import dev.preflight.config.ConfigLocation;
import dev.preflight.config.InvalidConfigException;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code preflight healthcheck}: asks the admin port's {@code /health/ready} (found from the same
 * configuration and environment as {@code run}, its {@code admin} section alone, so that an edit the
 * running proxy refused elsewhere in the file does not make it unhealthy), exits 0 when ready and 1
 * otherwise. For Docker's
 * HEALTHCHECK, so the image needs no curl.
 */
public final class HealthcheckCommand {
    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    /** The admin port's own ready answer, {@code {"status":"UP"}}, whatever the spacing. */
    private static final Pattern READY = Pattern.compile("\\s*\\{\\s*\"status\"\\s*:\\s*\"UP\"\\s*}\\s*");

    private final Map<String, String> env;
    private final PrintStream out;
    private final PrintStream err;

    public HealthcheckCommand(Map<String, String> env, PrintStream out, PrintStream err) {
        this.env = env;
        this.out = out;
        this.err = err;
    }

    public int run(Arguments args) throws InterruptedException {
        AdminSettings admin;
        try {
            admin = ConfigLoader.loadAdmin(
                    ConfigLocation.resolve(args.config(), env),
                    env,
                    note -> err.println("preflight healthcheck: " + note));
        } catch (InvalidConfigException e) {
            err.println("preflight healthcheck: invalid configuration: "
                    + e.problems().getFirst().render());
            return 1;
        }
        if (!admin.enabled() || admin.port() == 0) {
            err.println("preflight healthcheck: needs admin.enabled = true and a fixed admin.port");
            return 1;
        }
        URI uri = URI.create("http://" + reachable(admin.host()) + ":" + admin.port() + "/health/ready");
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build()) {
            HttpResponse<String> response = client.send(
                    HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 200 && READY.matcher(response.body()).matches()) {
                out.println("ready");
                return 0;
            }
            // Not preflight's answer at all (another server on the port, the proxy port itself
            // forwarding to a backend that says 200): not ready either.
            String body = response.body().strip();
            err.println("not ready: " + uri + " answered " + response.statusCode() + " "
                    + (body.length() > 200 ? body.substring(0, 200) + "..." : body));
            return 1;
        } catch (IOException e) {
            // ConnectException carries no message; its class says what happened.
            err.println("not ready: " + uri + ": "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e));
            return 1;
        }
    }

    /** A wildcard bind address is reached through loopback. */
    private static String reachable(String host) {
        return switch (host) {
            case "0.0.0.0", "" -> "127.0.0.1";
            case "::", "[::]" -> "[::1]";
            default -> host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        };
    }
}
