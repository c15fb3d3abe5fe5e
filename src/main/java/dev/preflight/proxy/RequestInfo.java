package dev.preflight.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.util.Set;

/**
 * What the proxy needs to remember about a client request once its head has been handed on.
 *
 * @param bodyless no body follows the head (no {@code Content-Length} above zero, not chunked)
 * @param declaredLength the {@code Content-Length}, or -1
 * @param expectContinue {@code Expect: 100-continue} on HTTP/1.1: the client waits for a 100 (P8)
 * @param websocketKey the {@code Sec-WebSocket-Key} of a WebSocket handshake, to be tunnelled once the
 *     upstream accepts it (P7); null for any other request
 */
record RequestInfo(
        HttpMethod method,
        HttpVersion version,
        boolean keepAlive,
        boolean chunked,
        long declaredLength,
        boolean expectContinue,
        String websocketKey) {

    // RFC 9110 9.2.2: repeating these has the same effect as sending them once.
    private static final Set<HttpMethod> IDEMPOTENT = Set.of(
            HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS, HttpMethod.PUT, HttpMethod.DELETE, HttpMethod.TRACE);

    static RequestInfo of(HttpRequest request) {
        boolean chunked = HttpUtil.isTransferEncodingChunked(request);
        long declaredLength = HttpUtil.getContentLength(request, -1L);
        return new RequestInfo(
                request.method(),
                request.protocolVersion(),
                HttpUtil.isKeepAlive(request),
                chunked,
                declaredLength,
                // RFC 9110 10.1.1: an HTTP/1.0 request's 100-continue is ignored (no 1xx goes to 1.0, 15.2).
                !HttpVersion.HTTP_1_0.equals(request.protocolVersion()) && asksToContinue(request),
                WebSocketUpgrade.handshakeKey(request, !chunked && declaredLength <= 0));
    }

    /** A WebSocket handshake (P7). */
    boolean websocket() {
        return websocketKey != null;
    }

    boolean bodyless() {
        return !chunked && declaredLength <= 0;
    }

    boolean head() {
        return HttpMethod.HEAD.equals(method);
    }

    boolean idempotent() {
        return IDEMPOTENT.contains(method);
    }

    /**
     * An {@code Expect} with anything but {@code 100-continue} in it (RFC 9110 10.1.1: 417), also
     * beside it ({@code 100-continue, foo}, or a second {@code Expect} line), which was taken for a
     * plain 100-continue (found by probing).
     */
    boolean unsupportedExpectation(HttpRequest request) {
        if (!request.headers().contains(HttpHeaderNames.EXPECT)) {
            return false;
        }
        for (String line : request.headers().getAll(HttpHeaderNames.EXPECT)) {
            for (String expectation : line.split(",")) {
                String trimmed = expectation.trim();
                if (!trimmed.isEmpty() && !HttpHeaderValues.CONTINUE.contentEqualsIgnoreCase(trimmed)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean asksToContinue(HttpRequest request) {
        return request.headers().containsValue(HttpHeaderNames.EXPECT, HttpHeaderValues.CONTINUE, true);
    }
}
