package dev.preflight.policy;

import static dev.preflight.policy.Expect.ACAM;
import static dev.preflight.policy.Expect.ACAO;
import static dev.preflight.policy.Expect.ACMA;
import static dev.preflight.policy.Expect.actualAllowed;
import static dev.preflight.policy.Expect.actualForwardedBare;
import static dev.preflight.policy.Expect.h;
import static dev.preflight.policy.Expect.preflightAllowed;
import static dev.preflight.policy.Expect.preflightRejected;
import static dev.preflight.policy.Req.get;
import static dev.preflight.policy.Req.preflight;
import static dev.preflight.policy.Rules.APP;
import static dev.preflight.policy.Rules.DEFAULT_METHODS;
import static dev.preflight.policy.Rules.rule;

import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/** The rows of {@link CorsPolicyTest} for origin matching (C12). */
final class OriginRules {

    private static final Cors SUBDOMAINS = Cors.origins("https://*.example.com");
    private static final Cors LOCALHOST = Cors.origins("http://localhost:*");
    private static final Cors PORT = Cors.origins("https://api.example.org:8443");
    private static final Cors EXACT = Cors.origins(APP);
    private static final Cors REGEX = Cors.defaults().regexes("https://[a-z0-9-]+\\.example\\.net");

    private OriginRules() {}

    private static Expect allowed(String origin) {
        return actualAllowed(h(ACAO, origin));
    }

    private static Expect notAllowed(String origin) {
        return actualForwardedBare(Reason.ORIGIN_NOT_ALLOWED, origin);
    }

    private static Expect malformed(String origin) {
        return actualForwardedBare(Reason.ORIGIN_MALFORMED, origin);
    }

