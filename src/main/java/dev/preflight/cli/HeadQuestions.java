package dev.preflight.cli;

import dev.preflight.policy.SecFetch;
import dev.preflight.proxy.HeadChecks;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

/**
 * An explain question as the head the proxy would receive, put through the checks the proxy makes of
 * every head before it chooses a route, so that explain refuses what the proxy refuses, with the
 * proxy's own words ({@link HeadChecks}).
 */
final class HeadQuestions {
    private HeadQuestions() {}

    /**
     * The question as the proxy would read it off the wire: its decoder takes the spaces and tabs
     * around a header value away (RFC 9110 5.5), so {@code "https://app.example\t"} is an allowed
     * origin there, not a malformed one (found by probing).
     */
    static Explainer.Question asReceived(Explainer.Question q) {
        SecFetch secFetch = q.secFetch();
        return new Explainer.Question(
                trimmed(q.origin()),
                // A preflight's method is a header's value (Access-Control-Request-Method), trimmed too.
                q.preflight() ? trimmed(q.method()) : q.method(),
                q.headers().stream().map(HeadQuestions::trimmed).toList(),
                q.path(),
                trimmed(q.host()),
                q.preflight(),
                secFetch == SecFetch.NONE
                        ? secFetch
                        : new SecFetch(trimmed(secFetch.site()), trimmed(secFetch.mode()), trimmed(secFetch.dest())),
                trimmed(q.forwardedProto()),
                q.privateNetwork(),
                q.websocket());
    }

    private static String trimmed(String value) {
        if (value == null) {
            return null;
        }
        int start = 0;
        int end = value.length();
        while (start < end && (value.charAt(start) == ' ' || value.charAt(start) == '\t')) {
            start++;
        }
        while (end > start && (value.charAt(end - 1) == ' ' || value.charAt(end - 1) == '\t')) {
            end--;
        }
        return value.substring(start, end);
    }

    /**
     * The proxy's answer to a head it refuses before routing: a request line the decoder does not
     * take, a Host that is not host[:port] (RFC 9112 3.2), TRACE, CONNECT, a target of * for another
     * method than OPTIONS, a header value that is not ASCII...; or null when it goes on to a route.
     */
    static Explainer.Explanation refusedBeforeRouting(Explainer.Question q) {
        if (!requestLineTokens(q)) {
            // Whitespace or a control character in the method or the target.
            return Explainer.Explanation.refused(
                    Explainer.REFUSED_REQUEST,
                    new HeadChecks.Refusal(HttpResponseStatus.BAD_REQUEST, "the request line is malformed", true));
        }
        HttpRequest head;
        try {
            head = head(q);
        } catch (IllegalArgumentException controlCharacter) {
            // A control character in a header value (an Origin with an escape or a line feed in it):
            // Netty's decoder refuses such a head, by the check its headers make here (found by probing:
            // explain called the origin malformed and the request forwarded).
            return Explainer.Explanation.refused(
                    Explainer.REFUSED_REQUEST,
                    new HeadChecks.Refusal(HttpResponseStatus.BAD_REQUEST, "the request is malformed", true));
        }
        HeadChecks.Refusal refused = HeadChecks.refusal(head);
        if (refused == null) {
            return null;
        }
        boolean badHost = q.host() != null && !HeadChecks.validHost(q.host());
        return Explainer.Explanation.refused(badHost ? Explainer.REFUSED_HOST : Explainer.REFUSED_REQUEST, refused);
    }

    private static boolean requestLineTokens(Explainer.Question q) {
        String target = q.path() == null ? "/" : q.path();
        try {
            HttpMethod.valueOf(q.method());
        } catch (IllegalArgumentException malformed) {
            return false;
        }
        return target.chars().noneMatch(c -> c <= ' ' || c == 0x7f);
    }

    /**
     * The head the proxy would receive: the method (OPTIONS for a preflight), the target, and the
     * headers the question names. Without {@code --host} the head carries a placeholder one, which no
     * check refuses: a request's Host is then simply unknown.
     */
    private static HttpRequest head(Explainer.Question q) {
        HttpRequest head = new DefaultHttpRequest(
                HttpVersion.HTTP_1_1,
                HttpMethod.valueOf(q.preflight() ? "OPTIONS" : q.method()),
                q.path() == null ? "/" : q.path(),
                DefaultHttpHeadersFactory.headersFactory().withNameValidation(false));
        HttpHeaders headers = head.headers();
        headers.set(HttpHeaderNames.HOST, q.host() == null ? "localhost" : q.host());
        if (q.origin() != null) {
            headers.set(HttpHeaderNames.ORIGIN, q.origin());
        }
        if (q.websocket()) {
            headers.set(HttpHeaderNames.UPGRADE, "websocket");
            headers.set(HttpHeaderNames.CONNECTION, "Upgrade");
        }
        if (q.preflight()) {
            headers.set(HttpHeaderNames.ACCESS_CONTROL_REQUEST_METHOD, q.method());
            for (String h : q.headers()) {
                headers.add(HttpHeaderNames.ACCESS_CONTROL_REQUEST_HEADERS, h);
            }
        }
        if (q.forwardedProto() != null) {
            headers.set("X-Forwarded-Proto", q.forwardedProto());
        }
        SecFetch secFetch = q.secFetch();
        for (String[] h : new String[][] {
            {"Sec-Fetch-Site", secFetch.site()},
            {"Sec-Fetch-Mode", secFetch.mode()},
            {"Sec-Fetch-Dest", secFetch.dest()}
        }) {
            if (h[1] != null) {
                headers.set(h[0], h[1]);
            }
        }
        return head;
    }
}
