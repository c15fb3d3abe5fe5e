package dev.preflight.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Removes the headers that describe one connection rather than the message (P3, RFC 9110 7.6.1):
 * {@code Connection} and every name it lists, {@code Keep-Alive}, {@code Proxy-*}, {@code TE}
 * (except its {@code trailers} member), {@code Trailer}, {@code Transfer-Encoding} and
 * {@code Upgrade}. Message framing is set again by the caller, for the hop it writes to.
 */
public final class HopByHopHeaders {
    private static final AsciiString KEEP_ALIVE = AsciiString.cached("keep-alive");
    private static final AsciiString TRAILERS = AsciiString.cached("trailers");
    private static final String PROXY_PREFIX = "proxy-";

    private HopByHopHeaders() {}

    public static void strip(HttpHeaders headers) {
        if (headers.contains(HttpHeaderNames.CONNECTION)) {
            for (String connection : headers.getAll(HttpHeaderNames.CONNECTION)) {
                for (String token : connection.split(",")) {
                    String name = token.trim();
                    if (!name.isEmpty()) {
                        headers.remove(name);
                    }
                }
            }
        }
        boolean teTrailers = headers.contains(HttpHeaderNames.TE) && asksForTrailers(headers);
        headers.remove(HttpHeaderNames.CONNECTION)
                .remove(KEEP_ALIVE)
                .remove(HttpHeaderNames.TE)
                .remove(HttpHeaderNames.TRAILER)
                .remove(HttpHeaderNames.TRANSFER_ENCODING)
                .remove(HttpHeaderNames.UPGRADE);
        List<String> proxyHeaders = null;
        // Names as they are (no String per header): most messages have no Proxy-* header.
        Iterator<Map.Entry<CharSequence, CharSequence>> all = headers.iteratorCharSequence();
        while (all.hasNext()) {
            CharSequence name = all.next().getKey();
            if (AsciiString.regionMatches(name, true, 0, PROXY_PREFIX, 0, PROXY_PREFIX.length())) {
                if (proxyHeaders == null) {
                    proxyHeaders = new ArrayList<>(2);
                }
                proxyHeaders.add(name.toString().toLowerCase(Locale.ROOT));
            }
        }
        if (proxyHeaders != null) {
            proxyHeaders.forEach(headers::remove);
        }
        if (teTrailers) {
            headers.set(HttpHeaderNames.TE, TRAILERS);
        }
    }

    private static boolean asksForTrailers(HttpHeaders headers) {
        for (String te : headers.getAll(HttpHeaderNames.TE)) {
            for (String token : te.split(",")) {
                String coding = token.trim();
                int params = coding.indexOf(';');
                if ((params < 0 ? coding : coding.substring(0, params).trim()).equalsIgnoreCase("trailers")) {
                    return true;
                }
            }
        }
        return false;
    }
}
