package dev.preflight.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.preflight.cli.Arguments;
import dev.preflight.cli.ExplainCommand;
import dev.preflight.cli.Explainer;
import dev.preflight.cli.ExplanationText;
import dev.preflight.config.Settings;
import dev.preflight.policy.CorsDecision;
import dev.preflight.policy.FetchMetadataPolicy.Verdict;
import dev.preflight.policy.Reason;
import dev.preflight.policy.SecFetch;
import dev.preflight.testing.ProxyHarness;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code explain} decides through the same route decision as the proxy, fetch metadata included (F1-F4). */
class FetchMetadataExplainTest {
    private static final String APP = "https://app.example.com";
    private static final SecFetch IMAGE = new SecFetch("cross-site", "no-cors", "image");
    private static final String[] POLICY = {
        "cors.allowed-origins = [\"" + APP + "\"]",
        "fetch-metadata { enabled = true, exempt-path-prefixes = [\"/embed\"] }",
        "routes = [ { name = raw, path-prefix = \"/raw\", cors.enabled = false },"
                + " { name = trial, path-prefix = \"/trial\", fetch-metadata.mode = report-only } ]"
    };

    @Test
    @DisplayName("F4: a cross-site <img> is explained as refused with 403, reason fetch-metadata")
    void refused() throws Exception {
        Explainer.Question question = question("/pixel.png", IMAGE);
        Explainer.Explanation e = explainer().explain(question);

        assertThat(e.fetchMetadata()).isEqualTo(Verdict.REFUSED);
        assertThat(e.decision().outcome()).isEqualTo(CorsDecision.Outcome.REJECTED);
        assertThat(e.decision().reason()).isEqualTo(Reason.FETCH_METADATA);
        assertThat(e.status()).isEqualTo(403);
        assertThat(e.mode()).isEqualTo("enforce");
        // O1: every header of the 403, its problem body's included, as the proxy writes them.
        assertThat(e.headers())
                .contains(
                        Map.entry("Vary", "Origin, Sec-Fetch-Site, Sec-Fetch-Mode, Sec-Fetch-Dest"),
                        Map.entry("content-type", "application/problem+json"))
                .anySatisfy(h -> assertThat(h.getKey()).isEqualToIgnoringCase("content-length"))
                .noneSatisfy(h -> assertThat(h.getKey()).startsWithIgnoringCase("access-control-"));
        assertThat(ExplanationText.render(question, e))
                .contains("(Sec-Fetch site=cross-site, mode=no-cors, dest=image)")
                .contains("fetch:     refused (F4)")
                .contains("reason:    fetch-metadata (site=cross-site, mode=no-cors, dest=image)")
                .contains("answer:    403 from the proxy");
    }

    @Test
    @DisplayName("F3: a cors-mode GET is left to CORS; the answer varies on Origin and Sec-Fetch-*")
    void corsMode() throws Exception {
        Explainer.Explanation e = explainer()
                .explain(new Explainer.Question(
                        APP,
                        "GET",
                        List.of(),
                        "/data",
                        "api",
                        false,
                        new SecFetch("cross-site", "cors", "empty"),
                        null,
                        false,
                        false));

        assertThat(e.fetchMetadata()).isEqualTo(Verdict.ALLOWED);
        assertThat(e.decision().reason()).isEqualTo(Reason.ALLOWED);
        assertThat(e.headers())
                .containsExactly(
                        Map.entry("Access-Control-Allow-Origin", APP),
                        Map.entry("Vary", "Origin, Sec-Fetch-Site, Sec-Fetch-Mode, Sec-Fetch-Dest"));
    }

    @Test
    @DisplayName("F: exempt paths, routes with CORS disabled and report-only routes are explained as the proxy acts")
    void perRoute() throws Exception {
        Explainer explainer = explainer();
        Explainer.Explanation exempt = explainer.explain(question("/embed/x", IMAGE));
        Explainer.Explanation raw = explainer.explain(question("/raw/x", IMAGE));
        Explainer.Explanation rawNavigation =
                explainer.explain(question("/raw/x", new SecFetch("cross-site", "navigate", "document")));
        Explainer.Question trialQuestion = question("/trial/x", IMAGE);
        Explainer.Explanation trial = explainer.explain(trialQuestion);

        assertThat(exempt.fetchMetadata()).isEqualTo(Verdict.NOT_CHECKED);
        assertThat(exempt.headers()).containsExactly(Map.entry("Vary", "Origin"));
        assertThat(raw.fetchMetadata()).isEqualTo(Verdict.REFUSED);
        assertThat(raw.status()).isEqualTo(403);
        assertThat(raw.decision().kind()).isEqualTo(CorsDecision.Kind.NONE); // CORS is off there
        assertThat(rawNavigation.decision()).isNull();
        assertThat(rawNavigation.mode()).isEqualTo("disabled");
        assertThat(rawNavigation.headers())
                .containsExactly(Map.entry("Vary", "Sec-Fetch-Site, Sec-Fetch-Mode, Sec-Fetch-Dest"));
        assertThat(trial.fetchMetadata()).isEqualTo(Verdict.WOULD_REFUSE);
        assertThat(trial.status()).isZero();
        assertThat(ExplanationText.render(trialQuestion, trial)).contains("fetch:     would refuse (F4), report-only");
    }

