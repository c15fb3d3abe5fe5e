package dev.preflight.config;

/** {@code preflight.reload}: whether the config file is watched for changes. */
public record ReloadSettings(boolean watch) {}
