package dev.preflight.browser;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP relay on 127.0.0.1 in front of the proxy that copies bytes both ways untouched and records
 * the head of every request the browser sends, in order: the proof of what the browser asked (a
 * preflight, or none because its cache answered) independent of what the proxy or the backend
 * report.
 *
 * <p>It follows HTTP/1.1 framing on the way in: a head, then {@code Content-Length} bytes of body.
 * Browsers send no chunked request bodies for the calls of this suite; should one come, the rest of
 * that connection is not followed and {@link #problems} says so, which fails the scenario.
 *
 * <p>One thread per direction per connection; when either direction ends, both sockets close.
 */
final class RecordingRelay implements AutoCloseable {

    /** A request head as the browser sent it. */
    record SentRequest(String method, String target, List<Map.Entry<String, String>> headers) {

        /** The first value of a header (case-insensitive name), or null. */
        String header(String name) {
            return headers.stream()
                    .filter(h -> h.getKey().equalsIgnoreCase(name))
                    .map(Map.Entry::getValue)
                    .findFirst()
                    .orElse(null);
        }

        /** {@code METHOD target}, as the scenarios list them. */
        String line() {
            return method + " " + target;
        }
    }

    private static final int CRLF_CRLF = 0x0d0a0d0a;

    private final ServerSocket server;
    private final InetSocketAddress target;
    private final List<SentRequest> requests = new CopyOnWriteArrayList<>();
    private final List<String> problems = new CopyOnWriteArrayList<>();
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();

    private RecordingRelay(ServerSocket server, InetSocketAddress target) {
        this.server = server;
        this.target = target;
    }

    static RecordingRelay start(InetSocketAddress target) throws IOException {
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        RecordingRelay relay = new RecordingRelay(server, target);
        Thread.ofVirtual().name("relay-accept-" + server.getLocalPort()).start(relay::acceptLoop);
        return relay;
    }

    int port() {
        return server.getLocalPort();
    }

    /** Every request head received so far, in arrival order. */
    List<SentRequest> requests() {
        return List.copyOf(requests);
    }

    /** Connections whose framing the relay could not follow; empty when every request was seen. */
    List<String> problems() {
        return List.copyOf(problems);
    }

    /** Closes every relayed connection and stops listening. */
    @Override
    public void close() throws IOException {
        server.close();
        sockets.forEach(RecordingRelay::closeQuietly);
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            sockets.add(client);
            Thread.ofVirtual().start(() -> relay(client));
        }
    }

    private void relay(Socket client) {
        Socket upstream = new Socket();
        sockets.add(upstream);
        try {
            upstream.connect(target, 10_000);
        } catch (IOException e) {
            problems.add("cannot reach the proxy at " + target + ": " + e);
            closeQuietly(client);
            closeQuietly(upstream);
            return;
        }
        RequestHeads heads = new RequestHeads();
        Thread.ofVirtual().start(() -> pump(upstream, client, null));
        pump(client, upstream, heads);
    }

    /** Copies {@code from} to {@code to} until either ends, feeding what passes to {@code heads}. */
    private void pump(Socket from, Socket to, RequestHeads heads) {
        byte[] buffer = new byte[16 * 1024];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                if (heads != null) {
                    heads.feed(buffer, n);
                }
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // the other side went away; close both below
        } finally {
            closeQuietly(from);
            closeQuietly(to);
            sockets.remove(from);
            sockets.remove(to);
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // already gone
        }
    }

    /** Splits one connection's request stream into heads and skipped bodies. */
    private final class RequestHeads {
        private final ByteArrayOutputStream head = new ByteArrayOutputStream();
        private int lastFour;
        private long bodyLeft;
        private boolean lost;

        void feed(byte[] bytes, int length) {
            int i = 0;
            while (i < length && !lost) {
                if (bodyLeft > 0) {
                    int skipped = (int) Math.min(bodyLeft, length - i);
                    bodyLeft -= skipped;
                    i += skipped;
                    continue;
                }
                byte b = bytes[i++];
                head.write(b);
                lastFour = (lastFour << 8) | (b & 0xff);
                if (lastFour == CRLF_CRLF) {
                    parse(head.toString(StandardCharsets.ISO_8859_1));
                    head.reset();
                    lastFour = 0;
                }
            }
        }

        private void parse(String text) {
            String[] lines = text.split("\r\n");
            String[] requestLine = lines[0].split(" ");
            List<Map.Entry<String, String>> headers = new ArrayList<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon > 0) {
                    headers.add(new SimpleImmutableEntry<>(
                            lines[i].substring(0, colon).trim(),
                            lines[i].substring(colon + 1).trim()));
                }
            }
            SentRequest request =
                    new SentRequest(requestLine[0], requestLine.length > 1 ? requestLine[1] : "", headers);
            requests.add(request);
            String length = request.header("Content-Length");
            if (length != null) {
                bodyLeft = Long.parseLong(length);
            }
            String encoding = request.header("Transfer-Encoding");
            if (encoding != null && encoding.toLowerCase(Locale.ROOT).contains("chunked")) {
                lost = true;
                problems.add("a chunked request body (" + request.line() + "): later requests on that connection"
                        + " were not recorded");
            }
        }
    }
}
