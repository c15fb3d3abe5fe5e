package dev.preflight.proxy;

import io.netty.handler.codec.DefaultHeaders;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.List;

/**
 * The header names the proxy sets on the messages its decoders made (a request on its way upstream:
 * the forwarding headers, {@code Host}; a response on its way back: the CORS headers, {@code Vary},
 * {@code Date}, the framing), and the headers factory both decoders use. Every name that comes off
 * the wire is checked as Netty checks it (a token, RFC 9110 5.6.2, a character at a time); the
 * proxy's own names are constants, checked once here, and skipped by identity: a name the decoder
 * made is never one of these instances, whatever it spells. Checking them again at every set took
 * about 0.3 µs of a forwarded GET by async-profiler's samples. The check runs for every name the
 * decoders add too, so it must cost less than the check it skips: the names are kept by length and
 * compared by identity (one or two references at most). A hash map's lookup took 0.26 µs of a
 * forwarded GET by the same samples, more than Netty's checks it saved (issue 7).
 */
public final class OwnHeaderNames {
    private static final DefaultHeaders.NameValidator<CharSequence> NETTY =
            DefaultHttpHeadersFactory.headersFactory().getNameValidator();

    /** The names by their length: {@code BY_LENGTH[n]} holds those of n characters (none for most n). */
    private static final AsciiString[][] BY_LENGTH = byLength(checkedOnce(ownNames()));

    /** Netty's checks of names and values, but the names above are known good. */
    private static final HttpHeadersFactory HEADERS =
            DefaultHttpHeadersFactory.headersFactory().withNameValidator(OwnHeaderNames::validate);

    private OwnHeaderNames() {}

    /** For the decoders' headers (not their trailers, which the proxy does not write to). */
    public static HttpHeadersFactory headersFactory() {
        return HEADERS;
    }

    /** Netty's name check, unless {@code name} is one of the proxy's own constants. */
    static void validate(CharSequence name) {
        if (!(name instanceof AsciiString ascii) || !own(ascii)) {
            NETTY.validateName(name);
        }
    }

    /** {@code name} is the very instance of one of the proxy's own names. */
    static boolean own(AsciiString name) {
        int length = name.length();
        if (length >= BY_LENGTH.length) {
            return false;
        }
        for (AsciiString candidate : BY_LENGTH[length]) {
            if (candidate == name) {
                return true;
            }
        }
        return false;
    }

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

    private static List<AsciiString> checkedOnce(List<AsciiString> names) {
        names.forEach(NETTY::validateName); // once: a constant that is no token fails the class's load
        return names;
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
