package dev.preflight.proxy;

import dev.preflight.config.LimitsSettings;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;

/** The client pipeline, in the order {@link HandlerNames} lists. */
final class ClientChannelInitializer extends ChannelInitializer<Channel> {
    private static final int MAX_CHUNK = 64 * 1024;

    private final ProxyContext context;
    private final ConnectionLimitHandler connectionLimit;

    ClientChannelInitializer(ProxyContext context, ConnectionLimitHandler connectionLimit) {
        this.context = context;
        this.connectionLimit = connectionLimit;
    }

    @Override
    protected void initChannel(Channel ch) {
        ChannelPipeline p = ch.pipeline();
        // Limits are read per connection: after a reload, new connections get the new ones.
        LimitsSettings limits = context.runtime().settings().limits();
        p.addLast(HandlerNames.CONNECTION_LIMIT, connectionLimit);
        addTimeouts(p, limits);
        addCodec(p, limits);
        addForwarding(p);
    }

    private static void addTimeouts(ChannelPipeline p, LimitsSettings limits) {
        p.addLast(HandlerNames.IDLE, new IdleTimeoutHandler(limits.idleTimeout()));
        p.addLast(HandlerNames.HEAD_TIMEOUT, new RequestHeadTimeoutHandler(limits.headerTimeout()));
    }

    private void addCodec(ChannelPipeline p, LimitsSettings limits) {
        // This connection's share of the heads' budget, given back whole when it closes.
        HeadBudget.Account account = context.headBudget().new Account();
        p.channel().closeFuture().addListener(closed -> account.close());
        HttpDecoderConfig decoder = new HttpDecoderConfig()
                .setMaxInitialLineLength(limits.maxInitialLine())
                .setMaxHeaderSize(limits.maxHeaderSize())
                .setMaxChunkSize(MAX_CHUNK)
                .setValidateHeaders(true) // the trailers; the headers: Netty's checks, but of our own names
                .setHeadersFactory(LimitedHeaders.heads(limits.maxHeaderCount(), "the request", account))
                .setTrailersFactory(LimitedHeaders.trailers(limits.maxHeaderCount(), "the request's trailers"))
                .setAllowDuplicateContentLengths(false)
                .setStrictLineParsing(true)
                .setUseRfc9112TransferEncoding(true);
        HttpServerCodec codec = new HttpServerCodec(decoder, PipelineDepth.MAX);
        HeadBudget.Account backlog = context.backlogBudget().new Account();
        p.addLast(HandlerNames.DECODER_BACKLOG, new DecoderBacklogHandler(codec, backlog, account));
        p.addLast(HandlerNames.CODEC, codec);
    }

    private void addForwarding(ChannelPipeline p) {
        p.addLast(HandlerNames.CLIENT_REQUEST, new ClientRequestHandler(context));
    }
}
