package dev.preflight.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.util.Iterator;
import java.util.Map;

/**
 * Request heads the decoder accepts but HTTP/1.1 forbids, or this proxy cannot forward faithfully; each
 * gets 400 (501 for a transfer coding) and a closed connection.
 */
final class HeadChecks {
    private HeadChecks() {}

    /** A one-line reason when {@code request} must be refused, else null. */
    static String problem(HttpRequest request) {
        HttpVersion version = request.protocolVersion();
        if (version.majorVersion() != 1) {
            // An HTTP/2 preface (PRI * HTTP/2.0) included: this port speaks HTTP/1 only.
            return "only HTTP/1.0 and HTTP/1.1 are served here";
        }
        // One pass over the headers as they are, not as Strings and without a list: this runs on
        // every request. The problems are still named in the order they are checked below.
        int hosts = 0;
        boolean ascii = true;
        Iterator<Map.Entry<CharSequence, CharSequence>> headers =
                request.headers().iteratorCharSequence();
        while (headers.hasNext()) {
            Map.Entry<CharSequence, CharSequence> header = headers.next();
            if (HttpHeaderNames.HOST.contentEqualsIgnoreCase(header.getKey())) {
                hosts++;
            }
            ascii &= ascii(header.getValue());
        }
        if (hosts > 1) {
            return "more than one Host header";
        }
        if (hosts == 0 && !version.equals(HttpVersion.HTTP_1_0)) {
            return "an HTTP/1.1 request needs a Host header";
        }
        String uri = request.uri();
        if (uri.isEmpty() || !(uri.charAt(0) == '/' || uri.equals("*") || uri.regionMatches(true, 0, "http", 0, 4))) {
            return "the request target is not a path or an absolute URL";
        }
        if (uri.equals("*") && !HttpMethod.OPTIONS.equals(request.method())) {
            return "only OPTIONS may have the target *";
        }
        if (HttpMethod.CONNECT.equals(request.method())) {
            // RFC 9112 3.2.3: CONNECT takes host:port, refused above; this proxy opens no tunnels.
            return "CONNECT is not forwarded";
        }
        if (!visibleAscii(uri)) {
            // The upstream encoder would write other bytes than the client sent (as UTF-8).
            return "the request target is not visible ASCII";
        }
        if (!ascii) {
            return "a header value is not ASCII";
        }
        return null;
    }

    /**
     * A transfer coding besides {@code chunked} (RFC 9112 6.1: 501): the proxy restates the framing as
     * plain chunked for the upstream, which would then take the coded bytes for the body.
     */
    static boolean unsupportedTransferCoding(HttpRequest request) {
        // Looked for first: getAll makes a list and a view of it even for a header that is absent,
        // which it is on most requests (issue 7).
        if (!request.headers().contains(HttpHeaderNames.TRANSFER_ENCODING)) {
            return false;
        }
        for (String value : request.headers().getAll(HttpHeaderNames.TRANSFER_ENCODING)) {
            for (String coding : value.split(",")) {
                String name = coding.trim();
                if (!name.isEmpty() && !name.equalsIgnoreCase("chunked")) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean visibleAscii(CharSequence text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c <= ' ' || c >= 0x7f) {
                return false;
            }
        }
        return true;
    }

    private static boolean ascii(CharSequence text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }
}
