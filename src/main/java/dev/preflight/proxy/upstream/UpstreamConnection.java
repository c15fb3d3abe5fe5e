package dev.preflight.proxy.upstream;

import io.netty.channel.Channel;

/**
 * A connection lent by the pool for one exchange. It carries the connection's response handler,
 * found in the pipeline once when the connection opened rather than at every attach and release
 * (issue 7).
 */
public final class UpstreamConnection {
    private final Channel channel;
    private final UpstreamResponseHandler handler;
    private boolean reused;

    UpstreamConnection(Channel channel, UpstreamResponseHandler handler, boolean reused) {
        this.channel = channel;
        this.handler = handler;
        this.reused = reused;
    }

    public Channel channel() {
        return channel;
    }

    /**
     * It served an earlier exchange, so it may have been closed by the upstream meanwhile: a failure
     * before any response byte may be retried once on a fresh connection.
     */
    public boolean reused() {
        return reused;
    }

    /** From now on, what arrives on the connection goes to {@code listener}. */
    public void attach(UpstreamListener listener) {
        handler.attach(listener);
    }

    /** Nothing came that was not asked for: see {@link UpstreamResponseHandler#drained()}. */
    boolean drained() {
        return handler.drained();
    }

    /** Back in the pool: what arrives now closes the connection. */
    void detach() {
        handler.detach();
    }

    /**
     * The same connection, lent again: reused from now on. The object is kept rather than made anew
     * per lending (a lease lets go of it when it gives the connection back); loop-confined, like the
     * pool that lends it.
     */
    UpstreamConnection lentAgain() {
        reused = true;
        return this;
    }
}
