package dev.preflight.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import dev.preflight.policy.CorsPolicy;
import dev.preflight.policy.CorsSettings;
import dev.preflight.policy.FetchMetadataSettings;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Maps the resolved {@code preflight} object onto {@link Settings}, section by section, adding a
 * {@link ConfigProblem} for everything wrong. A section that is not an object is reported once and
 * replaced by its defaults, so that the rest can still be checked.
 */
final class SettingsMapper {

    private final Config defaults;
    private final List<ConfigProblem> problems;
    private final Map<String, Config> sections = new HashMap<>();
    private final Config root;

    /**
     * @param preflight the effective {@code preflight} value (user file, environment, defaults)
     * @param defaults the {@code preflight} section of the defaults
     */
    SettingsMapper(ConfigValue preflight, Config defaults, List<ConfigProblem> problems) {
        this.defaults = defaults;
        this.problems = problems;
        if (preflight.valueType() == ConfigValueType.OBJECT) {
            this.root = ((ConfigObject) preflight).toConfig();
        } else {
            problems.add(ConfigProblem.of(
                    "preflight", preflight, "an object, e.g. preflight { upstream.url = \"http://127.0.0.1:3000\" }"));
            this.root = defaults;
        }
    }

    Settings map(Optional<Path> file, Instant loadedAt, String effectiveJson) {
        Config upstream = section("upstream");
        Config cors = section("cors");
        Config fetchMetadata = section("fetch-metadata");
        ListenSettings listen = listen(reader("listen"));
        AdminSettings admin = admin(reader("admin"));
        samePortTwice(listen, admin);
        unknownHost("listen", listen.host());
        if (admin.enabled()) {
            unknownHost("admin", admin.host());
        }
        // A relative ca-file is read from the config file's directory, as HOCON's includes are.
        Path base = file.map(f -> f.toAbsolutePath().getParent()).orElse(Path.of(""));
        UpstreamSettings defaultUpstream = PolicyMapper.upstream(reader("upstream"), base);
        ConfigReader corsReader = reader("cors");
        CorsSettings defaultCors = PolicyMapper.cors(corsReader);
        CorsPolicy defaultPolicy = CorsPolicyCompiler.compile(corsReader, defaultCors);
        List<RouteSettings> routes = new RouteMapper(upstream, cors, fetchMetadata, base, problems)
                .map(root.root().get("routes"));
        LimitsSettings limits = limits(reader("limits"));
        FetchMetadataSettings defaultFetchMetadata = PolicyMapper.fetchMetadata(reader("fetch-metadata"));
        ForwardedSettings forwarded = forwarded(reader("forwarded"));
        DebugSettings debug = new DebugSettings(reader("debug").bool("decision-header"));
        AccessLogSettings accessLog = accessLog(reader("access-log"));
        ReloadSettings reload = new ReloadSettings(reader("reload").bool("watch"));
        ShutdownSettings shutdown = new ShutdownSettings(reader("shutdown").duration("drain-timeout", true, "15s"));
        return new Settings(
                file,
                ConfigHash.of(effectiveJson, trusted(defaultUpstream, routes)),
                loadedAt,
                listen,
                admin,
                defaultUpstream,
                defaultCors,
                defaultPolicy,
                routes,
                limits,
                defaultFetchMetadata,
                forwarded,
                debug,
                accessLog,
                reload,
                shutdown,
                problems.stream()
                        .filter(ConfigProblem::isWarning)
                        .sorted(ConfigProblem.FILE_ORDER)
                        .toList(),
                effectiveJson);
    }

    /** The {@code ca-file}s read, in the order of the upstreams: their content is part of the hash. */
    static List<TrustedAuthorities> trusted(UpstreamSettings defaultUpstream, List<RouteSettings> routes) {
        List<TrustedAuthorities> trusted = new ArrayList<>();
        if (defaultUpstream.trustedAuthorities() != null) {
            trusted.add(defaultUpstream.trustedAuthorities());
        }
        for (RouteSettings route : routes) {
            if (route.upstream().trustedAuthorities() != null) {
                trusted.add(route.upstream().trustedAuthorities());
            }
        }
        return trusted;
    }

    private static ListenSettings listen(ConfigReader r) {
        return new ListenSettings(r.string("host", "an address to listen on, e.g. 0.0.0.0"), r.port("port"));
    }

    /** The {@code admin} section alone (for {@code healthcheck}: {@link ConfigLoader#loadAdmin}). */
    AdminSettings admin() {
        return admin(reader("admin"));
    }

    private static AdminSettings admin(ConfigReader r) {
        return new AdminSettings(
                r.bool("enabled"), r.string("host", "an address to listen on, e.g. 127.0.0.1"), r.port("port"));
    }

