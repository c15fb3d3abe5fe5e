package dev.preflight.proxy.upstream;

import io.netty.channel.Channel;

/**
 * A connection lent by the pool for one exchange.
 *
 * @param reused it served an earlier exchange, so it may have been closed by the upstream meanwhile:
 *     a failure before any response byte may be retried once on a fresh connection
 */
public record UpstreamConnection(Channel channel, boolean reused) {

    /** From now on, what arrives on the connection goes to {@code listener}. */
    public void attach(UpstreamListener listener) {
        channel.pipeline().get(UpstreamResponseHandler.class).attach(listener);
    }
}
