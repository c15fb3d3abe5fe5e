package dev.preflight.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Checks an upstream URL (P4: the only thing that decides where requests go) and normalises it to
 * {@code scheme://host[:port]}. Parts the forwarder would silently ignore are refused instead.
 */
final class UpstreamUrl {

    static final String EXPECTED = "an http:// or https:// URL, e.g. http://127.0.0.1:3000";

    // User info within a parser's message (withoutUserInfoIn): a quoted text, escapes and line breaks
    // included, up to its last @; a scheme's // up to the message's last @; a bare run ending in @.
    private static final Pattern DOUBLE_QUOTED_USER_INFO = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*@");
    private static final Pattern SINGLE_QUOTED_USER_INFO = Pattern.compile("'[^']*@");
    private static final Pattern SCHEME_USER_INFO = Pattern.compile("://.*@", Pattern.DOTALL);
    private static final Pattern BARE_USER_INFO = Pattern.compile("[^\\s'\"(]+@");

    private UpstreamUrl() {}

    /** What is expected instead of {@code written}, or empty when it is a usable URL. */
    static Optional<String> problem(String written) {
        URI uri;
        try {
            uri = new URI(written.strip());
        } catch (URISyntaxException e) {
            return Optional.of(EXPECTED);
        }
        String scheme = scheme(uri);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.isOpaque()) {
            return Optional.of(EXPECTED);
        }
        if (uri.getHost() == null) {
            // An unusual authority (say "http://my_api:3000") parses, but as no host at all.
            return Optional.of("an http:// or https:// URL with a valid host name, e.g. http://127.0.0.1:3000");
        }
        String corrected = scheme + "://" + authority(uri);
        if (uri.getPort() == 0 || uri.getPort() > 65535) {
            return Optional.of("a port 1..65535, e.g. " + scheme + "://" + uri.getHost() + ":3000");
        }
        if (uri.getRawUserInfo() != null) {
            return Optional.of("a URL without user info, e.g. " + corrected);
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            return Optional.of("a URL without query or fragment, e.g. " + corrected);
        }
        if (!uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/")) {
            return Optional.of("a URL without a path, e.g. " + corrected + "; paths are not supported yet");
        }
        return Optional.empty();
    }

    /**
     * {@code written} as a problem shows it: user info, which is a credential (a password, or a token
     * as the user name), as {@code ***}. The line goes to the terminal and the logs; the value as
     * written may have come from a secret in the environment. Everything up to the last {@code @} is
     * hidden, since a password may hold any character, a {@code /} or a {@code #} too (a base64
     * token); the rest of a URL with an {@code @} in its query is hidden with it, which costs nothing
     * but a clue.
     */
    static String withoutUserInfo(String written) {
        int scheme = written.indexOf("://");
        int start = scheme < 0 ? 0 : scheme + 3;
        int at = written.lastIndexOf('@');
        return at < start ? written : written.substring(0, start) + "***" + written.substring(at);
    }

    /**
     * A parser's message, which may quote a value (HOCON's "cannot concatenate" quotes the string it
     * could not join, its token errors the raw token in single quotes, line breaks and all), with user
     * info as {@code ***}: a quoted text up to its last {@code @}, then from a scheme's {@code //} to
     * the message's last {@code @}, then any run of visible characters ending in {@code @}. More than
     * the user info may go; never less (found by probing, twice).
     */
    static String withoutUserInfoIn(String message) {
        String hidden = DOUBLE_QUOTED_USER_INFO.matcher(message).replaceAll("\"***@");
        hidden = SINGLE_QUOTED_USER_INFO.matcher(hidden).replaceAll("'***@");
        hidden = SCHEME_USER_INFO.matcher(hidden).replaceAll("://***@");
        return BARE_USER_INFO.matcher(hidden).replaceAll("***@");
    }

    /** {@code scheme://host[:port]}, lower-case, without the trailing slash; only for a URL without {@link #problem}. */
    static URI normalise(String written) {
        URI uri = URI.create(written.strip());
        return URI.create(scheme(uri) + "://" + authority(uri));
    }

    private static String scheme(URI uri) {
        return uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    }

    private static String authority(URI uri) {
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        return uri.getPort() == -1 ? host : host + ":" + uri.getPort();
    }
}
