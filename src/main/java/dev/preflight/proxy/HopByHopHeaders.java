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
 * {@code Connection} and every name it lists, {@code Keep-Alive}, {@code Proxy-*} (and {@code Proxy}), {@code TE}
 * (except its {@code trailers} member), {@code Trailer}, {@code Transfer-Encoding} and
 * {@code Upgrade}. Message framing is set again by the caller, for the hop it writes to; a
 * {@code Content-Length} or {@code Host} named by {@code Connection} is kept (see {@link #endToEnd}).
 */
public final class HopByHopHeaders {
    private static final AsciiString KEEP_ALIVE = AsciiString.cached("keep-alive");
    private static final AsciiString TRAILERS = AsciiString.cached("trailers");
    private static final String PROXY = "proxy";
    // The fixed hop-by-hop names; a message's are found in one pass and marked by index.
    private static final AsciiString[] NAMES = {
        HttpHeaderNames.CONNECTION,
        KEEP_ALIVE,
        HttpHeaderNames.TE,
        HttpHeaderNames.TRAILER,
        HttpHeaderNames.TRANSFER_ENCODING,
        HttpHeaderNames.UPGRADE
    };
    private static final int CONNECTION_BIT = 1;
    private static final int KEEP_ALIVE_BIT = 1 << 1;
    private static final int TE_BIT = 1 << 2;

    private HopByHopHeaders() {}

    /** A request's: {@code TE: trailers} stays, the one TE a request may carry to the next hop. */
    public static void strip(HttpHeaders headers) {
        strip(headers, true);
    }

    /**
     * A response's (head, interim or trailers): TE is a request header, so none of it stays.
     *
     * @return the {@code Keep-Alive} header's value, found in the same pass, or null: the backend's
     *     idle timeout for the pool ({@code KeepAliveTimeout}), without a lookup of its own
     */
    static CharSequence stripResponse(HttpHeaders headers) {
        return strip(headers, false);
    }

    private static CharSequence strip(HttpHeaders headers, boolean request) {
        // One pass over the names finds what is there (issue 7: most messages carry one of these or
        // none, and a remove per name costs a lookup each); only those are then acted on.
        int found = 0;
        // Whether a Connection header lists anything but keep-alive, which most carry alone and
        // which names the Keep-Alive header, removed by its own bit: only then are its names read.
        boolean connectionNames = false;
        CharSequence keepAlive = null;
        List<String> proxyHeaders = null;
        Iterator<Map.Entry<CharSequence, CharSequence>> all = headers.iteratorCharSequence();
        while (all.hasNext()) {
            Map.Entry<CharSequence, CharSequence> header = all.next();
            CharSequence name = header.getKey();
            int bit = bitOf(name);
            if (bit != 0) {
                found |= bit;
                if (bit == CONNECTION_BIT && !KEEP_ALIVE.contentEqualsIgnoreCase(header.getValue())) {
                    connectionNames = true;
                } else if (bit == KEEP_ALIVE_BIT && keepAlive == null) {
                    keepAlive = header.getValue();
                }
            } else if (proxyHeader(name)) {
                if (proxyHeaders == null) {
                    proxyHeaders = new ArrayList<>(2);
                }
                // Names as they are until here (no String per header).
                proxyHeaders.add(name.toString().toLowerCase(Locale.ROOT));
            }
        }
        if (found == 0 && proxyHeaders == null) {
            return null;
        }
        // Before the names Connection lists: a client that asks for trailers names TE there too, as
        // RFC 9110 10.1.4 asks of it, and that took its TE: trailers away (found by probing).
        boolean teTrailers = request && (found & TE_BIT) != 0 && asksForTrailers(headers);
        if (connectionNames) {
            for (String connection : headers.getAll(HttpHeaderNames.CONNECTION)) {
                for (String token : connection.split(",")) {
                    String name = token.trim();
                    if (!name.isEmpty() && !endToEnd(name)) {
                        headers.remove(name);
                    }
                }
            }
        }
        for (int i = 0; i < NAMES.length; i++) {
            if ((found & (1 << i)) != 0) {
                headers.remove(NAMES[i]);
            }
        }
        if (proxyHeaders != null) {
            proxyHeaders.forEach(headers::remove);
        }
        if (teTrailers) {
            headers.set(HttpHeaderNames.TE, TRAILERS);
        }
        return keepAlive;
    }

    /**
     * {@code Proxy-*}; also {@code Proxy} itself and {@code Proxy_*}: a CGI backend makes {@code Proxy}
     * its {@code HTTP_PROXY} variable, which many HTTP client libraries take for their outbound proxy
     * ("httpoxy", CVE-2016-5385 and others), and reads {@code Proxy_Authorization} as {@code
     * Proxy-Authorization}.
     */
    private static boolean proxyHeader(CharSequence name) {
        int length = PROXY.length();
        return name.length() >= length
                && AsciiString.regionMatches(name, true, 0, PROXY, 0, length)
                && (name.length() == length || name.charAt(length) == '-' || name.charAt(length) == '_');
    }

    /**
     * {@code Content-Length} and {@code Host} stay whatever {@code Connection} lists: the first frames
     * the message for the next hop too (taken away, the body the decoder read by it would go on
     * unframed, and the next hop would read it as a request or response of its own: a smuggled one),
     * the second is required on every HTTP/1.1 request (RFC 9112 3.2). No sender has a reason to list
     * either; RFC 9110 7.6.1 forbids listing fields meant for all recipients. The forwarding headers
     * stay too ({@link ForwardedHeaders#forwarding}): untrusted, they are replaced anyway; trusted, they
     * are what the proxy in front wrote.
     */
    private static boolean endToEnd(String name) {
        return HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(name)
                || HttpHeaderNames.HOST.contentEqualsIgnoreCase(name)
                || ForwardedHeaders.forwarding(name);
    }

    /** The name's bit when it is one of {@link #NAMES}, else 0. */
    private static int bitOf(CharSequence name) {
        int length = name.length();
        for (int i = 0; i < NAMES.length; i++) {
            if (NAMES[i].length() == length && NAMES[i].contentEqualsIgnoreCase(name)) {
                return 1 << i;
            }
        }
        return 0;
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
