package dev.preflight.admin;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Just enough JSON (RFC 8259) for the admin endpoints, since the stack has no JSON library: objects,
 * arrays, strings, numbers, booleans, null, and already rendered JSON. The caller nests calls
 * correctly; commas and colons are placed here.
 */
final class JsonWriter {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final StringBuilder out = new StringBuilder();
    // One entry per open container: whether the element written next needs a comma before it.
    private final Deque<Boolean> enclosing = new ArrayDeque<>();
    private boolean comma;
    private boolean afterName;

    JsonWriter beginObject() {
        return open('{');
    }

    JsonWriter endObject() {
        return close('}');
    }

    JsonWriter beginArray() {
        return open('[');
    }

    JsonWriter endArray() {
        return close(']');
    }

    /** The name of the next member of the current object. */
    JsonWriter name(String name) {
        separate();
        quote(name);
        out.append(':');
        afterName = true;
        return this;
    }

    /** A string, or {@code null} when it is null. */
    JsonWriter value(String value) {
        separate();
        if (value == null) {
            out.append("null");
        } else {
            quote(value);
        }
        return this;
    }

    JsonWriter value(long value) {
        separate();
        out.append(value);
        return this;
    }

    JsonWriter value(boolean value) {
        separate();
        out.append(value);
        return this;
    }

    /** JSON rendered elsewhere (the effective config), copied as it is. */
    JsonWriter rawValue(String json) {
        separate();
        out.append(json);
        return this;
    }

    /** {@code name} followed by a string value or null. */
    JsonWriter field(String name, String value) {
        return name(name).value(value);
    }

    JsonWriter field(String name, long value) {
        return name(name).value(value);
    }

    JsonWriter field(String name, boolean value) {
        return name(name).value(value);
    }

    @Override
    public String toString() {
        return out.toString();
    }

    /** {@code value} as a JSON string literal. */
    static String quoted(String value) {
        return new JsonWriter().value(value).toString();
    }

    private JsonWriter open(char bracket) {
        separate();
        enclosing.push(comma);
        comma = false;
        out.append(bracket);
        return this;
    }

    private JsonWriter close(char bracket) {
        out.append(bracket);
        comma = enclosing.pop();
        return this;
    }

    private void separate() {
        if (afterName) {
            afterName = false;
            return;
        }
        if (comma) {
            out.append(',');
        }
        comma = true;
    }

    // RFC 8259 section 7: quotation mark, reverse solidus and control characters must be escaped. An
    // unpaired surrogate is escaped too, since UTF-8 cannot encode it and would turn it into '?'.
    private void quote(String value) {
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (Character.isHighSurrogate(c)
                            && i + 1 < value.length()
                            && Character.isLowSurrogate(value.charAt(i + 1))) {
                        out.append(c).append(value.charAt(++i));
                    } else if (c < 0x20 || Character.isSurrogate(c)) {
                        out.append("\\u")
                                .append(HEX[c >> 12 & 0xf])
                                .append(HEX[c >> 8 & 0xf])
                                .append(HEX[c >> 4 & 0xf])
                                .append(HEX[c & 0xf]);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
