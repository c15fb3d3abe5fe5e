package dev.preflight.proxy;

import dev.preflight.policy.CorsDecision;
import dev.preflight.policy.Reason;

/**
 * {@code debug.decision-header} (C6): one response header naming the decision and its reason, so a
 * browser's network panel says why, e.g. {@code Preflight-Decision: rejected; reason=header-not-allowed;
 * header="x-trace-id"; route=default}. Off by default: it tells a caller exactly which origins,
 * methods and headers a policy refuses, which is for debugging, not for production.
 */
final class DecisionHeader {
    static final String NAME = "Preflight-Decision";

    private DecisionHeader() {}

    static String value(CorsDecision decision, String route, boolean reportOnly) {
        StringBuilder value = new StringBuilder(64);
        if (reportOnly) {
            value.append("report-only; would=");
        }
        value.append(decision.outcome().tag())
                .append("; reason=")
                .append(decision.reason().tag());
        String detail = decision.detail();
        if (detail != null) {
            value.append("; ")
                    .append(detailName(decision.reason()))
                    .append("=\"")
                    .append(quoted(detail))
                    .append('"');
        }
        return value.append("; route=").append(route).toString();
    }

    /** The one-line body of a rejected preflight when the header is on. */
    static String body(CorsDecision decision) {
        String detail = decision.detail();
        return "preflight: " + decision.outcome().tag() + ": "
                + decision.reason().tag() + (detail == null ? "" : " (" + detail + ")") + "\n";
    }

    private static String detailName(Reason reason) {
        return switch (reason) {
            case METHOD_NOT_ALLOWED -> "method";
            case HEADER_NOT_ALLOWED, PRIVATE_NETWORK_NOT_ALLOWED -> "header";
            case FETCH_METADATA -> "sec-fetch";
            default -> "origin";
        };
    }

    /** Header values are visible ASCII: anything else, and quotes, would break the quoted-string. */
    private static String quoted(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length() && i < 200; i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c >= 0x20 && c < 0x7f) {
                out.append(c);
            } else {
                out.append('?');
            }
        }
        return out.toString();
    }
}
