package dev.preflight.browser;

import static dev.preflight.browser.ActualRequestScenarios.ALLOW_APP;
import static dev.preflight.browser.ActualRequestScenarios.ALLOW_OTHER;
import static dev.preflight.browser.Outcome.readable;
import static dev.preflight.browser.Outcome.typeError;
import static dev.preflight.browser.Scenario.row;
import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.testing.Behaviour;
import java.util.stream.Stream;

/**
 * Rows of {@link BrowserConformanceTest}: what the proxy does around the decision. The backend's
 * own CORS headers (C10), the proxy's own errors (C11), report-only mode (C13), a route with CORS
 * off (C3), routes, a same-origin page (C2) and a refused body (C14).
 *
 * <p>Not here: {@code allow-private-network}. This Chromium replaced Private Network Access
 * preflights with the Local Network Access permission: a page it treats as public gets its call to
 * a loopback address refused before any request is sent, so no browser row can exercise the
 * proxy's answer; the wire-level tests cover it.
 *
 * <p>The policy changed between two calls of one page (hot reload, O4) is {@link ReloadBrowserTest}:
 * it needs a proxy whose file is watched, which these rows do not have.
 */
final class ProxyScenarios {

    private static final String PUT = "cors.allowed-methods = [\"GET\", \"HEAD\", \"POST\", \"PUT\"]";
    private static final String JSON_AND_CUSTOM = "cors.allowed-headers = [\"Content-Type\", \"X-Custom\"]";
    private static final String PUT_JSON = "api + '/items/1', {method: 'PUT', headers: {'Content-Type':"
            + " 'application/json', 'X-Custom': 'yes'}, body: '{\"name\":\"box\"}'}";

    private ProxyScenarios() {}

