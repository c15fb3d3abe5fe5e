package dev.preflight.config;

import static dev.preflight.config.ConfigFixtures.preflight;
import static dev.preflight.config.ConfigFixtures.problems;
import static dev.preflight.config.ConfigFixtures.valid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.preflight.policy.CorsSettings;
import dev.preflight.policy.FetchMetadataSettings;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    private static final String MINIMAL = "preflight { upstream.url = \"http://127.0.0.1:3000\" }";

    @TempDir
    Path dir;

    @Test
    void aMinimalConfigGetsEveryDefaultOfProductMd() {
        Instant before = Instant.now();
        Settings settings = valid(MINIMAL);

        assertThat(settings.file()).isEmpty();
        assertThat(settings.loadedAt()).isBetween(before, Instant.now());
        assertThat(settings.listen()).isEqualTo(new ListenSettings("0.0.0.0", 8080));
        assertThat(settings.admin()).isEqualTo(new AdminSettings(true, "127.0.0.1", 9090));
        assertThat(settings.upstream())
                .isEqualTo(new UpstreamSettings(
                        URI.create("http://127.0.0.1:3000"),
                        Duration.ofSeconds(5),
                        Duration.ofSeconds(30),
                        Duration.ofSeconds(60),
                        512,
                        Duration.ofSeconds(5),
                        UpstreamSettings.HostHeader.PRESERVE,
                        null));
        assertThat(settings.cors())
                .isEqualTo(new CorsSettings(
                        true,
                        List.of(),
                        List.of(),
                        List.of("GET", "HEAD", "POST"),
                        List.of(),
                        List.of(),
                        false,
                        Optional.of(Duration.ofMinutes(10)),
                        false,
                        204,
                        CorsSettings.DisallowedOrigin.FORWARD,
                        CorsSettings.UpstreamCorsHeaders.STRIP,
                        CorsSettings.Mode.ENFORCE));
        assertThat(settings.routes()).isEmpty();
        assertThat(settings.limits())
                .isEqualTo(new LimitsSettings(
                        8 * 1024,
                        16 * 1024,
                        100,
                        10L * 1024 * 1024,
                        10_000,
                        Duration.ofSeconds(10),
                        Duration.ofSeconds(30),
                        Duration.ofSeconds(60)));
        assertThat(settings.fetchMetadata())
                .isEqualTo(new FetchMetadataSettings(false, FetchMetadataSettings.Mode.ENFORCE, List.of()));
        assertThat(settings.forwarded()).isEqualTo(new ForwardedSettings(ForwardedSettings.Style.X_FORWARDED, false));
        assertThat(settings.debug()).isEqualTo(new DebugSettings(false));
        assertThat(settings.accessLog()).isEqualTo(new AccessLogSettings(true, AccessLogSettings.Format.TEXT));
        assertThat(settings.reload()).isEqualTo(new ReloadSettings(true));
        assertThat(settings.shutdown()).isEqualTo(new ShutdownSettings(Duration.ofSeconds(15)));
    }

    @Test
    void theUpstreamUrlIsRequired() {
        assertThat(problems("preflight { listen.port = 0 }"))
                .containsExactly(
                        "preflight.upstream.url: missing (expected: an http:// or https:// URL, e.g. http://127.0.0.1:3000)");
        assertThat(problems(""))
                .containsExactly(
                        "preflight.upstream.url: missing (expected: an http:// or https:// URL, e.g. http://127.0.0.1:3000)");
    }

    @Test
    void theHashIsStableAndFollowsTheEffectiveConfigNotItsSpelling() {
        String nested = "preflight { upstream { url = \"http://127.0.0.1:3000\" }, listen { port = 8081 } }";
        String dotted =
                "# comments do not count\npreflight.listen.port = 8081\npreflight.upstream.url = \"http://127.0.0.1:3000\"";
        String other = "preflight { upstream { url = \"http://127.0.0.1:3000\" }, listen { port = 8082 } }";

        assertThat(valid(nested).hash())
                .matches("[0-9a-f]{64}")
                .isEqualTo(valid(nested).hash());
        assertThat(valid(dotted).hash()).isEqualTo(valid(nested).hash());
        assertThat(valid(other).hash()).isNotEqualTo(valid(nested).hash());
        assertThat(valid(nested, Map.of("PREFLIGHT_PORT", "8082")).hash())
                .isEqualTo(valid(other).hash());
    }

    @Test
    void theEffectiveConfigIsRenderedAsJsonWithDefaultsFileAndEnvironmentMerged() {
        Settings settings = valid(
                "preflight { upstream { url = \"http://127.0.0.1:3000\" }, cors.max-age = 5m }",
                Map.of("PREFLIGHT_PORT", "8082"));

        assertThat(settings.effectiveJson())
                .startsWith("{")
                .endsWith("}")
                .doesNotContain("\n", "#")
                .contains("\"url\":\"http://127.0.0.1:3000\"") // the file
                .contains("\"max-age\":\"5m\"") // the file, as written
                .contains("\"listen\":{\"host\":\"0.0.0.0\",\"port\":8082}") // default host, env port
                .contains("\"preflight-status\":204"); // a default
    }

    @Test
    void loadsAFileAndRemembersIt() throws Exception {
        Path file = Files.writeString(dir.resolve("application.conf"), MINIMAL + "\npreflight.listen.port = 0\n");

        Settings settings = ConfigLoader.load(file, Map.of());

        assertThat(settings.file()).contains(file);
        assertThat(settings.listen().port()).isZero();
        assertThat(settings.hash())
                .isEqualTo(valid(MINIMAL + "\npreflight.listen.port = 0\n").hash());
    }

    @Test
    void aFileNamedWithoutADirectoryFindsItsIncludesBesideIt() throws Exception {
        // `--config application.conf` from the file's own directory: the working directory here.
        String name = "preflight-test-" + UUID.randomUUID();
        Path included = Path.of(name + "-origins.conf");
        Path file = Path.of(name + ".conf");
        try {
            Files.writeString(included, "preflight.cors.allowed-origins = [\"https://app.example.com\"]\n");
            Files.writeString(file, MINIMAL + "\ninclude \"" + included + "\"\n");

            Settings settings = ConfigLoader.load(file, Map.of());

            assertThat(settings.cors().allowedOrigins()).containsExactly("https://app.example.com");
            assertThat(settings.file()).contains(file);
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(included);
        }
    }

    @Test
    void theSampleApplicationConfIsValid() throws Exception {
        Settings settings = ConfigLoader.load(Path.of("conf", "application.conf"), Map.of());

        assertThat(settings.upstream().url()).isEqualTo(URI.create("http://127.0.0.1:3000"));
        assertThat(settings.listen().port()).isEqualTo(8080);
        assertThat(settings.cors().allowedOrigins()).containsExactly("http://localhost:5173");
        assertThat(settings.cors().allowCredentials()).isTrue(); // the compose demo's credentialed call
        assertThat(settings.routes()).extracting(r -> r.name()).containsExactly("private");
        assertThat(settings.warnings()).isEmpty();
    }

    @Test
    void aMissingFileIsOneClearLine() {
        Path missing = dir.resolve("nope.conf");

        assertThatThrownBy(() -> ConfigLoader.load(missing, Map.of()))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage("cannot read config file " + missing + ": no such file");
    }

    @Test
    @DisplayName("V1: a file a required include names that cannot be read is said to be an include, not the file")
    void aMissingRequiredIncludeIsNamedAsOne() throws Exception {
        Path file = Files.writeString(dir.resolve("main.conf"), """
                preflight {
                  upstream.url = "http://127.0.0.1:3000"
                  include required(file("nope.conf"))
                }
                """);

        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of()))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage("cannot read config file " + file
                        + ": a file it includes cannot be read: nope.conf (No such file or directory)");
    }

    @Test
    @DisplayName("V1: thousands of nested brackets, or a chain of thousands of substitutions, are one problem, not"
            + " a stack overflow")
    void aConfigNestedTooDeeplyIsOneProblem() throws Exception {
        StringBuilder chain = new StringBuilder("v0 = 1\n");
        for (int i = 1; i < 5000; i++) {
            chain.append('v').append(i).append(" = ${v").append(i - 1).append("}\n");
        }
        for (String hocon : List.of(
                "preflight.upstream.url = \"http://127.0.0.1:3000\"\nx = " + "[".repeat(3000) + "]".repeat(3000),
                "preflight.upstream.url = \"http://127.0.0.1:3000\"\n" + chain)) {
            Path file = Files.writeString(dir.resolve("deep.conf"), hocon);

            assertThatThrownBy(() -> ConfigLoader.load(file, Map.of()))
                    .isInstanceOf(InvalidConfigException.class)
                    .hasMessageEndingWith(
                            "nested too deeply to read (thousands of brackets or substitutions within each other)");
        }
    }

    @Test
    @Timeout(20)
    @DisplayName("V1: an include of a URL is refused without a request: it fetched the policy from the network at"
            + " check, and hung on a server that never answered")
    void anIncludeOfAUrlIsRefused() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            String url = "http://127.0.0.1:" + silent.getLocalPort() + "/policy.conf";
            for (String include : List.of("include url(\"" + url + "\")", "include \"" + url + "\"")) {
                Path file = Files.writeString(
                        dir.resolve("remote.conf"),
                        "preflight.upstream.url = \"http://127.0.0.1:3000\"\n" + include + "\n");

                assertThatThrownBy(() -> ConfigLoader.load(file, Map.of()))
                        .as(include)
                        .isInstanceOf(InvalidConfigException.class)
                        .hasMessageContaining("include of " + url
                                + " refused: preflight reads its config from files only, never the network");
            }
        }
    }

    @Test
    void aDirectoryIsNotAConfigFile() {
        assertThatThrownBy(() -> ConfigLoader.load(dir, Map.of()))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage("cannot read config file " + dir + ": is a directory");
    }

    @Test
    void aSyntaxErrorIsOneProblemWithFileAndLine() throws Exception {
        Path file = Files.writeString(dir.resolve("broken.conf"), """
                preflight {
                  upstream.url = "http://127.0.0.1:3000"
                  listen { port = 8080
                }
                """);

        InvalidConfigException e = org.junit.jupiter.api.Assertions.assertThrows(
                InvalidConfigException.class, () -> ConfigLoader.load(file, Map.of()));

        assertThat(e.problems()).hasSize(1);
        assertThat(e.problems().getFirst().location()).isEqualTo(file + ":5");
        assertThat(e.getMessage()).startsWith(file + ":5: ").contains("end of file");
    }

    @Test
    void aSyntaxErrorInAStringPointsAtTheStringsLine() {
        assertThat(problems("preflight {\n  listen.port = ]\n}"))
                .singleElement()
                .asString()
                .startsWith("string:2: ");
    }

    @Test
    void anUnresolvableSubstitutionIsAProblemNotACrash() {
        assertThat(problems(preflight("  listen.host = ${nowhere}")))
                .singleElement()
                .asString()
                .startsWith("string:3: ")
                .contains("${nowhere}");
    }

    @Test
    void substitutionsWithinTheFileResolve() {
        Settings settings = valid(preflight("  listen.host = \"127.0.0.2\"\n  admin.host = ${preflight.listen.host}"));

        assertThat(settings.admin().host()).isEqualTo("127.0.0.2");
    }

    @Test
    @DisplayName("HOCON: a substitution the file does not define reads the environment given ("
            + "${VAR} and ${?VAR}), as the HOCON spec says")
    void substitutionsReadTheEnvironment() {
        Settings settings = valid(
                """
                preflight {
                  upstream.url = "http://127.0.0.1:3000"
                  upstream.url = ${?API_URL}
                  cors.allowed-origins = ["https://a.example.com"]
                  cors.allowed-origins += ${?EXTRA_ORIGIN}
                  cors.allowed-origins += ${?UNSET_ORIGIN}
                  listen.host = ${LISTEN_HOST}
                }
                """,
                Map.of(
                        "API_URL", "http://127.0.0.1:4000",
                        "EXTRA_ORIGIN", "https://b.example.com",
                        "LISTEN_HOST", "127.0.0.3"));

        assertThat(settings.upstream().url()).hasToString("http://127.0.0.1:4000");
        assertThat(settings.corsPolicy().settings().allowedOrigins())
                .containsExactly("https://a.example.com", "https://b.example.com");
        assertThat(settings.listen().host()).isEqualTo("127.0.0.3");
    }

    @Test
    void neitherSystemPropertiesNorTheProcessEnvironmentLeakIn() {
        System.setProperty("preflight.listen.port", "1234");
        try {
            // ${?PATH} would be the process environment's PATH if system sources were consulted.
            Settings settings = valid(preflight("  listen.host = ${?PATH}"));

            assertThat(settings.listen().port()).isEqualTo(8080);
            assertThat(settings.listen().host()).isEqualTo("0.0.0.0");
        } finally {
            System.clearProperty("preflight.listen.port");
        }
    }

    @Test
    void everyProblemIsOnItsOwnLineOfTheMessage() {
        InvalidConfigException e = new InvalidConfigException(List.of(
                new ConfigProblem("preflight.a", "f:1", "x", "y"), new ConfigProblem("preflight.b", "f:2", "z", "")));

        assertThat(e.getMessage()).isEqualTo("preflight.a (f:1): x (expected: y)\npreflight.b (f:2): z");
    }
}
