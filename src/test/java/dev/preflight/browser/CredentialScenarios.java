package dev.preflight.browser;

import static dev.preflight.browser.ActualRequestScenarios.ALLOW_APP;
import static dev.preflight.browser.Outcome.readable;
import static dev.preflight.browser.Outcome.typeError;
import static dev.preflight.browser.Outcome.xhrError;
import static dev.preflight.browser.Scenario.row;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;

/**
 * Rows of {@link BrowserConformanceTest}: credentialed calls ({@code credentials: 'include'},
 * {@code withCredentials}) with real cookies (C5, C8). Each row uses its own cookie name, since
 * cookies ignore ports and so outlive the row's proxy; the pages set them for the whole site
 * {@code example.test}, of which the API host is part.
 */
final class CredentialScenarios {

    private static final String CREDENTIALS = "cors.allow-credentials = true";
    private static final String PUT = "cors.allowed-methods = [\"GET\", \"HEAD\", \"POST\", \"PUT\"]";
    private static final String JSON = "cors.allowed-headers = [\"Content-Type\"]";

    private CredentialScenarios() {}

    static Stream<Scenario> rows() {
        return Stream.of(
                row("C8: a credentialed GET carries the page's cookie and the page reads the answer")
                        .policy(ALLOW_APP, CREDENTIALS)
                        .backend("/me", Backends.whoAmI())
                        .cookie("crd1=one")
                        .fetch("api + '/me', {credentials: 'include'}")
                        .expect(readable(200).bodyContaining("crd1=one"))
                        .sent("GET /me")
                        .reached("GET /me")
                        .check((sent, reached) ->
                                assertThat(reached.get(0).header("Cookie")).contains("crd1=one")),
                row("C8: without allow-credentials a credentialed GET reaches the backend but the page gets a"
                                + " TypeError")
                        .policy(ALLOW_APP)
                        .backend("/me", Backends.whoAmI())
                        .cookie("crd2=two")
                        .fetch("api + '/me', {credentials: 'include'}")
                        .expect(typeError())
                        .sent("GET /me")
                        .reached("GET /me")
                        .check((sent, reached) ->
                                assertThat(reached.get(0).header("Cookie")).contains("crd2=two")),
                row("C5: allowed-origins = [\"*\"] (no credentials) cannot serve a credentialed fetch")
                        .policy("cors.allowed-origins = [\"*\"]")
                        .backend("/me", Backends.whoAmI())
                        .cookie("crd3=three")
                        .fetch("api + '/me', {credentials: 'include'}")
                        .expect(typeError())
                        .sent("GET /me")
                        .reached("GET /me"),
                row("C5: a credentialed preflighted PUT with a cookie is allowed; only the PUT carries the cookie")
                        .policy(ALLOW_APP, CREDENTIALS, PUT, JSON)
                        .backend("/me", Backends.whoAmI())
                        .cookie("crd4=four")
                        .fetch("api + '/me', {method: 'PUT', credentials: 'include',"
                                + " headers: {'Content-Type': 'application/json'}, body: '{}'}")
                        .expect(readable(200).bodyContaining("PUT /me cookie=").bodyContaining("crd4=four"))
                        .sent("OPTIONS /me", "PUT /me")
                        .reached("PUT /me")
                        .check((sent, reached) ->
                                assertThat(sent.get(0).header("Cookie")).isNull()),
                row("C5: without allow-credentials a credentialed preflight fails and the PUT is never sent")
                        .policy(ALLOW_APP, PUT, JSON)
                        .backend("/me", Backends.whoAmI())
                        .cookie("crd5=five")
                        .fetch("api + '/me', {method: 'PUT', credentials: 'include',"
                                + " headers: {'Content-Type': 'application/json'}, body: '{}'}")
                        .expect(typeError())
                        .sent("OPTIONS /me")
                        .reached(),
                row("C8: a cookie the API sets on a credentialed response comes back on the next call")
                        .policy(ALLOW_APP, CREDENTIALS)
                        .backend(
                                "/login", Backends.text("welcome", "Set-Cookie", "crd6=from-api; Path=/; SameSite=Lax"))
                        .backend("/me", Backends.whoAmI())
                        .script("await fetch(api + '/login', {credentials: 'include'});\n"
                                + "return fetch(api + '/me', {credentials: 'include'});")
                        .expect(readable(200).bodyContaining("crd6=from-api"))
                        .sent("GET /login", "GET /me")
                        .reached("GET /login", "GET /me"),
                row("C8: a fetch without credentials: 'include' carries no cookie, even where credentials are on")
                        .policy(ALLOW_APP, CREDENTIALS)
                        .backend("/me", Backends.whoAmI())
                        .cookie("crd7=seven")
                        .fetch("api + '/me'")
                        .expect(readable(200).body("GET /me cookie=none"))
                        .sent("GET /me")
                        .reached("GET /me"),
                row("C8: XMLHttpRequest withCredentials carries the cookie and reads the answer")
                        .policy(ALLOW_APP, CREDENTIALS)
                        .backend("/me", Backends.whoAmI())
                        .cookie("crd8=eight")
                        .script("return xhr('GET', api + '/me', {withCredentials: true});")
                        .expect(readable(200).bodyContaining("crd8=eight"))
                        .sent("GET /me")
                        .reached("GET /me"),
                row("C8: XMLHttpRequest withCredentials without allow-credentials gets the error event")
                        .policy(ALLOW_APP)
                        .backend("/me", Backends.whoAmI())
                        .cookie("crd9=nine")
                        .script("return xhr('GET', api + '/me', {withCredentials: true});")
                        .expect(xhrError())
                        .sent("GET /me")
                        .reached("GET /me"));
    }
}
