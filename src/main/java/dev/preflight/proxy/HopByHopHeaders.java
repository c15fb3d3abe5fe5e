package dev.preflight.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Removes the headers that describe one connection rather than the message (P3, RFC 9110 7.6.1):
 * {@code Connection} and every name it lists, {@code Keep-Alive}, {@code Proxy-*}, {@code TE}
 * (except its {@code trailers} member), {@code Trailer}, {@code Transfer-Encoding} and
 * {@code Upgrade}. Message framing is set again by the caller, for the hop it writes to.
 */
public final class HopByHopHeaders {
    private static final AsciiString KEEP_ALIVE = AsciiString.cached("keep-alive");
    private static final AsciiString TRAILERS = AsciiString.cached("trailers");

    private HopByHopHeaders() {}

    public static void strip(HttpHeaders headers) {
        for (String connection : headers.getAll(HttpHeaderNames.CONNECTION)) {
            for (String token : connection.split(",")) {
                String name = token.trim();
                if (!name.isEmpty()) {
                    headers.remove(name);
                }
            }
        }
        boolean teTrailers = false;
        for (String te : headers.getAll(HttpHeaderNames.TE)) {
            for (String token : te.split(",")) {
                String coding = token.trim();
                int params = coding.indexOf(';');
                if ((params < 0 ? coding : coding.substring(0, params).trim()).equalsIgnoreCase("trailers")) {
                    teTrailers = true;
                }
            }
        }
        headers.remove(HttpHeaderNames.CONNECTION)
                .remove(KEEP_ALIVE)
                .remove(HttpHeaderNames.TE)
                .remove(HttpHeaderNames.TRAILER)
                .remove(HttpHeaderNames.TRANSFER_ENCODING)
                .remove(HttpHeaderNames.UPGRADE);
        List<String> proxyHeaders = new ArrayList<>(2);
        for (var entry : headers) {
            if (entry.getKey().regionMatches(true, 0, "proxy-", 0, 6)) {
                proxyHeaders.add(entry.getKey().toLowerCase(Locale.ROOT));
            }
        }
        proxyHeaders.forEach(headers::remove);
        if (teTrailers) {
            headers.set(HttpHeaderNames.TE, TRAILERS);
        }
    }
}
