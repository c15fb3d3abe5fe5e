package dev.preflight.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.RecordComponent;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The pools are found by their settings (a reload keeps the pool of an unchanged upstream), and
 * {@link UpstreamSettings} writes its equals and hashCode out rather than leave them to the record.
 */
class UpstreamSettingsTest {
    /** The defaults of reference.conf for an upstream at {@code http://127.0.0.1:3000}. */
    private static final UpstreamSettings BASE = defaults();

    private static UpstreamSettings defaults() {
        try {
            return ConfigLoader.parse("preflight.upstream.url = \"http://127.0.0.1:3000\"", Map.of())
                    .upstream();
        } catch (InvalidConfigException e) {
            throw new AssertionError(e);
        }
    }

    /** One row per component: a value other than {@link #BASE}'s. */
    static Stream<Arguments> oneComponentChanged() {
        return Stream.of(
                Arguments.of("url", URI.create("http://127.0.0.1:3001")),
                Arguments.of("connectTimeout", Duration.ofSeconds(6)),
                Arguments.of("responseTimeout", Duration.ofSeconds(31)),
                Arguments.of("idleTimeout", Duration.ofSeconds(61)),
                Arguments.of("maxConnections", 513),
                Arguments.of("acquireTimeout", Duration.ofSeconds(6)),
                Arguments.of("hostHeader", UpstreamSettings.HostHeader.UPSTREAM),
                Arguments.of("trustedAuthorities", testCa()));
    }

    private static TrustedAuthorities testCa() {
        try {
            return TrustedAuthorities.read(Path.of(
                    UpstreamSettingsTest.class.getResource("/tls/test-ca.pem").toURI()));
        } catch (TrustedAuthorities.Unusable | URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    @ParameterizedTest(name = "{0} counts")
    @MethodSource("oneComponentChanged")
    void everyComponentCounts(String component, Object value) throws ReflectiveOperationException {
        UpstreamSettings changed = with(component, value);

        assertThat(changed).isNotEqualTo(BASE);
        assertThat(BASE).isNotEqualTo(changed);
    }

    /** {@link #BASE} with one component replaced, through the record's canonical constructor. */
    private static UpstreamSettings with(String component, Object value) throws ReflectiveOperationException {
        RecordComponent[] components = UpstreamSettings.class.getRecordComponents();
        Class<?>[] types = new Class<?>[components.length];
        Object[] values = new Object[components.length];
        for (int i = 0; i < components.length; i++) {
            types[i] = components[i].getType();
            values[i] = components[i].getName().equals(component)
                    ? value
                    : components[i].getAccessor().invoke(BASE);
        }
        return UpstreamSettings.class.getDeclaredConstructor(types).newInstance(values);
    }

    @Test
    void theRowsCoverEveryComponent() {
        List<String> components = Arrays.stream(UpstreamSettings.class.getRecordComponents())
                .map(RecordComponent::getName)
                .toList();
        List<Object> rows = oneComponentChanged().map(a -> a.get()[0]).toList();

        assertThat(rows).containsExactlyInAnyOrderElementsOf(components);
    }

    @Test
    void equalSettingsAreEqualWithTheSameHash() {
        UpstreamSettings same = new UpstreamSettings(
                URI.create("http://127.0.0.1:3000"),
                Duration.ofMillis(5000),
                Duration.ofSeconds(30),
                Duration.ofMinutes(1),
                512,
                Duration.ofSeconds(5),
                UpstreamSettings.HostHeader.PRESERVE,
                null);

        assertThat(same).isEqualTo(BASE).hasSameHashCodeAs(BASE);
        assertThat(BASE).isNotEqualTo(null).isNotEqualTo("http://127.0.0.1:3000");
    }

    static Stream<Arguments> connectTimeouts() {
        return Stream.of(
                Arguments.of("5s", 5000),
                Arguments.of("1ms", 1),
                Arguments.of("1500us", 1),
                Arguments.of("500us", 1), // Netty reads 0 as no timeout at all
                Arguments.of("1ns", 1),
                Arguments.of("30d", Integer.MAX_VALUE)); // 2,592,000,000 ms: more than an int holds
    }

    @ParameterizedTest(name = "P6: connect-timeout = {0} is {1} ms for Netty")
    @MethodSource("connectTimeouts")
    void connectTimeoutInNettysMillis(String written, int millis) throws InvalidConfigException {
        UpstreamSettings settings = ConfigLoader.parse(
                        "preflight.upstream { url = \"http://127.0.0.1:3000\", connect-timeout = " + written + " }",
                        Map.of())
                .upstream();

        assertThat(settings.connectTimeoutMillis()).isEqualTo(millis);
    }
}
