package dev.preflight.browser;

import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.browser.RecordingRelay.SentRequest;
import dev.preflight.testing.Behaviour;
import dev.preflight.testing.ProxyHarness;
import dev.preflight.testing.RecordedRequest;
import dev.preflight.testing.TestBackend;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * CORS as a real browser enforces it: headless Chromium loads a page from one origin ({@code
 * http://app.example.test:PAGE_PORT}) whose JavaScript calls the proxy on another ({@code
 * http://api.example.test:RELAY_PORT}) with {@code fetch} and {@code XMLHttpRequest}, and must see
 * exactly what PRODUCT.md promises. Each row ({@link Scenario}) gets its own proxy and backend
 * ({@link ProxyHarness}) behind its own {@link RecordingRelay}, so the suite also proves which
 * requests the browser sent (a preflight, or none because its cache answered) and which reached the
 * backend (never a preflight, C3; nothing at all for a request refused with {@code reject}).
 *
 * <p>Page and API are different origins of one site ({@code example.test}, which Chromium resolves
 * to 127.0.0.1): cookies the page sets for the site, or the API sets, are then first-party on the
 * API's credentialed calls, with no third-party-cookie rule in the way. A few rows load the page
 * from another host of the site ({@code a.b.example.test}) or through the proxy itself.
 *
 * <p>The rows are in {@link ActualRequestScenarios}, {@link OriginScenarios}, {@link
 * PreflightScenarios}, {@link CredentialScenarios} and {@link ProxyScenarios}. One browser serves
 * them all; without {@code /usr/bin/chromium} or {@code /usr/bin/chromedriver} the suite is skipped
 * with one line saying so.
 */
@Timeout(120)
@ExtendWith(ChromiumCondition.class)
class BrowserConformanceTest {

    static final String PAGE = page();

    private static final String RUN = """
            const api = arguments[0], names = arguments[1], done = arguments[arguments.length - 1];
            (async () => {
            CODE
            })().then(r => r instanceof Response ? readable(r, names) : r).then(done, e => done(failure(e)));
            """;

    private static Chromium chromium;
    private static TestBackend pages;

    /**
     * Every relay stays open until the end, so no later row can get the same port, hence the same
     * URLs, and meet an earlier row's cached preflights.
     */
    private static final List<RecordingRelay> relays = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startBrowser() throws Exception {
        pages = TestBackend.start().on("/", Behaviour.respond(200, PAGE, "Content-Type", "text/html; charset=utf-8"));
        chromium = Chromium.start(Path.of("target", "browser", "chromedriver.log"));
    }

    @AfterAll
    static void stopBrowser() throws IOException {
        try {
            for (RecordingRelay relay : relays) {
                relay.close();
            }
        } finally {
            try {
                if (chromium != null) {
                    chromium.close();
                }
            } finally {
                if (pages != null) {
                    pages.close();
                }
            }
        }
    }

    static Stream<Scenario> scenarios() {
        return Stream.of(
                        ActualRequestScenarios.rows(),
                        OriginScenarios.rows(),
                        PreflightScenarios.rows(),
                        CredentialScenarios.rows(),
                        ProxyScenarios.rows())
                .flatMap(rows -> rows);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void scenario(Scenario scenario) throws Exception {
        String[] policy =
                scenario.policy().stream().map(BrowserConformanceTest::fillIn).toArray(String[]::new);
        try (ProxyHarness proxy = ProxyHarness.start(policy)) {
            TestBackend backend = proxy.backend();
            scenario.backend().forEach(backend::on);
            RecordingRelay relay = RecordingRelay.start(proxy.address());
            relays.add(relay);
            String api = "http://" + Scenario.API_HOST + ":" + relay.port();

            if (scenario.pageThroughProxy() != null) {
                backend.on(
                        scenario.pageThroughProxy(),
                        Behaviour.respond(200, PAGE, "Content-Type", "text/html; charset=utf-8"));
                chromium.open(api + scenario.pageThroughProxy());
            } else {
                chromium.open("http://" + scenario.pageHost() + ":" + pages.port() + "/");
            }
            Map<String, Object> seen = chromium.run(
                    RUN.replace("CODE", scenario.code()),
                    api,
                    List.copyOf(scenario.expected().headerNames()));

            List<SentRequest> sent = relay.requests();
            List<RecordedRequest> reached = backend.requests();
            String context = scenario.name() + "\n" + describe(policy, sent, reached);
            scenario.expected().assertSeen(seen, context);
            assertThat(relay.problems())
                    .as("the relay followed every request\n%s", context)
                    .isEmpty();
            assertThat(sent.stream().map(SentRequest::line))
                    .as("what the browser sent to the proxy\n%s", context)
                    .containsExactlyElementsOf(scenario.expectedSent());
            assertThat(reached.stream().map(r -> r.method() + " " + r.uri()))
                    .as("what reached the backend\n%s", context)
                    .containsExactlyElementsOf(scenario.expectedReached());
            if (!scenario.forwardsPreflights()) {
                assertThat(reached)
                        .as("C3: no preflight reaches the backend\n%s", context)
                        .noneMatch(r -> r.method().equals("OPTIONS") && r.hasHeader("Access-Control-Request-Method"));
            }
            for (Scenario.Check check : scenario.checks()) {
                check.verify(sent, reached);
            }
        }
    }

    /** The page's usual origin, {@code http://app.example.test:PAGE_PORT}. */
    static String app() {
        return "http://" + Scenario.PAGE_HOST + ":" + pages.port();
    }

    private static String fillIn(String line) {
        return line.replace("{app}", app())
                .replace("{page-port}", Integer.toString(pages.port()))
                .replace("{closed-port}", Integer.toString(closedPort()));
    }

    private static String describe(String[] policy, List<SentRequest> sent, List<RecordedRequest> reached) {
        return "policy:  " + String.join(" | ", policy)
                + "\nsent:    " + sent.stream().map(SentRequest::line).toList()
                + "\nreached: "
                + reached.stream().map(r -> r.method() + " " + r.uri()).toList();
    }

    /** A loopback port that refuses connections: bound once, then released. */
    private static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String page() {
        try (InputStream in = BrowserConformanceTest.class.getResourceAsStream("/browser/page.html")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
