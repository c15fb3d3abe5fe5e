package dev.preflight.config;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * {@code preflight.upstream} (or a route's {@code upstream}): the backend and its connection pool.
 *
 * @param url {@code http} or {@code https}, host and optional port; no path, query or userinfo
 * @param connectTimeout TCP (and TLS) connect
 * @param responseTimeout time without progress until the first response byte, and between response
 *     reads afterwards: 504 before the head, a closed connection after it
 * @param idleTimeout how long a pooled keep-alive connection may sit unused
 * @param maxConnections the whole pool, across event loops
 * @param acquireTimeout how long a request waits for a pooled connection before 503
 * @param hostHeader what {@code Host} the backend sees
 * @param trustedAuthorities {@code ca-file}: what an {@code https} upstream's certificate must chain
 *     to; null for the JVM's trust store
 */
public record UpstreamSettings(
        URI url,
        Duration connectTimeout,
        Duration responseTimeout,
        Duration idleTimeout,
        int maxConnections,
        Duration acquireTimeout,
        HostHeader hostHeader,
        TrustedAuthorities trustedAuthorities) {

    // equals and hashCode written out: the proxy finds its pools by their settings as it starts, and a
    // record's own are made at their first call from method handles the AOT cache does not keep, about
    // 30 ms of every start (issue 7). UpstreamSettingsTest checks that every component counts.
    @Override
    public boolean equals(Object o) {
        return o instanceof UpstreamSettings u
                && Objects.equals(url, u.url)
                && Objects.equals(connectTimeout, u.connectTimeout)
                && Objects.equals(responseTimeout, u.responseTimeout)
                && Objects.equals(idleTimeout, u.idleTimeout)
                && maxConnections == u.maxConnections
                && Objects.equals(acquireTimeout, u.acquireTimeout)
                && hostHeader == u.hostHeader
                && Objects.equals(trustedAuthorities, u.trustedAuthorities);
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                url,
                connectTimeout,
                responseTimeout,
                idleTimeout,
                maxConnections,
                acquireTimeout,
                hostHeader,
                trustedAuthorities);
    }

    /** {@code preserve}: the client's {@code Host}; {@code upstream}: the upstream URL's authority. */
    public enum HostHeader {
        PRESERVE,
        UPSTREAM
    }

    /**
     * The connect (and TLS handshake) timeout as Netty takes it: whole milliseconds, at least 1, since
     * Netty reads 0 as no timeout at all (a {@code 500us} would have been that), at most an int's worth.
     */
    public int connectTimeoutMillis() {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()));
    }

    public boolean tls() {
        return "https".equalsIgnoreCase(url.getScheme());
    }

    public String host() {
        return url.getHost();
    }

    /** The explicit port, else 443 for https and 80 for http. */
    public int port() {
        return url.getPort() != -1 ? url.getPort() : tls() ? 443 : 80;
    }

    /** {@code host[:port]} as a {@code Host} header value: the default port is left out. */
    public String authority() {
        return url.getPort() == -1 || url.getPort() == (tls() ? 443 : 80)
                ? url.getHost()
                : url.getHost() + ":" + url.getPort();
    }
}
