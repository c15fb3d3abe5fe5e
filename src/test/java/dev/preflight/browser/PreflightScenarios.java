package dev.preflight.browser;

import static dev.preflight.browser.ActualRequestScenarios.ALLOW_APP;
import static dev.preflight.browser.ActualRequestScenarios.ALLOW_OTHER;
import static dev.preflight.browser.Outcome.readable;
import static dev.preflight.browser.Outcome.typeError;
import static dev.preflight.browser.Outcome.xhrError;
import static dev.preflight.browser.Scenario.row;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;

/**
 * Rows of {@link BrowserConformanceTest}: calls the browser preflights, what the preflight may ask
 * (C4), how its answer lets the call through and is cached (C5), and that it never reaches the
 * backend (C3, checked on every row).
 */
final class PreflightScenarios {

    private static final String PUT = "cors.allowed-methods = [\"GET\", \"HEAD\", \"POST\", \"PUT\"]";
    private static final String JSON_AND_CUSTOM = "cors.allowed-headers = [\"Content-Type\", \"X-Custom\"]";

    /** A PUT with a JSON body and a custom header: preflighted for three reasons at once. */
    private static final String PUT_JSON = "api + '/items/1', {method: 'PUT', headers: {'Content-Type':"
            + " 'application/json', 'X-Custom': 'yes'}, body: '{\"name\":\"box\"}'}";

    private PreflightScenarios() {}

