package dev.preflight.config;

/**
 * {@code preflight.forwarded}: which forwarding headers the backend gets (P3).
 *
 * @param trustIncoming keep and extend the client's own forwarding headers instead of replacing them
 */
public record ForwardedSettings(Style headers, boolean trustIncoming) {

    public enum Style {
        X_FORWARDED,
        FORWARDED,
        NONE
    }
}
