package dev.preflight.config;

/** {@code preflight.listen}: where the proxy accepts clients. Port 0 picks a free port. */
public record ListenSettings(String host, int port) {}
