package dev.preflight.policy;

import java.util.List;

/** {@code preflight.fetch-metadata}: resource isolation from {@code Sec-Fetch-*} headers (rules F). */
public record FetchMetadataSettings(boolean enabled, Mode mode, List<String> exemptPathPrefixes) {

    public FetchMetadataSettings {
        exemptPathPrefixes = List.copyOf(exemptPathPrefixes);
    }

    public enum Mode {
        ENFORCE,
        REPORT_ONLY
    }
}
