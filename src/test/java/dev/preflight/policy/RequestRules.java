package dev.preflight.policy;

import static dev.preflight.policy.Expect.ACAC;
import static dev.preflight.policy.Expect.ACAM;
import static dev.preflight.policy.Expect.ACAO;
import static dev.preflight.policy.Expect.ACEH;
import static dev.preflight.policy.Expect.ACMA;
import static dev.preflight.policy.Expect.VARY_ORIGIN;
import static dev.preflight.policy.Expect.actualAllowed;
import static dev.preflight.policy.Expect.actualForwardedBare;
import static dev.preflight.policy.Expect.actualRejected;
import static dev.preflight.policy.Expect.h;
import static dev.preflight.policy.Expect.notApplicable;
import static dev.preflight.policy.Expect.preflightAllowed;
import static dev.preflight.policy.Expect.preflightRejected;
import static dev.preflight.policy.Req.actual;
import static dev.preflight.policy.Req.get;
import static dev.preflight.policy.Req.preflight;
import static dev.preflight.policy.Rules.API;
import static dev.preflight.policy.Rules.APP;
import static dev.preflight.policy.Rules.BASIC;
import static dev.preflight.policy.Rules.DEFAULT_METHODS;
import static dev.preflight.policy.Rules.EVIL;
import static dev.preflight.policy.Rules.SPA;
import static dev.preflight.policy.Rules.rule;

import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/** The rows of {@link CorsPolicyTest} for what a request is (C1-C3), rejections (C6, C9), actual requests (C8), {@code Vary} (C7), report-only (C13) and routes with CORS disabled. */
final class RequestRules {

    private RequestRules() {}

