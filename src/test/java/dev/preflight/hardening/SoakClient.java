package dev.preflight.hardening;

import dev.preflight.testing.PatternBytes;
import dev.preflight.testing.RawClient;
import dev.preflight.testing.RawResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One client of {@link SoakTest}: a keep-alive connection to the proxy, reopened whenever an exchange
 * ends it, sending one kind of traffic after another, picked at random by {@link SoakTraffic#WEIGHTS},
 * and checking each answer against the rules.
 */
final class SoakClient {
    static final String ORIGIN = "https://app.example";

    private final BackendFaultProxy proxy;
    private final SoakTraffic traffic;
    private final SplittableRandom random;
    private RawClient connection;
    private long sequence;

    SoakClient(BackendFaultProxy proxy, SoakTraffic traffic, SplittableRandom random) {
        this.proxy = proxy;
        this.traffic = traffic;
        this.random = random;
    }

    void runUntil(long deadline) {
        try {
            while (System.nanoTime() - deadline < 0) {
                String kind = pick();
                try {
                    one(kind);
                    traffic.count(kind);
                } catch (IOException | AssertionError | RuntimeException e) {
                    traffic.fail(kind, String.valueOf(e));
                    drop();
                }
            }
        } finally {
            drop();
        }
    }

    /** A kind at random, each as often as its weight in {@link SoakTraffic#WEIGHTS} says. */
    private String pick() {
        int p = random.nextInt(SoakTraffic.WEIGHT_TOTAL);
        for (Map.Entry<String, Integer> kind : SoakTraffic.WEIGHTS.entrySet()) {
            p -= kind.getValue();
            if (p < 0) {
                return kind.getKey();
            }
        }
        throw new IllegalStateException();
    }

    private void one(String kind) throws IOException {
        String path = "/api/" + kind + "/" + (sequence++);
        switch (kind) {
            case "preflight" -> {
                RawResponse r = exchange(
                        "OPTIONS " + path + " HTTP/1.1\r\nHost: api.test\r\nOrigin: " + ORIGIN
                                + "\r\nAccess-Control-Request-Method: PUT\r\nAccess-Control-Request-Headers: content-type\r\n\r\n");
                expect(r, 204);
                check(ORIGIN.equals(r.header("Access-Control-Allow-Origin")), "ACAO on an allowed preflight", r);
            }
            case "preflight-refused" -> {
                RawResponse r =
                        exchange("OPTIONS " + path + " HTTP/1.1\r\nHost: api.test\r\nOrigin: https://evil.example"
                                + "\r\nAccess-Control-Request-Method: PUT\r\n\r\n");
                expect(r, 403);
                check(!r.hasHeader("Access-Control-Allow-Origin"), "no ACAO on a refused preflight", r);
            }
            case "get-cors" -> {
                RawResponse r =
                        exchange("GET " + path + " HTTP/1.1\r\nHost: api.test\r\nOrigin: " + ORIGIN + "\r\n\r\n");
                expect(r, 200);
                check(path.equals(r.header("X-Echo-Uri")), "the echo of " + path, r);
                check(ORIGIN.equals(r.header("Access-Control-Allow-Origin")), "ACAO", r);
            }
            case "get-plain" -> {
                RawResponse r = exchange("GET " + path + " HTTP/1.1\r\nHost: api.test\r\n\r\n");
                expect(r, 200);
                check(path.equals(r.header("X-Echo-Uri")), "the echo of " + path, r);
                check(!r.hasHeader("Access-Control-Allow-Origin"), "no ACAO without Origin", r);
            }
            case "head" -> {
                RawResponse r = exchange("HEAD " + path + " HTTP/1.1\r\nHost: api.test\r\n\r\n");
                expect(r, 200);
            }
            case "http10" -> {
                RawResponse r = exchange("GET " + path + " HTTP/1.0\r\nHost: api.test\r\n\r\n");
                expect(r, 200);
                drop(); // HTTP/1.0 without keep-alive: the proxy closes after the response
            }
            case "post" -> {
                int length = random.nextInt(64 * 1024);
                ByteArrayOutputStream request = new ByteArrayOutputStream();
                request.writeBytes(("POST " + path + " HTTP/1.1\r\nHost: api.test\r\nOrigin: " + ORIGIN
                                + "\r\nContent-Type: application/octet-stream\r\nContent-Length: " + length
                                + "\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                request.writeBytes(PatternBytes.bytes(length));
                conn().send(request.toByteArray());
                RawResponse r = read("POST");
                expect(r, 200);
                check(Long.toString(length).equals(r.header("X-Echo-Body-Length")), "body length " + length, r);
                check(PatternBytes.sha256Hex(length).equals(r.header("X-Echo-Body-Sha256")), "body digest", r);
            }
            case "post-chunked" -> {
                int length = 0;
                ByteArrayOutputStream request = new ByteArrayOutputStream();
                request.writeBytes(
                        ("POST " + path + " HTTP/1.1\r\nHost: api.test\r\nTransfer-Encoding: chunked\r\n\r\n")
                                .getBytes(StandardCharsets.ISO_8859_1));
                for (int i = 0; i < 3; i++) {
                    int size = 1 + random.nextInt(8 * 1024);
                    request.writeBytes((Integer.toHexString(size) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    request.writeBytes(PatternBytes.bytes(length, size));
                    request.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
                    length += size;
                }
                request.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                conn().send(request.toByteArray());
                RawResponse r = read("POST");
                expect(r, 200);
                check(PatternBytes.sha256Hex(length).equals(r.header("X-Echo-Body-Sha256")), "body digest", r);
            }
            case "pipelined" -> {
                StringBuilder requests = new StringBuilder();
                for (int i = 0; i < 3; i++) {
                    requests.append("GET ")
                            .append(path)
                            .append("/")
                            .append(i)
                            .append(" HTTP/1.1\r\nHost: api.test\r\n\r\n");
                }
                conn().send(requests.toString());
                for (int i = 0; i < 3; i++) {
                    RawResponse r = read("GET");
                    expect(r, 200);
                    check((path + "/" + i).equals(r.header("X-Echo-Uri")), "pipelined response " + i + " in order", r);
                }
            }
            case "too-large" -> {
                RawResponse r =
                        exchange("POST " + path + " HTTP/1.1\r\nHost: api.test\r\nContent-Length: 2000000\r\n\r\n");
                expect(r, 413);
                drop();
            }
            case "backend-reset" -> {
                RawResponse r = exchange("GET /fault/reset/" + sequence + " HTTP/1.1\r\nHost: api.test\r\n\r\n");
                expect(r, 502);
            }
            case "backend-timeout" -> {
                RawResponse r = exchange("GET /fault/never/" + sequence + " HTTP/1.1\r\nHost: api.test\r\n\r\n");
                expect(r, 504);
            }
            case "cut-mid-body" -> {
                RawResponse r = exchange("GET /cut/" + sequence + " HTTP/1.1\r\nHost: api.test\r\n\r\n");
                expect(r, 200);
                check(!r.complete(), "a cut response is incomplete", r);
                drop();
            }
            case "abort-download" -> {
                conn().send("GET /big/" + sequence + " HTTP/1.1\r\nHost: api.test\r\n\r\n");
                connection.readUntilClose(Duration.ofMillis(random.nextInt(1, 20)));
                drop();
            }
            case "abort-upload" -> {
                conn().send("POST " + path + " HTTP/1.1\r\nHost: api.test\r\nContent-Length: 262144\r\n\r\n");
                connection.send(PatternBytes.bytes(random.nextInt(1, 32 * 1024)));
                drop();
            }
            case "gone-while-waiting" -> {
                conn().send("GET /slow/" + sequence + " HTTP/1.1\r\nHost: api.test\r\n\r\n");
                drop();
            }
            default -> throw new IllegalStateException(kind);
        }
    }

    private RawResponse exchange(String request) throws IOException {
        conn().send(request);
        return read(request.substring(0, request.indexOf(' ')));
    }

    private RawResponse read(String method) throws IOException {
        RawResponse response = connection.readResponse(method);
        if (response.connectionTokens().contains("close") || !response.complete()) {
            drop();
        }
        return response;
    }

    private RawClient conn() throws IOException {
        if (connection == null) {
            connection = proxy.raw();
        }
        return connection;
    }

    private void drop() {
        if (connection != null) {
            try {
                connection.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            connection = null;
        }
    }

    private static void expect(RawResponse response, int status) {
        check(response.status() == status, "status " + status, response);
    }

    private static void check(boolean condition, String expected, RawResponse response) {
        if (!condition) {
            throw new AssertionError("expected " + expected + ", got:\n" + response);
        }
    }
}
