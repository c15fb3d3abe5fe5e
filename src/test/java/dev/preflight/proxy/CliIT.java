package dev.preflight.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.preflight.testing.PreflightProcess;
import dev.preflight.testing.PreflightProcess.Result;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** O1 and V1: the built jar's command line, run as a process. */
@Timeout(120)
class CliIT {

    private static final Duration EXIT_WITHIN = Duration.ofSeconds(60);

    /** Three mistakes, on lines 3, 7 and 10. */
    private static final String THREE_MISTAKES = """
            preflight {
              listen {
                port = "eighty"
              }
              upstream {
                url = "http://127.0.0.1:3000"
                conect-timeout = 5s
              }
              cors {
                mode = enforcing
              }
            }
            """;

    @TempDir
    Path dir;

    @Test
    @DisplayName("V1: a config file with three mistakes: exit 1, and stderr names all three with their lines")
    void threeMistakes() throws Exception {
        Path config = Files.writeString(dir.resolve("three-mistakes.conf"), THREE_MISTAKES);

        Result result = PreflightProcess.run(dir, EXIT_WITHIN, List.of(), "--config", config.toString());

        assertThat(result.exitCode()).as("%s", result).isEqualTo(1);
        List<String> lines = result.stderrLines();
        assertThat(lines).as("%s", result).anyMatch(line -> line.contains("listen.port") && atLine(line, 3));
        assertThat(lines)
                .as("%s", result)
                .anyMatch(
                        line -> line.contains("conect-timeout") && atLine(line, 7) && line.contains("connect-timeout"));
        assertThat(lines).as("%s", result).anyMatch(line -> line.contains("cors.mode") && atLine(line, 10));
        assertThat(result.stderr()).as("no stack trace").doesNotContain("\tat ");
    }

    @Test
    @DisplayName("V1: `run` with the same file fails the same way")
    void threeMistakesWithRun() throws Exception {
        Path config = Files.writeString(dir.resolve("three-mistakes.conf"), THREE_MISTAKES);

        Result result = PreflightProcess.run(dir, EXIT_WITHIN, List.of(), "run", "--config", config.toString());

        assertThat(result.exitCode()).as("%s", result).isEqualTo(1);
        assertThat(result.stderr()).contains("listen.port", "conect-timeout", "cors.mode");
    }

    @Test
    @DisplayName("O1: a missing config file: exit 1 and one clear line naming it")
    void missingConfigFile() throws Exception {
        Path missing = dir.resolve("no-such-dir").resolve("preflight.conf");

        Result result = PreflightProcess.run(dir, EXIT_WITHIN, List.of(), "--config", missing.toString());

        assertThat(result.exitCode()).as("%s", result).isEqualTo(1);
        assertThat(result.stderrLines()).as("%s", result).hasSize(1);
        assertThat(result.stderrLines().getFirst()).contains(missing.toString());
    }

    @Test
    @DisplayName("O1: --help prints usage and exits 0")
    void help() throws Exception {
        Result result = PreflightProcess.run(dir, EXIT_WITHIN, List.of(), "--help");

        assertThat(result.exitCode()).as("%s", result).isZero();
        assertThat(result.stdout()).contains("--config");
    }

    @Test
    @DisplayName("O1: --version prints the version and exits 0")
    void version() throws Exception {
        Result result = PreflightProcess.run(dir, EXIT_WITHIN, List.of(), "--version");

        assertThat(result.exitCode()).as("%s", result).isZero();
        assertThat(result.stdout()).containsPattern("\\d+\\.\\d+");
    }

    @Test
    @DisplayName("O2: the admin port taken: exit 1 and one line naming it (was a stack trace after the proxy's start)")
    void adminPortTaken() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Path config = Files.writeString(dir.resolve("admin-taken.conf"), """
                    preflight {
                      listen { host = "127.0.0.1", port = 0 }
                      admin { host = "127.0.0.1", port = %d }
                      upstream.url = "http://127.0.0.1:9"
                    }
                    """.formatted(taken.getLocalPort()));

            Result result = PreflightProcess.run(dir, EXIT_WITHIN, List.of(), "run", "--config", config.toString());

            assertThat(result.exitCode()).as("%s", result).isEqualTo(1);
            assertThat(result.stderrLines()).as("%s", result).hasSize(1);
            assertThat(result.stderrLines().getFirst())
                    .startsWith("preflight: cannot listen on 127.0.0.1:" + taken.getLocalPort() + " (admin): ")
                    .endsWith("Address already in use");
        }
    }

    @Test
    @DisplayName("O2: an admin host no lookup finds: exit 1 and one line, before the proxy's port is listening")
    void adminHostUnknown() throws Exception {
        Path config = Files.writeString(dir.resolve("admin-unknown.conf"), """
                preflight {
                  listen { host = "127.0.0.1", port = 0 }
                  admin { host = "no-such-host.invalid", port = 0 }
                  upstream.url = "http://127.0.0.1:9"
                }
                """);

        Result result = PreflightProcess.run(dir, EXIT_WITHIN, List.of(), "run", "--config", config.toString());

        assertThat(result.exitCode()).as("%s", result).isEqualTo(1);
        assertThat(result.stderrLines())
                .as("%s", result)
                .containsExactly("preflight: cannot listen on no-such-host.invalid:0 (admin): no such host");
        assertThat(result.stdout()).as("the proxy never listened").doesNotContain("listening on");
    }

    @Test
    @DisplayName("O1: demo with its proxy port taken: exit 1 and one line, not a process left running")
    void demoPortTaken() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Result result = PreflightProcess.run(
                    dir, EXIT_WITHIN, List.of(), "demo", "--port", String.valueOf(taken.getLocalPort()));

            assertThat(result.exitCode()).as("%s", result).isEqualTo(1);
            assertThat(result.stderrLines()).as("%s", result).hasSize(1);
            assertThat(result.stderrLines().getFirst())
                    .startsWith("preflight demo: cannot listen on 127.0.0.1:" + taken.getLocalPort());
        }
    }

    /** {@code file:line} as the problem's location, e.g. {@code (/tmp/x/three-mistakes.conf:7)}. */
    private static boolean atLine(String line, int number) {
        return Pattern.compile(":" + number + "\\b").matcher(line).find();
    }
}
