package dev.preflight.admin;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.QueryStringDecoder;

/**
 * One path of the admin server. {@link AdminRouter} calls it for {@code GET} and {@code HEAD} only,
 * and takes care of methods, keep-alive and {@code HEAD} bodies.
 */
interface AdminEndpoint {

    /** The exact path it answers, e.g. {@code /metrics}. */
    String path();

    /** The complete response to a {@code GET} of {@link #path()} with {@code request}'s query. */
    FullHttpResponse handle(QueryStringDecoder request, ByteBufAllocator alloc);
}
