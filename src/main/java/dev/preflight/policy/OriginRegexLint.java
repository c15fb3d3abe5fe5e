package dev.preflight.policy;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * V4, beyond "matches any origin": the usual slips in an origin regex, found by trying it on an
 * origin it spells and on that origin with an attacker's name put where the slip lets one in. The
 * origin is the regex read with its escaped dots as dots, each wildcard as nothing, an optional part
 * or a group's first alternative as written, a class as one of its characters and a flag group left
 * out ({@code (?i)https?://(www|app)\.example\.com(:\d+)?.*} reads as
 * {@code https://www.example.com:1}). A regex with anything else in it is not judged. What is found:
 *
 * <ul>
 *   <li>a host may follow: {@code .*} or {@code .+} at the end lets {@code https://app.example.com.evil.example}
 *       through, a host anyone can register (not after a colon: there it meets a port's digits only);
 *   <li>a host may lead: {@code https://.*example\.com} lets {@code https://evilexample.com} through;
 *   <li>any top-level domain: {@code https://app\.example\.[a-z]+} lets {@code https://app.example.evil} through;
 *   <li>a path never matches: an origin has none;
 *   <li>a dot that is not escaped matches any character: {@code https://app.example.com} allows
 *       {@code https://appxexample.com};
 *   <li>a capital letter never matches (without {@code (?i)}): the origin is compared lower-case, so
 *       the entry allows nothing.
 * </ul>
 */
final class OriginRegexLint {
    private static final Pattern FLAGS = Pattern.compile("^\\(\\?[a-zA-Z]+\\)");

    /** How long a regex may take to try one origin at check and reload: twenty times what a request gets. */
    static final long LINT_NANOS = 20 * BoundedMatch.RUNTIME_NANOS;

    static final String SLOW = "takes too long to try on one origin (a wildcard within a wildcard): at run time an"
            + " origin it cannot judge within 5 ms is not allowed, and a crafted one takes that every time; simplify it";

    private OriginRegexLint() {}

    /** Why {@code regex} allows other origins than its author meant, or none at all; empty when it reads as meant. */
    static Optional<String> problem(String written, Pattern regex) {
        try {
            return judged(written, regex);
        } catch (TooSlow e) {
            return Optional.of(SLOW);
        }
    }

    /** Whether {@code regex} matches {@code text}, within {@link #LINT_NANOS}. */
    static boolean tries(Pattern regex, String text) {
        Boolean matched = BoundedMatch.matches(regex, text, LINT_NANOS);
        if (matched == null) {
            throw new TooSlow();
        }
        return matched;
    }

    /** A regex {@link #tries} could not judge in time. */
    static final class TooSlow extends RuntimeException {
        TooSlow() {
            super(null, null, false, false);
        }
    }

    private static Optional<String> judged(String written, Pattern regex) {
        String body = FLAGS.matcher(written).replaceFirst("");
        boolean anyCase = written.substring(0, written.length() - body.length()).contains("i");
        String reading = new Reader(body, '.').origin();
        int authority = reading == null ? -1 : reading.indexOf("://") + 3;
        if (authority < 3) {
            return Optional.empty();
        }
        String scheme = reading.substring(0, authority);
        String raw = reading.substring(authority);
        // A wildcard subdomain reads as ".example.com": tried as a name under it.
        String name = raw.startsWith(".") ? raw.substring(1) : raw;
        String rest = raw.startsWith(".") ? "a" + raw : raw;
        String sample = scheme + rest;
        int path = rest.indexOf('/');
        if (path >= 0) {
            return tries(regex, scheme + rest.substring(0, path))
                    ? Optional.empty() // an optional slash
                    : Optional.of("never matches: an origin has no path, only scheme://host[:port]");
        }
        // After a colon a wildcard can only meet a port's digits: an origin is normalised before it is tried.
        String following = sample + (sample.endsWith(".") ? "evil.example" : ".evil.example");
        if (!sample.endsWith(":") && tries(regex, following)) {
            return Optional.of("also matches " + following
                    + ", a host anyone can register: end it with the host (and (:[0-9]+)? for a port)");
        }
        // "evil" joined to the name a registrar sells (example.com), not to a label under it.
        String leading = scheme + "evil" + name;
        if (dots(host(name)) <= 1 && tries(regex, leading)) {
            return Optional.of("also matches " + leading
                    + ", a host anyone can register: let a wildcard end at a dot, as in https://([a-z0-9-]+[.])?"
                    + "example[.]com");
        }
        String otherTld = otherTopLevelDomain(scheme, rest);
        if (otherTld != null && tries(regex, otherTld)) {
            return Optional.of("also matches " + otherTld + ", any top-level domain: write yours");
        }
        if (!tries(regex, sample)) {
            return Optional.empty();
        }
        String lower = sample.toLowerCase(Locale.ROOT);
        if (!anyCase && !lower.equals(sample) && !tries(regex, lower)) {
            return Optional.of("never matches: origins are compared in lower case, and it asks for capitals");
        }
        String anyChar = new Reader(body, 'x').origin();
        if (anyChar != null && !anyChar.equals(reading) && tries(regex, anyChar)) {
            return Optional.of("also matches " + anyChar + ": an unescaped . matches any character; write \\. or [.]");
        }
        return Optional.empty();
    }

    private static String host(String authority) {
        int colon = authority.indexOf(':');
        return colon < 0 ? authority : authority.substring(0, colon);
    }

    private static long dots(String host) {
        return host.chars().filter(c -> c == '.').count();
    }

    /** The sample with its last label replaced, when the host has a name and a top-level domain. */
    private static String otherTopLevelDomain(String scheme, String rest) {
        String host = host(rest);
        int dot = host.lastIndexOf('.');
        if (dot <= 0 || dot == host.length() - 1 || host.chars().allMatch(c -> c == '.' || Character.isDigit(c))) {
            return null;
        }
        return scheme + host.substring(0, dot + 1) + "evil" + rest.substring(host.length());
    }

    /** Reads a regex as the origin it spells; {@code origin()} is null for what it cannot read. */
    private static final class Reader {
        private final String regex;
        private final char bareDot;
        private int at;

        Reader(String regex, char bareDot) {
            this.regex = regex.startsWith("^") ? regex.substring(1) : regex;
            this.bareDot = bareDot;
        }

        String origin() {
            String first = alternatives();
            return first != null && at == regex.length() ? first : null;
        }

        /** The first alternative up to the end or a closing parenthesis; the others are skipped. */
        private String alternatives() {
            String first = sequence();
            while (first != null && at < regex.length() && regex.charAt(at) == '|') {
                at++;
                if (sequence() == null) {
                    return null;
                }
            }
            return first;
        }

        private String sequence() {
            StringBuilder out = new StringBuilder();
            while (at < regex.length() && regex.charAt(at) != '|' && regex.charAt(at) != ')') {
                String atom = atom();
                if (atom == null) {
                    return null;
                }
                char quantifier = at < regex.length() ? regex.charAt(at) : 0;
                if (quantifier == '*' || quantifier == '+' || quantifier == '?') {
                    at++;
                    // A wildcard stands for nothing (the probes add what it lets through); anything else
                    // optional or repeated for itself once.
                    out.append(atom.equals("\u0000") || quantifier == '*' ? "" : atom);
                } else if (quantifier == '{') {
                    int close = regex.indexOf('}', at);
                    if (close < 0) {
                        return null;
                    }
                    at = close + 1;
                    out.append(atom.equals("\u0000") ? "" : atom);
                } else {
                    out.append(atom.equals("\u0000") ? String.valueOf(bareDot) : atom);
                }
            }
            return out.toString();
        }

        /** One atom as the text it stands for; NUL for a bare dot, whose reading depends on its quantifier. */
        private String atom() {
            char c = regex.charAt(at++);
            switch (c) {
                case '.':
                    return "\u0000";
                case '\\':
                    if (at >= regex.length()) {
                        return null;
                    }
                    char escaped = regex.charAt(at++);
                    return escaped == 'd' ? "1" : Character.isLetterOrDigit(escaped) ? null : String.valueOf(escaped);
                case '[':
                    return charClass();
                case '(':
                    if (regex.startsWith("?:", at)) {
                        at += 2;
                    } else if (at < regex.length() && regex.charAt(at) == '?') {
                        return null;
                    }
                    String group = alternatives();
                    if (group == null || at >= regex.length() || regex.charAt(at) != ')') {
                        return null;
                    }
                    at++;
                    return group;
                case '$':
                    return at == regex.length() ? "" : null;
                default:
                    return Character.isLetterOrDigit(c) || c == ':' || c == '/' || c == '-' ? String.valueOf(c) : null;
            }
        }

        /** A class as its first member: {@code [a-z0-9-]} reads as {@code a}; a negated one is not read. */
        private String charClass() {
            int close = regex.indexOf(']', at + 1);
            if (close < 0 || regex.charAt(at) == '^') {
                return null;
            }
            char first = regex.charAt(at);
            at = close + 1;
            if (first == '\\') {
                return null;
            }
            return String.valueOf(first);
        }
    }
}
