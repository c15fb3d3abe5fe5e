package dev.preflight.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;

/**
 * Recognises a WebSocket opening handshake (RFC 6455 4.1) and carries its {@code Upgrade} across the
 * proxy (P7), the one case where that hop-by-hop header is forwarded. Anything short of a proper
 * handshake (another method, HTTP/1.0, a body, a different protocol such as {@code h2c}) is an
 * ordinary request and loses its {@code Upgrade} like any other (P3), so no body or stray upgrade can
 * turn a connection into a tunnel.
 */
final class WebSocketUpgrade {
    private WebSocketUpgrade() {}

    /**
     * The request's {@code Sec-WebSocket-Key} when it asks to open a WebSocket and nothing about it
     * makes that ambiguous, else null. The key (one, 16 bytes in base64) and a version are part of the
     * handshake (RFC 6455 4.1): without them, a backend's {@code 101} could not have been a WebSocket
     * server's, and a connection opened that way carried any request a client liked past every check
     * (found by probing).
     */
    static String handshakeKey(HttpRequest request, boolean bodyless) {
        HttpHeaders headers = request.headers();
        if (!HttpMethod.GET.equals(request.method())
                || !HttpVersion.HTTP_1_1.equals(request.protocolVersion())
                || !bodyless
                || !headers.contains(HttpHeaderNames.UPGRADE) // before getAll: no list for plain GETs
                || headers.getAll(HttpHeaderNames.UPGRADE).size() != 1
                || !headers.containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)
                || !headers.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)
                || !headers.contains(HttpHeaderNames.SEC_WEBSOCKET_VERSION)) {
            return null;
        }
        List<String> keys = headers.getAll(HttpHeaderNames.SEC_WEBSOCKET_KEY);
        return keys.size() == 1 && isKey(keys.getFirst().strip())
                ? keys.getFirst().strip()
                : null;
    }

    private static boolean isKey(String key) {
        try {
            return Base64.getDecoder().decode(key).length == 16;
        } catch (IllegalArgumentException notBase64) {
            return false;
        }
    }

    /** Puts back, on the head for the upstream, what stripping the hop-by-hop headers took away. */
    static void restore(HttpHeaders upstreamHeaders) {
        upstreamHeaders
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE)
                .set(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET);
    }

    /**
     * The upstream switched to the WebSocket protocol, and to nothing else, answering this handshake's
     * key as a WebSocket server does ({@code Sec-WebSocket-Accept}, RFC 6455 4.2.2).
     */
    static boolean accepted(HttpResponse response, String key) {
        HttpHeaders headers = response.headers();
        List<String> accept = headers.getAll(HttpHeaderNames.SEC_WEBSOCKET_ACCEPT);
        return response.status().code() == HttpResponseStatus.SWITCHING_PROTOCOLS.code()
                && headers.getAll(HttpHeaderNames.UPGRADE).size() == 1
                && headers.containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)
                && !headers.contains(HttpHeaderNames.CONTENT_LENGTH)
                && !headers.contains(HttpHeaderNames.TRANSFER_ENCODING)
                && accept.size() == 1
                && accept.getFirst().strip().equals(acceptFor(key));
    }

    /** RFC 6455 4.2.2: base64 of the SHA-1 of the key and the protocol's GUID. */
    static String acceptFor(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1")
                    .digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-1", e);
        }
    }

    /** The upstream's {@code 101} for the client: its end-to-end headers, the upgrade restated. */
    static void prepareForClient(HttpResponse response) {
        HttpHeaders headers = response.headers();
        HopByHopHeaders.stripResponse(headers);
        restore(headers);
        response.setProtocolVersion(HttpVersion.HTTP_1_1);
    }
}
