package dev.preflight.config;

import java.util.Collection;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.Collectors;

/** The "did you mean" hint for an unknown key: the closest known sibling by edit distance. */
final class KeyHints {

    private KeyHints() {}

    /** {@code did you mean allowed-origins?}, or {@code one of: a, b, c} when nothing is close. */
    static String hint(String unknown, Collection<String> known) {
        String closest = known.stream()
                .min(Comparator.comparingInt((String k) -> distance(unknown, k)).thenComparing(k -> k))
                .orElse(null);
        if (closest != null && isClose(unknown, closest)) {
            return "did you mean " + closest + "?";
        }
        return "one of: " + known.stream().sorted().collect(Collectors.joining(", "));
    }

    // Two edits catch typos and camelCase (maxAge); a third of the longer name catches longer
    // slips and truncations (max-header for max-header-size) without pairing unrelated words.
    private static boolean isClose(String unknown, String known) {
        int distance = distance(unknown, known);
        return distance <= 2 || distance <= Math.max(unknown.length(), known.length()) / 3;
    }

    /** Levenshtein distance, ignoring case: {@code allowedOrigins} is one edit from {@code allowed-origins}. */
    static int distance(String a, String b) {
        String s = a.toLowerCase(Locale.ROOT);
        String t = b.toLowerCase(Locale.ROOT);
        int[] previous = new int[t.length() + 1];
        int[] current = new int[t.length() + 1];
        for (int j = 0; j <= t.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= s.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= t.length(); j++) {
                int substitution = previous[j - 1] + (s.charAt(i - 1) == t.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[t.length()];
    }
}
