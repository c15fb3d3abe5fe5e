package dev.preflight.config;

import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.util.Comparator;

/**
 * One thing wrong with a configuration (V1), rendered as
 * {@code preflight.upstream.connect-timeout (conf/application.conf:7): -5s (expected: a duration > 0, e.g. 5s)}.
 *
 * @param path the HOCON path, e.g. {@code preflight.routes[1].cors.max-age}; empty for problems of
 *     the file as a whole (unreadable, syntax error)
 * @param location {@code file:line}, or a description such as {@code env PREFLIGHT_PORT}; empty when
 *     the value is missing altogether
 * @param value the value as written, or what is wrong ({@code missing}, {@code unknown key})
 * @param expected what would have been accepted; a hint starting with {@code did you mean} is shown
 *     as it is, anything else after {@code expected:}; empty for none. For a warning, why the value
 *     is risky, shown after {@code warning:}
 * @param severity errors make the configuration invalid; warnings (V4) are printed and it is used
 */
public record ConfigProblem(String path, String location, String value, String expected, Severity severity) {

    private static final String HINT_PREFIX = "did you mean ";

    public enum Severity {
        ERROR,
        WARNING
    }

    /** An error. */
    public ConfigProblem(String path, String location, String value, String expected) {
        this(path, location, value, expected, Severity.ERROR);
    }

    /**
     * By source, then line: the order in which a reader goes through the file. Problems without a
     * location (something missing) come first; ties keep the order they were found in. Written out:
     * {@code Comparator.comparing(..).thenComparingInt(..)} links lambdas of the JDK's own at every
     * start, which the AOT cache does not keep (issue 7).
     */
    static final Comparator<ConfigProblem> FILE_ORDER = ConfigProblem::inFileOrder;

    private static int inFileOrder(ConfigProblem a, ConfigProblem b) {
        int bySource = a.source().compareTo(b.source());
        return bySource != 0 ? bySource : Integer.compare(a.line(), b.line());
    }

    /** A problem of the whole file: {@code render()} gives just the message. */
    static ConfigProblem ofFile(String location, String message) {
        return new ConfigProblem("", location, message, "");
    }

    /** A problem with {@code value} as written and where, or that it is missing when null. */
    static ConfigProblem of(String path, ConfigValue value, String expected) {
        return value == null
                ? new ConfigProblem(path, "", "missing", expected)
                : new ConfigProblem(path, location(value.origin()), render(value), expected);
    }

    public boolean isWarning() {
        return severity == Severity.WARNING;
    }

    public String render() {
        StringBuilder out = new StringBuilder(path);
        if (!location.isEmpty()) {
            out.append(path.isEmpty() ? location : " (" + location + ")");
        }
        if (out.length() > 0) {
            out.append(": ");
        }
        out.append(value);
        if (!expected.isEmpty()) {
            out.append(isWarning() ? " (warning: " : expected.startsWith(HINT_PREFIX) ? " (" : " (expected: ")
                    .append(expected)
                    .append(')');
        }
        return out.toString();
    }

    /** {@code file:line} when the origin knows them, else its description, e.g. {@code env PREFLIGHT_PORT}. */
    static String location(ConfigOrigin origin) {
        if (origin == null) {
            return "";
        }
        String source = origin.filename() != null ? origin.filename() : withoutLine(origin);
        return origin.lineNumber() >= 0 ? source + ":" + origin.lineNumber() : source;
    }

    /**
     * A value as the user wrote it: strings without quotes unless that would hide blanks; then quoted,
     * with what cannot be seen (a control character, a no-break or zero-width space) as {@code \\uXXXX}.
     */
    static String render(ConfigValue value) {
        if (value.valueType() != ConfigValueType.STRING) {
            return value.render(ConfigRenderOptions.concise());
        }
        return render((String) value.unwrapped());
    }

    /** A string value as {@link #render(ConfigValue)} shows it. */
    static String render(String text) {
        StringBuilder shown = new StringBuilder(text.length() + 2).append('"');
        boolean hidden = text.isEmpty() || !text.equals(text.strip());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                shown.append('\\').append(c);
            } else if (c == ' '
                    || !(Character.isISOControl(c)
                            || Character.isSpaceChar(c)
                            || Character.getType(c) == Character.FORMAT)) {
                shown.append(c);
            } else {
                hidden = true;
                shown.append(String.format("\\u%04x", (int) c));
            }
        }
        return hidden ? shown.append('"').toString() : text;
    }

    private String source() {
        int colon = location.lastIndexOf(':');
        return line() == Integer.MAX_VALUE ? location : location.substring(0, colon);
    }

    private int line() {
        int colon = location.lastIndexOf(':');
        String digits = colon < 0 ? "" : location.substring(colon + 1);
        return !digits.isEmpty() && digits.chars().allMatch(Character::isDigit) && digits.length() < 10
                ? Integer.parseInt(digits)
                : Integer.MAX_VALUE;
    }

    // description() appends ": <line>" to the description the origin was created with.
    private static String withoutLine(ConfigOrigin origin) {
        String description = origin.description();
        String suffix = ": " + origin.lineNumber();
        return origin.lineNumber() >= 0 && description.endsWith(suffix)
                ? description.substring(0, description.length() - suffix.length())
                : description;
    }
}
