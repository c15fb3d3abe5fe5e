package dev.preflight.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.config.ConfigLoader;
import dev.preflight.config.Settings;
import dev.preflight.testing.EmbeddedOutbound;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * P2, P6: what the request decoder holds of an unfinished head between reads (a header field whose end
 * has not come) is charged to the heads' share of direct memory, shared by all client connections, and
 * a head that finds no room gets 503 and a closed connection: about 5,000 connections each sending
 * 16 KB of one header field ran the image's direct memory out and stopped the process (found by
 * probing). A head begun behind a pipelined request is charged and timed by header-timeout too.
 */
class DecoderBacklogTest {
    private static final String PREFLIGHT = "OPTIONS /x HTTP/1.1\r\nHost: api\r\nOrigin: https://app.example\r\n"
            + "Access-Control-Request-Method: GET\r\n\r\n";
    private static final String UNFINISHED = "GET /y HTTP/1.1\r\nHost: api\r\nX-Long: " + "a".repeat(3000);

    private final HeadBudget budget = new HeadBudget(3 * HeadBudget.STEP);
    private final List<EmbeddedChannel> channels = new ArrayList<>();
    private ProxyContext context;

    @BeforeEach
    void setUp() throws Exception {
        Settings settings = ConfigLoader.parse("""
                preflight {
                  upstream.url = "http://127.0.0.1:9"
                  cors.allowed-origins = ["https://app.example"]
                  limits.header-timeout = 2s
                }
                """, Map.of());
        context = new ProxyContext(
                settings, Transports.best(), new ProxyMetrics(new SimpleMeterRegistry()), null, budget);
    }

    @AfterEach
    void tearDown() {
        channels.forEach(EmbeddedChannel::finishAndReleaseAll);
        context.close();
    }

