package dev.preflight.proxy;

import dev.preflight.policy.CorsHeaders;
import dev.preflight.policy.Tokens;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Report-only mode (C13): whether a browser would let the actual request follow the backend's answer
 * to a preflight, beyond its {@code Access-Control-Allow-Origin}, which {@link ReportOnly} reads. As
 * Fetch's CORS-preflight fetch reads it: the requested method must be listed in {@code
 * Access-Control-Allow-Methods} exactly as sent (GET, HEAD and POST need not be), every name of {@code
 * Access-Control-Request-Headers} in {@code Access-Control-Allow-Headers} in any case, and a private-
 * network request needs {@code Access-Control-Allow-Private-Network: true}; a list with an item that is
 * not a token fails the preflight, whatever it asked for. A {@code *} stands for any
 * method or name (never {@code Authorization}) unless the backend allows credentials: the proxy does not
 * know whether the browser's request carries them, and a backend that allows them expects it does,
 * when browsers read {@code *} literally.
 *
 * @param method the {@code Access-Control-Request-Method}
 * @param headerLines the {@code Access-Control-Request-Headers} lines
 * @param privateNetwork {@code Access-Control-Request-Private-Network: true} was sent
 */
record BackendPreflight(String method, List<String> headerLines, boolean privateNetwork) {
    private static final List<String> SAFELISTED_METHODS = List.of("GET", "HEAD", "POST");

    /** What a preflight asks for, from its head. */
    static BackendPreflight asked(HttpRequest request) {
        HttpHeaders headers = request.headers();
        String method = headers.get(CorsHeaders.REQUEST_METHOD);
        return new BackendPreflight(
                method == null ? "" : method.strip(),
                headers.getAll(CorsHeaders.REQUEST_HEADERS),
                "true".equalsIgnoreCase(strip(headers.get(CorsHeaders.REQUEST_PRIVATE_NETWORK))));
    }

    /**
     * What in the backend's answer a browser would refuse the actual request for, or null when nothing
     * (its {@code Access-Control-Allow-Origin} and status aside).
     */
    String refusal(HttpHeaders backend) {
        boolean credentials = "true".equals(ReportOnly.joined(backend, CorsHeaders.ALLOW_CREDENTIALS));
        List<String> methods = items(backend, CorsHeaders.ALLOW_METHODS);
        if (methods == null) {
            return notTokens(backend, CorsHeaders.ALLOW_METHODS);
        }
        List<String> allowedNames = items(backend, CorsHeaders.ALLOW_HEADERS);
        if (allowedNames == null) {
            return notTokens(backend, CorsHeaders.ALLOW_HEADERS);
        }
        if (!SAFELISTED_METHODS.contains(method)
                && !methods.contains(method)
                && (credentials || !methods.contains("*"))) {
            return "Access-Control-Allow-Methods " + shown(backend, CorsHeaders.ALLOW_METHODS) + " lacks " + method;
        }
        List<String> names =
                allowedNames.stream().map(name -> name.toLowerCase(Locale.ROOT)).toList();
        boolean anyName = !credentials && names.contains("*");
        for (String asked : items(headerLines)) {
            String name = asked.toLowerCase(Locale.ROOT);
            if (!names.contains(name) && (!anyName || name.equals("authorization"))) {
                return "Access-Control-Allow-Headers " + shown(backend, CorsHeaders.ALLOW_HEADERS) + " lacks " + asked;
            }
        }
        if (privateNetwork && !"true".equals(ReportOnly.joined(backend, CorsHeaders.ALLOW_PRIVATE_NETWORK))) {
            return "no Access-Control-Allow-Private-Network: true";
        }
        return null;
    }

    /**
     * The items of a list the backend sent, or null when one is not a token: Fetch's parse of the
     * list then fails, and with it the whole preflight, whatever was asked (Chromium: "invalid
     * Access-Control-Allow-Methods"), which counted as agreement (found by probing).
     */
    private static List<String> items(HttpHeaders headers, String name) {
        List<String> items = items(headers.getAll(name));
        for (String item : items) {
            if (!Tokens.isToken(item)) {
                return null;
            }
        }
        return items;
    }

    private static String notTokens(HttpHeaders headers, String name) {
        return name + " " + shown(headers, name) + " is not a list of tokens, which fails the preflight";
    }

    /** Every line joined, split on commas, trimmed, empty items left out (C4). */
    private static List<String> items(List<String> lines) {
        List<String> items = new ArrayList<>();
        for (String line : lines) {
            for (String item : line.split(",", -1)) {
                String trimmed = item.strip();
                if (!trimmed.isEmpty()) {
                    items.add(trimmed);
                }
            }
        }
        return items;
    }

    private static String shown(HttpHeaders headers, String name) {
        String value = ReportOnly.joined(headers, name);
        return value == null ? "(none)" : value;
    }

    private static String strip(String value) {
        return value == null ? null : value.strip();
    }
}
