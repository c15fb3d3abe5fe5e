package dev.preflight.policy;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * V4, beyond "matches any origin": the usual slips in an origin regex, found by trying it on the
 * origin it reads as when its escaped dots, anchors and wildcards are taken literally ({@code
 * https://app\.example\.com.*} reads as {@code https://app.example.com}). A regex that does not match
 * its own reading (character classes, alternatives) is not judged. What is found:
 *
 * <ul>
 *   <li>a host may follow: {@code .*} or {@code .+} at the end lets {@code https://app.example.com.evil.example}
 *       through, a host anyone can register (not after a colon: there it meets a port's digits only);
 *   <li>a host may lead: {@code https://.*example\\.com} lets {@code https://evilexample.com} through;
 *   <li>a path never matches: an origin has none;
 *   <li>a dot that is not escaped matches any character: {@code https://app.example.com} allows
 *       {@code https://appxexample.com};
 *   <li>a capital letter never matches: the origin is compared lower-case (scheme and host), so the
 *       entry allows nothing.
 * </ul>
 */
final class OriginRegexLint {
    private static final String EVIL_SUFFIX = ".evil.example";

    private OriginRegexLint() {}

    /** Why {@code regex} allows other origins than its author meant, or none at all; empty when it reads as meant. */
    static Optional<String> problem(String written, Pattern regex) {
        String reading = reading(written, '.');
        int authority = reading == null ? -1 : reading.indexOf("://") + 3;
        if (authority < 3) {
            return Optional.empty();
        }
        String scheme = reading.substring(0, authority);
        String rest = reading.substring(authority);
        if (rest.contains("/")) {
            return regex.matcher(reading).matches() || reading.endsWith("/")
                    ? Optional.of("never matches: an origin has no path, only scheme://host[:port]")
                    : Optional.empty();
        }
        // After a colon a wildcard can only meet a port's digits: an origin is normalised before it is tried.
        if (!reading.endsWith(":") && regex.matcher(reading + EVIL_SUFFIX).matches()) {
            return Optional.of("also matches " + reading + EVIL_SUFFIX
                    + ", a host anyone can register: end it with the host (and (:[0-9]+)? for a port)");
        }
        if (!rest.startsWith(".") && regex.matcher(scheme + "evil" + rest).matches()) {
            return Optional.of("also matches " + scheme + "evil" + rest
                    + ", a host anyone can register: a wildcard before a name must end at a dot, e.g. "
                    + scheme + "([a-z0-9-]+[.])?" + rest.replace(".", "[.]"));
        }
        if (!regex.matcher(reading).matches()) {
            return Optional.empty();
        }
        String lower = reading.toLowerCase(Locale.ROOT);
        if (!lower.equals(reading) && !regex.matcher(lower).matches()) {
            return Optional.of("never matches: origins are compared in lower case, and it asks for capitals");
        }
        String anyChar = reading(written, 'x');
        if (!anyChar.equals(reading) && regex.matcher(anyChar).matches()) {
            return Optional.of("also matches " + anyChar + ": an unescaped . matches any character; write \\. or [.]");
        }
        return Optional.empty();
    }

    /**
     * The origin {@code regex} spells when read literally, with {@code bareDot} for an unescaped dot;
     * null when it has more than a literal can stand for (a class, a group, an alternative).
     */
    private static String reading(String regex, char bareDot) {
        String body = regex;
        if (body.startsWith("^")) {
            body = body.substring(1);
        }
        if (body.endsWith("$") && !body.endsWith("\\$")) {
            body = body.substring(0, body.length() - 1);
        }
        StringBuilder out = new StringBuilder(body.length());
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            char next = i + 1 < body.length() ? body.charAt(i + 1) : 0;
            if (c == '\\' && next == '.') {
                out.append('.');
                i++;
            } else if (c == '.' && (next == '*' || next == '+')) {
                i++; // the wildcard stands for nothing here; the probes add what it lets through
            } else if (c == '.') {
                out.append(bareDot);
            } else if (Character.isLetterOrDigit(c) || c == ':' || c == '/' || c == '-') {
                out.append(c);
            } else {
                return null;
            }
        }
        return out.toString();
    }
}
