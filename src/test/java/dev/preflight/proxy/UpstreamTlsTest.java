package dev.preflight.proxy;

import static dev.preflight.testing.ProblemAssertions.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.preflight.testing.LocalServer;
import dev.preflight.testing.ProxyHarness;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * P4/P6: an {@code https} upstream is reached over TLS and its certificate is checked against the
 * JVM's trusted authorities: a backend whose certificate no trusted authority signed is never sent
 * the request, and the client gets 502 saying the TLS handshake failed, with the reason in the log.
 */
@Timeout(60)
class UpstreamTlsTest {
    private static final char[] PASSWORD = "changeit".toCharArray();

    @Test
    @DisplayName(
            "P6: an https upstream with a certificate nobody trusts: 502 'the TLS handshake with the upstream failed'")
    void untrustedCertificate() throws Exception {
        AtomicInteger handshakesStarted = new AtomicInteger();
        SslContext server = SslContextBuilder.forServer(keyManagers()).build();
        Logger upstreamLog = (Logger) LoggerFactory.getLogger("preflight.upstream");
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        upstreamLog.addAppender(lines);
        try (LocalServer backend = LocalServer.start(1, ch -> {
                    handshakesStarted.incrementAndGet();
                    ch.pipeline().addLast(server.newHandler(ch.alloc()));
                });
                ProxyHarness proxy = ProxyHarness.withoutBackend("https://127.0.0.1:" + backend.port())) {
            HttpResponse<String> response = proxy.get("/over-tls");

            assertProblem(response, 502);
            assertThat(response.body()).contains("\"detail\":\"the TLS handshake with the upstream failed\"");
            assertThat(handshakesStarted.get())
                    .as("the proxy did connect to the backend")
                    .isPositive();
            assertThat(List.copyOf(lines.list))
                    .as("the log names the upstream and why its certificate was refused")
                    .anySatisfy(line -> assertThat(line.getFormattedMessage())
                            .startsWith("cannot connect to the upstream https://127.0.0.1:" + backend.port() + ": ")
                            .containsIgnoringCase("certification path"));
        } finally {
            upstreamLog.detachAppender(lines);
        }
    }

    private static KeyManagerFactory keyManagers() throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = UpstreamTlsTest.class.getResourceAsStream("/tls/untrusted-backend.p12")) {
            keys.load(in, PASSWORD);
        }
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(keys, PASSWORD);
        return factory;
    }
}
