package dev.preflight.proxy;

/**
 * Names of the client pipeline's handlers, in pipeline order:
 *
 * <ol>
 *   <li>{@link #CONNECTION_LIMIT}: closes connections beyond {@code limits.max-connections}
 *   <li>{@link #IDLE}: fires an idle event after {@code limits.idle-timeout} without traffic
 *   <li>{@link #HEAD_TIMEOUT}: 408 when a request head takes longer than {@code limits.header-timeout};
 *       also the place to write raw bytes past the codec ({@code 100 Continue})
 *   <li>{@link #DECODER_BACKLOG}: 503 when the decoders' unfinished heads would take more than their share
 *       of direct memory
 *   <li>{@link #CODEC}: HTTP/1.x decoding and encoding, with the line and header limits
 *   <li>{@link #CLIENT_REQUEST}: turns each request into an exchange with the upstream, taking the
 *       decoded messages one at a time ({@link ClientReads}), so pipelined requests and body chunks
 *       wait their turn
 * </ol>
 *
 * The upstream pipeline is {@link #UPSTREAM_TLS} (https only), {@link #UPSTREAM_CODEC},
 * {@link #UPSTREAM_RESPONSE} (one message per read); the pool closes idle upstream connections itself.
 *
 * <p>An answer that closes the connection before its request's body was read puts {@link #LINGER}
 * first, which drops what the client still sends until the connection closes ({@link LingeringClose}).
 *
 * <p>A WebSocket tunnel (P7) keeps only {@link #CONNECTION_LIMIT}, {@link #IDLE} and {@link #TUNNEL}
 * on the client side, and {@link #UPSTREAM_TLS} and {@link #UPSTREAM_TUNNEL} on the upstream side.
 */
public final class HandlerNames {
    public static final String CONNECTION_LIMIT = "connection-limit";
    public static final String IDLE = "idle";
    public static final String HEAD_TIMEOUT = "head-timeout";
    public static final String DECODER_BACKLOG = "decoder-backlog";
    public static final String CODEC = "codec";
    public static final String CLIENT_REQUEST = "client-request";
    public static final String TUNNEL = "tunnel";
    public static final String LINGER = "linger";

    public static final String UPSTREAM_TLS = "upstream-tls";
    public static final String UPSTREAM_CODEC = "upstream-codec";
    public static final String UPSTREAM_RESPONSE = "upstream-response";
    public static final String UPSTREAM_TUNNEL = "upstream-tunnel";

    private HandlerNames() {}
}
