package dev.preflight.proxy;

/**
 * What the access log says about one finished request (O6), taken from its record when it ends, so
 * that another thread can write it: immutable, and made of values that already exist (the strings
 * are the request's own and the policy's tags), so taking it costs one small object.
 *
 * @param epochMillis when the request ended, for the line's time stamp: for an answer made here, when
 *     it was sent, the clock read once for its {@code Date} and this
 * @param upstreamNanos the upstream's part of the duration, or -1 when it was not forwarded
 * @param upstreamError why the upstream failed, or null
 */
public record AccessLogEntry(
        long epochMillis,
        String client,
        String method,
        String path,
        int status,
        long bytesIn,
        long bytesOut,
        long durationNanos,
        String route,
        String corsKind,
        String corsOutcome,
        String corsReason,
        long upstreamNanos,
        String upstreamError) {

    static AccessLogEntry of(RequestRecord r) {
        return new AccessLogEntry(
                r.answeredMillis > 0 ? r.answeredMillis : System.currentTimeMillis(),
                r.client,
                r.method,
                r.path,
                r.status,
                r.bytesIn,
                r.bytesOut,
                r.durationNanos(),
                r.route,
                r.kind(),
                r.outcome(),
                r.reason(),
                r.upstreamNanos,
                r.upstreamError);
    }

    /**
     * The line's message, as in {@code 127.0.0.1 "GET /data.json" 200 in=0 out=18 1.769ms
     * route=default cors=actual/allowed/allowed upstream=0.857ms}. Built by hand: String.format
     * parses its pattern on every call.
     */
    public StringBuilder appendMessage(StringBuilder line) {
        line.append(client)
                .append(" \"")
                .append(method)
                .append(' ')
                .append(path)
                .append("\" ")
                .append(status)
                .append(" in=")
                .append(bytesIn)
                .append(" out=")
                .append(bytesOut)
                .append(' ');
        appendMillis(line, durationNanos)
                .append(" route=")
                .append(route)
                .append(" cors=")
                .append(corsKind)
                .append('/')
                .append(corsOutcome)
                .append('/')
                .append(corsReason)
                .append(" upstream=");
        return upstreamNanos < 0 ? line.append('-') : appendMillis(line, upstreamNanos);
    }

    /** {@code 1.234ms}: milliseconds with three decimals, as {@code %.3fms} would print them. */
    static StringBuilder appendMillis(StringBuilder out, long nanos) {
        long micros = Math.round(nanos / 1000.0);
        long fraction = micros % 1000;
        out.append(micros / 1000).append('.');
        if (fraction < 100) {
            out.append(fraction < 10 ? "00" : "0");
        }
        return out.append(fraction).append("ms");
    }
}
