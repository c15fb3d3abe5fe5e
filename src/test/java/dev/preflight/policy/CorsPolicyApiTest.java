package dev.preflight.policy;

import static dev.preflight.policy.Rules.APP;
import static dev.preflight.policy.Rules.EVIL;
import static dev.preflight.policy.Rules.SPA;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What the proxy uses besides {@link CorsPolicy#decide}'s main fields: C10, C11, C13 and the tags. */
class CorsPolicyApiTest {

    private static final Map.Entry<String, String> ORIGIN = Map.entry("Access-Control-Allow-Origin", APP);
    private static final Map.Entry<String, String> CREDENTIALS = Map.entry("Access-Control-Allow-Credentials", "true");
    private static final Map.Entry<String, String> EXPOSED = Map.entry("Access-Control-Expose-Headers", "X-Request-Id");

    @Test
    void c11AnAllowedActualRequestsOwnHeadersAreTheOnesForTheProxysErrors() {
        CorsDecision decision = SPA.policy().decide(Req.actual("PUT", APP).build());

        assertThat(decision.allowedActualHeaders()).containsExactly(ORIGIN, CREDENTIALS, EXPOSED);
        assertThat(decision.allowedActualHeaders()).isEqualTo(decision.headers());
    }

    @Test
    void c11AnAllowedPreflightKnowsTheActualHeadersToo() {
        CorsDecision decision = SPA.policy().decide(Req.preflight(APP, "PUT").build());

        assertThat(decision.allowedActualHeaders()).containsExactly(ORIGIN, CREDENTIALS, EXPOSED);
    }

    @Test
    void c8AnExposedHeaderListedTwiceInAnotherCaseIsSentOnce() {
        CorsDecision decision = Cors.origins(APP)
                .exposed("X-Request-Id", "x-request-id", "X-Trace")
                .policy()
                .decide(Req.actual("GET", APP).build());

        assertThat(decision.headers()).contains(Map.entry("Access-Control-Expose-Headers", "X-Request-Id, X-Trace"));
    }

    @Test
    void c11AnyOriginWithoutCredentialsGivesAStar() {
        CorsDecision decision =
                Cors.origins("*").policy().decide(Req.preflight(APP, "GET").build());

        assertThat(decision.allowedActualHeaders()).containsExactly(Map.entry("Access-Control-Allow-Origin", "*"));
    }

    @Test
    void c11NoCorsHeadersForAnythingButAnAllowedOrigin() {
        CorsPolicy policy = SPA.policy();

        assertThat(policy.decide(Req.get(EVIL).build()).allowedActualHeaders()).isEmpty();
        assertThat(policy.decide(Req.get(APP + "/").build()).allowedActualHeaders())
                .isEmpty();
        assertThat(policy.decide(Req.get(null).build()).allowedActualHeaders()).isEmpty();
        assertThat(policy.decide(Req.get(APP).self(APP).build()).allowedActualHeaders())
                .isEmpty();
        assertThat(policy.decide(Req.preflight(APP, "PROPFIND").build()).allowedActualHeaders())
                .isEmpty();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "Access-Control-Allow-Origin",
                "access-control-allow-credentials",
                "ACCESS-CONTROL-EXPOSE-HEADERS",
                "Access-Control-Something-Else"
            })
    void c10EveryAccessControlHeaderIsStripped(String name) {
        assertThat(CorsHeaders.isCorsResponseHeader(name)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"Vary", "Access-Control", "X-Access-Control-Allow-Origin", "Origin", ""})
    void c10OtherHeadersAreKept(String name) {
        assertThat(CorsHeaders.isCorsResponseHeader(name)).isFalse();
    }

    @Test
    void c10EveryHeaderThePolicyWritesIsOneItStrips() {
        assertThat(CorsHeaders.RESPONSE_HEADERS).allMatch(CorsHeaders::isCorsResponseHeader);
    }

    @Test
    void c13ReportOnlyIsNotEnforcedButDecidesTheSame() {
        CorsPolicy reportOnly = SPA.reportOnly().policy();

        assertThat(SPA.policy().enforce()).isTrue();
        assertThat(reportOnly.enforce()).isFalse();
        assertThat(reportOnly.decide(Req.preflight(APP, "PUT").build()))
                .isEqualTo(SPA.policy().decide(Req.preflight(APP, "PUT").build()));
    }

    @Test
    void thePolicyKeepsItsSettings() {
        assertThat(SPA.policy().settings()).isEqualTo(SPA.settings());
    }

    @Test
    void tagsAreTheWireNamesOfProductMd() {
        assertThat(Arrays.stream(Reason.values()).map(Reason::tag))
                .containsExactly(
                        "allowed",
                        "no-origin",
                        "same-origin",
                        "disabled",
                        "origin-not-allowed",
                        "origin-malformed",
                        "method-not-allowed",
                        "header-not-allowed",
                        "private-network-not-allowed",
                        "fetch-metadata");
        assertThat(Arrays.stream(CorsDecision.Kind.values()).map(CorsDecision.Kind::tag))
                .containsExactly("preflight", "actual", "none");
        assertThat(Arrays.stream(CorsDecision.Outcome.values()).map(CorsDecision.Outcome::tag))
                .containsExactly("allowed", "rejected", "not-applicable");
    }

    @Test
    void aHeaderIsLookedUpByNameInAnyCase() {
        CorsDecision decision = SPA.policy().decide(Req.get(APP).build());

        assertThat(decision.header("access-control-allow-origin")).isEqualTo(APP);
        assertThat(decision.header("Access-Control-Max-Age")).isNull();
    }

    @Test
    void aRequestViewTakesNullForNone() {
        CorsRequest request = new CorsRequest("GET", null, null, null, null, null);

        assertThat(request.origins()).isEmpty();
        assertThat(request.requestMethods()).isEmpty();
        assertThat(request.requestHeaderLines()).isEmpty();
        assertThat(request.requestPrivateNetwork()).isEmpty();
        assertThat(CorsRequest.actual("GET", APP, null).origins()).isEqualTo(List.of(APP));
        assertThat(CorsRequest.actual("GET", null, null).origins()).isEmpty();
    }
}
