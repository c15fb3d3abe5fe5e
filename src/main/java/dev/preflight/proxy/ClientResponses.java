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

    /**
     * What the upstream's head says about its own connection, read before its headers change.
     *
     * @param lengthWithLeadingZeros a {@code Content-Length} such as {@code 0021}, restated as the number
     */
    record UpstreamFraming(boolean chunked, boolean hasLength, boolean keepAlive, boolean lengthWithLeadingZeros) {
        static UpstreamFraming of(HttpResponse response) {
            String length = response.headers().get(HttpHeaderNames.CONTENT_LENGTH);
            return new UpstreamFraming(
                    HttpUtil.isTransferEncodingChunked(response),
                    length != null,
                    HttpUtil.isKeepAlive(response),
                    length != null && length.length() > 1 && length.charAt(0) == '0');
        }

        /** The upstream connection can carry another exchange after this response. */
        boolean reusable(boolean bodyless) {
            return keepAlive && (bodyless || chunked || hasLength);
        }
    }

    /**
     * Rewrites {@code response} in place for the client, its hop-by-hop headers taken away before
     * ({@link HopByHopHeaders#stripResponse}, whose pass also finds the backend's {@code Keep-Alive}).
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
        } else if (framing.lengthWithLeadingZeros()) {
            // As a request's (UpstreamRequests): each hop's framing is restated (found by probing).
            headers.set(HttpHeaderNames.CONTENT_LENGTH, HttpUtil.getContentLength(response));
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
