package dev.preflight.proxy;

import io.netty.handler.codec.DefaultHeaders;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The header names the proxy knows as constants, and the headers factory both decoders use. The
 * constants are the names the proxy sets on the messages its decoders made (a request on its way
 * upstream: the forwarding headers, {@code Host}; a response on its way back: the CORS headers,
 * {@code Vary}, {@code Date}, the framing) and the names backends commonly send, spelt as they send
 * them ({@code Content-Type}, {@code content-type}), which the upstream decoder takes from here
 * instead of making a new name per header per response ({@link #find}).
 *
 * <p>Every name that comes off the wire is checked as Netty checks it (a token, RFC 9110 5.6.2, a
 * character at a time); the constants are checked once, here, and skipped by identity: a name the
 * request decoder made is never one of these instances, and the upstream decoder hands out one only
 * for the very same bytes. Checking them again at every set took about 0.3 µs of a forwarded GET by
 * async-profiler's samples. The check runs for every name the decoders add too, so it must cost
 * less than the check it skips: the names are found by the hash the headers compute anyway, and
 * compared by identity. A hash map's lookup (its own hashing and equals) took 0.26 µs of a forwarded
 * GET by the same samples, more than Netty's checks it saved; a walk of the names of the same length
 * cost preflights 0.1 µs once the common response names joined the proxy's own (issue 7).
 */
public final class KnownHeaderNames {
    private static final DefaultHeaders.NameValidator<CharSequence> NETTY =
            DefaultHttpHeadersFactory.headersFactory().getNameValidator();

    /**
     * Response headers a backend commonly sends (RFC 9110, 9111, the Fetch standard, common security
     * and tracing headers), in the case most servers write them; each is known lower-cased too.
     */
    private static final List<String> COMMON_RESPONSE_NAMES = List.of(
            "Accept-Ranges",
            "Access-Control-Allow-Credentials",
            "Access-Control-Allow-Headers",
            "Access-Control-Allow-Methods",
            "Access-Control-Allow-Origin",
            "Access-Control-Allow-Private-Network",
            "Access-Control-Expose-Headers",
            "Access-Control-Max-Age",
            "Age",
            "Allow",
            "Alt-Svc",
            "Cache-Control",
            "Connection",
            "Content-Disposition",
            "Content-Encoding",
            "Content-Language",
            "Content-Length",
            "Content-Location",
            "Content-Range",
            "Content-Security-Policy",
            "Content-Type",
            "Cross-Origin-Embedder-Policy",
            "Cross-Origin-Opener-Policy",
            "Cross-Origin-Resource-Policy",
            "Date",
            "ETag",
            "Expires",
            "Keep-Alive",
            "Last-Modified",
            "Link",
            "Location",
            "Permissions-Policy",
            "Pragma",
            "Proxy-Authenticate",
            "Referrer-Policy",
            "Retry-After",
            "Sec-WebSocket-Accept",
            "Sec-WebSocket-Extensions",
            "Sec-WebSocket-Protocol",
            "Server",
            "Server-Timing",
            "Set-Cookie",
            "Strict-Transport-Security",
            "Timing-Allow-Origin",
            "Trailer",
            "Transfer-Encoding",
            "Upgrade",
            "Vary",
            "Via",
            "WWW-Authenticate",
            "X-Content-Type-Options",
            "X-Correlation-Id",
            "X-Frame-Options",
            "X-Powered-By",
            "X-Request-Id",
            "X-XSS-Protection");

    private static final List<AsciiString> KNOWN = checkedOnce(collect());

    /** The names by their length: {@code BY_LENGTH[n]} holds those of n characters (none for most n). */
    private static final AsciiString[][] BY_LENGTH = byLength(KNOWN);

    /** The same names by their hash (case-insensitive, as the headers hash them), open addressing. */
    private static final AsciiString[] BY_HASH = byHash(KNOWN);

    /** Netty's checks of names and values, but the names above are known good. */
    private static final HttpHeadersFactory HEADERS =
            DefaultHttpHeadersFactory.headersFactory().withNameValidator(KnownHeaderNames::validate);

    private KnownHeaderNames() {}

    /** For the decoders' headers (not their trailers, which the proxy does not write to). */
    public static HttpHeadersFactory headersFactory() {
        return HEADERS;
    }

    /** Netty's check of a header name, skipped for the names above. */
    static DefaultHeaders.NameValidator<CharSequence> nameValidator() {
        return KnownHeaderNames::validate;
    }

    /**
     * The constant spelt exactly as {@code bytes[start, start + length)}, or null: the upstream
     * decoder's name for a header it read. The same letters in another case are another name here
     * (the proxy forwards a backend's names as they came).
     */
    public static AsciiString find(byte[] bytes, int start, int length) {
        if (length >= BY_LENGTH.length || length == 0) {
            return null;
        }
        byte first = bytes[start];
        for (AsciiString candidate : BY_LENGTH[length]) {
            byte[] spelt = candidate.array();
            int offset = candidate.arrayOffset();
            if (spelt[offset] == first && Arrays.equals(spelt, offset, offset + length, bytes, start, start + length)) {
                return candidate;
            }
        }
        return null;
    }

    /** Netty's name check, unless {@code name} is one of the constants. */
    static void validate(CharSequence name) {
        if (!(name instanceof AsciiString ascii) || !known(ascii)) {
            NETTY.validateName(name);
        }
    }

    /**
     * {@code name} is the very instance of one of the constants: found by its hash, which the headers
     * compute next anyway (an AsciiString keeps it), in a table mostly empty, so a name off the wire
     * usually ends at its first slot.
     */
    static boolean known(AsciiString name) {
        int mask = BY_HASH.length - 1;
        for (int slot = name.hashCode() & mask; BY_HASH[slot] != null; slot = (slot + 1) & mask) {
            if (BY_HASH[slot] == name) {
                return true;
            }
        }
        return false;
    }

    /** The names the proxy sets, as the instances it sets them with. */
    static List<AsciiString> ownNames() {
        List<AsciiString> names = new ArrayList<>(List.of(
                ForwardedHeaders.X_FORWARDED_FOR,
                ForwardedHeaders.X_FORWARDED_PROTO,
                ForwardedHeaders.X_FORWARDED_HOST,
                ForwardedHeaders.FORWARDED,
                HttpHeaderNames.HOST,
                HttpHeaderNames.TRANSFER_ENCODING,
                HttpHeaderNames.CONTENT_LENGTH,
                HttpHeaderNames.CONNECTION,
                HttpHeaderNames.UPGRADE,
                HttpHeaderNames.TE,
                HttpDate.NAME,
                VaryHeader.NAME));
        names.addAll(List.of(CorsResponses.NAMES));
        return names;
    }

    /** Every constant, the proxy's own names first. */
    static List<AsciiString> knownNames() {
        return KNOWN;
    }

    /** The proxy's own names, then each common one in both spellings unless one of them is spelt so. */
    private static List<AsciiString> collect() {
        List<AsciiString> names = new ArrayList<>(ownNames());
        Set<String> spelt = new HashSet<>();
        names.forEach(name -> spelt.add(name.toString()));
        for (String name : COMMON_RESPONSE_NAMES) {
            for (String spelling : List.of(name, name.toLowerCase(Locale.ROOT))) {
                if (spelt.add(spelling)) {
                    names.add(AsciiString.cached(spelling));
                }
            }
        }
        return List.copyOf(names);
    }

    private static List<AsciiString> checkedOnce(List<AsciiString> names) {
        names.forEach(NETTY::validateName); // once: a constant that is no token fails the class's load
        return names;
    }

    private static AsciiString[] byHash(List<AsciiString> names) {
        AsciiString[] table = new AsciiString[Integer.highestOneBit(names.size()) * 8];
        int mask = table.length - 1;
        for (AsciiString name : names) {
            int slot = name.hashCode() & mask;
            while (table[slot] != null) {
                slot = (slot + 1) & mask;
            }
            table[slot] = name;
        }
        return table;
    }

    private static AsciiString[][] byLength(List<AsciiString> names) {
        int longest = names.stream().mapToInt(AsciiString::length).max().orElse(0);
        AsciiString[][] byLength = new AsciiString[longest + 1][];
        for (int length = 0; length <= longest; length++) {
            int n = length;
            byLength[length] = names.stream().filter(name -> name.length() == n).toArray(AsciiString[]::new);
        }
        return byLength;
    }
}