    private static LimitsSettings limits(ConfigReader r) {
        String headSize = "a size from 256 to 1m bytes, e.g. 16k";
        return new LimitsSettings(
                (int) r.bytes("max-initial-line", 256, 1 << 20, headSize.replace("16k", "8k")),
                (int) r.bytes("max-header-size", 256, 1 << 20, headSize),
                r.atLeast("max-header-count", 1),
                r.bytes("max-body-size", 0, Long.MAX_VALUE, "a size >= 0, e.g. 10m"),
                r.atLeast("max-connections", 1),
                r.duration("header-timeout", false, "10s"),
                r.duration("body-timeout", false, "30s"),
                r.duration("idle-timeout", false, "60s"));
    }

    private static ForwardedSettings forwarded(ConfigReader r) {
        return new ForwardedSettings(r.enumValue("headers", ForwardedSettings.Style.class), r.bool("trust-incoming"));
    }

    private static AccessLogSettings accessLog(ConfigReader r) {
        return new AccessLogSettings(r.bool("enabled"), r.enumValue("format", AccessLogSettings.Format.class));
    }

    /**
     * V1: the admin port on the listener's own port and an address that overlaps it (the same one, or
     * either a wildcard) could never be bound: refused here rather than by a failed start.
     */
    private void samePortTwice(ListenSettings listen, AdminSettings admin) {
        if (!admin.enabled()
                || admin.port() == 0
                || admin.port() != listen.port()
                || !overlap(listen.host(), admin.host())) {
            return;
        }
        // Reported at the one of the two that was written (the other may be reference.conf's default),
        // naming where the other came from when that is not the file (an environment variable).
        ConfigValue adminPort = section("admin").root().get("port");
        boolean adminDefault = adminPort != null && ConfigLoader.isDefault(adminPort);
        String key = adminDefault ? "listen" : "admin";
        String other = adminDefault ? "admin" : "listen";
        ConfigValue otherPort = section(other).root().get("port");
        String otherSource =
                otherPort != null && otherPort.origin().description().startsWith("env ")
                        ? " (" + other + ".port is from " + otherPort.origin().description() + ")"
                        : "";
        problems.add(ConfigProblem.of(
                "preflight." + key + ".port",
                section(key).root().get("port"),
                "a port other than " + other + ".port's: both " + admin.port() + " on overlapping addresses, "
                        + listen.host() + " and " + admin.host() + otherSource));
    }

    /**
     * Whether binding both addresses to one port would collide, each on a socket of its own family as
     * the servers bind them: the same address however written ({@code [::1]} and {@code ::1}, {@code
     * localhost} and {@code 127.0.0.1}), or a wildcard of the other's family; {@code ::} takes IPv4 as
     * well (Linux's dual-stack default), {@code 0.0.0.0} no IPv6 address ({@code 0.0.0.0} and {@code ::1}
     * bind side by side). A name is looked up (the hosts file, for localhost); one that does not resolve
     * is compared as written.
     */
    private static boolean overlap(String a, String b) {
        if (a.equalsIgnoreCase(b)) {
            return true;
        }
        try {
            InetAddress first = InetAddress.getByName(bare(a));
            InetAddress second = InetAddress.getByName(bare(b));
            if (first.getClass() != second.getClass()) {
                InetAddress v6 = first instanceof Inet6Address ? first : second;
                return v6.isAnyLocalAddress();
            }
            return first.isAnyLocalAddress() || second.isAnyLocalAddress() || first.equals(second);
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /**
     * V4, O1: a host name this machine cannot resolve, which would stop the start ("cannot listen on
     * ...: no such host"): said by check. A warning, not an error: a reload must not be refused for a
     * lookup that fails now (a DNS blip) of a key that only a restart reads.
     */
    private void unknownHost(String section, String host) {
        if (host.isEmpty()) {
            return;
        }
        try {
            InetAddress.getByName(bare(host));
        } catch (UnknownHostException e) {
            problems.add(new ConfigProblem(
                    "preflight." + section + ".host",
                    ConfigProblem.location(section(section).root().get("host").origin()),
                    ConfigProblem.render(section(section).root().get("host")),
                    "no such host here: the proxy would not start (cannot listen on it)",
                    ConfigProblem.Severity.WARNING));
        }
    }

    private static String bare(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    private ConfigReader reader(String name) {
        return new ConfigReader(section(name), "preflight." + name, problems);
    }

    private Config section(String name) {
        return sections.computeIfAbsent(name, key -> {
            ConfigValue value = root.root().get(key);
            if (value != null && value.valueType() == ConfigValueType.OBJECT) {
                return ((ConfigObject) value).toConfig();
            }
            problems.add(ConfigProblem.of("preflight." + key, value, "an object, e.g. " + key + " { ... }"));
            return defaults.getConfig(key);
        });
    }
}