    static Stream<Scenario> rows() {
        return Stream.of(
                row("C10: the backend's wrong CORS headers are stripped and ours let the page read")
                        .policy(ALLOW_APP)
                        .backend(
                                "/items",
                                Backends.text(
                                        "hello",
                                        "Access-Control-Allow-Origin",
                                        "http://wrong.example.test",
                                        "Access-Control-Allow-Credentials",
                                        "false"))
                        .fetch("api + '/items'")
                        .expect(readable(200).body("hello"))
                        .sent("GET /items")
                        .reached("GET /items"),
                row("C10: the backend's Access-Control-Allow-Origin: * does not leak to a disallowed origin")
                        .policy(ALLOW_OTHER)
                        .backend("/items", Backends.text("secret", "Access-Control-Allow-Origin", "*"))
                        .fetch("api + '/items'")
                        .expect(typeError())
                        .sent("GET /items")
                        .reached("GET /items"),
                row("C10: the backend's Access-Control-Allow-Credentials: true is stripped: no credentialed read"
                                + " where the policy has no credentials")
                        .policy(ALLOW_APP)
                        .backend("/me", Backends.ownCors("secret"))
                        .cookie("prx1=one")
                        .fetch("api + '/me', {credentials: 'include'}")
                        .expect(typeError())
                        .sent("GET /me")
                        .reached("GET /me"),
                row("C10: the backend's Access-Control-Expose-Headers is stripped: its header stays hidden")
                        .policy(ALLOW_APP)
                        .backend(
                                "/items",
                                Backends.text("hello", "X-Secret", "s3", "Access-Control-Expose-Headers", "X-Secret"))
                        .fetch("api + '/items'")
                        .expect(readable(200).body("hello").header("X-Secret", null))
                        .sent("GET /items")
                        .reached("GET /items"),
                row("C10: with upstream-cors-headers = preserve the backend's own CORS headers decide")
                        .policy("cors.allowed-origins = []", "cors.upstream-cors-headers = preserve")
                        .backend("/items", Backends.ownCors("from the backend"))
                        .fetch("api + '/items'")
                        .expect(readable(200).body("from the backend"))
                        .sent("GET /items")
                        .reached("GET /items"),
                row("C11: the proxy's 502 (backend down) is readable by an allowed page")
                        .policy(ALLOW_APP, downRoute())
                        .fetch("api + '/down/x'")
                        .expect(readable(502)
                                .bodyContaining("\"status\":502")
                                .header("Content-Type", "application/problem+json"))
                        .sent("GET /down/x")
                        .reached(),
                row("C11: the proxy's 502 is not readable by a disallowed page")
                        .policy(ALLOW_OTHER, downRoute())
                        .fetch("api + '/down/x'")
                        .expect(typeError())
                        .sent("GET /down/x")
                        .reached(),
                row("C11: the proxy's 504 (no answer within response-timeout) is readable by an allowed page")
                        .policy(ALLOW_APP, "upstream.response-timeout = 1s")
                        .backend("/slow", Behaviour.neverAnswer())
                        .fetch("api + '/slow'")
                        .expect(readable(504).bodyContaining("\"status\":504"))
                        .sent("GET /slow")
                        .reached("GET /slow"),
                row("C11: the proxy's 413 (body over max-body-size) is readable by an allowed page")
                        .policy(ALLOW_APP, "limits.max-body-size = 1k")
                        .fetch("api + '/upload', {method: 'POST', body: 'x'.repeat(5000)}")
                        .expect(readable(413).bodyContaining("\"status\":413"))
                        .sent("POST /upload")
                        .reached(),
                row("C13: in report-only mode the preflight reaches the backend and the backend's answer decides")
                        .policy("cors.allowed-origins = []", "cors.mode = report-only")
                        .backend("/items", Backends.ownCors("saved"))
                        .fetch(PUT_JSON)
                        .expect(readable(200).body("saved"))
                        .sent("OPTIONS /items/1", "PUT /items/1")
                        .reached("OPTIONS /items/1", "PUT /items/1")
                        .preflightsReachBackend(),
                row("C13: in report-only mode the proxy adds nothing: a backend without CORS stays unreadable")
                        .policy(ALLOW_APP, "cors.mode = report-only")
                        .backend("/items", Backends.text("hello"))
                        .fetch("api + '/items'")
                        .expect(typeError())
                        .sent("GET /items")
                        .reached("GET /items"),
                row("C3: a route with cors.enabled = false forwards the preflight to the backend")
                        .policy(ALLOW_APP, PUT, JSON_AND_CUSTOM, """
                                routes = [{ name = "legacy", path-prefix = "/legacy", cors.enabled = false }]""")
                        .fetch("api + '/legacy/1', {method: 'PUT', headers: {'X-Custom': 'yes'}, body: 'x'}")
                        .expect(typeError())
                        .sent("OPTIONS /legacy/1")
                        .reached("OPTIONS /legacy/1")
                        .preflightsReachBackend(),
                row("routes: a route's own cors block decides for its paths (/public allows any origin)")
                        .policy(ALLOW_OTHER, """
                                routes = [{ name = "public", path-prefix = "/public", cors.allowed-origins = ["*"] }]""")
                        .backend("/public", Backends.text("open"))
                        .script("const seen = await readable(await fetch(api + '/public/x'), []);\n"
                                + "seen.body += ' / ' + await fetch(api + '/private/x').then(r => 'read', e => e.name);\n"
                                + "return seen;")
                        .expect(readable(200).body("open / TypeError"))
                        .sent("GET /public/x", "GET /private/x")
                        .reached("GET /public/x", "GET /private/x"),
                row("C2: a same-origin page (loaded through the proxy) posts JSON and is never refused")
                        .policy("cors.allowed-origins = []", "cors.disallowed-origin = reject")
                        .pageThroughProxy("/page")
                        .fetch("'/items', {method: 'POST', headers: {'Content-Type': 'application/json'}, body: '{}'}")
                        .expect(readable(200).body("{}"))
                        .sent("GET /page", "POST /items")
                        .reached("GET /page", "POST /items")
                        .check((sent, reached) -> assertThat(reached.get(1).header("Origin"))
                                .isEqualTo("http://" + reached.get(1).header("Host"))),
                row("C14: a disallowed POST refused with reject gets a TypeError and its body reaches nothing")
                        .policy(ALLOW_OTHER, "cors.disallowed-origin = reject")
                        .fetch(
                                "api + '/notes', {method: 'POST', body: 'GET /smuggled HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n'}")
                        .expect(typeError())
                        .sent("POST /notes")
                        .reached());
    }

    /** A route whose upstream is a closed loopback port: connection refused, 502. */
    private static String downRoute() {
        return "routes = [{ name = \"down\", path-prefix = \"/down\", upstream.url = \"http://127.0.0.1:{closed-port}\" }]";
    }
}
