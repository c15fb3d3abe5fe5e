package dev.preflight.testing;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real WebSocket server behind the proxy (RFC 6455, Netty's own implementation): {@code /ws}
 * greets each new socket with a text frame {@code welcome}, sent right after the {@code 101}, and
 * echoes every data frame; any other path is plain HTTP and answers 404, so a refused upgrade can be
 * relayed. It records the handshakes it saw and counts the connections still open.
 */
public final class WebSocketBackend implements AutoCloseable {
    public static final String PATH = "/ws";
    public static final String WELCOME = "welcome";

    private final List<RecordedRequest> handshakes = new CopyOnWriteArrayList<>();
    private final AtomicInteger plainRequests = new AtomicInteger();
    private final LocalServer server;

    private WebSocketBackend() throws InterruptedException {
        WebSocketServerProtocolConfig config = WebSocketServerProtocolConfig.newBuilder()
                .websocketPath(PATH)
                .checkStartsWith(true)
                .maxFramePayloadLength(16 * 1024 * 1024)
                .build();
        server = LocalServer.start(
                1,
                ch -> ch.pipeline()
                        .addLast(new HttpServerCodec())
                        .addLast(new HttpObjectAggregator(64 * 1024))
                        .addLast(new HandshakeRecorder())
                        .addLast(new WebSocketServerProtocolHandler(config))
                        .addLast(new Echo())
                        .addLast(new NotFound()));
    }

    public static WebSocketBackend start() throws InterruptedException {
        return new WebSocketBackend();
    }

    public String url() {
        return "http://127.0.0.1:" + server.port();
    }

    /** The upgrade requests that reached {@link #PATH}, as received. */
    public List<RecordedRequest> handshakes() {
        return handshakes;
    }

    /** Plain HTTP requests answered 404 (including refused upgrades on other paths). */
    public int plainRequests() {
        return plainRequests.get();
    }

    /** Connections from the proxy that are still open. */
    public int openConnections() {
        return (int) server.channels().stream().filter(Channel::isActive).count();
    }

    @Override
    public void close() {
        server.close();
    }

    private final class HandshakeRecorder extends SimpleChannelInboundHandler<FullHttpRequest> {
        HandshakeRecorder() {
            super(false);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            if (request.uri().startsWith(PATH)) {
                handshakes.add(new RecordedRequest(
                        handshakes.size() + 1,
                        request.method().name(),
                        request.uri(),
                        request.protocolVersion().text(),
                        List.copyOf(request.headers().entries()),
                        0,
                        null,
                        new byte[0]));
            }
            ctx.fireChannelRead(request);
        }
    }

    private static final class Echo extends SimpleChannelInboundHandler<WebSocketFrame> {
        Echo() {
            super(false);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
                ctx.writeAndFlush(new TextWebSocketFrame(WELCOME));
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
            if (frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame) {
                ctx.writeAndFlush(frame); // the same frame back: its buffer changes hands
            } else {
                frame.release();
            }
        }
    }

    private final class NotFound extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            plainRequests.incrementAndGet();
            FullHttpResponse response = new DefaultFullHttpResponse(
                    HttpVersion.HTTP_1_1,
                    HttpResponseStatus.NOT_FOUND,
                    Unpooled.copiedBuffer("no socket here\n", StandardCharsets.US_ASCII));
            response.headers()
                    .set(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        }
    }
}
