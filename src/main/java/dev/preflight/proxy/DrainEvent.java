package dev.preflight.proxy;

/** Fired on every client connection when shutdown begins (O5). */
enum DrainEvent {
    INSTANCE
}
