package dev.preflight.admin;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;

/**
 * {@code /health/ready}: 200 {@code {"status":"UP"}} while the proxy takes traffic, else 503 with
 * {@code "reason"} {@code starting} or {@code draining}, so that a load balancer sends no new requests
 * before the listener is bound or after shutdown began (O2, O5).
 */
final class ReadyEndpoint implements AdminEndpoint {
    private final Health health;

    ReadyEndpoint(Health health) {
        this.health = health;
    }

    @Override
    public String path() {
        return "/health/ready";
    }

    @Override
    public FullHttpResponse handle(QueryStringDecoder request, ByteBufAllocator alloc) {
        if (health.ready()) {
            return AdminResponses.json(alloc, HttpResponseStatus.OK, LiveEndpoint.UP);
        }
        String body = new JsonWriter()
                .beginObject()
                .field("status", "DOWN")
                .field("reason", health.draining() ? "draining" : "starting")
                .endObject()
                .toString();
        return AdminResponses.json(alloc, HttpResponseStatus.SERVICE_UNAVAILABLE, body);
    }
}