    static Stream<Scenario> rows() {
        return Stream.of(
                row("C4: preflighted PUT with Content-Type: application/json and X-Custom is allowed")
                        .policy(ALLOW_APP, PUT, JSON_AND_CUSTOM)
                        .fetch(PUT_JSON)
                        .expect(readable(200).body("{\"name\":\"box\"}"))
                        .sent("OPTIONS /items/1", "PUT /items/1")
                        .reached("PUT /items/1")
                        .check((sent, reached) -> {
                            assertThat(sent.get(0).header("Access-Control-Request-Method"))
                                    .isEqualTo("PUT");
                            assertThat(sent.get(0).header("Access-Control-Request-Headers"))
                                    .isEqualTo("content-type,x-custom");
                            assertThat(reached.get(0).header("X-Custom")).isEqualTo("yes");
                        }),
                row("C4: a request header that is not allowed fails the preflight; the PUT is never sent")
                        .policy(ALLOW_APP, PUT, "cors.allowed-headers = [\"Content-Type\"]")
                        .fetch(PUT_JSON)
                        .expect(typeError())
                        .sent("OPTIONS /items/1")
                        .reached(),
                row("C4: a method that is not allowed (DELETE) fails the preflight")
                        .policy(ALLOW_APP, PUT)
                        .fetch("api + '/items/1', {method: 'DELETE'}")
                        .expect(typeError())
                        .sent("OPTIONS /items/1")
                        .reached(),
                row("C4: a preflight from a disallowed origin fails")
                        .policy(ALLOW_OTHER, PUT, JSON_AND_CUSTOM)
                        .fetch(PUT_JSON)
                        .expect(typeError())
                        .sent("OPTIONS /items/1")
                        .reached(),
                row("C4: a POST with Content-Type: application/json needs Content-Type in allowed-headers")
                        .policy(ALLOW_APP)
                        .fetch("api + '/items', {method: 'POST', headers: {'Content-Type': 'application/json'},"
                                + " body: '{}'}")
                        .expect(typeError())
                        .sent("OPTIONS /items")
                        .reached(),
                row("C4: header names compare case-insensitively (x-custom allows X-Custom)")
                        .policy(ALLOW_APP, "cors.allowed-headers = [\"x-custom\"]")
                        .fetch("api + '/items', {headers: {'X-Custom': 'yes'}}")
                        .expect(readable(200))
                        .sent("OPTIONS /items", "GET /items")
                        .reached("GET /items"),
                row("C4: allowed-headers = [\"*\"] allows any custom header")
                        .policy(ALLOW_APP, "cors.allowed-headers = [\"*\"]")
                        .fetch("api + '/items', {headers: {'X-Custom': 'yes', 'X-Trace': '1'}}")
                        .expect(readable(200))
                        .sent("OPTIONS /items", "GET /items")
                        .reached("GET /items"),
                row("C4: allowed-headers = [\"*\"] never covers Authorization")
                        .policy(ALLOW_APP, "cors.allowed-headers = [\"*\"]")
                        .fetch("api + '/items', {headers: {'Authorization': 'Bearer t0ken', 'X-Custom': 'yes'}}")
                        .expect(typeError())
                        .sent("OPTIONS /items")
                        .reached(),
                row("C4: allowed-methods = [\"*\"] allows PATCH")
                        .policy(ALLOW_APP, "cors.allowed-methods = [\"*\"]")
                        .fetch("api + '/items/1', {method: 'PATCH', body: 'x'}")
                        .expect(readable(200).body("x"))
                        .sent("OPTIONS /items/1", "PATCH /items/1")
                        .reached("PATCH /items/1"),
                row("C4: methods are case-sensitive: PATCH allowed does not allow patch")
                        .policy(ALLOW_APP, "cors.allowed-methods = [\"PATCH\"]")
                        .fetch("api + '/items/1', {method: 'patch', body: 'x'}")
                        .expect(typeError())
                        .sent("OPTIONS /items/1")
                        .reached()
                        .check((sent, reached) -> assertThat(sent.get(0).header("Access-Control-Request-Method"))
                                .isEqualTo("patch")),
                row("C5: preflight-status = 200 answers preflights the browser accepts")
                        .policy(ALLOW_APP, PUT, JSON_AND_CUSTOM, "cors.preflight-status = 200")
                        .fetch(PUT_JSON)
                        .expect(readable(200).body("{\"name\":\"box\"}"))
                        .sent("OPTIONS /items/1", "PUT /items/1")
                        .reached("PUT /items/1"),
                row("C5: max-age lets the browser cache the preflight: the second PUT sends no OPTIONS")
                        .policy(ALLOW_APP, PUT, JSON_AND_CUSTOM, "cors.max-age = 10m")
                        .script("await fetch(" + PUT_JSON + ");\nreturn fetch(" + PUT_JSON + ");")
                        .expect(readable(200).body("{\"name\":\"box\"}"))
                        .sent("OPTIONS /items/1", "PUT /items/1", "PUT /items/1")
                        .reached("PUT /items/1", "PUT /items/1"),
                row("C5: max-age = 0s makes the browser preflight every call")
                        .policy(ALLOW_APP, PUT, JSON_AND_CUSTOM, "cors.max-age = 0s")
                        .script("await fetch(" + PUT_JSON + ");\nreturn fetch(" + PUT_JSON + ");")
                        .expect(readable(200).body("{\"name\":\"box\"}"))
                        .sent("OPTIONS /items/1", "PUT /items/1", "OPTIONS /items/1", "PUT /items/1")
                        .reached("PUT /items/1", "PUT /items/1"),
                row("C4: XMLHttpRequest's preflighted PUT with a custom header is allowed")
                        .policy(ALLOW_APP, PUT, JSON_AND_CUSTOM)
                        .script("return xhr('PUT', api + '/items/1', {headers: {'X-Custom': 'yes'}, body: 'x'});")
                        .expect(readable(200).body("x"))
                        .sent("OPTIONS /items/1", "PUT /items/1")
                        .reached("PUT /items/1"),
                row("C4: XMLHttpRequest's preflight for a header not allowed gets the error event")
                        .policy(ALLOW_APP, PUT)
                        .script("return xhr('PUT', api + '/items/1', {headers: {'X-Custom': 'yes'}, body: 'x'});")
                        .expect(xhrError())
                        .sent("OPTIONS /items/1")
                        .reached());
    }
}