    static Stream<Arguments> rows() {
        return Stream.of(
                // C1
                rule(
                        "C1: a GET without Origin is not a CORS request",
                        BASIC,
                        get(null),
                        notApplicable(Reason.NO_ORIGIN, VARY_ORIGIN)),
                rule(
                        "C1: OPTIONS with Access-Control-Request-Method but no Origin is not a preflight",
                        BASIC,
                        preflight(null, "PUT"),
                        notApplicable(Reason.NO_ORIGIN, VARY_ORIGIN)),
                rule(
                        "C1: without Origin, even a policy for any origin varies on Origin",
                        Cors.origins("*"),
                        get(null),
                        notApplicable(Reason.NO_ORIGIN, VARY_ORIGIN)),
                rule(
                        "C1: disallowed-origin = reject leaves requests without Origin alone",
                        BASIC.rejectDisallowed(),
                        actual("DELETE", null),
                        notApplicable(Reason.NO_ORIGIN, VARY_ORIGIN)),
                // C2
                rule(
                        "C2: an Origin equal to the request's own origin is same-origin",
                        BASIC,
                        get(API).self(API),
                        notApplicable(Reason.SAME_ORIGIN, VARY_ORIGIN)),
                rule(
                        "C2: same origin is compared normalised, case and default port",
                        BASIC,
                        get("HTTPS://API.example.com:443").self("https://api.example.com"),
                        notApplicable(Reason.SAME_ORIGIN, VARY_ORIGIN)),
                rule(
                        "C2: same origin is never rejected, even with disallowed-origin = reject",
                        BASIC.rejectDisallowed(),
                        actual("POST", API).self(API),
                        notApplicable(Reason.SAME_ORIGIN, VARY_ORIGIN)),
                rule(
                        "C2: a same-origin OPTIONS with Access-Control-Request-Method is forwarded",
                        BASIC,
                        preflight(API, "PUT").self(API),
                        notApplicable(Reason.SAME_ORIGIN, VARY_ORIGIN)),
                rule(
                        "C2: a same-origin host with a trailing dot is same-origin, never malformed or rejected",
                        BASIC.rejectDisallowed(),
                        actual("POST", API + ".").self(API + "."),
                        notApplicable(Reason.SAME_ORIGIN, VARY_ORIGIN)),
                rule(
                        "C2: a trailing dot makes another origin than the request's own without it",
                        BASIC,
                        get(API + ".").self(API),
                        actualForwardedBare(Reason.ORIGIN_NOT_ALLOWED, API + ".")),
                rule(
                        "C2: the request's own host is compared ignoring case",
                        BASIC,
                        get(API).self("https://API.Example.COM"),
                        notApplicable(Reason.SAME_ORIGIN, VARY_ORIGIN)),
                rule(
                        "C2: a host that is the start of the request's own is another origin",
                        BASIC,
                        get("https://api.example.co").self(API),
                        actualForwardedBare(Reason.ORIGIN_NOT_ALLOWED, "https://api.example.co")),
                rule(
                        "C2: a host that extends the request's own is another origin",
                        BASIC,
                        get(API + ".evil").self(API),
                        actualForwardedBare(Reason.ORIGIN_NOT_ALLOWED, API + ".evil")),
                rule(
                        "C2: another port is another origin",
                        BASIC,
                        get(API + ":8443").self(API),
                        actualForwardedBare(Reason.ORIGIN_NOT_ALLOWED, API + ":8443")),
                rule(
                        "C2: another scheme is another origin",
                        BASIC,
                        get("http://api.example.com").self(API),
                        actualForwardedBare(Reason.ORIGIN_NOT_ALLOWED, "http://api.example.com")),
                rule(
                        "C2: Origin null with Sec-Fetch-Site same-origin (a page's own form post under"
                                + " no-referrer) is same-origin, never rejected",
                        BASIC.rejectDisallowed(),
                        actual("POST", "null").self(API).secFetch("same-origin", "navigate", "document"),
                        notApplicable(Reason.SAME_ORIGIN, VARY_ORIGIN)),
                rule(
                        "C2: Origin null from another site is not same-origin",
                        BASIC.rejectDisallowed(),
                        actual("POST", "null").self(API).secFetch("cross-site", "navigate", "document"),
                        actualRejected(Reason.ORIGIN_NOT_ALLOWED, "null")),
                rule(
                        "C2: an allowed origin other than the request's own is CORS",
                        BASIC,
                        get(APP).self(API),
                        actualAllowed(h(ACAO, APP))),
                // C3
                rule(
                        "C3: OPTIONS with Origin and Access-Control-Request-Method is a preflight",
                        BASIC,
                        preflight(APP, "POST"),
                        preflightAllowed(204, h(ACAO, APP), h(ACAM, DEFAULT_METHODS), h(ACMA, "600"))),
                rule(
                        "C3: OPTIONS without Access-Control-Request-Method is an actual request",
                        BASIC,
                        actual("OPTIONS", APP),
                        actualAllowed(h(ACAO, APP))),
                rule(
                        "C3: OPTIONS without Access-Control-Request-Method from a disallowed origin is forwarded",
                        BASIC,
                        actual("OPTIONS", EVIL),
                        actualForwardedBare(Reason.ORIGIN_NOT_ALLOWED, EVIL)),
                rule(
                        "C3: a GET with Access-Control-Request-Method is an actual request",
                        BASIC,
                        get(APP).andRequestMethod("PUT"),
                        actualAllowed(h(ACAO, APP))),
                rule(
                        "C3: the method is case-sensitive, options is not a preflight",
                        BASIC,
                        actual("options", APP).andRequestMethod("PUT"),
                        actualAllowed(h(ACAO, APP))),
                // C6 and C7
                rule(
                        "C6: a preflight from a disallowed origin gets 403 and no CORS header",
                        SPA,
                        preflight(EVIL, "PUT", "content-type"),
                        preflightRejected(Reason.ORIGIN_NOT_ALLOWED, EVIL)),
                rule(
                        "C6: a refused method gets 403 without Access-Control-Allow-Credentials",
                        SPA,
                        preflight(APP, "PROPFIND"),
                        preflightRejected(Reason.METHOD_NOT_ALLOWED, "PROPFIND")),
                rule(
                        "C6: a preflight with a malformed Origin gets 403",
                        SPA,
                        preflight(APP + "/", "PUT"),
                        preflightRejected(Reason.ORIGIN_MALFORMED, APP + "/")),
                rule(
                        "C6: disallowed-origin = reject changes nothing for preflights",
                        BASIC.rejectDisallowed(),
                        preflight(EVIL, "GET"),
                        preflightRejected(Reason.ORIGIN_NOT_ALLOWED, EVIL)),
                rule(
                        "C7: a route with CORS disabled adds no Vary",
                        BASIC.disabled(),
                        get(APP),
                        notApplicable(Reason.DISABLED, null)),
                // the first failed check is the reason
                rule(
                        "C4: the method is checked before the headers",
                        Cors.origins(APP).headers("Content-Type"),
                        preflight(APP, "DELETE", "x-custom"),
                        preflightRejected(Reason.METHOD_NOT_ALLOWED, "DELETE")),
                // C4: headers
                rule(
                        "C4: the origin is checked before private network access",
                        BASIC,
                        preflight(EVIL, "GET").privateNetwork(),
                        preflightRejected(Reason.ORIGIN_NOT_ALLOWED, EVIL)),
                // C5
                // C8
                rule(
                        "C8: an actual request from an allowed origin gets Access-Control-Allow-Origin",
                        BASIC,
                        actual("POST", APP),
                        actualAllowed(h(ACAO, APP))),
                rule(
                        "C8: credentials and exposed headers are added",
                        SPA,
                        actual("PUT", APP),
                        actualAllowed(h(ACAO, APP), h(ACAC, "true"), h(ACEH, "X-Request-Id"))),
                rule(
                        "C8: exposed headers are joined in the order written",
                        Cors.origins(APP).exposed("X-Request-Id", "X-Total-Count"),
                        get(APP),
                        actualAllowed(h(ACAO, APP), h(ACEH, "X-Request-Id, X-Total-Count"))),
                rule(
                        "C8: exposed * without credentials is sent as *",
                        Cors.origins(APP).exposed("*"),
                        get(APP),
                        actualAllowed(h(ACAO, APP), h(ACEH, "*"))),
                rule(
                        "C8: origins * without credentials answers * to an actual request",
                        Cors.origins("*"),
                        get("http://localhost:1234"),
                        actualAllowed(h(ACAO, "*"))),
                rule(
                        "C8, C4: a method the policy does not allow gets no CORS headers on an actual request"
                                + " either (a preflight the browser cached before a reload took it out)",
                        BASIC,
                        actual("DELETE", APP),
                        actualForwardedBare(Reason.METHOD_NOT_ALLOWED, "DELETE")),
                rule(
                        "C8, C4: ... and a 403 on a reject route",
                        BASIC.rejectDisallowed(),
                        actual("DELETE", APP),
                        actualRejected(Reason.METHOD_NOT_ALLOWED, "DELETE")),
                rule(
                        "C8, C4: methods * allow any method on an actual request",
                        Cors.origins(APP).methods("*"),
                        actual("PATCH", APP),
                        actualAllowed(h(ACAO, APP))),
                rule(
                        "C8: origins * with exposed * answers both as *",
                        Cors.origins("*").exposed("*"),
                        get(APP),
                        actualAllowed(h(ACAO, "*"), h(ACEH, "*"))),
                // C9
                rule(
                        "C9: forward, a disallowed origin's request is forwarded without CORS headers",
                        SPA,
                        actual("PUT", EVIL),
                        actualForwardedBare(Reason.ORIGIN_NOT_ALLOWED, EVIL)),
                rule(
                        "C9: reject, a disallowed origin's request gets 403 without CORS headers",
                        SPA.rejectDisallowed(),
                        actual("PUT", EVIL),
                        actualRejected(Reason.ORIGIN_NOT_ALLOWED, EVIL)),
                rule(
                        "C9: forward, a malformed Origin is forwarded without CORS headers",
                        BASIC,
                        get(APP + "/x"),
                        actualForwardedBare(Reason.ORIGIN_MALFORMED, APP + "/x")),
                rule(
                        "C9: reject, a malformed Origin gets 403",
                        BASIC.rejectDisallowed(),
                        get(APP + "/x"),
                        actualRejected(Reason.ORIGIN_MALFORMED, APP + "/x")),
                // cors.enabled = false, C13
                rule(
                        "cors.enabled = false: a preflight is forwarded untouched",
                        BASIC.disabled(),
                        preflight(APP, "PUT"),
                        notApplicable(Reason.DISABLED, null)),
                rule(
                        "cors.enabled = false: a disallowed origin is forwarded untouched",
                        BASIC.rejectDisallowed().disabled(),
                        get(EVIL),
                        notApplicable(Reason.DISABLED, null)),
                rule(
                        "C13: report-only decides what enforce would",
                        BASIC.reportOnly(),
                        preflight(EVIL, "GET"),
                        preflightRejected(Reason.ORIGIN_NOT_ALLOWED, EVIL)));
    }
}
