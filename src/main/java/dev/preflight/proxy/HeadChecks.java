package dev.preflight.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;

/** Request heads the decoder accepts but HTTP/1.1 forbids; each gets 400 and a closed connection. */
final class HeadChecks {
    private HeadChecks() {}

    /** A one-line reason when {@code request} must be refused, else null. */
    static String problem(HttpRequest request) {
        List<String> hosts = request.headers().getAll(HttpHeaderNames.HOST);
        if (hosts.size() > 1) {
            return "more than one Host header";
        }
        if (hosts.isEmpty() && request.protocolVersion().equals(HttpVersion.HTTP_1_1)) {
            return "an HTTP/1.1 request needs a Host header";
        }
        String uri = request.uri();
        if (uri.isEmpty() || !(uri.charAt(0) == '/' || uri.equals("*") || uri.regionMatches(true, 0, "http", 0, 4))) {
            return "the request target is not a path or an absolute URL";
        }
        return null;
    }
}
