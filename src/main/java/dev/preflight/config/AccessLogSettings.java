package dev.preflight.config;

/** {@code preflight.access-log}: one line per request on the {@code preflight.access} logger. */
public record AccessLogSettings(boolean enabled, Format format) {

    public enum Format {
        TEXT,
        JSON
    }
}