    @Test
    @DisplayName("P2: an unfinished head is charged while the decoder holds it, and given back once it ends")
    void chargedWhileHeld() {
        EmbeddedChannel channel = connect();
        assertThat(send(channel, UNFINISHED.replace("GET /y", "OPTIONS /x"))).isEmpty();
        assertThat(budget.held()).as("3,000 bytes and more held").isGreaterThanOrEqualTo(3000);

        String answer = send(channel, "\r\nOrigin: https://app.example\r\nAccess-Control-Request-Method: GET\r\n\r\n");
        assertThat(answer).startsWith("HTTP/1.1 204 ");
        assertThat(budget.held()).as("the head ended: nothing held").isZero();
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    @DisplayName(
            "P2: an unfinished head that finds no room gets 503 and a closed connection; a closed one gives its share back")
    void noRoomGets503() {
        EmbeddedChannel first = connect();
        EmbeddedChannel second = connect();
        send(first, UNFINISHED);
        long held = budget.held();

        String answer = send(second, UNFINISHED);
        assertThat(answer).startsWith("HTTP/1.1 503 ").contains("as many request heads as its memory allows");
        assertThat(second.isOpen()).isFalse();
        assertThat(budget.held()).as("the refused one took nothing for good").isEqualTo(held);
        assertThat(first.isOpen()).isTrue();

        first.close();
        assertThat(budget.held()).isZero();
        assertThat(send(connect(), PREFLIGHT)).as("room again").startsWith("HTTP/1.1 204 ");
    }

    @Test
    @DisplayName("P2, P6: a head begun behind a pipelined request is charged, and gets 408 after header-timeout")
    void pipelinedHeadChargedAndTimed() {
        EmbeddedChannel channel = connect();
        String answer = send(channel, PREFLIGHT + UNFINISHED);
        assertThat(answer).startsWith("HTTP/1.1 204 ");
        assertThat(budget.held()).as("the pipelined head's beginning").isGreaterThanOrEqualTo(3000);

        channel.advanceTimeBy(1999, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertThat(read(channel)).isEmpty();
        channel.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertThat(read(channel)).startsWith("HTTP/1.1 408 ");
        assertThat(channel.isOpen()).isFalse();
        assertThat(budget.held()).isZero();
    }

    @Test
    @DisplayName("P6: a head begun behind a pipelined request with only whole lines in gets 408 after header-timeout")
    void pipelinedHeadOfWholeLinesTimed() {
        EmbeddedChannel channel = connect();
        assertThat(send(channel, PREFLIGHT + "GET /y HTTP/1.1\r\nHost: api\r\n"))
                .startsWith("HTTP/1.1 204 ");
        assertThat(budget.held()).as("the decoder holds no bytes, only fields").isZero();

        channel.advanceTimeBy(2, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertThat(read(channel)).startsWith("HTTP/1.1 408 ");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    @DisplayName("P6: a connection kept alive after a whole request is left to the idle timeout, not answered 408")
    void keptAliveNot408() {
        EmbeddedChannel channel = connect();
        assertThat(send(channel, PREFLIGHT)).startsWith("HTTP/1.1 204 ");
        channel.advanceTimeBy(5, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertThat(read(channel)).isEmpty();
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    @DisplayName("P2: a body's unfinished trailer field that finds no room ends its exchange (503) and the connection")
    void bodyLineWithoutRoom() {
        EmbeddedChannel first = connect();
        send(first, UNFINISHED);
        EmbeddedChannel second = connect();
        String answer = send(
                second,
                "POST /z HTTP/1.1\r\nHost: api\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-Trailer: "
                        + "t".repeat(3000));
        assertThat(answer)
                .startsWith("HTTP/1.1 503 ")
                .contains("as many unfinished request lines as its memory allows");
        assertThat(second.isOpen()).isFalse();
        assertThat(first.isOpen()).isTrue();
        assertThat(budget.held()).as("the first's share alone").isEqualTo(2 * HeadBudget.STEP);
    }

    @Test
    @DisplayName(
            "P2: a head pipelined behind a request in flight that finds no room ends the connection after that request's answer")
    void pipelinedHeadWithoutRoom() {
        EmbeddedChannel first = connect();
        send(first, UNFINISHED);
        EmbeddedChannel second = connect();
        String answer = send(second, "GET /z HTTP/1.1\r\nHost: api\r\n\r\n" + UNFINISHED);
        for (int i = 0; i < 50 && second.isOpen(); i++) {
            second.runPendingTasks();
            answer += read(second);
        }
        // The request in flight gets its own answer (a 502 here: no upstream from an embedded channel).
        assertThat(answer).startsWith("HTTP/1.1 502 ").doesNotContain("HTTP/1.1 503", "HTTP/1.1 408");
        assertThat(second.isOpen()).as("closed after that answer").isFalse();
        assertThat(budget.held()).as("the first's share alone").isEqualTo(2 * HeadBudget.STEP);
    }

    @Test
    @DisplayName("P2: a request that arrives whole is never charged")
    void wholeHeadsNotCharged() {
        EmbeddedChannel channel = connect();
        assertThat(send(channel, PREFLIGHT)).startsWith("HTTP/1.1 204 ");
        assertThat(budget.held()).isZero();
    }

    private EmbeddedChannel connect() {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.config().setAutoRead(false);
        channel.freezeTime();
        new ClientChannelInitializer(context, new ConnectionLimitHandler(10)).initChannel(channel);
        channel.pipeline().fireChannelActive();
        channels.add(channel);
        return channel;
    }

    private static String send(EmbeddedChannel channel, String bytes) {
        // Wrapped, so the buffer's capacity is its length: what the decoder holds is exactly known.
        channel.writeInbound(Unpooled.wrappedBuffer(bytes.getBytes(StandardCharsets.US_ASCII)));
        channel.runPendingTasks();
        return read(channel);
    }

    private static String read(EmbeddedChannel channel) {
        return EmbeddedOutbound.drain(channel);
    }
}
