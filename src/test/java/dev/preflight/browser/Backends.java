package dev.preflight.browser;

import dev.preflight.testing.Behaviour;
import dev.preflight.testing.RecordedRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Backend answers for the browser rows, on top of {@link Behaviour}'s. */
final class Backends {

    private Backends() {}

    /** 200, a text body, and {@code headerNamesAndValues}. */
    static Behaviour text(String body, String... headerNamesAndValues) {
        List<String> headers = new ArrayList<>(List.of("Content-Type", "text/plain; charset=utf-8"));
        headers.addAll(List.of(headerNamesAndValues));
        return Behaviour.respond(200, body, headers.toArray(String[]::new));
    }

    /** 200 with {@code "METHOD /path cookie=<Cookie header or none>"}: what the API saw of the caller. */
    static Behaviour whoAmI() {
        return exchange -> {
            RecordedRequest request = exchange.request();
            String cookie = request.header("Cookie");
            exchange.respond(
                    200,
                    (request.method() + " " + request.uri() + " cookie=" + (cookie == null ? "none" : cookie))
                            .getBytes(StandardCharsets.UTF_8),
                    "Content-Type",
                    "text/plain; charset=utf-8");
        };
    }

    /**
     * A backend with CORS of its own, as a report-only or preserve row needs: it reflects any {@code
     * Origin} with credentials, answers preflights 204 allowing whatever was asked, and adds {@code
     * extraHeaders} to every answer.
     */
    static Behaviour ownCors(String body, String... extraHeaders) {
        return exchange -> {
            RecordedRequest request = exchange.request();
            List<String> headers = new ArrayList<>(List.of(extraHeaders));
            String origin = request.header("Origin");
            if (origin != null) {
                headers.addAll(
                        List.of("Access-Control-Allow-Origin", origin, "Access-Control-Allow-Credentials", "true"));
            }
            String method = request.header("Access-Control-Request-Method");
            if (request.method().equals("OPTIONS") && method != null) {
                headers.addAll(List.of("Access-Control-Allow-Methods", method));
                String requested = request.header("Access-Control-Request-Headers");
                if (requested != null) {
                    headers.addAll(List.of("Access-Control-Allow-Headers", requested));
                }
                exchange.respond(204, new byte[0], headers.toArray(String[]::new));
                return;
            }
            headers.addAll(List.of("Content-Type", "text/plain; charset=utf-8"));
            exchange.respond(200, body.getBytes(StandardCharsets.UTF_8), headers.toArray(String[]::new));
        };
    }
}
