package dev.preflight.policy;

import java.util.stream.Stream;
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
}
