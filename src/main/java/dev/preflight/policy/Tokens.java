package dev.preflight.policy;

/**
 * RFC 9110 tokens ({@code 1*tchar}), the syntax of method and header names (V5), and of route names.
 * A lookup table, since request headers are checked with it on every preflight.
 */
public final class Tokens {

    private static final boolean[] TCHAR = new boolean[128];

    static {
        for (char c = '0'; c <= '9'; c++) {
            TCHAR[c] = true;
        }
        for (char c = 'a'; c <= 'z'; c++) {
            TCHAR[c] = true;
            TCHAR[c - 'a' + 'A'] = true;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TCHAR[c] = true;
        }
    }

    private Tokens() {}

    public static boolean isToken(CharSequence text) {
        return isToken(text, 0, text.length());
    }

    /** Whether {@code text[from, to)} is a non-empty token. */
    static boolean isToken(CharSequence text, int from, int to) {
        if (from >= to) {
            return false;
        }
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c >= 128 || !TCHAR[c]) {
                return false;
            }
        }
        return true;
    }
}
