package dev.preflight.proxy.upstream;

import io.netty.channel.Channel;
import io.netty.util.AsciiString;

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
    /**
     * Lent again to the client it served before it had settled: what its backend sends late (a stray
     * answer, a smuggled request's) may have been taken for that client's next answer, and the answer
     * it was waiting for may still come, at any time. It is that client's from then on, never another's.
     */
    private boolean pinned;
    /**
     * Its last answer had no body by definition (a 204, a 304, the answer to a HEAD): the one kind a
     * backend most often follows with a body of its own in a later write, so it settles even for the
     * client it served before that client has it back.
     */
    private boolean bodilessAnswer;
    /** How long it may sit idle and be lent again: its backend's Keep-Alive timeout, less a margin. */
    private long reuseNanos = KeepAliveTimeout.NONE;
    /** The {@code Keep-Alive} value {@link #reuseNanos} was read from, or null. */
    private CharSequence keepAliveRead;

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

    /**
     * Any byte came since its exchange's request was written (a 1xx, a head cut short): the request is
     * under way at the backend and is never sent again (P6).
     */
    public boolean heardSinceRequest() {
        return handler.heardSinceRequest();
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
    UpstreamConnection lentAgain(Object client, long now, long settleNanos) {
        if (owner == client && now - releasedNanos < settleNanos) {
            pinned = true;
        }
        reused = true;
        owner = client;
        bodilessAnswer = false;
        return this;
    }

    /** Its last answer's {@code Keep-Alive} value, or null: see {@link KeepAliveTimeout}. */
    public void keepAlive(CharSequence value) {
        // A backend sends the same value with every response (Node.js: timeout=5): read once.
        if (value == null || !AsciiString.contentEquals(value, keepAliveRead)) {
            reuseNanos = KeepAliveTimeout.reuseNanos(value);
            keepAliveRead = value;
        }
    }

    /** Its backend closes it when idle this long (a margin taken off), before the pool's idle-timeout. */
    boolean expiredAt(long now) {
        return now - releasedNanos >= reuseNanos;
    }

    /** Its answer to this exchange has no body by definition (204, 304, HEAD): see {@link #settledFor}. */
    public void answeredWithoutBody() {
        bodilessAnswer = true;
    }

    void released(long nanos) {
        releasedNanos = nanos;
    }

    /**
     * Whether it may serve {@code client} at {@code now}: the client it served last may have it back at
     * once (after an answer without a body, once settled too); another only once it has been back in
     * the pool for {@code settleNanos}, long enough for bytes its backend sent past the last response
     * (in a write of their own) to arrive and close it. A fresh connection, never lent, serves anyone;
     * a pinned one, only its client.
     */
    boolean settledFor(Object client, long now, long settleNanos) {
        if (owner == null) {
            return true;
        }
        boolean settled = now - releasedNanos >= settleNanos;
        return owner == client ? settled || !bodilessAnswer : settled && !pinned;
    }

    /**
     * Pinned to another client than {@code client}, which has let it settle: of use to nobody else, so
     * it is closed rather than kept (it holds a place in {@code max-connections}).
     */
    boolean strandedFor(Object client, long now, long settleNanos) {
        return pinned && owner != client && now - releasedNanos >= settleNanos;
    }
}
