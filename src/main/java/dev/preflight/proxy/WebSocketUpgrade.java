package dev.preflight.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

/**
 * Recognises a WebSocket opening handshake (RFC 6455 4.1) and carries its {@code Upgrade} across the
 * proxy (P7), the one case where that hop-by-hop header is forwarded. Anything short of a proper
 * handshake (another method, HTTP/1.0, a body, a different protocol such as {@code h2c}) is an
 * ordinary request and loses its {@code Upgrade} like any other (P3), so no body or stray upgrade can
 * turn a connection into a tunnel.
 */
final class WebSocketUpgrade {
    private WebSocketUpgrade() {}

    /** The request asks to open a WebSocket, and nothing about it makes that ambiguous. */
    static boolean isHandshake(HttpRequest request, boolean bodyless) {
        HttpHeaders headers = request.headers();
        return HttpMethod.GET.equals(request.method())
                && HttpVersion.HTTP_1_1.equals(request.protocolVersion())
                && bodyless
                && headers.contains(HttpHeaderNames.UPGRADE) // before getAll: no list for plain GETs
                && headers.getAll(HttpHeaderNames.UPGRADE).size() == 1
                && headers.containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)
                && headers.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true);
    }

    /** Puts back, on the head for the upstream, what stripping the hop-by-hop headers took away. */
    static void restore(HttpHeaders upstreamHeaders) {
        upstreamHeaders
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE)
                .set(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET);
    }

    /** The upstream switched to the WebSocket protocol, and to nothing else. */
    static boolean accepted(HttpResponse response) {
        HttpHeaders headers = response.headers();
        return response.status().code() == HttpResponseStatus.SWITCHING_PROTOCOLS.code()
                && headers.getAll(HttpHeaderNames.UPGRADE).size() == 1
                && headers.containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)
                && !headers.contains(HttpHeaderNames.CONTENT_LENGTH)
                && !headers.contains(HttpHeaderNames.TRANSFER_ENCODING);
    }

    /** The upstream's {@code 101} for the client: its end-to-end headers, the upgrade restated. */
    static void prepareForClient(HttpResponse response) {
        HttpHeaders headers = response.headers();
        HopByHopHeaders.stripResponse(headers);
        restore(headers);
        response.setProtocolVersion(HttpVersion.HTTP_1_1);
    }
}
