package dev.preflight.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.policy.CorsDecision.Kind;
import dev.preflight.policy.CorsDecision.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The whole expected {@link CorsDecision} of a table row, with the header names spelled out. */
record Expect(
        Kind kind,
        Outcome outcome,
        Reason reason,
        String detail,
        boolean answerLocally,
        int status,
        List<Map.Entry<String, String>> headers,
        String vary) {

    static final String ACAO = "Access-Control-Allow-Origin";
    static final String ACAC = "Access-Control-Allow-Credentials";
    static final String ACAM = "Access-Control-Allow-Methods";
    static final String ACAH = "Access-Control-Allow-Headers";
    static final String ACEH = "Access-Control-Expose-Headers";
    static final String ACMA = "Access-Control-Max-Age";
    static final String ACAPN = "Access-Control-Allow-Private-Network";
    static final String VARY_ORIGIN = "Origin";
    static final String VARY_PREFLIGHT = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers";

    /** An allowed preflight, answered with {@code status} and these headers in this order (C5). */
    static Expect preflightAllowed(int status, String... headers) {
        return new Expect(
                Kind.PREFLIGHT, Outcome.ALLOWED, Reason.ALLOWED, null, true, status, pairs(headers), VARY_PREFLIGHT);
    }

    /** C6: 403 without any CORS header. */
    static Expect preflightRejected(Reason reason, String detail) {
        return new Expect(Kind.PREFLIGHT, Outcome.REJECTED, reason, detail, true, 403, List.of(), VARY_PREFLIGHT);
    }

    /** C8: forwarded, these headers added to the response. */
    static Expect actualAllowed(String... headers) {
        return new Expect(Kind.ACTUAL, Outcome.ALLOWED, Reason.ALLOWED, null, false, 0, pairs(headers), VARY_ORIGIN);
    }

    /** C9 with {@code disallowed-origin = forward}: forwarded without CORS headers. */
    static Expect actualForwardedBare(Reason reason, String detail) {
        return new Expect(Kind.ACTUAL, Outcome.REJECTED, reason, detail, false, 0, List.of(), VARY_ORIGIN);
    }

    /** C9 with {@code disallowed-origin = reject}: 403 without CORS headers. */
    static Expect actualRejected(Reason reason, String detail) {
        return new Expect(Kind.ACTUAL, Outcome.REJECTED, reason, detail, true, 403, List.of(), VARY_ORIGIN);
    }

    /** Not a CORS request: forwarded untouched, apart from {@code vary}. */
    static Expect notApplicable(Reason reason, String vary) {
        return new Expect(Kind.NONE, Outcome.NOT_APPLICABLE, reason, null, false, 0, List.of(), vary);
    }

    void assertMatches(String rule, CorsDecision decision) {
        assertThat(new Expect(
                        decision.kind(),
                        decision.outcome(),
                        decision.reason(),
                        decision.detail(),
                        decision.answerLocally(),
                        decision.status(),
                        List.copyOf(decision.headers()),
                        decision.vary()))
                .as(rule)
                .isEqualTo(this);
    }

    /** {@code "Name: value"} strings, as on the wire. */
    private static List<Map.Entry<String, String>> pairs(String... headers) {
        List<Map.Entry<String, String>> pairs = new ArrayList<>();
        for (String header : headers) {
            int colon = header.indexOf(": ");
            pairs.add(Map.entry(header.substring(0, colon), header.substring(colon + 2)));
        }
        return List.copyOf(pairs);
    }

    static String h(String name, String value) {
        return name + ": " + value;
    }
}
