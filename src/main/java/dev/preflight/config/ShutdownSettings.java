package dev.preflight.config;

import java.time.Duration;

/** {@code preflight.shutdown}: how long in-flight requests may take to finish on SIGTERM. */
public record ShutdownSettings(Duration drainTimeout) {}
