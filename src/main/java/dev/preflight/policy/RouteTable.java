package dev.preflight.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * Route selection: the first route whose host and path prefix match wins, else the default. Hosts
 * compare case-insensitively without the port; prefixes are segment-aware ({@code /api} matches
 * {@code /api} and {@code /api/x}, never {@code /apix}) and are matched against the normalised path
 * ({@link RequestPath}).
 *
 * @param <T> what a route carries (the proxy's runtime route, or the settings for {@code explain})
 */
public final class RouteTable<T> {
    /**
     * One route's matching rule and payload.
     *
     * @param ignoreCase the prefix matches whatever the case of the path's letters
     */
    public record Entry<T>(Optional<String> host, String pathPrefix, boolean ignoreCase, T value) {}

    /**
     * @param prefix as written (escapes of unreserved characters decoded, as in any path), no trailing slash
     * @param decoded with every escape decoded, as a server that decodes the whole path reads it
     * @param lower {@code decoded} lower-cased, for an ignore-case route's folded readings; and
     *     {@code upper} upper-cased
     */
    private record Compiled<T>(
            String host, String prefix, String decoded, String lower, String upper, boolean ignoreCase, T value) {}

    private final List<Compiled<T>> routes;
    private final T fallback;
    // Whether any route names a host: only then is the request's Host worked out (issue 7).
    private final boolean hostRoutes;
    private final boolean ignoreCaseRoutes;

    private RouteTable(List<Compiled<T>> routes, T fallback) {
        this.routes = routes;
        this.fallback = fallback;
        this.hostRoutes = routes.stream().anyMatch(route -> route.host() != null);
        this.ignoreCaseRoutes = routes.stream().anyMatch(Compiled::ignoreCase);
    }

    public static <S, T> RouteTable<T> of(List<S> routes, Function<S, Entry<T>> entry, T fallback) {
        List<Compiled<T>> compiled = new ArrayList<>(routes.size());
        for (S route : routes) {
            Entry<T> e = entry.apply(route);
            String prefix = trimPrefix(e.pathPrefix());
            String decoded = RequestPath.percentDecoded(prefix);
            compiled.add(new Compiled<>(
                    // As a request's Host is read: lower-case, without a trailing dot (a route host
                    // written "a.example.com." matched no request at all; found by probing).
                    e.host().map(RouteTable::hostWithoutPort).orElse(null),
                    prefix,
                    decoded,
                    decoded.toLowerCase(Locale.ROOT),
                    decoded.toUpperCase(Locale.ROOT),
                    e.ignoreCase(),
                    e.value()));
        }
        return new RouteTable<>(List.copyOf(compiled), fallback);
    }

    /**
     * The route of a normalised path as sent, escapes and all (an ignore-case route ignoring the case
     * of ASCII letters only).
     *
     * @param hostHeader the request's {@code Host} (with or without port), or null
     */
    public T select(String hostHeader, String path) {
        return select(host(hostHeader), path, path, Reading.AS_SENT);
    }

    /**
     * P5: the route of a request's path, or null when servers would read the path under different
     * routes, since one of those is then the wrong policy for the resource some backend serves, a
     * looser one as likely as a stricter one (each found by probing), so neither is chosen:
     *
     * <ul>
     *   <li>Segment parameters: a Servlet container or Spring drops them before it looks the path up
     *       ({@code /admin;x/users} is {@code /admin/users} there), most other servers keep them
     *       ({@code admin;x} is a segment of its own, {@code /public;/account} is not under {@code
     *       /public}).
     *   <li>Escapes of reserved characters: RFC 3986 keeps {@code %24} apart from {@code $}, but
     *       Tomcat, Spring, werkzeug and nginx decode the whole path ({@code /%24batch} is OData's
     *       {@code /$batch} to them, {@code /admin%3Aexport} is {@code /admin:export}).
     *   <li>On a table with an ignore-case route, letters that are not ASCII: a backend that ignores
     *       case folds the decoded path with Unicode's rules, one lower-casing (the Kelvin sign is
     *       {@code k} to Fastify), another upper-casing (the long s is {@code S}, the dotless i
     *       {@code I}), so a path whose route changes with either fold is refused.
     * </ul>
     */
    public T select(String hostHeader, RequestPath path) {
        String host = host(hostHeader);
        String routed = path.routed();
        T route = select(host, routed, routed, Reading.AS_SENT);
        if (path.path().indexOf(';') >= 0 && select(host, path.path(), path.path(), Reading.AS_SENT) != route) {
            return null;
        }
        if (routed.indexOf('%') < 0) {
            return route;
        }
        String decoded = RequestPath.percentDecoded(routed);
        if (select(host, decoded, decoded, Reading.DECODED) != route) {
            return null;
        }
        if (ignoreCaseRoutes && !ascii(decoded)) {
            if (select(host, decoded, decoded.toLowerCase(Locale.ROOT), Reading.LOWER) != route
                    || select(host, decoded, decoded.toUpperCase(Locale.ROOT), Reading.UPPER) != route) {
                return null;
            }
        }
        return route;
    }

    public T fallback() {
        return fallback;
    }

    /** How a route's prefix is compared with one reading of the path. */
    private enum Reading {
        /** The prefix as written, the path as sent. */
        AS_SENT,
        /** Both with every escape decoded. */
        DECODED,
        /** Both decoded, an ignore-case route's lower-cased (case-sensitive routes as {@link #DECODED}). */
        LOWER,
        /** Both decoded, an ignore-case route's upper-cased. */
        UPPER
    }

    /**
     * @param path the path as the reading has it, unfolded
     * @param folded the same, folded for ignore-case routes under {@code LOWER} and {@code UPPER}
     */
    private T select(String host, String path, String folded, Reading reading) {
        for (Compiled<T> route : routes) {
            if (route.host() != null && !route.host().equals(host)) {
                continue;
            }
            boolean matches = switch (reading) {
                case AS_SENT -> prefixMatches(route.prefix(), path, route.ignoreCase());
                case DECODED -> prefixMatches(route.decoded(), path, route.ignoreCase());
                case LOWER ->
                    route.ignoreCase()
                            ? prefixMatches(route.lower(), folded, true)
                            : prefixMatches(route.decoded(), path, false);
                case UPPER ->
                    route.ignoreCase()
                            ? prefixMatches(route.upper(), folded, true)
                            : prefixMatches(route.decoded(), path, false);
            };
            if (matches) {
                return route.value();
            }
        }
        return fallback;
    }

    private String host(String hostHeader) {
        return hostRoutes && hostHeader != null ? hostWithoutPort(hostHeader) : null;
    }

    private static boolean ascii(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    /** A prefix as {@link #prefixMatches} takes it: without its trailing slash ({@code /} becomes empty). */
    public static String trimPrefix(String prefix) {
        return prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
    }

    /**
     * Segment-aware: {@code /api} matches {@code /api} and {@code /api/x}, never {@code /apix}; with
     * {@code ignoreCase} also {@code /API/x}, ignoring the case of ASCII letters only (Java's own
     * ignore-case comparison would take the Kelvin sign for a k).
     */
    public static boolean prefixMatches(String prefix, String path, boolean ignoreCase) {
        if (prefix.isEmpty()) {
            return true;
        }
        if (path.length() < prefix.length()
                || (path.length() > prefix.length() && path.charAt(prefix.length()) != '/')) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            char a = path.charAt(i);
            char b = prefix.charAt(i);
            if (a != b && !(ignoreCase && asciiLower(a) == asciiLower(b))) {
                return false;
            }
        }
        return true;
    }

    private static char asciiLower(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
    }

    public static String hostWithoutPort(String host) {
        String h = host.trim().toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            return end > 0 ? h.substring(0, end + 1) : h;
        }
        int colon = h.lastIndexOf(':');
        h = colon >= 0 ? h.substring(0, colon) : h;
        return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    }
}
