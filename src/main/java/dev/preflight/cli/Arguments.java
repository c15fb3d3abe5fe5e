package dev.preflight.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The command line: a subcommand (default {@code run}) and its options. Unknown commands and
 * options, and options that do not belong to the command, are errors.
 *
 * @param headers {@code --header} values of {@code explain}, in order
 * @param secFetchSite {@code --sec-fetch-site} of {@code explain}, and likewise {@code secFetchMode},
 *     {@code secFetchDest}: the {@code Sec-Fetch-*} headers the browser would send
 * @param forwardedProto {@code --forwarded-proto} of {@code explain}: the request's {@code X-Forwarded-Proto}
 * @param privateNetwork {@code --private-network} of {@code explain}: a private-network preflight
 * @param websocket {@code --websocket} of {@code explain}: a WebSocket handshake
 */
public record Arguments(
        String command,
        Optional<String> config,
        boolean help,
        boolean version,
        Optional<String> origin,
        Optional<String> method,
        List<String> headers,
        Optional<String> path,
        Optional<String> host,
        boolean preflight,
        Optional<String> only,
        Optional<Integer> port,
        Optional<String> api,
        Optional<String> secFetchSite,
        Optional<String> secFetchMode,
        Optional<String> secFetchDest,
        Optional<String> forwardedProto,
        boolean privateNetwork,
        boolean websocket) {

    public static final List<String> COMMANDS = List.of("run", "check", "explain", "demo", "healthcheck");

    private static final List<String> FLAGS =
            List.of("--help", "-h", "--version", "-V", "--preflight", "--private-network", "--websocket");

    public static Arguments parse(String... args) throws UsageException {
        Builder b = new Builder();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String name = arg;
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            }
            if (value != null && FLAGS.contains(name)) {
                // --preflight=false would otherwise ask as a preflight.
                throw new UsageException(name + " takes no value");
            }
            switch (name) {
                case "--help", "-h" -> b.help = true;
                case "--version", "-V" -> b.version = true;
                case "--preflight" -> b.preflight = true;
                case "--private-network" -> b.privateNetwork = true;
                case "--websocket" -> b.websocket = true;
                case "--config",
                        "--origin",
                        "--method",
                        "--header",
                        "--path",
                        "--host",
                        "--only",
                        "--port",
                        "--api",
                        "--sec-fetch-site",
                        "--sec-fetch-mode",
                        "--sec-fetch-dest",
                        "--forwarded-proto" -> {
                    if (value == null) {
                        if (i + 1 >= args.length) {
                            throw new UsageException(name + " needs a value");
                        }
                        value = args[++i];
                    }
                    if (value.isBlank()) {
                        // --config= would be the working directory, and fail as "is a directory".
                        throw new UsageException(name + " needs a value");
                    }
                    b.option(name, value);
                }
                default -> {
                    if (arg.startsWith("-")) {
                        throw new UsageException("unknown option " + arg);
                    }
                    if (b.command != null) {
                        throw new UsageException("unexpected argument " + arg);
                    }
                    if (!COMMANDS.contains(arg)) {
                        throw new UsageException("unknown command " + arg + " (expected one of " + COMMANDS + ")");
                    }
                    b.command = arg;
                }
            }
        }
        return b.build();
    }

    private static final class Builder {
        String command;
        String config;
        boolean help;
        boolean version;
        boolean preflight;
        boolean privateNetwork;
        boolean websocket;
        String forwardedProto;
        String origin;
        String method;
        String path;
        String host;
        String only;
        Integer port;
        String api;
        String secFetchSite;
        String secFetchMode;
        String secFetchDest;
        final List<String> headers = new ArrayList<>();

        void option(String name, String value) throws UsageException {
            switch (name) {
                case "--config" -> config = value;
                case "--origin" -> origin = value;
                case "--method" -> method = value;
                case "--header" -> headers.add(value);
                case "--path" -> path = value;
                case "--host" -> host = value;
                case "--only" -> {
                    if (!value.equals("api") && !value.equals("page")) {
                        throw new UsageException("--only takes api or page, not " + value);
                    }
                    only = value;
                }
                case "--port" -> {
                    try {
                        port = Integer.parseInt(value);
                    } catch (NumberFormatException e) {
                        port = -1;
                    }
                    if (port < 0 || port > 65535) {
                        throw new UsageException("--port takes a port number 0-65535, not " + value);
                    }
                }
                case "--api" -> api = value;
                case "--sec-fetch-site" -> secFetchSite = value;
                case "--sec-fetch-mode" -> secFetchMode = value;
                case "--sec-fetch-dest" -> secFetchDest = value;
                case "--forwarded-proto" -> forwardedProto = value;
                default -> throw new IllegalArgumentException(name);
            }
        }

        Arguments build() throws UsageException {
            String cmd = command == null ? "run" : command;
            boolean explainOptions = origin != null
                    || method != null
                    || !headers.isEmpty()
                    || path != null
                    || host != null
                    || preflight
                    || privateNetwork
                    || websocket
                    || forwardedProto != null;
            boolean secFetch = secFetchSite != null || secFetchMode != null || secFetchDest != null;
            if ((explainOptions || secFetch) && !cmd.equals("explain") && !help) {
                throw new UsageException("--origin, --method, --header, --path, --host, --preflight,"
                        + " --private-network, --websocket, --forwarded-proto and --sec-fetch-site/-mode/-dest"
                        + " belong to explain");
            }
            boolean demoOptions = only != null || port != null || api != null;
            if (demoOptions && !cmd.equals("demo") && !help) {
                throw new UsageException("--only, --port and --api belong to demo");
            }
            if (cmd.equals("demo") && !help) {
                if (config != null) {
                    throw new UsageException("demo takes no --config: it runs a policy of its own, which it prints");
                }
                if (api != null && !"page".equals(only)) {
                    throw new UsageException("--api belongs to demo --only page");
                }
                if (only == null && port != null && port == 0) {
                    // The page is made for the proxy's port before the proxy binds it.
                    throw new UsageException("demo needs a fixed --port: its page calls the proxy there");
                }
            }
            if (cmd.equals("explain") && !help && method == null) {
                throw new UsageException("explain needs --method (and --origin, but for a request without one)");
            }
            return new Arguments(
                    cmd,
                    Optional.ofNullable(config),
                    help,
                    version,
                    Optional.ofNullable(origin),
                    Optional.ofNullable(method),
                    List.copyOf(headers),
                    Optional.ofNullable(path),
                    Optional.ofNullable(host),
                    preflight,
                    Optional.ofNullable(only),
                    Optional.ofNullable(port),
                    Optional.ofNullable(api),
                    Optional.ofNullable(secFetchSite),
                    Optional.ofNullable(secFetchMode),
                    Optional.ofNullable(secFetchDest),
                    Optional.ofNullable(forwardedProto),
                    privateNetwork,
                    websocket);
        }
    }

    /** A command line that cannot be understood; the message is one line for the user. */
    public static final class UsageException extends Exception {
        public UsageException(String message) {
            super(message, null, false, false);
        }
    }
}
