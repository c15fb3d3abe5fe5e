package dev.preflight.policy;

import static dev.preflight.policy.Expect.ACAM;
import static dev.preflight.policy.Expect.ACAO;
import static dev.preflight.policy.Expect.ACMA;
import static dev.preflight.policy.Expect.VARY_ORIGIN;
import static dev.preflight.policy.Expect.VARY_PREFLIGHT;
import static dev.preflight.policy.Expect.actualAllowed;
import static dev.preflight.policy.Expect.actualForwardedBare;
import static dev.preflight.policy.Expect.actualRejected;
import static dev.preflight.policy.Expect.h;
import static dev.preflight.policy.Expect.notApplicable;
import static dev.preflight.policy.Expect.preflightAllowed;
import static dev.preflight.policy.Expect.preflightRejected;
import static dev.preflight.policy.FetchMetadataPolicy.Verdict.ALLOWED;
import static dev.preflight.policy.FetchMetadataPolicy.Verdict.NOT_CHECKED;
import static dev.preflight.policy.FetchMetadataPolicy.Verdict.REFUSED;
import static dev.preflight.policy.FetchMetadataPolicy.Verdict.WOULD_REFUSE;
import static dev.preflight.policy.Req.actual;
import static dev.preflight.policy.Req.get;
import static dev.preflight.policy.Req.preflight;
import static dev.preflight.policy.Rules.API;
import static dev.preflight.policy.Rules.APP;
import static dev.preflight.policy.Rules.BASIC;
import static dev.preflight.policy.Rules.EVIL;
import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.policy.CorsDecision.Kind;
import dev.preflight.policy.CorsDecision.Outcome;
import dev.preflight.policy.FetchMetadataPolicy.Verdict;
import dev.preflight.policy.FetchMetadataSettings.Mode;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fetch metadata (F1-F4) as part of a route's decision ({@link RouteDecision}): one row per rule,
 * each asserting the check's verdict, the whole decision the proxy acts on (CORS's own, or the 403
 * of an enforced refusal) and the {@code Vary} the check adds.
 */
class FetchMetadataPolicyTest {

    private static final String SEC_FETCH_VARY = "Sec-Fetch-Site, Sec-Fetch-Mode, Sec-Fetch-Dest";
    private static final String ORIGIN_AND_SEC_FETCH = "Origin, " + SEC_FETCH_VARY;

    private static final FetchMetadataSettings ON = new FetchMetadataSettings(true, Mode.ENFORCE, List.of());
    private static final FetchMetadataSettings OFF = new FetchMetadataSettings(false, Mode.ENFORCE, List.of());
    private static final FetchMetadataSettings REPORT_ONLY =
            new FetchMetadataSettings(true, Mode.REPORT_ONLY, List.of());

    private static final Cors PUT = Cors.origins(APP).methods("GET", "HEAD", "POST", "PUT");

