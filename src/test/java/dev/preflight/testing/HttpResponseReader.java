package dev.preflight.testing;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Parses HTTP/1.x responses from a raw byte stream the way a strict client would: Content-Length,
 * chunked and close-delimited bodies, no body for HEAD, 204 and 304, interim 100 responses skipped.
 * A connection that ends (EOF or reset) inside a body yields an incomplete response rather than an
 * exception, since that is what tests of mid-response failures look at.
 */
public final class HttpResponseReader {

    private HttpResponseReader() {}

    /** Parses one whole response from bytes already read. */
    public static RawResponse parse(byte[] bytes, String requestMethod) throws IOException {
        return read(new ByteArrayInputStream(bytes), requestMethod);
    }

    /**
     * Reads the next response from {@code in}, which should be buffered.
     *
     * @throws EOFException when the stream ends before a complete status line and head
     */
    public static RawResponse read(InputStream in, String requestMethod) throws IOException {
        while (true) {
            String statusLine = readLine(in);
            if (statusLine == null) {
                throw new EOFException("connection closed before a response");
            }
            String[] parts = statusLine.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
                throw new IOException("not a status line: " + statusLine);
            }
            int status = Integer.parseInt(parts[1]);
            String reason = parts.length > 2 ? parts[2] : "";
            List<Map.Entry<String, String>> headers = readHeaders(in);
            if (status == 100 || (status > 101 && status < 200)) {
                continue;
            }
            return readBody(in, requestMethod, parts[0], status, reason, headers);
        }
    }

    private static RawResponse readBody(
            InputStream in,
            String method,
            String version,
            int status,
            String reason,
            List<Map.Entry<String, String>> headers)
            throws IOException {
        RawResponse probe =
                new RawResponse(version, status, reason, headers, new byte[0], RawResponse.Framing.NONE, true);
        if ("HEAD".equalsIgnoreCase(method) || status < 200 || status == 204 || status == 304) {
            return probe;
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        String transferEncoding =
                String.join(",", probe.headers("Transfer-Encoding")).toLowerCase(Locale.ROOT);
        if (!transferEncoding.isBlank()) {
            boolean chunked = transferEncoding.strip().endsWith("chunked");
            boolean complete = chunked ? readChunked(in, body) : readToEnd(in, body);
            return new RawResponse(
                    version,
                    status,
                    reason,
                    headers,
                    body.toByteArray(),
                    chunked ? RawResponse.Framing.CHUNKED : RawResponse.Framing.CLOSE_DELIMITED,
                    complete);
        }
        String contentLength = probe.header("Content-Length");
        if (contentLength != null) {
            long length = Long.parseLong(contentLength.trim());
            boolean complete = readExactly(in, body, length);
            return new RawResponse(
                    version, status, reason, headers, body.toByteArray(), RawResponse.Framing.CONTENT_LENGTH, complete);
        }
        boolean complete = readToEnd(in, body);
        return new RawResponse(
                version, status, reason, headers, body.toByteArray(), RawResponse.Framing.CLOSE_DELIMITED, complete);
    }

    private static List<Map.Entry<String, String>> readHeaders(InputStream in) throws IOException {
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        for (String line = readLine(in); ; line = readLine(in)) {
            if (line == null) {
                throw new EOFException("connection closed inside the response head");
            }
            if (line.isEmpty()) {
                return headers;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IOException("not a header line: " + line);
            }
            headers.add(new SimpleImmutableEntry<>(
                    line.substring(0, colon), line.substring(colon + 1).strip()));
        }
    }

    /** Reads chunks into {@code body}; true when the last chunk and the trailer section arrived. */
    private static boolean readChunked(InputStream in, ByteArrayOutputStream body) throws IOException {
        try {
            while (true) {
                String sizeLine = readLine(in);
                if (sizeLine == null) {
                    return false;
                }
                int semicolon = sizeLine.indexOf(';');
                String hex = (semicolon >= 0 ? sizeLine.substring(0, semicolon) : sizeLine).strip();
                long size = Long.parseLong(hex, 16);
                if (size == 0) {
                    for (String trailer = readLine(in); ; trailer = readLine(in)) {
                        if (trailer == null) {
                            return false;
                        }
                        if (trailer.isEmpty()) {
                            return true;
                        }
                    }
                }
                if (!readExactly(in, body, size)) {
                    return false;
                }
                String end = readLine(in);
                if (end == null) {
                    return false;
                }
                if (!end.isEmpty()) {
                    throw new IOException("chunk not followed by CRLF but by: " + end);
                }
            }
        } catch (SocketException reset) {
            return false;
        }
    }

    private static boolean readExactly(InputStream in, ByteArrayOutputStream body, long length) throws IOException {
        byte[] buffer = new byte[8192];
        long remaining = length;
        try {
            while (remaining > 0) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, remaining));
                if (n < 0) {
                    return false;
                }
                body.write(buffer, 0, n);
                remaining -= n;
            }
            return true;
        } catch (SocketException reset) {
            return false;
        }
    }

    /** Reads until the peer closes; true for a clean EOF, false for a reset. */
    private static boolean readToEnd(InputStream in, ByteArrayOutputStream body) throws IOException {
        byte[] buffer = new byte[8192];
        try {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                body.write(buffer, 0, n);
            }
            return true;
        } catch (SocketException reset) {
            return false;
        }
    }

    /** One line without its CRLF (a bare LF is accepted too); null when the stream ends first. */
    static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
            }
            line.write(b);
        }
        return null;
    }
}
