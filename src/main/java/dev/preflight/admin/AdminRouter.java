package dev.preflight.admin;

import dev.preflight.proxy.OutOfMemory;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.ReadTimeoutException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers each whole request from the endpoint registered for its path: 404 for an unknown path, 405
 * (with {@code Allow}) for a method other than GET or HEAD, 400 and close for a request the codec
 * could not parse. Keeps the connection open when the client asked for keep-alive, else closes it
 * once the response is written. Requests are released on return (SimpleChannelInboundHandler).
 */
@ChannelHandler.Sharable
final class AdminRouter extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(AdminRouter.class);
    private static final String ALLOWED_METHODS = "GET, HEAD";

    private final Map<String, AdminEndpoint> endpoints = new LinkedHashMap<>();

    AdminRouter(List<AdminEndpoint> endpoints) {
        for (AdminEndpoint endpoint : endpoints) {
            this.endpoints.put(endpoint.path(), endpoint);
        }
    }

    /** The five endpoints of O2 over {@code context}. */
    static AdminRouter of(AdminContext context) {
        return new AdminRouter(List.of(
                new MetricsEndpoint(context.registry()),
                new LiveEndpoint(),
                new ReadyEndpoint(context.health()),
                new ConfigEndpoint(context.settings()),
                new ExplainEndpoint(context.settings())));
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (!request.decoderResult().isSuccess()) {
            // The codec discards everything after a bad message: nothing more can be read here.
            FullHttpResponse response =
                    AdminResponses.error(ctx.alloc(), HttpResponseStatus.BAD_REQUEST, "malformed request");
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        FullHttpResponse response = respond(ctx, request);
        response.setProtocolVersion(request.protocolVersion());
        HttpUtil.setKeepAlive(response, keepAlive);
        if (request.method().equals(HttpMethod.HEAD)) {
            // Same headers as GET, Content-Length included, and no body.
            FullHttpResponse head = response.replace(Unpooled.EMPTY_BUFFER);
            response.release();
            response = head;
        }
        if (keepAlive) {
            ctx.writeAndFlush(response, ctx.voidPromise());
        } else {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private FullHttpResponse respond(ChannelHandlerContext ctx, FullHttpRequest request) {
        // A ';' is a character of a value (an origin, a path), as in the request it explains, not a
        // second separator besides '&'.
        QueryStringDecoder uri =
                QueryStringDecoder.builder().semicolonIsNormalChar(true).build(request.uri());
        try {
            AdminEndpoint endpoint = endpoints.get(uri.path());
            if (endpoint == null) {
                return AdminResponses.error(
                        ctx.alloc(),
                        HttpResponseStatus.NOT_FOUND,
                        "no such endpoint; try " + String.join(", ", endpoints.keySet()));
            }
            HttpMethod method = request.method();
            if (!method.equals(HttpMethod.GET) && !method.equals(HttpMethod.HEAD)) {
                FullHttpResponse response = AdminResponses.error(
                        ctx.alloc(), HttpResponseStatus.METHOD_NOT_ALLOWED, method + " (expected: GET or HEAD)");
                response.headers().set(HttpHeaderNames.ALLOW, ALLOWED_METHODS);
                return response;
            }
            return endpoint.handle(uri, ctx.alloc());
        } catch (IllegalArgumentException e) {
            // QueryStringDecoder decodes lazily and refuses malformed %-escapes.
            return AdminResponses.error(ctx.alloc(), HttpResponseStatus.BAD_REQUEST, e.getMessage());
        } catch (RuntimeException e) {
            log.warn("admin endpoint {} failed", uri.rawPath(), e);
            return AdminResponses.error(ctx.alloc(), HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error");
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        OutOfMemory.haltIfOutOfMemory(cause);
        if (!(cause instanceof ReadTimeoutException)) {
            log.debug("admin connection {} failed", ctx.channel().remoteAddress(), cause);
        }
        ctx.close();
    }
}
