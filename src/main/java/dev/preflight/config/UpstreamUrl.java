package dev.preflight.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Checks an upstream URL (P4: the only thing that decides where requests go) and normalises it to
 * {@code scheme://host[:port]}. Parts the forwarder would silently ignore are refused instead.
 */
final class UpstreamUrl {

    static final String EXPECTED = "an http:// or https:// URL, e.g. http://127.0.0.1:3000";

    // A quoted string's text up to its last @ (a credential with no scheme in front).
    private static final Pattern QUOTED_USER_INFO = Pattern.compile("\"[^\"\\n]*@");

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
     * could not join), with user info as {@code ***}: on each line, from a scheme's {@code //} to the
     * line's last {@code @}, and in each quoted string up to its last {@code @}.
     */
    static String withoutUserInfoIn(String message) {
        List<String> lines = new ArrayList<>();
        for (String line : message.split("\n", -1)) {
            int scheme = line.indexOf("://");
            int at = line.lastIndexOf('@');
            String hidden =
                    scheme >= 0 && at > scheme ? line.substring(0, scheme + 3) + "***" + line.substring(at) : line;
            lines.add(QUOTED_USER_INFO.matcher(hidden).replaceAll("\"***@"));
        }
        return String.join("\n", lines);
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
