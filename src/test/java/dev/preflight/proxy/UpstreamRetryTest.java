package dev.preflight.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.testing.Await;
import dev.preflight.testing.ProxyHarness;
import dev.preflight.testing.RawClient;
import dev.preflight.testing.RawResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A pooled upstream connection that turns out dead before any response byte is retried once, and
 * only when replaying is harmless (idempotent) and possible (no body). The backend answers the first
 * request on its first connection with keep-alive, then closes that connection on the next request
 * without answering (the race every keep-alive pool meets); later connections answer normally.
 */
@Timeout(60)
class UpstreamRetryTest {
    private FlakyBackend backend;
    private ProxyHarness proxy;

    @BeforeEach
    void start() throws Exception {
        backend = new FlakyBackend();
        proxy = ProxyHarness.withoutBackend("http://127.0.0.1:" + backend.port());
    }

    @AfterEach
    void stop() throws IOException {
        proxy.close();
        backend.close();
    }

    @Test
    @DisplayName("P6: an idempotent bodyless request on a dead pooled connection is retried on a fresh one")
    void idempotentRequestIsRetried() throws Exception {
        assertThat(proxy.get("/first").body()).isEqualTo("conn-1");

        HttpResponse<String> second = proxy.get("/second");

        assertThat(second.statusCode()).isEqualTo(200);
        assertThat(second.body()).isEqualTo("conn-2");
        assertThat(backend.requests()).containsExactly("1 GET /first", "1 GET /second", "2 GET /second");
    }

    @Test
    @DisplayName("P6: a POST on a dead pooled connection is not retried: 502")
    void postIsNotRetried() throws Exception {
        assertThat(proxy.get("/first").body()).isEqualTo("conn-1");

        HttpResponse<String> post = proxy.http()
                .send(
                        proxy.request("/order")
                                .POST(HttpRequest.BodyPublishers.noBody())
                                .build(),
                        HttpResponse.BodyHandlers.ofString());

        assertThat(post.statusCode()).isEqualTo(502);
        assertThat(backend.requests()).containsExactly("1 GET /first", "1 POST /order");
    }

    @Test
    @DisplayName("P6: a PUT with a body is not replayed, since the streamed body is gone: 502")
    void bodyIsNotReplayed() throws Exception {
        assertThat(proxy.get("/first").body()).isEqualTo("conn-1");

        HttpResponse<String> put = proxy.http()
                .send(
                        proxy.request("/doc")
                                .PUT(HttpRequest.BodyPublishers.ofString("hello"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());

        assertThat(put.statusCode()).isEqualTo(502);
        assertThat(backend.requests()).containsExactly("1 GET /first", "1 PUT /doc");
    }

    @Test
    @DisplayName("P6: the retry goes on a new connection, not on the next pooled one, which may be as dead: three"
            + " pooled connections that all die on their next request, and a GET is answered (it got 502)")
    void retryOpensANewConnection() throws Exception {
        backend.allDie = true;
        List<RawClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                clients.add(proxy.raw().send("GET /fill/" + i + " HTTP/1.1\r\nHost: api\r\n\r\n"));
            }
            for (RawClient client : clients) {
                assertThat(client.readResponse().status()).isEqualTo(200);
            }
            long answered = System.nanoTime();
            // Lent to another client only once settled for 100 ms (LoopPool): wait that out.
            Await.until("the pooled connections have settled", () -> System.nanoTime() - answered > 300_000_000L);

            RawResponse probe = clients.get(0).exchange("GET /probe HTTP/1.1\r\nHost: api\r\n\r\n");

            assertThat(probe.status()).isEqualTo(200);
            assertThat(probe.bodyText()).isEqualTo("conn-4");
            assertThat(backend.requests())
                    .filteredOn(line -> line.endsWith("/probe"))
                    .hasSize(2);
        } finally {
            for (RawClient client : clients) {
                client.close();
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}: the backend answered something, so it has the request: 502, not sent again")
    @CsvSource({"DELETE, /interim", "GET, /partial"})
    @DisplayName("P6: a request is not replayed once the backend sent anything for it (a 1xx, a head cut short)")
    void notReplayedOnceHeardFrom(String method, String path) throws Exception {
        assertThat(proxy.get("/first").body()).isEqualTo("conn-1");

        HttpResponse<String> answer = proxy.http()
                .send(
                        proxy.request(path)
                                .method(method, HttpRequest.BodyPublishers.noBody())
                                .build(),
                        HttpResponse.BodyHandlers.ofString());

        assertThat(answer.statusCode()).isEqualTo(502);
        assertThat(backend.requests()).containsExactly("1 GET /first", "1 " + method + " " + path);
    }

    /**
     * A plain-socket backend: connection 1 serves one request, then dies on the next (after a 1xx for
     * {@code /interim}, after half a status line for {@code /partial}).
     */
    private static final class FlakyBackend implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final List<String> requests = new CopyOnWriteArrayList<>();
        private final AtomicInteger connections = new AtomicInteger();
        private final Thread acceptor = Thread.ofPlatform().daemon().start(this::accept);
        // Every connection dies on its second request, and /fill waits until three have come (so that
        // three connections are pooled), rather than connection 1 alone dying.
        volatile boolean allDie;
        private final CountDownLatch fills = new CountDownLatch(3);

        FlakyBackend() throws IOException {}

        int port() {
            return server.getLocalPort();
        }

        List<String> requests() {
            return requests;
        }

        private void accept() {
            while (!server.isClosed()) {
                try {
                    Socket socket = server.accept();
                    int id = connections.incrementAndGet();
                    Thread.ofPlatform().daemon().start(() -> serve(socket, id));
                } catch (IOException closed) {
                    return;
                }
            }
        }

        private void serve(Socket socket, int id) {
            try (socket;
                    InputStream in = socket.getInputStream();
                    OutputStream out = socket.getOutputStream()) {
                for (int served = 0; ; served++) {
                    String head = readHead(in);
                    if (head == null) {
                        return;
                    }
                    String[] line = head.substring(0, head.indexOf("\r\n")).split(" ");
                    requests.add(id + " " + line[0] + " " + line[1]);
                    if (line[1].startsWith("/fill")) {
                        fills.countDown();
                        awaitFills();
                    }
                    if ((id == 1 || allDie) && served == 1) {
                        // Dies without a response byte, or after a 1xx or the start of a status line.
                        if (line[1].startsWith("/interim")) {
                            out.write("HTTP/1.1 102 Processing\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                        } else if (line[1].startsWith("/partial")) {
                            out.write("HTTP/1.1 20".getBytes(StandardCharsets.US_ASCII));
                        }
                        out.flush();
                        return;
                    }
                    skipBody(in, head);
                    byte[] body = ("conn-" + id).getBytes(StandardCharsets.US_ASCII);
                    out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    out.write(body);
                    out.flush();
                }
            } catch (IOException ignored) {
                // the proxy went away
            }
        }

        private void awaitFills() throws IOException {
            try {
                if (!fills.await(20, TimeUnit.SECONDS)) {
                    throw new IOException("three /fill requests never came at once");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }

        private static String readHead(InputStream in) throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) != -1) {
                head.write(b);
                String text = head.toString(StandardCharsets.US_ASCII);
                if (text.endsWith("\r\n\r\n")) {
                    return text;
                }
            }
            return null;
        }

        private static void skipBody(InputStream in, String head) throws IOException {
            for (String header : head.split("\r\n")) {
                if (header.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                    in.readNBytes(Integer.parseInt(header.substring(15).trim()));
                }
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            acceptor.interrupt();
        }
    }
}
