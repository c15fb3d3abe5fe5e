package dev.preflight.proxy;

import static dev.preflight.proxy.CorsWire.APP;
import static dev.preflight.proxy.CorsWire.EVIL;
import static dev.preflight.proxy.CorsWire.corsHeaders;
import static dev.preflight.proxy.CorsWire.header;
import static dev.preflight.testing.ProblemAssertions.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.config.ConfigLoader;
import dev.preflight.config.Settings;
import dev.preflight.policy.CorsDecision;
import dev.preflight.policy.CorsRequest;
import dev.preflight.policy.CorsSettings;
import dev.preflight.proxy.upstream.UpstreamPool;
import dev.preflight.testing.HttpResponseReader;
import dev.preflight.testing.RawResponse;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The CORS part of the client pipeline in an {@link EmbeddedChannel}, fed raw request bytes so the
 * real codec, route selection and decision run: what the proxy answers itself (C3, C5, C6, C9 with
 * {@code reject}, C14, P5) never opens an upstream connection; and the response rewrite (C10) on a
 * backend head with contradictory CORS headers.
 */
@Timeout(30)
class CorsHandlerTest {
    private static final String HOST = "api.test";
    private static final String VARY_PREFLIGHT =
            "Origin, Access-Control-Request-Method, Access-Control-Request-Headers";

    private static final String POLICY = """
            preflight {
              upstream.url = "http://127.0.0.1:9"
              limits { header-timeout = 2s }
              cors {
                allowed-origins = ["http://app.example"]
                allow-credentials = true
                allowed-methods = ["GET", "PUT"]
                allowed-headers = ["X-Token", "Content-Type"]
                exposed-headers = ["X-Request-Id"]
                max-age = 10m
              }
              routes = [
                { name = "strict", path-prefix = "/strict", cors.disallowed-origin = reject }
                { name = "status200", path-prefix = "/status200", cors.preflight-status = 200 }
              ]
            }
            """;

    private ProxyContext context;
    private EmbeddedChannel channel;

    private void open() throws Exception {
        Settings settings = ConfigLoader.parse(POLICY, Map.of());
        context = new ProxyContext(settings, Transports.best(), new ProxyMetrics(new SimpleMeterRegistry()), null);
        channel = new EmbeddedChannel();
        channel.config().setAutoRead(false);
        channel.freezeTime();
        new ClientChannelInitializer(context, new ConnectionLimitHandler(10)).initChannel(channel);
        channel.pipeline().fireChannelActive();
    }

    @AfterEach
    void tearDown() {
        if (channel != null) {
            boolean leftOver = channel.finishAndReleaseAll();
            context.close();
            assertThat(leftOver).as("messages nobody read").isFalse();
        }
    }

    @Test
    @DisplayName(
            "C3/C5/C7: an allowed preflight is answered with exactly its headers, no upstream connection ever opened")
    void allowedPreflight() throws Exception {
        open();

        List<RawResponse> responses =
                send("OPTIONS", CorsWire.preflight(HOST, "/items?id=1", APP, "PUT", "x-token,content-type"));

        assertThat(responses).hasSize(1);
        RawResponse response = responses.getFirst();
        assertThat(response.status()).isEqualTo(204);
        assertThat(corsHeaders(response))
                .containsExactlyInAnyOrder(
                        header("access-control-allow-origin", APP),
                        header("access-control-allow-credentials", "true"),
                        header("access-control-allow-methods", "GET, PUT"),
                        header("access-control-allow-headers", "x-token,content-type"),
                        header("access-control-max-age", "600"));
        assertThat(response.headers("Vary")).containsExactly(VARY_PREFLIGHT);
        // RFC 9110 forbids Content-Length on a 204; the body is empty either way.
        assertThat(response.hasHeader("Content-Length")).isFalse();
        assertThat(response.hasHeader("Transfer-Encoding")).isFalse();
        assertThat(response.body()).isEmpty();
        assertThat(response.connectionTokens()).doesNotContain("close");
        assertThat(channel.isOpen()).isTrue();
        assertThat(openUpstreamConnections()).isZero();
    }

