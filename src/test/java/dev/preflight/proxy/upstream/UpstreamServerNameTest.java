package dev.preflight.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * P4: the upstream's host name goes out as SNI whenever SNI can carry it, dotted or not, an absolute
 * one (a trailing dot, as Kubernetes names are written to skip the search domains) without its dot.
 */
class UpstreamServerNameTest {

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "api.example.com | api.example.com",
                "api             | api",
                "localhost       | localhost",
                "api.example.com. | api.example.com",
                "localhost.      | localhost",
                "127.0.0.1       | ''",
                "[::1]           | ''",
                "my_api          | ''",
            })
    void serverName(String host, String sent) throws Exception {
        SSLEngine engine = SSLContext.getDefault().createSSLEngine(host, 443);
        engine.setUseClientMode(true);

        UpstreamChannelInitializer.serverName(engine, host);

        List<SNIServerName> names = engine.getSSLParameters().getServerNames();
        if (sent.isEmpty()) {
            assertThat(names).as("left to the JDK, which sends none").isNullOrEmpty();
        } else {
            assertThat(names).containsExactly(new SNIHostName(sent));
        }
    }
}
