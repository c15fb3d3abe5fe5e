package dev.preflight.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The CORS decision, one row per rule of PRODUCT.md (C1-C13), each asserting the whole decision:
 * kind, outcome, reason, detail, whether it is answered locally and with which status, the exact
 * headers in order, and {@code Vary}. The rows are in {@link RequestRules}, {@link PreflightRules}
 * and {@link OriginRules}.
 */
class CorsPolicyTest {

    /** A policy, a request, and the decision it must get; named after its rule. */
    record Row(String name, Cors cors, Req request, Expect expect) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> rows() {
        return Stream.of(RequestRules.rows(), PreflightRules.rows(), OriginRules.rows())
                .flatMap(rows -> rows);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void decides(Row row) {
        row.expect()
                .assertMatches(
                        row.name(), row.cors().policy().decide(row.request().build()));
    }

    /**
     * The policy keeps what it found for an {@code Origin} and a request-headers line (issue 7): the
     * same request asked again, now answered from what was kept, gets the same whole decision.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void decidesTheSameWhenAskedAgain(Row row) {
        CorsPolicy policy = row.cors().policy();
        policy.decide(row.request().build());

        row.expect()
                .assertMatches(
                        row.name() + ", asked again",
                        policy.decide(row.request().build()));
    }

    @Test
    @DisplayName(
            "C8, C11: actual requests from more origins than the policy keeps: each decided as if alone, a kept one as that very decision")
    void manyOriginsOfActualRequestsThroughOnePolicy() {
        Cors cors = Cors.origins("https://*.example.com").credentials().exposed("X-Request-Id");
        CorsPolicy shared = cors.policy();
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 4 * AnswerCache.SLOTS; i++) {
                String origin = "https://a" + i + ".example.com";
                Req get = Req.actual("GET", origin);

                CorsDecision asked = shared.decide(get.build());

                assertThat(asked)
                        .as("round %d, %s", round, origin)
                        .isEqualTo(cors.policy().decide(get.build()));
                assertThat(asked.header(CorsHeaders.ALLOW_ORIGIN)).isEqualTo(origin);
                assertThat(shared.decide(Req.preflight(origin, "GET").build()).allowedActualHeaders())
                        .as("a preflight's C11 headers are the actual request's")
                        .isEqualTo(asked.headers());
            }
        }
        Req again = Req.actual("GET", "https://again.example.com");
        assertThat(shared.decide(again.build()))
                .as("asked again: kept, not made anew")
                .isSameAs(shared.decide(again.build()));
    }

    @Test
    @DisplayName(
            "C4, C12: many origins and header lines through one policy, more than it keeps: each decided as if alone")
    void manyQuestionsThroughOnePolicy() {
        Cors cors = Cors.origins("https://*.example.com").methods("PUT").headers("X-Allowed");
        CorsPolicy shared = cors.policy();
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 4 * AnswerCache.SLOTS; i++) {
                String origin = i % 2 == 0 ? "https://a" + i + ".example.com" : "https://a" + i + ".example.org";
                String header = i % 3 == 0 ? "x-allowed" : "x-allowed, x-other-" + i;
                Req request = Req.preflight(origin, "PUT", header);

                CorsDecision alone = cors.policy().decide(request.build());
                CorsDecision asked = shared.decide(request.build());

                assertThat(asked)
                        .as("round %d, %s with %s", round, origin, header)
                        .isEqualTo(alone);
                assertThat(asked.outcome())
                        .isEqualTo(
                                i % 2 == 0 && i % 3 == 0
                                        ? CorsDecision.Outcome.ALLOWED
                                        : CorsDecision.Outcome.REJECTED);
            }
        }
    }
}
