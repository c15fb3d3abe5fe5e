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
    /** The client connection it was last lent for (by identity), or null: never lent yet. */
    private Object owner;
    /** When it last came back to the pool (the loop's clock). */
    private long releasedNanos;

    /** A connection just opened for {@code client}'s exchange (by identity; null: a caller that names none). */
    UpstreamConnection(Channel channel, UpstreamResponseHandler handler, Object client) {
        this.channel = channel;
        this.handler = handler;
        this.owner = client;
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
     * The same connection, lent again, for {@code client}'s exchange: reused from now on. The object is
     * kept rather than made anew per lending (a lease lets go of it when it gives the connection
     * back); loop-confined, like the pool that lends it.
     */
    UpstreamConnection lentAgain(Object client) {
        reused = true;
        owner = client;
        return this;
    }

    void released(long nanos) {
        releasedNanos = nanos;
    }

    /**
     * Whether it may serve {@code client} at {@code now}: the client it served last may have it back at
     * once; another only once it has been back in the pool for {@code settleNanos}, long enough for
     * bytes its backend sent past the last response (in a write of their own) to arrive and close it.
     * A fresh connection, never lent, serves anyone.
     */
    boolean settledFor(Object client, long now, long settleNanos) {
        return owner == null || owner == client || now - releasedNanos >= settleNanos;
    }
}
