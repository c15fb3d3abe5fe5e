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

    private record Compiled<T>(String host, String prefix, boolean ignoreCase, T value) {}

    private final List<Compiled<T>> routes;
    private final T fallback;
    // Whether any route names a host: only then is the request's Host worked out (issue 7).
    private final boolean hostRoutes;

    private RouteTable(List<Compiled<T>> routes, T fallback) {
        this.routes = routes;
        this.fallback = fallback;
        this.hostRoutes = routes.stream().anyMatch(route -> route.host() != null);
    }

    public static <S, T> RouteTable<T> of(List<S> routes, Function<S, Entry<T>> entry, T fallback) {
        List<Compiled<T>> compiled = new ArrayList<>(routes.size());
        for (S route : routes) {
            Entry<T> e = entry.apply(route);
            compiled.add(new Compiled<>(
                    e.host().map(h -> h.toLowerCase(Locale.ROOT)).orElse(null),
                    trimPrefix(e.pathPrefix()),
                    e.ignoreCase(),
                    e.value()));
        }
        return new RouteTable<>(List.copyOf(compiled), fallback);
    }

    /**
     * @param hostHeader the request's {@code Host} (with or without port), or null
     * @param path the normalised path
     */
    public T select(String hostHeader, String path) {
        String host = hostRoutes && hostHeader != null ? hostWithoutPort(hostHeader) : null;
        for (Compiled<T> route : routes) {
            if (route.host() != null && !route.host().equals(host)) {
                continue;
            }
            if (prefixMatches(route.prefix(), path, route.ignoreCase())) {
                return route.value();
            }
        }
        return fallback;
    }

    /**
     * P5: the route of a request's path, or null when its segment parameters make that ambiguous. A
     * Servlet container or Spring drops a segment's parameters before it looks the path up ({@code
     * /admin;x/users} is {@code /admin/users} there); most other servers keep them ({@code admin;x} is
     * a segment of its own, and {@code /public;/account} is not under {@code /public}). When the path
     * read both ways matches different routes, one of them is the wrong policy for the resource some
     * backend serves, a looser one as likely as a stricter one (found by probing), so neither is chosen.
     */
    public T select(String hostHeader, RequestPath path) {
        T route = select(hostHeader, path.routed());
        if (path.path().indexOf(';') >= 0 && select(hostHeader, path.path()) != route) {
            return null;
        }
        return route;
    }

    public T fallback() {
        return fallback;
    }

    /** A prefix as {@link #prefixMatches} takes it: without its trailing slash ({@code /} becomes empty). */
    static String trimPrefix(String prefix) {
        return prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
    }

    /**
     * Segment-aware: {@code /api} matches {@code /api} and {@code /api/x}, never {@code /apix}; with
     * {@code ignoreCase} also {@code /API/x}.
     */
    static boolean prefixMatches(String prefix, String path, boolean ignoreCase) {
        if (prefix.isEmpty() || startsWithSegments(prefix, path, ignoreCase)) {
            return true;
        }
        if (!ignoreCase || path.indexOf('%') < 0) {
            return false;
        }
        // A backend that ignores case decodes the path first and folds it with Unicode's rules, under
        // which letters that are not ASCII become ASCII ones: the Kelvin sign K (%E2%84%AA) lower-cases
        // to k, the long s (%C5%BF) upper-cases to S, the dotless i to I, the ligature fi to FI (found
        // by probing: /%E2%84%AAiosk/x was /kiosk/x to Fastify's case-insensitive router).
        String decoded = RequestPath.percentDecoded(path);
        return startsWithSegments(prefix, decoded.toLowerCase(Locale.ROOT), true)
                || startsWithSegments(prefix, decoded.toUpperCase(Locale.ROOT), true);
    }

    private static boolean startsWithSegments(String prefix, String path, boolean ignoreCase) {
        return path.regionMatches(ignoreCase, 0, prefix, 0, prefix.length())
                && (path.length() == prefix.length() || path.charAt(prefix.length()) == '/');
    }

    static String hostWithoutPort(String host) {
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
