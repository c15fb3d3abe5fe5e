package dev.preflight.proxy.upstream;

import io.netty.channel.ChannelException;
import io.netty.handler.ssl.NotSslRecordException;
import java.nio.channels.ClosedChannelException;

/** How a failed connect or TLS handshake to the upstream is put in the log. */
final class ConnectFailureText {
    private ConnectFailureText() {}

    /**
     * The failure's own words: Netty's and the JDK's connect, resolve and TLS exceptions carry them on
     * top; said plainly where they would not be (a hex dump of the answer that was not TLS, a close
     * with no message).
     */
    static String describe(Throwable cause) {
        if (cause == null) {
            return "no cause given";
        }
        if (cause instanceof NotSslRecordException) {
            return "the upstream's answer is not TLS (is it plain HTTP? the upstream URL says https)";
        }
        if (cause instanceof ClosedChannelException) {
            return "the upstream closed the connection";
        }
        if (cause instanceof ChannelException && cause.getCause() != null) {
            // Netty's "Unable to create Channel from class ..." hides why (no descriptor left, say)
            // under a reflective call's exception: the innermost cause says it.
            Throwable root = cause;
            for (int depth = 0; root.getCause() != null && depth < 10; depth++) {
                root = root.getCause();
            }
            return "no socket could be made: " + (root.getMessage() != null ? root.getMessage() : root);
        }
        return cause.getMessage() != null
                ? cause.getMessage()
                : cause.getClass().getName();
    }
}
