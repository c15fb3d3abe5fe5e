package dev.preflight.admin;

import dev.preflight.config.Settings;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.function.Supplier;

/**
 * What the admin endpoints read: the metrics registry, the health state, and the settings in force
 * right now (which change on reload).
 */
public record AdminContext(PrometheusMeterRegistry registry, Health health, Supplier<Settings> settings) {}
