package dev.preflight.ops;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An upstream on plain sockets that answers every keep-alive request with 200 "ok" and counts its
 * connections still open, so that the proxy closing them shows.
 */
final class OpsKeepAliveUpstream implements AutoCloseable {
    private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger open = new AtomicInteger();

    OpsKeepAliveUpstream() throws IOException {
        Thread.ofPlatform().daemon().name("ops-old-upstream").start(this::accept);
    }

    String url() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    int accepted() {
        return accepted.get();
    }

    int open() {
        return open.get();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                accepted.incrementAndGet();
                open.incrementAndGet();
                Thread.ofPlatform().daemon().start(() -> serve(socket));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            InputStream in = socket.getInputStream();
            while (readHead(in)) {
                socket.getOutputStream()
                        .write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
            }
        } catch (IOException e) {
            // a reset counts as closed too
        } finally {
            open.decrementAndGet();
        }
    }

    /** Reads one bodyless request head; false at EOF before it starts. */
    private static boolean readHead(InputStream in) throws IOException {
        int matched = 0;
        boolean started = false;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                if (started) {
                    throw new IOException("the request head ended early");
                }
                return false;
            }
            started = true;
            matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return true;
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
