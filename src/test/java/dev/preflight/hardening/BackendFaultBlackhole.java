package dev.preflight.hardening;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A blackholed backend: a listening socket that never accepts and whose accept queue is full, so that
 * a further connect gets no answer at all (its SYN is dropped) and can only time out. The usual
 * stand-in, an unroutable address such as 10.255.255.1, is answered at once by some sandboxes (this
 * one included), so it cannot show a connect timeout.
 */
final class BackendFaultBlackhole implements AutoCloseable {
    private final ServerSocket server;
    private final List<Socket> fillers = new ArrayList<>();

    BackendFaultBlackhole() throws IOException {
        server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        // Linux queues backlog + 1 connections; fill the queue until a connect no longer completes.
        for (int i = 0; i < 8; i++) {
            Socket filler = new Socket();
            try {
                filler.connect(server.getLocalSocketAddress(), 300);
                fillers.add(filler);
            } catch (SocketTimeoutException full) {
                filler.close();
                return;
            }
        }
    }

    String url() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    /** Whether a connect here really hangs until its timeout, rather than completing or failing fast. */
    boolean swallowsConnects() {
        try (Socket probe = new Socket()) {
            long start = System.nanoTime();
            try {
                probe.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()), 300);
                return false;
            } catch (SocketTimeoutException e) {
                return Duration.ofNanos(System.nanoTime() - start).toMillis() >= 250;
            } catch (IOException e) {
                return false;
            }
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() throws IOException {
        for (Socket filler : fillers) {
            filler.close();
        }
        server.close();
    }
}
