package dev.preflight.config;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The configuration cannot be used: every problem found, all at once (V1), warnings included (each
 * says which it is). The message lists them, one rendered {@link ConfigProblem} per line, ready to
 * print.
 */
public final class InvalidConfigException extends Exception {

    private final List<ConfigProblem> problems;
    private final boolean unreadable;

    public InvalidConfigException(List<ConfigProblem> problems) {
        this(problems, false);
    }

    /** @param unreadable the file could not be read at all, rather than read and found wrong */
    InvalidConfigException(List<ConfigProblem> problems, boolean unreadable) {
        super();
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("an invalid configuration has at least one problem");
        }
        this.problems = List.copyOf(problems);
        this.unreadable = unreadable;
    }

    /**
     * The file could not be read (missing, a directory, no permission, or the read failed: no
     * descriptor left), which may pass without anyone editing it again, unlike a problem in its text.
     */
    public boolean unreadable() {
        return unreadable;
    }

    /** Errors and warnings in file order; at least one error. */
    public List<ConfigProblem> problems() {
        return problems;
    }

    @Override
    public String getMessage() {
        return problems.stream().map(ConfigProblem::render).collect(Collectors.joining("\n"));
    }
}
