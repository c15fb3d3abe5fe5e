package dev.preflight.proxy;

import dev.preflight.policy.CorsDecision;
import dev.preflight.policy.CorsHeaders;
import dev.preflight.policy.CorsSettings;
import dev.preflight.policy.Reason;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/** Writes a CORS decision onto Netty responses: local answers, forwarded responses and our errors. */
final class CorsResponses {
    private static final Predicate<CharSequence> BACKEND_CORS = CorsHeaders::isCorsResponseHeader;

    /**
     * A preflight answer's headers need no validation: the names are ours, and the values are ours or
     * the request's own, which the decoder validated and {@link HeadChecks} kept to ASCII.
     */
    private static final HttpHeadersFactory OWN_HEADERS =
            DefaultHttpHeadersFactory.headersFactory().withValidation(false);

    /** Preflight answers have no trailers: one shared empty set rather than a header table each. */
    private static final HttpHeadersFactory NO_TRAILERS = new HttpHeadersFactory() {
        @Override
        public HttpHeaders newHeaders() {
            return EmptyHttpHeaders.INSTANCE;
        }

        @Override
        public HttpHeaders newEmptyHeaders() {
            return EmptyHttpHeaders.INSTANCE;
        }
    };

    /**
     * The policy's header names, and the same as Netty's cached ASCII strings: their hash is computed
     * once rather than on every set, and the encoder copies them whole rather than a character at a
     * time (issue 7). Found by identity, as the policy uses these very constants: a map's lookup
     * hashed and compared the name for every header written.
     */
    private static final String[] POLICY_NAMES = CorsHeaders.RESPONSE_HEADERS.toArray(String[]::new);

    static final AsciiString[] NAMES =
            CorsHeaders.RESPONSE_HEADERS.stream().map(AsciiString::cached).toArray(AsciiString[]::new);

    private CorsResponses() {}

    /**
     * The answer to a request the policy decided here (C5, C6, C9, F4): a preflight gets an empty body
     * (allowed or not), a refused actual request, and any request fetch metadata refused, a problem
     * body saying why.
     */
    static FullHttpResponse localAnswer(ByteBufAllocator alloc, CorsDecision decision, String debugRoute) {
        HttpResponseStatus status = HttpResponseStatus.valueOf(decision.status());
        FullHttpResponse response;
        if (decision.reason() == Reason.FETCH_METADATA) {
            // F4: the Sec-Fetch-* values are the request's own, so they are no map of the policy.
            response = ErrorResponses.problem(alloc, status, fetchMetadataDetail(decision), false);
        } else if (decision.kind() == CorsDecision.Kind.PREFLIGHT) {
            boolean explain = debugRoute != null && decision.outcome() == CorsDecision.Outcome.REJECTED;
            response = new DefaultFullHttpResponse(
                    HttpVersion.HTTP_1_1,
                    status,
                    explain
                            ? Unpooled.copiedBuffer(DecisionHeader.body(decision), StandardCharsets.US_ASCII)
                            : Unpooled.EMPTY_BUFFER,
                    OWN_HEADERS,
                    NO_TRAILERS);
            if (explain) {
                response.headers()
                        .setInt(
                                HttpHeaderNames.CONTENT_LENGTH,
                                response.content().readableBytes());
                response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=us-ascii");
            } else if (status.code() != HttpResponseStatus.NO_CONTENT.code()) {
                // A constant: setInt would make a string of the length for every answer. A 204 has
                // none: the encoder would take it out again (RFC 9110, 8.6).
                response.headers().set(HttpHeaderNames.CONTENT_LENGTH, HttpHeaderValues.ZERO);
            }
        } else {
            response = ErrorResponses.problem(
                    alloc,
                    status,
                    "the origin is not allowed to call this API ("
                            + decision.reason().tag() + ")",
                    false);
        }
        add(response.headers(), decision.headers());
        VaryHeader.merge(response.headers(), decision.vary());
        if (debugRoute != null) {
            response.headers().set(DecisionHeader.NAME, DecisionHeader.value(decision, debugRoute, false));
        }
        return response;
    }

    private static String fetchMetadataDetail(CorsDecision decision) {
        return "cross-site requests of this kind are not accepted (fetch-metadata: " + decision.detail() + ")";
    }

    /**
     * P7: the 403 to a WebSocket handshake from a disallowed origin, whatever {@code disallowed-origin}
     * says, since CORS does not protect WebSockets, or one fetch metadata refused (F4), with the same
     * detail as any request it refuses; it varies on the Origin (C7).
     */
    static FullHttpResponse webSocketRefusal(
            ByteBufAllocator alloc, CorsDecision decision, String debugRoute, String fetchVary) {
        FullHttpResponse refused = ErrorResponses.problem(
                alloc,
                HttpResponseStatus.FORBIDDEN,
                // A handshake fetch metadata refused is refused for that, whatever its origin (F4).
                decision.reason() == Reason.FETCH_METADATA ? fetchMetadataDetail(decision) : "origin not allowed",
                false);
        if (debugRoute != null) {
            refused.headers().set(DecisionHeader.NAME, DecisionHeader.value(decision, debugRoute, false));
        }
        VaryHeader.merge(refused.headers(), decision.vary());
        VaryHeader.merge(refused.headers(), fetchVary);
        return refused;
    }

    /**
     * The backend's response on its way to the client (C7, C8, C10): with {@code strip}, every
     * {@code Access-Control-*} header it sent is removed and ours are written; with {@code preserve}
     * its headers stay and ours are not added. {@code Vary} is merged either way.
     */
    static void rewrite(HttpHeaders headers, CorsDecision decision, CorsSettings.UpstreamCorsHeaders mode) {
        if (mode == CorsSettings.UpstreamCorsHeaders.STRIP) {
            stripBackendCors(headers);
            add(headers, decision.headers());
        }
        VaryHeader.merge(headers, decision.vary());
    }

    /** C10's strip: every {@code Access-Control-*} header the backend sent, in a head, a 1xx or trailers. */
    static void stripBackendCors(HttpHeaders headers) {
        MatchingHeaders.remove(headers, BACKEND_CORS);
    }

    /** A response the proxy makes itself for an allowed CORS request (413, 502, 503, 504): C11. */
    static void decorateError(HttpHeaders headers, CorsDecision decision) {
        add(headers, decision.allowedActualHeaders());
        VaryHeader.merge(headers, decision.vary());
    }

    /**
     * Adds rather than sets: every caller's headers have no {@code Access-Control-*} header (a
     * response made here, or the backend's after {@link #rewrite} stripped them), and a set would
     * look for one to remove first. By index: the for-each's iterator was an object per response
     * (JFR's allocation samples, issue 7).
     */
    private static void add(HttpHeaders headers, List<Map.Entry<String, String>> values) {
        for (int i = 0; i < values.size(); i++) {
            Map.Entry<String, String> header = values.get(i);
            headers.add(name(header.getKey()), header.getValue());
        }
    }

    private static CharSequence name(String policyName) {
        for (int i = 0; i < POLICY_NAMES.length; i++) {
            if (POLICY_NAMES[i] == policyName) {
                return NAMES[i];
            }
        }
        return policyName;
    }
}
