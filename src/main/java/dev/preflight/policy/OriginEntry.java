package dev.preflight.policy;

import java.net.IDN;
import java.util.Arrays;
import java.util.Locale;

/**
 * One {@code allowed-origins} entry, parsed at load (V2): {@code *}, {@code null}, an origin with
 * an exact or any port ({@code http://localhost:*}), or subdomains of a domain ({@code
 * https://*.example.com}). Scheme and host are lower-cased and a default port dropped, as for a
 * request's {@link Origin}, so both compare as plain strings.
 *
 * <p>A {@code *} stands for one or more whole leftmost labels, written once: {@code
 * https://*.*.example.com} is refused rather than read as "two or more labels", since a single
 * {@code *.} already matches any depth and the doubled form suggests a restriction that would not
 * exist (a regex can say it). A {@code *} needs at least two labels after it ({@code localhost}
 * aside), so that one entry cannot allow every site under a top-level domain.
 *
 * @param host for {@link Kind#SUBDOMAINS} the suffix with its leading dot ({@code .example.com})
 * @param port {@link Origin#NO_PORT}, {@link #ANY_PORT}, or the port
 * @param normalised the entry as it is matched, e.g. {@code https://*.example.com:*}
 */
record OriginEntry(Kind kind, String scheme, String host, int port, String normalised) {

    static final int ANY_PORT = -2;

    static final String EXPECTED =
            "an origin scheme://host[:port], e.g. https://app.example.com, https://*.example.com or http://localhost:*";
    static final String WILDCARD_EXPECTED =
            "a * only as whole leftmost labels or as the whole port, e.g. https://*.example.com or http://localhost:*";

    enum Kind {
        ANY,
        NULL,
        HOST,
        SUBDOMAINS
    }

    /** The entry, or else what was expected instead (with the corrected form where there is one). */
    record Parsed(OriginEntry entry, String expected) {}