    static Stream<Arguments> rows() {
        return Stream.of(
                // *.example.com
                rule(
                        "C12: *.example.com matches one label",
                        SUBDOMAINS,
                        get("https://a.example.com"),
                        allowed("https://a.example.com")),
                rule(
                        "C12: *.example.com matches several labels",
                        SUBDOMAINS,
                        get("https://a.b.example.com"),
                        allowed("https://a.b.example.com")),
                rule(
                        "C12: *.example.com does not match the apex example.com",
                        SUBDOMAINS,
                        get("https://example.com"),
                        notAllowed("https://example.com")),
                rule(
                        "C12: *.example.com does not match evil-example.com",
                        SUBDOMAINS,
                        get("https://evil-example.com"),
                        notAllowed("https://evil-example.com")),
                rule(
                        "C12: *.example.com does not match example.com.evil.net",
                        SUBDOMAINS,
                        get("https://example.com.evil.net"),
                        notAllowed("https://example.com.evil.net")),
                rule(
                        "C12: *.example.com does not match evil-example.com in a preflight",
                        SUBDOMAINS,
                        preflight("https://evil-example.com", "GET"),
                        preflightRejected(Reason.ORIGIN_NOT_ALLOWED, "https://evil-example.com")),
                rule(
                        "C12: *.example.com matches a subdomain in a preflight",
                        SUBDOMAINS,
                        preflight("https://a.example.com", "GET"),
                        preflightAllowed(
                                204, h(ACAO, "https://a.example.com"), h(ACAM, DEFAULT_METHODS), h(ACMA, "600"))),
                rule(
                        "C12: *.example.com does not match another scheme",
                        SUBDOMAINS,
                        get("http://a.example.com"),
                        notAllowed("http://a.example.com")),
                rule(
                        "C12: *.example.com does not match a port",
                        SUBDOMAINS,
                        get("https://a.example.com:8443"),
                        notAllowed("https://a.example.com:8443")),
                rule(
                        "C12: *.example.com matches the default port, written out",
                        SUBDOMAINS,
                        get("https://a.example.com:443"),
                        allowed("https://a.example.com:443")),
                rule(
                        "C12: *.example.com:* matches any port",
                        Cors.origins("https://*.example.com:*"),
                        get("https://a.example.com:8443"),
                        allowed("https://a.example.com:8443")),
                rule(
                        "C12: *.example.com:* matches no port",
                        Cors.origins("https://*.example.com:*"),
                        get("https://a.example.com"),
                        allowed("https://a.example.com")),
                rule(
                        "C12: *.example.com matches an upper-case host",
                        SUBDOMAINS,
                        get("https://A.EXAMPLE.COM"),
                        allowed("https://A.EXAMPLE.COM")),
                // ports
                rule(
                        "C12: localhost:* matches any port",
                        LOCALHOST,
                        get("http://localhost:3000"),
                        allowed("http://localhost:3000")),
                rule(
                        "C12: localhost:* matches no port",
                        LOCALHOST,
                        get("http://localhost"),
                        allowed("http://localhost")),
                rule(
                        "C12: localhost:* does not match https",
                        LOCALHOST,
                        get("https://localhost:3000"),
                        notAllowed("https://localhost:3000")),
                rule(
                        "C12: localhost:* does not match localhost.evil.com",
                        LOCALHOST,
                        get("http://localhost.evil.com:3000"),
                        notAllowed("http://localhost.evil.com:3000")),
                rule(
                        "C12: localhost:* does not match a subdomain",
                        LOCALHOST,
                        get("http://a.localhost:3000"),
                        notAllowed("http://a.localhost:3000")),
                rule(
                        "C12: [::1]:* matches any port",
                        Cors.origins("http://[::1]:*"),
                        get("http://[::1]:8080"),
                        allowed("http://[::1]:8080")),
                rule(
                        "C12: :8443 does not match no port",
                        PORT,
                        get("https://api.example.org"),
                        notAllowed("https://api.example.org")),
                rule("C12: no port does not match :8443", EXACT, get(APP + ":8443"), notAllowed(APP + ":8443")),
                rule(
                        "C12: :8443 matches :8443",
                        PORT,
                        get("https://api.example.org:8443"),
                        allowed("https://api.example.org:8443")),
                rule(
                        "C12: the Origin's default port is normalised away",
                        EXACT,
                        get(APP + ":443"),
                        allowed(APP + ":443")),
                rule(
                        "C12: the entry's default port is normalised away",
                        Cors.origins(APP + ":443"),
                        get(APP),
                        allowed(APP)),
                rule(
                        "C12: http's default port is 80, not 443",
                        Cors.origins("http://app.example.com"),
                        get("http://app.example.com:443"),
                        notAllowed("http://app.example.com:443")),
                // case
                rule(
                        "C12: an upper-case scheme matches",
                        EXACT,
                        get("HTTPS://app.example.com"),
                        allowed("HTTPS://app.example.com")),
                rule(
                        "C12: an upper-case host matches",
                        EXACT,
                        get("https://APP.EXAMPLE.COM"),
                        allowed("https://APP.EXAMPLE.COM")),
                rule(
                        "C12: an upper-case entry matches",
                        Cors.origins("HTTPS://App.Example.com"),
                        get(APP),
                        allowed(APP)),
                rule(
                        "C12: an exact entry does not match its subdomains",
                        EXACT,
                        get("https://x.app.example.com"),
                        notAllowed("https://x.app.example.com")),
                rule(
                        "C12: a host with a trailing dot (fully qualified) is another origin than the entry without it",
                        EXACT,
                        get(APP + "."),
                        notAllowed(APP + ".")),
                rule(
                        "C12: a host with a trailing dot is not under a pattern without it",
                        SUBDOMAINS,
                        get("https://a.example.com."),
                        notAllowed("https://a.example.com.")),
                // malformed
                rule("C12: a trailing slash is malformed", EXACT, get(APP + "/"), malformed(APP + "/")),
                rule("C12: a host that is only a dot is malformed", EXACT, get("https://."), malformed("https://.")),
                rule("C12: two trailing dots are malformed", EXACT, get(APP + ".."), malformed(APP + "..")),
                rule("C12: a path is malformed", EXACT, get(APP + "/path"), malformed(APP + "/path")),
                rule(
                        "C12: user info is malformed",
                        EXACT,
                        get("https://user@app.example.com"),
                        malformed("https://user@app.example.com")),
                rule("C12: a query is malformed", EXACT, get(APP + "?x=1"), malformed(APP + "?x=1")),
                rule("C12: an empty port is malformed", EXACT, get(APP + ":"), malformed(APP + ":")),
                rule("C12: a port out of range is malformed", EXACT, get(APP + ":65536"), malformed(APP + ":65536")),
                rule(
                        "C12: two Origin values are malformed, even both allowed",
                        EXACT,
                        get(APP).andOrigin(APP),
                        malformed(APP + ", " + APP)),
                rule(
                        "C12: two origins in one value are malformed",
                        EXACT,
                        get(APP + " https://b.example"),
                        malformed(APP + " https://b.example")),
                rule("C12: garbage is malformed", EXACT, get("not an origin"), malformed("not an origin")),
                rule("C12: an empty Origin is malformed", EXACT, get(""), malformed("")),
                rule(
                        "C12: a wildcard in the Origin is malformed",
                        SUBDOMAINS,
                        get("https://*.example.com"),
                        malformed("https://*.example.com")),
                // null and *
                rule("C12: null is refused when not listed", EXACT, get("null"), notAllowed("null")),
                rule("C12: null is allowed when listed", Cors.origins(APP, "null"), get("null"), allowed("null")),
                rule("C12: * does not match null", Cors.origins("*"), get("null"), notAllowed("null")),
                rule(
                        "C12: * does not match a malformed origin",
                        Cors.origins("*"),
                        get(APP + "/"),
                        malformed(APP + "/")),
                // regexes
                rule("C12: a regex matches", REGEX, get("https://app.example.net"), allowed("https://app.example.net")),
                rule(
                        "C12: a regex must match the whole origin",
                        REGEX,
                        get("https://app.example.net.evil.com"),
                        notAllowed("https://app.example.net.evil.com")),
                rule(
                        "C12: a regex does not match a port it does not name",
                        REGEX,
                        get("https://app.example.net:8443"),
                        notAllowed("https://app.example.net:8443")),
                rule(
                        "C12: a regex sees the normalised origin",
                        REGEX,
                        get("HTTPS://App.example.net:443"),
                        allowed("HTTPS://App.example.net:443")),
                rule(
                        "C12: a regex never sees a malformed origin",
                        Cors.defaults().regexes("https://.*"),
                        get("https://app.example.net/"),
                        malformed("https://app.example.net/")),
                rule("C12: a regex may match null", Cors.defaults().regexes("null"), get("null"), allowed("null")));
    }
}
