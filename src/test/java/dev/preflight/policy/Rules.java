package dev.preflight.policy;

import org.junit.jupiter.params.provider.Arguments;

/** What the row tables of {@link CorsPolicyTest} share: origins, policies, and how a row is made. */
final class Rules {

    static final String APP = "https://app.example.com";
    /** The proxy's own origin in the C2 rows. */
    static final String API = "https://api.example.com";

    static final String EVIL = "https://evil.example";
    static final String DEFAULT_METHODS = "GET, HEAD, POST";

    static final Cors BASIC = Cors.origins(APP);
    /** A single-page app with cookies. */
    static final Cors SPA = Cors.origins(APP)
            .methods("GET", "POST", "PUT", "PATCH", "DELETE")
            .headers("Content-Type", "X-Requested-With")
            .exposed("X-Request-Id")
            .credentials();

    private Rules() {}

    /** @param name the rule of PRODUCT.md it checks, then what it checks */
    static Arguments rule(String name, Cors cors, Req request, Expect expect) {
        return Arguments.of(new CorsPolicyTest.Row(name, cors, request, expect));
    }
}
