package dev.preflight.policy;

import static dev.preflight.policy.Expect.ACAC;
import static dev.preflight.policy.Expect.ACAH;
import static dev.preflight.policy.Expect.ACAM;
import static dev.preflight.policy.Expect.ACAO;
import static dev.preflight.policy.Expect.ACAPN;
import static dev.preflight.policy.Expect.ACMA;
import static dev.preflight.policy.Expect.h;
import static dev.preflight.policy.Expect.preflightAllowed;
import static dev.preflight.policy.Expect.preflightRejected;
import static dev.preflight.policy.Req.preflight;
import static dev.preflight.policy.Rules.APP;
import static dev.preflight.policy.Rules.BASIC;
import static dev.preflight.policy.Rules.DEFAULT_METHODS;
import static dev.preflight.policy.Rules.SPA;
import static dev.preflight.policy.Rules.rule;

import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/** The rows of {@link CorsPolicyTest} for what a preflight may ask (C4) and how it is answered (C5). */
final class PreflightRules {

    private static final Cors METHODS = Cors.origins(APP).methods("PUT");
    private static final Cors HEADERS = Cors.origins(APP).headers("Content-Type", "X-Requested-With");

    private PreflightRules() {}

    static Stream<Arguments> rows() {
        return Stream.of(
                // C4: methods
                rule(
                        "C4: GET is always allowed",
                        METHODS,
                        preflight(APP, "GET"),
                        preflightAllowed(204, h(ACAO, APP), h(ACAM, "PUT"), h(ACMA, "600"))),
                rule(
                        "C4: HEAD is always allowed",
                        METHODS,
                        preflight(APP, "HEAD"),
                        preflightAllowed(204, h(ACAO, APP), h(ACAM, "PUT"), h(ACMA, "600"))),
                rule(
                        "C4: POST is always allowed",
                        METHODS,
                        preflight(APP, "POST"),
                        preflightAllowed(204, h(ACAO, APP), h(ACAM, "PUT"), h(ACMA, "600"))),
                rule(
                        "C4: a listed method is allowed",
                        METHODS,
                        preflight(APP, "PUT"),
                        preflightAllowed(204, h(ACAO, APP), h(ACAM, "PUT"), h(ACMA, "600"))),
                rule(
                        "C4: a method not listed is refused",
                        METHODS,
                        preflight(APP, "DELETE"),
                        preflightRejected(Reason.METHOD_NOT_ALLOWED, "DELETE")),
                rule(
                        "C4: methods are case-sensitive, put is not PUT",
                        METHODS,
                        preflight(APP, "put"),
                        preflightRejected(Reason.METHOD_NOT_ALLOWED, "put")),
                rule(
                        "C4: lower-case patch is refused when PATCH is listed",
                        Cors.origins(APP).methods("PATCH"),
                        preflight(APP, "patch"),
                        preflightRejected(Reason.METHOD_NOT_ALLOWED, "patch")),
                rule(
                        "C4: lower-case patch is allowed when listed as patch",
                        Cors.origins(APP).methods("patch"),
                        preflight(APP, "patch"),
                        preflightAllowed(204, h(ACAO, APP), h(ACAM, "patch"), h(ACMA, "600"))),
                rule(
                        "C4: PATCH is refused when only patch is listed",
                        Cors.origins(APP).methods("patch"),
                        preflight(APP, "PATCH"),
                        preflightRejected(Reason.METHOD_NOT_ALLOWED, "PATCH")),
                rule(
                        "C4: lower-case get is not the always-allowed GET",
                        BASIC,
                        preflight(APP, "get"),
                        preflightRejected(Reason.METHOD_NOT_ALLOWED, "get")),
                rule(
                        "C4: two Access-Control-Request-Method values are refused",
                        BASIC,
                        preflight(APP, "GET").andRequestMethod("POST"),
                        preflightRejected(Reason.METHOD_NOT_ALLOWED, "GET, POST")),
                rule(
                        "C4: an empty Access-Control-Request-Method is refused",
                        BASIC,
                        preflight(APP, ""),
                        preflightRejected(Reason.METHOD_NOT_ALLOWED, "")),
                rule(
                        "C4: methods * without credentials allows any method, answered with it",
                        Cors.origins(APP).methods("*"),
                        preflight(APP, "PROPFIND"),
                        preflightAllowed(204, h(ACAO, APP), h(ACAM, "PROPFIND"), h(ACMA, "600"))),
                rule(
                        "C4: methods * allows lower-case patch, answered as written",
                        Cors.origins(APP).methods("*"),
                        preflight(APP, "patch"),
                        preflightAllowed(204, h(ACAO, APP), h(ACAM, "patch"), h(ACMA, "600"))),
                rule(
                        "C4, V5: methods * never covers TRACE (a forbidden method: the proxy answers it 501)",
                        Cors.origins(APP).methods("*"),
                        preflight(APP, "TRACE"),
                        preflightRejected(Reason.METHOD_NOT_ALLOWED, "TRACE")),
                rule(
                        "C4, V5: methods * never covers CONNECT",
                        Cors.origins(APP).methods("*"),
                        preflight(APP, "CONNECT"),
                        preflightRejected(Reason.METHOD_NOT_ALLOWED, "CONNECT")),
                rule(
                        "C4, V5: methods * never covers track, whatever its case",
                        Cors.origins(APP).methods("*"),
                        preflight(APP, "track"),
                        preflightRejected(Reason.METHOD_NOT_ALLOWED, "track")),
                rule(
                        "C4: a listed header is allowed, case-insensitively",
                        HEADERS,
                        preflight(APP, "POST", "content-type"),
                        preflightAllowed(
                                204, h(ACAO, APP), h(ACAM, DEFAULT_METHODS), h(ACAH, "content-type"), h(ACMA, "600"))),
                rule(
                        "C4: a header not listed is refused",
                        HEADERS,
                        preflight(APP, "POST", "x-custom"),
                        preflightRejected(Reason.HEADER_NOT_ALLOWED, "x-custom")),
                rule(
                        "C4: every requested header must be allowed",
                        HEADERS,
                        preflight(APP, "POST", "content-type,x-custom"),
                        preflightRejected(Reason.HEADER_NOT_ALLOWED, "x-custom")),
                rule(
                        "C4: several Access-Control-Request-Headers lines are joined",
                        HEADERS,
                        preflight(APP, "POST", "content-type", "x-requested-with"),
                        preflightAllowed(
                                204,
                                h(ACAO, APP),
                                h(ACAM, DEFAULT_METHODS),
                                h(ACAH, "content-type,x-requested-with"),
                                h(ACMA, "600"))),
                rule(
                        "C4: a header refused in a later line is refused",
                        HEADERS,
                        preflight(APP, "POST", "content-type", "x-custom"),
                        preflightRejected(Reason.HEADER_NOT_ALLOWED, "x-custom")),
                rule(
                        "C4: spaces and empty items in the list are ignored",
                        HEADERS,
                        preflight(APP, "POST", " Content-Type , ,X-Requested-With,, "),
                        preflightAllowed(
                                204,
                                h(ACAO, APP),
                                h(ACAM, DEFAULT_METHODS),
                                h(ACAH, "Content-Type,X-Requested-With"),
                                h(ACMA, "600"))),
                rule(
                        "C4: tabs around items are trimmed",
                        HEADERS,
                        preflight(APP, "POST", "\tcontent-type\t"),
                        preflightAllowed(
                                204, h(ACAO, APP), h(ACAM, DEFAULT_METHODS), h(ACAH, "content-type"), h(ACMA, "600"))),
                rule(
                        "C4: an empty Access-Control-Request-Headers asks for no header",
                        HEADERS,
                        preflight(APP, "POST", ""),
                        preflightAllowed(204, h(ACAO, APP), h(ACAM, DEFAULT_METHODS), h(ACMA, "600"))),
                rule(
                        "C4: a list of nothing but commas asks for no header",
                        HEADERS,
                        preflight(APP, "POST", " , ,"),
                        preflightAllowed(204, h(ACAO, APP), h(ACAM, DEFAULT_METHODS), h(ACMA, "600"))),
                rule(
                        "C4: a requested name that is not a token is refused",
                        Cors.origins(APP).headers("*"),
                        preflight(APP, "POST", "x custom"),
                        preflightRejected(Reason.HEADER_NOT_ALLOWED, "x custom")),
                rule(
                        "C4: headers * without credentials allows any header, answered with the names",
                        Cors.origins(APP).headers("*"),
                        preflight(APP, "POST", "x-custom,x-other"),
                        preflightAllowed(
                                204,
                                h(ACAO, APP),
                                h(ACAM, DEFAULT_METHODS),
                                h(ACAH, "x-custom,x-other"),
                                h(ACMA, "600"))),
                rule(
                        "C4: headers * with credentials allows any header, answered with the names",
                        Cors.origins(APP).headers("*").credentials(),
                        preflight(APP, "POST", "x-custom"),
                        preflightAllowed(
                                204,
                                h(ACAO, APP),
                                h(ACAC, "true"),
                                h(ACAM, DEFAULT_METHODS),
                                h(ACAH, "x-custom"),
                                h(ACMA, "600"))),
                rule(
                        "C4: headers * does not cover Authorization",
                        Cors.origins(APP).headers("*"),
                        preflight(APP, "GET", "authorization"),
                        preflightRejected(Reason.HEADER_NOT_ALLOWED, "authorization")),
                rule(
                        "C4: headers * does not cover Authorization in any case",
                        Cors.origins(APP).headers("*"),
                        preflight(APP, "GET", "content-type,AUTHORIZATION"),
                        preflightRejected(Reason.HEADER_NOT_ALLOWED, "AUTHORIZATION")),
                rule(
                        "C4: Authorization listed beside * is allowed",
                        Cors.origins(APP).headers("*", "Authorization"),
                        preflight(APP, "GET", "authorization,x-custom"),
                        preflightAllowed(
                                204,
                                h(ACAO, APP),
                                h(ACAM, DEFAULT_METHODS),
                                h(ACAH, "authorization,x-custom"),
                                h(ACMA, "600"))),
                rule(
                        "C4: Authorization listed alone is allowed",
                        Cors.origins(APP).headers("authorization"),
                        preflight(APP, "GET", "Authorization"),
                        preflightAllowed(
                                204, h(ACAO, APP), h(ACAM, DEFAULT_METHODS), h(ACAH, "Authorization"), h(ACMA, "600"))),
                // C4: private network access
                rule(
                        "C4: a private-network preflight is allowed with allow-private-network",
                        Cors.origins(APP).privateNetwork(),
                        preflight(APP, "GET").privateNetwork(),
                        preflightAllowed(
                                204, h(ACAO, APP), h(ACAM, DEFAULT_METHODS), h(ACMA, "600"), h(ACAPN, "true"))),
                rule(
                        "C4: a private-network preflight is refused without allow-private-network",
                        BASIC,
                        preflight(APP, "GET").privateNetwork(),
                        preflightRejected(
                                Reason.PRIVATE_NETWORK_NOT_ALLOWED, "Access-Control-Request-Private-Network")),
                rule(
                        "C4: allow-private-network adds nothing to a preflight that does not ask",
                        Cors.origins(APP).privateNetwork(),
                        preflight(APP, "GET"),
                        preflightAllowed(204, h(ACAO, APP), h(ACAM, DEFAULT_METHODS), h(ACMA, "600"))),
                rule(
                        "C5: Access-Control-Allow-Origin is the Origin verbatim",
                        BASIC,
                        preflight("https://APP.example.com", "GET"),
                        preflightAllowed(
                                204, h(ACAO, "https://APP.example.com"), h(ACAM, DEFAULT_METHODS), h(ACMA, "600"))),
                rule(
                        "C5: origins * without credentials answers *",
                        Cors.origins("*"),
                        preflight(APP, "GET"),
                        preflightAllowed(204, h(ACAO, "*"), h(ACAM, DEFAULT_METHODS), h(ACMA, "600"))),
                rule(
                        "C5: credentials add Access-Control-Allow-Credentials: true",
                        SPA,
                        preflight(APP, "PUT", "content-type"),
                        preflightAllowed(
                                204,
                                h(ACAO, APP),
                                h(ACAC, "true"),
                                h(ACAM, "GET, POST, PUT, PATCH, DELETE"),
                                h(ACAH, "content-type"),
                                h(ACMA, "600"))),
                rule(
                        "C5: Access-Control-Allow-Methods is the configured list",
                        Cors.origins(APP).methods("PUT", "DELETE"),
                        preflight(APP, "DELETE"),
                        preflightAllowed(204, h(ACAO, APP), h(ACAM, "PUT, DELETE"), h(ACMA, "600"))),
                rule(
                        "C5: a method listed twice is sent once",
                        Cors.origins(APP).methods("PUT", "GET", "PUT"),
                        preflight(APP, "PUT"),
                        preflightAllowed(204, h(ACAO, APP), h(ACAM, "PUT, GET"), h(ACMA, "600"))),
                rule(
                        "C5: no Access-Control-Allow-Methods when allowed-methods is empty",
                        Cors.origins(APP).methods(),
                        preflight(APP, "GET"),
                        preflightAllowed(204, h(ACAO, APP), h(ACMA, "600"))),
                rule(
                        "C5: Access-Control-Max-Age is max-age in seconds",
                        BASIC.maxAge(Duration.ofHours(2)),
                        preflight(APP, "GET"),
                        preflightAllowed(204, h(ACAO, APP), h(ACAM, DEFAULT_METHODS), h(ACMA, "7200"))),
                rule(
                        "C5: no Access-Control-Max-Age when max-age is null",
                        BASIC.maxAge(null),
                        preflight(APP, "GET"),
                        preflightAllowed(204, h(ACAO, APP), h(ACAM, DEFAULT_METHODS))),
                rule(
                        "C5: max-age 0s is sent as 0",
                        BASIC.maxAge(Duration.ZERO),
                        preflight(APP, "GET"),
                        preflightAllowed(204, h(ACAO, APP), h(ACAM, DEFAULT_METHODS), h(ACMA, "0"))),
                rule(
                        "C5: preflight-status 200 answers 200",
                        BASIC.preflightStatus(200),
                        preflight(APP, "GET"),
                        preflightAllowed(200, h(ACAO, APP), h(ACAM, DEFAULT_METHODS), h(ACMA, "600"))),
                rule(
                        "C5: exposed headers are not sent on a preflight",
                        Cors.origins(APP).exposed("X-Request-Id"),
                        preflight(APP, "GET"),
                        preflightAllowed(204, h(ACAO, APP), h(ACAM, DEFAULT_METHODS), h(ACMA, "600"))));
    }
}
