package dev.preflight.browser;

import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.browser.RecordingRelay.SentRequest;
import dev.preflight.testing.Await;
import dev.preflight.testing.Behaviour;
import dev.preflight.testing.ProxyHarness;
import dev.preflight.testing.TestBackend;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Fetch metadata (F1-F4) as headless Chromium exercises it: a page on another site posts a form to
 * the API and loads an {@code <img>} and a {@code <script>} from it, and the proxy refuses all three
 * before the backend; a {@code fetch} from an allowed origin and a top-level navigation from the other
 * site still get through. The {@link RecordingRelay} in front of the proxy proves what the browser
 * sent, {@code Sec-Fetch-*} headers included; the backend's own log proves what reached it.
 *
 * <p>The API is addressed as {@code http://127.0.0.1:PORT}: Chromium sends {@code Sec-Fetch-*} only
 * to potentially trustworthy URLs (HTTPS, loopback), so not to {@code http://api.example.test}. The
 * pages come from {@code http://evil.example.test:PAGE_PORT} (another site, not an allowed origin) and
 * {@code http://app.example.test:PAGE_PORT} (the allowed origin), both cross-site to 127.0.0.1.
 */
@Timeout(120)
class FetchMetadataBrowserTest {

    private static final String PAGE = """
            <!doctype html>
            <html>
            <head><meta charset="utf-8"><link rel="icon" href="data:,"><title>a page</title></head>
            <body>
            <form id="transfer" method="POST"><input name="amount" value="1000"><input name="to" value="mallory"></form>
            <a id="link">the API</a>
            <script>
            // Adds an <img> or <script> for url and says whether it loaded.
            function load(tag, url) {
              return new Promise(resolve => {
                const element = document.createElement(tag);
                element.onload = () => resolve('loaded');
                element.onerror = () => resolve('error');
                element.src = url;
                document.body.appendChild(element);
              });
            }
            </script>
            </body>
            </html>
            """;

    private static final String SVG = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"1\" height=\"1\"/>";

    private static Chromium chromium;
    private static TestBackend pages;
    private static ProxyHarness proxy;
    private static RecordingRelay relay;
    /** The API as the pages call it: the relay in front of the proxy. */
    private static String api;

    @BeforeAll
    static void start() throws Exception {
        // Surefire shows nothing of a class aborted in @BeforeAll, so the reason is printed as well.
        Chromium.unavailable().ifPresent(reason -> {
            System.err.println(FetchMetadataBrowserTest.class.getSimpleName() + ": " + reason);
            Assumptions.abort(reason);
        });
        pages = TestBackend.start().on("/", Behaviour.respond(200, PAGE, "Content-Type", "text/html; charset=utf-8"));
        proxy = ProxyHarness.start(
                "cors { allowed-origins = [\"" + app() + "\"] }",
                "fetch-metadata { enabled = true, exempt-path-prefixes = [\"/public\"] }");
        proxy.backend()
                .on("/", Behaviour.respond(200, "from the backend", "Content-Type", "text/plain; charset=utf-8"))
                .on("/pixel.svg", Behaviour.respond(200, SVG, "Content-Type", "image/svg+xml"))
                .on("/public", Behaviour.respond(200, SVG, "Content-Type", "image/svg+xml"))
                .on("/widget.js", Behaviour.respond(200, "window.included = true;", "Content-Type", "text/javascript"))
                .on(
                        "/landing",
                        Behaviour.respond(
                                200,
                                "<!doctype html><link rel=\"icon\" href=\"data:,\"><p>landed on the API</p>",
                                "Content-Type",
                                "text/html; charset=utf-8"));
        relay = RecordingRelay.start(proxy.address());
        api = "http://127.0.0.1:" + relay.port();
        chromium = Chromium.start(Path.of("target", "browser", "fetch-metadata-chromedriver.log"));
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (chromium != null) {
                chromium.close();
            }
        } finally {
            if (relay != null) {
                relay.close();
            }
            if (proxy != null) {
                proxy.close();
            }
            if (pages != null) {
                pages.close();
            }
        }
    }

    @Test
    @DisplayName("F4: a form POST from another site is refused with 403 before the backend")
    void crossSiteFormPost() {
        chromium.open(evil());
        chromium.run("""
                const form = document.getElementById('transfer'), done = arguments[arguments.length - 1];
                form.action = arguments[0] + '/orders';
                done({});
                setTimeout(() => form.submit(), 0);
                """, api);
        Map<String, Object> landed = awaitDocument(api + "/orders");

        assertThat(String.valueOf(landed.get("text"))).contains("\"status\":403", "fetch-metadata");
        assertThat(sent("POST", "/orders")).satisfies(request -> assertSecFetch(request, "navigate", "document"));
        assertThat(sent("POST", "/orders").header("Origin")).isEqualTo(evilOrigin());
        // The tab shows the answer, so a forwarded request would already be in the backend's log.
        assertThat(proxy.backend().sawRequestFor("/orders")).isFalse();
    }

    @Test
    @DisplayName("F4: an <img> and a <script> from another site are refused before the backend; an exempt path loads")
    void crossSiteSubresources() {
        chromium.open(evil());
        Map<String, Object> seen = chromium.run("""
                const api = arguments[0], done = arguments[arguments.length - 1];
                Promise.all([load('img', api + '/pixel.svg'), load('script', api + '/widget.js'),
                    load('img', api + '/public/logo.svg')])
                  .then(([image, script, exempt]) => done({image, script, exempt, included: !!window.included}));
                """, api);

        assertThat(seen)
                .containsEntry("image", "error")
                .containsEntry("script", "error")
                .containsEntry("included", false)
                .containsEntry("exempt", "loaded");
        assertThat(sent("GET", "/pixel.svg")).satisfies(request -> assertSecFetch(request, "no-cors", "image"));
        assertThat(sent("GET", "/widget.js")).satisfies(request -> assertSecFetch(request, "no-cors", "script"));
        assertThat(sent("GET", "/public/logo.svg")).satisfies(request -> assertSecFetch(request, "no-cors", "image"));
        // All three were answered before the page reported, so the backend's log is final for them.
        assertThat(proxy.backend().sawRequestFor("/public/logo.svg")).isTrue();
        assertThat(proxy.backend().sawRequestFor("/pixel.svg")).isFalse();
        assertThat(proxy.backend().sawRequestFor("/widget.js")).isFalse();
    }

    @Test
    @DisplayName("F3: a fetch from an allowed origin still works, and CORS lets the page read it")
    void fetchFromAllowedOrigin() {
        chromium.open(app() + "/app");
        Map<String, Object> seen = chromium.run("""
                const done = arguments[arguments.length - 1];
                fetch(arguments[0] + '/data.json')
                  .then(async r => done({status: r.status, body: await r.text()}),
                        e => done({error: String(e)}));
                """, api);

        assertThat(seen).containsEntry("status", 200L).containsEntry("body", "from the backend");
        assertThat(sent("GET", "/data.json")).satisfies(request -> assertSecFetch(request, "cors", "empty"));
        assertThat(proxy.backend().awaitRequest("/data.json").header("Origin")).isEqualTo(app());
    }

    @Test
    @DisplayName("F2: a top-level navigation from another site still loads")
    void crossSiteNavigation() {
        chromium.open(evil());
        chromium.run("""
                const link = document.getElementById('link'), done = arguments[arguments.length - 1];
                link.href = arguments[0] + '/landing';
                done({});
                setTimeout(() => link.click(), 0);
                """, api);
        Map<String, Object> landed = awaitDocument(api + "/landing");

        assertThat(String.valueOf(landed.get("text"))).contains("landed on the API");
        assertThat(sent("GET", "/landing")).satisfies(request -> assertSecFetch(request, "navigate", "document"));
        assertThat(proxy.backend().awaitRequest("/landing").header("Sec-Fetch-Site"))
                .isEqualTo("cross-site");
    }

    /** The page on the other site: not an allowed origin. */
    private static String evil() {
        return evilOrigin() + "/evil";
    }

    private static String evilOrigin() {
        return "http://evil.example.test:" + pages.port();
    }

    /** The allowed origin. */
    private static String app() {
        return "http://app.example.test:" + pages.port();
    }

    /**
     * Waits until the tab shows the document at {@code url} and returns its text. While the tab
     * navigates, a script may find no page to run in; that counts as not there yet.
     */
    private static Map<String, Object> awaitDocument(String url) {
        return Await.value("the tab shows " + url, () -> {
            try {
                Map<String, Object> page = chromium.run("""
                        const done = arguments[arguments.length - 1];
                        done({href: location.href, ready: document.readyState,
                              text: document.body ? document.body.innerText : ''});
                        """);
                return url.equals(page.get("href")) && "complete".equals(page.get("ready")) ? page : null;
            } catch (RuntimeException e) {
                return null;
            }
        });
    }

    /** The one request the browser sent for {@code method path}, waiting for it to arrive. */
    private static SentRequest sent(String method, String path) {
        return Await.value(
                "the browser sent " + method + " " + path,
                () -> relay.requests().stream()
                        .filter(r -> r.method().equals(method) && r.target().equals(path))
                        .findFirst()
                        .orElse(null));
    }

    private static void assertSecFetch(SentRequest request, String mode, String dest) {
        List<String> seen = List.of(
                String.valueOf(request.header("Sec-Fetch-Site")),
                String.valueOf(request.header("Sec-Fetch-Mode")),
                String.valueOf(request.header("Sec-Fetch-Dest")));
        assertThat(seen).as("Sec-Fetch-* of %s", request.line()).containsExactly("cross-site", mode, dest);
    }
}
