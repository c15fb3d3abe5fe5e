package dev.preflight.config;

import static dev.preflight.config.ConfigFixtures.preflight;
import static dev.preflight.config.ConfigFixtures.problems;
import static dev.preflight.config.ConfigFixtures.valid;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The PREFLIGHT_* variables override the file, and a bad one is reported as coming from them. */
class ConfigEnvOverridesTest {

    /** Sets every overridable key to something else than the variables below. */
    private static final String FILE = """
            preflight {
              upstream.url = "http://127.0.0.1:3000"
              listen.port = 8080
              admin.port = 9090
              cors.allowed-origins = ["https://from-file.example.com"]
              access-log.format = text
            }
            """;

    static Stream<Arguments> overrides() {
        return Stream.of(
                override(
                        "PREFLIGHT_UPSTREAM_URL",
                        "https://api.internal:8443",
                        s -> s.upstream().url(),
                        URI.create("https://api.internal:8443")),
                override("PREFLIGHT_PORT", "18080", s -> s.listen().port(), 18080),
                override("PREFLIGHT_PORT", " 0 ", s -> s.listen().port(), 0),
                override("PREFLIGHT_ADMIN_PORT", "19090", s -> s.admin().port(), 19090),
                override("PREFLIGHT_ADMIN_HOST", "0.0.0.0", s -> s.admin().host(), "0.0.0.0"),
                override(
                        "PREFLIGHT_ALLOWED_ORIGINS",
                        "https://a.example.com",
                        s -> s.cors().allowedOrigins(),
                        List.of("https://a.example.com")),
                override(
                        "PREFLIGHT_ALLOWED_ORIGINS",
                        " https://a.example.com , ,http://localhost:*,",
                        s -> s.cors().allowedOrigins(),
                        List.of("https://a.example.com", "http://localhost:*")),
                override("PREFLIGHT_LOG_FORMAT", "json", s -> s.accessLog().format(), AccessLogSettings.Format.JSON));
    }

    private static Arguments override(String variable, String value, Function<Settings, Object> read, Object expected) {
        return Arguments.of(variable, value, read, expected);
    }

    @ParameterizedTest(name = "{0}={1}")
    @MethodSource("overrides")
    void aVariableOverridesTheFile(String variable, String value, Function<Settings, Object> read, Object expected) {
        assertThat(read.apply(valid(FILE, Map.of(variable, value)))).isEqualTo(expected);
    }

    @Test
    void theUpstreamUrlMayComeFromTheEnvironmentAlone() {
        Settings settings = valid("", Map.of("PREFLIGHT_UPSTREAM_URL", "http://api:3000"));

        assertThat(settings.upstream().url()).isEqualTo(URI.create("http://api:3000"));
    }

