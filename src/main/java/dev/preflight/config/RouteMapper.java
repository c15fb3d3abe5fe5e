package dev.preflight.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import dev.preflight.policy.CorsSettings;
import dev.preflight.policy.RequestPath;
import dev.preflight.policy.RouteTable;
import dev.preflight.policy.Tokens;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Maps {@code preflight.routes}. A route's {@code upstream}, {@code cors} and {@code fetch-metadata}
 * blocks are merged key by key over the top-level ones and checked with the same rules; a problem is
 * reported where its key was written, so an inherited mistake is not repeated for every route.
 */
final class RouteMapper {

    private static final String ROUTE_EXAMPLE = "{ name = \"api\", path-prefix = \"/api\" }";
    // A Host header without port: a name, an IPv4 address or a bracketed IPv6 address.
    // No '*' (a route matches one host; a pattern would silently match none and leave its requests to
    // the default route's policy), nor what a Host header never holds.
    private static final Predicate<String> HOST = host -> host.matches("[^\\s/:@\\[\\]*?#%]+|\\[[0-9A-Fa-f:.]+]");

    private final Config upstream;
    /** Where a relative {@code ca-file} is read from. */
    private final Path base;

    private final Config cors;
    private final Config fetchMetadata;
    private final List<ConfigProblem> problems;
    /** Route name -> where it was first used, to name both places of a duplicate. */
    private final Map<String, String> names = new HashMap<>();

    /** The top-level blocks, already merged over the defaults, that routes inherit from. */
    RouteMapper(Config upstream, Config cors, Config fetchMetadata, Path base, List<ConfigProblem> problems) {
        this.upstream = upstream;
        this.base = base;
        this.cors = cors;
        this.fetchMetadata = fetchMetadata;
        this.problems = problems;
    }

    /** @param routes the value of {@code preflight.routes} */
    List<RouteSettings> map(ConfigValue routes) {
        if (routes == null || routes.valueType() != ConfigValueType.LIST) {
            problems.add(
                    ConfigProblem.of("preflight.routes", routes, "a list of routes, e.g. [" + ROUTE_EXAMPLE + "]"));
            return List.of();
        }
        List<RouteSettings> result = new ArrayList<>();
        ConfigList list = (ConfigList) routes;
        for (int i = 0; i < list.size(); i++) {
            String path = "preflight.routes[" + i + "]";
            ConfigValue route = list.get(i);
            if (route.valueType() == ConfigValueType.OBJECT) {
                RouteSettings mapped = route(path, (ConfigObject) route);
                shadowed(mapped, result)
                        .ifPresent(first -> problems.add(new ConfigProblem(
                                path,
                                ConfigProblem.location(route.origin()),
                                mapped.name(),
                                "never matches: route " + first.name()
                                        + " comes first and matches every request it would"
                                        + " (the first route that matches wins)",
                                ConfigProblem.Severity.WARNING)));
                result.add(mapped);
            } else {
                problems.add(ConfigProblem.of(path, route, "an object, e.g. " + ROUTE_EXAMPLE));
            }
        }
        return result;
    }

    /**
     * V4: an earlier route that matches every request {@code later} would (its host or any host, a
     * prefix {@code later}'s starts with segment by segment, compared as it compares them): first match
     * wins, so {@code later} is never used, and a policy written for it is not in force (found by
     * probing: a route for / ahead of the others).
     */
    private static Optional<RouteSettings> shadowed(RouteSettings later, List<RouteSettings> earlier) {
        for (RouteSettings first : earlier) {
            boolean host = first.host().isEmpty()
                    || later.host()
                            .map(h -> RouteTable.hostWithoutPort(h)
                                    .equals(RouteTable.hostWithoutPort(
                                            first.host().get())))
                            .orElse(false);
            // Prefixes as the route table takes and compares them: without a trailing slash, "/" empty.
            String prefix = RouteTable.trimPrefix(first.pathPrefix());
            // A case-sensitive prefix covers an ignore-case one only where it has no letter to fold.
            boolean letters = first.pathPrefixIgnoreCase()
                    || !later.pathPrefixIgnoreCase()
                    || prefix.chars().noneMatch(Character::isLetter);
            boolean under = RouteTable.prefixMatches(
                    prefix, RouteTable.trimPrefix(later.pathPrefix()), first.pathPrefixIgnoreCase());
            if (host && letters && under) {
                return Optional.of(first);
            }
        }
        return Optional.empty();
    }

