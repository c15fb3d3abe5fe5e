package dev.preflight.proxy;

import dev.preflight.policy.CorsDecision;

/**
 * What to do about CORS for one forwarded request.
 *
 * @param enforced the decision to write onto the response (C7-C11), or null when the route leaves
 *     CORS alone (disabled, or report-only)
 * @param reportOnly in report-only mode, the decision the policy would have made, to compare with
 *     the backend's answer (C13); else null
 * @param origin the request's {@code Origin}, for that comparison
 * @param decisionHeader {@code debug.decision-header} is on
 */
record CorsPlan(CorsDecision enforced, CorsDecision reportOnly, String origin, boolean decisionHeader) {
    static final CorsPlan NONE = new CorsPlan(null, null, null, false);
}
