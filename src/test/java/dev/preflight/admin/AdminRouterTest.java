package dev.preflight.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.testing.JsonReader;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@link AdminRouter} in an {@link EmbeddedChannel}: whole requests in, whole responses out; every
 * request is released, the connection stays open for keep-alive and closes otherwise.
 */
class AdminRouterTest {
    private final Health health = new Health();
    private PrometheusMeterRegistry registry;
    private EmbeddedChannel channel;

    @BeforeEach
    void open() {
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        AdminContext context = new AdminContext(registry, health, () -> AdminFixtures.settings(AdminFixtures.POLICY));
        channel = new EmbeddedChannel(AdminRouter.of(context));
    }

    @AfterEach
    void close() {
        registry.close();
        assertThat(channel.finishAndReleaseAll()).as("messages nobody read").isFalse();
    }

    @Test
    void getAnswersFromTheEndpointAndKeepsTheConnection() {
        FullHttpRequest request = request(HttpMethod.GET, "/health/live");

        FullHttpResponse response = exchange(request);

        assertThat(request.refCnt()).isZero();
        assertThat(response.status().code()).isEqualTo(200);
        assertThat(response.headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo("application/json");
        assertThat(response.headers().get(HttpHeaderNames.CACHE_CONTROL)).isEqualTo("no-store");
        assertThat(response.headers().getInt(HttpHeaderNames.CONTENT_LENGTH)).isEqualTo(15);
        assertThat(response.headers().contains(HttpHeaderNames.CONNECTION)).isFalse();
        assertThat(body(response)).isEqualTo("{\"status\":\"UP\"}");
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    @DisplayName("HEAD: the GET response's status and headers, Content-Length included, without the body")
    void head() {
        String getBody = body(exchange(request(HttpMethod.GET, "/health/ready")));

        FullHttpResponse response = exchange(request(HttpMethod.HEAD, "/health/ready"));

        assertThat(response.status().code()).isEqualTo(503);
        assertThat(response.headers().getInt(HttpHeaderNames.CONTENT_LENGTH))
                .isEqualTo(getBody.getBytes(StandardCharsets.UTF_8).length);
        assertThat(body(response)).isEmpty();
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void unknownPathIs404() {
        FullHttpResponse response = exchange(request(HttpMethod.GET, "/metrics/"));

        assertThat(response.status().code()).isEqualTo(404);
        assertThat(JsonReader.object(body(response)).get("error"))
                .isEqualTo("no such endpoint; try /metrics, /health/live, /health/ready, /config, /explain");
    }

    @Test
    @DisplayName("405 with Allow for any method but GET and HEAD; the request's body is released")
    void otherMethodsAre405() {
        FullHttpRequest request = new DefaultFullHttpRequest(
                HttpVersion.HTTP_1_1,
                HttpMethod.POST,
                "/metrics",
                Unpooled.copiedBuffer("x=1", StandardCharsets.UTF_8));

        FullHttpResponse response = exchange(request);

        assertThat(request.refCnt()).isZero();
        assertThat(response.status().code()).isEqualTo(405);
        assertThat(response.headers().get(HttpHeaderNames.ALLOW)).isEqualTo("GET, HEAD");
        assertThat(JsonReader.object(body(response))).containsEntry("error", "POST (expected: GET or HEAD)");
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void connectionCloseIsHonoured() {
        FullHttpRequest request = request(HttpMethod.GET, "/metrics");
        request.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);

        FullHttpResponse response = exchange(request);

        assertThat(response.status().code()).isEqualTo(200);
        assertThat(response.headers().get(HttpHeaderNames.CONNECTION)).isEqualTo("close");
        body(response);
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    @DisplayName("HTTP/1.0 gets an HTTP/1.0 response and keep-alive only when it asks for it")
    void http10() {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_0, HttpMethod.GET, "/health/live");
        request.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);

        FullHttpResponse response = exchange(request);

        assertThat(response.protocolVersion()).isEqualTo(HttpVersion.HTTP_1_0);
        assertThat(response.headers().get(HttpHeaderNames.CONNECTION)).isEqualTo("keep-alive");
        body(response);
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void aRequestTheCodecCouldNotParseGets400AndClose() {
        FullHttpRequest request = request(HttpMethod.GET, "/bad-request");
        request.setDecoderResult(DecoderResult.failure(new IllegalArgumentException("bad header")));

        FullHttpResponse response = exchange(request);

        assertThat(request.refCnt()).isZero();
        assertThat(response.status().code()).isEqualTo(400);
        body(response);
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aMalformedEscapeInTheQueryIs400() {
        FullHttpResponse response = exchange(request(HttpMethod.GET, "/explain?origin=%zz&method=GET"));

        assertThat(response.status().code()).isEqualTo(400);
        assertThat(JsonReader.object(body(response))).containsKey("error");
        assertThat(channel.isOpen()).isTrue();
    }

    private static FullHttpRequest request(HttpMethod method, String uri) {
        return new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri, Unpooled.buffer(0));
    }

    private FullHttpResponse exchange(FullHttpRequest request) {
        assertThat(channel.writeInbound(request))
                .as("the router passes nothing on")
                .isFalse();
        FullHttpResponse response = channel.readOutbound();
        assertThat(response).isNotNull();
        assertThat(channel.<Object>readOutbound())
                .as("one response per request")
                .isNull();
        return response;
    }

    /** The body as text; releases the response. */
    private static String body(FullHttpResponse response) {
        try {
            ByteBuf content = response.content();
            return content.toString(StandardCharsets.UTF_8);
        } finally {
            response.release();
            // A HEAD response carries Unpooled.EMPTY_BUFFER, which is never freed.
            assertThat(response.refCnt() == 0 || response.content() == Unpooled.EMPTY_BUFFER)
                    .as("response released")
                    .isTrue();
        }
    }
}
