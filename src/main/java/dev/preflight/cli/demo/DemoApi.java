package dev.preflight.cli.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.Executors;

/**
 * The demo's sample API: an old JSON API that knows nothing about CORS. It even sends a careless
 * {@code Access-Control-Allow-Origin: *} on one endpoint, which preflight strips and replaces. Built
 * on the JDK's small HTTP server: this is a demo backend, not part of the proxy.
 */
public final class DemoApi implements AutoCloseable {
    private final HttpServer server;

    private DemoApi(HttpServer server) {
        this.server = server;
    }

    public static DemoApi start(String host, int port) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 64);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/api/hello", ex -> {
            ex.getResponseHeaders().set("Access-Control-Allow-Origin", "*"); // careless: preflight strips it
            json(ex, 200, "{\"message\":\"hello from a CORS-unaware API\",\"time\":\"" + Instant.now() + "\"}");
        });
        server.createContext("/api/items", ex -> {
            String body = new String(readAll(ex.getRequestBody()), StandardCharsets.UTF_8);
            String client = ex.getRequestHeaders().getFirst("X-Demo-Client");
            json(
                    ex,
                    200,
                    "{\"method\":\"" + ex.getRequestMethod() + "\",\"client\":" + quote(client) + ",\"saved\":"
                            + quote(body) + "}");
        });
        server.createContext(
                "/api/private", ex -> json(ex, 200, "{\"secret\":\"only https://trusted.example may read this\"}"));
        server.createContext("/api/login", ex -> {
            ex.getResponseHeaders()
                    .add("Set-Cookie", "demo_session=" + UUID.randomUUID() + "; Path=/; HttpOnly; SameSite=Lax");
            json(ex, 200, "{\"loggedIn\":true}");
        });
        server.createContext("/api/me", ex -> {
            String cookie = ex.getRequestHeaders().getFirst("Cookie");
            boolean session = cookie != null && cookie.contains("demo_session=");
            json(ex, 200, "{\"cookieReceived\":" + session + "}");
        });
        server.start();
        return new DemoApi(server);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void json(HttpExchange ex, int status, String body) throws IOException {
        readAll(ex.getRequestBody());
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.getResponseHeaders().set("X-Request-Id", UUID.randomUUID().toString());
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
        ex.close();
    }

    private static byte[] readAll(InputStream in) throws IOException {
        return in.readAllBytes();
    }

    private static String quote(String text) {
        if (text == null) {
            return "null";
        }
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
