package dev.preflight.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.config.ConfigLoader;
import dev.preflight.config.Settings;
import dev.preflight.proxy.upstream.UpstreamPool;
import dev.preflight.testing.EmbeddedOutbound;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The client pipeline in an {@link EmbeddedChannel}: requests the proxy must answer itself, without
 * ever opening an upstream connection. Requests go in as raw bytes, so the real codec and limits run.
 */
class ClientPipelineTest {
    private ProxyContext context;
    private EmbeddedChannel channel;

    @BeforeEach
    void setUp() throws Exception {
        Settings settings = ConfigLoader.parse("""
                preflight {
                  upstream.url = "http://127.0.0.1:9"
                  limits { max-body-size = 1k, max-initial-line = 256, max-header-size = 512, header-timeout = 2s }
                }
                """, Map.of());
        context = new ProxyContext(settings, Transports.best(), new ProxyMetrics(new SimpleMeterRegistry()), null);
        channel = new EmbeddedChannel();
        channel.config().setAutoRead(false);
        channel.freezeTime();
        new ClientChannelInitializer(context, new ConnectionLimitHandler(10)).initChannel(channel);
        channel.pipeline().fireChannelActive();
    }

    @AfterEach
    void tearDown() {
        channel.finishAndReleaseAll();
        context.close();
    }

    @Test
    @DisplayName("P6/P8: a declared body above max-body-size gets 413 and a closed connection, before any upstream")
    void declaredBodyTooLarge() {
        String response =
                send("POST /upload HTTP/1.1\r\nHost: api\r\nContent-Length: 5000\r\n" + "Expect: 100-continue\r\n\r\n");
        assertThat(response).startsWith("HTTP/1.1 413 ").doesNotContain("100 Continue");
        assertThat(response).contains("content-type: application/problem+json", "\"status\":413");
        assertThat(channel.isOpen()).isFalse();
        assertThat(openUpstreamConnections()).isZero();
    }

    @Test
    @DisplayName("P6: a request line over max-initial-line gets 414 and a closed connection")
    void requestLineTooLong() {
        String response = send("GET /" + "a".repeat(400) + " HTTP/1.1\r\nHost: api\r\n\r\n");
        assertThat(response).startsWith("HTTP/1.1 414 ").contains("\"status\":414");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    @DisplayName("P6: headers over max-header-size get 431 and a closed connection")
    void headersTooLarge() {
        String response = send("GET / HTTP/1.1\r\nHost: api\r\nX-Big: " + "b".repeat(600) + "\r\n\r\n");
        assertThat(response).startsWith("HTTP/1.1 431 ").contains("\"status\":431");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    @DisplayName("P6: Content-Length together with Transfer-Encoding gets 400 and a closed connection")
    void contentLengthWithTransferEncoding() {
        String response = send("POST / HTTP/1.1\r\nHost: api\r\nContent-Length: 3\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
        assertThat(response).startsWith("HTTP/1.1 400 ");
        assertThat(channel.isOpen()).isFalse();
        assertThat(openUpstreamConnections()).isZero();
    }

    @Test
    @DisplayName("P6: an HTTP/1.1 request without Host gets 400")
    void missingHost() {
        String response = send("GET / HTTP/1.1\r\n\r\n");
        assertThat(response).startsWith("HTTP/1.1 400 ").contains("Host");
        assertThat(channel.isOpen()).isFalse();
    }

    @ParameterizedTest(name = "P8: {0}")
    @ValueSource(
            strings = {
                "Expect: 100-continue, foo\r\n",
                "Expect: 100-continue\r\nExpect: foo\r\n",
                "Expect: foo, 100-continue\r\n"
            })
    void anotherExpectationBesideContinueIs417(String expect) {
        String response = send("GET / HTTP/1.1\r\nHost: api\r\n" + expect + "\r\n");
        assertThat(response).startsWith("HTTP/1.1 417 ");
    }

    @Test
    @DisplayName("P1: a bodyless request answered locally keeps the connection for the next, in order")
    void localAnswersKeepTheConnection() {
        String response = send("GET / HTTP/1.1\r\nHost: api\r\nExpect: teapot\r\n\r\n"
                + "GET / HTTP/1.1\r\nHost: api\r\nExpect: coffee\r\n\r\n");
        assertThat(response).startsWith("HTTP/1.1 417 ");
        assertThat(response.indexOf("HTTP/1.1 417 ", 1)).isPositive();
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    @DisplayName("P6: a head that is not complete within header-timeout gets 408 and a closed connection")
    void slowHead() {
        channel.writeInbound(ascii("GET / HTTP/1.1\r\nHo"));
        assertThat(readAll()).isEmpty();
        channel.advanceTimeBy(1000, TimeUnit.MILLISECONDS);
        // More of the head: the timeout still runs from the read it began in.
        channel.writeInbound(ascii("st: a"));
        channel.advanceTimeBy(999, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertThat(readAll()).isEmpty();
        channel.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertThat(readAll()).startsWith("HTTP/1.1 408 ");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    @DisplayName("P6: a connection with no bytes at all is left to the idle timeout, not answered 408")
    void silentConnectionGetsNo408() {
        channel.advanceTimeBy(5, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertThat(readAll()).isEmpty();
        assertThat(channel.isOpen()).isTrue();
    }

    private int openUpstreamConnections() {
        return context.runtime().pools().stream()
                .mapToInt(UpstreamPool::openConnections)
                .sum();
    }

    private String send(String request) {
        channel.writeInbound(ascii(request));
        channel.runPendingTasks();
        return readAll();
    }

    private String readAll() {
        return EmbeddedOutbound.drain(channel);
    }

    private static ByteBuf ascii(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII);
    }
}
