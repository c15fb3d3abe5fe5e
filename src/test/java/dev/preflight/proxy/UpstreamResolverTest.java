package dev.preflight.proxy;

import static dev.preflight.testing.ProblemAssertions.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.testing.ProxyHarness;
import dev.preflight.testing.TestBackend;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** P4/P6: the upstream named by a host name, resolved asynchronously (hosts file, then DNS). */
@Timeout(60)
class UpstreamResolverTest {

    @Test
    @DisplayName("P4: an upstream given by host name (localhost, from /etc/hosts) is resolved and reached")
    void hostName() throws Exception {
        try (TestBackend backend = TestBackend.start();
                ProxyHarness proxy = ProxyHarness.withoutBackend(backend.url().replace("127.0.0.1", "localhost"))) {
            HttpResponse<String> response = proxy.get("/named");
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(backend.awaitRequest("/named").header("Host")).isEqualTo(proxy.authority());
        }
    }

    @Test
    @DisplayName("P6: an upstream host name that does not resolve gets 502, and the proxy keeps serving")
    void unresolvable() throws Exception {
        try (ProxyHarness proxy = ProxyHarness.withoutBackend("http://upstream.does-not-exist.invalid:3000")) {
            HttpResponse<String> first = proxy.get("/nowhere");
            assertProblem(first, 502);
            assertThat(first.body()).contains("\"detail\":\"the upstream's host name does not resolve\"");
            assertProblem(proxy.get("/nowhere/again"), 502);
        }
    }
}
