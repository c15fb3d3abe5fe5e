package dev.preflight.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A plain-socket HTTP client for tests where the exact bytes matter: pipelining, absolute-form
 * targets, hop-by-hop headers the JDK client refuses to send, oversized heads, slow heads, and
 * watching a connection get closed.
 */
public final class RawClient implements AutoCloseable {

    /** How a connection ended while {@link #readUntilClose} waited for it. */
    public enum End {
        /** The peer closed cleanly (FIN). */
        EOF,
        /** The peer reset the connection (RST). */
        RESET,
        /** Still open when the wait ran out. */
        TIMEOUT
    }

    /** What {@link #readUntilClose} got: the bytes that arrived and how the connection ended. */
    public record Received(byte[] bytes, End end) {
        public boolean closedByPeer() {
            return end != End.TIMEOUT;
        }

        public String text() {
            return new String(bytes, StandardCharsets.ISO_8859_1);
        }
    }

    private final Socket socket;
    private final RecordingInputStream in;
    private final OutputStream out;

    private RawClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new RecordingInputStream(new BufferedInputStream(socket.getInputStream()));
        this.out = socket.getOutputStream();
    }

    /** Connects with a 20 s read timeout, so a missing response fails the test instead of hanging it. */
    public static RawClient connect(InetSocketAddress address) throws IOException {
        Socket socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.setSoTimeout((int) Await.PATIENCE.toMillis());
        socket.connect(address, 10_000);
        return new RawClient(socket);
    }

    /** Writes ISO-8859-1 text exactly as given (write {@code \r\n} yourself). */
    public RawClient send(String text) throws IOException {
        return send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    public RawClient send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    /** Like {@link #send(byte[])}, but reports a connection the peer has closed instead of throwing. */
    public boolean trySend(byte[] bytes) {
        try {
            send(bytes);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Reads the next response to a request that was not HEAD. */
    public RawResponse readResponse() throws IOException {
        return readResponse("GET");
    }

    /** Reads the next response; the request's method matters because a HEAD response has no body. */
    public RawResponse readResponse(String requestMethod) throws IOException {
        in.startRecording();
        try {
            return HttpResponseReader.read(in, requestMethod);
        } catch (SocketTimeoutException e) {
            SocketTimeoutException timeout = new SocketTimeoutException("no complete response within "
                    + Await.PATIENCE.toSeconds() + " s; received so far:\n" + in.recorded());
            timeout.initCause(e);
            throw timeout;
        } finally {
            in.stopRecording();
        }
    }

    /** Sends a request and reads its response. */
    public RawResponse exchange(String request) throws IOException {
        send(request);
        return readResponse(request.substring(0, Math.max(0, request.indexOf(' '))));
    }

    /** Reads whatever arrives until the peer closes the connection or {@code timeout} passes. */
    public Received readUntilClose(Duration timeout) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return new Received(bytes.toByteArray(), End.TIMEOUT);
                }
                socket.setSoTimeout((int) Math.max(1, Duration.ofNanos(left).toMillis()));
                int n = in.read(buffer);
                if (n < 0) {
                    return new Received(bytes.toByteArray(), End.EOF);
                }
                bytes.write(buffer, 0, n);
            }
        } catch (SocketTimeoutException e) {
            return new Received(bytes.toByteArray(), End.TIMEOUT);
        } catch (SocketException e) {
            return new Received(bytes.toByteArray(), End.RESET);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            try {
                socket.setSoTimeout((int) Await.PATIENCE.toMillis());
            } catch (SocketException ignored) {
                // closed already; nothing left to configure
            }
        }
    }

    /** Reads until the peer closes, waiting up to {@link Await#PATIENCE}. */
    public Received readUntilClose() {
        return readUntilClose(Await.PATIENCE);
    }

    /** Half-closes: the peer sees EOF on its input, we can still read. */
    public void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /** Keeps what a response read consumed, to show in a timeout's message. */
    private static final class RecordingInputStream extends FilterInputStream {
        private static final int KEPT = 4096;
        private ByteArrayOutputStream recording;

        RecordingInputStream(InputStream in) {
            super(in);
        }

        void startRecording() {
            recording = new ByteArrayOutputStream();
        }

        void stopRecording() {
            recording = null;
        }

        String recorded() {
            if (recording == null || recording.size() == 0) {
                return "(nothing)";
            }
            String text = recording.toString(StandardCharsets.ISO_8859_1);
            return text.length() > KEPT ? text.substring(0, KEPT) + "... (" + recording.size() + " bytes)" : text;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0 && recording != null) {
                recording.write(b);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0 && recording != null) {
                recording.write(b, off, n);
            }
            return n;
        }
    }
}
