package dev.preflight.proxy;

import dev.preflight.policy.CorsDecision;

/**
 * What the access log says about one finished request (O6), taken from its record when it ends, so
 * that another thread can write it: immutable, and made of values that already exist (the strings
 * are the request's own and the policy's tags), so taking it costs one small object.
 *
 * @param epochMillis when the request ended, for the line's time stamp: for an answer made here, when
 *     it was sent, the clock read once for its {@code Date} and this
 * @param corsWouldBe in report-only mode, the decision the policy would have made for a CORS request
 *     (C13); else null
 * @param corsCompared how the backend's answer compared with it ({@code agree}, {@code would-allow},
 *     {@code would-reject}, {@code differ}), or null when no answer came
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
        CorsDecision corsWouldBe,
        String corsCompared,
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
                r.wouldBe,
                r.compared,
                r.upstreamNanos,
                r.upstreamError);
    }

    /**
     * The line's message, as in {@code 127.0.0.1 "GET /data.json" 200 in=0 out=18 1.769ms
     * route=default cors=actual/allowed/allowed upstream=0.857ms}; in report-only mode {@code
     * cors=none/not-applicable/report-only would=actual/rejected/origin-not-allowed compared=agree}
     * before the upstream's time; {@code error=reset} after it when the upstream failed. Built by hand: String.format
     * parses its pattern on every call.
     */
    public StringBuilder appendMessage(StringBuilder line) {
        line.append(client).append(" \"").append(method).append(' ');
        appendEscaped(line, path)
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
                .append(corsReason);
        if (corsWouldBe != null) { // report-only (C13): what the policy would have done, and the backend
            line.append(" would=")
                    .append(corsWouldBe.kind().tag())
                    .append('/')
                    .append(corsWouldBe.outcome().tag())
                    .append('/')
                    .append(corsWouldBe.reason().tag())
                    .append(" compared=")
                    .append(corsCompared != null ? corsCompared : "-");
        }
        line.append(" upstream=");
        if (upstreamNanos < 0) {
            line.append('-');
        } else {
            appendMillis(line, upstreamNanos);
        }
        // Why the upstream failed (connect, timeout, reset, malformed, pool-exhausted), as the JSON
        // line's upstream_error: a 200 cut short read as a success in the text line (found by probing).
        return upstreamError == null ? line : line.append(" error=").append(upstreamError);
    }

    /**
     * The path escaped as {@link #appendEscaped} does, for the JSON line's {@code path}: JSON would take
     * a C1 control (U+009B) or a byte past ASCII as it is (found by probing). The path itself when
     * nothing in it needs escaping, as in any forwarded request.
     */
    String escapedPath() {
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (escaped(c)) {
                return appendEscaped(new StringBuilder(path.length() + 16), path)
                        .toString();
            }
        }
        return path;
    }

    /**
     * The path as nginx's access log escapes it: a quote, a backslash, a control character and
     * anything past ASCII as {@code \xHH}, so a line is one line of printable ASCII whatever a client
     * put in a target the proxy refused (a forwarded one is ASCII already): no forged end of the
     * quoted field, and no C1 control (U+009B, a terminal's CSI) for an operator's terminal to obey.
     */
    static StringBuilder appendEscaped(StringBuilder out, String path) {
        int length = path.length();
        int start = 0;
        for (int i = 0; i < length; i++) {
            char c = path.charAt(i);
            if (escaped(c)) {
                out.append(path, start, i);
                if (c > 0xff) { // the decoder reads bytes, one char each; never above 0xff from it
                    out.append("\\u").append(HEX[(c >> 12) & 0xf]).append(HEX[(c >> 8) & 0xf]);
                } else {
                    out.append("\\x");
                }
                out.append(HEX[(c >> 4) & 0xf]).append(HEX[c & 0xf]);
                start = i + 1;
            }
        }
        return start == 0 ? out.append(path) : out.append(path, start, length);
    }

    private static boolean escaped(char c) {
        return c < 0x20 || c > 0x7e || c == '"' || c == '\\';
    }

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

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
