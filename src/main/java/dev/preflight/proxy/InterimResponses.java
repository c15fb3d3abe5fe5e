package dev.preflight.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;

/**
 * The upstream's interim responses on their way to the client (RFC 9110 15.2: a proxy must forward
 * the 1xx responses it did not ask for itself), such as {@code 103 Early Hints}, whose {@code Link}
 * headers let a browser start loading a page's assets before the final response. Not {@code 100
 * Continue}, which the proxy answers itself when a client asks for one (P8) and which the upstream,
 * never sent the client's {@code Expect}, only ever sends unasked; not {@code 101}, which ends the
 * exchange one way or the other; and never to an HTTP/1.0 client, which cannot read one (15.2).
 *
 * <p>Written as bytes below the codec, as the proxy's own {@code 100 Continue} is: its encoder would
 * take a 1xx for the response, and the final one, still to come, for one too many.
 */
final class InterimResponses {
    private InterimResponses() {}

    /** Whether the client gets this 1xx from the upstream. */
    static boolean forwarded(int code, HttpVersion clientVersion) {
        return code > 101 && code < 200 && !HttpVersion.HTTP_1_0.equals(clientVersion);
    }

    /**
     * The interim response straight to the client's socket, without its hop-by-hop headers (P3) and a
     * {@code Content-Length} (RFC 9110 8.6: never on a 1xx; a lenient client would read that many bytes
     * of the final response as its body); the caller has applied C10 to it as to the final head, and
     * reads on from the upstream once it is written (P2: a backend may send any number of them).
     */
    static ChannelFuture write(ChannelHandlerContext ctx, HttpResponse interim) {
        HttpHeaders headers = interim.headers();
        HopByHopHeaders.stripResponse(headers);
        headers.remove(HttpHeaderNames.CONTENT_LENGTH);
        StringBuilder head = new StringBuilder(128)
                .append("HTTP/1.1 ")
                .append(interim.status().code())
                .append(' ')
                .append(interim.status().reasonPhrase())
                .append("\r\n");
        Iterator<Map.Entry<CharSequence, CharSequence>> all = headers.iteratorCharSequence();
        while (all.hasNext()) {
            Map.Entry<CharSequence, CharSequence> header = all.next();
            head.append(header.getKey()).append(": ").append(header.getValue()).append("\r\n");
        }
        head.append("\r\n");
        // The decoder's names and values hold no CR or LF; a byte per char, as the decoder read them.
        ByteBuf out = ctx.alloc().buffer(head.length());
        out.writeCharSequence(head, StandardCharsets.ISO_8859_1);
        return ctx.pipeline().context(HandlerNames.HEAD_TIMEOUT).writeAndFlush(out);
    }
}
