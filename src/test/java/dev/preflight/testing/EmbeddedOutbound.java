package dev.preflight.testing;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;

/** What a pipeline in an {@link EmbeddedChannel} wrote, as raw bytes on a socket would carry it. */
public final class EmbeddedOutbound {
    private EmbeddedOutbound() {}

    /** Every buffer written so far, read as ASCII and released. */
    public static String drain(EmbeddedChannel channel) {
        StringBuilder out = new StringBuilder();
        for (Object msg = channel.readOutbound(); msg != null; msg = channel.readOutbound()) {
            ByteBuf buf = (ByteBuf) msg;
            out.append(buf.toString(StandardCharsets.US_ASCII));
            buf.release();
        }
        return out.toString();
    }
}
