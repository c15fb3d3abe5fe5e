package dev.preflight.hardening;

import dev.preflight.testing.Await;
import dev.preflight.testing.PatternBytes;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A backend on plain blocking sockets, for what a well-behaved HTTP server cannot be made to do:
 * garbage status lines, conflicting framing, a head and then silence, a FIN or RST at any byte, a
 * close while the connection sits idle in the proxy's pool. One thread per connection; each request
 * head is read, recorded, and answered by the {@link Reply} of the longest matching path prefix (the
 * default answers {@code 200 ok} with keep-alive). It also records how each connection ended, so a
 * test can tell that the proxy closed (and did not reuse) a backend connection.
 */
final class BackendFaultServer implements AutoCloseable {

    /** What a reply wants done with the connection after it returns. */
    enum Then {
        /** Read the next request on this connection. */
        NEXT,
        /** Close the connection (FIN) at once. */
        CLOSE,
        /** Stop reading requests; wait for the proxy to close the connection and record when it does. */
        AWAIT_CLOSE
    }

    /** Answers one request; runs on the connection's own thread and may block. */
    @FunctionalInterface
    interface Reply {
        Then serve(Connection connection, Request request) throws IOException;
    }

    /** A request head as received, and the id of the connection it came on (1 for the first). */
    record Request(int connectionId, String method, String target, Map<String, String> headers) {
        long contentLength() {
            String value = headers.get("content-length");
            return value == null ? 0 : Long.parseLong(value.trim());
        }
    }

    private final ServerSocket server;
    private final Map<String, Reply> replies = new ConcurrentHashMap<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Set<Integer> closedByPeer = ConcurrentHashMap.newKeySet();
    private final Set<Integer> ended = ConcurrentHashMap.newKeySet();
    private final List<Connection> connections = new CopyOnWriteArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicLong bodyBytesSent = new AtomicLong();
    private final Thread acceptor;

    private BackendFaultServer() throws IOException {
        server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        acceptor = Thread.ofPlatform().daemon().name("fault-backend-accept").start(this::acceptLoop);
    }

    static BackendFaultServer start() throws IOException {
        return new BackendFaultServer();
    }

    /** Answers requests whose target starts with {@code pathPrefix} (the longest prefix wins). */
    BackendFaultServer on(String pathPrefix, Reply reply) {
        replies.put(pathPrefix, reply);
        return this;
    }

    String url() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    List<Request> requests() {
        return List.copyOf(requests);
    }

    List<Request> requestsTo(String target) {
        return requests.stream().filter(r -> r.target().equals(target)).toList();
    }

    Request awaitRequest(String target) {
        return Await.value(
                "the fault backend received " + target,
                () -> requestsTo(target).stream().findFirst().orElse(null));
    }

    /** Waits until backend connection {@code connectionId} is gone, whichever side closed it. */
    void awaitEnded(int connectionId) {
        Await.until("backend connection " + connectionId + " ended", () -> ended.contains(connectionId));
    }

    void awaitClosedByProxy(int connectionId) {
        Await.until("the proxy closed backend connection " + connectionId, () -> closedByPeer.contains(connectionId));
    }

