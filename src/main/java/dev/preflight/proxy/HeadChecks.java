package dev.preflight.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import io.netty.util.internal.StringUtil;
import java.util.Iterator;
import java.util.Map;

/**
 * Request heads the decoder accepts but HTTP/1.1 forbids, or this proxy cannot forward faithfully; each
 * gets 400 (501 for a transfer coding) and a closed connection.
 */
public final class HeadChecks {
    private HeadChecks() {}

    /**
     * What the proxy answers itself to a head it will not forward, before any route is chosen.
     *
     * @param detail the one line the problem body and the log give
     * @param close the connection ends after it (a head the proxy cannot trust to frame what follows)
     */
    public record Refusal(HttpResponseStatus status, String detail, boolean close) {}

    /**
     * The refusal of a head the proxy does not forward, else null: a malformed or unsafe head (400 and
     * close), a transfer coding besides chunked (501 and close), {@code TRACE} or {@code TRACK} (501).
     * Public for {@code explain}, which answers from the same checks.
     */
    public static Refusal refusal(HttpRequest request) {
        String invalid = problem(request);
        if (invalid != null) {
            return new Refusal(HttpResponseStatus.BAD_REQUEST, invalid, true);
        }
        if (unsupportedTransferCoding(request)) {
            return new Refusal(
                    HttpResponseStatus.NOT_IMPLEMENTED, "only the chunked transfer coding is supported", true);
        }
        if (unforwardedMethod(request)) {
            return new Refusal(HttpResponseStatus.NOT_IMPLEMENTED, request.method() + " is not forwarded", false);
        }
        return null;
    }

    /** A one-line reason when {@code request} must be refused, else null. */
    private static String problem(HttpRequest request) {
        HttpVersion version = request.protocolVersion();
        if (version.majorVersion() != 1) {
            // An HTTP/2 preface (PRI * HTTP/2.0) included: this port speaks HTTP/1 only.
            return "only HTTP/1.0 and HTTP/1.1 are served here";
        }
        // One pass over the headers as they are, not as Strings and without a list: this runs on
        // every request. The problems are still named in the order they are checked below.
        int hosts = 0;
        CharSequence host = null;
        boolean ascii = true;
        Iterator<Map.Entry<CharSequence, CharSequence>> headers =
                request.headers().iteratorCharSequence();
        while (headers.hasNext()) {
            Map.Entry<CharSequence, CharSequence> header = headers.next();
            if (HttpHeaderNames.HOST.contentEqualsIgnoreCase(header.getKey())) {
                hosts++;
                host = header.getValue();
            }
            ascii &= ascii(header.getValue());
        }
        if (hosts > 1) {
            return "more than one Host header";
        }
        if (hosts == 0 && !version.equals(HttpVersion.HTTP_1_0)) {
            return "an HTTP/1.1 request needs a Host header";
        }
        if (host != null && !validHost(host)) {
            // RFC 9112 3.2: 400 for a Host with an invalid value. Routes, the same-origin check (C2)
            // and X-Forwarded-Host read it; a backend could read "a b" or "a@b" otherwise than they do.
            return "the Host header is not a host[:port]";
        }
        String uri = request.uri();
        if (uri.isEmpty() || !(uri.charAt(0) == '/' || uri.equals("*") || uri.regionMatches(true, 0, "http", 0, 4))) {
            return "the request target is not a path or an absolute URL";
        }
        if (uri.equals("*") && !HttpMethod.OPTIONS.equals(request.method())) {
            return "only OPTIONS may have the target *";
        }
        if (request.method().name().equalsIgnoreCase("CONNECT")) {
            // RFC 9112 3.2.3: CONNECT takes host:port, refused above; this proxy opens no tunnels. In
            // any case: methods are case-sensitive, but a backend that reads them otherwise must not
            // get one.
            return request.method() + " is not forwarded";
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
     * {@code TRACE} (and {@code TRACK}, IIS's): a backend answers it with the request it received, the
     * client's cookies and credentials included, which is what Cross-Site Tracing reads; nginx and
     * Tomcat refuse it by default, and security scanners flag a server that answers it. Not forwarded:
     * 501 (the proxy does not implement it; a 405 would have to name the methods the backend allows).
     * In any case ({@code trace}): methods are case-sensitive, so {@code trace} is another method, but
     * a backend that compares them ignoring case would echo it all the same.
     */
    private static boolean unforwardedMethod(HttpRequest request) {
        String method = request.method().name();
        return method.equalsIgnoreCase("TRACE") || method.equalsIgnoreCase("TRACK");
    }

    /**
     * A transfer coding besides {@code chunked}: the proxy restates the framing as plain chunked for the
     * next hop, which would then take the coded bytes for the body. A request gets 501 (RFC 9112 6.1),
     * a response from the upstream is a malformed one (502): neither goes on without its label.
     */
    static boolean unsupportedTransferCoding(HttpMessage request) {
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

    /**
     * {@code uri-host [ ":" port ]} (RFC 9110 7.2, RFC 3986 3.2.2): an IP literal in brackets, or a
     * reg-name (an IPv4 address is one) of unreserved characters and sub-delims (not percent-escapes,
     * below), then digits after a colon. Empty is valid: a target without an authority has an empty Host.
     */
    public static boolean validHost(CharSequence host) {
        int length = host.length();
        int i = 0;
        if (length > 0 && host.charAt(0) == '[') {
            int close = AsciiString.indexOf(host, ']', 0);
            if (close < 2) {
                return false;
            }
            for (i = 1; i < close; i++) {
                char c = host.charAt(i);
                if (!(isHex(c) || c == ':' || c == '.' || c == 'v' || c == 'V' || unreservedOrSubDelim(c))) {
                    return false;
                }
            }
            i = close + 1;
        } else {
            while (i < length && host.charAt(i) != ':') {
                char c = host.charAt(i);
                if (!unreservedOrSubDelim(c)) {
                    // A percent-escape too, valid in RFC 3986's reg-name: no DNS name has one, and a
                    // WHATWG URL parser (Node's new URL(...) from the Host) decodes %61pi.test to
                    // api.test, another host than host routes read (P5).
                    return false;
                }
                i++;
            }
        }
        if (i == length) {
            return true;
        }
        if (host.charAt(i) != ':') {
            return false;
        }
        for (i++; i < length; i++) {
            char c = host.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private static boolean isHex(char c) {
        return StringUtil.decodeHexNibble(c) >= 0;
    }

    // RFC 3986 2.3 unreserved and 2.2 sub-delims.
    private static boolean unreservedOrSubDelim(char c) {
        return (c >= 'a' && c <= 'z')
                || (c >= 'A' && c <= 'Z')
                || (c >= '0' && c <= '9')
                || "-._~!$&'()*+,;=".indexOf(c) >= 0;
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
