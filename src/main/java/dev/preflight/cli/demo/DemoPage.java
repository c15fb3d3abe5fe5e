package dev.preflight.cli.demo;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/** The demo's web page, served from its own origin; its buttons call the API through the proxy. */
public final class DemoPage implements AutoCloseable {
    private final HttpServer server;

    private DemoPage(HttpServer server) {
        this.server = server;
    }

    /** @param api the proxy's base URL as the browser sees it, e.g. {@code http://localhost:8080} */
    public static DemoPage start(String host, int port, String api) throws IOException {
        byte[] page = html().replace("{{API}}", api).getBytes(StandardCharsets.UTF_8);
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 16);
        server.createContext("/", ex -> {
            ex.getRequestBody().readAllBytes();
            if (!ex.getRequestURI().getPath().equals("/")) {
                // 204 for the browser's favicon request keeps its console free of noise.
                ex.sendResponseHeaders(ex.getRequestURI().getPath().equals("/favicon.ico") ? 204 : 404, -1);
                ex.close();
                return;
            }
            ex.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            ex.sendResponseHeaders(200, page.length);
            ex.getResponseBody().write(page);
            ex.close();
        });
        server.start();
        return new DemoPage(server);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static String html() {
        try (InputStream in = DemoPage.class.getResourceAsStream("/demo/index.html")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
