package dev.preflight.admin;

import dev.preflight.proxy.HttpDate;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

/** Every admin response is built here: a complete body with its length, dated, never cached. */
final class AdminResponses {
    static final String JSON = "application/json";
    /** The Prometheus text exposition format, version 0.0.4. */
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private AdminResponses() {}

    static FullHttpResponse json(ByteBufAllocator alloc, HttpResponseStatus status, String json) {
        return of(alloc, status, JSON, json);
    }

    /** {@code {"error": message}}. */
    static FullHttpResponse error(ByteBufAllocator alloc, HttpResponseStatus status, String message) {
        return json(
                alloc,
                status,
                new JsonWriter()
                        .beginObject()
                        .field("error", message)
                        .endObject()
                        .toString());
    }

    static FullHttpResponse of(ByteBufAllocator alloc, HttpResponseStatus status, String contentType, String body) {
        ByteBuf content = ByteBufUtil.writeUtf8(alloc, body);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, contentType)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes())
                // Health and metrics must be fresh on every look, whatever sits in between.
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        HttpDate.set(response.headers());
        return response;
    }
}
