package dev.preflight.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

/**
 * Prepares an upstream response head for the client: hop-by-hop headers gone, framing restated for
 * the client's hop (chunked for HTTP/1.1 when the upstream's length is unknown; close-delimited for
 * HTTP/1.0, which has no chunking), the connection's fate made explicit, and a {@code Date} when
 * the upstream sent none (RFC 9110 6.6.1).
 */
final class ClientResponses {
    private ClientResponses() {}

    /** What the upstream's head says about its own connection, read before its headers change. */
    record UpstreamFraming(boolean chunked, boolean hasLength, boolean keepAlive) {
        static UpstreamFraming of(HttpResponse response) {
            return new UpstreamFraming(
                    HttpUtil.isTransferEncodingChunked(response),
                    response.headers().contains(HttpHeaderNames.CONTENT_LENGTH),
                    HttpUtil.isKeepAlive(response));
        }

        /** The upstream connection can carry another exchange after this response. */
        boolean reusable(boolean bodyless) {
            return keepAlive && (bodyless || chunked || hasLength);
        }
    }

    /**
     * Rewrites {@code response} in place for the client.
     *
     * @return true when the client connection must close after this response
     */
    static boolean prepare(
            HttpResponse response,
            UpstreamFraming framing,
            boolean bodyless,
            HttpVersion clientVersion,
            boolean clientKeepAlive) {
        HttpHeaders headers = response.headers();
        HopByHopHeaders.stripResponse(headers);
        HttpDate.addIfAbsent(headers);
        boolean http10 = clientVersion.equals(HttpVersion.HTTP_1_0);
        boolean close = !clientKeepAlive;
        if (!bodyless && !framing.hasLength()) {
            if (http10) {
                close = true; // HTTP/1.0 has no chunking: the end of the body is the end of the connection
            } else {
                headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            }
        } else if (framing.chunked() && framing.hasLength()) {
            headers.remove(HttpHeaderNames.CONTENT_LENGTH);
        }
        response.setProtocolVersion(HttpVersion.HTTP_1_1);
        if (close) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (http10) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        return close;
    }

    static boolean isBodyless(HttpResponse response, boolean headRequest) {
        int code = response.status().code();
        return headRequest || code == 204 || code == 304 || (code >= 100 && code < 200);
    }
}
