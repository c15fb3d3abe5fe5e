package dev.preflight.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The environment variables that override common keys without editing the file (for Docker). Each
 * value's origin names its variable, so a bad one is reported as {@code (env PREFLIGHT_PORT)}.
 */
final class EnvOverrides {

    static final String UPSTREAM_URL = "PREFLIGHT_UPSTREAM_URL";
    static final String PORT = "PREFLIGHT_PORT";
    static final String ADMIN_PORT = "PREFLIGHT_ADMIN_PORT";
    /** Not in PRODUCT.md's list: the Docker image sets it to 0.0.0.0 so the admin port is reachable. */
    static final String ADMIN_HOST = "PREFLIGHT_ADMIN_HOST";

    static final String ALLOWED_ORIGINS = "PREFLIGHT_ALLOWED_ORIGINS";
    static final String LOG_FORMAT = "PREFLIGHT_LOG_FORMAT";

    /**
     * The {@code PREFLIGHT_*} names preflight reads: the overrides above, and the ones read before the
     * config is (the file, the application log's level) or by the project's scripts around it.
     */
    private static final List<String> KNOWN = List.of(
            UPSTREAM_URL,
            PORT,
            ADMIN_PORT,
            ADMIN_HOST,
            ALLOWED_ORIGINS,
            LOG_FORMAT,
            "PREFLIGHT_CONFIG",
            "PREFLIGHT_LOG_LEVEL",
            "PREFLIGHT_IMAGE",
            "PREFLIGHT_JAVA_OPTS");

    /** The names Logback reads as a level (any case); anything else leaves the log at INFO. */
    private static final List<String> LOG_LEVELS = List.of("ALL", "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF");

    private EnvOverrides() {}

    /**
     * V4: a {@code PREFLIGHT_*} variable that nothing reads, neither preflight nor a substitution of
     * the file's ({@code asked}): a misspelt override ({@code PREFLIGHT_ALLOWED_ORIGIN}) was ignored
     * without a word (found by probing), where a misspelt key is an error. A warning, not an error:
     * another program may share the prefix. Its value is not shown; it may be anyone's secret.
     */
    static void warnUnread(Map<String, String> env, Set<String> asked, List<ConfigProblem> problems) {
        for (String name : List.of(PORT, ADMIN_PORT)) {
            if (serviceLink(name, env.get(name))) {
                problems.add(new ConfigProblem(
                        "",
                        "env " + name,
                        env.get(name),
                        "not used: a Kubernetes service link (a Service named "
                                + name.substring(0, name.length() - "_PORT".length())
                                        .toLowerCase(Locale.ROOT)
                                        .replace('_', '-')
                                + " in the namespace), not a port; set enableServiceLinks: false, or the port"
                                + " in the container's env, which wins over a link",
                        ConfigProblem.Severity.WARNING));
            }
        }
        String level = env.get("PREFLIGHT_LOG_LEVEL");
        if (level != null
                && !level.isBlank()
                && !LOG_LEVELS.contains(level.strip().toUpperCase(Locale.ROOT))) {
            // Read before the file (LogDefaults): a level Logback does not know left the log at INFO
            // without a word (found by probing).
            problems.add(new ConfigProblem(
                    "",
                    "env PREFLIGHT_LOG_LEVEL",
                    ConfigProblem.render(level),
                    "not a level, so the log stays at info; one of trace, debug, info, warn, error, off",
                    ConfigProblem.Severity.WARNING));
        }
        env.keySet().stream()
                .filter(name -> name.startsWith("PREFLIGHT_") && !KNOWN.contains(name) && !asked.contains(name))
                .filter(name -> !SERVICE_LINK_NAME.matcher(name).matches() && !serviceLink(name, env.get(name)))
                .sorted()
                .forEach(name -> problems.add(new ConfigProblem(
                        "",
                        "env " + name,
                        "read by nothing",
                        "not a variable preflight reads, nor named by a ${...} in the file; "
                                + KeyHints.hint(name, KNOWN),
                        ConfigProblem.Severity.WARNING)));
    }

    /** A config holding only the overridden keys, to be layered above the user's file. */
    static Config from(Map<String, String> env) {
        Config overrides = ConfigFactory.empty();
        overrides = with(overrides, env, UPSTREAM_URL, "preflight.upstream.url", EnvOverrides::text);
        Map<String, String> ports = serviceLinksOut(env);
        overrides = with(overrides, ports, PORT, "preflight.listen.port", EnvOverrides::number);
        overrides = with(overrides, ports, ADMIN_PORT, "preflight.admin.port", EnvOverrides::number);
        overrides = with(overrides, env, ADMIN_HOST, "preflight.admin.host", EnvOverrides::text);
        overrides = with(overrides, env, ALLOWED_ORIGINS, "preflight.cors.allowed-origins", EnvOverrides::list);
        overrides = with(overrides, env, LOG_FORMAT, "preflight.access-log.format", EnvOverrides::text);
        return overrides;
    }