    /** Body bytes that {@link #stream} replies have handed to the kernel so far. */
    long bodyBytesSent() {
        return bodyBytesSent.get();
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Connection c : connections) {
            c.socket.close();
        }
        acceptor.interrupt();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                Connection connection = new Connection(accepted.incrementAndGet(), socket);
                connections.add(connection);
                Thread.ofPlatform()
                        .daemon()
                        .name("fault-backend-" + connection.id)
                        .start(connection::serve);
            } catch (IOException closed) {
                return;
            }
        }
    }

    private Reply replyFor(String target) {
        return replies.entrySet().stream()
                .filter(e -> target.startsWith(e.getKey()))
                .max(Map.Entry.comparingByKey((a, b) -> Integer.compare(a.length(), b.length())))
                .map(Map.Entry::getValue)
                .orElse(ok());
    }

    // ---- replies

    /** 200 with body {@code ok} and {@code X-Connection: <id>}, keep-alive. */
    static Reply ok() {
        return (c, r) -> {
            c.skipBody(r);
            return okAfterBody(c, r);
        };
    }

    private static Then okAfterBody(Connection c, Request r) throws IOException {
        c.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Connection: " + r.connectionId() + "\r\n\r\nok");
        return Then.NEXT;
    }

    /** Sends {@code raw} exactly as given, then does {@code then}. */
    static Reply raw(String raw, Then then) {
        return (c, r) -> {
            c.skipBody(r);
            c.write(raw);
            return then;
        };
    }

    /** Sends {@code raw} exactly as given, then resets the connection (RST). */
    static Reply rawThenReset(String raw) {
        return (c, r) -> {
            c.skipBody(r);
            c.write(raw);
            c.reset();
            return Then.CLOSE;
        };
    }

    /** Reads the request (body and all) and never answers; records when the proxy gives up and closes. */
    static Reply neverAnswer() {
        return (c, r) -> Then.AWAIT_CLOSE;
    }

    /** Holds the request until {@code go} is counted down, then answers {@code ok}: a connection kept busy. */
    static Reply okWhen(CountDownLatch go) {
        return (c, r) -> {
            try {
                go.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return ok().serve(c, r);
        };
    }

    /** Answers {@code ok} (keep-alive, nothing said about closing), then closes at once with a FIN. */
    static Reply okThenClose() {
        return (c, r) -> {
            ok().serve(c, r);
            return Then.CLOSE;
        };
    }

    /**
     * Answers {@code ok} (keep-alive), then waits for {@code go} and closes the connection, with a FIN or
     * a reset: a backend dropping a connection that sits idle in the proxy's pool, at the moment the
     * test chooses.
     */
    static Reply okThenCloseWhen(CountDownLatch go, boolean reset) {
        return (c, r) -> {
            ok().serve(c, r);
            try {
                go.await(1, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (reset) {
                c.reset();
            }
            return Then.CLOSE;
        };
    }

    /** Reads the whole body (it must have a Content-Length), then answers {@code ok}. */
    static Reply readBodyThenOk() {
        return (c, r) -> {
            if (!c.skipBody(r)) {
                return Then.CLOSE; // the proxy closed mid-body; recorded as closed by peer
            }
            return okAfterBody(c, r); // not ok(), which would wait for a second body
        };
    }

    /**
     * 200 with {@code length} bytes of {@link PatternBytes} and a Content-Length, written with blocking
     * writes of 16 KiB so that {@link #bodyBytesSent} tracks what the proxy took.
     */
    static Reply stream(long length) {
        return (c, r) -> {
            c.skipBody(r);
            c.write("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: " + length
                    + "\r\nX-Connection: " + r.connectionId() + "\r\n\r\n");
            for (long position = 0; position < length; ) {
                int n = (int) Math.min(16 * 1024, length - position);
                c.out.write(PatternBytes.block(), PatternBytes.sliceStart(position), n);
                position += n;
                c.server().bodyBytesSent.addAndGet(n);
            }
            c.out.flush();
            return Then.NEXT;
        };
    }

    /** One accepted connection and its thread. */
    final class Connection {
        private final int id;
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        private Connection(int id, Socket socket) throws IOException {
            this.id = id;
            this.socket = socket;
            this.in = new BufferedInputStream(socket.getInputStream());
            this.out = socket.getOutputStream();
        }

        private BackendFaultServer server() {
            return BackendFaultServer.this;
        }

        void write(String text) throws IOException {
            out.write(text.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        /** Closes with a TCP reset (SO_LINGER 0) instead of a FIN. */
        void reset() throws IOException {
            socket.setSoLinger(true, 0);
            socket.close();
        }

        /**
         * Reads and drops a Content-Length body.
         *
         * @return false when the connection ended first
         */
        boolean skipBody(Request request) throws IOException {
            long left = request.contentLength();
            byte[] buffer = new byte[8192];
            while (left > 0) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (n < 0) {
                    closedByPeer.add(id);
                    return false;
                }
                left -= n;
            }
            return true;
        }

        private void serve() {
            try (socket) {
                while (true) {
                    Request request = readHead();
                    if (request == null) {
                        closedByPeer.add(id);
                        return;
                    }
                    requests.add(request);
                    Then then = replyFor(request.target()).serve(this, request);
                    if (then == Then.CLOSE || socket.isClosed()) {
                        return;
                    }
                    if (then == Then.AWAIT_CLOSE) {
                        awaitPeerClose();
                        return;
                    }
                }
            } catch (IOException e) {
                // A reset from the proxy, or the server closing down.
                if (!server.isClosed()) {
                    closedByPeer.add(id);
                }
            } finally {
                ended.add(id);
            }
        }

        /** Reads (and drops) whatever still comes until the proxy closes the connection. */
        private void awaitPeerClose() throws IOException {
            byte[] buffer = new byte[8192];
            socket.setSoTimeout((int) Duration.ofMinutes(5).toMillis());
            try {
                while (in.read(buffer) >= 0) {
                    // drain
                }
            } catch (SocketTimeoutException e) {
                return;
            }
            closedByPeer.add(id);
        }

        /** The next request head, or null when the proxy closed the connection instead. */
        private Request readHead() throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int last4 = 0;
            for (int b = in.read(); b != -1; b = in.read()) {
                head.write(b);
                last4 = (last4 << 8) | b;
                if (last4 == 0x0D0A0D0A) { // CR LF CR LF
                    return parse(head.toString(StandardCharsets.ISO_8859_1));
                }
            }
            return null;
        }

        private Request parse(String head) {
            String[] lines = head.split("\r\n");
            String[] requestLine = lines[0].split(" ");
            Map<String, String> headers = new ConcurrentHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon > 0) {
                    headers.put(
                            lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                            lines[i].substring(colon + 1).trim());
                }
            }
            return new Request(id, requestLine[0], requestLine[1], headers);
        }
    }
}
