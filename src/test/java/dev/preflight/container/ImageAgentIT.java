package dev.preflight.container;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Volume;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;

/**
 * O7: the README says {@code JAVA_TOOL_OPTIONS} can add a Java agent to the image's proxy, which takes
 * {@code java.instrument} in the runtime jlink makes (without it the JVM stops at the start: "Could not
 * find agent library instrument"). A trivial agent, compiled here, is loaded and the proxy answers.
 */
class ImageAgentIT {

    private static final String AGENT_SOURCE = """
            public class TestAgent {
                public static void premain(String args, java.lang.instrument.Instrumentation inst) {
                    System.out.println("test agent loaded, redefine=" + inst.isRedefineClassesSupported());
                }
            }
            """;

    @Test
    @DisplayName("O7: JAVA_TOOL_OPTIONS=-javaagent:... loads an agent in the image, and the proxy answers")
    void loadsAnAgentFromJavaToolOptions() throws Exception {
        String image = PreflightImage.name();
        Path dir = Files.createTempDirectory("preflight-it-agent-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(dir.resolve("application.conf"), """
                preflight {
                  upstream.url = "http://127.0.0.1:3000"
                  cors.allowed-origins = ["https://app.example"]
                }
                """);
        agentJar(dir.resolve("agent.jar"));
        for (Path file : new Path[] {dir.resolve("application.conf"), dir.resolve("agent.jar")}) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        }

        try (GenericContainer<?> container = new GenericContainer<>(image)
                .withImagePullPolicy(name -> false)
                .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig()
                        .withBinds(new Bind(dir.toString(), new Volume("/etc/preflight"), AccessMode.ro)))
                .withEnv("JAVA_TOOL_OPTIONS", "-javaagent:/etc/preflight/agent.jar")
                .withExposedPorts(8080, 9090)
                .waitingFor(Wait.forHttp("/health/ready")
                        .forPort(9090)
                        .forStatusCode(200)
                        .withStartupTimeout(Duration.ofMinutes(3)))) {
            container.start();

            String url = "http://" + container.getHost() + ":" + container.getMappedPort(8080);
            assertThat(Http.preflightStatus(url, "/", "https://app.example", "GET"))
                    .as(container.getLogs())
                    .isEqualTo(204);
            assertThat(container.getLogs()).contains("test agent loaded, redefine=true");
        }
    }

    /** Compiles the agent (for Java 17, so any JDK running the tests can) into a jar naming its premain. */
    private static void agentJar(Path jar) throws IOException {
        Path sources = Files.createTempDirectory("preflight-agent-src-");
        Path source = Files.writeString(sources.resolve("TestAgent.java"), AGENT_SOURCE);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertThat(javac).as("a JDK runs the tests").isNotNull();
        int exit = javac.run(null, null, null, "--release", "17", "-d", sources.toString(), source.toString());
        assertThat(exit).as("javac's exit code").isZero();

        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(new Attributes.Name("Premain-Class"), "TestAgent");
        manifest.getMainAttributes().put(new Attributes.Name("Can-Redefine-Classes"), "true");
        try (OutputStream out = Files.newOutputStream(jar);
                JarOutputStream jarOut = new JarOutputStream(out, manifest)) {
            jarOut.putNextEntry(new JarEntry("TestAgent.class"));
            jarOut.write(Files.readAllBytes(sources.resolve("TestAgent.class")));
            jarOut.closeEntry();
        }
    }
}
