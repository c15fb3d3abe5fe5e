package dev.preflight.policy;

import java.util.regex.Pattern;

/**
 * A regex tried within a time budget. A user's {@code allowed-origin-regexes} entry is matched against
 * the {@code Origin} any client sends, and a regex with nested wildcards can take seconds, or the whole
 * thread stack, on a crafted one ({@code ([a-z0-9-]+\.)*example\.com} overflowed the stack on a
 * 4,000-label origin and the client got no answer; {@code .*.*.*...!} took 15 s to lint; found by
 * probing). The text is read through a view that looks at the clock every few thousand characters
 * the engine asks for, and gives up when the budget is spent.
 */
final class BoundedMatch {
    /** At run time, per regex and origin: an origin a policy cannot judge this fast is not allowed. */
    static final long RUNTIME_NANOS = 5_000_000;

    private static final int CHECK_EVERY = 4096;

    private BoundedMatch() {}

    /** Whether {@code regex} matches all of {@code text}; null when it could not tell within the budget. */
    static Boolean matches(Pattern regex, String text, long budgetNanos) {
        try {
            return regex.matcher(new Deadline(text, System.nanoTime() + budgetNanos))
                    .matches();
        } catch (OutOfTime | StackOverflowError e) {
            return null;
        }
    }

    private static final class OutOfTime extends RuntimeException {
        OutOfTime() {
            super(null, null, false, false);
        }
    }

    private static final class Deadline implements CharSequence {
        private final String text;
        private final long deadline;
        private int reads;

        Deadline(String text, long deadline) {
            this.text = text;
            this.deadline = deadline;
        }

        @Override
        public char charAt(int index) {
            if (++reads % CHECK_EVERY == 0 && System.nanoTime() - deadline > 0) {
                throw new OutOfTime();
            }
            return text.charAt(index);
        }

        @Override
        public int length() {
            return text.length();
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return text.subSequence(start, end);
        }

        @Override
        public String toString() {
            return text;
        }
    }
}
