package dev.preflight.proxy;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.slf4j.event.Level;

/**
 * Last on a listener's pipeline: a connection that could not be accepted (the process out of
 * descriptors, EMFILE) is logged as one line, at most one a second, instead of reaching the end of
 * the pipeline, where Netty logs a WARN with a stack trace each time. Netty itself stops accepting
 * for a second after such an error, so the listener recovers on its own once descriptors are free.
 */
@ChannelHandler.Sharable
public final class AcceptErrorLog extends ChannelInboundHandlerAdapter {
    private final ThrottledLog log;
    private final String listener;

    /** @param listener what the listener is, for the line: {@code the proxy port}, {@code the admin port} */
    public AcceptErrorLog(String listener) {
        this.log = new ThrottledLog("preflight.accept", Level.WARN, 1);
        this.listener = listener;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        OutOfMemory.haltIfOutOfMemory(cause);
        log.log("{} cannot accept a connection: {} (tried again in a second)", listener, String.valueOf(cause));
    }
}
