package dev.preflight.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.RecordComponent;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
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
    private static final UpstreamSettings BASE = new UpstreamSettings(
            URI.create("http://127.0.0.1:3000"),
            Duration.ofSeconds(5),
            Duration.ofSeconds(30),
            Duration.ofSeconds(60),
            512,
            Duration.ofSeconds(5),
            UpstreamSettings.HostHeader.PRESERVE);

    /** One row per component: the same settings with only that component changed. */
    static Stream<Arguments> oneComponentChanged() {
        return Stream.of(
                row(
                        "url",
                        u -> new UpstreamSettings(
                                URI.create("http://127.0.0.1:3001"),
                                u.connectTimeout(),
                                u.responseTimeout(),
                                u.idleTimeout(),
                                u.maxConnections(),
                                u.acquireTimeout(),
                                u.hostHeader())),
                row(
                        "connectTimeout",
                        u -> new UpstreamSettings(
                                u.url(),
                                Duration.ofSeconds(6),
                                u.responseTimeout(),
                                u.idleTimeout(),
                                u.maxConnections(),
                                u.acquireTimeout(),
                                u.hostHeader())),
                row(
                        "responseTimeout",
                        u -> new UpstreamSettings(
                                u.url(),
                                u.connectTimeout(),
                                Duration.ofSeconds(31),
                                u.idleTimeout(),
                                u.maxConnections(),
                                u.acquireTimeout(),
                                u.hostHeader())),
                row(
                        "idleTimeout",
                        u -> new UpstreamSettings(
                                u.url(),
                                u.connectTimeout(),
                                u.responseTimeout(),
                                Duration.ofSeconds(61),
                                u.maxConnections(),
                                u.acquireTimeout(),
                                u.hostHeader())),
                row(
                        "maxConnections",
                        u -> new UpstreamSettings(
                                u.url(),
                                u.connectTimeout(),
                                u.responseTimeout(),
                                u.idleTimeout(),
                                513,
                                u.acquireTimeout(),
                                u.hostHeader())),
                row(
                        "acquireTimeout",
                        u -> new UpstreamSettings(
                                u.url(),
                                u.connectTimeout(),
                                u.responseTimeout(),
                                u.idleTimeout(),
                                u.maxConnections(),
                                Duration.ofSeconds(6),
                                u.hostHeader())),
                row(
                        "hostHeader",
                        u -> new UpstreamSettings(
                                u.url(),
                                u.connectTimeout(),
                                u.responseTimeout(),
                                u.idleTimeout(),
                                u.maxConnections(),
                                u.acquireTimeout(),
                                UpstreamSettings.HostHeader.UPSTREAM)));
    }

    private static Arguments row(String component, UnaryOperator<UpstreamSettings> change) {
        return Arguments.of(component, change);
    }

    @ParameterizedTest(name = "{0} counts")
    @MethodSource("oneComponentChanged")
    void everyComponentCounts(String component, UnaryOperator<UpstreamSettings> change) {
        UpstreamSettings changed = change.apply(BASE);

        assertThat(changed).isNotEqualTo(BASE);
        assertThat(BASE).isNotEqualTo(changed);
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
                UpstreamSettings.HostHeader.PRESERVE);

        assertThat(same).isEqualTo(BASE).hasSameHashCodeAs(BASE);
        assertThat(BASE).isNotEqualTo(null).isNotEqualTo("http://127.0.0.1:3000");
    }
}
