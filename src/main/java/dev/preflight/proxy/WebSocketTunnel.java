package dev.preflight.proxy;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponse;

/**
 * Turns a client connection and the upstream connection that accepted its WebSocket handshake into
 * one byte tunnel (P7). The {@code 101} goes to the client through the HTTP codec; then both
 * pipelines lose their HTTP handlers and each gets a {@link TunnelHandler} aimed at the other. The
 * upstream connection leaves the pool's reuse for good, but still counts against the upstream's
 * {@code max-connections} until it closes.
 */
final class WebSocketTunnel {
    private WebSocketTunnel() {}

    /**
     * @param clientCtx the client request handler's context (removed here)
     * @param accepted the upstream's {@code 101}, already prepared for the client
     * @param closeGraceNanos {@code limits.idle-timeout}: how long one side may take to take what was
     *     written to it once the other has closed
     */
    static void open(
            ChannelHandlerContext clientCtx,
            Channel upstream,
            HttpResponse accepted,
            ProxyMetrics metrics,
            long closeGraceNanos) {
        Channel client = clientCtx.channel();
        if (!client.isActive() || !upstream.isActive()) {
            client.close();
            upstream.close();
            return;
        }
        FullHttpResponse head = new DefaultFullHttpResponse(
                accepted.protocolVersion(),
                accepted.status(),
                Unpooled.EMPTY_BUFFER,
                accepted.headers(),
                EmptyHttpHeaders.INSTANCE);
        // Encoded synchronously (we are on the event loop), so the codec can go right after.
        clientCtx.writeAndFlush(head);

        ChannelPipeline clientPipeline = client.pipeline();
        ChannelPipeline upstreamPipeline = upstream.pipeline();
        metrics.tunnelOpened();
        TunnelHandler toUpstream = new TunnelHandler(upstream, closeGraceNanos, metrics::tunnelClosed);
        TunnelHandler toClient = new TunnelHandler(client, closeGraceNanos, () -> {});
        clientPipeline.addLast(HandlerNames.TUNNEL, toUpstream);
        upstreamPipeline.addLast(HandlerNames.UPSTREAM_TUNNEL, toClient);

        // Removing a decoder hands what it still held to the tunnel handler, which keeps it for start().
        clientPipeline.remove(HandlerNames.CLIENT_REQUEST);
        clientPipeline.remove(HandlerNames.HEAD_TIMEOUT);
        clientPipeline.remove(HandlerNames.DECODER_BACKLOG);
        clientPipeline.remove(HandlerNames.CODEC);
        upstreamPipeline.remove(HandlerNames.UPSTREAM_RESPONSE);
        upstreamPipeline.remove(HandlerNames.UPSTREAM_CODEC);

        toUpstream.start();
        toClient.start();
    }
}