    static Parsed parse(String written) {
        String entry = withoutBlankEnds(written);
        String defect = entry.equals(written) ? null : "whitespace";
        // Split on commas and blanks, a no-break space included (a list pasted from a page).
        String[] several = entry.split("[\\s,\\u00a0\\u2007\\u202f\\u200b\\ufeff]+");
        if (several.length > 1 && Arrays.stream(several).allMatch(part -> part.contains("://"))) {
            // Two origins in one string (a space- or comma-separated list pasted whole).
            return invalid("one origin per entry, i.e. \"" + String.join("\", \"", several) + "\"");
        }
        if (entry.equals("*") || entry.equalsIgnoreCase("null")) {
            OriginEntry parsed = entry.equals("*")
                    ? new OriginEntry(Kind.ANY, "", "", Origin.NO_PORT, "*")
                    : new OriginEntry(Kind.NULL, "", "", Origin.NO_PORT, "null");
            return defect == null ? new Parsed(parsed, null) : corrected(defect, parsed);
        }
        int separator = entry.indexOf("://");
        if (separator < 0) {
            Parsed withScheme = parse("https://" + entry);
            return withScheme.entry() != null
                    ? corrected("its scheme", withScheme.entry(), "an origin with")
                    : invalid(entry.contains("*") ? WILDCARD_EXPECTED : EXPECTED);
        }
        String scheme = entry.substring(0, separator).toLowerCase(Locale.ROOT);
        if (!isScheme(scheme)) {
            return invalid(scheme.contains("*") ? WILDCARD_EXPECTED : EXPECTED);
        }
        if (scheme.equals("ws") || scheme.equals("wss")) {
            // A WebSocket handshake's Origin is its page's: an http(s) origin, never ws(s).
            Parsed page = parse((scheme.equals("ws") ? "http" : "https") + entry.substring(separator));
            return page.entry() != null ? asBrowsersWriteIt("the page's scheme", page.entry()) : page;
        }
        String rest = entry.substring(separator + 3);
        int end = firstOf(rest, "/?#");
        if (end < rest.length()) {
            defect = defect != null
                    ? defect
                    : rest.charAt(end) != '/'
                            ? "a query or fragment"
                            : end == rest.length() - 1 ? "a trailing slash" : "a path";
        }
        String authority = rest.substring(0, end);
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            defect = defect != null ? defect : "user info";
            authority = authority.substring(at + 1);
        }
        return hostAndPort(scheme, authority.toLowerCase(Locale.ROOT), defect);
    }

    /** For V4: a loopback host, where plain http cannot be intercepted on the way. */
    boolean isLoopback() {
        return host.equals("localhost")
                || host.endsWith(".localhost")
                || host.equals("[::1]")
                || (kind == Kind.HOST && host.matches("127(\\.\\d{1,3}){3}"));
    }

    private static Parsed hostAndPort(String scheme, String authority, String defect) {
        if (authority.startsWith("[") && authority.indexOf(']') < 0) {
            return invalid("an IPv6 address closed by ], e.g. http://[::1]:8080");
        }
        int portStart = authority.startsWith("[") ? authority.indexOf(']') + 1 : authority.indexOf(':');
        if (portStart <= 0) {
            portStart = authority.startsWith("[") ? 0 : authority.length();
        }
        String host = authority.substring(0, portStart);
        String portText = authority.substring(portStart);
        int port = port(portText, scheme);
        if (port == Integer.MIN_VALUE) {
            return invalid(
                    portText.contains("*") ? WILDCARD_EXPECTED : "a port 1..65535 or *, e.g. http://localhost:8080");
        }
        String portSuffix = port == ANY_PORT ? ":*" : port == Origin.NO_PORT ? "" : ":" + port;
        if (host.startsWith("[")) {
            String canonical = HostAddresses.ipv6(host);
            if (canonical == null) {
                return invalid(EXPECTED);
            }
            OriginEntry written =
                    new OriginEntry(Kind.HOST, scheme, canonical, port, scheme + "://" + canonical + portSuffix);
            return canonical.equals(host) ? result(written, defect) : asBrowsersWriteIt("the address", written);
        }
        return labels(scheme, host, port, portSuffix, defect);
    }

    private static Parsed labels(String scheme, String host, int port, String portSuffix, String defect) {
        String[] labels = host.split("\\.", -1);
        int wildcards = 0;
        while (wildcards < labels.length && labels[wildcards].equals("*")) {
            wildcards++;
        }
        for (int i = wildcards; i < labels.length; i++) {
            if (labels[i].contains("*")) {
                return invalid(WILDCARD_EXPECTED);
            }
            if (!labels[i].matches("[a-z0-9_-]+")) {
                return internationalised(scheme, host, port, portSuffix);
            }
        }
        String suffix = host.substring(Math.min(host.length(), 2 * wildcards));
        int suffixLabels = labels.length - wildcards;
        if (wildcards == 0) {
            // The URL standard reads an http(s) host ending in a number as an IPv4 address; other
            // schemes' hosts (chrome-extension://...) are opaque.
            String ipv4 =
                    scheme.equals("http") || scheme.equals("https") ? HostAddresses.ipv4(host) : HostAddresses.NOT_IPV4;
            if (ipv4 == null) {
                return invalid("a host name, or an IPv4 address of four numbers 0-255, e.g. http://127.0.0.1:8080");
            }
            if (ipv4 != HostAddresses.NOT_IPV4 && !ipv4.equals(host)) {
                // 127.1, 0x7f.0.0.1, 0177.0.0.1: a browser writes the address in four decimal parts.
                return asBrowsersWriteIt(
                        "the address",
                        new OriginEntry(Kind.HOST, scheme, ipv4, port, scheme + "://" + ipv4 + portSuffix));
            }
            return result(new OriginEntry(Kind.HOST, scheme, host, port, scheme + "://" + host + portSuffix), defect);
        }
        String example = scheme + "://*." + (suffixLabels > 0 ? suffix : "example.com") + portSuffix;
        if (suffixLabels == 0) {
            return invalid(WILDCARD_EXPECTED);
        }
        if (wildcards > 1) {
            return invalid("a single *. in front, which already matches one or more labels, e.g. " + example);
        }
        if (suffixLabels < 2 && !suffix.equals("localhost")) {
            return invalid("a * in front of at least two labels, so that one entry cannot allow a whole top-level"
                    + " domain, e.g. " + scheme + "://*.example." + suffix + portSuffix);
        }
        return result(new OriginEntry(Kind.SUBDOMAINS, scheme, "." + suffix, port, example), defect);
    }

    /** The port, {@link Origin#NO_PORT} when absent or the scheme's default, or MIN_VALUE when invalid. */
    private static int port(String text, String scheme) {
        if (text.isEmpty()) {
            return Origin.NO_PORT;
        }
        if (text.equals(":*")) {
            return ANY_PORT;
        }
        if (!text.matches(":\\d{1,5}")) {
            return Integer.MIN_VALUE;
        }
        int port = Integer.parseInt(text.substring(1));
        if (port < 1 || port > 65535) {
            return Integer.MIN_VALUE;
        }
        return port == Origin.defaultPort(scheme, scheme.length()) ? Origin.NO_PORT : port;
    }

    /**
     * A host with letters beyond ASCII (an internationalised name): browsers send its ASCII form
     * ({@code bücher.example} as {@code xn--bcher-kva.example}), which the entry must be written as.
     */
    private static Parsed internationalised(String scheme, String host, int port, String portSuffix) {
        if (host.chars().allMatch(c -> c < 0x80)) {
            return invalid(EXPECTED);
        }
        String ascii;
        try {
            ascii = IDN.toASCII(host, IDN.USE_STD3_ASCII_RULES).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException notAName) {
            return invalid(EXPECTED);
        }
        return asBrowsersWriteIt(
                "the host", new OriginEntry(Kind.HOST, scheme, ascii, port, scheme + "://" + ascii + portSuffix));
    }

    /** An entry no browser sends as written (V2): the form it sends instead. */
    private static Parsed asBrowsersWriteIt(String what, OriginEntry entry) {
        return new Parsed(null, "an origin with " + what + " as browsers write it, i.e. " + entry.normalised());
    }

    private static Parsed result(OriginEntry entry, String defect) {
        return defect == null ? new Parsed(entry, null) : corrected(defect, entry);
    }

    private static Parsed corrected(String defect, OriginEntry entry) {
        return corrected(defect, entry, "an origin without");
    }

    private static Parsed corrected(String defect, OriginEntry entry, String lead) {
        return new Parsed(null, lead + " " + defect + ", i.e. " + entry.normalised());
    }

    /**
     * Without the blanks around it, those String.strip leaves too: a no-break space (U+00A0, U+202F),
     * a zero-width space or a byte-order mark, pasted with an origin from a web page or a document.
     */
    private static String withoutBlankEnds(String text) {
        int start = 0;
        int end = text.length();
        while (start < end && blank(text.charAt(start))) {
            start++;
        }
        while (end > start && blank(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(start, end);
    }

    private static boolean blank(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || Character.getType(c) == Character.FORMAT;
    }

    private static Parsed invalid(String expected) {
        return new Parsed(null, expected);
    }

    private static boolean isScheme(String scheme) {
        return scheme.matches("[a-z][a-z0-9+.-]*");
    }

    private static int firstOf(String text, String chars) {
        for (int i = 0; i < text.length(); i++) {
            if (chars.indexOf(text.charAt(i)) >= 0) {
                return i;
            }
        }
        return text.length();
    }
}
