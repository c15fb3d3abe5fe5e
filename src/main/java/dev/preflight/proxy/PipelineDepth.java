package dev.preflight.proxy;

/**
 * How many requests a client may send ahead of their answers (P1): the HTTP codec remembers each
 * one's method until its response is encoded, fails its decoding beyond this many, and closes the
 * connection after its next response. So the request in progress is answered, those waiting are
 * dropped without reaching the upstream (their answers could not be sent), and the client sends them
 * again on a new connection (RFC 9112 9.3.2). No browser pipelines, and no common client sends 128
 * requests ahead. Such a client is logged in one line among the rejections: it was the proxy's own
 * error with its stack, which any client could write into the log at will, and the connection closed
 * at once, with the request in progress forwarded and its answer lost (found by probing). The depth
 * also bounds what one read of pipelined requests holds in memory.
 */
final class PipelineDepth {
    static final int MAX = 128;

    private PipelineDepth() {}

    /** The codec's failure for one request too many ahead (an {@link IllegalStateException} it names so). */
    static boolean exceeded(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof IllegalStateException
                    && String.valueOf(t.getMessage()).startsWith("maxPipelineDepth")) {
                return true;
            }
        }
        return false;
    }
}
