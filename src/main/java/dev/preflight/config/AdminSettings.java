package dev.preflight.config;

/** {@code preflight.admin}: the admin server (metrics, health, config, explain). */
public record AdminSettings(boolean enabled, String host, int port) {}
