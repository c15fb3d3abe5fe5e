package dev.preflight.policy;

import java.util.Optional;

/**
 * Something wrong (or risky) in a {@code cors} block, found when it is compiled (V2-V5). The config
 * package turns it into a problem with the full HOCON path and {@code file:line}.
 *
 * @param key the key, e.g. {@code allowed-origins}
 * @param index the list element, or {@link #WHOLE_KEY}
 * @param value the offending value, as it was given
 * @param expected for an error, what would have been accepted, with the corrected form where there
 *     is one; for a warning, why the value is risky
 * @param relatedKey for a problem of two keys together (credentials with {@code *}), the other one:
 *     a route that overrides either key has the problem, even if it inherits the other
 */
public record PolicyProblem(
        Severity severity, String key, int index, String value, String expected, Optional<String> relatedKey) {

    public static final int WHOLE_KEY = -1;

    /** Errors make a configuration invalid; warnings are printed and the configuration is used. */
    public enum Severity {
        ERROR,
        WARNING
    }

    static PolicyProblem error(String key, int index, String value, String expected) {
        return new PolicyProblem(Severity.ERROR, key, index, value, expected, Optional.empty());
    }

    static PolicyProblem warning(String key, int index, String value, String why) {
        return new PolicyProblem(Severity.WARNING, key, index, value, why, Optional.empty());
    }

    PolicyProblem relatedTo(String otherKey) {
        return new PolicyProblem(severity, key, index, value, expected, Optional.of(otherKey));
    }

    public boolean isError() {
        return severity == Severity.ERROR;
    }

    /** {@code allowed-origins[2]}, or the key alone. */
    public String path() {
        return index == WHOLE_KEY ? key : key + "[" + index + "]";
    }

    /** {@code allowed-origins[0]: https://a.com/ (expected: ...)}, or {@code (warning: ...)}. */
    public String render() {
        return path() + ": " + value + (isError() ? " (expected: " : " (warning: ") + expected + ")";
    }
}
