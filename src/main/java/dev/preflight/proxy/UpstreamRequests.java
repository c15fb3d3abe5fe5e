package dev.preflight.proxy;

import dev.preflight.config.UpstreamSettings;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.net.SocketAddress;

/**
 * Builds the request head the upstream sees from the one the client sent: origin-form target,
 * hop-by-hop headers gone, forwarding headers added, {@code Host} as configured, HTTP/1.1 with
 * keep-alive, and the body's framing restated for this hop.
 */
final class UpstreamRequests {
    private UpstreamRequests() {}

    /**
     * @param target the normalised origin-form target (P5)
     * @param info what was read off the client's head before its headers are stripped: the body's
     *     framing, and whether it opens a WebSocket
     */
    static HttpRequest head(
            HttpRequest client,
            String target,
            RequestInfo info,
            UpstreamSettings upstream,
            ForwardedHeaders forwarded,
            SocketAddress clientAddress,
            String clientIp) {
        HttpHeaders headers = client.headers();
        String host = headers.get(HttpHeaderNames.HOST);
        HopByHopHeaders.strip(headers);
        // We answer Expect: 100-continue ourselves (P8), so the upstream never waits for a go-ahead.
        headers.remove(HttpHeaderNames.EXPECT);
        if (info.websocket()) {
            WebSocketUpgrade.restore(headers);
        }
        forwarded.apply(headers, clientAddress, clientIp, host);
        if (upstream.hostHeader() == UpstreamSettings.HostHeader.UPSTREAM || host == null) {
            headers.set(HttpHeaderNames.HOST, upstream.authority());
        }
        if (info.chunked()) {
            headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            headers.remove(HttpHeaderNames.CONTENT_LENGTH);
        } else if (info.declaredLength() > 0 && leadingZero(headers.get(HttpHeaderNames.CONTENT_LENGTH))) {
            // Restated as the number it is (0003 is 3): a next hop that caps the field's length, or
            // reads leading zeros otherwise, must not frame the body differently (found by probing).
            headers.set(HttpHeaderNames.CONTENT_LENGTH, info.declaredLength());
        }
        return new DefaultHttpRequest(HttpVersion.HTTP_1_1, client.method(), target, headers);
    }

    private static boolean leadingZero(String length) {
        return length != null && length.length() > 1 && length.charAt(0) == '0';
    }

    static boolean isChunked(HttpRequest request) {
        return HttpUtil.isTransferEncodingChunked(request);
    }
}
