package dev.preflight.policy;

/** C2: whether a request's {@code Origin} is the request's own, so that it is no CORS request at all. */
final class SameOrigin {
    private SameOrigin() {}

    static boolean of(Origin origin, CorsRequest request) {
        return isSelf(origin, request.selfOrigin()) || nullButSameOrigin(origin, request);
    }

    /**
     * C2: a page's own navigation (a form post) under {@code Referrer-Policy: no-referrer} carries
     * {@code Origin: null}, and the browser says it is same-origin in {@code Sec-Fetch-Site}, a header
     * no page can set. Such a request is forwarded, never rejected.
     */
    private static boolean nullButSameOrigin(Origin origin, CorsRequest request) {
        return origin.isNull() && "same-origin".equals(request.secFetch().site());
    }

    // C2: compared normalised, so that https://a.com:443 is https://a.com; null is nobody's own origin.
    // Most requests come from another host: those are told apart before the own origin is parsed, an
    // object per request otherwise (issue 7).
    private static boolean isSelf(Origin origin, String selfOrigin) {
        if (selfOrigin == null || origin.isNull() || !origin.hostMayMatch(selfOrigin)) {
            return false;
        }
        Origin self = Origin.parse(selfOrigin);
        return self != null && self.normalised().equals(origin.normalised());
    }
}
