package dev.preflight.testing;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Header look-ups over a list of header lines as they were on the wire (names case-insensitive). */
final class HeaderLines {
    private HeaderLines() {}

    static String first(List<Map.Entry<String, String>> headers, String name) {
        List<String> values = all(headers, name);
        return values.isEmpty() ? null : values.getFirst();
    }

    static List<String> all(List<Map.Entry<String, String>> headers, String name) {
        return headers.stream()
                .filter(h -> h.getKey().equalsIgnoreCase(name))
                .map(Map.Entry::getValue)
                .toList();
    }

    static List<String> names(List<Map.Entry<String, String>> headers) {
        return headers.stream().map(h -> h.getKey().toLowerCase(Locale.ROOT)).toList();
    }
}
