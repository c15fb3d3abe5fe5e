package dev.preflight.proxy;

import dev.preflight.config.LimitsSettings;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.nio.charset.StandardCharsets;

/**
 * Every response the proxy makes itself is built here: an RFC 9457 {@code application/problem+json}
 * body with the status, its reason phrase and one sentence saying what went wrong.
 */
public final class ErrorResponses {
    private static final String PROBLEM_JSON = "application/problem+json";

    private ErrorResponses() {}

    /**
     * @param close adds {@code Connection: close}; the caller closes the connection once it is written
     */
    public static FullHttpResponse problem(
            ByteBufAllocator alloc, HttpResponseStatus status, String detail, boolean close) {
        String json = "{\"type\":\"about:blank\",\"title\":\"" + escape(status.reasonPhrase()) + "\",\"status\":"
                + status.code() + ",\"detail\":\"" + escape(detail) + "\"}\n";
        ByteBuf body = alloc.buffer(json.length());
        body.writeCharSequence(json, StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, PROBLEM_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes())
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        if (close) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        return response;
    }

    /** 408, closing: the request head did not arrive within {@code limits.header-timeout} (P6). */
    static FullHttpResponse headTimedOut(ByteBufAllocator alloc) {
        return problem(
                alloc,
                HttpResponseStatus.REQUEST_TIMEOUT,
                "the request head did not arrive within the header timeout",
                true);
    }

    /** 414, 431 or 400 for a request the decoder could not take (C11: no CORS headers on these). */
    public static FullHttpResponse undecodable(ByteBufAllocator alloc, Throwable cause, LimitsSettings limits) {
        if (cause instanceof TooLongHttpLineException) {
            return problem(
                    alloc,
                    HttpResponseStatus.REQUEST_URI_TOO_LONG,
                    "the request line is longer than " + limits.maxInitialLine() + " bytes",
                    true);
        }
        if (cause instanceof HeadBudget.Exhausted) {
            return problem(alloc, HttpResponseStatus.SERVICE_UNAVAILABLE, cause.getMessage(), true);
        }
        if (cause instanceof LimitedHeaders.TooManyFields) {
            return problem(alloc, HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, cause.getMessage(), true);
        }
        if (cause instanceof TooLongHttpHeaderException || cause instanceof TooLongFrameException) {
            return problem(
                    alloc,
                    HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
                    "the request headers are larger than " + limits.maxHeaderSize() + " bytes",
                    true);
        }
        return problem(alloc, HttpResponseStatus.BAD_REQUEST, "the request is malformed", true);
    }

    private static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }
}
