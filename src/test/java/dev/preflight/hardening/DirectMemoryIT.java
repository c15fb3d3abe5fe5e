package dev.preflight.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.testing.Await;
import dev.preflight.testing.Behaviour;
import dev.preflight.testing.PreflightProcess;
import dev.preflight.testing.RawClient;
import dev.preflight.testing.TestBackend;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * P2 against the built jar, its direct memory made small (8 MiB) so that a test can fill it: unfinished
 * request lines, which Netty's decoder keeps in direct memory until their end comes, get a quarter of
 * it; beyond that they are refused with 503 and the process stays up, where 800 connections each
 * sending 16 KB of one header field ran it out and stopped the process (found by probing, at 64 MiB
 * with about 5,000 connections).
 */
@Timeout(180)
class DirectMemoryIT {
    private static final int CONNECTIONS = 800;
    private static final byte[] UNFINISHED = ("GET /held HTTP/1.1\r\nHost: api.test\r\nX-Long: " + "a".repeat(16_000))
            .getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;

    @Test
    @DisplayName(
            "P2: 800 connections each holding 16 KB of one header field get 503 beyond the budget, and the process stays up")
    void unfinishedFieldsDoNotStopTheProcess() throws Exception {
        try (TestBackend backend = TestBackend.start().on("/", Behaviour.echo())) {
            int port = PreflightProcess.freePort();
            Path config = dir.resolve("application.conf");
            Files.writeString(config, """
                    preflight {
                      listen { host = "127.0.0.1", port = %d }
                      admin.enabled = false
                      upstream.url = "%s"
                      limits.header-timeout = 60s
                      reload.watch = false
                    }
                    """.formatted(port, backend.url()));
            List<String> jvm =
                    List.of("-XX:+UseSerialGC", "-Xmx64m", "-XX:MaxDirectMemorySize=8m", "-XX:+ExitOnOutOfMemoryError");
            try (PreflightProcess proxy = PreflightProcess.start(dir, jvm, "run", "--config", config.toString())) {
                proxy.awaitListening(port);
                InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
                List<Socket> sockets = new ArrayList<>();
                try {
                    for (int i = 0; i < CONNECTIONS && proxy.isAlive(); i++) {
                        Socket socket = new Socket();
                        sockets.add(socket);
                        socket.connect(address, 10_000);
                        socket.getOutputStream().write(UNFINISHED);
                    }
                    int[] refused = new int[1];
                    boolean[] settled = new boolean[sockets.size()];
                    Await.until("those beyond the budget are refused", () -> {
                        refused[0] += refusedNow(sockets, settled);
                        return refused[0] > CONNECTIONS / 2 || !proxy.isAlive();
                    });
                    assertThat(proxy.isAlive()).as(proxy.output()).isTrue();
                    try (RawClient client = RawClient.connect(address)) {
                        assertThat(client.exchange("GET /after HTTP/1.1\r\nHost: api.test\r\n\r\n")
                                        .status())
                                .as("an ordinary request, beside them")
                                .isEqualTo(200);
                    }
                    refused[0] += refusedNow(sockets, settled);
                    assertThat(refused[0]).as("some held, within the budget").isLessThan(CONNECTIONS);
                    assertThat(proxy.isAlive()).as(proxy.output()).isTrue();
                } finally {
                    for (Socket socket : sockets) {
                        socket.close();
                    }
                }
            }
        }
    }

    /**
     * How many connections not yet {@code settled} were refused since the last look: answered 503, or
     * closed by the proxy (a close with unread bytes may reset the connection before its 503 is
     * read). A held one has nothing to read.
     */
    private static int refusedNow(List<Socket> sockets, boolean[] settled) {
        int refused = 0;
        byte[] status = new byte[12];
        for (int i = 0; i < sockets.size(); i++) {
            if (settled[i]) {
                continue;
            }
            Socket socket = sockets.get(i);
            try {
                socket.setSoTimeout(1);
                InputStream in = socket.getInputStream();
                int n = in.readNBytes(status, 0, status.length);
                assertThat(new String(status, 0, n, StandardCharsets.US_ASCII))
                        .as("connection %d", i)
                        .isIn("HTTP/1.1 503", "");
                settled[i] = true;
                refused++;
            } catch (SocketTimeoutException held) {
                // nothing yet: held, its head unfinished, or not read by the proxy yet
            } catch (SocketException reset) {
                settled[i] = true;
                refused++;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return refused;
    }
}
