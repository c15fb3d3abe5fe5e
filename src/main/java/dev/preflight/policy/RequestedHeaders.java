package dev.preflight.policy;

import java.util.List;

/**
 * A policy's {@code allowed-headers} against a preflight's {@code Access-Control-Request-Headers}
 * (C4): every line joined, split on commas, items trimmed of blanks, empty items ignored. Read in
 * place, without splitting into new strings, since this runs for every preflight; and a one-line
 * request (what browsers send) is answered from the last few lines asked about when it is one of
 * them ({@link AnswerCache}).
 */
final class RequestedHeaders {

    private static final String AUTHORIZATION = "authorization";

    /**
     * What a request asked: the first name refused, or null, and when none is, the names for {@code
     * Access-Control-Allow-Headers}. Never compared: the {@code equals} the JDK makes for a record at
     * its first call is not made.
     */
    record Answer(String refused, String joined) {}

    private final HeaderNameSet allowed;
    /** {@code allowed-headers} has {@code *}. */
    private final boolean anyButAuthorization;

    private final AnswerCache<Answer> recent = new AnswerCache<>();

    /** @param allowedHeaders {@code allowed-headers} as configured */
    RequestedHeaders(List<String> allowedHeaders) {
        this.allowed = new HeaderNameSet(allowedHeaders);
        this.anyButAuthorization = allowedHeaders.contains("*");
    }

    /** The answer to the request's {@code Access-Control-Request-Headers} lines. */
    Answer check(List<String> lines) {
        if (lines.size() != 1) {
            return answer(lines);
        }
        Answer known = recent.get(lines.getFirst());
        return known != null ? known : recent.put(lines.getFirst(), answer(lines));
    }

    private Answer answer(List<String> lines) {
        String refused = firstRefused(lines, allowed, anyButAuthorization);
        return new Answer(refused, refused == null ? joined(lines) : null);
    }

    /**
     * The first requested name that is not allowed, as written, or null when all are.
     *
     * @param allowed names allowed by name, whatever {@code anyButAuthorization} says
     * @param anyButAuthorization {@code allowed-headers} has {@code *}: any token except {@code
     *     Authorization}, which browsers require to be named (and so do we)
     */
    private static String firstRefused(List<String> lines, HeaderNameSet allowed, boolean anyButAuthorization) {
        for (String line : lines) {
            int from = 0;
            while (from <= line.length()) {
                int comma = line.indexOf(',', from);
                int end = comma < 0 ? line.length() : comma;
                int start = skipBlanks(line, from, end);
                int stop = trimBlanks(line, start, end);
                if (start < stop && !allowed(line, start, stop, allowed, anyButAuthorization)) {
                    return line.substring(start, stop);
                }
                from = end + 1;
            }
        }
        return null;
    }

    /**
     * The requested names for {@code Access-Control-Allow-Headers}, joined with {@code ,}, or null
     * when there are none. A single line already in that form (what browsers send) is returned as
     * it is.
     */
    private static String joined(List<String> lines) {
        if (lines.size() == 1 && isJoined(lines.getFirst())) {
            return lines.getFirst();
        }
        StringBuilder out = new StringBuilder();
        for (String line : lines) {
            int from = 0;
            while (from <= line.length()) {
                int comma = line.indexOf(',', from);
                int end = comma < 0 ? line.length() : comma;
                int start = skipBlanks(line, from, end);
                int stop = trimBlanks(line, start, end);
                if (start < stop) {
                    out.append(out.isEmpty() ? "" : ",").append(line, start, stop);
                }
                from = end + 1;
            }
        }
        return out.isEmpty() ? null : out.toString();
    }

    private static boolean allowed(String line, int start, int stop, HeaderNameSet allowed, boolean any) {
        if (!Tokens.isToken(line, start, stop)) {
            return false;
        }
        if (allowed.contains(line, start, stop)) {
            return true;
        }
        return any
                && !(stop - start == AUTHORIZATION.length()
                        && line.regionMatches(true, start, AUTHORIZATION, 0, AUTHORIZATION.length()));
    }

    // Non-empty, no blanks, no empty items: "content-type,x-requested-with".
    private static boolean isJoined(String line) {
        if (line.isEmpty() || line.charAt(0) == ',' || line.charAt(line.length() - 1) == ',') {
            return false;
        }
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == ' ' || c == '\t' || (c == ',' && line.charAt(i + 1) == ',')) {
                return false;
            }
        }
        return true;
    }

    private static int skipBlanks(String line, int from, int end) {
        while (from < end && isBlank(line.charAt(from))) {
            from++;
        }
        return from;
    }

    private static int trimBlanks(String line, int start, int end) {
        while (end > start && isBlank(line.charAt(end - 1))) {
            end--;
        }
        return end;
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t';
    }
}