    /** A CORS block, a fetch-metadata block, a request, and what the route must decide; named after its rule. */
    record Row(
            String name, Cors cors, FetchMetadataSettings fetchMetadata, Req request, Verdict verdict, Expect expect) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> rows() {
        return Stream.of(
                // F1
                row(
                        "F1: no Sec-Fetch-Site (an older browser, curl) is allowed",
                        BASIC,
                        ON,
                        get(null),
                        ALLOWED,
                        notApplicable(Reason.NO_ORIGIN, VARY_ORIGIN)),
                row(
                        "F1: no Sec-Fetch-Site is allowed even with Sec-Fetch-Mode: no-cors",
                        BASIC,
                        ON,
                        get(null).secFetch(null, "no-cors", "image"),
                        ALLOWED,
                        notApplicable(Reason.NO_ORIGIN, VARY_ORIGIN)),
                row(
                        "F1: same-origin is allowed, whatever the mode and destination",
                        BASIC,
                        ON,
                        get(null).secFetch("same-origin", "no-cors", "image"),
                        ALLOWED,
                        notApplicable(Reason.NO_ORIGIN, VARY_ORIGIN)),
                row(
                        "F1: a form post from a same-origin page is allowed",
                        BASIC,
                        ON,
                        actual("POST", API).self(API).secFetch("same-origin", "navigate", "document"),
                        ALLOWED,
                        notApplicable(Reason.SAME_ORIGIN, VARY_ORIGIN)),
                row(
                        "F1: same-site is allowed, and CORS decides as usual (C9: forwarded bare)",
                        BASIC,
                        ON,
                        actual("POST", "https://www.example.com").secFetch("same-site", "no-cors", "empty"),
                        ALLOWED,
                        actualForwardedBare(Reason.ORIGIN_NOT_ALLOWED, "https://www.example.com")),
                row(
                        "F1: none (typed in the address bar, a bookmark) is allowed",
                        BASIC,
                        ON,
                        get(null).secFetch("none", "navigate", "document"),
                        ALLOWED,
                        notApplicable(Reason.NO_ORIGIN, VARY_ORIGIN)),
                // F2
                row(
                        "F2: a cross-site top-level navigation with GET is allowed",
                        BASIC,
                        ON,
                        get(null).secFetch("cross-site", "navigate", "document"),
                        ALLOWED,
                        notApplicable(Reason.NO_ORIGIN, VARY_ORIGIN)),
                row(
                        "F2: a cross-site navigation with HEAD is allowed",
                        BASIC,
                        ON,
                        actual("HEAD", null).secFetch("cross-site", "navigate", "document"),
                        ALLOWED,
                        notApplicable(Reason.NO_ORIGIN, VARY_ORIGIN)),
                row(
                        "F2: a cross-site navigation of an iframe is allowed",
                        BASIC,
                        ON,
                        get(null).secFetch("cross-site", "navigate", "iframe"),
                        ALLOWED,
                        notApplicable(Reason.NO_ORIGIN, VARY_ORIGIN)),
                row(
                        "F4: a cross-site navigation with POST (a form post) is refused",
                        BASIC,
                        ON,
                        actual("POST", EVIL).secFetch("cross-site", "navigate", "document"),
                        REFUSED,
                        refused(Kind.ACTUAL, "site=cross-site, mode=navigate, dest=document", ORIGIN_AND_SEC_FETCH)),
                row(
                        "F4: a cross-site form post is refused even from an origin CORS allows",
                        BASIC,
                        ON,
                        actual("POST", APP).secFetch("cross-site", "navigate", "document"),
                        REFUSED,
                        refused(Kind.ACTUAL, "site=cross-site, mode=navigate, dest=document", ORIGIN_AND_SEC_FETCH)),
                row(
                        "F4: a cross-site navigation of an <object> is refused",
                        BASIC,
                        ON,
                        get(null).secFetch("cross-site", "navigate", "object"),
                        REFUSED,
                        refused(Kind.NONE, "site=cross-site, mode=navigate, dest=object", ORIGIN_AND_SEC_FETCH)),
                row(
                        "F4: a cross-site navigation of an <embed> is refused",
                        BASIC,
                        ON,
                        get(null).secFetch("cross-site", "navigate", "embed"),
                        REFUSED,
                        refused(Kind.NONE, "site=cross-site, mode=navigate, dest=embed", ORIGIN_AND_SEC_FETCH)),
                // F3
                row(
                        "F3: a cross-site cors-mode GET from an allowed origin: CORS allows it (C8)",
                        BASIC,
                        ON,
                        get(APP).secFetch("cross-site", "cors", "empty"),
                        ALLOWED,
                        actualAllowed(h(ACAO, APP))),
                row(
                        "F3: a cross-site cors-mode GET from a refused origin: CORS decides (C9, forwarded bare)",
                        BASIC,
                        ON,
                        get(EVIL).secFetch("cross-site", "cors", "empty"),
                        ALLOWED,
                        actualForwardedBare(Reason.ORIGIN_NOT_ALLOWED, EVIL)),
                row(
                        "F3: a cross-site cors-mode POST from a refused origin with reject: CORS refuses it (C9)",
                        BASIC.rejectDisallowed(),
                        ON,
                        actual("POST", EVIL).secFetch("cross-site", "cors", "empty"),
                        ALLOWED,
                        actualRejected(Reason.ORIGIN_NOT_ALLOWED, EVIL)),
                row(
                        "F3: a cross-site preflight from an allowed origin: CORS answers it (C5)",
                        PUT,
                        ON,
                        preflight(APP, "PUT").secFetch("cross-site", "cors", "empty"),
                        ALLOWED,
                        preflightAllowed(204, h(ACAO, APP), h(ACAM, "GET, HEAD, POST, PUT"), h(ACMA, "600"))),
                row(
                        "F3: a cross-site preflight from a refused origin: CORS refuses it (C6)",
                        PUT,
                        ON,
                        preflight(EVIL, "PUT").secFetch("cross-site", "cors", "empty"),
                        ALLOWED,
                        preflightRejected(Reason.ORIGIN_NOT_ALLOWED, EVIL)),
                row(
                        "F3: a cross-site WebSocket handshake is left to the Origin check (P7)",
                        BASIC,
                        ON,
                        get(APP).secFetch("cross-site", "websocket", "websocket"),
                        ALLOWED,
                        actualAllowed(h(ACAO, APP))),
                // F4
                row(
                        "F4: a cross-site <img> (no-cors, image) is refused",
                        BASIC,
                        ON,
                        get(null).secFetch("cross-site", "no-cors", "image"),
                        REFUSED,
                        refused(Kind.NONE, "site=cross-site, mode=no-cors, dest=image", ORIGIN_AND_SEC_FETCH)),
                row(
                        "F4: a cross-site <script> including a JSON endpoint is refused",
                        BASIC,
                        ON,
                        get(null).secFetch("cross-site", "no-cors", "script"),
                        REFUSED,
                        refused(Kind.NONE, "site=cross-site, mode=no-cors, dest=script", ORIGIN_AND_SEC_FETCH)),
                row(
                        "F4: a cross-site no-cors fetch POST (Origin sent) is refused as an actual request",
                        BASIC,
                        ON,
                        actual("POST", EVIL).secFetch("cross-site", "no-cors", "empty"),
                        REFUSED,
                        refused(Kind.ACTUAL, "site=cross-site, mode=no-cors, dest=empty", ORIGIN_AND_SEC_FETCH)),
                row(
                        "F4: a Sec-Fetch-Site no browser sends (two values) counts as cross-site",
                        BASIC,
                        ON,
                        get(null).secFetch("same-origin, cross-site", "no-cors", "image"),
                        REFUSED,
                        refused(
                                Kind.NONE,
                                "site=same-origin, cross-site, mode=no-cors, dest=image",
                                ORIGIN_AND_SEC_FETCH)),
                row(
                        "F4: cross-site without Sec-Fetch-Mode is neither F2 nor F3, so refused",
                        BASIC,
                        ON,
                        get(null).secFetch("cross-site", null, null),
                        REFUSED,
                        refused(Kind.NONE, "site=cross-site", ORIGIN_AND_SEC_FETCH)),
                row(
                        "F4: a preflight in no-cors mode (no browser sends one) is refused as a preflight",
                        PUT,
                        ON,
                        preflight(APP, "PUT").secFetch("cross-site", "no-cors", "empty"),
                        REFUSED,
                        refused(
                                Kind.PREFLIGHT,
                                "site=cross-site, mode=no-cors, dest=empty",
                                VARY_PREFLIGHT + ", " + SEC_FETCH_VARY)),
                // Per route, whatever CORS does there
                row(
                        "F4: on a route with CORS disabled the check still refuses, with only its own Vary",
                        BASIC.disabled(),
                        ON,
                        get(null).secFetch("cross-site", "no-cors", "image"),
                        REFUSED,
                        refused(Kind.NONE, "site=cross-site, mode=no-cors, dest=image", SEC_FETCH_VARY)),
                row(
                        "F1: on a route with CORS disabled an allowed request has no CORS decision",
                        BASIC.disabled(),
                        ON,
                        get(null).secFetch("same-origin", "no-cors", "image"),
                        ALLOWED,
                        null),
                row(
                        "F4: with CORS in report-only mode the refusal is still enforced",
                        BASIC.reportOnly(),
                        ON,
                        get(null).secFetch("cross-site", "no-cors", "image"),
                        REFUSED,
                        refused(Kind.NONE, "site=cross-site, mode=no-cors, dest=image", ORIGIN_AND_SEC_FETCH)),
                // exempt-path-prefixes
                row(
                        "F4: a path under an exempt prefix is not checked, and gets no Sec-Fetch Vary",
                        BASIC,
                        exempt("/embed"),
                        get(null).path("/embed/widget.js").secFetch("cross-site", "no-cors", "script"),
                        NOT_CHECKED,
                        notApplicable(Reason.NO_ORIGIN, VARY_ORIGIN)),
                row(
                        "F4: the exempt prefix itself is exempt",
                        BASIC,
                        exempt("/embed"),
                        get(null).path("/embed").secFetch("cross-site", "no-cors", "iframe"),
                        NOT_CHECKED,
                        notApplicable(Reason.NO_ORIGIN, VARY_ORIGIN)),
                row(
                        "F4: exempt prefixes are segment-aware: /embed does not exempt /embedded",
                        BASIC,
                        exempt("/embed"),
                        get(null).path("/embedded/x").secFetch("cross-site", "no-cors", "image"),
                        REFUSED,
                        refused(Kind.NONE, "site=cross-site, mode=no-cors, dest=image", ORIGIN_AND_SEC_FETCH)),
                row(
                        "F4: an exempt prefix written with a trailing slash exempts the bare prefix too",
                        BASIC,
                        exempt("/public/"),
                        get(null).path("/public").secFetch("cross-site", "no-cors", "image"),
                        NOT_CHECKED,
                        notApplicable(Reason.NO_ORIGIN, VARY_ORIGIN)),
                row(
                        "F4: a path outside every exempt prefix is checked",
                        BASIC,
                        exempt("/embed", "/public"),
                        get(null).path("/api/orders").secFetch("cross-site", "no-cors", "image"),
                        REFUSED,
                        refused(Kind.NONE, "site=cross-site, mode=no-cors, dest=image", ORIGIN_AND_SEC_FETCH)),
                // enabled = false, mode = report-only
                row(
                        "F: disabled (the default), a cross-site <img> is not checked and gets no Sec-Fetch Vary",
                        BASIC,
                        OFF,
                        get(null).secFetch("cross-site", "no-cors", "image"),
                        NOT_CHECKED,
                        notApplicable(Reason.NO_ORIGIN, VARY_ORIGIN)),
                row(
                        "F4 report-only: a cross-site <img> would be refused; CORS decides as usual",
                        BASIC,
                        REPORT_ONLY,
                        get(null).secFetch("cross-site", "no-cors", "image"),
                        WOULD_REFUSE,
                        notApplicable(Reason.NO_ORIGIN, VARY_ORIGIN)),
                row(
                        "F4 report-only: a cross-site form post from an allowed origin gets CORS's decision",
                        BASIC,
                        REPORT_ONLY,
                        actual("POST", APP).secFetch("cross-site", "navigate", "document"),
                        WOULD_REFUSE,
                        actualAllowed(h(ACAO, APP))),
                row(
                        "F2 report-only: a cross-site navigation is allowed",
                        BASIC,
                        REPORT_ONLY,
                        get(null).secFetch("cross-site", "navigate", "document"),
                        ALLOWED,
                        notApplicable(Reason.NO_ORIGIN, VARY_ORIGIN)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void decides(Row row) {
        RouteDecision decision = RouteDecision.decide(
                row.cors().policy(),
                FetchMetadataPolicy.compile(row.fetchMetadata()),
                row.request().build());

        assertThat(decision.fetchMetadata()).as(row.name()).isEqualTo(row.verdict());
        assertThat(decision.refused()).as(row.name()).isEqualTo(row.verdict() == REFUSED);
        assertThat(decision.fetchMetadataVary())
                .as("%s: the Vary of the check", row.name())
                .isEqualTo(row.verdict().ran() ? SEC_FETCH_VARY : null);
        if (row.expect() == null) {
            assertThat(decision.cors()).as(row.name()).isNull();
        } else {
            row.expect().assertMatches(row.name(), decision.cors());
        }
    }

    @Test
    void aRefusalCarriesNoCorsHeaderAtAll() {
        CorsDecision refused = RouteDecision.decide(
                        BASIC.policy(),
                        FetchMetadataPolicy.compile(ON),
                        actual("POST", APP)
                                .secFetch("cross-site", "navigate", "document")
                                .build())
                .cors();

        assertThat(refused.outcome()).isEqualTo(Outcome.REJECTED);
        assertThat(refused.headers()).isEmpty();
        assertThat(refused.allowedActualHeaders()).isEmpty();
    }

    @Test
    void aRequestViewWithoutPathOrSecFetchIsCheckedAsHavingNone() {
        CorsRequest bare = new CorsRequest("GET", null, null, null, null, null);

        assertThat(bare.secFetch()).isEqualTo(SecFetch.NONE);
        assertThat(bare.path()).isNull();
        assertThat(FetchMetadataPolicy.compile(exempt("/")).check(bare)).isEqualTo(ALLOWED);
        assertThat(FetchMetadataPolicy.DISABLED.check(bare)).isEqualTo(NOT_CHECKED);
    }

    @Test
    void verdictTagsLabelLogsAndMetrics() {
        assertThat(Arrays.stream(Verdict.values()).map(Verdict::tag))
                .containsExactly("not-checked", "allowed", "refused", "would-refuse");
    }

    private static Arguments row(
            String name, Cors cors, FetchMetadataSettings fetchMetadata, Req request, Verdict verdict, Expect expect) {
        return Arguments.of(new Row(name, cors, fetchMetadata, request, verdict, expect));
    }

    private static FetchMetadataSettings exempt(String... prefixes) {
        return new FetchMetadataSettings(true, Mode.ENFORCE, List.of(prefixes));
    }

    /** F4 enforced: 403 answered locally, no CORS header, the Sec-Fetch values as detail. */
    private static Expect refused(Kind kind, String detail, String vary) {
        return new Expect(kind, Outcome.REJECTED, Reason.FETCH_METADATA, detail, true, 403, List.of(), vary);
    }
}
