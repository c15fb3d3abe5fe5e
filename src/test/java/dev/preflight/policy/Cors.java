package dev.preflight.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A {@code cors} block for tests: the defaults of reference.conf, changed by methods that each
 * return a changed copy. {@link #policy()} compiles it and fails on any error, so that a row of a
 * table cannot test an invalid policy by accident.
 */
final class Cors implements Cloneable {

    private boolean enabled = true;
    private List<String> origins = List.of();
    private List<String> regexes = List.of();
    private List<String> methods = List.of("GET", "HEAD", "POST");
    private List<String> headers = List.of();
    private List<String> exposed = List.of();
    private boolean credentials;
    private Optional<Duration> maxAge = Optional.of(Duration.ofMinutes(10));
    private boolean privateNetwork;
    private int preflightStatus = 204;
    private CorsSettings.DisallowedOrigin disallowedOrigin = CorsSettings.DisallowedOrigin.FORWARD;
    private CorsSettings.Mode mode = CorsSettings.Mode.ENFORCE;

    private Cors() {}

    static Cors defaults() {
        return new Cors();
    }

    static Cors origins(String... values) {
        return defaults().with(c -> c.origins = List.of(values));
    }

    Cors regexes(String... values) {
        return with(c -> c.regexes = List.of(values));
    }

    Cors methods(String... values) {
        return with(c -> c.methods = List.of(values));
    }

    Cors headers(String... values) {
        return with(c -> c.headers = List.of(values));
    }

    Cors exposed(String... values) {
        return with(c -> c.exposed = List.of(values));
    }

    Cors credentials() {
        return with(c -> c.credentials = true);
    }

    Cors maxAge(Duration value) {
        return with(c -> c.maxAge = Optional.ofNullable(value));
    }

    Cors privateNetwork() {
        return with(c -> c.privateNetwork = true);
    }

    Cors preflightStatus(int status) {
        return with(c -> c.preflightStatus = status);
    }

    Cors rejectDisallowed() {
        return with(c -> c.disallowedOrigin = CorsSettings.DisallowedOrigin.REJECT);
    }

    Cors reportOnly() {
        return with(c -> c.mode = CorsSettings.Mode.REPORT_ONLY);
    }

    Cors disabled() {
        return with(c -> c.enabled = false);
    }

    CorsSettings settings() {
        return new CorsSettings(
                enabled,
                origins,
                regexes,
                methods,
                headers,
                exposed,
                credentials,
                maxAge,
                privateNetwork,
                preflightStatus,
                disallowedOrigin,
                CorsSettings.UpstreamCorsHeaders.STRIP,
                mode);
    }

    CorsPolicy.Compiled compile() {
        return CorsPolicy.compile(settings());
    }

    /** The compiled policy; fails the test when the block has an error. */
    CorsPolicy policy() {
        CorsPolicy.Compiled compiled = compile();
        assertThat(compiled.errors()).as("errors of %s", settings()).isEmpty();
        return compiled.policy().orElseThrow();
    }

    private Cors with(Consumer<Cors> change) {
        try {
            Cors copy = (Cors) clone();
            change.accept(copy);
            return copy;
        } catch (CloneNotSupportedException e) {
            throw new AssertionError(e);
        }
    }
}
