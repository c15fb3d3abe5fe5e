package dev.preflight.policy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A request target's path as routes see it (P5): percent-encoded unreserved characters decoded, dot
 * segments removed, duplicate slashes collapsed. The same normalised path is what the upstream
 * receives, so a request cannot match one route here and reach another route's resource there. An
 * encoded slash or backslash, a literal backslash, or a dot segment with parameters ({@code ..;})
 * makes the path ambiguous between servers and is refused.
 *
 * @param path the normalised path, starting with {@code /}
 * @param query the query as received, without {@code ?}, or null
 */
public record RequestPath(String path, String query) {

    /**
     * The path routes and path prefixes are matched against: {@link #path} without each segment's
     * parameters ({@code /api/private;x/secret} is {@code /api/private/secret}). A Servlet container
     * (Tomcat, Jetty) and Spring's matching drop them before they look a path up, so a request whose
     * parameters kept it out of a route's prefix here would reach that route's resource there under
     * another route's policy (P5). A backend that keeps them sees another resource, which the stricter
     * route then covers: safe either way. The upstream still gets {@link #path}, parameters and all.
     * A segment that is all parameters leaves an empty one, collapsed as those servers collapse it
     * after dropping parameters ({@code /;/admin} is {@code /admin}, not {@code //admin}, which no
     * prefix matches: found by probing).
     */
    public String routed() {
        if (path.indexOf(';') < 0) {
            return path;
        }
        StringBuilder out = new StringBuilder(path.length());
        int i = 0;
        while (i < path.length()) {
            char c = path.charAt(i);
            if (c == ';') {
                int next = path.indexOf('/', i);
                i = next < 0 ? path.length() : next;
            } else {
                out.append(c);
                i++;
            }
        }
        // No ';' is left, so no dot segment with parameters: never null.
        return removeDotSegments(out.toString());
    }

    /** The target to send upstream: the normalised path and the original query. */
    public String target() {
        return query == null ? path : path + "?" + query;
    }

    /**
     * A request's target as the proxy routes it: an absolute-form one by its path and query (the
     * destination comes from the configuration only, P4). {@code explain} takes its path this way too.
     *
     * @return null when the path must be refused with 400
     */
    public static RequestPath ofTarget(String target) {
        // A '#' in an absolute-form target's authority (http://a#/x) would be dropped with it below.
        return target.indexOf('#') >= 0 ? null : parse(originForm(target));
    }

    /**
     * The destination comes from the configuration only (P4): an absolute-form target keeps just its
     * path and query.
     */
    public static String originForm(String target) {
        if (target.startsWith("/") || target.equals("*")) {
            return target;
        }
        int scheme = target.indexOf("://");
        if (scheme < 0) {
            return target;
        }
        int pathStart = scheme + 3;
        while (pathStart < target.length() && target.charAt(pathStart) != '/' && target.charAt(pathStart) != '?') {
            pathStart++;
        }
        if (pathStart == target.length()) {
            return "/";
        }
        return target.charAt(pathStart) == '?' ? "/" + target.substring(pathStart) : target.substring(pathStart);
    }

    /**
     * @param originForm an origin-form target ({@code /a/b?q}), or {@code *}
     * @return null when the path must be refused with 400
     */
    public static RequestPath parse(String originForm) {
        if (originForm.equals("*")) {
            return new RequestPath("*", null);
        }
        // RFC 9112 3.2: no request target has a fragment. One was cut only ahead of a query (/p#f?x=1
        // went on as /p?x=1, /p?x=1#f whole): a '#' is refused wherever it is (found by probing).
        if (originForm.indexOf('#') >= 0) {
            return null;
        }
        int q = originForm.indexOf('?');
        int end = q >= 0 ? q : originForm.length();
        String rawPath = originForm.substring(0, end);
        String query = q >= 0 ? originForm.substring(q + 1) : null;
        if (!rawPath.startsWith("/")) {
            return null;
        }
        String decoded = decodeUnreserved(rawPath);
        if (decoded == null) {
            return null;
        }
        String path = removeDotSegments(decoded);
        return path == null ? null : new RequestPath(path, query);
    }

    /**
     * Every {@code %XX} decoded, the bytes read as UTF-8 (what is not UTF-8 becomes U+FFFD): the path
     * as a server that decodes it before matching sees it. Only for comparisons, never sent.
     */
    static String percentDecoded(String path) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(path.length());
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            int hi = c == '%' && i + 2 < path.length() ? Character.digit(path.charAt(i + 1), 16) : -1;
            int lo = hi >= 0 ? Character.digit(path.charAt(i + 2), 16) : -1;
            if (lo >= 0) {
                bytes.write(hi * 16 + lo);
                i += 2;
            } else {
                bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** Decodes %XX only for unreserved characters (RFC 3986 6.2.2.2); null for %2F, %5C, \ or bad %. */
    private static String decodeUnreserved(String raw) {
        if (raw.indexOf('%') < 0 && raw.indexOf('\\') < 0) {
            return raw;
        }
        StringBuilder out = new StringBuilder(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '\\') {
                return null;
            }
            if (c != '%') {
                out.append(c);
                continue;
            }
            if (i + 2 >= raw.length()) {
                return null;
            }
            int hi = Character.digit(raw.charAt(i + 1), 16);
            int lo = Character.digit(raw.charAt(i + 2), 16);
            if (hi < 0 || lo < 0) {
                return null;
            }
            char decoded = (char) (hi * 16 + lo);
            if (decoded == '/' || decoded == '\\') {
                return null;
            }
            if (isUnreserved(decoded)) {
                out.append(decoded);
            } else {
                out.append('%')
                        .append(Character.toUpperCase(raw.charAt(i + 1)))
                        .append(Character.toUpperCase(raw.charAt(i + 2)));
            }
            i += 2;
        }
        return out.toString();
    }

    private static boolean isUnreserved(char c) {
        return (c >= 'a' && c <= 'z')
                || (c >= 'A' && c <= 'Z')
                || (c >= '0' && c <= '9')
                || c == '-'
                || c == '.'
                || c == '_'
                || c == '~';
    }

    /**
     * RFC 3986 5.2.4, with empty segments (duplicate slashes) dropped too; null for a dot segment with
     * parameters ({@code ..;x}, {@code .;x}): RFC 3986 leaves it alone, but a Servlet container strips
     * a segment's parameters first and then takes it for {@code ..}, so {@code /public/..;/admin} would
     * be routed here as under {@code /public} and served there as {@code /admin}.
     */
    private static String removeDotSegments(String path) {
        if (path.indexOf("/.") < 0 && path.indexOf("//") < 0) {
            return path;
        }
        List<String> segments = new ArrayList<>();
        String[] parts = path.split("/", -1);
        boolean trailingSlash = false;
        for (int i = 1; i < parts.length; i++) {
            String segment = parts[i];
            boolean last = i == parts.length - 1;
            switch (segment) {
                case "", "." -> trailingSlash = last;
                case ".." -> {
                    if (!segments.isEmpty()) {
                        segments.remove(segments.size() - 1);
                    }
                    trailingSlash = last;
                }
                default -> {
                    if (segment.startsWith(".;") || segment.startsWith("..;")) {
                        return null;
                    }
                    segments.add(segment);
                    trailingSlash = false;
                }
            }
        }
        StringBuilder out = new StringBuilder(path.length());
        for (String segment : segments) {
            out.append('/').append(segment);
        }
        if (trailingSlash || segments.isEmpty()) {
            out.append('/');
        }
        return out.toString();
    }
}
