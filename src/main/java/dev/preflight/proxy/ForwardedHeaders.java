package dev.preflight.proxy;

import dev.preflight.config.ForwardedSettings;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import io.netty.util.NetUtil;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.function.Predicate;

/**
 * Tells the upstream who the client was (P3): {@code X-Forwarded-For/-Proto/-Host}, or RFC 7239
 * {@code Forwarded}, or nothing. The client's own forwarding headers are spoofable, so unless
 * {@code trust-incoming} they are removed in every style, {@code none} included, every {@code
 * X-Forwarded-*}, {@code Forwarded} and {@code X-Real-IP} of them, also written with underscores; when
 * trusted, ours are appended to theirs (and only those written with underscores are removed).
 */
public final class ForwardedHeaders {
    static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
    static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");
    static final AsciiString FORWARDED = AsciiString.cached("forwarded");
    private static final AsciiString X_FORWARDED_PREFIX = AsciiString.cached("x-forwarded-");
    private static final AsciiString X_REAL_IP = AsciiString.cached("x-real-ip");
    private static final Predicate<CharSequence> CLIENT_FORWARDING = ForwardedHeaders::forwarding;
    private static final Predicate<CharSequence> UNDERSCORED_FORWARDING = ForwardedHeaders::underscoredForwarding;
    private static final AsciiString HTTP = AsciiString.cached("http");

    private final ForwardedSettings settings;

    public ForwardedHeaders(ForwardedSettings settings) {
        this.settings = settings;
    }

    /**
     * @param headers the request's headers, already stripped of hop-by-hop ones
     * @param client the client's address
     * @param clientIp {@link #clientIp} of {@code client}, worked out once per connection
     * @param host the {@code Host} the client sent, or null
     */
    public void apply(HttpHeaders headers, SocketAddress client, String clientIp, String host) {
        boolean trusted = settings.trustIncoming();
        if (!trusted) {
            removeClientForwarding(headers);
            // Theirs are gone: below, ours are added without looking theirs up, nor set's removal scan (issue 7).
        } else {
            // A proxy in front writes these with hyphens; a name with underscores came from the client.
            MatchingHeaders.remove(headers, UNDERSCORED_FORWARDING);
        }
        switch (settings.headers()) {
            case X_FORWARDED -> {
                append(headers, X_FORWARDED_FOR, clientIp, trusted);
                addUnlessSent(headers, X_FORWARDED_PROTO, HTTP, trusted);
                if (host != null) {
                    addUnlessSent(headers, X_FORWARDED_HOST, host, trusted);
                }
            }
            case FORWARDED -> {
                StringBuilder element = new StringBuilder("for=").append(forNode(client, clientIp));
                element.append(";proto=http");
                if (host != null) {
                    element.append(";host=").append(quoteIfNeeded(host));
                }
                append(headers, FORWARDED, element.toString(), trusted);
            }
            case NONE -> {}
        }
    }

    /**
     * Every forwarding header the client sent: not only the three this proxy writes, but every
     * {@code X-Forwarded-*} ({@code -Port}, {@code -Prefix}, {@code -Ssl}, {@code -Server}: Spring's
     * {@code ForwardedHeaderFilter} and Tomcat's {@code RemoteIpValve} build redirect and link URLs
     * from them), {@code Forwarded} and {@code X-Real-IP}; each also written with underscores
     * ({@code X_Forwarded_For}), which a CGI, WSGI or PHP backend reads as the same variable as ours
     * ({@code HTTP_X_FORWARDED_FOR}), the client's first (found by probing; nginx drops every name with
     * an underscore by default for this).
     */
    private static void removeClientForwarding(HttpHeaders headers) {
        MatchingHeaders.remove(headers, CLIENT_FORWARDING);
    }

    /**
     * A name a forwarding header of a client goes by (every {@code X-Forwarded-*}, {@code Forwarded},
     * {@code X-Real-IP}, also with underscores): removed from an untrusted client's request, and kept
     * whatever {@code Connection} lists, since listing one let a client behind a trusted proxy erase
     * what that proxy had written (found by probing).
     */
    static boolean forwarding(CharSequence name) {
        return (name.length() > X_FORWARDED_PREFIX.length() && readAs(name, X_FORWARDED_PREFIX))
                || (name.length() == FORWARDED.length() && readAs(name, FORWARDED))
                || (name.length() == X_REAL_IP.length() && readAs(name, X_REAL_IP));
    }

    private static boolean underscoredForwarding(CharSequence name) {
        for (int i = 0; i < name.length(); i++) {
            if (name.charAt(i) == '_') {
                return forwarding(name);
            }
        }
        return false;
    }

    /** Whether {@code name} starts with {@code lower}, as a CGI server reads it: case ignored, {@code _} as {@code -}. */
    private static boolean readAs(CharSequence name, AsciiString lower) {
        for (int i = 0; i < lower.length(); i++) {
            char c = name.charAt(i);
            char read = c == '_' ? '-' : c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
            if (read != lower.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The client's IP address as text, an IPv6 one in RFC 5952's form without its zone ({@code ::1},
     * not the JDK's {@code 0:0:0:0:0:0:0:1} or {@code fe80:0:0:0:fc:ff:fe00:1%4}, which a backend
     * comparing addresses as text took for others, and a zone RFC 7239 has no place for); {@code
     * unknown} when it is not an IP socket.
     */
    static String clientIp(SocketAddress client) {
        return client instanceof InetSocketAddress inet
                ? (inet.getAddress() != null ? NetUtil.toAddressString(inet.getAddress()) : inet.getHostString())
                : "unknown";
    }

    /**
     * Ours after a trusted client's list, all its lines joined in order (RFC 9110 5.3: a proxy in
     * front, HAProxy's {@code option forwardfor}, adds a line of its own; only the first was kept, the
     * address the proxy in front saw lost and a spoofed one kept in its place); else ours alone.
     */
    private static void append(HttpHeaders headers, AsciiString name, String value, boolean trusted) {
        if (!trusted) {
            headers.add(name, value);
            return;
        }
        StringBuilder joined = new StringBuilder();
        for (String line : headers.getAll(name)) {
            if (!line.isBlank()) {
                joined.append(line.strip()).append(", ");
            }
        }
        headers.set(name, joined.append(value).toString());
    }

    /** A trusted client's own value stays; else ours. */
    private static void addUnlessSent(HttpHeaders headers, AsciiString name, CharSequence value, boolean trusted) {
        if (!trusted || !headers.contains(name)) {
            headers.add(name, value);
        }
    }

    private static String forNode(SocketAddress client, String ip) {
        return client instanceof InetSocketAddress inet && inet.getAddress() instanceof Inet6Address
                ? "\"[" + ip + "]\""
                : ip;
    }

    /** RFC 7239 values are tokens or quoted strings; a host with a port has a colon, not a token char. */
    private static String quoteIfNeeded(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (!(Character.isLetterOrDigit(c) || c == '.' || c == '-' || c == '_')) {
                return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
            }
        }
        return value;
    }
}
