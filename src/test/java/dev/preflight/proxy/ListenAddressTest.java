package dev.preflight.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.preflight.admin.AdminContext;
import dev.preflight.admin.AdminServer;
import dev.preflight.admin.Health;
import dev.preflight.config.AdminSettings;
import dev.preflight.testing.ProxyHarness;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * O1: the proxy and the admin port listen on the address family of their {@code host}: {@code
 * 0.0.0.0} on IPv4 only (Netty's IPv6 socket bound to it listened on every IPv6 address too, found by
 * probing), {@code ::} on both; an unknown host name is one line, not a stack trace.
 */
class ListenAddressTest {

    @ParameterizedTest(name = "listen.host = {0}: IPv4 {1}, IPv6 {2}")
    @CsvSource(textBlock = """
            0.0.0.0,   true,  false
            127.0.0.1, true,  false
            ::,        true,  true
            ::1,       false, true
            """)
    void theProxyListensOnItsHostsFamily(String host, boolean ipv4, boolean ipv6) throws Exception {
        ProxyServer proxy =
                ProxyServer.start(ProxyHarness.settings("http://127.0.0.1:9", "listen.host = \"" + host + "\""));
        try {
            int port = proxy.address().getPort();
            assertThat(accepts("127.0.0.1", port)).as("127.0.0.1").isEqualTo(ipv4);
            assertThat(accepts("::1", port)).as("[::1]").isEqualTo(ipv6);
        } finally {
            proxy.close();
        }
    }

    @Test
    @DisplayName("O1: admin.host = 0.0.0.0 listens on IPv4 only")
    void theAdminPortListensOnItsHostsFamily() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        AdminContext context = new AdminContext(registry, new Health(), () -> null);
        try (AdminServer admin = AdminServer.start(new AdminSettings(true, "0.0.0.0", 0), context)) {
            int port = admin.address().getPort();
            assertThat(accepts("127.0.0.1", port)).as("127.0.0.1").isTrue();
            assertThat(accepts("::1", port)).as("[::1]").isFalse();
        }
    }

    @Test
    @DisplayName("O1: a listen.host that names no host is 'cannot listen on', one line")
    void anUnknownHostIsOneLine() {
        assertThatThrownBy(() -> ProxyServer.start(
                        ProxyHarness.settings("http://127.0.0.1:9", "listen.host = \"no-such-host.invalid\"")))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessage("cannot listen on no-such-host.invalid:0: no such host")
                .hasCauseInstanceOf(UnknownHostException.class);
    }

    private static boolean accepts(String address, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getByName(address), port), 5000);
            return true;
        } catch (IOException refused) {
            return false;
        }
    }
}
