package dev.preflight.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.testing.Await;
import dev.preflight.testing.RawClient;
import dev.preflight.testing.RawResponse;
import dev.preflight.testing.TlsBackend;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * O4 and P4 with the built jar: an {@code https} upstream's {@code ca-file}, kept beside the config
 * as the README advises or in a directory of its own under any name, is replaced (a certificate
 * authority rotated): the running proxy reloads and trusts the new authorities within 2 s, without a
 * restart and without the config file changing.
 */
@Timeout(120)
class OpsCaFileReloadIT {
    private static final Duration WITHIN = Duration.ofSeconds(2);

    @TempDir
    Path dir;

    @ParameterizedTest(name = "O4, P4: the ca-file replaced {0}: the new authorities trusted within 2 s")
    @ValueSource(strings = {"conf/ca.pem", "certs/authorities"})
    void caFileRotated(String where) throws Exception {
        try (TlsBackend backend = TlsBackend.start("/tls/ca-signed-backend.p12")) {
            // At first the file trusts only another, self-signed certificate: the backend is refused.
            Path conf = Files.createDirectories(dir.resolve("conf"));
            Path caFile = dir.resolve(where);
            Files.createDirectories(caFile.getParent());
            Files.writeString(caFile, TlsBackend.certificatePem("/tls/untrusted-backend.p12"));
            Path config = Files.writeString(conf.resolve("application.conf"), """
                    preflight {
                      listen { host = "127.0.0.1", port = 0 }
                      admin { host = "127.0.0.1", port = 0 }
                      upstream { url = "https://localhost:%d", ca-file = "%s" }
                    }
                    """.formatted(backend.port(), caFile));
            try (OpsProcess preflight = OpsProcess.start(dir, config, Map.of())) {
                int port = preflight.proxyPort();
                assertThat(status(port)).as("output:\n%s", preflight.output()).isEqualTo(502);
                assertThat(backend.requests()).isEmpty();

                // The test CA, written beside it and renamed over it, as deploy tools replace files.
                Path next = Files.copy(
                        Path.of(OpsCaFileReloadIT.class
                                .getResource("/tls/test-ca.pem")
                                .toURI()),
                        caFile.resolveSibling(".ca.tmp"));
                Files.move(next, caFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);

                Await.until("the backend signed by the new authority is reached", WITHIN, () -> status(port) == 200);
                assertThat(backend.requests()).isNotEmpty();
                preflight.awaitStdout(
                        "the reload applied",
                        line -> line.contains("reload (file change)") && line.contains("applied"));
            }
        }
    }

    /** The status of a GET on a connection of its own. */
    private static int status(int port) {
        try (RawClient client = RawClient.connect(new InetSocketAddress("127.0.0.1", port))) {
            RawResponse response = client.exchange(OpsWire.get(port, "/probe", null));
            return response.status();
        } catch (IOException e) {
            throw new AssertionError("the proxy must answer while reloading", e);
        }
    }
}
