package dev.preflight.testing;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One HTTP/1.x response as it came off the wire, parsed by {@link HttpResponseReader}.
 *
 * @param headers in arrival order, names as sent
 * @param body the payload with any chunk framing removed
 * @param framing how the body was delimited
 * @param complete whether the body ended as its framing says (last chunk, full length, clean EOF);
 *     false when the connection ended first
 */
public record RawResponse(
        String version,
        int status,
        String reason,
        List<Map.Entry<String, String>> headers,
        byte[] body,
        Framing framing,
        boolean complete) {

    public enum Framing {
        /** No body by definition: a response to HEAD, 1xx, 204, 304. */
        NONE,
        CONTENT_LENGTH,
        CHUNKED,
        CLOSE_DELIMITED
    }

    public RawResponse {
        headers = List.copyOf(headers);
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

    /** The tokens of every {@code Connection} header, lower-cased. */
    public List<String> connectionTokens() {
        return headers("Connection").stream()
                .flatMap(v -> List.of(v.split(",")).stream())
                .map(t -> t.trim().toLowerCase(Locale.ROOT))
                .filter(t -> !t.isEmpty())
                .toList();
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        String head =
                headers.stream().map(h -> h.getKey() + ": " + h.getValue()).collect(Collectors.joining("\n"));
        String text = bodyText();
        return version + " " + status + " " + reason + "\n" + head + "\n\n"
                + (text.length() > 500 ? text.substring(0, 500) + "..." : text)
                + "\n[" + body.length + " body bytes, " + framing + (complete ? "" : ", INCOMPLETE") + "]";
    }
}
