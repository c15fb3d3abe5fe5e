package dev.preflight.testing;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * A request as {@link TestBackend} received it, recorded once its body had fully arrived.
 *
 * @param connectionId which backend connection it came on (1 for the first accepted, and so on)
 * @param headers in arrival order, names as sent
 * @param body the body, or null when it was larger than the backend keeps ({@link #bodySha256} and
 *     {@link #bodyLength} always describe it)
 */
public record RecordedRequest(
        int connectionId,
        String method,
        String uri,
        String protocol,
        List<Map.Entry<String, String>> headers,
        long bodyLength,
        String bodySha256,
        byte[] body) {

    public RecordedRequest {
        headers = List.copyOf(headers);
    }

    /** The request target's path, without the query. */
    public String path() {
        int query = uri.indexOf('?');
        return query >= 0 ? uri.substring(0, query) : uri;
    }

    /** The first value of a header (case-insensitive name), or null. */
    public String header(String name) {
        return HeaderLines.first(headers, name);
    }

    /** Every value of a header, one per header line. */
    public List<String> headers(String name) {
        return HeaderLines.all(headers, name);
    }

    public boolean hasHeader(String name) {
        return header(name) != null;
    }

    /** Lower-cased header names, for "none of these" assertions. */
    public List<String> headerNames() {
        return HeaderLines.names(headers);
    }

    public String bodyText() {
        return body == null ? null : new String(body, StandardCharsets.UTF_8);
    }
}
