package dev.preflight.container;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.images.builder.ImageFromDockerfile;

/**
 * The image built from the project's {@code Dockerfile}, once per test JVM, for the container tests.
 * Where no container engine is reachable those tests are skipped with one line saying so, never
 * silently passed.
 *
 * <p>The build goes through the engine's build API with {@code .dockerignore} honoured (so the
 * context is the few files the Dockerfile copies, not {@code target/}), and the image keeps its tag
 * afterwards so that the next run reuses the engine's layer cache: the dependency and runtime layers
 * are reused, so a rebuild takes seconds to a minute; a first one takes a few minutes (Maven
 * downloads inside the build).
 */
final class PreflightImage {

    /** The tag the suite builds; docker-compose runs it too, through {@code PREFLIGHT_IMAGE}. */
    static final String NAME = "preflight-test";

    /** Long enough for a first build on a cold engine (Maven downloads, jlink); later ones take seconds. */
    static final Duration BUILD_TIMEOUT = Duration.ofMinutes(15);

    private static String built;
    private static Optional<String> unreachable;

    private PreflightImage() {}

    /**
     * Why no container engine can be used here, or empty when one answers. Asked once per JVM; the
     * same test as {@code DockerClientFactory.isDockerAvailable()}, keeping the first failure's message
     * (later calls only say that an earlier attempt failed).
     */
    static synchronized Optional<String> whyUnreachable() {
        if (unreachable == null) {
            try {
                DockerClientFactory.instance().client();
                unreachable = Optional.empty();
            } catch (RuntimeException e) {
                String message =
                        String.valueOf(e.getMessage()).lines().findFirst().orElse("");
                unreachable = Optional.of(e.getClass().getSimpleName() + ": " + message);
                // Once in the build's output too, not only in the test reports.
                System.err.println("container tests skipped: no container engine reachable: " + unreachable.get());
            }
        }
        return unreachable;
    }

    /** Skips the calling test with one line naming the cause when no engine answers. */
    static void requireEngine() {
        whyUnreachable().ifPresent(cause -> Assumptions.abort("no container engine reachable: " + cause));
    }

    /** Builds the image from the Dockerfile (the first call in this JVM) and returns its name. */
    static synchronized String name() throws Exception {
        requireEngine();
        if (built == null) {
            Path dockerfile = projectRoot().resolve("Dockerfile");
            built = new ImageFromDockerfile(NAME, false)
                    .withDockerfile(dockerfile)
                    .get(BUILD_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
        return built;
    }

    /** The directory holding the Dockerfile and docker-compose.yml; Maven runs the tests from there. */
    static Path projectRoot() {
        Path root = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
        if (!Files.isRegularFile(root.resolve("Dockerfile"))) {
            throw new IllegalStateException("no Dockerfile in " + root + " (run the tests from the project root)");
        }
        return root;
    }
}