    @Test
    void anAllowedOriginsOverrideIsInheritedByRoutesThatDoNotSetTheirOwn() {
        Settings settings = valid(
                preflight(
                        "  routes = [{ name = a }, { name = b, cors.allowed-origins = [\"https://b.example.com\"] }]"),
                Map.of("PREFLIGHT_ALLOWED_ORIGINS", "https://env.example.com"));

        assertThat(settings.routes().get(0).cors().allowedOrigins()).containsExactly("https://env.example.com");
        assertThat(settings.routes().get(1).cors().allowedOrigins()).containsExactly("https://b.example.com");
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', textBlock = """
            PREFLIGHT_PORT         | http   | preflight.listen.port (env PREFLIGHT_PORT): http (expected: a port number 0..65535)
            PREFLIGHT_ADMIN_PORT   | 99999  | preflight.admin.port (env PREFLIGHT_ADMIN_PORT): 99999 (expected: a port number 0..65535)
            PREFLIGHT_LOG_FORMAT   | JSON   | preflight.access-log.format (env PREFLIGHT_LOG_FORMAT): JSON (expected: one of text, json)
            PREFLIGHT_UPSTREAM_URL | api:80 | preflight.upstream.url (env PREFLIGHT_UPSTREAM_URL): api:80 (expected: an http:// or https:// URL, e.g. http://127.0.0.1:3000)
            PREFLIGHT_UPSTREAM_URL | https://svc:s3cr3t@api | preflight.upstream.url (env PREFLIGHT_UPSTREAM_URL): https://***@api (expected: a URL without user info, e.g. https://api)
            PREFLIGHT_ALLOWED_ORIGINS | '' | preflight.cors.allowed-origins (env PREFLIGHT_ALLOWED_ORIGINS): "" (expected: a list of origins, e.g. ["https://app.example.com"])
            PREFLIGHT_ALLOWED_ORIGINS | ' , ' | preflight.cors.allowed-origins (env PREFLIGHT_ALLOWED_ORIGINS): , (expected: a list of origins, e.g. ["https://app.example.com"])
            """)
    void aBadVariableIsReportedAsTheVariable(String variable, String value, String message) {
        assertThat(problems(FILE, Map.of(variable, value))).containsExactly(message);
    }

    @Test
    @DisplayName(
            "V3: credentials in the file with PREFLIGHT_ALLOWED_ORIGINS=* name the variable, not only the file's line")
    void aProblemOfTwoKeysNamesTheVariableOfTheOther() {
        assertThat(problems(
                        FILE.replace("preflight {", "preflight {\n  cors.allow-credentials = true"),
                        Map.of("PREFLIGHT_ALLOWED_ORIGINS", "*")))
                .singleElement()
                .asString()
                .startsWith("preflight.cors.allow-credentials (string:2): true (expected: ")
                .endsWith("; allowed-origins is from env PREFLIGHT_ALLOWED_ORIGINS)");
    }

    @Test
    @DisplayName("V4: the file's admin.host that PREFLIGHT_ADMIN_HOST (the Docker image's) overrides is warned about:"
            + " it beat a mounted file's admin.host without a word; the user's own variables over the file are not")
    void aFileAdminHostTheImagesVariableOverridesIsWarned() {
        Settings settings = valid(
                FILE.replace("preflight {", "preflight {\n  admin.host = \"127.0.0.1\""),
                Map.of("PREFLIGHT_ADMIN_HOST", "0.0.0.0", "PREFLIGHT_PORT", "18080", "PREFLIGHT_LOG_FORMAT", "json"));

        assertThat(settings.warnings())
                .extracting(ConfigProblem::render)
                .containsExactly(
                        "preflight.admin.host (string:2): 127.0.0.1 (warning: not used: env PREFLIGHT_ADMIN_HOST"
                                + " overrides it with 0.0.0.0 (the Docker image sets it; set it instead))");
        assertThat(valid(
                                FILE.replace("preflight {", "preflight {\n  admin.host = \"0.0.0.0\""),
                                Map.of("PREFLIGHT_ADMIN_HOST", "0.0.0.0"))
                        .warnings())
                .as("the same value")
                .isEmpty();
    }

    @Test
    @DisplayName("V1: a file's admin.host holding a substitution in a list, which PREFLIGHT_ADMIN_HOST overrides, is"
            + " overridden, not a stack trace")
    void anUnresolvedAdminHostUnderTheImagesVariable() {
        Settings settings = valid(
                FILE.replace("preflight {", "preflight {\n  admin.host = [${?NOPE}]"),
                Map.of("PREFLIGHT_ADMIN_HOST", "0.0.0.0"));

        assertThat(settings.admin().host()).isEqualTo("0.0.0.0");
    }

    @Test
    @DisplayName("V1: the admin port on the listener's port, that port from PREFLIGHT_PORT, names the variable")
    void aPortCollisionNamesTheVariable() {
        assertThat(problems(FILE, Map.of("PREFLIGHT_PORT", "9090")))
                .singleElement()
                .asString()
                .startsWith("preflight.admin.port (string:4): 9090 (expected: a port other than listen.port's")
                .endsWith("(listen.port is from env PREFLIGHT_PORT))");
    }

    @Test
    @DisplayName("V4: a Kubernetes Service named preflight links PREFLIGHT_PORT=tcp://...: not used as the port (it"
            + " stopped the start), said once; the other link variables are not warned about")
    void kubernetesServiceLinksAreNotPorts() {
        Settings settings = valid(
                FILE,
                Map.of(
                        "PREFLIGHT_PORT", "tcp://10.96.0.5:8080",
                        "PREFLIGHT_SERVICE_HOST", "10.96.0.5",
                        "PREFLIGHT_SERVICE_PORT", "8080",
                        "PREFLIGHT_SERVICE_PORT_HTTP", "8080",
                        "PREFLIGHT_PORT_8080_TCP", "tcp://10.96.0.5:8080",
                        "PREFLIGHT_PORT_8080_TCP_ADDR", "10.96.0.5",
                        "PREFLIGHT_PORT_8080_TCP_PORT", "8080",
                        "PREFLIGHT_PORT_8080_TCP_PROTO", "tcp",
                        "PREFLIGHT_ADMIN_PORT", "tcp://10.96.0.6:9090"));

        assertThat(settings.listen().port()).isEqualTo(8080);
        assertThat(settings.admin().port()).isEqualTo(9090);
        assertThat(settings.warnings())
                .extracting(ConfigProblem::render)
                .containsExactlyInAnyOrder(
                        "env PREFLIGHT_PORT: tcp://10.96.0.5:8080 (warning: not used: a Kubernetes service link (a"
                                + " Service named preflight in the namespace), not a port; set enableServiceLinks:"
                                + " false, or the port in the container's env, which wins over a link)",
                        "env PREFLIGHT_ADMIN_PORT: tcp://10.96.0.6:9090 (warning: not used: a Kubernetes service"
                                + " link (a Service named preflight-admin in the namespace), not a port; set"
                                + " enableServiceLinks: false, or the port in the container's env, which wins over a"
                                + " link)");
    }

    @ParameterizedTest(name = "PREFLIGHT_LOG_LEVEL={0}: warned {1}")
    @CsvSource({"verbose, true", "debug, false", "WARN, false", "' off ', false", "'', false"})
    @DisplayName("V4: a PREFLIGHT_LOG_LEVEL that is no level is warned about (the log stays at info)")
    void logLevel(String level, boolean warned) {
        assertThat(valid(FILE, Map.of("PREFLIGHT_LOG_LEVEL", level)).warnings().stream()
                        .map(ConfigProblem::render))
                .isEqualTo(
                        warned
                                ? List.of(
                                        "env PREFLIGHT_LOG_LEVEL: " + level + " (warning: not a level, so the log stays"
                                                + " at info; one of trace, debug, info, warn, error, off)")
                                : List.of());
    }

    @Test
    @DisplayName("V4: other variables change nothing; a PREFLIGHT_ one nothing reads is warned about, with the"
            + " closest known name and without its value; one the file's ${...} names, or PREFLIGHT_CONFIG, is not")
    void otherVariablesAreIgnored() {
        Settings settings = valid(
                FILE.replace("preflight {", "preflight {\n  upstream.response-timeout = ${?PREFLIGHT_RT}"),
                Map.of(
                        "PREFLIGHT_HOST", "1.2.3.4",
                        "PORT", "1",
                        "PREFLIGHT_CONFIG", "x.conf",
                        "PREFLIGHT_ALLOWED_ORIGIN", "https://secret.example",
                        "PREFLIGHT_RT", "45s"));

        assertThat(settings.listen()).isEqualTo(new ListenSettings("0.0.0.0", 8080));
        assertThat(settings.upstream().responseTimeout()).hasSeconds(45);
        assertThat(settings.warnings())
                .extracting(ConfigProblem::render)
                .containsExactly(
                        "env PREFLIGHT_ALLOWED_ORIGIN: read by nothing (warning: not a variable preflight reads,"
                                + " nor named by a ${...} in the file; did you mean PREFLIGHT_ALLOWED_ORIGINS?)",
                        "env PREFLIGHT_HOST: read by nothing (warning: not a variable preflight reads, nor named"
                                + " by a ${...} in the file; did you mean PREFLIGHT_PORT?)");
    }
}
