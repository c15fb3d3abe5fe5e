package dev.preflight.browser;

import static dev.preflight.browser.Outcome.readable;
import static dev.preflight.browser.Outcome.typeError;
import static dev.preflight.browser.Scenario.row;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;

/** Rows of {@link BrowserConformanceTest}: which page origins match the policy's entries (C12). */
final class OriginScenarios {

    private static final String WILDCARD = "cors.allowed-origins = [\"http://*.example.test:{page-port}\"]";

    private OriginScenarios() {}

    static Stream<Scenario> rows() {
        return Stream.of(
                row("C12: http://*.example.test matches a page on http://a.b.example.test")
                        .policy(WILDCARD)
                        .pageOn("a.b.example.test")
                        .backend("/items", Backends.text("hello"))
                        .fetch("api + '/items'")
                        .expect(readable(200).body("hello"))
                        .sent("GET /items")
                        .reached("GET /items")
                        .check((sent, reached) ->
                                assertThat(sent.get(0).header("Origin")).startsWith("http://a.b.example.test:")),
                row("C12: http://*.example.test does not match a page on http://example.test itself")
                        .policy(WILDCARD)
                        .pageOn("example.test")
                        .backend("/items", Backends.text("secret"))
                        .fetch("api + '/items'")
                        .expect(typeError())
                        .sent("GET /items")
                        .reached("GET /items"),
                row("C12: http://app.example.test:* matches the page whatever its port")
                        .policy("cors.allowed-origins = [\"http://app.example.test:*\"]")
                        .backend("/items", Backends.text("hello"))
                        .fetch("api + '/items'")
                        .expect(readable(200).body("hello"))
                        .sent("GET /items")
                        .reached("GET /items"),
                row("C12: an exact entry compares the port exactly: another port does not match")
                        .policy("cors.allowed-origins = [\"http://app.example.test:1\"]")
                        .backend("/items", Backends.text("secret"))
                        .fetch("api + '/items'")
                        .expect(typeError())
                        .sent("GET /items")
                        .reached("GET /items"),
                row("C12: an exact entry compares the scheme: https does not match the http page")
                        .policy("cors.allowed-origins = [\"https://app.example.test:{page-port}\"]")
                        .backend("/items", Backends.text("secret"))
                        .fetch("api + '/items'")
                        .expect(typeError())
                        .sent("GET /items")
                        .reached("GET /items"),
                row("C12: host case does not matter, and the answer echoes the page's Origin verbatim")
                        .policy("cors.allowed-origins = [\"http://APP.Example.TEST:{page-port}\"]")
                        .backend("/items", Backends.text("hello"))
                        .fetch("api + '/items'")
                        .expect(readable(200).body("hello"))
                        .sent("GET /items")
                        .reached("GET /items"),
                row("C12: an allowed-origin-regexes entry that matches the whole origin allows it")
                        .policy("cors.allowed-origin-regexes = [\"http://[a-z]+[.]example[.]test:[0-9]+\"]")
                        .backend("/items", Backends.text("hello"))
                        .fetch("api + '/items'")
                        .expect(readable(200).body("hello"))
                        .sent("GET /items")
                        .reached("GET /items"),
                row("C12: a regex that matches only part of the origin (no port) does not allow it")
                        .policy("cors.allowed-origin-regexes = [\"http://app[.]example[.]test\"]")
                        .backend("/items", Backends.text("secret"))
                        .fetch("api + '/items'")
                        .expect(typeError())
                        .sent("GET /items")
                        .reached("GET /items"),
                row("C12: Origin null (a sandboxed frame) is not covered by allowed-origins = [\"*\"]")
                        .policy("cors.allowed-origins = [\"*\"]")
                        .backend("/items", Backends.text("secret"))
                        .script("return fetchFromOpaqueOrigin(api + '/items');")
                        .expect(typeError())
                        .sent("GET /items")
                        .reached("GET /items")
                        .check((sent, reached) ->
                                assertThat(sent.get(0).header("Origin")).isEqualTo("null")),
                row("C12: Origin null (a sandboxed frame) is allowed when \"null\" is listed")
                        .policy("cors.allowed-origins = [\"null\"]")
                        .backend("/items", Backends.text("hello"))
                        .script("return fetchFromOpaqueOrigin(api + '/items');")
                        .expect(readable(200).body("hello"))
                        .sent("GET /items")
                        .reached("GET /items")
                        .check((sent, reached) ->
                                assertThat(sent.get(0).header("Origin")).isEqualTo("null")));
    }
}
