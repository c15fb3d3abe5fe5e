package dev.preflight.policy;

import java.util.Locale;

/**
 * A request's {@code Origin} (or the request's own origin, for C2), parsed and normalised: scheme
 * and host lower-case, a default port dropped, so that {@code HTTPS://A.com:443} is {@code
 * https://a.com}. Anything that is not a serialised origin ({@code scheme://host[:port]} or {@code
 * null}) is malformed and never matches (C12): a path or trailing slash, user info, a query, blanks,
 * an empty or non-numeric port, a list of origins.
 *
 * <p>Parsed once per request without regexes; the normalised string is the value itself unless it
 * had upper-case letters or a default port, which browsers never send.
 */
final class Origin {

    /** The port of an origin without one, or with its scheme's default port. */
    static final int NO_PORT = -1;

    static final Origin NULL = new Origin("null", 0, 0, NO_PORT);

    private final String normalised;
    private final int schemeLength;
    private final int hostEnd;
    private final int port;

    private static final int MAX_HOST = 253;
    private static final int MAX_SCHEME = 32;

    private Origin(String normalised, int schemeLength, int hostEnd, int port) {
        this.normalised = normalised;
        this.schemeLength = schemeLength;
        this.hostEnd = hostEnd;
        this.port = port;
    }

    /** The parsed origin, or {@code null} when {@code value} is malformed. */
    static Origin parse(String value) {
        if (value.equals("null")) {
            return NULL;
        }
        int schemeLength = value.indexOf("://");
        if (schemeLength <= 0 || !isScheme(value, schemeLength)) {
            return null;
        }
        int hostStart = schemeLength + 3;
        int hostEnd = hostEnd(value, hostStart);
        // No page is served from a host longer than DNS allows (253), and a policy's regexes need not
        // try one: a crafted 8 KB origin overflowed a regex's stack (found by probing).
        if (hostEnd < 0 || hostEnd - hostStart > MAX_HOST || schemeLength > MAX_SCHEME) {
            return null;
        }
        int port = NO_PORT;
        if (hostEnd < value.length()) {
            if (value.charAt(hostEnd) != ':') {
                return null;
            }
            port = port(value, hostEnd + 1);
            if (port < 0) {
                return null;
            }
        }
        boolean defaultPort = port != NO_PORT && port == defaultPort(value, schemeLength);
        if (defaultPort) {
            port = NO_PORT;
        }
        String normalised = defaultPort || hasUpperCase(value, hostEnd)
                ? value.substring(0, hostEnd).toLowerCase(Locale.ROOT) + (port == NO_PORT ? "" : ":" + port)
                : value;
        return new Origin(normalised, schemeLength, hostEnd, port);
    }

    /** E.g. {@code https://app.example.com:8443}, or {@code null}. */
    String normalised() {
        return normalised;
    }

    boolean isNull() {
        return this == NULL;
    }

    /** @param scheme lower-case */
    boolean hasScheme(String scheme) {
        return schemeLength == scheme.length() && normalised.startsWith(scheme);
    }

    /** @param schemeAndHost lower-case {@code scheme://host} */
    boolean hasSchemeAndHost(String schemeAndHost) {
        return hostEnd == schemeAndHost.length() && normalised.startsWith(schemeAndHost);
    }

    /**
     * Whether the host is one or more labels followed by {@code suffix}; host labels are never
     * empty, so a host longer than the suffix has at least one label in front of it.
     *
     * @param suffix lower-case, starting with a dot: {@code .example.com}
     */
    boolean hostHasSuffix(String suffix) {
        int start = hostEnd - suffix.length();
        return start > schemeLength + 3 && normalised.startsWith(suffix, start);
    }

    /**
     * Whether {@code value}, a {@code scheme://host...} string, has this origin's host right after its
     * scheme, ignoring case. Its parsed host can equal this one's only then, so this rules most
     * values out without parsing them.
     */
    boolean hostMayMatch(String value) {
        int scheme = value.indexOf("://");
        int hostStart = schemeLength + 3;
        return scheme > 0 && value.regionMatches(true, scheme + 3, normalised, hostStart, hostEnd - hostStart);
    }

    /** The port, or {@link #NO_PORT}. */
    int port() {
        return port;
    }

    @Override
    public String toString() {
        return normalised;
    }

    static int defaultPort(String value, int schemeLength) {
        return switch (schemeLength) {
            case 2 -> value.regionMatches(true, 0, "ws", 0, 2) ? 80 : NO_PORT;
            case 3 -> value.regionMatches(true, 0, "wss", 0, 3) ? 443 : NO_PORT;
            case 4 -> value.regionMatches(true, 0, "http", 0, 4) ? 80 : NO_PORT;
            case 5 -> value.regionMatches(true, 0, "https", 0, 5) ? 443 : NO_PORT;
            default -> NO_PORT;
        };
    }

    // RFC 3986: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
    private static boolean isScheme(String value, int end) {
        for (int i = 0; i < end; i++) {
            char c = value.charAt(i);
            boolean alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
            if (!alpha && (i == 0 || !((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'))) {
                return false;
            }
        }
        return true;
    }

    /** Where the host ends (at a colon or the end), or -1 when it is empty or malformed. */
    private static int hostEnd(String value, int start) {
        if (start < value.length() && value.charAt(start) == '[') {
            int close = value.indexOf(']', start);
            for (int i = start + 1; i < close; i++) {
                char c = value.charAt(i);
                if (!(isHexDigit(c) || c == ':' || c == '.')) {
                    return -1;
                }
            }
            return close > start + 1 ? close + 1 : -1;
        }
        int i = start;
        char previous = '.';
        for (; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == ':') {
                break;
            }
            boolean label =
                    (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
            if (!label && !(c == '.' && previous != '.')) {
                return -1; // a slash, '@', '?', '#', a blank, a comma, '*', or an empty label
            }
            previous = c;
        }
        // A fully qualified name's trailing dot ("app.example.com.") is a host of its own to a browser,
        // sent as the page's origin: valid, and equal only to itself. A host of dots only is not.
        boolean empty = i == start || (previous == '.' && i == start + 1);
        boolean twoDots = previous == '.' && i >= start + 2 && value.charAt(i - 2) == '.';
        return empty || twoDots ? -1 : i;
    }

    /** 1..65535 without leading zeros, up to the end; -1 otherwise. */
    private static int port(String value, int start) {
        int length = value.length() - start;
        if (length < 1 || length > 5 || value.charAt(start) == '0') {
            return -1;
        }
        int port = 0;
        for (int i = start; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            port = port * 10 + (c - '0');
        }
        return port <= 65535 ? port : -1;
    }

    private static boolean isHexDigit(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static boolean hasUpperCase(String value, int end) {
        for (int i = 0; i < end; i++) {
            char c = value.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                return true;
            }
        }
        return false;
    }
}
