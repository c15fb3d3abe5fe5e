package dev.preflight.testing;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;

/**
 * The first handler of an {@link EmbeddedChannel} with auto-read off: counts the {@code read()}s that
 * reach the socket, for tests of the handlers that hand the proxy one message per read.
 */
public final class CountedReads extends ChannelOutboundHandlerAdapter {
    private int count;

    /** A channel with auto-read off whose first handler counts its socket reads. */
    public static CountedReads on(EmbeddedChannel channel) {
        CountedReads reads = new CountedReads();
        channel.config().setAutoRead(false);
        channel.pipeline().addFirst(reads);
        return reads;
    }

    @Override
    public void read(ChannelHandlerContext ctx) {
        count++;
        ctx.read();
    }

    /** The reads that reached the socket so far. */
    public int count() {
        return count;
    }
}
