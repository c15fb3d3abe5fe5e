package dev.preflight.admin;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;

/**
 * {@code /health/live}: always {@code {"status":"UP"}}. That the admin event loop answers at all is
 * the liveness signal; a restart would not help a process that is merely starting or draining.
 */
final class LiveEndpoint implements AdminEndpoint {
    static final String UP =
            new JsonWriter().beginObject().field("status", "UP").endObject().toString();

    @Override
    public String path() {
        return "/health/live";
    }

    @Override
    public FullHttpResponse handle(QueryStringDecoder request, ByteBufAllocator alloc) {
        return AdminResponses.json(alloc, HttpResponseStatus.OK, UP);
    }
}
