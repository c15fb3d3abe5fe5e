package dev.preflight.hardening;

import dev.preflight.testing.Await;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/**
 * A backend made of a plain {@link ServerSocket} on 127.0.0.1 and a free port, for tests where what
 * matters is the exact bytes the proxy sent: each connection records everything it receives, and
 * parses it the way a strict HTTP/1.1 server would (one head ending in an empty line, then a body
 * framed by {@code Transfer-Encoding: chunked} or {@code Content-Length}, else none). Each request it
 * can parse gets a fixed {@code 200} whose body names it ({@code "GET /path"}), and the connection
 * stays open for the next. Bytes it cannot parse are kept as {@link Connection#unparsed()} and never
 * answered, so a smuggled or garbled message shows up in the record instead of being guessed at.
 *
 * <p>One platform thread accepts, one per connection reads; all threads are daemons and end on
 * {@link #close()}.
 */
final class RecordingSocketBackend implements AutoCloseable {

    private final ServerSocket server;
    private final List<Connection> connections = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();

    private RecordingSocketBackend() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor =
                Thread.ofPlatform().daemon().name("recording-backend-accept").start(this::accept);
        threads.add(acceptor);
    }

    static RecordingSocketBackend start() throws IOException {
        return new RecordingSocketBackend();
    }

    String url() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    List<Connection> connections() {
        return List.copyOf(connections);
    }

    /** Every complete request, connection by connection, each in arrival order. */
    List<Request> requests() {
        return connections.stream().flatMap(c -> c.requests().stream()).toList();
    }

    /** Everything received, connection by connection, as ISO-8859-1 text. */
    String received() {
        return connections.stream().map(Connection::receivedText).collect(Collectors.joining());
    }

    boolean receivedNothing() {
        return connections.stream().allMatch(c -> c.received().length == 0);
    }

    /** Bytes that never formed a complete request, on any connection. */
    String unparsed() {
        return connections.stream().map(Connection::unparsed).collect(Collectors.joining());
    }

    Request awaitRequest() {
        Await.until("a complete request at the backend", () -> !requests().isEmpty());
        return requests().getFirst();
    }

    /** Waits until every connection accepted so far has been closed by the proxy. */
    void awaitAllClosed() {
        Await.until(
                "every backend connection closed by the proxy",
                () -> connections.stream().allMatch(Connection::closed));
    }

    private void accept() {
        while (!server.isClosed()) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            Connection connection = new Connection(connections.size() + 1, socket);
            connections.add(connection);
            threads.add(Thread.ofPlatform()
                    .daemon()
                    .name("recording-backend-" + connection.id)
                    .start(connection::serve));
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Connection connection : connections) {
            connection.socket.close();
        }
        for (Thread thread : threads) {
            try {
                thread.join(Await.PATIENCE.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * One request as this backend parsed it.
     *
     * @param connection the connection it came on, 1 for the first accepted
     * @param wire its exact bytes, head and framed body
     * @param body the body with any chunk framing removed
     * @param trailers the trailer fields of a chunked body, else empty
     */
    record Request(
            int connection,
            String method,
            String target,
            String version,
            List<Map.Entry<String, String>> headers,
            byte[] body,
            List<Map.Entry<String, String>> trailers,
            String wire) {

        List<String> headers(String name) {
            return values(headers, name);
        }

        String header(String name) {
            List<String> values = headers(name);
            return values.isEmpty() ? null : values.getFirst();
        }

        List<String> trailers(String name) {
            return values(trailers, name);
        }

        List<String> headerNames() {
            return headers.stream()
                    .map(h -> h.getKey().toLowerCase(Locale.ROOT))
                    .toList();
        }

        String bodyText() {
            return new String(body, StandardCharsets.ISO_8859_1);
        }

        /** {@code "POST /path"}: what the backend answers with, and a compact form for assertions. */
        String line() {
            return method + " " + target;
        }

        private static List<String> values(List<Map.Entry<String, String>> fields, String name) {
            return fields.stream()
                    .filter(f -> f.getKey().equalsIgnoreCase(name))
                    .map(Map.Entry::getValue)
                    .toList();
        }

        @Override
        public String toString() {
            return wire;
        }
    }

    /** One accepted connection: its bytes, the requests parsed from them, and whether it has ended. */
    static final class Connection {
        private final int id;
        private final Socket socket;
        private final ByteArrayOutputStream received = new ByteArrayOutputStream();
        private final List<Request> requests = new CopyOnWriteArrayList<>();
        private volatile boolean closed;
        private int parsed; // bytes of received that form complete requests; reader thread only
        private boolean garbled; // stop parsing once something does not parse; reader thread only

        private Connection(int id, Socket socket) {
            this.id = id;
            this.socket = socket;
        }

        byte[] received() {
            synchronized (received) {
                return received.toByteArray();
            }
        }

        String receivedText() {
            return new String(received(), StandardCharsets.ISO_8859_1);
        }

        List<Request> requests() {
            return List.copyOf(requests);
        }

        /** The bytes after the last complete request: a partial message, or one that does not parse. */
        String unparsed() {
            int complete = requests.stream().mapToInt(r -> r.wire().length()).sum();
            String all = receivedText();
            return all.substring(Math.min(complete, all.length()));
        }

        boolean closed() {
            return closed;
        }

        private void serve() {
            try (socket) {
                InputStream in = socket.getInputStream();
                OutputStream out = socket.getOutputStream();
                byte[] buffer = new byte[8192];
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    byte[] all;
                    synchronized (received) {
                        received.write(buffer, 0, n);
                        all = received.toByteArray();
                    }
                    for (Request request; !garbled && (request = next(all)) != null; ) {
                        requests.add(request);
                        byte[] body = request.line().getBytes(StandardCharsets.ISO_8859_1);
                        out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + body.length
                                        + "\r\n\r\n")
                                .getBytes(StandardCharsets.ISO_8859_1));
                        out.write(body);
                        out.flush();
                    }
                }
            } catch (IOException e) {
                // reset by the proxy, or closed by close(): either way the connection has ended
            } finally {
                closed = true;
            }
        }

        /** The next complete request from {@code all}, advancing {@link #parsed}; null if incomplete. */
        private Request next(byte[] all) {
            try {
                Parser parser = new Parser(new String(all, StandardCharsets.ISO_8859_1), parsed);
                Request request = parser.request(id);
                if (request != null) {
                    parsed = parser.position;
                }
                return request;
            } catch (IllegalArgumentException e) {
                garbled = true;
                return null;
            }
        }
    }

    /** A strict HTTP/1.1 request parser over what has arrived so far. */
    private static final class Parser {
        private final String text;
        private final int start;
        private int position;

        Parser(String text, int start) {
            this.text = text;
            this.start = start;
            this.position = start;
        }

        /** Null when the request has not fully arrived; throws when it cannot be a request. */
        Request request(int connection) {
            int headEnd = text.indexOf("\r\n\r\n", position);
            if (headEnd < 0) {
                return null;
            }
            String[] lines = text.substring(position, headEnd).split("\r\n", -1);
            String[] requestLine = lines[0].split(" ", -1);
            if (requestLine.length != 3 || !requestLine[2].startsWith("HTTP/1.")) {
                throw new IllegalArgumentException("not a request line: " + lines[0]);
            }
            List<Map.Entry<String, String>> headers = fields(lines, 1);
            position = headEnd + 4;
            String transferEncoding = headers.stream()
                    .filter(h -> h.getKey().equalsIgnoreCase("Transfer-Encoding"))
                    .map(Map.Entry::getValue)
                    .collect(Collectors.joining(","));
            List<String> lengths = headers.stream()
                    .filter(h -> h.getKey().equalsIgnoreCase("Content-Length"))
                    .map(Map.Entry::getValue)
                    .toList();
            if (!transferEncoding.isEmpty() && !lengths.isEmpty()) {
                throw new IllegalArgumentException("both Transfer-Encoding and Content-Length");
            }
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            List<Map.Entry<String, String>> trailers = List.of();
            if (!transferEncoding.isEmpty()) {
                if (!transferEncoding.trim().equalsIgnoreCase("chunked")) {
                    throw new IllegalArgumentException("Transfer-Encoding " + transferEncoding);
                }
                trailers = chunked(body);
                if (trailers == null) {
                    return null;
                }
            } else if (!lengths.isEmpty()) {
                if (lengths.size() > 1 || !lengths.getFirst().matches("[0-9]{1,18}")) {
                    throw new IllegalArgumentException("Content-Length " + lengths);
                }
                long length = Long.parseLong(lengths.getFirst());
                if (text.length() - position < length) {
                    return null;
                }
                body.writeBytes(
                        text.substring(position, position + (int) length).getBytes(StandardCharsets.ISO_8859_1));
                position += (int) length;
            }
            return new Request(
                    connection,
                    requestLine[0],
                    requestLine[1],
                    requestLine[2],
                    headers,
                    body.toByteArray(),
                    trailers,
                    text.substring(start, position));
        }

        /** Reads chunks into {@code body}; returns the trailers, or null when not all has arrived. */
        private List<Map.Entry<String, String>> chunked(ByteArrayOutputStream body) {
            while (true) {
                int lineEnd = text.indexOf("\r\n", position);
                if (lineEnd < 0) {
                    return null;
                }
                String sizeLine = text.substring(position, lineEnd);
                int extension = sizeLine.indexOf(';');
                String size = extension < 0 ? sizeLine : sizeLine.substring(0, extension);
                if (!size.matches("[0-9a-fA-F]{1,8}")) {
                    throw new IllegalArgumentException("chunk size " + sizeLine);
                }
                int length = Integer.parseInt(size, 16);
                position = lineEnd + 2;
                if (length == 0) {
                    int trailerEnd = text.startsWith("\r\n", position) ? position : text.indexOf("\r\n\r\n", position);
                    if (trailerEnd < 0) {
                        return null;
                    }
                    List<Map.Entry<String, String>> trailers = trailerEnd == position
                            ? List.of()
                            : fields(text.substring(position, trailerEnd).split("\r\n", -1), 0);
                    position = trailerEnd + (trailerEnd == position ? 2 : 4);
                    return trailers;
                }
                if (text.length() < position + length + 2) {
                    return null;
                }
                body.writeBytes(text.substring(position, position + length).getBytes(StandardCharsets.ISO_8859_1));
                position += length;
                if (!text.startsWith("\r\n", position)) {
                    throw new IllegalArgumentException("chunk data longer than its size");
                }
                position += 2;
            }
        }

        private static List<Map.Entry<String, String>> fields(String[] lines, int from) {
            List<Map.Entry<String, String>> fields = new ArrayList<>();
            for (int i = from; i < lines.length; i++) {
                String line = lines[i];
                int colon = line.indexOf(':');
                if (colon <= 0 || line.charAt(colon - 1) == ' ' || line.startsWith(" ") || line.startsWith("\t")) {
                    throw new IllegalArgumentException("not a header line: " + line);
                }
                fields.add(new SimpleImmutableEntry<>(
                        line.substring(0, colon), line.substring(colon + 1).trim()));
            }
            return fields;
        }
    }
}
