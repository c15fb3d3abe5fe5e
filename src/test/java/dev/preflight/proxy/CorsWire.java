package dev.preflight.proxy;

import dev.preflight.testing.RawResponse;
import dev.preflight.testing.RecordedRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Raw CORS requests and what to look at in their responses, for the CORS tests that talk HTTP bytes
 * (through an {@code EmbeddedChannel} or a real socket): exact header lines matter there, such as
 * a second {@code Access-Control-Allow-Origin}.
 */
final class CorsWire {
    static final String APP = "http://app.example";
    static final String EVIL = "http://evil.example";

    private CorsWire() {}

    /** A bodyless request; {@code origin} null for none; {@code extraHeaderLines} as "Name: value". */
    static String request(String method, String host, String target, String origin, String... extraHeaderLines) {
        StringBuilder out = new StringBuilder()
                .append(method)
                .append(' ')
                .append(target)
                .append(" HTTP/1.1\r\nHost: ")
                .append(host)
                .append("\r\n");
        if (origin != null) {
            out.append("Origin: ").append(origin).append("\r\n");
        }
        for (String line : extraHeaderLines) {
            out.append(line).append("\r\n");
        }
        return out.append("\r\n").toString();
    }

    static String get(String host, String target, String origin) {
        return request("GET", host, target, origin);
    }

    /** A preflight for {@code method}, with an {@code Access-Control-Request-Headers} line when headers are given. */
    static String preflight(String host, String target, String origin, String method, String requestHeaders) {
        return requestHeaders == null
                ? request("OPTIONS", host, target, origin, "Access-Control-Request-Method: " + method)
                : request(
                        "OPTIONS",
                        host,
                        target,
                        origin,
                        "Access-Control-Request-Method: " + method,
                        "Access-Control-Request-Headers: " + requestHeaders);
    }

    /** Every {@code Access-Control-*} header line, in order, names lower-cased. */
    static List<Map.Entry<String, String>> corsHeaders(RawResponse response) {
        return corsHeaders(response.headers());
    }

    static List<Map.Entry<String, String>> corsHeaders(List<Map.Entry<String, String>> headers) {
        List<Map.Entry<String, String>> cors = new ArrayList<>();
        for (Map.Entry<String, String> header : headers) {
            String name = header.getKey().toLowerCase(Locale.ROOT);
            if (name.startsWith("access-control-")) {
                cors.add(Map.entry(name, header.getValue()));
            }
        }
        return cors;
    }

    /** The {@code Vary} names of every {@code Vary} line, trimmed, as written. */
    static List<String> vary(RawResponse response) {
        List<String> names = new ArrayList<>();
        for (String line : response.headers("Vary")) {
            for (String item : line.split(",")) {
                if (!item.isBlank()) {
                    names.add(item.strip());
                }
            }
        }
        return names;
    }

    /** Methods and targets the backend received, for readable failure messages. */
    static List<String> seen(List<RecordedRequest> requests) {
        return requests.stream().map(r -> r.method() + " " + r.uri()).toList();
    }

    static Map.Entry<String, String> header(String lowerCaseName, String value) {
        return Map.entry(lowerCaseName, value);
    }
}
