package dev.preflight.config;

import java.time.Duration;

/**
 * {@code preflight.limits}: what one client may send and how long it may take.
 *
 * @param maxInitialLine bytes of the request line; 414 beyond
 * @param maxHeaderSize bytes of all header lines, their line ends not counted; 431 beyond
 * @param maxHeaderCount header fields of a request head (and of its trailers); 431 beyond
 * @param maxBodySize bytes of a request body; 413 beyond (bodies are streamed, never buffered whole)
 * @param maxConnections open client connections; further ones are closed at once
 * @param headerTimeout the whole request head must arrive within it once its first byte did; 408
 * @param bodyTimeout the next part of a request body must arrive within it once the proxy asked for
 *     it; 408
 * @param idleTimeout an idle keep-alive client connection is closed after it
 */
public record LimitsSettings(
        int maxInitialLine,
        int maxHeaderSize,
        int maxHeaderCount,
        long maxBodySize,
        int maxConnections,
        Duration headerTimeout,
        Duration bodyTimeout,
        Duration idleTimeout) {}
