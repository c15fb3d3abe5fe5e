package dev.preflight.testing;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP/1.1 server on 127.0.0.1 and a free port, standing in for the API behind the proxy.
 * It streams (no aggregation), records every request it receives with the connection it came on,
 * counts connections so that keep-alive reuse is measurable, and answers each path as told with
 * {@link #on}: echo (the default), fixed responses, big streamed bodies, slowly, never, or with a
 * reset halfway through the body.
 */
public final class TestBackend implements AutoCloseable {

    /** Request bodies up to this size are kept for assertions and echo; larger ones only digested. */
    private static final int KEPT_BODY_LIMIT = 16 * 1024 * 1024;

    private final Map<String, Behaviour> behaviours = new ConcurrentHashMap<>();
    private final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();
    private final List<String> startedUris = new CopyOnWriteArrayList<>();
    private final AtomicInteger connectionsAccepted = new AtomicInteger();
    private final LocalServer server;

    private TestBackend() throws InterruptedException {
        HttpDecoderConfig decoder =
                new HttpDecoderConfig().setMaxInitialLineLength(64 * 1024).setMaxHeaderSize(64 * 1024);
        server = LocalServer.start(
                2,
                ch -> ch.pipeline()
                        .addLast(new HttpServerCodec(decoder))
                        .addLast(new ConnectionHandler(connectionsAccepted.incrementAndGet())));
    }

    public static TestBackend start() throws InterruptedException {
        return new TestBackend();
    }

    /** Answers requests whose path starts with {@code pathPrefix} (the longest prefix wins). */
    public TestBackend on(String pathPrefix, Behaviour behaviour) {
        behaviours.put(pathPrefix, behaviour);
        return this;
    }

    public int port() {
        return server.port();
    }

    /** {@code http://127.0.0.1:port}, for {@code upstream.url}. */
    public String url() {
        return "http://" + authority();
    }

    /** {@code 127.0.0.1:port}, what {@code host-header = upstream} should send. */
    public String authority() {
        return "127.0.0.1:" + port();
    }

    /** Every request received in full so far, in arrival order. */
    public List<RecordedRequest> requests() {
        return List.copyOf(requests);
    }

    /** The requests received in full whose path is {@code path}. */
    public List<RecordedRequest> requestsTo(String path) {
        return requests.stream().filter(r -> r.path().equals(path)).toList();
    }

    /** Waits until a request for {@code path} has been received in full, and returns the first. */
    public RecordedRequest awaitRequest(String path) {
        return Await.value(
                "the backend received a request for " + path,
                () -> requestsTo(path).stream().findFirst().orElse(null));
    }

    /** Whether a request head for {@code path} arrived, body complete or not. */
    public boolean sawRequestFor(String path) {
        return startedUris.stream().anyMatch(uri -> uri.equals(path) || uri.startsWith(path + "?"));
    }

    /** Connections accepted since start. */
    public int connectionsAccepted() {
        return connectionsAccepted.get();
    }

    @Override
    public void close() {
        server.close();
    }

    private Behaviour behaviourFor(String uri) {
        String path = uri.contains("?") ? uri.substring(0, uri.indexOf('?')) : uri;
        return behaviours.entrySet().stream()
                .filter(e -> path.startsWith(e.getKey()))
                .max(Map.Entry.comparingByKey((a, b) -> Integer.compare(a.length(), b.length())))
                .map(Map.Entry::getValue)
                .orElseGet(Behaviour::echo);
    }

    /**
     * Records requests as they stream in and starts each one's behaviour when its body is complete
     * and the previous response is done, so pipelined requests are answered in order.
     */
    private final class ConnectionHandler extends SimpleChannelInboundHandler<HttpObject> {
        private final int connectionId;
        private CompletableFuture<Void> previous = CompletableFuture.completedFuture(null);
        private BackendExchange current;
        private HttpRequest head;
        private MessageDigest digest;
        private ByteArrayOutputStream body;
        private long bodyLength;

        ConnectionHandler(int connectionId) {
            this.connectionId = connectionId;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (msg instanceof HttpRequest request) {
                if (request.decoderResult().isFailure()) {
                    ctx.close();
                    return;
                }
                head = request;
                digest = PatternBytes.sha256();
                body = new ByteArrayOutputStream();
                bodyLength = 0;
                startedUris.add(request.uri());
            }
            if (msg instanceof HttpContent content && head != null) {
                ByteBuf buf = content.content();
                int n = buf.readableBytes();
                byte[] bytes = new byte[n];
                buf.getBytes(buf.readerIndex(), bytes);
                digest.update(bytes);
                bodyLength += n;
                if (body != null && body.size() + n <= KEPT_BODY_LIMIT) {
                    body.writeBytes(bytes);
                } else {
                    body = null;
                }
                if (content instanceof LastHttpContent) {
                    requestComplete(ctx);
                }
            }
        }

        private void requestComplete(ChannelHandlerContext ctx) {
            List<Map.Entry<String, String>> headers = head.headers().entries().stream()
                    .<Map.Entry<String, String>>map(e -> new SimpleImmutableEntry<>(e.getKey(), e.getValue()))
                    .toList();
            RecordedRequest request = new RecordedRequest(
                    connectionId,
                    head.method().name(),
                    head.uri(),
                    head.protocolVersion().text(),
                    headers,
                    bodyLength,
                    HexFormat.of().formatHex(digest.digest()),
                    body == null ? null : body.toByteArray());
            requests.add(request);
            BackendExchange exchange = new BackendExchange(ctx, request, HttpUtil.isKeepAlive(head));
            Behaviour behaviour = behaviourFor(head.uri());
            head = null;
            previous.thenRun(() -> ctx.executor().execute(() -> {
                current = exchange;
                behaviour.respond(exchange);
            }));
            previous = exchange.completion();
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable() && current != null) {
                current.channelWritable();
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