    /**
     * V4: the file's {@code admin.host} when {@code PREFLIGHT_ADMIN_HOST} overrides it with another. The
     * variable wins, as every override does, but this one is the Docker image's, not the user's: a
     * mounted file's {@code admin.host = "127.0.0.1"} was silently not used (found by probing). The
     * other variables are the user's own choice over the file (the image's file is a sample), so
     * they are not warned about.
     */
    static void warnShadowed(Config user, Map<String, String> env, List<ConfigProblem> problems) {
        String path = "preflight.admin.host";
        String written = env.get(ADMIN_HOST);
        if (written == null) {
            return;
        }
        ConfigValue override = text(written, "env " + ADMIN_HOST);
        ConfigValue own;
        Object ownValue;
        try {
            own = user.hasPath(path) ? user.getValue(path) : null;
            // Inside the try: a list or object holding a ${substitution} is only unresolved when
            // unwrapped (it was a stack trace; found by fuzzing).
            ownValue = own == null ? null : own.unwrapped();
        } catch (ConfigException e) {
            return; // a ${substitution} not resolved yet: left to the resolution's own checks
        }
        if (own != null && !ownValue.equals(override.unwrapped())) {
            problems.add(new ConfigProblem(
                    path,
                    ConfigProblem.location(own.origin()),
                    ConfigProblem.render(own),
                    "not used: env " + ADMIN_HOST + " overrides it with " + ConfigProblem.render(override)
                            + " (the Docker image sets it; set it instead)",
                    ConfigProblem.Severity.WARNING));
        }
    }

    /**
     * What Kubernetes puts in every container's environment for each Service in the namespace (service
     * links, on by default): for a Service named {@code preflight}, {@code PREFLIGHT_SERVICE_HOST},
     * {@code PREFLIGHT_SERVICE_PORT}, {@code PREFLIGHT_PORT_8080_TCP_ADDR} and the like, and {@code
     * PREFLIGHT_PORT=tcp://10.96.0.5:8080}, which is this proxy's own override's name: read as a port,
     * it stopped the start (found by probing). A value of that form is no port, and is not used.
     */
    private static final Pattern SERVICE_LINK_NAME = Pattern.compile(
            "PREFLIGHT_([A-Z0-9_]+_)?(SERVICE_HOST|SERVICE_PORT(_[A-Z0-9_]+)?|PORT_\\d+_(TCP|UDP|SCTP)(_(PROTO|PORT|ADDR))?)");

    private static final Pattern SERVICE_LINK_VALUE = Pattern.compile("(tcp|udp|sctp)://\\S+:\\d+");

    private static boolean serviceLink(String name, String value) {
        return name.endsWith("_PORT")
                && value != null
                && SERVICE_LINK_VALUE.matcher(value.strip()).matches();
    }

    /** {@code env} without the port overrides that are service links. */
    private static Map<String, String> serviceLinksOut(Map<String, String> env) {
        if (!serviceLink(PORT, env.get(PORT)) && !serviceLink(ADMIN_PORT, env.get(ADMIN_PORT))) {
            return env;
        }
        Map<String, String> kept = new HashMap<>(env);
        kept.keySet().removeIf(name -> serviceLink(name, env.get(name)));
        return kept;
    }

    private interface ValueOf {
        ConfigValue apply(String written, String origin);
    }

    private static Config with(Config config, Map<String, String> env, String variable, String path, ValueOf valueOf) {
        String written = env.get(variable);
        return written == null ? config : config.withValue(path, valueOf.apply(written, "env " + variable));
    }

    private static ConfigValue text(String written, String origin) {
        return ConfigValueFactory.fromAnyRef(written.strip(), origin);
    }

    // A number, like the same key written in the file, so that both give the same config hash; a
    // non-number stays a string and is reported with the port's own rules.
    private static ConfigValue number(String written, String origin) {
        try {
            return ConfigValueFactory.fromAnyRef(Integer.parseInt(written.strip()), origin);
        } catch (NumberFormatException e) {
            return text(written, origin);
        }
    }

    /**
     * Comma-separated, items trimmed, empty items dropped: {@code "a, b,,"} is {@code ["a", "b"]}. A
     * variable set to nothing at all (a compose file's {@code ${ORIGINS}} with ORIGINS unset) stays the
     * empty string it is and is reported, rather than emptying the file's list without a word.
     */
    private static ConfigValue list(String written, String origin) {
        List<String> items = Arrays.stream(written.split(","))
                .map(String::strip)
                .filter(item -> !item.isEmpty())
                .toList();
        return items.isEmpty() ? text(written, origin) : ConfigValueFactory.fromIterable(items, origin);
    }
}
