package dev.preflight.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.util.stream.Stream;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * P6: a failed connect is told apart by its cause, one row per kind: timeouts are 504, everything
 * else 502 with a detail naming the step that failed (resolve, TCP, TLS), all under the metric kind
 * {@code connect} or {@code timeout}.
 */
class UpstreamFailureTest {

    static Stream<Arguments> causes() {
        return Stream.of(
                Arguments.of("TCP connect timed out", new ConnectTimeoutException("after 5000 ms"), "CONNECT_TIMEOUT"),
                Arguments.of(
                        "TLS handshake timed out",
                        new SslHandshakeTimeoutException("after 5000 ms"),
                        "CONNECT_TIMEOUT"),
                Arguments.of("nothing listens", new ConnectException("Connection refused"), "CONNECT_REFUSED"),
                Arguments.of(
                        "refusal wrapped by the transport",
                        new IOException("connect failed", new ConnectException("Connection refused")),
                        "CONNECT_REFUSED"),
                Arguments.of("host name unknown", new UnknownHostException("api.invalid"), "UNRESOLVED"),
                Arguments.of(
                        "certificate refused", new SSLHandshakeException("PKIX path building failed"), "TLS_HANDSHAKE"),
                Arguments.of(
                        "TLS failure inside the decoder",
                        new DecoderException(new SSLHandshakeException("bad record")),
                        "TLS_HANDSHAKE"),
                Arguments.of("channel closed while connecting", new ClosedChannelException(), "CONNECT_FAILED"),
                Arguments.of("no cause given", null, "CONNECT_FAILED"),
                Arguments.of("a cause chain that loops", loopingChain(), "CONNECT_FAILED"));
    }

    private static Throwable loopingChain() {
        IOException first = new IOException("first");
        IOException second = new IOException("second", first);
        first.initCause(second);
        return first;
    }

    @ParameterizedTest(name = "{0}: {2}")
    @MethodSource("causes")
    void ofConnect(String rule, Throwable cause, String expected) {
        UpstreamFailure failure = UpstreamFailure.ofConnect(cause);

        assertThat(failure).as(rule).isEqualTo(UpstreamFailure.valueOf(expected));
        boolean timeout = failure == UpstreamFailure.CONNECT_TIMEOUT;
        assertThat(failure.status().code()).as(rule).isEqualTo(timeout ? 504 : 502);
        assertThat(failure.metricTag()).as(rule).isEqualTo(timeout ? "timeout" : "connect");
    }
}