    @Test
    @DisplayName("C5: with preflight-status = 200 an allowed preflight gets 200 and Content-Length: 0")
    void preflightStatus200() throws Exception {
        open();

        RawResponse response = sendOne("OPTIONS", CorsWire.preflight(HOST, "/status200/x", APP, "GET", null));

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.headers("Content-Length")).containsExactly("0");
        assertThat(response.body()).isEmpty();
        assertThat(corsHeaders(response))
                .containsExactlyInAnyOrder(
                        header("access-control-allow-origin", APP),
                        header("access-control-allow-credentials", "true"),
                        header("access-control-allow-methods", "GET, PUT"),
                        header("access-control-max-age", "600"));
        assertThat(openUpstreamConnections()).isZero();
    }

    @ParameterizedTest(name = "C6: {0}")
    @CsvSource(delimiter = '|', textBlock = """
            origin-not-allowed                          | http://evil.example       | PUT    | x-token  |
            origin-not-allowed (a look-alike)           | http://app.example.evil   | GET    |          |
            origin-malformed (trailing slash)           | http://app.example/       | GET    |          |
            method-not-allowed                          | http://app.example        | DELETE |          |
            method-not-allowed (case-sensitive)         | http://app.example        | put    |          |
            header-not-allowed                          | http://app.example        | PUT    | x-other  |
            header-not-allowed (Authorization)          | http://app.example        | GET    | authorization |
            private-network-not-allowed                 | http://app.example        | GET    |          | Access-Control-Request-Private-Network: true
            """)
    @DisplayName("C6: a rejected preflight gets 403, no Access-Control-* header at all, and no upstream")
    void rejectedPreflight(String reason, String origin, String method, String requestHeaders, String extraLine)
            throws Exception {
        open();
        List<String> lines = new ArrayList<>();
        lines.add("Access-Control-Request-Method: " + method);
        if (requestHeaders != null) {
            lines.add("Access-Control-Request-Headers: " + requestHeaders);
        }
        if (extraLine != null) {
            lines.add(extraLine);
        }

        RawResponse response =
                sendOne("OPTIONS", CorsWire.request("OPTIONS", HOST, "/items", origin, lines.toArray(String[]::new)));

        assertThat(response.status()).as(reason).isEqualTo(403);
        assertThat(corsHeaders(response)).as("Access-Control-* headers").isEmpty();
        assertThat(response.headers("Vary")).containsExactly(VARY_PREFLIGHT);
        assertThat(channel.isOpen()).isTrue();
        assertThat(openUpstreamConnections()).isZero();
    }

    @Test
    @DisplayName("C4: Access-Control-Request-Headers on two lines, names in any case, are joined and both allowed")
    void requestHeadersOnTwoLines() throws Exception {
        open();

        RawResponse response = sendOne(
                "OPTIONS",
                CorsWire.request(
                        "OPTIONS",
                        HOST,
                        "/items",
                        null,
                        "ORIGIN: " + APP,
                        "access-control-request-method: PUT",
                        "Access-Control-Request-Headers: x-token",
                        "ACCESS-CONTROL-REQUEST-HEADERS: content-type"));

        assertThat(response.status()).isEqualTo(204);
        assertThat(response.headers("Access-Control-Allow-Origin")).containsExactly(APP);
        assertThat(String.join(",", response.headers("Access-Control-Allow-Headers")))
                .contains("x-token")
                .contains("content-type");
    }

    @Test
    @DisplayName("C12: two Origin lines, both allowed, are malformed: 403, no Access-Control-* header")
    void twoOriginLines() throws Exception {
        open();

        RawResponse response = sendOne(
                "OPTIONS",
                CorsWire.request(
                        "OPTIONS", HOST, "/items", APP, "origin: " + APP, "Access-Control-Request-Method: PUT"));

        assertThat(response.status()).isEqualTo(403);
        assertThat(corsHeaders(response)).isEmpty();
    }

    @Test
    @DisplayName(
            "C9: with disallowed-origin = reject an actual request from a disallowed origin gets 403 and no upstream")
    void rejectedActualRequest() throws Exception {
        open();

        RawResponse response = sendOne("GET", CorsWire.get(HOST, "/strict/orders", EVIL));

        assertProblem(response, 403);
        assertThat(corsHeaders(response)).isEmpty();
        assertThat(response.headers("Vary")).containsExactly("Origin");
        assertThat(channel.isOpen()).isTrue();
        assertThat(openUpstreamConnections()).isZero();
    }

    @Test
    @DisplayName(
            "C14: a preflight with a body, then a second request in the same write: the body never becomes a request")
    void preflightWithBody() throws Exception {
        open();
        String preflightWithBody = "OPTIONS /items HTTP/1.1\r\nHost: " + HOST + "\r\nOrigin: " + APP
                + "\r\nAccess-Control-Request-Method: PUT\r\nContent-Length: 5\r\n\r\nhello";
        String second = CorsWire.preflight(HOST, "/second", APP, "GET", null);

        List<RawResponse> responses = send("OPTIONS", preflightWithBody + second);

        assertLeftoverBytesNeverBecameARequest(responses, 204);
    }

    @Test
    @DisplayName("C14: a rejected actual request with a body, then a second request: the body never becomes a request")
    void rejectedRequestWithBody() throws Exception {
        open();
        String rejectedWithBody = "POST /strict/orders HTTP/1.1\r\nHost: " + HOST + "\r\nOrigin: " + EVIL
                + "\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello";
        String second = CorsWire.preflight(HOST, "/second", APP, "GET", null);

        List<RawResponse> responses = send("POST", rejectedWithBody + second);

        assertLeftoverBytesNeverBecameARequest(responses, 403);
    }

    /**
     * C14 allows two behaviours: close the connection after the local answer (then nothing else is
     * answered), or discard the body and answer the second request (a preflight, answered locally).
     * Either way no third response appears (the body parsed as a request would get a 400 or be
     * forwarded) and no upstream connection is opened.
     */
    private void assertLeftoverBytesNeverBecameARequest(List<RawResponse> responses, int firstStatus) {
        assertThat(responses).as("responses").isNotEmpty();
        assertThat(responses.getFirst().status()).isEqualTo(firstStatus);
        if (channel.isOpen()) {
            assertThat(responses)
                    .as("body discarded, the second request answered")
                    .hasSize(2);
            RawResponse second = responses.get(1);
            assertThat(second.status()).isEqualTo(204);
            assertThat(second.header("Access-Control-Allow-Origin")).isEqualTo(APP);
        } else {
            assertThat(responses).as("connection closed after the local answer").hasSize(1);
            assertThat(responses.getFirst().connectionTokens()).contains("close");
        }
        assertThat(openUpstreamConnections()).isZero();
    }

    @ParameterizedTest(name = "P5: {0} gets 400")
    @ValueSource(
            strings = {
                "/a%2Fb",
                "/a%2fb",
                "/a%5cb",
                "/a%5Cb",
                "/a\\b",
                "/strict/..%2F..%2Fadmin",
                "/public/..;/admin",
                "/public/..;jsessionid=1/admin",
                "/public/%2e%2e;/admin",
                "/a/.;x/b"
            })
    @DisplayName(
            "P5: an encoded slash or backslash, a backslash, or a dot segment with parameters (..;) gets 400 before any route or upstream")
    void ambiguousPath(String target) throws Exception {
        open();

        RawResponse response = sendOne("GET", CorsWire.get(HOST, target, APP));

        assertThat(response.status()).isEqualTo(400);
        assertThat(openUpstreamConnections()).isZero();
    }

    @Test
    @DisplayName("C10: strip removes the backend's two Access-Control-Allow-Origin values and writes exactly one, ours")
    void rewriteStripsContradictoryBackendHeaders() throws Exception {
        open();
        CorsDecision decision =
                context.runtime().settings().corsPolicy().decide(CorsRequest.actual("GET", APP, "http://" + HOST));
        HttpResponse backend = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        backend.headers()
                .add("Access-Control-Allow-Origin", "*")
                .add("Access-Control-Allow-Origin", EVIL)
                .add("access-control-allow-credentials", "true")
                .add("Access-Control-Allow-Methods", "*")
                .add("Access-Control-Expose-Headers", "X-Secret")
                .add("Vary", "Accept")
                .add("X-Request-Id", "42");

        CorsResponses.rewrite(backend.headers(), decision, CorsSettings.UpstreamCorsHeaders.STRIP);

        assertThat(backend.headers().getAll("Access-Control-Allow-Origin")).containsExactly(APP);
        assertThat(corsHeaders(List.copyOf(backend.headers().entries())))
                .containsExactlyInAnyOrder(
                        header("access-control-allow-origin", APP),
                        header("access-control-allow-credentials", "true"),
                        header("access-control-expose-headers", "X-Request-Id"));
        assertThat(backend.headers().getAll("Vary")).containsExactly("Accept, Origin");
        assertThat(backend.headers().get("X-Request-Id")).isEqualTo("42");
    }

    private int openUpstreamConnections() {
        return context.runtime().pools().stream()
                .mapToInt(UpstreamPool::openConnections)
                .sum();
    }

    private RawResponse sendOne(String method, String request) throws IOException {
        List<RawResponse> responses = send(method, request);
        assertThat(responses).as("responses to\n%s", request).hasSize(1);
        return responses.getFirst();
    }

    /** Writes the bytes in one go, runs what they caused, and parses every response written back. */
    private List<RawResponse> send(String method, String request) throws IOException {
        ByteBuf in = Unpooled.copiedBuffer(request, StandardCharsets.ISO_8859_1);
        channel.writeInbound(in);
        channel.runPendingTasks();
        assertThat(in.refCnt()).as("request bytes released").isZero();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object msg = channel.readOutbound(); msg != null; msg = channel.readOutbound()) {
            ByteBuf buf = (ByteBuf) msg;
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            buf.release();
            out.writeBytes(bytes);
        }
        InputStream stream = new ByteArrayInputStream(out.toByteArray());
        List<RawResponse> responses = new ArrayList<>();
        while (stream.available() > 0) {
            responses.add(HttpResponseReader.read(stream, method));
        }
        return responses;
    }
}
