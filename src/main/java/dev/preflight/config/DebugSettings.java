package dev.preflight.config;

/** {@code preflight.debug}: aids for finding out why a browser refused something. */
public record DebugSettings(boolean decisionHeader) {}
