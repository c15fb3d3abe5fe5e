package dev.preflight.policy;

import java.util.List;
import java.util.Map;

/**
 * What to do with one request (C1-C12): answer it locally, or forward it and write {@code headers}
 * on the response. In report-only mode (C13) it is what the policy would have done; the proxy stays
 * transparent (see {@link CorsPolicy#enforce()}).
 *
 * @param detail what was refused, for the log and the debug header: the origin, method or header
 *     name as the request gave it; null when nothing was
 * @param answerLocally the proxy answers with {@code status} and the backend never sees the request:
 *     an allowed or rejected preflight, or a rejected actual request with {@code disallowed-origin =
 *     reject}
 * @param status {@code preflight-status} or 403 when {@code answerLocally}, else 0
 * @param headers the {@code Access-Control-*} headers, in order, for the local answer or to add to
 *     the backend's response; {@code Vary} and {@code Content-Length} are not among them
 * @param vary what the response's {@code Vary} must include (C7): {@link CorsPolicy#VARY_ORIGIN},
 *     {@link CorsPolicy#VARY_PREFLIGHT}, or null on a route where CORS is disabled
 * @param allowedActualHeaders the C8 headers when the origin is allowed, else empty: for the
 *     responses the proxy makes itself (413, 429, 502, 503, 504) so that the page can read them
 *     (C11), and for comparing with the backend's own headers in report-only mode
 */
public record CorsDecision(
        Kind kind,
        Outcome outcome,
        Reason reason,
        String detail,
        boolean answerLocally,
        int status,
        List<Map.Entry<String, String>> headers,
        String vary,
        List<Map.Entry<String, String>> allowedActualHeaders) {

    /** What sort of request it is (C1-C3); {@link #NONE} also for same-origin and disabled routes. */
    public enum Kind {
        PREFLIGHT("preflight"),
        ACTUAL("actual"),
        NONE("none");

        private final String tag;

        Kind(String tag) {
            this.tag = tag;
        }

        public String tag() {
            return tag;
        }
    }

    public enum Outcome {
        ALLOWED("allowed"),
        REJECTED("rejected"),
        /** Not a CORS request, or CORS is disabled for the route. */
        NOT_APPLICABLE("not-applicable");

        private final String tag;

        Outcome(String tag) {
            this.tag = tag;
        }

        public String tag() {
            return tag;
        }
    }

    static CorsDecision notApplicable(Reason reason, String vary) {
        return new CorsDecision(Kind.NONE, Outcome.NOT_APPLICABLE, reason, null, false, 0, List.of(), vary, List.of());
    }

    static CorsDecision rejected(Kind kind, Reason reason, String detail, boolean answerLocally, String vary) {
        return new CorsDecision(
                kind,
                Outcome.REJECTED,
                reason,
                detail,
                answerLocally,
                answerLocally ? 403 : 0,
                List.of(),
                vary,
                List.of());
    }

    /** The value of a header in {@link #headers}, or null. */
    public String header(String name) {
        for (Map.Entry<String, String> header : headers) {
            if (header.getKey().equalsIgnoreCase(name)) {
                return header.getValue();
            }
        }
        return null;
    }
}