    @Test
    @DisplayName("F4: preflight explain --sec-fetch-* exits 2 for a refusal, 0 for a navigation")
    void command(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("application.conf");
        Files.writeString(config, ProxyHarness.hocon("http://127.0.0.1:3000", 8080, POLICY));

        Run refused = explain(config, "POST", "--sec-fetch-site", "cross-site", "--sec-fetch-mode", "no-cors");
        Run navigation = explain(
                config, "GET", "--sec-fetch-site=cross-site", "--sec-fetch-mode=navigate", "--sec-fetch-dest=document");

        assertThat(refused.exit()).as(refused.out()).isEqualTo(2);
        assertThat(refused.out())
                .contains("fetch:     refused (F4)", "reason:    fetch-metadata (site=cross-site, mode=no-cors)");
        assertThat(navigation.exit()).as(navigation.out()).isZero();
        assertThat(navigation.out()).contains("fetch:     allowed (F1-F3)");
    }

    @Test
    @DisplayName("P5, O1: explain exits 2 for a path the proxy answers 400 itself, as for any refusal")
    void refusedPathExitsTwo(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("application.conf");
        Files.writeString(config, ProxyHarness.hocon("http://127.0.0.1:3000", 8080, POLICY));

        Run refused = explain(config, "GET", "--path", "/a%2Fb");

        assertThat(refused.out()).contains("400");
        assertThat(refused.exit()).as(refused.out()).isEqualTo(2);
    }

    @Test
    @DisplayName("O1: explain refuses, exit 2 and one line, a question the proxy could never be asked")
    void contradictionsExitTwo(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("application.conf");
        Files.writeString(config, ProxyHarness.hocon("http://127.0.0.1:3000", 8080, POLICY));

        for (String[] question :
                List.of(new String[] {"GET", "--private-network"}, new String[] {"POST", "--websocket"}, new String[] {
                    "GET", "--websocket", "--preflight"
                })) {
            Run refused = explain(config, question[0], java.util.Arrays.copyOfRange(question, 1, question.length));

            assertThat(refused.exit()).as(refused.out()).isEqualTo(2);
            assertThat(refused.out())
                    .as(refused.out())
                    .startsWith("preflight: ")
                    .doesNotContain("route:");
        }
    }

    @Test
    @DisplayName("--sec-fetch-* belong to explain")
    void usage() {
        assertThatThrownBy(() -> Arguments.parse("check", "--sec-fetch-site", "cross-site"))
                .hasMessageContaining("belong to explain");
    }

    @Test
    @DisplayName("F1: a mode or dest without a site is explained as the proxy reads it, as no Sec-Fetch-* at all"
            + " (a client can send it; explain refused the question, /explain answered it)")
    void modeWithoutSite(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("application.conf");
        Files.writeString(config, ProxyHarness.hocon("http://127.0.0.1:3000", 8080, POLICY));

        Run modeOnly = explain(config, "POST", "--sec-fetch-mode", "no-cors", "--sec-fetch-dest", "image");
        Run none = explain(config, "POST");

        assertThat(modeOnly.exit()).as(modeOnly.out()).isEqualTo(none.exit());
        assertThat(modeOnly.out()).isEqualTo(none.out());
    }

    private record Run(int exit, String out) {}

    private static Run explain(Path config, String method, String... secFetch) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> args = new java.util.ArrayList<>(
                List.of("explain", "--config", config.toString(), "--origin", APP, "--method", method));
        args.addAll(List.of(secFetch));
        int exit = new ExplainCommand(
                        Map.of(),
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8))
                .run(Arguments.parse(args.toArray(String[]::new)));
        return new Run(exit, out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8));
    }

    private static Explainer explainer() throws Exception {
        Settings settings = ProxyHarness.settings("http://127.0.0.1:3000", POLICY);
        return new Explainer(settings);
    }

    private static Explainer.Question question(String path, SecFetch secFetch) {
        return new Explainer.Question(
                "https://other.example", "GET", List.of(), path, "api", false, secFetch, null, false, false);
    }
}
