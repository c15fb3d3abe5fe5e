package dev.preflight.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.List;

/**
 * Merges our {@code Vary} names into the backend's (C7): one header, each name once
 * (case-insensitively), the backend's names first; a backend {@code Vary: *} is left alone, since it
 * already says the response varies on everything.
 */
final class VaryHeader {
    // Written as the Access-Control-* names are, capitalised (Netty's constant is lower case).
    static final AsciiString NAME = AsciiString.cached("Vary");

    private VaryHeader() {}

    /** @param ours a comma-separated list such as {@code Origin}; nothing happens when null */
    static void merge(HttpHeaders headers, String ours) {
        if (ours == null) {
            return;
        }
        if (!headers.contains(HttpHeaderNames.VARY)) {
            headers.add(NAME, ours); // the common case: nothing to merge with, nor to replace
            return;
        }
        List<String> names = new ArrayList<>();
        for (String line : headers.getAll(HttpHeaderNames.VARY)) {
            for (String item : line.split(",")) {
                String name = item.trim();
                if (name.equals("*")) {
                    return;
                }
                addIfAbsent(names, name);
            }
        }
        for (String item : ours.split(",")) {
            addIfAbsent(names, item.trim());
        }
        headers.set(NAME, String.join(", ", names));
    }

    private static void addIfAbsent(List<String> names, String name) {
        if (name.isEmpty()) {
            return;
        }
        for (String existing : names) {
            if (existing.equalsIgnoreCase(name)) {
                return;
            }
        }
        names.add(name);
    }
}
