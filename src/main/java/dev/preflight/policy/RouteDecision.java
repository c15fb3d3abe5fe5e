package dev.preflight.policy;

/**
 * What a route decides for one request: the fetch-metadata check (F1-F4) first, since a request it
 * refuses must not reach the backend whatever CORS says of it, then CORS (C1-C13) as usual. The proxy
 * and {@code explain} both decide through {@link #decide}, so they never disagree.
 *
 * @param cors what to act on: CORS's own decision, or, when the check refused in {@code enforce}
 *     mode, a 403 answered locally with reason {@code fetch-metadata}, the {@code Sec-Fetch-*} values
 *     as detail and no CORS header (its kind is the one CORS saw); null when CORS is disabled on the
 *     route and nothing was refused
 * @param fetchMetadata what the check found
 * @param secFetch the request's {@code Sec-Fetch-*} headers, for the log of a refusal
 */
public record RouteDecision(CorsDecision cors, FetchMetadataPolicy.Verdict fetchMetadata, SecFetch secFetch) {

    /**
     * @param cors the route's CORS policy; not asked when {@code cors.enabled = false}
     * @param fetchMetadata the route's fetch-metadata check, which applies whether CORS is enabled or not
     */
    public static RouteDecision decide(CorsPolicy cors, FetchMetadataPolicy fetchMetadata, CorsRequest request) {
        FetchMetadataPolicy.Verdict verdict = fetchMetadata.check(request);
        CorsDecision decision = cors.settings().enabled() ? cors.decide(request) : null;
        if (verdict == FetchMetadataPolicy.Verdict.REFUSED) {
            decision = CorsDecision.rejected(
                    decision == null ? CorsDecision.Kind.NONE : decision.kind(),
                    Reason.FETCH_METADATA,
                    request.secFetch().describe(),
                    true,
                    decision == null || decision.vary() == null
                            ? FetchMetadataPolicy.VARY
                            : decision.vary() + ", " + FetchMetadataPolicy.VARY);
        }
        return new RouteDecision(decision, verdict, request.secFetch());
    }

    /** F4 in {@code enforce} mode: answered 403 here, whatever the CORS mode. */
    public boolean refused() {
        return fetchMetadata == FetchMetadataPolicy.Verdict.REFUSED;
    }

    /** The {@code Vary} names the check adds to every response when it ran (F4), else null. */
    public String fetchMetadataVary() {
        return fetchMetadata.ran() ? FetchMetadataPolicy.VARY : null;
    }
}
