package dev.preflight.proxy;

import dev.preflight.policy.CorsDecision;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.handler.codec.http.FullHttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The headers the proxy writes for a CORS decision, made by the very code that writes them, for
 * {@code explain} (O1), which shows the exact answer rather than a description of it.
 */
public final class AnswerHeaders {
    private AnswerHeaders() {}

    /**
     * Every header of the proxy's own answer to {@code decision} (C5, C6, C9, F4): the CORS headers,
     * {@code Vary}, the body's type and length, and with {@code debugRoute} the decision header.
     *
     * @param debugRoute the route's name with {@code debug.decision-header}, else null
     * @param fetchVary the fetch-metadata check's {@code Vary} names, or null
     */
    public static List<Map.Entry<String, String>> localAnswer(
            CorsDecision decision, String debugRoute, String fetchVary) {
        FullHttpResponse answer = CorsResponses.localAnswer(UnpooledByteBufAllocator.DEFAULT, decision, debugRoute);
        VaryHeader.merge(answer.headers(), fetchVary);
        return headersOf(answer);
    }

    /** Every header of the 403 to a WebSocket handshake from a disallowed origin (P7). */
    public static List<Map.Entry<String, String>> webSocketRefusal(
            CorsDecision decision, String debugRoute, String fetchVary) {
        return headersOf(
                CorsResponses.webSocketRefusal(UnpooledByteBufAllocator.DEFAULT, decision, debugRoute, fetchVary));
    }

    private static List<Map.Entry<String, String>> headersOf(FullHttpResponse answer) {
        try {
            List<Map.Entry<String, String>> headers = new ArrayList<>();
            answer.headers().forEach(h -> headers.add(Map.entry(h.getKey(), h.getValue())));
            return headers;
        } finally {
            answer.release();
        }
    }

    /** {@code debug.decision-header} on a forwarded response, as {@link CorsPlan} sets it. */
    public static Map.Entry<String, String> decisionHeader(CorsDecision shown, String route, boolean reportOnly) {
        return Map.entry(DecisionHeader.NAME, DecisionHeader.value(shown, route, reportOnly));
    }
}
