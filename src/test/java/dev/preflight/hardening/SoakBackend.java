package dev.preflight.hardening;

import dev.preflight.testing.LocalServer;
import dev.preflight.testing.PatternBytes;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;

/**
 * The backend of {@link SoakTest}: like {@code TestBackend} it streams and digests request bodies,
 * but it remembers nothing about past requests, so that the heap it uses stays flat however long the
 * soak runs and the test measures the proxy's memory, not a growing record of the traffic. By path:
 *
 * <ul>
 *   <li>{@code /big/...}: 200 with {@link #BIG} bytes of {@link PatternBytes}, written as the reader takes them
 *   <li>{@code /cut/...}: a chunked 200, 1000 bytes, then a reset
 *   <li>{@code /slow/...}: the echo, after 100 ms
 *   <li>{@code /fault/reset/...}: a reset instead of a response
 *   <li>{@code /fault/never/...}: no response at all
 *   <li>anything else: 200, empty, with {@code X-Echo-Uri}, {@code X-Echo-Body-Length} and {@code X-Echo-Body-Sha256}
 * </ul>
 */
final class SoakBackend implements AutoCloseable {

    static final long BIG = 2L * 1024 * 1024;
    private static final int SLICE = 16 * 1024;

    private final LocalServer server;

    private SoakBackend() throws InterruptedException {
        server = LocalServer.start(
                2, ch -> ch.pipeline().addLast(new HttpServerCodec()).addLast(new Handler()));
    }

    static SoakBackend start() throws InterruptedException {
        return new SoakBackend();
    }

    String url() {
        return "http://127.0.0.1:" + server.port();
    }

    @Override
    public void close() {
        server.close();
    }

    /** One connection; requests come one at a time (the proxy does not pipeline upstream). */
    private static final class Handler extends ChannelInboundHandlerAdapter {
        private HttpRequest head;
        private MessageDigest digest;
        private long length;
        private Runnable onWritable;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof HttpRequest request) {
                    if (request.decoderResult().isFailure()) {
                        ctx.close();
                        return;
                    }
                    head = request;
                    digest = PatternBytes.sha256();
                    length = 0;
                }
                if (msg instanceof HttpContent content && head != null) {
                    ByteBuf buf = content.content();
                    for (ByteBuffer nio : buf.nioBuffers()) {
                        length += nio.remaining();
                        digest.update(nio);
                    }
                    if (content instanceof LastHttpContent) {
                        HttpRequest request = head;
                        head = null;
                        respond(ctx, request);
                    }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private void respond(ChannelHandlerContext ctx, HttpRequest request) {
            String uri = request.uri();
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            if (uri.startsWith("/fault/reset/")) {
                reset(ctx);
            } else if (uri.startsWith("/fault/never/")) {
                // no answer: the proxy's response timeout decides
            } else if (uri.startsWith("/big/")) {
                stream(ctx, request.method().name().equals("HEAD"), keepAlive);
            } else if (uri.startsWith("/cut/")) {
                HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                response.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
                ctx.write(response);
                ctx.writeAndFlush(new DefaultHttpContent(pattern(ctx, 0, 1000)))
                        .addListener(f -> ctx.executor().schedule(() -> reset(ctx), 200, TimeUnit.MILLISECONDS));
            } else {
                String length = Long.toString(this.length);
                String sha = HexFormat.of().formatHex(digest.digest());
                Runnable echo = () -> echo(ctx, uri, length, sha, keepAlive);
                if (uri.startsWith("/slow/")) {
                    ctx.executor().schedule(echo, 100, TimeUnit.MILLISECONDS);
                } else {
                    echo.run();
                }
            }
        }

        private static void echo(ChannelHandlerContext ctx, String uri, String length, String sha, boolean keepAlive) {
            if (!ctx.channel().isActive()) {
                return;
            }
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            response.headers()
                    .set(HttpHeaderNames.CONTENT_LENGTH, 0)
                    .set("X-Echo-Uri", uri)
                    .set("X-Echo-Body-Length", length)
                    .set("X-Echo-Body-Sha256", sha);
            if (!keepAlive) {
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            }
            ctx.writeAndFlush(response)
                    .addListener(keepAlive ? ChannelFutureListener.CLOSE_ON_FAILURE : ChannelFutureListener.CLOSE);
        }

        private void stream(ChannelHandlerContext ctx, boolean headRequest, boolean keepAlive) {
            HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            response.headers()
                    .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_OCTET_STREAM)
                    .set(HttpHeaderNames.CONTENT_LENGTH, BIG);
            ctx.write(response);
            long total = headRequest ? 0 : BIG;
            new Object() {
                private long position;

                void pump() {
                    onWritable = null;
                    while (position < total && ctx.channel().isWritable()) {
                        int n = (int) Math.min(SLICE, total - position);
                        ctx.write(new DefaultHttpContent(pattern(ctx, position, n)));
                        position += n;
                    }
                    if (position == total) {
                        ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT)
                                .addListener(
                                        keepAlive
                                                ? ChannelFutureListener.CLOSE_ON_FAILURE
                                                : ChannelFutureListener.CLOSE);
                    } else if (ctx.channel().isActive()) {
                        onWritable = this::pump;
                        ctx.flush();
                    }
                }
            }.pump();
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            Runnable pending = onWritable;
            if (ctx.channel().isWritable() && pending != null) {
                pending.run();
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }

        private static ByteBuf pattern(ChannelHandlerContext ctx, long offset, int n) {
            return ctx.alloc().buffer(n).writeBytes(PatternBytes.block(), PatternBytes.sliceStart(offset), n);
        }

        private static void reset(ChannelHandlerContext ctx) {
            ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
            ctx.close();
        }
    }
}
