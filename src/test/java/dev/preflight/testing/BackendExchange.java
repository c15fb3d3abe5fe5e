package dev.preflight.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One request/response exchange on a {@link TestBackend} connection, handed to a {@link Behaviour}.
 * Every method runs on the connection's event loop. Responses to pipelined requests go out in
 * order: the next exchange starts when this one is {@link #done()}.
 */
public final class BackendExchange {

    /** How a streamed response body is delimited. */
    public enum Framing {
        CONTENT_LENGTH,
        CHUNKED
    }

    private static final int SLICE = 16 * 1024;

    private final ChannelHandlerContext ctx;
    private final RecordedRequest request;
    private final boolean requestKeepAlive;
    private final CompletableFuture<Void> completion = new CompletableFuture<>();
    private final List<String> extraHeaders = new ArrayList<>();
    private Runnable onWritable;
    private boolean responseSaysClose;

    BackendExchange(ChannelHandlerContext ctx, RecordedRequest request, boolean requestKeepAlive) {
        this.ctx = ctx;
        this.request = request;
        this.requestKeepAlive = requestKeepAlive;
    }

    public RecordedRequest request() {
        return request;
    }

    public EventExecutor executor() {
        return ctx.executor();
    }

    CompletableFuture<Void> completion() {
        return completion;
    }

    void addResponseHeaders(String... namesAndValues) {
        extraHeaders.addAll(List.of(namesAndValues));
    }

    /** A whole response with a Content-Length (none for 1xx, 204, 304), no body sent for HEAD. */
    public void respond(int status, byte[] body, String... headerNamesAndValues) {
        FullHttpResponse response = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(status),
                isHead() ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
        addHeaders(response, headerNamesAndValues);
        if (status >= 200
                && status != 204
                && status != 304
                && !response.headers().contains(HttpHeaderNames.TRANSFER_ENCODING)) {
            response.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.length);
        }
        ctx.writeAndFlush(response).addListener(f -> done());
    }

    /** 200 and {@code length} bytes of {@link PatternBytes}, written only while the channel is writable. */
    void streamPattern(int status, long length, Framing framing) {
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status));
        addHeaders(head);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_OCTET_STREAM);
        frame(head, framing, length);
        ctx.write(head);
        if (isHead()) {
            ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(f -> done());
            return;
        }
        new Object() {
            private long position;

            void pump() {
                onWritable = null;
                while (position < length && ctx.channel().isWritable()) {
                    int n = (int) Math.min(SLICE, length - position);
                    ctx.write(new DefaultHttpContent(slice(position, n)));
                    position += n;
                }
                if (position == length) {
                    ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(f -> done());
                } else if (ctx.channel().isActive()) {
                    onWritable = this::pump;
                    ctx.flush();
                }
            }
        }.pump();
    }

    void sendPartialThenReset(Framing framing, long declaredLength, int sentBytes) {
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        addHeaders(head);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_OCTET_STREAM);
        frame(head, framing, declaredLength);
        ctx.write(head);
        ctx.writeAndFlush(new DefaultHttpContent(slice(0, sentBytes)))
                .addListener(f -> ctx.executor()
                        // Leave the proxy time to read the bytes: a reset may discard what it has not read.
                        .schedule(this::reset, 200, TimeUnit.MILLISECONDS));
    }

    /** Closes the connection with a TCP reset (SO_LINGER 0) instead of a FIN. */
    void reset() {
        ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
        ctx.close();
    }

    /**
     * Ends the exchange: closes the connection when the request or the response asked for it, and
     * lets the next pipelined request be answered.
     */
    public void done() {
        if (!requestKeepAlive || responseSaysClose) {
            ctx.close();
        }
        completion.complete(null);
    }

    void channelWritable() {
        Runnable pending = onWritable;
        if (pending != null) {
            pending.run();
        }
    }

    private boolean isHead() {
        return "HEAD".equals(request.method());
    }

    private boolean closeRequested() {
        for (int i = 0; i + 1 < extraHeaders.size(); i += 2) {
            if (extraHeaders.get(i).equalsIgnoreCase("Connection")
                    && extraHeaders.get(i + 1).contains("close")) {
                return true;
            }
        }
        return false;
    }

    private ByteBuf slice(long offset, int length) {
        ByteBuf buf = ctx.alloc().buffer(length);
        int done = 0;
        while (done < length) {
            int n = Math.min(PatternBytes.maxSlice(), length - done);
            buf.writeBytes(PatternBytes.block(), PatternBytes.sliceStart(offset + done), n);
            done += n;
        }
        return buf;
    }

    private void frame(HttpResponse head, Framing framing, long length) {
        if (framing == Framing.CHUNKED) {
            head.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        } else {
            head.headers().set(HttpHeaderNames.CONTENT_LENGTH, length);
        }
    }

    private void addHeaders(HttpResponse response, String... namesAndValues) {
        List<String> all = new ArrayList<>(List.of(namesAndValues));
        all.addAll(extraHeaders);
        if (all.size() % 2 != 0) {
            throw new IllegalArgumentException("header names and values must alternate: " + all);
        }
        for (int i = 0; i < all.size(); i += 2) {
            response.headers().add(all.get(i), all.get(i + 1));
        }
        responseSaysClose = response.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE, true);
    }
}
