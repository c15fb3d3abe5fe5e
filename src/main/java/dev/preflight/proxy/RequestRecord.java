package dev.preflight.proxy;

import dev.preflight.policy.CorsDecision;
import dev.preflight.policy.RequestPath;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpRequest;

/**
 * What one request did, filled in as it travels and handed once to the metrics and the access log
 * when it ends. Confined to the client's event loop.
 */
final class RequestRecord {
    static final String UNROUTED = "unrouted";
    private static final String[] STATUS_CLASSES = {"0xx", "1xx", "2xx", "3xx", "4xx", "5xx"};

    final long startNanos;
    final String client;
    final String method;
    static final int MAX_LOGGED_PATH = 512;
    static final int MAX_LOGGED_METHOD = 64;

    final String path;
    String route = UNROUTED;
    CorsDecision decision;
    /** Why the route's policy was not applied, when it was not: "disabled" or "report-only". */
    String corsBypass;
    /** In report-only mode, what the policy would have decided for a CORS request (C13); else null. */
    CorsDecision wouldBe;
    /** How the backend's answer compared with {@link #wouldBe} ({@code agree}...), or null when none came. */
    String compared;

    int status;
    long bytesIn;
    long bytesOut;
    /** Nanoseconds from the upstream head write to the response's end, or -1 when not forwarded. */
    long upstreamNanos = -1;

    long upstreamStartNanos;
    String upstreamError;
    /** When an answer made here was sent (its {@code Date}, read from the same clock), or 0. */
    long answeredMillis;
    /** From the record's making to its completion; -1 until then. */
    private long durationNanos = -1;

    private boolean completed;

    /**
     * The record of a request head as decoded. One the decoder refused before its request line was
     * read is Netty's stand-in, a full {@code GET /bad-request}: recorded as {@code "-"}, as a head
     * that never came is, not as what nobody sent.
     */
    static RequestRecord of(String client, HttpRequest request) {
        return request.decoderResult().isFailure() && request instanceof FullHttpRequest
                ? new RequestRecord(client, "-", "-")
                : new RequestRecord(client, request.method().name(), request.uri());
    }

    /** @param client the client's IP address as text */
    RequestRecord(String client, String method, String uri) {
        this(client, method, uri, System.nanoTime());
    }

    /** @param startNanos when the request began, on {@link System#nanoTime}'s clock */
    RequestRecord(String client, String method, String uri, long startNanos) {
        this.startNanos = startNanos;
        this.client = client;
        this.method = cut(method, MAX_LOGGED_METHOD);
        // An absolute-form target's scheme and authority (and credentials in it) are not the path.
        String target = RequestPath.originForm(uri);
        int q = target.indexOf('?');
        this.path = cut(q >= 0 ? target.substring(0, q) : target, MAX_LOGGED_PATH);
    }

    /**
     * What the access log keeps of a path or a method: their first characters, the cut marked with
     * {@code ...}. A line waits in a queue of 8192 when stdout is slow, and whole paths of up to a
     * request line's 8 KiB (twice that in JSON) filled a 64 MiB heap with a few thousand of them,
     * before any was dropped (found by probing).
     */
    private static String cut(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max) + "...";
    }

    /**
     * True the first time only: a request is counted and logged once. Stops its clock, so the
     * metrics and the access log read the same duration from one clock read.
     */
    boolean complete() {
        if (completed) {
            return false;
        }
        completed = true;
        if (durationNanos < 0) {
            durationNanos = System.nanoTime() - startNanos;
        }
        return true;
    }

    /**
     * The upstream's part ends, and with it the request: the response's end was just written. One
     * clock read stops both, rather than one here and one in {@link #complete} (issue 7).
     */
    void upstreamDone() {
        long now = System.nanoTime();
        upstreamNanos = now - upstreamStartNanos;
        if (durationNanos < 0) {
            durationNanos = now - startNanos;
        }
    }

    /**
     * The upstream's part ends without a complete response (a failure, a timeout, a client gone): its
     * time so far, when the request had gone upstream, so the access log and the metrics have it.
     */
    void upstreamEnded() {
        if (upstreamStartNanos != 0 && upstreamNanos < 0) {
            upstreamNanos = System.nanoTime() - upstreamStartNanos;
        }
    }

    /** The request's duration once complete; until then, the time so far. */
    long durationNanos() {
        return durationNanos >= 0 ? durationNanos : System.nanoTime() - startNanos;
    }

    String kind() {
        return decision == null ? CorsDecision.Kind.NONE.tag() : decision.kind().tag();
    }

    String outcome() {
        return decision == null
                ? CorsDecision.Outcome.NOT_APPLICABLE.tag()
                : decision.outcome().tag();
    }

    String reason() {
        if (decision != null) {
            return decision.reason().tag();
        }
        return corsBypass != null ? corsBypass : "none";
    }

    String statusClass() {
        if (status == 0) {
            return "none";
        }
        int hundreds = status / 100;
        // Constants for the usual classes: a string built per request would be an object each time.
        return hundreds < STATUS_CLASSES.length ? STATUS_CLASSES[hundreds] : hundreds + "xx";
    }
}
