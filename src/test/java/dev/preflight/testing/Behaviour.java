package dev.preflight.testing;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * What {@link TestBackend} does with a request once its body has arrived. Runs on the backend
 * connection's event loop; must eventually call {@link BackendExchange#done()} (or close the
 * connection) unless it means to hang.
 */
@FunctionalInterface
public interface Behaviour {

    void respond(BackendExchange exchange);

    /**
     * 200 with the request body as the response body, and what arrived in headers: {@code
     * X-Echo-Method}, {@code X-Echo-Uri}, {@code X-Echo-Connection} (the backend connection id),
     * {@code X-Echo-Body-Length}, {@code X-Echo-Body-Sha256}.
     */
    static Behaviour echo() {
        return exchange -> {
            RecordedRequest request = exchange.request();
            byte[] body = request.body() != null ? request.body() : new byte[0];
            exchange.respond(
                    200,
                    body,
                    "Content-Type",
                    "application/octet-stream",
                    "X-Echo-Method",
                    request.method(),
                    "X-Echo-Uri",
                    request.uri(),
                    "X-Echo-Connection",
                    Integer.toString(request.connectionId()),
                    "X-Echo-Body-Length",
                    Long.toString(request.bodyLength()),
                    "X-Echo-Body-Sha256",
                    request.bodySha256());
        };
    }

    /** A fixed response; {@code headerNamesAndValues} alternate name, value (names may repeat). */
    static Behaviour respond(int status, String body, String... headerNamesAndValues) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return exchange -> exchange.respond(status, bytes, headerNamesAndValues);
    }

    /** 200 with {@code length} bytes of {@link PatternBytes}, written as fast as the reader takes them. */
    static Behaviour stream(long length, BackendExchange.Framing framing) {
        return exchange -> exchange.streamPattern(200, length, framing);
    }

    /**
     * 200 with a text body {@code "<length> <sha256>"} describing the request body, which is
     * digested as it arrives and never kept whole.
     */
    static Behaviour digest() {
        return exchange -> exchange.respond(
                200,
                (exchange.request().bodyLength() + " " + exchange.request().bodySha256())
                        .getBytes(StandardCharsets.UTF_8),
                "Content-Type",
                "text/plain");
    }

    /** Reads the request and never answers. */
    static Behaviour neverAnswer() {
        return exchange -> {};
    }

    /** Resets the connection (RST) instead of answering. */
    static Behaviour resetWithoutResponse() {
        return BackendExchange::reset;
    }

    /**
     * Sends a 200 head declaring {@code declaredLength} bytes (or chunked, when {@code framing} says
     * so), then the first {@code sentBytes} bytes of {@link PatternBytes}, then resets the connection
     * (SO_LINGER 0 and close) once the proxy has had time to read them.
     */
    static Behaviour resetAfterPartialBody(BackendExchange.Framing framing, long declaredLength, int sentBytes) {
        return exchange -> exchange.sendPartialThenReset(framing, declaredLength, sentBytes);
    }

    /** Waits {@code delay} (on a timer, not blocking the event loop), then behaves as {@code then}. */
    static Behaviour delayed(Duration delay, Behaviour then) {
        return exchange ->
                exchange.executor().schedule(() -> then.respond(exchange), delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** This behaviour, with extra response headers ({@code name, value, name, value...}). */
    default Behaviour withHeaders(String... headerNamesAndValues) {
        return exchange -> {
            exchange.addResponseHeaders(headerNamesAndValues);
            respond(exchange);
        };
    }
}
