package dev.preflight.proxy;

import dev.preflight.policy.CorsDecision;
import dev.preflight.policy.CorsHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import java.util.Map;

/**
 * Report-only mode (C13): compares what the policy would have answered with what the backend did
 * answer, on the backend's untouched response. The backend "allowed" a CORS request when it sent one
 * {@code Access-Control-Allow-Origin} equal to the request's {@code Origin} or {@code *} (and, for a
 * preflight, a 2xx status granting the method, headers and private-network access asked for: {@link
 * BackendPreflight}); its credentials are on when it sent exactly {@code true}, as browsers read them.
 */
final class ReportOnly {
    /** How the backend's answer compares with the policy's, a closed set for the metric label. */
    enum Verdict {
        AGREE("agree"),
        WOULD_ALLOW("would-allow"),
        WOULD_REJECT("would-reject"),
        /** Both allow, but with a different origin value or credentials. */
        DIFFER("differ");

        final String tag;

        Verdict(String tag) {
            this.tag = tag;
        }
    }

    /** A verdict and, when it is not agreement, what differs, for the log line. */
    record Comparison(Verdict verdict, String why) {}

    private ReportOnly() {}

    /**
     * A WebSocket handshake (P7) has no CORS headers to compare: the backend accepted it when it
     * switched protocols (101), which the proxy, enforcing, would have refused for an origin the
     * policy does not allow.
     */
    static Comparison compareHandshake(CorsDecision ours, int status) {
        boolean backendAllows = status == 101;
        boolean weAllow = ours.outcome() == CorsDecision.Outcome.ALLOWED;
        if (weAllow == backendAllows) {
            return new Comparison(Verdict.AGREE, null);
        }
        return weAllow
                ? new Comparison(Verdict.WOULD_ALLOW, "the backend answered the WebSocket handshake " + status)
                : new Comparison(
                        Verdict.WOULD_REJECT,
                        "the backend accepted the WebSocket handshake; the policy says "
                                + ours.reason().tag());
    }

    /**
     * @param asked for a preflight, what it asked for, which the backend's answer must grant as well
     *     ({@link BackendPreflight}); null for an actual request
     */
    static Comparison compare(
            CorsDecision ours, String origin, BackendPreflight asked, int status, HttpHeaders backend) {
        // Read as a browser reads them (Fetch): the lines of one name joined with ", ", so two
        // Access-Control-Allow-Origin lines match no origin, and credentials only as exactly "true".
        String allowOrigin = joined(backend, CorsHeaders.ALLOW_ORIGIN);
        boolean originAllowed = allowOrigin != null && (allowOrigin.equals("*") || allowOrigin.equals(origin));
        String refusal = null;
        if (ours.kind() == CorsDecision.Kind.PREFLIGHT && originAllowed) {
            refusal = status >= 200 && status < 300 ? asked.refusal(backend) : "not a 2xx";
        }
        boolean backendAllows = originAllowed && refusal == null;
        boolean weAllow = ours.outcome() == CorsDecision.Outcome.ALLOWED;
        if (weAllow && !backendAllows) {
            return new Comparison(
                    Verdict.WOULD_ALLOW,
                    "the backend answered " + status + " with Access-Control-Allow-Origin " + printable(allowOrigin)
                            + (refusal == null ? "" : "; " + refusal));
        }
        if (!weAllow && backendAllows) {
            return new Comparison(
                    Verdict.WOULD_REJECT, "the policy says " + ours.reason().tag());
        }
        if (weAllow) {
            String ourOrigin = header(ours, CorsHeaders.ALLOW_ORIGIN);
            boolean ourCredentials = "true".equals(header(ours, CorsHeaders.ALLOW_CREDENTIALS));
            boolean backendCredentials = "true".equals(joined(backend, CorsHeaders.ALLOW_CREDENTIALS));
            if (!allowOrigin.equals(ourOrigin) || ourCredentials != backendCredentials) {
                return new Comparison(
                        Verdict.DIFFER,
                        "Access-Control-Allow-Origin " + printable(allowOrigin) + " vs ours " + ourOrigin
                                + ", credentials " + backendCredentials + " vs ours " + ourCredentials);
            }
        }
        return new Comparison(Verdict.AGREE, null);
    }

    static String joined(HttpHeaders headers, String name) {
        List<String> values = headers.getAll(name);
        return values.isEmpty() ? null : String.join(", ", values);
    }

    private static String header(CorsDecision decision, String name) {
        for (Map.Entry<String, String> h : decision.headers()) {
            if (h.getKey().equalsIgnoreCase(name)) {
                return h.getValue();
            }
        }
        return null;
    }

    private static String printable(String value) {
        return value == null ? "(none)" : value;
    }
}
