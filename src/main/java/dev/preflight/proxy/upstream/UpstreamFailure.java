package dev.preflight.proxy.upstream;

import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.ConnectException;
import java.net.UnknownHostException;
import javax.net.ssl.SSLException;

/**
 * Every way talking to the upstream can fail, with the status the client gets and the tag metrics
 * use. One place, so the mapping of P6 is read in one look.
 */
public enum UpstreamFailure {
    CONNECT_REFUSED(HttpResponseStatus.BAD_GATEWAY, "connect", "the upstream refused the connection"),
    UNRESOLVED(HttpResponseStatus.BAD_GATEWAY, "connect", "the upstream's host name does not resolve"),
    TLS_HANDSHAKE(HttpResponseStatus.BAD_GATEWAY, "connect", "the TLS handshake with the upstream failed"),
    CONNECT_FAILED(HttpResponseStatus.BAD_GATEWAY, "connect", "could not connect to the upstream"),
    CONNECT_TIMEOUT(HttpResponseStatus.GATEWAY_TIMEOUT, "timeout", "connecting to the upstream timed out"),
    RESPONSE_TIMEOUT(HttpResponseStatus.GATEWAY_TIMEOUT, "timeout", "the upstream did not answer in time"),
    RESET(HttpResponseStatus.BAD_GATEWAY, "reset", "the upstream closed the connection before answering"),
    MALFORMED_RESPONSE(HttpResponseStatus.BAD_GATEWAY, "malformed", "the upstream sent a malformed response"),
    POOL_EXHAUSTED(
            HttpResponseStatus.SERVICE_UNAVAILABLE, "pool-exhausted", "no upstream connection became free in time");

    private final HttpResponseStatus status;
    private final String metricTag;
    private final String detail;

    UpstreamFailure(HttpResponseStatus status, String metricTag, String detail) {
        this.status = status;
        this.metricTag = metricTag;
        this.detail = detail;
    }

    public HttpResponseStatus status() {
        return status;
    }

    public String metricTag() {
        return metricTag;
    }

    public String detail() {
        return detail;
    }

    private static final int MAX_CAUSES = 16;

    /**
     * What a failed connect (resolve, TCP, TLS handshake) means, from its cause: the client's detail
     * names the step that failed; the log line has the cause itself.
     */
    public static UpstreamFailure ofConnect(Throwable cause) {
        // Bounded: a chain can loop (a.initCause(b) after b was made with a as its cause).
        Throwable t = cause;
        for (int depth = 0; t != null && depth < MAX_CAUSES; depth++, t = t.getCause()) {
            if (t instanceof ConnectTimeoutException
                    || t.getClass().getSimpleName().contains("Timeout")) {
                return CONNECT_TIMEOUT;
            }
            if (t instanceof UnknownHostException) {
                return UNRESOLVED;
            }
            if (t instanceof SSLException) {
                return TLS_HANDSHAKE;
            }
            if (t instanceof ConnectException) {
                return CONNECT_REFUSED;
            }
        }
        return CONNECT_FAILED;
    }

    /** An exception carrying the failure, for futures. */
    public UpstreamException exception(Throwable cause) {
        return new UpstreamException(this, cause);
    }

    /** A failed acquire or exchange; stackless, since the kind says all there is to say. */
    public static final class UpstreamException extends Exception {
        private final UpstreamFailure failure;

        UpstreamException(UpstreamFailure failure, Throwable cause) {
            super(failure.detail, cause, false, false);
            this.failure = failure;
        }

        public UpstreamFailure failure() {
            return failure;
        }
    }
}