    private RouteSettings route(String path, ConfigObject route) {
        String location = ConfigProblem.location(route.origin());
        ConfigReader r = new ConfigReader(route.toConfig(), path, location, key -> true, problems);
        String name = uniqueName(r);
        Optional<String> host = r.raw("host")
                .filter(value -> value.valueType() != ConfigValueType.NULL)
                .map(value -> r.string(
                        "host", "a host name without scheme, port, path or wildcard, e.g. api.example.com", HOST));
        String pathPrefix = r.raw("path-prefix").isEmpty()
                ? "/"
                : r.string(
                        "path-prefix",
                        "a path starting with /, as requests are matched: normalised (no dot segments, //, escapes"
                                + " of unreserved characters), visible ASCII, e.g. /api",
                        RouteMapper::matchable);
        boolean ignoreCase = r.raw("path-prefix-ignore-case").isPresent() && r.bool("path-prefix-ignore-case");
        UpstreamSettings routeUpstream = PolicyMapper.upstream(block(route, path, "upstream", upstream), base);
        ConfigReader corsReader = block(route, path, "cors", cors);
        CorsSettings routeCors = PolicyMapper.cors(corsReader);
        halfInherited(route, corsReader, routeCors, "allowed-origins", "allowed-origin-regexes");
        halfInherited(route, corsReader, routeCors, "allowed-origin-regexes", "allowed-origins");
        return new RouteSettings(
                name,
                host,
                pathPrefix,
                ignoreCase,
                routeUpstream,
                routeCors,
                CorsPolicyCompiler.compile(corsReader, routeCors),
                PolicyMapper.fetchMetadata(block(route, path, "fetch-metadata", fetchMetadata)));
    }

    /**
     * V4: a route that writes one of the two origin keys still inherits the other, key by key: the
     * default's regexes allow their origins on a route whose allowed-origins was meant as its whole
     * list (found by probing). Said, not refused: a route may mean to add to them.
     */
    private void halfInherited(
            ConfigObject route, ConfigReader corsReader, CorsSettings routeCors, String written, String inherited) {
        ConfigValue own = route.get("cors") instanceof ConfigObject block ? block.get(written) : null;
        if (own == null
                || ((ConfigObject) route.get("cors")).containsKey(inherited)
                || !routeCors.enabled()
                || routeCors.allowedOrigins().contains("*")) {
            return; // both written, CORS off on the route, or every origin allowed anyway
        }
        ConfigValue other = cors.hasPath(inherited) ? cors.getValue(inherited) : null;
        if (other instanceof ConfigList list && !list.isEmpty()) {
            String from = other.origin().description().startsWith("env ")
                    ? " (from " + other.origin().description() + ")"
                    : "";
            corsReader.warn(
                    written,
                    own,
                    "the route still allows the origins of the top-level " + inherited + " "
                            + other.render(ConfigRenderOptions.concise()) + from + "; set " + inherited
                            + " = [] in the route if it should not");
        }
    }

    /**
     * A prefix a request's path can start with: routes match the normalised path (P5), so a prefix that
     * normalising changes ({@code /a/../b}, {@code /e%7Ef}, {@code //api}) or that holds what a request
     * target cannot ({@code /a b}) would never match, and its requests would silently get the default
     * route's policy.
     */
    static boolean matchable(String prefix) {
        if (!prefix.startsWith("/") || prefix.indexOf('?') >= 0 || prefix.indexOf('#') >= 0) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            char c = prefix.charAt(i);
            if (c <= ' ' || c >= 0x7f) {
                return false;
            }
        }
        RequestPath parsed = RequestPath.parse(prefix);
        return parsed != null && parsed.routed().equals(prefix);
    }

    private String uniqueName(ConfigReader r) {
        // A token: the name goes into the Preflight-Decision header (route=api), the text access log's
        // space-separated fields and metric labels; a line feed in it split the log's lines and made
        // the header Netty refuses to send, which left the client without an answer (found by probing).
        String name = r.string(
                "name",
                "a non-empty HTTP token (letters, digits, - . _ and the like; no space, quote, slash, comma,"
                        + " semicolon or control character), unique among routes and not default (the name of"
                        + " requests no route matches), e.g. \"api-v2\"",
                written -> Tokens.isToken(written) && !written.equals("default"));
        if (name.isEmpty()) {
            return name;
        }
        String here = r.path() + " ("
                + ConfigProblem.location(r.raw("name").orElseThrow().origin()) + ")";
        String first = names.putIfAbsent(name, here);
        if (first != null) {
            r.report("name", r.raw("name"), "a unique name, but " + first + " is named " + name + " too");
        }
        return name;
    }

    /** A reader over the route's block merged over the inherited one, reporting only the route's own keys. */
    private ConfigReader block(ConfigObject route, String routePath, String key, Config inherited) {
        String path = routePath + "." + key;
        ConfigValue own = route.get(key);
        if (own == null) {
            return new ConfigReader(inherited, path, "", k -> false, problems);
        }
        if (own.valueType() != ConfigValueType.OBJECT) {
            problems.add(ConfigProblem.of(path, own, "an object, e.g. " + key + " { ... }"));
            return new ConfigReader(inherited, path, "", k -> false, problems);
        }
        ConfigObject ownBlock = (ConfigObject) own;
        Config merged = ownBlock.toConfig().withFallback(inherited);
        return new ConfigReader(merged, path, ConfigProblem.location(own.origin()), ownBlock::containsKey, problems);
    }
}
