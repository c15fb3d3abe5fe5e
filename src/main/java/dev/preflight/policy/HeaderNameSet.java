package dev.preflight.policy;

import java.util.Collection;
import java.util.Locale;

/**
 * A set of header names looked up case-insensitively by a region of a request header line, so that
 * checking {@code Access-Control-Request-Headers} allocates nothing. Open addressing over lower-case
 * names, at most half full; built once per policy.
 */
final class HeaderNameSet {

    private final String[] table;
    private final int mask;

    /** @param names RFC 9110 tokens, any case */
    HeaderNameSet(Collection<String> names) {
        int capacity = Integer.highestOneBit(Math.max(1, names.size()) * 4 - 1) * 2;
        this.table = new String[capacity];
        this.mask = capacity - 1;
        for (String name : names) {
            String lower = name.toLowerCase(Locale.ROOT);
            if (!contains(lower, 0, lower.length())) {
                int slot = hash(lower, 0, lower.length()) & mask;
                while (table[slot] != null) {
                    slot = (slot + 1) & mask;
                }
                table[slot] = lower;
            }
        }
    }

    /** Whether {@code line[from, to)} is one of the names, ignoring ASCII case. */
    boolean contains(String line, int from, int to) {
        int length = to - from;
        for (int slot = hash(line, from, to) & mask; table[slot] != null; slot = (slot + 1) & mask) {
            String name = table[slot];
            if (name.length() == length && name.regionMatches(true, 0, line, from, length)) {
                return true;
            }
        }
        return false;
    }

    private static int hash(String text, int from, int to) {
        int h = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            h = 31 * h + (c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
        }
        return h ^ (h >>> 16);
    }
}
