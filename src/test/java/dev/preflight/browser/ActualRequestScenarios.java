package dev.preflight.browser;

import static dev.preflight.browser.Outcome.readable;
import static dev.preflight.browser.Outcome.typeError;
import static dev.preflight.browser.Outcome.xhrError;
import static dev.preflight.browser.Scenario.row;

import java.util.stream.Stream;

/** Rows of {@link BrowserConformanceTest}: requests that need no preflight (C8, C9). */
final class ActualRequestScenarios {

    static final String ALLOW_APP = "cors.allowed-origins = [\"{app}\"]";
    static final String ALLOW_OTHER = "cors.allowed-origins = [\"http://other.example.test:{page-port}\"]";

    private ActualRequestScenarios() {}

    static Stream<Scenario> rows() {
        return Stream.of(
                row("C8: a simple GET from an allowed origin is readable")
                        .policy(ALLOW_APP)
                        .backend("/items", Backends.text("hello"))
                        .fetch("api + '/items'")
                        .expect(readable(200).body("hello").header("Content-Type", "text/plain; charset=utf-8"))
                        .sent("GET /items")
                        .reached("GET /items"),
                row("C9: a simple GET from a disallowed origin reaches the backend but the page gets a TypeError")
                        .policy(ALLOW_OTHER)
                        .backend("/items", Backends.text("secret"))
                        .fetch("api + '/items'")
                        .expect(typeError())
                        .sent("GET /items")
                        .reached("GET /items"),
                row("C9: with disallowed-origin = reject a disallowed GET never reaches the backend")
                        .policy(ALLOW_OTHER, "cors.disallowed-origin = reject")
                        .backend("/items", Backends.text("secret"))
                        .fetch("api + '/items'")
                        .expect(typeError())
                        .sent("GET /items")
                        .reached(),
                row("C9: with disallowed-origin = reject an allowed GET still passes")
                        .policy(ALLOW_APP, "cors.disallowed-origin = reject")
                        .backend("/items", Backends.text("hello"))
                        .fetch("api + '/items'")
                        .expect(readable(200).body("hello"))
                        .sent("GET /items")
                        .reached("GET /items"),
                row("C8: a POST with Content-Type: text/plain goes without a preflight and is readable")
                        .policy(ALLOW_APP)
                        .fetch("api + '/notes', {method: 'POST', headers: {'Content-Type': 'text/plain'},"
                                + " body: 'a note'}")
                        .expect(readable(200).body("a note"))
                        .sent("POST /notes")
                        .reached("POST /notes"),
                row("C5: allowed-origins = [\"*\"] without credentials lets any page read")
                        .policy("cors.allowed-origins = [\"*\"]")
                        .backend("/public", Backends.text("for everyone"))
                        .fetch("api + '/public'")
                        .expect(readable(200).body("for everyone"))
                        .sent("GET /public")
                        .reached("GET /public"),
                row("C8: exposed-headers lets the page read a listed response header")
                        .policy(ALLOW_APP, "cors.exposed-headers = [\"X-Request-Id\"]")
                        .backend("/items", Backends.text("hello", "X-Request-Id", "42", "X-Other", "7"))
                        .fetch("api + '/items'")
                        .expect(readable(200).header("X-Request-Id", "42").header("X-Other", null))
                        .sent("GET /items")
                        .reached("GET /items"),
                row("C8: a response header not listed in exposed-headers stays hidden from the page")
                        .policy(ALLOW_APP)
                        .backend("/items", Backends.text("hello", "X-Request-Id", "42"))
                        .fetch("api + '/items'")
                        .expect(readable(200).body("hello").header("X-Request-Id", null))
                        .sent("GET /items")
                        .reached("GET /items"),
                row("C8: exposed-headers = [\"*\"] without credentials exposes every response header")
                        .policy(ALLOW_APP, "cors.exposed-headers = [\"*\"]")
                        .backend("/items", Backends.text("hello", "X-Request-Id", "42", "X-Other", "7"))
                        .fetch("api + '/items'")
                        .expect(readable(200).header("X-Request-Id", "42").header("X-Other", "7"))
                        .sent("GET /items")
                        .reached("GET /items"),
                row("C8: XMLHttpRequest from an allowed origin reads the body and an exposed header")
                        .policy(ALLOW_APP, "cors.exposed-headers = [\"X-Request-Id\"]")
                        .backend("/items", Backends.text("hello", "X-Request-Id", "42"))
                        .script("return xhr('GET', api + '/items', {read: ['X-Request-Id']});")
                        .expect(readable(200).body("hello").header("X-Request-Id", "42"))
                        .sent("GET /items")
                        .reached("GET /items"),
                row("C9: XMLHttpRequest from a disallowed origin gets the error event")
                        .policy(ALLOW_OTHER)
                        .backend("/items", Backends.text("secret"))
                        .script("return xhr('GET', api + '/items');")
                        .expect(xhrError())
                        .sent("GET /items")
                        .reached("GET /items"));
    }
}
