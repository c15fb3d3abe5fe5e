package dev.preflight.admin;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.util.concurrent.TimeUnit;

/** The admin pipeline, in the order {@link AdminHandlerNames} lists. */
final class AdminChannelInitializer extends ChannelInitializer<Channel> {
    private final AdminRouter router;

    AdminChannelInitializer(AdminRouter router) {
        this.router = router;
    }

    @Override
    protected void initChannel(Channel channel) {
        ChannelPipeline p = channel.pipeline();
        p.addLast(AdminHandlerNames.IDLE, new ReadTimeoutHandler(AdminHandlerNames.IDLE_SECONDS, TimeUnit.SECONDS));
        p.addLast(AdminHandlerNames.CODEC, new HttpServerCodec());
        p.addLast(AdminHandlerNames.AGGREGATOR, new HttpObjectAggregator(AdminHandlerNames.MAX_REQUEST_BYTES));
        p.addLast(AdminHandlerNames.ROUTER, router);
    }
}
