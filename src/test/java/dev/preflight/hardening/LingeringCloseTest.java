package dev.preflight.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.testing.ProxyHarness;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * P6, C14: an answer that closes the connection before its request's body was read (here a 502, the
 * upstream refusing the connection) is followed by a FIN, and what the client still sends is read and
 * dropped until it is done: closed at once with bytes unread, the socket was reset, and a client still
 * writing its upload failed with "Connection reset by peer" without the answer it had been sent (found
 * by probing, as nginx's lingering_close avoids).
 */
@Timeout(60)
class LingeringCloseTest {
    private static final int BODY = 8 << 20;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"Content-Length: " + BODY, "Transfer-Encoding: chunked"})
    @DisplayName("P6: a client still sending its upload after an early 502 finishes sending and reads the 502")
    void anUploadAnsweredEarlyIsNotReset(String framing) throws Exception {
        int closed;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = free.getLocalPort();
        }
        boolean chunked = framing.startsWith("Transfer-Encoding");
        try (ProxyHarness proxy = ProxyHarness.withoutBackend("http://127.0.0.1:" + closed);
                Socket socket =
                        new Socket(proxy.address().getAddress(), proxy.address().getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /upload HTTP/1.1\r\nHost: api.test\r\n" + framing + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            byte[] chunk = new byte[64 * 1024];
            for (int sent = 0; sent < BODY; sent += chunk.length) {
                if (chunked) {
                    out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                }
                out.write(chunk);
                if (chunked) {
                    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                }
            }
            if (chunked) {
                out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            out.flush();
            socket.shutdownOutput();

            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);

            assertThat(answer).startsWith("HTTP/1.1 502 ").containsIgnoringCase("connection: close");
        }
    }
}
