package dev.preflight.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.testing.Await;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * P2: a client that stops reading a large response. Backpressure must reach the backend: once the
 * socket buffers on the way are full the proxy stops reading from the backend, whose writes then
 * block, so the proxy holds a bounded amount whatever the size of the body. The backend counts what
 * its blocking writes have handed to the kernel; the proxy's allocator (Netty's default, shared with
 * nothing else in this test that allocates) says what the proxy holds.
 */
@Timeout(120)
class SlowClientStalledReaderTest {

    private static final long BODY = 200L * 1024 * 1024;
    /** Kernel buffers on four socket ends plus a chunk or two in the proxy: a few MiB, far below the body. */
    private static final long MAX_SENT_WHILE_STALLED = 32L * 1024 * 1024;

    private static final long MAX_PROXY_MEMORY_GROWTH = 8L * 1024 * 1024;

    @Test
    @DisplayName(
            "P2: a client that stops reading a 200 MiB response: the backend's writes stop, proxy memory stays bounded, and reading resumes to the end")
    void stalledReaderThenResumes() throws Exception {
        try (BackendFaultServer backend = BackendFaultServer.start().on("/fault/big", BackendFaultServer.stream(BODY));
                BackendFaultProxy proxy = BackendFaultProxy.start(backend.url(), "response-timeout = 5s");
                Socket client = smallBufferClient(proxy.address())) {
            ByteBufAllocatorMetric allocator = proxyAllocator();
            long directBefore = allocator.usedDirectMemory();
            long heapBefore = allocator.usedHeapMemory();
            client.getOutputStream()
                    .write("GET /fault/big HTTP/1.1\r\nHost: api.test\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = client.getInputStream();
            String head = readHead(in);
            assertThat(head).startsWith("HTTP/1.1 200").containsIgnoringCase("content-length: " + BODY);

            long stalled = awaitBackendStalls(backend);

            assertThat(stalled)
                    .as("body bytes the backend could write while the client read nothing")
                    .isLessThan(MAX_SENT_WHILE_STALLED);
            long directGrowth = allocator.usedDirectMemory() - directBefore;
            long heapGrowth = allocator.usedHeapMemory() - heapBefore;
            System.out.printf(
                    Locale.ROOT,
                    "stalled reader: backend wrote %s of %s; proxy allocator grew by %s direct, %s heap%n",
                    mib(stalled),
                    mib(BODY),
                    mib(directGrowth),
                    mib(heapGrowth));
            assertThat(directGrowth + heapGrowth)
                    .as("proxy allocator growth while stalled (direct %s, heap %s)", mib(directGrowth), mib(heapGrowth))
                    .isLessThan(MAX_PROXY_MEMORY_GROWTH);

            long received = drain(in, BODY);

            assertThat(received)
                    .as("the whole body, once the client reads again")
                    .isEqualTo(BODY);
            proxy.awaitUpstreamQuiet();
            proxy.assertServesOthers();
        }
    }

    @Test
    @DisplayName(
            "P2: a reader that stalls for longer than limits.idle-timeout is disconnected and its backend connection closed")
    void stalledReaderIsCut() throws Exception {
        try (BackendFaultServer backend = BackendFaultServer.start().on("/fault/big", BackendFaultServer.stream(BODY));
                BackendFaultProxy proxy =
                        BackendFaultProxy.start(backend.url(), "response-timeout = 20s", "limits.idle-timeout = 1s");
                Socket client = smallBufferClient(proxy.address())) {
            client.getOutputStream()
                    .write("GET /fault/big HTTP/1.1\r\nHost: api.test\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            readHead(client.getInputStream());

            backend.awaitEnded(1);
            assertThat(backend.bodyBytesSent()).isLessThan(MAX_SENT_WHILE_STALLED);
            proxy.awaitUpstreamQuiet();
            Await.until("the stalled client connection is closed", () -> proxy.clientConnections() == 0);
            proxy.assertServesOthers();
        }
    }

    /** Waits until the backend has written nothing for a second, and returns what it had written. */
    private static long awaitBackendStalls(BackendFaultServer backend) {
        long[] last = {-1};
        long[] changedAt = {System.nanoTime()};
        Await.until("the backend's writes stop", Duration.ofSeconds(60), () -> {
            long now = backend.bodyBytesSent();
            if (now != last[0]) {
                last[0] = now;
                changedAt[0] = System.nanoTime();
                return false;
            }
            return now > 0
                    && System.nanoTime() - changedAt[0] > Duration.ofSeconds(1).toNanos();
        });
        return last[0];
    }

    /** A client socket with a small receive buffer, so that it fills fast once the client stops reading. */
    private static Socket smallBufferClient(InetSocketAddress proxy) throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(64 * 1024);
        socket.setSoTimeout(20_000);
        socket.connect(proxy, 10_000);
        return socket;
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed inside the head: " + head.toString(StandardCharsets.ISO_8859_1));
            }
            head.write(b);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    private static long drain(InputStream in, long expected) throws IOException {
        byte[] buffer = new byte[256 * 1024];
        long total = 0;
        while (total < expected) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, expected - total));
            if (n < 0) {
                break;
            }
            total += n;
        }
        return total;
    }

    private static ByteBufAllocatorMetric proxyAllocator() {
        // The proxy's channels allocate from the default allocator (adaptive in Netty 4.2).
        return ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT).metric();
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }
}
