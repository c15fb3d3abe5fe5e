import dev.preflight.proxy.Transports;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;

/**
 * The floor of the stack, for bench/compare.sh's "netty" target: the least a CORS proxy built on
 * Netty's HTTP/1.1 codec does per request, written by hand for the bench's one policy the way
 * bench/conf/nginx.conf is (one exact origin, preflights answered from constants, the same headers on
 * forwarded responses). One event loop on the transport preflight picks (epoll, or NIO where it
 * does not load), HttpServerCodec with the decoder settings preflight uses, one handler, one
 * keep-alive upstream connection per client connection; no configuration, routing, limits,
 * timeouts, fetch metadata, metrics or access log. It is a measuring stick, not a proxy: no
 * backpressure, no pipelining, no error answers.
 *
 * <p>Run with Java's source launcher and Netty on the class path (the preflight jar carries it):
 * {@code java -cp target/preflight.jar bench/floor/NettyFloor.java PORT BACKEND_PORT}
 */
public final class NettyFloor {
    private static final String ORIGIN = "https://app.example.com";
    private static final AsciiString VARY_PREFLIGHT =
            AsciiString.cached("Origin, Access-Control-Request-Method, Access-Control-Request-Headers");
    private static final AsciiString TRUE = AsciiString.cached("true");
    private static final AsciiString METHODS = AsciiString.cached("GET, POST, PUT, DELETE");
    private static final AsciiString HEADERS = AsciiString.cached("Content-Type, Authorization, X-Requested-With");
    private static final AsciiString MAX_AGE = AsciiString.cached("600");
    private static final AsciiString EXPOSED = AsciiString.cached("X-Request-Id");

    public static void main(String[] args) throws InterruptedException {
        InetSocketAddress listen = new InetSocketAddress("127.0.0.1", Integer.parseInt(args[0]));
        InetSocketAddress backend = new InetSocketAddress("127.0.0.1", Integer.parseInt(args[1]));
        Transports transports = Transports.best();
        EventLoopGroup loop = transports.newGroup(1, "floor");
        new ServerBootstrap()
                .group(loop)
                .channelFactory(transports.serverChannelFor(listen.getAddress()))
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        HttpDecoderConfig decoder = new HttpDecoderConfig()
                                .setValidateHeaders(true)
                                .setAllowDuplicateContentLengths(false)
                                .setStrictLineParsing(true);
                        ch.pipeline().addLast(new HttpServerCodec(decoder), new ClientHandler(backend, transports));
                    }
                })
                .bind(listen)
                .sync()
                .channel()
                .closeFuture()
                .sync();
    }

    /** One client connection: preflights answered here, everything else relayed to its upstream. */
    private static final class ClientHandler extends ChannelInboundHandlerAdapter {
        private final InetSocketAddress backend;
        private final Transports transports;
        private final ArrayDeque<Object> pending = new ArrayDeque<>();
        private Channel upstream;
        private boolean connected;
        private boolean preflight;
        private boolean allowed;

        ClientHandler(InetSocketAddress backend, Transports transports) {
            this.backend = backend;
            this.transports = transports;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpRequest request) {
                String origin = request.headers().get(HttpHeaderNames.ORIGIN);
                allowed = ORIGIN.equals(origin);
                preflight = request.method().equals(HttpMethod.OPTIONS) && origin != null;
                if (preflight) {
                    ReferenceCountUtil.release(msg);
                    ctx.writeAndFlush(preflightAnswer(origin));
                    return;
                }
                HttpHeaders headers = request.headers();
                headers.remove(HttpHeaderNames.CONNECTION);
                headers.set("X-Forwarded-For", "127.0.0.1");
                headers.set("X-Forwarded-Proto", "http");
                headers.set("X-Forwarded-Host", headers.get(HttpHeaderNames.HOST, ""));
            } else if (preflight) {
                ReferenceCountUtil.release(msg);
                return;
            }
            relay(ctx, msg);
        }

        private FullHttpResponse preflightAnswer(String origin) {
            FullHttpResponse answer = new DefaultFullHttpResponse(
                    HttpVersion.HTTP_1_1, allowed ? HttpResponseStatus.NO_CONTENT : HttpResponseStatus.FORBIDDEN);
            HttpHeaders headers = answer.headers();
            if (allowed) {
                headers.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin)
                        .set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS, TRUE)
                        .set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, METHODS)
                        .set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, HEADERS)
                        .set(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE, MAX_AGE);
            } else {
                headers.set(HttpHeaderNames.CONTENT_LENGTH, 0);
            }
            headers.set(HttpHeaderNames.VARY, VARY_PREFLIGHT);
            return answer;
        }

        private void relay(ChannelHandlerContext ctx, Object msg) {
            if (connected) {
                upstream.write(msg);
                if (msg instanceof LastHttpContent) {
                    upstream.flush();
                }
                return;
            }
            pending.add(msg);
            if (upstream != null) {
                return;
            }
            // The first request opens the connection on this event loop; its parts wait for it.
            Channel client = ctx.channel();
            ClientHandler self = this;
            upstream = new Bootstrap()
                    .group(client.eventLoop())
                    .channel(transports.socketChannel())
                    .option(ChannelOption.TCP_NODELAY, true)
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(new HttpClientCodec(), new UpstreamHandler(client, self));
                        }
                    })
                    .connect(backend)
                    .addListener((ChannelFutureListener) f -> {
                        if (!f.isSuccess()) {
                            pending.forEach(ReferenceCountUtil::release);
                            client.close();
                            return;
                        }
                        connected = true;
                        pending.forEach(f.channel()::write);
                        pending.clear();
                        f.channel().flush();
                    })
                    .channel();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (upstream != null) {
                upstream.close();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** The upstream side: the response relayed to the client with the CORS headers of nginx.conf. */
    private static final class UpstreamHandler extends ChannelInboundHandlerAdapter {
        private final Channel client;
        private final ClientHandler request;

        UpstreamHandler(Channel client, ClientHandler request) {
            this.client = client;
            this.request = request;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpResponse response) {
                HttpHeaders headers = response.headers();
                if (request.allowed) {
                    headers.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, ORIGIN)
                            .set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS, TRUE)
                            .set(HttpHeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS, EXPOSED);
                }
                headers.set(HttpHeaderNames.VARY, HttpHeaderNames.ORIGIN);
                headers.remove(HttpHeaderNames.CONNECTION);
            }
            if (msg instanceof LastHttpContent) {
                client.writeAndFlush(msg);
            } else if (msg instanceof HttpContent || msg instanceof HttpResponse) {
                client.write(msg);
            } else {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            client.close();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
